//! `herald report CAMPAIGN|--compare ID,ID --format csv|json|html [--out FILE] [--period P]
//! [--by B] [--from DATE] [--until DATE]`, under the deployment's publication policy.

use std::path::Path;
use std::process::ExitCode;

use super::runtime::{fail, publication_policy, with_store};
use crate::report::{
    ReportRequest, RequestRefused, campaign_report, campaigns_compared, compared_ids, to_csv,
    to_html, to_json,
};
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
    pub as_of: Option<&'a str>,
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
    let now = match asked.as_of {
        None => chrono::Utc::now(),
        Some(text) => match chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d") {
            Ok(day) => day.and_hms_opt(12, 0, 0).unwrap_or_default().and_utc(),
            Err(_) => {
                eprintln!("error: --as-of `{text}` is not a date: write YYYY-MM-DD");
                return ExitCode::from(2);
            }
        },
    };
    let compare = asked.compare.is_some();
    with_store(database_url, |store| async move {
        let made = if compare {
            campaigns_compared(&store, &campaigns, &policy, request, now)
                .await
                .map(|comparison| match format {
                    ReportFormat::Csv => comparison.to_csv(),
                    ReportFormat::Json => comparison.to_json(),
                    ReportFormat::Html => comparison.to_html(),
                })
        } else {
            campaign_report(&store, &campaigns[0], &policy, request, now)
                .await
                .map(|report| match format {
                    ReportFormat::Csv => to_csv(&report),
                    ReportFormat::Json => to_json(&report),
                    ReportFormat::Html => to_html(&report),
                })
        };
        let text = match made {
            Ok(text) => text,
            Err(error) => return fail(error),
        };
        match out {
            Some(path) => match write_whole(path, text.as_bytes()) {
                Ok(()) => {
                    crate::say!("wrote {}", path.display());
                    ExitCode::SUCCESS
                }
                Err(error) => fail(error),
            },
            None => {
                crate::stdout_lines::say_text(&text);
                ExitCode::SUCCESS
            }
        }
    })
}
