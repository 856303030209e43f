//! `herald subscribers stats`: how many people follow each messaging channel, by segment and
//! locale, with small counts suppressed as `report::SubscriberStats` protects them (the API
//! and the web page show the same tables). The only view of subscribers herald offers.

use std::io::Write;
use std::process::ExitCode;

use super::Format;
use super::runtime::{fail, with_store};
use crate::report::SubscriberStats;
use crate::store::Store;

/// Counts below this are never shown, whatever is asked.
pub const MIN_K: u64 = crate::report::MIN_SUBSCRIBER_K;

pub fn subscribers_stats(database_url: &str, k: u64, format: Format) -> ExitCode {
    if k < MIN_K {
        eprintln!("error: --k must be at least {MIN_K}: smaller counts could single people out");
        return ExitCode::from(2);
    }
    with_store(database_url, |store| async move {
        let counts = match store.subscriber_counts().await {
            Ok(counts) => counts,
            Err(error) => return fail(error),
        };
        let stats = match SubscriberStats::protect(counts, k) {
            Ok(stats) => stats,
            Err(error) => return fail(error),
        };
        let mut out = std::io::stdout().lock();
        let written = match format {
            Format::Json => serde_json::to_string_pretty(&stats)
                .map_err(std::io::Error::other)
                .and_then(|json| writeln!(out, "{json}")),
            Format::Text => write_text(&mut out, &stats),
        };
        match crate::stdout_lines::closed_pipe_is_done(written) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => fail(error),
        }
    })
}

fn write_text(out: &mut impl Write, stats: &SubscriberStats) -> std::io::Result<()> {
    if stats.channels.is_empty() {
        return writeln!(out, "no subscribers");
    }
    for channel in &stats.channels {
        writeln!(out, "{}", channel.channel)?;
        let lines = SubscriberStats::lines(&channel.table);
        write!(out, "{}", crate::text_table::aligned(&lines, "  "))?;
    }
    writeln!(out, "{}", stats.legend())
}
