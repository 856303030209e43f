//! `herald retention [--dry-run]`: the retention sweep of personal data on demand, as every
//! worker runs it each minute, or (dry run) how many rows each rule would erase now.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use super::Format;
use super::runtime::{fail, load_config, with_store};
use crate::config::PeopleRetention;
use crate::dispatch::{Sweep, sweep_personal_data};
use crate::loaded_version::VersionCache;
use crate::store::ErasedRows;

pub fn retention(
    database_url: &str,
    config: Option<&Path>,
    dry_run: bool,
    format: Format,
) -> ExitCode {
    let config = match load_config(config) {
        Ok(config) => Arc::new(config),
        Err(code) => return code,
    };
    let sweep = if dry_run { Sweep::DryRun } else { Sweep::Erase };
    with_store(database_url, |store| async move {
        let now = chrono::Utc::now();
        let cache = VersionCache::default();
        let rows = match sweep_personal_data(&store, &cache, &config, now, sweep).await {
            Ok(rows) => rows,
            Err(error) => return fail(error),
        };
        let written = match format {
            Format::Json => serde_json::to_string_pretty(&rows)
                .map_err(std::io::Error::other)
                .and_then(|json| writeln!(std::io::stdout().lock(), "{json}")),
            Format::Text => write_rules(&rows, &config.people_retention, sweep),
        };
        match crate::stdout_lines::closed_pipe_is_done(written) {
            Ok(()) => ExitCode::SUCCESS,
            Err(_) => ExitCode::FAILURE,
        }
    })
}

/// One line per rule: its period and the rows it erased (or would).
fn write_rules(rows: &ErasedRows, policy: &PeopleRetention, sweep: Sweep) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    let verb = match sweep {
        Sweep::DryRun => "would erase",
        Sweep::Erase => "erased",
    };
    let lines = [
        (
            format!(
                "subscribers no scheduled, running or paused campaign could reach for {} days",
                policy.unreachable_subscriber_days
            ),
            rows.subscribers_unreachable,
        ),
        (
            format!(
                "subscribers with no contact for {} days",
                policy.inactive_subscriber_days
            ),
            rows.subscribers_inactive,
        ),
        (
            format!(
                "dead and unknown jobs to one person, ended over {} days ago",
                policy.staff_days
            ),
            rows.person_jobs_ended,
        ),
        (
            "per-recipient rate buckets idle for an hour".to_string(),
            rows.recipient_rate_buckets,
        ),
    ];
    for (rule, count) in lines {
        writeln!(out, "{verb} {count:>8}  {rule}")?;
    }
    match sweep {
        Sweep::DryRun => writeln!(out, "dry run: nothing was erased"),
        Sweep::Erase => writeln!(out, "{} rows erased; counters stay", rows.total()),
    }
}
