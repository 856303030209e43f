//! Small-cell suppression for published counts, with secondary suppression so that no
//! suppressed value can be worked out from the visible cells and totals of the same table.
//!
//! The rules, for a table of counts with row totals, column totals and a grand total:
//! 1. Primary: every count from 1 to k−1 is suppressed (k defaults to 10, never below 5).
//!    Zero is shown: it singles nobody out, and showing zeros tells a reader that every
//!    suppressed count is at least 1, which the rules below take into account.
//! 2. Secondary: in every line (a row with its total, a column with its total, the row totals
//!    with the grand total, the column totals with the grand total), if one value is
//!    suppressed, or the suppressed values could only be all ones (their sum, known by
//!    subtraction, equals their number), another value of the line is suppressed: the smallest
//!    visible non-zero part, else the line's total. Repeated until no line needs more.

/// Counts by row and column; totals are derived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub rows: usize,
    pub cols: usize,
    /// Row-major.
    pub cells: Vec<u64>,
}

impl Table {
    pub fn new(rows: usize, cols: usize, cells: Vec<u64>) -> Table {
        assert_eq!(cells.len(), rows * cols, "a table has rows × cols cells");
        Table { rows, cols, cells }
    }

    pub fn cell(&self, row: usize, col: usize) -> u64 {
        self.cells[row * self.cols + col]
    }

    pub fn row_total(&self, row: usize) -> u64 {
        (0..self.cols).map(|c| self.cell(row, c)).sum()
    }

    pub fn col_total(&self, col: usize) -> u64 {
        (0..self.rows).map(|r| self.cell(r, col)).sum()
    }

    pub fn grand_total(&self) -> u64 {
        self.cells.iter().sum()
    }
}

/// Which values to hide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppressed {
    pub cells: Vec<bool>,
    pub row_totals: Vec<bool>,
    pub col_totals: Vec<bool>,
    pub grand_total: bool,
}

/// A value of the table: a cell, a row or column total, or the grand total.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Cell(usize),
    Row(usize),
    Col(usize),
    Grand,
}

/// One linear relation: `total = sum(parts)`.
struct Line {
    parts: Vec<Slot>,
    total: Slot,
}

impl Suppressed {
    fn get(&self, slot: Slot) -> bool {
        match slot {
            Slot::Cell(i) => self.cells[i],
            Slot::Row(r) => self.row_totals[r],
            Slot::Col(c) => self.col_totals[c],
            Slot::Grand => self.grand_total,
        }
    }

    fn set(&mut self, slot: Slot) {
        match slot {
            Slot::Cell(i) => self.cells[i] = true,
            Slot::Row(r) => self.row_totals[r] = true,
            Slot::Col(c) => self.col_totals[c] = true,
            Slot::Grand => self.grand_total = true,
        }
    }
}

fn value(table: &Table, slot: Slot) -> u64 {
    match slot {
        Slot::Cell(i) => table.cells[i],
        Slot::Row(r) => table.row_total(r),
        Slot::Col(c) => table.col_total(c),
        Slot::Grand => table.grand_total(),
    }
}

fn lines(table: &Table) -> Vec<Line> {
    let mut out = Vec::new();
    for r in 0..table.rows {
        out.push(Line {
            parts: (0..table.cols)
                .map(|c| Slot::Cell(r * table.cols + c))
                .collect(),
            total: Slot::Row(r),
        });
    }
    for c in 0..table.cols {
        out.push(Line {
            parts: (0..table.rows)
                .map(|r| Slot::Cell(r * table.cols + c))
                .collect(),
            total: Slot::Col(c),
        });
    }
    out.push(Line {
        parts: (0..table.rows).map(Slot::Row).collect(),
        total: Slot::Grand,
    });
    out.push(Line {
        parts: (0..table.cols).map(Slot::Col).collect(),
        total: Slot::Grand,
    });
    out
}

