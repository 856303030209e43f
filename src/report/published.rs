//! A report as published: tables of counts already protected (herald's own counters by cell
//! key perturbation, platform-reported figures by suppression), with the metadata every
//! report must carry.

use std::collections::BTreeMap;

use serde::Serialize;

use super::cell_key::{Published, round};

use super::suppression::{Suppressed, Table, suppress};
use crate::publication::Protection;

/// A published count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Cell {
    Count(u64),
    /// Hidden by small-cell or secondary suppression.
    Suppressed(SuppressedMark),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SuppressedMark {
    #[serde(rename = "suppressed")]
    Suppressed,
}

impl Cell {
    pub fn text(&self) -> String {
        match self {
            Cell::Count(n) => n.to_string(),
            Cell::Suppressed(_) => "suppressed".to_string(),
        }
    }
}

/// One metric over rows (segment, locale, variant, period, …) and columns (channels), with
/// row, column and grand totals.
#[derive(Debug, Clone, Serialize)]
pub struct PublishedTable {
    pub metric: String,
    pub period: String,
    /// The names of the row dimensions, in order.
    pub row_dimensions: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub columns: Vec<String>,
    pub cells: Vec<Vec<Cell>>,
    pub row_totals: Vec<Cell>,
    pub column_totals: Vec<Cell>,
    pub grand_total: Cell,
    /// What the totals are called: `total`, or for a metric that is not additive (reach),
    /// what the sum really is.
    pub total_label: String,
}

/// A counter summed into a cell: how many events, and the sum of their record keys.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct KeyedCount {
    pub count: u64,
    pub key_sum: u64,
}

impl KeyedCount {
    pub fn add(&mut self, count: i64, key_sum: i64) {
        self.count += count.max(0) as u64;
        self.key_sum += key_sum.max(0) as u64;
    }

    fn plus(self, other: KeyedCount) -> KeyedCount {
        KeyedCount {
            count: self.count + other.count,
            key_sum: self.key_sum + other.key_sum,
        }
    }
}

impl PublishedTable {
    /// Builds a table of herald's own counters, keyed by (row labels, column), protected by
    /// cell key perturbation: every cell and total is perturbed from the events it holds,
    /// so it shows the same number in every table it appears in.
    ///
    /// With `periods`, the last row label is the period, and the table lists every row
    /// (its labels without the period) in every one of `periods`, counted or not: which rows
    /// exist tells nothing about a period. A zero cell is then published as 0 only where its
    /// row was never counted, in any column or period (the whole run included); elsewhere it
    /// reads "suppressed" like a small count, so that a suppressed cell is never known to hold
    /// anyone. (Were zeros told apart, a suppressed cell would be at least 1, and a published
    /// total at the bottom of its noise, less a published sibling at the top of its own, could
    /// leave room for exactly 1.)
    pub fn perturb(
        metric: &str,
        period: &str,
        row_dimensions: &[&str],
        counts: &BTreeMap<(Vec<String>, String), KeyedCount>,
        periods: Option<&[String]>,
        protection: Protection,
    ) -> PublishedTable {
        let (mut rows, columns) = labels(counts);
        if let Some(periods) = periods {
            let mut combinations: Vec<Vec<String>> =
                rows.iter().map(|r| without_period(r).to_vec()).collect();
            combinations.dedup();
            rows = combinations
                .iter()
                .flat_map(|combination| {
                    periods.iter().map(move |p| {
                        let mut row = combination.clone();
                        row.push(p.clone());
                        row
                    })
                })
                .collect();
        }
        let value = |r: &Vec<String>, c: &String| {
            counts
                .get(&(r.clone(), c.clone()))
                .copied()
                .unwrap_or_default()
        };
        // The counts of each row (without its period) over every column and period: a zero
        // in a row where this is not zero could have been someone.
        let base_of = |row: &Vec<String>| match periods {
            Some(_) => without_period(row).to_vec(),
            None => row.clone(),
        };
        let mut ever: BTreeMap<Vec<String>, u64> = BTreeMap::new();
        for ((row, _), cell) in counts {
            *ever.entry(base_of(row)).or_default() += cell.count;
        }
        let counted_ever = |row: &Vec<String>| ever.get(&base_of(row)).copied().unwrap_or(0) > 0;
        let publish = |cell: KeyedCount, could_hold_someone: bool| {
            if cell.count == 0 && could_hold_someone {
                return Cell::Suppressed(SuppressedMark::Suppressed);
            }
            match protection.publish(cell.count, cell.key_sum) {
                Published::Count(n) => Cell::Count(n),
                Published::Suppressed => Cell::Suppressed(SuppressedMark::Suppressed),
            }
        };
        let sum = |cells: &mut dyn Iterator<Item = KeyedCount>| {
            cells.fold(KeyedCount::default(), KeyedCount::plus)
        };
        let cells = rows
            .iter()
            .map(|r| {
                columns
                    .iter()
                    .map(|c| publish(value(r, c), counted_ever(r)))
                    .collect()
            })
            .collect();
        let row_totals = rows
            .iter()
            .map(|r| {
                publish(
                    sum(&mut columns.iter().map(|c| value(r, c))),
                    counted_ever(r),
                )
            })
            .collect();
        // Column and grand totals span every period: a zero there was never counted.
        let column_totals = columns
            .iter()
            .map(|c| publish(sum(&mut rows.iter().map(|r| value(r, c))), false))
            .collect();
        let grand_total = publish(sum(&mut counts.values().copied()), false);
        PublishedTable {
            metric: metric.to_string(),
            period: period.to_string(),
            row_dimensions: row_dimensions.iter().map(|d| d.to_string()).collect(),
            rows,
            columns,
            cells,
            row_totals,
            column_totals,
            grand_total,
            total_label: "total".to_string(),
        }
    }

