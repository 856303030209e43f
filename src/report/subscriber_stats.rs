//! Subscribers per messaging channel, by segment and locale, with small counts suppressed (and
//! a second cell where needed, so that no hidden count can be recovered from the totals): the
//! only view of subscribers herald offers. `herald subscribers stats`, the API and the web page
//! all protect the counts here, so they can never disagree on what is shown.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Cell, Protection, PublishedTable};
use crate::store::SubscriberCount;

/// Counts below this are never shown, whatever is asked.
pub const MIN_SUBSCRIBER_K: u64 = 5;

/// The threshold used when none is asked for.
pub const DEFAULT_SUBSCRIBER_K: u64 = 10;
/// The highest threshold that may be asked for (a bound on the request, like the policy's).
pub const MAX_SUBSCRIBER_K: u64 = 1000;

/// A `k` below [`MIN_SUBSCRIBER_K`] (or above [`MAX_SUBSCRIBER_K`]) was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KOutOfRange;

impl std::fmt::Display for KOutOfRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "k must be a whole number from {MIN_SUBSCRIBER_K} to {MAX_SUBSCRIBER_K}: smaller counts could single people out"
        )
    }
}

impl std::error::Error for KOutOfRange {}

/// One channel's protected table.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ChannelSubscribers {
    pub channel: String,
    /// Segments as rows, locales as columns, small counts suppressed.
    #[schema(value_type = Object)]
    pub table: PublishedTable,
}

/// Every channel's protected table, under threshold `k`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SubscriberStats {
    pub k: u64,
    pub channels: Vec<ChannelSubscribers>,
}

impl SubscriberStats {
    /// Protects the store's counts: per channel, segments as rows and locales as columns,
    /// counts below `k` suppressed with their complements.
    pub fn protect(counts: Vec<SubscriberCount>, k: u64) -> Result<SubscriberStats, KOutOfRange> {
        if !(MIN_SUBSCRIBER_K..=MAX_SUBSCRIBER_K).contains(&k) {
            return Err(KOutOfRange);
        }
        let mut by_channel: BTreeMap<String, BTreeMap<(Vec<String>, String), u64>> =
            BTreeMap::new();
        for count in counts {
            by_channel.entry(count.channel).or_default().insert(
                (vec![count.segment], count.locale),
                count.count.max(0) as u64,
            );
        }
        let protection = Protection {
            k,
            round_to: 1,
            ..Protection::DEFAULT
        };
        let channels = by_channel
            .into_iter()
            .map(|(channel, counts)| ChannelSubscribers {
                table: PublishedTable::protect(
                    "subscribers",
                    "now",
                    &["segment"],
                    &counts,
                    protection,
                ),
                channel,
            })
            .collect();
        Ok(SubscriberStats { k, channels })
    }

    /// The rows to show for one channel: a header (segment, the locales, total), one line per
    /// segment and a total line, each cell a number or `suppressed`.
    pub fn lines(table: &PublishedTable) -> Vec<Vec<String>> {
        let mut header = vec!["segment".to_string()];
        header.extend(table.columns.iter().cloned());
        header.push("total".into());
        let mut lines = vec![header];
        for ((row, cells), row_total) in table.rows.iter().zip(&table.cells).zip(&table.row_totals)
        {
            let mut line = vec![row.join("/")];
            line.extend(cells.iter().map(cell_text));
            line.push(cell_text(row_total));
            lines.push(line);
        }
        let mut total = vec!["total".to_string()];
        total.extend(table.column_totals.iter().map(cell_text));
        total.push(cell_text(&table.grand_total));
        lines.push(total);
        lines
    }

    /// What a reader is told a suppressed cell means.
    pub fn legend(&self) -> String {
        format!(
            "suppressed: a count below {}, or a second count hidden so that none can be derived from the totals",
            self.k
        )
    }
}

/// A count, or `suppressed`.
pub fn cell_text(cell: &Cell) -> String {
    match cell {
        Cell::Count(n) => n.to_string(),
        Cell::Suppressed(_) => "suppressed".to_string(),
    }
}
