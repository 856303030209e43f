//! What the demo leaves behind: each campaign's report as an evaluator will read it once the
//! campaign has settled (HTML and CSV), and the summary printed at the end, with the reasons
//! messages went to the dead letters.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::Utc;

use crate::project::Project;
use crate::report::{ReportRequest, campaign_report, to_csv, to_html};
use crate::store::{AnyStore, Store};

use super::DemoError;
use super::summary::CampaignSummary;

/// Writes every campaign's reports into `out`; returns their paths and the summaries.
pub async fn write_reports(
    store: &AnyStore,
    project: &Project,
    out: &Path,
) -> Result<(Vec<PathBuf>, Vec<CampaignSummary>), DemoError> {
    std::fs::create_dir_all(out)
        .map_err(|e| DemoError::Write(format!("cannot create {}: {e}", out.display())))?;
    let publication = &project.config.publication;
    let mut reports = Vec::new();
    let mut campaigns = Vec::new();
    for loaded in &project.campaigns {
        let id = &loaded.campaign.id;
        let report = campaign_report(
            store,
            id,
            publication,
            ReportRequest::default_for(publication),
            settled_after(loaded.campaign.ends),
        )
        .await
        .map_err(|e| DemoError::Write(e.to_string()))?;
        for (extension, text) in [("html", to_html(&report)), ("csv", to_csv(&report))] {
            let path = out.join(format!("{id}.{extension}"));
            crate::whole_file::write_whole(&path, text.as_bytes())
                .map_err(|e| DemoError::Write(e.to_string()))?;
            reports.push(path);
        }
        campaigns.push(summarize(store, id).await?);
    }
    Ok((reports, campaigns))
}

/// One campaign's line of the summary, with why its dead letters died.
async fn summarize(store: &AnyStore, id: &str) -> Result<CampaignSummary, DemoError> {
    let deliveries = store.delivery_totals(id, false).await?;
    let clicks = store.click_counts(id).await?;
    let letters = store.dead_letters(100_000).await?;
    let mut reasons: BTreeMap<(String, String), (usize, String)> = BTreeMap::new();
    for letter in letters.iter().filter(|d| d.campaign_id == id) {
        let entry = reasons
            .entry((
                letter.channel.clone(),
                letter.code.clone().unwrap_or_default(),
            ))
            .or_insert((0, letter.text.clone().unwrap_or_default()));
        entry.0 += 1;
    }
    let mut summary = CampaignSummary::from_counts(
        id,
        &deliveries,
        &clicks,
        reasons.values().map(|(n, _)| n).sum(),
    );
    summary.dead_reasons = reasons
        .into_iter()
        .map(|((channel, code), (n, text))| format!("{n} × {channel} {code}: {text}"))
        .collect();
    Ok(summary)
}

/// The moment every campaign of `project` has settled: where the served demo's clock stands,
/// so that the web interface publishes what the written reports show.
pub fn all_settled(project: &Project) -> chrono::DateTime<Utc> {
    project
        .campaigns
        .iter()
        .map(|loaded| settled_after(loaded.campaign.ends))
        .max()
        .unwrap_or_default()
}

/// The moment the reports of a campaign ending on `ends` have settled: the demo writes them
/// as an evaluator will read them once the campaign is over (only settled periods are ever
/// published).
fn settled_after(ends: chrono::NaiveDate) -> chrono::DateTime<Utc> {
    let day = ends
        .checked_add_days(chrono::Days::new(crate::report::SETTLE_DAYS + 2))
        .unwrap_or(ends);
    day.and_hms_opt(12, 0, 0).unwrap_or_default().and_utc()
}
