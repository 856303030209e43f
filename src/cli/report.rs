//! `herald report CAMPAIGN --format csv|json|html [--out FILE] [--period run|day|week]`.

use std::path::Path;
use std::process::ExitCode;

use super::runtime::{fail, with_store};
use crate::report::{Breakdown, Period, Protection, campaign_report, to_csv, to_html, to_json};
use crate::store::Store;
use crate::whole_file::write_whole;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    Csv,
    Json,
    Html,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportPeriod {
    Run,
    Day,
    Week,
}

pub fn report(
    database_url: &str,
    campaign: &str,
    format: ReportFormat,
    out: Option<&Path>,
    period: ReportPeriod,
    protection: Protection,
    by: &str,
) -> ExitCode {
    let by = match Breakdown::parse(by) {
        Ok(by) => by,
        Err(error) => {
            eprintln!("error: --by: {error}");
            return ExitCode::from(2);
        }
    };
    if protection.k < 5 {
        eprintln!("error: --k must be at least 5: smaller cells could single people out");
        return ExitCode::from(2);
    }
    with_store(database_url, |store| async move {
        let versions = match store.versions(campaign).await {
            Ok(versions) => versions,
            Err(error) => return fail(error),
        };
        if versions.is_empty() {
            return fail(format!("no campaign `{campaign}` in the database"));
        }
        let period = match period {
            ReportPeriod::Run => Period::Run,
            ReportPeriod::Day => Period::Day,
            ReportPeriod::Week => Period::Week,
        };
        let report =
            match campaign_report(&store, campaign, period, protection, by, chrono::Utc::now())
                .await
            {
                Ok(report) => report,
                Err(error) => return fail(error),
            };
        let text = match format {
            ReportFormat::Csv => to_csv(&report),
            ReportFormat::Json => to_json(&report),
            ReportFormat::Html => to_html(&report),
        };
        match out {
            Some(path) => match write_whole(path, text.as_bytes()) {
                Ok(()) => {
                    println!("wrote {}", path.display());
                    ExitCode::SUCCESS
                }
                Err(error) => fail(error),
            },
            None => {
                print!("{text}");
                ExitCode::SUCCESS
            }
        }
    })
}
