//! The variant the summary leads with: among the report's comparisons of message variants,
//! the largest difference whose 95% interval excludes 0, or why there is none (no clear
//! difference, too few messages, no receipts, no variants), each said differently.

use serde::Serialize;

use super::platform_columns::table;
use crate::report::build::Report;
use crate::report::plain_numbers::{percent, signed_percent, signed_points};
use crate::report::rates::VariantComparison;
use crate::report::receipts::NOT_REPORTED;
use crate::report::statistics::{Lift, MIN_SAMPLE, RelativeLift};

/// The variant comparison that differs clearly, or why there is none.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum BestVariant {
    /// The comparison with the largest difference among those whose 95% interval excludes 0.
    Clear(Box<ClearDifference>),
    /// Variants were compared, and no 95% interval excludes 0.
    NoClearDifference { compared: usize },
    /// Comparisons were made, but none has enough published messages.
    NotEnoughData,
    /// Variants were sent only on platforms that report neither deliveries nor reads.
    NotReported,
    /// The report has no two variants to compare.
    NoVariants,
}

/// Variant B against variant A where the 95% interval of B − A excludes 0.
#[derive(Debug, Clone, Serialize)]
pub struct ClearDifference {
    pub rate: String,
    /// The comparison's row without its variant: (dimension, value).
    pub row: Vec<(String, String)>,
    pub channel: String,
    pub a: String,
    pub b: String,
    /// `b` when B's rate is higher, else `a`.
    pub better: String,
    pub p_a: f64,
    pub p_b: f64,
    /// B − A with its 95% Newcombe interval.
    pub difference: f64,
    pub low: f64,
    pub high: f64,
    pub relative: RelativeLift,
}

/// The comparison to lead with: the largest difference whose 95% interval excludes 0.
pub(super) fn best_variant(report: &Report) -> BestVariant {
    if report.comparisons.is_empty() {
        return BestVariant::NoVariants;
    }
    let dimensions = row_dimensions(report);
    let mut estimates = 0;
    let mut best: Option<ClearDifference> = None;
    for estimate in report
        .comparisons
        .iter()
        .filter_map(|comparison| ClearDifference::estimated(comparison, &dimensions))
    {
        estimates += 1;
        let clear = estimate.low > 0.0 || estimate.high < 0.0;
        if !clear
            || best
                .as_ref()
                .is_some_and(|b| b.difference.abs() >= estimate.difference.abs())
        {
            continue;
        }
        best = Some(estimate);
    }
    match best {
        Some(clear) => BestVariant::Clear(Box::new(clear)),
        None if estimates > 0 => BestVariant::NoClearDifference {
            compared: estimates,
        },
        None if report
            .comparisons
            .iter()
            .all(|c| c.withheld == Some(NOT_REPORTED)) =>
        {
            BestVariant::NotReported
        }
        None => BestVariant::NotEnoughData,
    }
}

/// The dimensions of the report's rows other than the variant, which a comparison's row
/// lists the values of.
fn row_dimensions(report: &Report) -> Vec<String> {
    ["sent", "delivered", "read", "failed"]
        .iter()
        .find_map(|m| table(report, m))
        .map(|t| {
            t.row_dimensions
                .iter()
                .filter(|d| *d != "variant")
                .cloned()
                .collect()
        })
        .unwrap_or_default()
}

impl ClearDifference {
    /// The comparison's estimate of B − A with its row named by `dimensions`, clear or not
    /// (the caller keeps the clear ones); `None` when the comparison has no estimate.
    fn estimated(comparison: &VariantComparison, dimensions: &[String]) -> Option<ClearDifference> {
        let Some(Lift::Estimate {
            p_a,
            p_b,
            difference,
            low,
            high,
            relative,
        }) = &comparison.lift
        else {
            return None;
        };
        Some(ClearDifference {
            rate: comparison.rate.clone(),
            row: dimensions
                .iter()
                .cloned()
                .zip(comparison.row.iter().cloned())
                .collect(),
            channel: comparison.channel.clone(),
            a: comparison.a.clone(),
            b: comparison.b.clone(),
            better: if *difference > 0.0 {
                comparison.b.clone()
            } else {
                comparison.a.clone()
            },
            p_a: *p_a,
            p_b: *p_b,
            difference: *difference,
            low: *low,
            high: *high,
            relative: relative.clone(),
        })
    }

    /// The difference in plain words: which variant did better, where, by how much.
    fn sentence(&self) -> String {
        let c = self;
        let (better, worse) = if c.better == c.b {
            (&c.b, &c.a)
        } else {
            (&c.a, &c.b)
        };
        let (p_better, p_worse) = if c.better == c.b {
            (c.p_b, c.p_a)
        } else {
            (c.p_a, c.p_b)
        };
        let mut place: Vec<String> = c
            .row
            .iter()
            .filter(|(d, v)| !(d == "period" && v == "whole run"))
            .map(|(d, v)| format!("{d} {v}"))
            .collect();
        place.push(c.channel.clone());
        format!(
            "Variant {better} did better than variant {worse} on the {} ({}): {} against {}. Difference {} − {}: {} percentage points (95% interval {} to {}); {}.",
            c.rate,
            place.join(", "),
            percent(p_better),
            percent(p_worse),
            c.b,
            c.a,
            signed_points(c.difference),
            signed_points(c.low),
            signed_points(c.high),
            c.relative_words(),
        )
    }

    /// The relative lift of B over A in plain words.
    fn relative_words(&self) -> String {
        let c = self;
        match &c.relative {
            RelativeLift::Estimate { value, low, high } => format!(
                "relative lift of {} over {}: {} (95% interval {} to {})",
                c.b,
                c.a,
                signed_percent(*value),
                signed_percent(*low),
                high.map_or("no upper bound".to_string(), signed_percent)
            ),
            RelativeLift::NotDefined { .. } => format!(
                "relative lift of {} over {}: not defined ({}'s rate is 0)",
                c.b, c.a, c.a
            ),
        }
    }
}

impl BestVariant {
    /// The comparison in plain words.
    pub fn sentence(&self) -> String {
        match self {
            BestVariant::Clear(c) => c.sentence(),
            BestVariant::NoClearDifference { compared } => format!(
                "No variant differs clearly: in {} {}, every 95% interval of the difference includes 0.",
                compared,
                if *compared == 1 {
                    "comparison"
                } else {
                    "comparisons"
                }
            ),
            BestVariant::NotEnoughData => format!(
                "Not enough data to compare variants: each variant needs at least {} published messages on a rate.",
                MIN_SAMPLE
            ),
            BestVariant::NotReported => "Variants cannot be compared: they were sent only on platforms that report no deliveries or reads.".to_string(),
            BestVariant::NoVariants => "No variants: there are no two variants of a message to compare.".to_string(),
        }
    }
}
