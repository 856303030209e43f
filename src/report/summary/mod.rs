//! The headline figures of a report, worked out from its published tables only, so that an
//! evaluator can read the campaign's outcome without opening a table: what was sent on each
//! platform, delivery and read rates where the platform reports them, the largest reach of a
//! single post, the variant that did clearly better (if any), and what to keep in mind when
//! reading the figures. Nothing here is computed from a count the tables suppress, and reach
//! is never summed.
//!
//! This file holds the summary's shape and puts it together; each part is worked out in its
//! own file: the figures and rates (`figures`), the columns read as platforms
//! (`platform_columns`), the reach (`reach`), the best variant (`best_variant`), the notes
//! (`notes`) and the summary in sentences (`sentences`).

mod best_variant;
mod figures;
mod notes;
mod platform_columns;
mod reach;
mod sentences;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use serde::Serialize;

pub use best_variant::{BestVariant, ClearDifference};
pub use figures::{Figure, RateFigure, SUPPRESSION_HIDES_ONLY_SMALL_COUNTS};
pub use notes::{NoteKind, QualityNote};
pub use platform_columns::SendKind;
pub use reach::ReachFigure;

use super::build::Report;
use best_variant::best_variant;
use figures::{figure, rate};
use notes::{platform_notes, suppressed_note};
use platform_columns::{Group, column_totals, not_reported, table};
use reach::largest_reach;
use sentences::hidden_words;

/// The summary the report opens with.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub campaign: String,
    /// Counts from 1 to k − 1 are suppressed.
    pub k: u64,
    /// A suppressed figure is fewer than this: k plus the largest noise, since a count the
    /// noise would take below k is suppressed too.
    pub suppressed_below: u64,
    /// Whether a suppressed figure is known to be fewer than `suppressed_below`, and is said
    /// so; otherwise it is "a suppressed number" (see
    /// [`SUPPRESSION_HIDES_ONLY_SMALL_COUNTS`]).
    pub suppressed_is_fewer_than_k: bool,
    /// Everything sent, over every platform (the `sent` table's grand total); `None` when
    /// nothing was sent.
    pub sent: Option<Figure>,
    /// One entry per platform, in the order herald lists platforms (or per column of a report
    /// not broken down by channel).
    pub platforms: Vec<PlatformSummary>,
    pub best_variant: BestVariant,
    /// What to keep in mind when reading the figures.
    pub notes: Vec<QualityNote>,
}

/// The headline figures of one platform.
#[derive(Debug, Clone, Serialize)]
pub struct PlatformSummary {
    /// `WhatsApp`, or the column's own name in a report not broken down by channel.
    pub platform: String,
    /// The channels (`platform:account`) whose figures are summed here.
    pub channels: Vec<String>,
    pub sends_are: SendKind,
    /// The sum of the channels' `sent` column totals; `None` when nothing was sent.
    pub sent: Option<Figure>,
    /// delivered / sent over the platform's channels; `None` when nothing was sent.
    pub delivery_rate: Option<RateFigure>,
    /// read / delivered over the platform's channels; `None` when nothing was sent.
    pub read_rate: Option<RateFigure>,
    /// The largest reach of a single post; `None` when no post metric was read.
    pub reach: Option<ReachFigure>,
}

/// The summary of a report, from its published values only.
pub fn summarize(report: &Report) -> Summary {
    let k = report.protection.k;
    let suppressed_below = k + report.protection.max_noise;
    let fewer_than_k = SUPPRESSION_HIDES_ONLY_SMALL_COUNTS;
    let hidden = hidden_words(suppressed_below, fewer_than_k);
    let mut platforms = Vec::new();
    let mut notes = Vec::new();
    for (group, mut channels) in platform_groups(report) {
        channels.sort();
        let platform = platform_summary(report, &group, channels);
        notes.extend(platform_notes(report, &group, &platform, &hidden));
        platforms.push(platform);
    }
    notes.extend(suppressed_note(report, k, suppressed_below, fewer_than_k));
    Summary {
        campaign: report.campaign.clone(),
        k,
        suppressed_below,
        suppressed_is_fewer_than_k: fewer_than_k,
        sent: table(report, "sent").and_then(|t| figure([&t.grand_total])),
        platforms,
        best_variant: best_variant(report),
        notes,
    }
}

/// The columns of the `sent` table and of the post metrics, gathered by platform in the
/// order herald lists platforms, each column once.
fn platform_groups(report: &Report) -> BTreeMap<Group, Vec<String>> {
    let mut groups: BTreeMap<Group, Vec<String>> = BTreeMap::new();
    for column in table(report, "sent")
        .map(|t| t.columns.iter())
        .into_iter()
        .flatten()
        .chain(report.post_metrics.tables.iter().flat_map(|t| &t.columns))
    {
        let channels = groups.entry(Group::of(column)).or_default();
        if !channels.contains(column) {
            channels.push(column.clone());
        }
    }
    groups
}

/// The headline figures of one platform's channels.
fn platform_summary(report: &Report, group: &Group, channels: Vec<String>) -> PlatformSummary {
    let sent = figure(column_totals(report, "sent", &channels));
    let (delivery_rate, read_rate) = match sent {
        None => (None, None),
        Some(sent) => delivery_and_read_rates(report, &channels, sent),
    };
    PlatformSummary {
        platform: group.name(),
        sends_are: group.sends_are(),
        sent,
        delivery_rate,
        read_rate,
        reach: largest_reach(report, group),
        channels,
    }
}

/// delivered / sent and read / delivered over the channels; a read rate is not worked out
/// where the delivery rate is not reported or nothing has been delivered yet.
fn delivery_and_read_rates(
    report: &Report,
    channels: &[String],
    sent: Figure,
) -> (Option<RateFigure>, Option<RateFigure>) {
    let delivered = figure(column_totals(report, "delivered", channels));
    let read = figure(column_totals(report, "read", channels));
    let delivery = rate(
        delivered,
        sent,
        not_reported(report, "delivery rate", channels),
    );
    let read_rate = match (&delivery, delivered) {
        (Some(RateFigure::NotReported { reason }), _) => Some(RateFigure::NotReported {
            reason: reason.clone(),
        }),
        (Some(RateFigure::NoneReceivedYet), _) | (_, None) => Some(RateFigure::NoneReceivedYet),
        (_, Some(delivered)) => rate(read, delivered, not_reported(report, "read rate", channels)),
    };
    (delivery, read_rate)
}