/// The values to suppress with threshold `k` (raised to 5 if lower).
pub fn suppress(table: &Table, k: u64) -> Suppressed {
    let k = k.max(5);
    let sensitive = |v: u64| v >= 1 && v < k;
    let mut hidden = Suppressed {
        cells: table.cells.iter().map(|v| sensitive(*v)).collect(),
        row_totals: (0..table.rows)
            .map(|r| sensitive(table.row_total(r)))
            .collect(),
        col_totals: (0..table.cols)
            .map(|c| sensitive(table.col_total(c)))
            .collect(),
        grand_total: sensitive(table.grand_total()),
    };
    let lines = lines(table);
    loop {
        let mut changed = false;
        for line in &lines {
            let members: Vec<Slot> = line.parts.iter().copied().chain([line.total]).collect();
            let suppressed: Vec<Slot> =
                members.iter().copied().filter(|s| hidden.get(*s)).collect();
            if suppressed.is_empty() {
                continue;
            }
            let sum: u64 = suppressed.iter().map(|s| value(table, *s)).sum();
            // With zeros shown, each suppressed value is at least 1: if they can only be all
            // ones, or there is just one, they are as good as published.
            let exposed = suppressed.len() == 1 || sum <= suppressed.len() as u64;
            if !exposed {
                continue;
            }
            let candidate = line
                .parts
                .iter()
                .copied()
                .filter(|s| !hidden.get(*s) && value(table, *s) > 0)
                .min_by_key(|s| value(table, *s))
                .or_else(|| {
                    (!hidden.get(line.total) && value(table, line.total) > 0).then_some(line.total)
                });
            if let Some(slot) = candidate {
                hidden.set(slot);
                changed = true;
            }
        }
        if !changed {
            return hidden;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every assignment of the suppressed values (each at least 1, zeros being shown) that is
    /// consistent with everything visible.
    fn feasible(table: &Table, hidden: &Suppressed) -> Vec<Vec<u64>> {
        let unknown: Vec<usize> = (0..table.cells.len())
            .filter(|i| hidden.cells[*i])
            .collect();
        let bound = table.grand_total().max(1);
        let mut solutions = Vec::new();
        let mut values = table.cells.clone();
        fn search(
            table: &Table,
            hidden: &Suppressed,
            unknown: &[usize],
            at: usize,
            bound: u64,
            values: &mut Vec<u64>,
            out: &mut Vec<Vec<u64>>,
        ) {
            if at == unknown.len() {
                let candidate = Table::new(table.rows, table.cols, values.clone());
                let consistent = (0..table.rows).all(|r| hidden.row_totals[r] || candidate.row_total(r) == table.row_total(r))
                    && (0..table.cols).all(|c| hidden.col_totals[c] || candidate.col_total(c) == table.col_total(c))
                    && (hidden.grand_total || candidate.grand_total() == table.grand_total())
                    // Suppressed totals are at least 1 as well.
                    && (0..table.rows).all(|r| !hidden.row_totals[r] || candidate.row_total(r) >= 1)
                    && (0..table.cols).all(|c| !hidden.col_totals[c] || candidate.col_total(c) >= 1);
                if consistent {
                    out.push(values.clone());
                }
                return;
            }
            for v in 1..=bound {
                values[unknown[at]] = v;
                search(table, hidden, unknown, at + 1, bound, values, out);
            }
        }
        search(
            table,
            hidden,
            &unknown,
            0,
            bound,
            &mut values,
            &mut solutions,
        );
        solutions
    }

    /// A tiny deterministic generator, so the brute-force test explores many tables.
    fn next(seed: &mut u64) -> u64 {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        *seed
    }

    #[test]
    fn no_suppressed_value_can_be_derived() {
        let k = 5;
        let mut seed = 0x5eed_u64;
        let mut checked = 0;
        for _ in 0..400 {
            let rows = 2 + (next(&mut seed) % 2) as usize;
            let cols = 2 + (next(&mut seed) % 2) as usize;
            // Mostly small counts, some zeros, some large.
            let cells: Vec<u64> = (0..rows * cols)
                .map(|_| match next(&mut seed) % 10 {
                    0 => 0,
                    1..=5 => 1 + next(&mut seed) % 4,
                    _ => 5 + next(&mut seed) % 6,
                })
                .collect();
            let table = Table::new(rows, cols, cells);
            let hidden = suppress(&table, k);
            let unknown = hidden.cells.iter().filter(|h| **h).count();
            if unknown == 0 || table.grand_total().pow(unknown as u32) > 400_000 {
                continue;
            }
            let solutions = feasible(&table, &hidden);
            assert!(
                !solutions.is_empty(),
                "the true table is always feasible: {table:?}"
            );
            for i in (0..table.cells.len()).filter(|i| hidden.cells[*i]) {
                let distinct: std::collections::BTreeSet<u64> =
                    solutions.iter().map(|s| s[i]).collect();
                assert!(
                    distinct.len() >= 2,
                    "cell {i} of {table:?} is derivable from {hidden:?}: {distinct:?}"
                );
            }
            for r in (0..rows).filter(|r| hidden.row_totals[*r]) {
                let distinct: std::collections::BTreeSet<u64> = solutions
                    .iter()
                    .map(|s| (0..cols).map(|c| s[r * cols + c]).sum::<u64>())
                    .collect();
                assert!(
                    distinct.len() >= 2,
                    "row total {r} of {table:?} is derivable"
                );
            }
            checked += 1;
        }
        assert!(checked > 100, "enough tables were checked: {checked}");
        eprintln!("{checked} tables checked by brute force");
    }

    #[test]
    fn a_single_small_cell_takes_a_partner() {
        // One small cell in a row of large ones: its row and column each need a second hidden value.
        let table = Table::new(2, 2, vec![3, 40, 25, 60]);
        let hidden = suppress(&table, 10);
        assert_eq!(hidden.cells, vec![true, true, true, true]);
        assert!(!hidden.grand_total);
    }

    #[test]
    fn k_is_never_below_five() {
        let table = Table::new(1, 2, vec![4, 100]);
        assert!(suppress(&table, 2).cells[0]);
    }
}
