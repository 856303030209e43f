//! Rates and variant comparisons, computed from the published (perturbed) counts and only
//! where every count they rest on is published: a rate built on a suppressed count is
//! suppressed too, and a numerator is never taken above its denominator. A rate whose
//! numerator the platform never reports is "not reported by this platform", not 0.

use std::collections::BTreeMap;

use serde::Serialize;

use super::build::NO_VARIANT;
use super::published::{Cell, PublishedTable};
use super::receipts::NOT_REPORTED;
use super::statistics::{Lift, lift};

/// A published rate.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum RateCell {
    Rate(f64),
    /// Built on a suppressed count, or its denominator is zero.
    Withheld(&'static str),
    /// The platform does not report the rate's numerator at all: `value` is always
    /// [`NOT_REPORTED`], `reason` says why (as the report's definitions do).
    NotReported {
        value: &'static str,
        reason: &'static str,
    },
}

impl RateCell {
    pub fn not_reported(reason: &'static str) -> RateCell {
        RateCell::NotReported {
            value: NOT_REPORTED,
            reason,
        }
    }

    /// The cell as a reader sees it, with `decimals` places for a rate.
    pub fn text(&self, decimals: usize) -> String {
        match self {
            RateCell::Rate(r) => format!("{r:.decimals$}"),
            RateCell::Withheld(why) => why.to_string(),
            RateCell::NotReported { value, .. } => value.to_string(),
        }
    }
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
/// `reported` says, per column, whether its platforms report the numerator at all (else why
/// not); `numerator` is `None` when no platform reported any.
pub fn rate_table(
    rate: &str,
    definition: &str,
    numerator: Option<&PublishedTable>,
    denominator: &PublishedTable,
    reported: impl Fn(&str) -> Result<(), &'static str>,
) -> RateTable {
    let rows = denominator.rows.clone();
    let columns = denominator.columns.clone();
    let cells = rows
        .iter()
        .map(|row| {
            columns
                .iter()
                .map(|column| {
                    if let Err(why) = reported(column) {
                        return RateCell::not_reported(why);
                    }
                    let top = numerator
                        .and_then(|n| published(n, row, column))
                        .unwrap_or(Some(0));
                    let bottom = published(denominator, row, column).unwrap_or(Some(0));
                    match (top, bottom) {
                        (Some(_), Some(0)) => RateCell::Withheld("no denominator"),
                        // Both counts carry their own noise: a rate above 100% would be
                        // the noise talking, and a numerator never exceeds its denominator.
                        (Some(t), Some(b)) => RateCell::Rate(t.min(b) as f64 / b as f64),
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
    /// Why there is no lift: a count it rests on is suppressed, or the platform does not
    /// report the rate ([`NOT_REPORTED`]).
    pub withheld: Option<&'static str>,
}

/// Compares every pair of variants that appear in the same row (all dimensions but the
/// variant at `variant_index`) and channel, on successes / trials; `reported` as for
/// [`rate_table`].
pub fn compare_variants(
    rate: &str,
    successes: Option<&PublishedTable>,
    trials: &PublishedTable,
    variant_index: usize,
    reported: impl Fn(&str) -> Result<(), &'static str>,
) -> Vec<VariantComparison> {
    let mut groups: VariantGroups = BTreeMap::new();
    for row in &trials.rows {
        let mut rest = row.clone();
        let variant = rest.remove(variant_index.min(rest.len().saturating_sub(1)));
        if variant == NO_VARIANT {
            continue;
        }
        for column in &trials.columns {
            let n = published(trials, row, column).unwrap_or(Some(0));
            let k = successes
                .and_then(|s| published(s, row, column))
                .unwrap_or(Some(0));
            groups
                .entry((rest.clone(), column.clone()))
                .or_default()
                .push((variant.clone(), k, n));
        }
    }
    let mut out = Vec::new();
    for ((row, channel), mut variants) in groups {
        variants.sort();
        let not_reported = reported(&channel).is_err();
        for pair in variants.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            let (lift, withheld) = match (a.1, a.2, b.1, b.2) {
                _ if not_reported => (None, Some(NOT_REPORTED)),
                (Some(ka), Some(na), Some(kb), Some(nb)) => {
                    // Published counts carry noise; successes never exceed trials.
                    (Some(lift(ka.min(na), na, kb.min(nb), nb)), None)
                }
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
    use crate::publication::Protection;
    use crate::report::published::KeyedCount;
    use crate::report::statistics::RelativeLift;

    fn table(metric: &str, values: &[(&str, u64)]) -> PublishedTable {
        table_on(metric, "whatsapp:optin", values)
    }

    fn table_on(metric: &str, channel: &str, values: &[(&str, u64)]) -> PublishedTable {
        let counts = values
            .iter()
            .map(|(variant, n)| {
                (
                    (
                        vec!["in-eu".to_string(), variant.to_string()],
                        channel.to_string(),
                    ),
                    KeyedCount {
                        count: *n,
                        key_sum: 0,
                    },
                )
            })
            .collect();
        PublishedTable::perturb(
            metric,
            "run",
            &["segment", "variant"],
            &counts,
            None,
            Protection::DEFAULT,
        )
    }

    #[test]
    fn rates_and_the_variant_lift_follow_the_definitions() {
        let delivered = table("delivered", &[("a", 4000), ("b", 4000)]);
        let read = table("read", &[("a", 120), ("b", 150)]);
        let rates = rate_table(
            "read rate",
            "read / delivered",
            Some(&read),
            &delivered,
            |_| Ok(()),
        );
        assert_eq!(rates.cells[0][0], RateCell::Rate(0.03));
        assert_eq!(rates.cells[1][0], RateCell::Rate(0.0375));
        let comparisons = compare_variants("read rate", Some(&read), &delivered, 1, |_| Ok(()));
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
        assert!((low + 0.000_430_672).abs() < 1e-8 && (high - 0.015_487_795).abs() < 1e-8);
        let RelativeLift::Estimate { value, .. } = relative else {
            panic!("defined: {relative:?}");
        };
        assert!((value - 0.25).abs() < 1e-9);
    }

    /// Telegram posts have no receipts: the delivery rate says so, whatever the counts, and
    /// no variant comparison is made up from the zeros.
    #[test]
    fn a_rate_the_platform_does_not_report_is_not_zero() {
        let sent = table_on("sent", "telegram:info", &[("a", 4000), ("b", 4000)]);
        let reported = |column: &str| {
            crate::report::receipts::column_reports(
                [column],
                crate::report::receipts::Receipt::Delivered,
            )
        };
        let rates = rate_table("delivery rate", "delivered / sent", None, &sent, reported);
        let why = crate::report::receipts::reports(
            crate::platforms::Platform::Telegram,
            crate::report::receipts::Receipt::Delivered,
        )
        .unwrap_err();
        assert!(
            rates
                .cells
                .iter()
                .flatten()
                .all(|c| *c == RateCell::not_reported(why)),
            "{rates:?}"
        );
        assert_eq!(rates.cells[0][0].text(4), "not reported by this platform");
        let comparisons = compare_variants("delivery rate", None, &sent, 1, reported);
        assert_eq!(comparisons[0].withheld, Some(NOT_REPORTED));
        assert!(comparisons[0].lift.is_none());
    }

    #[test]
    fn rates_on_suppressed_counts_are_withheld() {
        let sent = table("sent", &[("a", 300), ("b", 8)]);
        let delivered = table("delivered", &[("a", 290), ("b", 7)]);
        let rates = rate_table(
            "delivery rate",
            "delivered / sent",
            Some(&delivered),
            &sent,
            |_| Ok(()),
        );
        // Perturbation, not secondary suppression, protects variant a's counts: its rate is
        // published (record keys 0 add no noise here); b's rests on suppressed counts.
        assert_eq!(
            rates.cells[0][0],
            RateCell::Rate(290.0 / 300.0),
            "{rates:?}"
        );
        assert_eq!(
            rates.cells[1][0],
            RateCell::Withheld("suppressed"),
            "{rates:?}"
        );
        let comparisons = compare_variants("delivery rate", Some(&delivered), &sent, 1, |_| Ok(()));
        assert_eq!(comparisons[0].withheld, Some("suppressed"));
        assert!(comparisons[0].lift.is_none());
    }
}