    /// Builds a table of figures the platforms report (reach, views, …), which carry no
    /// record keys: counts from 1 to k−1 are suppressed, and so is any other value that could
    /// be worked out from the rest of its table.
    pub fn protect(
        metric: &str,
        period: &str,
        row_dimensions: &[&str],
        counts: &BTreeMap<(Vec<String>, String), u64>,
        protection: Protection,
    ) -> PublishedTable {
        let (rows, columns) = labels(counts);
        let values: Vec<u64> = rows
            .iter()
            .flat_map(|r| columns.iter().map(move |c| (r, c)))
            .map(|(r, c)| counts.get(&(r.clone(), c.clone())).copied().unwrap_or(0))
            .collect();
        let table = Table::new(rows.len(), columns.len(), values);
        let hidden: Suppressed = suppress(&table, protection.k);
        let publish = |value: u64, suppressed: bool| {
            if suppressed {
                Cell::Suppressed(SuppressedMark::Suppressed)
            } else {
                Cell::Count(round(value, protection.round_to))
            }
        };
        let cells = (0..rows.len())
            .map(|r| {
                (0..columns.len())
                    .map(|c| publish(table.cell(r, c), hidden.cells[r * columns.len() + c]))
                    .collect()
            })
            .collect();
        PublishedTable {
            metric: metric.to_string(),
            period: period.to_string(),
            row_dimensions: row_dimensions.iter().map(|d| d.to_string()).collect(),
            row_totals: (0..rows.len())
                .map(|r| publish(table.row_total(r), hidden.row_totals[r]))
                .collect(),
            column_totals: (0..columns.len())
                .map(|c| publish(table.col_total(c), hidden.col_totals[c]))
                .collect(),
            grand_total: publish(table.grand_total(), hidden.grand_total),
            total_label: "total".to_string(),
            rows,
            columns,
            cells,
        }
    }

    /// Names the totals for what they are, for a metric whose sum is not itself that metric:
    /// summed reach counts some people more than once.
    pub fn with_total_label(mut self, label: &str) -> PublishedTable {
        self.total_label = label.to_string();
        self
    }

    /// The published cell of `row` and `column`, if the table has both.
    pub fn cell(&self, row: &[String], column: &str) -> Option<Cell> {
        let r = self.rows.iter().position(|x| x == row)?;
        let c = self.columns.iter().position(|x| x == column)?;
        Some(self.cells[r][c])
    }
}

/// A row's labels without its period (the last one).
fn without_period(row: &[String]) -> &[String] {
    &row[..row.len().saturating_sub(1)]
}

