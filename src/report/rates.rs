//! Rates and variant comparisons, computed from true counts but published only where every
//! count they rest on is published: a rate built on a suppressed count is suppressed too.

use std::collections::BTreeMap;

use serde::Serialize;

use super::published::{Cell, PublishedTable};
use super::statistics::{Lift, lift};

/// A published rate.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum RateCell {
    Rate(f64),
    /// Built on a suppressed count, or its denominator is zero.
    Withheld(&'static str),
}

/// `numerator / denominator` per row and channel, e.g. delivery rate = delivered / sent.
#[derive(Debug, Clone, Serialize)]
pub struct RateTable {
    pub rate: String,
    pub definition: String,
    pub rows: Vec<Vec<String>>,
    pub columns: Vec<String>,
    pub cells: Vec<Vec<RateCell>>,
}

fn published(table: &PublishedTable, row: &[String], column: &str) -> Option<Option<u64>> {
    let r = table.rows.iter().position(|x| x == row)?;
    let c = table.columns.iter().position(|x| x == column)?;
    Some(match table.cells[r][c] {
        Cell::Count(n) => Some(n),
        Cell::Suppressed(_) => None,
    })
}

/// The rate table of two published count tables with the same rows (missing cells count 0).
pub fn rate_table(
    rate: &str,
    definition: &str,
    numerator: &PublishedTable,
    denominator: &PublishedTable,
) -> RateTable {
    let rows = denominator.rows.clone();
    let columns = denominator.columns.clone();
    let cells = rows
        .iter()
        .map(|row| {
            columns
                .iter()
                .map(|column| {
                    let top = published(numerator, row, column).unwrap_or(Some(0));
                    let bottom = published(denominator, row, column).unwrap_or(Some(0));
                    match (top, bottom) {
                        (Some(_), Some(0)) => RateCell::Withheld("no denominator"),
                        (Some(t), Some(b)) => RateCell::Rate(t as f64 / b as f64),
                        _ => RateCell::Withheld("suppressed"),
                    }
                })
                .collect()
        })
        .collect();
    RateTable {
        rate: rate.to_string(),
        definition: definition.to_string(),
        rows,
        columns,
        cells,
    }
}

/// Per (row without its variant, channel): each variant's (name, successes, trials), `None`
/// where suppressed.
type VariantGroups = BTreeMap<(Vec<String>, String), Vec<(String, Option<u64>, Option<u64>)>>;

/// Variant B against variant A on one rate, for one row and channel.
#[derive(Debug, Clone, Serialize)]
pub struct VariantComparison {
    /// The row without its variant dimension.
    pub row: Vec<String>,
    pub channel: String,
    pub rate: String,
    pub a: String,
    pub b: String,
    pub lift: Option<Lift>,
    /// Why there is no lift: a count it rests on is suppressed.
    pub withheld: Option<&'static str>,
}

/// Compares every pair of variants that appear in the same row (all dimensions but the
/// variant at `variant_index`) and channel, on successes / trials.
pub fn compare_variants(
    rate: &str,
    successes: &PublishedTable,
    trials: &PublishedTable,
    variant_index: usize,
) -> Vec<VariantComparison> {
    let mut groups: VariantGroups = BTreeMap::new();
    for row in &trials.rows {
        let mut rest = row.clone();
        let variant = rest.remove(variant_index.min(rest.len().saturating_sub(1)));
        if variant == "-" {
            continue;
        }
        for column in &trials.columns {
            let n = published(trials, row, column).unwrap_or(Some(0));
            let k = published(successes, row, column).unwrap_or(Some(0));
            groups
                .entry((rest.clone(), column.clone()))
                .or_default()
                .push((variant.clone(), k, n));
        }
    }
    let mut out = Vec::new();
    for ((row, channel), mut variants) in groups {
        variants.sort();
        for pair in variants.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            let (lift, withheld) = match (a.1, a.2, b.1, b.2) {
                (Some(ka), Some(na), Some(kb), Some(nb)) => (Some(lift(ka, na, kb, nb)), None),
                _ => (None, Some("suppressed")),
            };
            out.push(VariantComparison {
                row: row.clone(),
                channel: channel.clone(),
                rate: rate.to_string(),
                a: a.0.clone(),
                b: b.0.clone(),
                lift,
                withheld,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::published::Protection;

    fn table(metric: &str, values: &[(&str, u64)]) -> PublishedTable {
        let counts = values
            .iter()
            .map(|(variant, n)| {
                (
                    (
                        vec!["in-eu".to_string(), variant.to_string()],
                        "whatsapp:optin".to_string(),
                    ),
                    *n,
                )
            })
            .collect();
        PublishedTable::protect(
            metric,
            "run",
            &["segment", "variant"],
            &counts,
            Protection { k: 10, round_to: 1 },
        )
    }

    #[test]
    fn rates_and_the_variant_lift_follow_the_definitions() {
        let delivered = table("delivered", &[("a", 4000), ("b", 4000)]);
        let read = table("read", &[("a", 120), ("b", 150)]);
        let rates = rate_table("read rate", "read / delivered", &read, &delivered);
        assert_eq!(rates.cells[0][0], RateCell::Rate(0.03));
        assert_eq!(rates.cells[1][0], RateCell::Rate(0.0375));
        let comparisons = compare_variants("read rate", &read, &delivered, 1);
        assert_eq!(comparisons.len(), 1);
        let Some(Lift::Estimate {
            difference,
            low,
            high,
            relative,
            ..
        }) = comparisons[0].lift.clone()
        else {
            panic!("an estimate: {comparisons:?}");
        };
        assert!((difference - 0.0075).abs() < 1e-9);
        assert!((low + 0.000_412_779).abs() < 1e-7 && (high - 0.015_412_779).abs() < 1e-7);
        assert!((relative.unwrap() - 0.25).abs() < 1e-9);
    }

    #[test]
    fn rates_on_suppressed_counts_are_withheld() {
        let sent = table("sent", &[("a", 300), ("b", 8)]);
        let delivered = table("delivered", &[("a", 290), ("b", 7)]);
        let rates = rate_table("delivery rate", "delivered / sent", &delivered, &sent);
        assert!(
            rates
                .cells
                .iter()
                .flatten()
                .all(|c| *c == RateCell::Withheld("suppressed")),
            "{rates:?}"
        );
        let comparisons = compare_variants("delivery rate", &delivered, &sent, 1);
        assert_eq!(comparisons[0].withheld, Some("suppressed"));
        assert!(comparisons[0].lift.is_none());
    }
}
