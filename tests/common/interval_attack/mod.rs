//! The attack an evaluator can run on herald's published reach reports: read every table of
//! every report as linear constraints on the true counts, add what is known about how the
//! metrics relate, and compute by linear programming the range each hidden value can take.
//! A hidden value whose range holds one integer is recovered. The attacker knows only what
//! the reports say (tables, rates and the protection they state), never the true counts.

mod feasible_ranges;
mod knowledge;

use std::time::{Duration, Instant};

use serde_json::Value;

pub use feasible_ranges::{Effort, TargetRange};
#[allow(unused_imports)] // for the tests that name them
pub use knowledge::{Semantics, Target};

/// What the attack found.
#[derive(Debug, Clone)]
pub struct AttackOutcome {
    /// One range per distinct target (a value published in several reports appears once).
    pub ranges: Vec<TargetRange>,
    /// Reports that do not fit the attacker's model; empty when the ranges can be trusted.
    pub contradictions: Vec<String>,
    pub effort: Effort,
    pub elapsed: Duration,
}

impl AttackOutcome {
    /// The targets pinned to one value, with that value.
    pub fn recovered(&self) -> impl Iterator<Item = (&TargetRange, u64)> {
        self.ranges
            .iter()
            .filter_map(|r| r.recovered().map(|v| (r, v)))
    }

    /// The range of the target of `campaign` and `metric` with exactly these filters
    /// (`segment`, `locale`, `variant`, `period` unless the whole run, `channel`).
    pub fn range(
        &self,
        campaign: &str,
        metric: &str,
        filters: &[(&str, &str)],
    ) -> Option<&TargetRange> {
        self.ranges.iter().find(|r| {
            r.target.campaign == campaign
                && r.target.metric == metric
                && r.target.filters.len() == filters.len()
                && filters
                    .iter()
                    .all(|(k, v)| r.target.filters.get(*k).map(String::as_str) == Some(*v))
        })
    }

    /// "recovered N of M targets", with the work it took.
    pub fn summary(&self) -> String {
        format!(
            "recovered {} of {} targets in {:.2} s ({} atoms, {} unknown after propagation, {} of {} constraints redundant, {} groups, largest {}, {} linear programs)",
            self.recovered().count(),
            self.ranges.len(),
            self.elapsed.as_secs_f64(),
            self.effort.atoms,
            self.effort.free_atoms,
            self.effort.redundant,
            self.effort.constraints,
            self.effort.groups,
            self.effort.largest_group,
            self.effort.linear_programs,
        )
    }
}

/// Attacks a set of reports (the JSON of `herald report`, any campaigns, periods and
/// breakdowns) together.
pub fn attack(reports: &[Value]) -> AttackOutcome {
    let started = Instant::now();
    let knowledge = knowledge::Knowledge::read(reports);
    let (ranges, contradictions, effort) = feasible_ranges::feasible_ranges(knowledge);
    AttackOutcome {
        ranges,
        contradictions,
        effort,
        elapsed: started.elapsed(),
    }
}