/// The rows and columns of a table's counts, each sorted once.
fn labels<V>(counts: &BTreeMap<(Vec<String>, String), V>) -> (Vec<Vec<String>>, Vec<String>) {
    let mut rows: Vec<Vec<String>> = counts.keys().map(|(r, _)| r.clone()).collect();
    rows.sort();
    rows.dedup();
    let mut columns: Vec<String> = counts.keys().map(|(_, c)| c.clone()).collect();
    columns.sort();
    columns.dedup();
    (rows, columns)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::cell_key::{cell_key, noise};

    #[test]
    fn small_cells_are_published_as_suppressed_and_counts_rounded() {
        let mut counts = BTreeMap::new();
        for (row, column, value) in [
            ("ar", "telegram", 3),
            ("ar", "whatsapp", 120),
            ("fr", "telegram", 57),
            ("fr", "whatsapp", 88),
        ] {
            counts.insert((vec![row.to_string()], column.to_string()), value);
        }
        let table = PublishedTable::protect(
            "sent",
            "run",
            &["locale"],
            &counts,
            Protection {
                round_to: 5,
                ..Protection::DEFAULT
            },
        );
        assert_eq!(
            table.cells[0][0],
            Cell::Suppressed(SuppressedMark::Suppressed)
        );
        // Its row and column each hide a second value, so 3 cannot be recovered by subtraction.
        assert!(
            table.cells[0]
                .iter()
                .filter(|c| matches!(c, Cell::Suppressed(_)))
                .count()
                >= 2
        );
        assert_eq!(table.grand_total, Cell::Count(270));
        assert_eq!(
            serde_json::to_value(table.cells[0][0]).unwrap(),
            "suppressed"
        );
        assert_eq!(round(57, 5), 55);
        assert_eq!(round(58, 5), 60);
    }

    fn keyed(entries: &[(&str, &str, u64, u64)]) -> BTreeMap<(Vec<String>, String), KeyedCount> {
        entries
            .iter()
            .map(|(row, column, count, key_sum)| {
                (
                    (vec![row.to_string()], column.to_string()),
                    KeyedCount {
                        count: *count,
                        key_sum: *key_sum,
                    },
                )
            })
            .collect()
    }

    #[test]
    fn the_same_events_read_the_same_in_every_table_and_totals_carry_their_own_noise() {
        let protection = Protection::DEFAULT;
        // The row: Telegram 5, Viber 359, WhatsApp 383, total 747.
        let by_channel = keyed(&[
            ("ar", "telegram:info", 5, 600),
            ("ar", "viber:main", 359, 45_001),
            ("ar", "whatsapp:optin", 383, 49_170),
        ]);
        let table =
            PublishedTable::perturb("sent", "run", &["locale"], &by_channel, None, protection);
        assert_eq!(
            table.cells[0][0],
            Cell::Suppressed(SuppressedMark::Suppressed)
        );
        let published = |count, key_sum| match protection.publish(count, key_sum) {
            Published::Count(n) => Cell::Count(n),
            Published::Suppressed => Cell::Suppressed(SuppressedMark::Suppressed),
        };
        assert_eq!(table.cells[0][1], published(359, 45_001));
        assert_eq!(table.row_totals[0], published(747, 600 + 45_001 + 49_170));
        // Viber alone, cut another way (a table of that channel only): the same number.
        let viber = keyed(&[("ar", "viber:main", 359, 45_001)]);
        let alone = PublishedTable::perturb("sent", "run", &["locale"], &viber, None, protection);
        assert_eq!(alone.cells[0][0], table.cells[0][1]);
        assert_eq!(alone.grand_total, table.cells[0][1]);
        // The subtraction the issue made no longer gives 5: it gives 5 plus the noises.
        let value = |cell: Cell| match cell {
            Cell::Count(n) => n as i64,
            Cell::Suppressed(_) => panic!("published"),
        };
        let derived =
            value(table.row_totals[0]) - value(table.cells[0][1]) - value(table.cells[0][2]);
        assert_eq!(
            derived - 5,
            noise(cell_key(600 + 45_001 + 49_170), 3)
                - noise(cell_key(45_001), 3)
                - noise(cell_key(49_170), 3)
        );
        assert_ne!(
            derived, 5,
            "these keys were chosen so that the noises do not cancel"
        );
    }
}
