//! `herald report CAMPAIGN --format csv|json|html [--out FILE] [--period P] [--by B]`, under
//! the deployment's publication policy.

use std::path::Path;
use std::process::ExitCode;

use super::runtime::{fail, publication_policy, with_store};
use crate::report::{campaign_report, to_csv, to_html, to_json};
use crate::store::Store;
use crate::whole_file::write_whole;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    Csv,
    Json,
    Html,
}

pub fn report(
    database_url: &str,
    config: Option<&Path>,
    campaign: &str,
    format: ReportFormat,
    out: Option<&Path>,
    period: Option<&str>,
    by: Option<&str>,
) -> ExitCode {
    let policy = match publication_policy(config) {
        Ok(policy) => policy,
        Err(code) => return code,
    };
    let (period, by) = match (policy.period(period), policy.breakdown(by)) {
        (Ok(period), Ok(by)) => (period, by),
        (Err(error), _) => {
            eprintln!("error: --period: {error}");
            return ExitCode::from(2);
        }
        (_, Err(error)) => {
            eprintln!("error: --by: {error}");
            return ExitCode::from(2);
        }
    };
    with_store(database_url, |store| async move {
        let versions = match store.versions(campaign).await {
            Ok(versions) => versions,
            Err(error) => return fail(error),
        };
        if versions.is_empty() {
            return fail(format!("no campaign `{campaign}` in the database"));
        }
        let report = match campaign_report(
            &store,
            campaign,
            &policy,
            period,
            by,
            chrono::Utc::now(),
        )
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
