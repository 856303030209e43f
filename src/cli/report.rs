//! `herald report CAMPAIGN|--compare ID,ID --format csv|json|html [--out FILE] [--period P]
//! [--by B] [--from DATE] [--until DATE]`, under the deployment's publication policy.

use std::path::Path;
use std::process::ExitCode;

use super::runtime::{fail, publication_policy, with_store};
use crate::report::{
    Comparison, PublicationPolicy, Report, ReportRequest, RequestRefused, campaign_report,
    compared_ids, to_csv, to_html, to_json,
};
use crate::store::{AnyStore, Store};
use crate::whole_file::write_whole;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    Csv,
    Json,
    Html,
}

/// What the evaluator asked for, as typed.
#[derive(Debug, Clone, Copy)]
pub struct Asked<'a> {
    pub campaign: Option<&'a str>,
    pub compare: Option<&'a str>,
    pub period: Option<&'a str>,
    pub by: Option<&'a str>,
    pub from: Option<&'a str>,
    pub until: Option<&'a str>,
}

pub fn report(
    database_url: &str,
    config: Option<&Path>,
    asked: Asked<'_>,
    format: ReportFormat,
    out: Option<&Path>,
) -> ExitCode {
    let policy = match publication_policy(config) {
        Ok(policy) => policy,
        Err(code) => return code,
    };
    let request =
        match ReportRequest::checked(&policy, asked.period, asked.by, asked.from, asked.until) {
            Ok(request) => request,
            Err(refused) => {
                let flag = match refused {
                    RequestRefused::Period(_) => "--period: ",
                    RequestRefused::Breakdown(_) => "--by: ",
                    RequestRefused::Range(_) => "",
                };
                eprintln!("error: {flag}{refused}");
                return ExitCode::from(2);
            }
        };
    let campaigns = match (asked.compare, asked.campaign) {
        (Some(list), _) => match compared_ids(list) {
            Ok(ids) => ids,
            Err(error) => {
                eprintln!("error: {error}");
                return ExitCode::from(2);
            }
        },
        (None, Some(campaign)) => vec![campaign.to_string()],
        (None, None) => {
            eprintln!("error: name a campaign, or --compare ID,ID");
            return ExitCode::from(2);
        }
    };
    let compare = asked.compare.is_some();
    with_store(database_url, |store| async move {
        let now = chrono::Utc::now();
        let mut reports = Vec::with_capacity(campaigns.len());
        for campaign in &campaigns {
            match one_report(&store, &policy, campaign, request, now).await {
                Ok(report) => reports.push(report),
                Err(code) => return code,
            }
        }
        let text = if compare {
            let Some(comparison) = Comparison::of(reports, now) else {
                return fail("nothing to compare");
            };
            match format {
                ReportFormat::Csv => comparison.to_csv(),
                ReportFormat::Json => comparison.to_json(),
                ReportFormat::Html => comparison.to_html(),
            }
        } else {
            let Some(report) = reports.first() else {
                return fail("no report");
            };
            match format {
                ReportFormat::Csv => to_csv(report),
                ReportFormat::Json => to_json(report),
                ReportFormat::Html => to_html(report),
            }
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

/// One campaign's report, or the exit code of why not.
async fn one_report(
    store: &AnyStore,
    policy: &PublicationPolicy,
    campaign: &str,
    request: ReportRequest,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Report, ExitCode> {
    let versions = store.versions(campaign).await.map_err(fail)?;
    if versions.is_empty() {
        return Err(fail(format!("no campaign `{campaign}` in the database")));
    }
    campaign_report(store, campaign, policy, request, now)
        .await
        .map_err(fail)
}
