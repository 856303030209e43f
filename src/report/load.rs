//! A campaign's report from what the store holds, the one way every caller (the CLI, the API,
//! the demo, the web pages) builds it, so they can never disagree.

use chrono::{DateTime, Utc};

use super::build::{Breakdown, Period, Report, build_report_by};
use super::policy::PublicationPolicy;
use crate::store::{Store, StoreError};

/// Delivery counters, clicks, post insights and audience estimates of `campaign`, protected
/// under `policy`, for a period and breakdown the policy publishes.
pub async fn campaign_report<S: Store>(
    store: &S,
    campaign: &str,
    policy: &PublicationPolicy,
    period: Period,
    by: Breakdown,
    now: DateTime<Utc>,
) -> Result<Report, StoreError> {
    let deliveries = store.delivery_totals(campaign, period.needs_days()).await?;
    let clicks = store.click_counts(campaign).await?;
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
    report.add_post_metrics(&observations, &estimates);
    Ok(report)
}
