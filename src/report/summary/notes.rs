//! What to keep in mind when reading a summary, said once under its figures: a report that
//! cannot speak per platform, rates a platform does not report or has not received yet
//! (which are not 0), post-metric windows not observed yet, and what a suppressed figure is.

use serde::Serialize;

use super::PlatformSummary;
use super::figures::{RateFigure, count};
use super::platform_columns::Group;
use super::reach::windows_not_observed;
use crate::report::build::Report;
use crate::report::plain_numbers::thousands;

/// One thing to keep in mind when reading the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QualityNote {
    pub kind: NoteKind,
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoteKind {
    /// The report sums channels, so it cannot say anything per platform.
    NoChannelBreakdown,
    /// A platform sends no delivery or read receipts.
    NoReceipts,
    /// Sent on a platform that reports receipts, but no callback has arrived yet.
    NoCallbacksYet,
    /// Post-metric windows with no figures yet.
    WindowsNotObserved,
    /// What "fewer than k" means.
    Suppressed,
}

/// The notes on one platform's figures, in the order they are read: the report's breakdown,
/// its receipts, its post-metric windows.
pub(super) fn platform_notes(
    report: &Report,
    group: &Group,
    platform: &PlatformSummary,
    hidden: &str,
) -> Vec<QualityNote> {
    let mut notes = Vec::new();
    if let Group::Column(column) = group {
        notes.push(QualityNote {
            kind: NoteKind::NoChannelBreakdown,
            text: format!(
                "This report is not broken down by channel: “{column}” sums every platform, so the figures above cannot be read per platform. Break the report down by channel to see them."
            ),
        });
    }
    notes.extend(receipts_note(platform, hidden));
    notes.extend(windows_note(report, group, platform));
    notes
}

/// Why a platform's delivery or read rate is not shown, if it is not.
fn receipts_note(platform: &PlatformSummary, hidden: &str) -> Option<QualityNote> {
    match (&platform.delivery_rate, &platform.read_rate) {
        (Some(RateFigure::NotReported { reason }), _) => Some(QualityNote {
            kind: NoteKind::NoReceipts,
            text: format!(
                "{}: delivery and read rates are not reported by this platform (not 0). {reason}",
                named(platform)
            ),
        }),
        (Some(RateFigure::NoneReceivedYet), _) => Some(QualityNote {
            kind: NoteKind::NoCallbacksYet,
            text: format!(
                "{}: {} sent, but no delivery callbacks have been received yet, so its delivery and read rates are not known yet (not 0).",
                named(platform),
                platform.sent.map_or(String::new(), |s| format!(
                    "{} {}",
                    s.words(hidden),
                    platform.sends_are.noun()
                ))
            ),
        }),
        (_, Some(RateFigure::NoneReceivedYet)) => Some(QualityNote {
            kind: NoteKind::NoCallbacksYet,
            text: format!(
                "{}: no read receipts have been received yet, so its read rate is not known yet (not 0).",
                named(platform)
            ),
        }),
        _ => None,
    }
}

/// The post-metric windows of the platform not observed yet, if some are.
fn windows_note(report: &Report, group: &Group, platform: &PlatformSummary) -> Option<QualityNote> {
    let missing = windows_not_observed(report, group);
    if missing.is_empty() {
        return None;
    }
    let windows: Vec<String> = missing.iter().map(|w| w.to_string()).collect();
    Some(QualityNote {
        kind: NoteKind::WindowsNotObserved,
        text: format!(
            "{}: no post metrics yet for the {} {} (a window is read once it has closed, the end window at the campaign's end; windows after the campaign's end are skipped).",
            named(platform),
            and_list(&windows),
            if windows.len() == 1 {
                "window"
            } else {
                "windows"
            }
        ),
    })
}

/// What a suppressed figure means, if any published count of the report is suppressed.
pub(super) fn suppressed_note(
    report: &Report,
    k: u64,
    below: u64,
    fewer_than_k: bool,
) -> Option<QualityNote> {
    any_suppressed(report).then(|| QualityNote {
        kind: NoteKind::Suppressed,
        text: suppressed_meaning(k, below, fewer_than_k),
    })
}

/// What a suppressed figure means, said once.
fn suppressed_meaning(k: u64, below: u64, fewer_than_k: bool) -> String {
    let small = thousands(k.saturating_sub(1));
    if fewer_than_k && below > k {
        format!(
            "“fewer than {}” stands for a suppressed figure: counts from 1 to {small} are not published, so that no small group of people can be singled out, nor are counts from {} to {} whose noise would take them below {}.",
            thousands(below),
            thousands(k),
            thousands(below - 1),
            thousands(k)
        )
    } else if fewer_than_k {
        format!(
            "“fewer than {}” stands for a suppressed figure: counts from 1 to {small} are not published, so that no small group of people can be singled out.",
            thousands(k)
        )
    } else {
        format!(
            "A suppressed figure is not published: counts from 1 to {small} are hidden so that no small group of people can be singled out, and so are a few larger ones that would let a hidden count be worked out from the rest of its table. A rate that rests on a suppressed figure is not published either."
        )
    }
}

/// Whether any published count of the report is suppressed.
fn any_suppressed(report: &Report) -> bool {
    report
        .tables
        .iter()
        .chain(&report.post_metrics.tables)
        .any(|t| {
            t.cells
                .iter()
                .flatten()
                .chain(&t.row_totals)
                .chain(&t.column_totals)
                .chain([&t.grand_total])
                .any(|c| count(c).is_none())
        })
}

/// The channels of a group, named after the platform: `WhatsApp (whatsapp:optin)`.
fn named(platform: &PlatformSummary) -> String {
    if platform.channels.is_empty() || platform.channels == [platform.platform.to_lowercase()] {
        platform.platform.clone()
    } else {
        format!("{} ({})", platform.platform, platform.channels.join(", "))
    }
}

/// Joins names as a sentence does: `a`, `a and b`, `a, b and c`.
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}
