//! The reach a summary states for a platform: the largest reach of a single post in the
//! latest window observed, never a sum (the same account may have seen several posts), and
//! the windows not observed yet, so that a missing figure is not read as none.

use std::collections::BTreeSet;

use serde::Serialize;

use super::figures::count;
use super::platform_columns::Group;
use crate::reach::InsightWindow;
use crate::report::build::Report;
use crate::report::plain_numbers::thousands;
use crate::report::published::PublishedTable;
use crate::report::rates::RateCell;

/// The largest reach of a single post of a platform, in the latest window observed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ReachFigure {
    Published {
        /// Unique accounts that saw the post, as the platform reports it for the window.
        value: u64,
        window: String,
        channel: String,
        post: String,
        /// views (or impressions) / reach of the same post and window, where published.
        frequency: Option<f64>,
    },
    /// Every reach of the window is suppressed.
    Suppressed { window: String },
    /// The platform's post metrics have no reach (X reports impressions only).
    NotReported,
}

/// The post tables of a group's channels.
fn post_tables<'a>(report: &'a Report, group: &Group) -> Vec<&'a PublishedTable> {
    report
        .post_metrics
        .tables
        .iter()
        .filter(|t| t.columns.first().is_some_and(|c| Group::of(c) == *group))
        .collect()
}

/// The largest published single-post reach of the group, in the latest window with reach.
pub(super) fn largest_reach(report: &Report, group: &Group) -> Option<ReachFigure> {
    let tables = post_tables(report, group);
    if tables.is_empty() {
        return None;
    }
    let reach: Vec<&PublishedTable> = tables
        .iter()
        .copied()
        .filter(|t| t.metric == "reach")
        .collect();
    let Some(window) = reach
        .iter()
        .filter_map(|t| InsightWindow::from_label(&t.period))
        .max()
    else {
        return Some(ReachFigure::NotReported);
    };
    let Some((value, channel, row)) = largest_post(&reach, window) else {
        return Some(ReachFigure::Suppressed {
            window: window.label().to_string(),
        });
    };
    Some(ReachFigure::Published {
        value,
        window: window.label().to_string(),
        channel: channel.to_string(),
        post: row.last().cloned().unwrap_or_default(),
        frequency: frequency(report, window, channel, row),
    })
}

/// The largest published reach of the window's tables, with its channel and row; `None`
/// when every one is suppressed.
fn largest_post<'a>(
    reach: &[&'a PublishedTable],
    window: InsightWindow,
) -> Option<(u64, &'a str, &'a [String])> {
    let mut best: Option<(u64, &str, &[String])> = None;
    for table in reach.iter().filter(|t| t.period == window.label()) {
        let channel = table
            .columns
            .first()
            .map(String::as_str)
            .unwrap_or_default();
        for (row, cells) in table.rows.iter().zip(&table.cells) {
            if let Some(n) = cells.first().and_then(count)
                && best.is_none_or(|(b, _, _)| n > b)
            {
                best = Some((n, channel, row));
            }
        }
    }
    best
}

/// The published frequency of the same post, channel and window, if any.
fn frequency(report: &Report, window: InsightWindow, channel: &str, row: &[String]) -> Option<f64> {
    report
        .post_metrics
        .rates
        .iter()
        .filter(|r| r.rate == "frequency" && r.window == window.label())
        .find_map(|r| {
            let i = r.rows.iter().position(|x| x.as_slice() == row)?;
            let c = r.columns.iter().position(|x| x == channel)?;
            match r.cells.get(i)?.get(c)? {
                RateCell::Rate(f) => Some(*f),
                _ => None,
            }
        })
}

/// The windows for which no post metric of the group has been read.
pub(super) fn windows_not_observed(report: &Report, group: &Group) -> Vec<&'static str> {
    let observed: BTreeSet<&str> = post_tables(report, group)
        .iter()
        .map(|t| t.period.as_str())
        .collect();
    if observed.is_empty() {
        return Vec::new();
    }
    InsightWindow::ALL
        .into_iter()
        .map(InsightWindow::label)
        .filter(|w| !observed.contains(w))
        .collect()
}

/// The reach in plain words, as the end of a platform's sentence.
pub(super) fn reach_words(reach: &ReachFigure, hidden: &str) -> String {
    match reach {
        ReachFigure::Published {
            value,
            window,
            frequency,
            ..
        } => {
            let mut words = format!(
                "Largest reach of a single post: {} accounts ({window} window)",
                thousands(*value)
            );
            if let Some(f) = frequency {
                words.push_str(&format!(", each of which saw it {f:.2} times on average"));
            }
            words.push('.');
            words
        }
        // Platform figures are suppressed table by table, which may hide a larger value too:
        // never "fewer than k" here.
        ReachFigure::Suppressed { window } => {
            let _ = hidden;
            format!(
                "Largest reach of a single post: a suppressed number of accounts ({window} window)."
            )
        }
        ReachFigure::NotReported => {
            "Reach: not reported by this platform (it reports impressions).".to_string()
        }
    }
}
