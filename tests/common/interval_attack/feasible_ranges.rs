//! The feasible range of each target: the smallest and largest value its sum of atoms can take
//! under everything the attacker knows, by linear programming. Atoms are counts, so bounds
//! are first tightened to integers by propagating each constraint (sound, and under
//! suppression it fixes most atoms outright); constraints the bounds already satisfy are left
//! out, and what is left splits into independent groups of atoms. Each target then needs at
//! most one minimisation and one maximisation per group it touches, re-optimised from the
//! group's solved program rather than from scratch, on every core.

use std::collections::HashMap;

use microlp::{
    ComparisonOp, Error, OptimizationDirection, Problem, Solution, SolveOutcome, Variable,
};

use super::knowledge::{Constraint, Knowledge, Target};

/// Slack for floating-point results that stand for integers.
const EPSILON: f64 = 1e-6;

/// What the attacker can say about one target.
#[derive(Debug, Clone)]
pub struct TargetRange {
    pub target: Target,
    /// Where it was published (report index, table, row, column), once per report and table.
    pub published_in: Vec<String>,
    /// The linear-programming bounds of the true value (`max` may be infinite).
    pub min: f64,
    pub max: f64,
}

impl TargetRange {
    /// The smallest integer the true value can be.
    pub fn low(&self) -> u64 {
        (self.min - EPSILON).ceil().max(0.0) as u64
    }

    /// The largest integer the true value can be, `None` when unbounded.
    pub fn high(&self) -> Option<u64> {
        self.max
            .is_finite()
            .then(|| (self.max + EPSILON).floor().max(0.0) as u64)
    }

    /// The true value, when the range holds exactly one integer.
    pub fn recovered(&self) -> Option<u64> {
        (self.high() == Some(self.low())).then(|| self.low())
    }
}

/// Work done, for the report of a run.
#[derive(Debug, Clone, Default)]
pub struct Effort {
    pub atoms: usize,
    /// Atoms left unknown after bound propagation.
    pub free_atoms: usize,
    pub constraints: usize,
    /// Constraints the propagated bounds make redundant, left out of the linear programs.
    pub redundant: usize,
    pub groups: usize,
    pub largest_group: usize,
    pub linear_programs: usize,
}

