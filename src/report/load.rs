//! A campaign's report from what the store holds, the one way every caller (the CLI, the API,
//! the demo, the web pages) builds it, so they can never disagree.

use chrono::{DateTime, NaiveDate, Utc};

use super::build::{Report, build_report_by};

use super::comparison::Comparison;
use super::publication_edge::{NotSettled, published_through};
use super::range::{DateRange, RangeError};
use crate::publication::{Breakdown, Period};
use crate::publication::{NotPublished, PublicationPolicy};
use crate::store::{Store, StoreError};

/// What an evaluator asks for: a period and a breakdown the policy publishes, and the dates
/// to narrow the report to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportRequest {
    pub period: Period,
    pub by: Breakdown,
    pub range: Option<DateRange>,
}

/// Why a request is refused before anything is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestRefused {
    Period(NotPublished),
    Breakdown(NotPublished),
    Range(RangeError),
}

impl std::fmt::Display for RequestRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RequestRefused::Period(error) | RequestRefused::Breakdown(error) => error.fmt(f),
            RequestRefused::Range(error) => error.fmt(f),
        }
    }
}

impl std::error::Error for RequestRefused {}

impl ReportRequest {
    /// The request an evaluator typed (period, breakdown, `from` and `until` dates, each
    /// optional), checked against the policy.
    pub fn checked(
        policy: &PublicationPolicy,
        period: Option<&str>,
        by: Option<&str>,
        from: Option<&str>,
        until: Option<&str>,
    ) -> Result<ReportRequest, RequestRefused> {
        let period = policy.period(period).map_err(RequestRefused::Period)?;
        let by = policy.breakdown(by).map_err(RequestRefused::Breakdown)?;
        let range = DateRange::parse(from, until).map_err(RequestRefused::Range)?;
        if range.is_some() && period == Period::Run {
            return Err(RequestRefused::Range(RangeError::WholeRun));
        }
        Ok(ReportRequest { period, by, range })
    }

    /// The policy's default period and breakdown, not narrowed.
    pub fn default_for(policy: &PublicationPolicy) -> ReportRequest {
        ReportRequest {
            period: policy.period(None).unwrap_or(Period::Run),
            by: policy.breakdown(None).unwrap_or(Breakdown::ALL),
            range: None,
        }
    }
}

/// Why a report could not be made.
#[derive(Debug)]
pub enum ReportError {
    /// No version of the campaign was ever stored.
    NoCampaign(String),
    Store(StoreError),
    Range(RangeError),
    /// A comparison of no campaign at all.
    NothingToCompare,
    /// The period asked for has not settled yet.
    NotSettled(NotSettled),
}

impl std::fmt::Display for ReportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReportError::NoCampaign(id) => write!(f, "no campaign `{id}` in the database"),
            ReportError::Store(error) => error.fmt(f),
            ReportError::Range(error) => error.fmt(f),
            ReportError::NothingToCompare => write!(f, "no campaigns to compare"),
            ReportError::NotSettled(error) => error.fmt(f),
        }
    }
}

impl std::error::Error for ReportError {}

impl From<StoreError> for ReportError {
    fn from(error: StoreError) -> Self {
        ReportError::Store(error)
    }
}

/// Delivery counters, clicks, post insights and audience estimates of `campaign`, protected
/// under `policy`, cut as `request` asks.
pub async fn campaign_report<S: Store>(
    store: &S,
    campaign: &str,
    policy: &PublicationPolicy,
    request: ReportRequest,
    now: DateTime<Utc>,
) -> Result<Report, ReportError> {
    let ReportRequest { period, by, range } = request;
    let versions = store.versions(campaign).await?;
    if versions.is_empty() {
        return Err(ReportError::NoCampaign(campaign.to_string()));
    }
    let last_day = versions
        .iter()
        .filter_map(|v| campaign_last_day(&v.bundle.campaign))
        .max();
    let through = published_through(period, now, last_day).map_err(ReportError::NotSettled)?;
    let settled =
        |day: &str| NaiveDate::parse_from_str(day, "%Y-%m-%d").is_ok_and(|day| day <= through);
    let deliveries: Vec<_> = store
        .delivery_totals(campaign, true)
        .await?
        .into_iter()
        .filter(|c| settled(&c.day))
        .collect();
    let clicks: Vec<_> = store
        .click_counts(campaign)
        .await?
        .into_iter()
        .filter(|(key, _)| settled(&key.day))
        .collect();
    let observations = store.insight_observations(campaign).await?;
    let estimates = store.audience_estimates(campaign).await?;
    let mut report = build_report_by(
        campaign,
        &deliveries,
        &clicks,
        period,
        policy.protection,
        by,
        now,
    );
    report.policy = policy.clone();
    report.published_through = Some(through);
    report.add_post_metrics(&observations, &estimates);
    if let Some(range) = range {
        report.narrow_to(range).map_err(ReportError::Range)?;
    }
    Ok(report)
}

/// Campaigns side by side: each one's report under the same policy and request.
pub async fn campaigns_compared<S: Store>(
    store: &S,
    campaigns: &[String],
    policy: &PublicationPolicy,
    request: ReportRequest,
    now: DateTime<Utc>,
) -> Result<Comparison, ReportError> {
    let mut reports = Vec::with_capacity(campaigns.len());
    for campaign in campaigns {
        reports.push(campaign_report(store, campaign, policy, request, now).await?);
    }
    Comparison::of(reports, now).ok_or(ReportError::NothingToCompare)
}

/// The UTC date of a campaign file's `ends`, if it can be read.
fn campaign_last_day(campaign_file: &str) -> Option<NaiveDate> {
    #[derive(serde::Deserialize)]
    struct Ends {
        ends: toml::value::Datetime,
    }
    let ends: Ends = toml::from_str(campaign_file).ok()?;
    let date = ends.ends.date?;
    NaiveDate::from_ymd_opt(date.year.into(), date.month.into(), date.day.into())
}
