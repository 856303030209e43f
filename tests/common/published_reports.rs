//! The JSON reports an evaluator receives, made by the real `herald report` binary.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// `herald report CAMPAIGN --format json --by B --period P` on the database at `database_url`,
/// once for every breakdown `B` (`segment,locale,channel,variant` or part of it) and period `P`
/// (`run`, `week`, `day`), breakdown by breakdown, under the default configuration.
pub fn published_reports(
    database_url: &str,
    campaign: &str,
    breakdowns: &[&str],
    periods: &[&str],
) -> Vec<Value> {
    published_reports_under(None, database_url, campaign, breakdowns, periods)
}

/// [`published_reports`] with `--config FILE` when given. Run in an empty folder, so no
/// configuration nearby changes what is published.
pub fn published_reports_under(
    config: Option<&Path>,
    database_url: &str,
    campaign: &str,
    breakdowns: &[&str],
    periods: &[&str],
) -> Vec<Value> {
    let folder = tempfile::tempdir().expect("temporary folder");
    let mut reports = Vec::new();
    for by in breakdowns {
        for period in periods {
            let mut command = Command::new(env!("CARGO_BIN_EXE_herald"));
            if let Some(config) = config {
                command.arg("--config").arg(config);
            }
            let output = command
                .args(["report", campaign, "--format", "json", "--database-url"])
                .arg(database_url)
                .args(["--by", by, "--period", period])
                // As an evaluator reads them once everything has settled.
                .args(["--as-of", "2099-12-31"])
                .current_dir(folder.path())
                .env_remove("HERALD_DATABASE_URL")
                .env_remove("RUST_LOG")
                .output()
                .expect("run herald report");
            assert!(
                output.status.success(),
                "herald report {campaign} --by {by} --period {period}: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            let report = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
                panic!("herald report {campaign} --by {by} --period {period} printed no JSON: {e}")
            });
            reports.push(report);
        }
    }
    reports
}