/// Ranges of all targets, and any contradiction (the reports do not fit the model: then the
/// model, not the reports, is wrong, and no range can be trusted).
pub(super) fn feasible_ranges(knowledge: Knowledge) -> (Vec<TargetRange>, Vec<String>, Effort) {
    let mut contradictions = Vec::new();
    let mut effort = Effort {
        atoms: knowledge.atoms.len(),
        constraints: knowledge.constraints.len(),
        ..Effort::default()
    };
    let (lower, upper) = propagate(&knowledge, &mut contradictions);
    let fixed = |a: usize| upper[a] - lower[a] < 0.5;
    // What is left: constraints over unknown atoms, with the known ones moved to the bounds.
    let mut reduced: Vec<Constraint> = Vec::new();
    for constraint in &knowledge.constraints {
        let known: f64 = constraint
            .terms
            .iter()
            .filter(|(a, _)| fixed(*a))
            .map(|(a, c)| c * lower[*a])
            .sum();
        let terms: Vec<(usize, f64)> = constraint
            .terms
            .iter()
            .copied()
            .filter(|(a, _)| !fixed(*a))
            .collect();
        if terms.is_empty() {
            if known < constraint.lo - EPSILON || known > constraint.hi + EPSILON {
                contradictions.push(format!(
                    "known atoms sum to {known}, outside [{}, {}]",
                    constraint.lo, constraint.hi
                ));
            }
            continue;
        }
        // A constraint the bounds already satisfy whatever the atoms are says nothing more.
        let (least, most) = terms.iter().fold((known, known), |(least, most), (a, c)| {
            let (x, y) = (c * lower[*a], c * upper[*a]);
            (least + x.min(y), most + x.max(y))
        });
        if least >= constraint.lo - EPSILON && most <= constraint.hi + EPSILON {
            effort.redundant += 1;
            continue;
        }
        reduced.push(Constraint {
            terms,
            lo: constraint.lo - known,
            hi: constraint.hi - known,
        });
    }
    let groups = Groups::of(knowledge.atoms.len(), &reduced, &fixed);
    effort.free_atoms = (0..knowledge.atoms.len()).filter(|a| !fixed(*a)).count();
    effort.groups = groups.members.len();
    effort.largest_group = groups.members.iter().map(Vec::len).max().unwrap_or(0);
    // Each target's known part, and its unknown parts group by group.
    let mut known: Vec<(f64, f64)> = Vec::new();
    let mut tasks: Vec<Vec<(usize, Vec<usize>)>> = vec![Vec::new(); groups.members.len()];
    for (t, (_, atoms, _)) in knowledge.targets.iter().enumerate() {
        let (mut min, mut max) = (0.0, 0.0);
        let mut parts: HashMap<usize, Vec<usize>> = HashMap::new();
        for a in atoms {
            if fixed(*a) {
                min += lower[*a];
                max += lower[*a];
            } else {
                parts.entry(groups.of[*a]).or_default().push(*a);
            }
        }
        for (group, part) in parts {
            if groups.constraints[group].is_empty() {
                min += part.iter().map(|a| lower[*a]).sum::<f64>();
                max += part.iter().map(|a| upper[*a]).sum::<f64>();
            } else {
                tasks[group].push((t, part));
            }
        }
        known.push((min, max));
    }
    for (group, tasks) in tasks.iter().enumerate().filter(|(_, t)| !t.is_empty()) {
        let base = match GroupProgram::new(
            &groups.members[group],
            &groups.constraints[group],
            &reduced,
            &lower,
            &upper,
        ) {
            Ok(base) => base,
            Err(e) => {
                contradictions.push(format!(
                    "a group of {} atoms: {e}",
                    groups.members[group].len()
                ));
                continue;
            }
        };
        // The targets of a group split among the cores, each with its own copy of the program.
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let chunk = tasks.len().div_ceil(threads);
        let results: Vec<_> = std::thread::scope(|scope| {
            let handles: Vec<_> = tasks
                .chunks(chunk)
                .map(|chunk| {
                    let mut program = base.clone();
                    let (lower, upper) = (&lower, &upper);
                    scope.spawn(move || {
                        chunk
                            .iter()
                            .map(|(t, part)| {
                                let bottom = part.iter().map(|a| lower[*a]).sum::<f64>();
                                let top = part.iter().map(|a| upper[*a]).sum::<f64>();
                                (*t, program.range(part, bottom, top))
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().expect("a linear programming thread"))
                .collect()
        });
        for (t, result) in results {
            match result {
                Ok((low, high, programs)) => {
                    known[t].0 += low;
                    known[t].1 += high;
                    effort.linear_programs += programs;
                }
                Err(e) => contradictions.push(format!("{}: {e}", knowledge.targets[t].0)),
            }
        }
    }
    let ranges = knowledge
        .targets
        .into_iter()
        .zip(known)
        .map(|((target, _, published_in), (min, max))| TargetRange {
            target,
            published_in,
            min,
            max,
        })
        .collect();
    (ranges, contradictions, effort)
}

/// Integer bounds of every atom, tightened constraint by constraint until nothing changes.
fn propagate(knowledge: &Knowledge, contradictions: &mut Vec<String>) -> (Vec<f64>, Vec<f64>) {
    let n = knowledge.atoms.len();
    let mut lower = vec![0.0_f64; n];
    let mut upper = vec![f64::INFINITY; n];
    for _pass in 0..1000 {
        let mut changed = false;
        for constraint in &knowledge.constraints {
            // Least and most the sum can be, with the number of unbounded contributions.
            let (mut least, mut least_open) = (0.0, 0);
            let (mut most, mut most_open) = (0.0, 0);
            for (a, c) in &constraint.terms {
                let (small, large) = if *c > 0.0 {
                    (c * lower[*a], c * upper[*a])
                } else {
                    (c * upper[*a], c * lower[*a])
                };
                if small.is_finite() {
                    least += small;
                } else {
                    least_open += 1;
                }
                if large.is_finite() {
                    most += large;
                } else {
                    most_open += 1;
                }
            }
            for (a, c) in &constraint.terms {
                let (small, large) = if *c > 0.0 {
                    (c * lower[*a], c * upper[*a])
                } else {
                    (c * upper[*a], c * lower[*a])
                };
                // The least and most of the other terms.
                let others_least = match (least_open, small.is_finite()) {
                    (0, _) => least - small,
                    (1, false) => least,
                    _ => f64::NEG_INFINITY,
                };
                let others_most = match (most_open, large.is_finite()) {
                    (0, _) => most - large,
                    (1, false) => most,
                    _ => f64::INFINITY,
                };
                // lo − others_most ≤ c·x ≤ hi − others_least.
                let top = constraint.hi - others_least;
                let bottom = constraint.lo - others_most;
                let (new_low, new_high) = if *c > 0.0 {
                    (bottom / c, top / c)
                } else {
                    (top / c, bottom / c)
                };
                if new_low.is_finite() {
                    let low = (new_low - EPSILON).ceil();
                    if low > lower[*a] {
                        lower[*a] = low;
                        changed = true;
                    }
                }
                if new_high.is_finite() {
                    let high = (new_high + EPSILON).floor();
                    if high < upper[*a] {
                        upper[*a] = high;
                        changed = true;
                    }
                }
                if lower[*a] > upper[*a] {
                    contradictions.push(format!(
                        "{:?} would have to lie in [{}, {}]",
                        knowledge.atoms[*a], lower[*a], upper[*a]
                    ));
                    upper[*a] = lower[*a];
                }
            }
        }
        if !changed {
            break;
        }
    }
    (lower, upper)
}

/// Unknown atoms split into groups that share no constraint.
struct Groups {
    /// Group of each atom (meaningful for unknown atoms).
    of: Vec<usize>,
    members: Vec<Vec<usize>>,
    /// Indices into the reduced constraints, per group.
    constraints: Vec<Vec<usize>>,
}

impl Groups {
    fn of(atoms: usize, reduced: &[Constraint], fixed: &dyn Fn(usize) -> bool) -> Groups {
        let mut parent: Vec<usize> = (0..atoms).collect();
        fn root(parent: &mut [usize], mut a: usize) -> usize {
            while parent[a] != a {
                parent[a] = parent[parent[a]];
                a = parent[a];
            }
            a
        }
        for constraint in reduced {
            let first = constraint.terms[0].0;
            for (a, _) in &constraint.terms[1..] {
                let (x, y) = (root(&mut parent, first), root(&mut parent, *a));
                if x != y {
                    parent[x] = y;
                }
            }
        }
        let mut number: HashMap<usize, usize> = HashMap::new();
        let mut of = vec![usize::MAX; atoms];
        let mut members: Vec<Vec<usize>> = Vec::new();
        for a in (0..atoms).filter(|a| !fixed(*a)) {
            let r = root(&mut parent, a);
            let g = *number.entry(r).or_insert_with(|| {
                members.push(Vec::new());
                members.len() - 1
            });
            of[a] = g;
            members[g].push(a);
        }
        let mut constraints = vec![Vec::new(); members.len()];
        for (i, constraint) in reduced.iter().enumerate() {
            constraints[of[constraint.terms[0].0]].push(i);
        }
        Groups {
            of,
            members,
            constraints,
        }
    }
}

/// Larger than any sum of counts in a report: the objective variable's bound, so that a
/// maximisation the constraints do not bound stops there and reads as unbounded.
const UNBOUNDED: f64 = 1e9;

/// Each atom's variable in a group's program, and its place among the group's members.
type AtomVariables = HashMap<usize, (Variable, usize)>;

/// Feasible points kept per group (the latest solutions).
const POINTS: usize = 16;

/// The linear program of one group, solved once per direction with an objective variable `z`
/// that nothing constrains yet. A target adds `z = Σ part` to a copy of each solution, which the
/// solver re-optimises from where it stood instead of starting over. Every solution is also a
/// feasible point of the group: when one already puts the target at the bound that integer
/// propagation proved, that side needs no linear program.
#[derive(Clone)]
struct GroupProgram {
    least: Solution,
    most: Solution,
    /// `z`, and the variable of each atom with its place in `members`.
    objective: Variable,
    variable: AtomVariables,
    /// Atom values of recent solutions, by place in `members`.
    points: Vec<Vec<f64>>,
    next_point: usize,
}

impl GroupProgram {
    fn new(
        members: &[usize],
        own: &[usize],
        reduced: &[Constraint],
        lower: &[f64],
        upper: &[f64],
    ) -> Result<GroupProgram, Error> {
        let solve = |direction| -> Result<(Solution, Variable, AtomVariables), Error> {
            let mut problem = Problem::new(direction);
            let objective = problem.add_var(1.0, (0.0, UNBOUNDED));
            let mut variable = HashMap::new();
            for (place, a) in members.iter().enumerate() {
                variable.insert(*a, (problem.add_var(0.0, (lower[*a], upper[*a])), place));
            }
            for i in own {
                let constraint = &reduced[*i];
                let expression: Vec<_> = constraint
                    .terms
                    .iter()
                    .map(|(a, c)| (variable[a].0, *c))
                    .collect();
                if constraint.lo == constraint.hi {
                    problem.add_constraint(&expression[..], ComparisonOp::Eq, constraint.lo);
                    continue;
                }
                if constraint.lo.is_finite() {
                    problem.add_constraint(&expression[..], ComparisonOp::Ge, constraint.lo);
                }
                if constraint.hi.is_finite() {
                    problem.add_constraint(&expression[..], ComparisonOp::Le, constraint.hi);
                }
            }
            let solution = solved(problem.solve())?;
            Ok((solution, objective, variable))
        };
        let (least, objective, variable) = solve(OptimizationDirection::Minimize)?;
        let (most, _, _) = solve(OptimizationDirection::Maximize)?;
        let mut program = GroupProgram {
            least,
            most,
            objective,
            variable,
            points: Vec::new(),
            next_point: 0,
        };
        let (least, most) = (program.least.clone(), program.most.clone());
        program.keep(&least);
        program.keep(&most);
        Ok(program)
    }

    fn keep(&mut self, solution: &Solution) {
        let mut point = vec![0.0; self.variable.len()];
        for (variable, place) in self.variable.values() {
            point[*place] = solution.var_value(*variable);
        }
        if self.points.len() < POINTS {
            self.points.push(point);
        } else {
            self.points[self.next_point] = point;
            self.next_point = (self.next_point + 1) % POINTS;
        }
    }

    /// The least and most `Σ part` can be, given that propagation proved it lies in
    /// `[bottom, top]` (the most infinite when nothing bounds it), and how many linear
    /// programs that took.
    fn range(&mut self, part: &[usize], bottom: f64, top: f64) -> Result<(f64, f64, usize), Error> {
        let values: Vec<f64> = self
            .points
            .iter()
            .map(|point| part.iter().map(|a| point[self.variable[a].1]).sum())
            .collect();
        let mut programs = 0;
        let mut expression = vec![(self.objective, 1.0)];
        expression.extend(part.iter().map(|a| (self.variable[a].0, -1.0)));
        let least = if values.iter().any(|v| *v <= bottom + EPSILON) {
            bottom
        } else {
            programs += 1;
            let solution = solved(self.least.clone().add_constraint(
                &expression[..],
                ComparisonOp::Eq,
                0.0,
            ))?;
            self.keep(&solution);
            solution.objective().max(bottom)
        };
        let most = if values.iter().any(|v| *v >= top - EPSILON) {
            top
        } else {
            programs += 1;
            let solution = solved(self.most.clone().add_constraint(
                &expression[..],
                ComparisonOp::Eq,
                0.0,
            ))?;
            self.keep(&solution);
            let most = solution.objective();
            if most >= UNBOUNDED - 1.0 {
                f64::INFINITY
            } else {
                most.min(top)
            }
        };
        Ok((least, most, programs))
    }
}

fn solved(outcome: Result<SolveOutcome, Error>) -> Result<Solution, Error> {
    outcome?
        .into_solution()
        .map_err(|_| Error::InternalError("interrupted without a time limit".into()))
}
