//! A report as published: tables of counts in which every small or derivable cell is already
//! replaced by "suppressed", with the metadata every report must carry.

use std::collections::BTreeMap;

use serde::Serialize;

use super::suppression::{Suppressed, Table, suppress};

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

/// Suppression and rounding applied to every table of a report.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Protection {
    /// Counts from 1 to k−1 are suppressed (never below 5).
    pub k: u64,
    /// Published counts are rounded to the nearest multiple of this (1: no rounding).
    pub round_to: u64,
}

impl PublishedTable {
    /// Builds a protected table from raw counts keyed by (row labels, column).
    pub fn protect(
        metric: &str,
        period: &str,
        row_dimensions: &[&str],
        counts: &BTreeMap<(Vec<String>, String), u64>,
        protection: Protection,
    ) -> PublishedTable {
        let mut rows: Vec<Vec<String>> = counts.keys().map(|(r, _)| r.clone()).collect();
        rows.sort();
        rows.dedup();
        let mut columns: Vec<String> = counts.keys().map(|(_, c)| c.clone()).collect();
        columns.sort();
        columns.dedup();
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

/// Rounds to the nearest multiple of `to` (halves up); 0 stays 0, as Eurostat publishes.
fn round(value: u64, to: u64) -> u64 {
    if to <= 1 {
        return value;
    }
    (value + to / 2) / to * to
}

#[cfg(test)]
mod tests {
    use super::*;

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
            Protection { k: 10, round_to: 5 },
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
}
