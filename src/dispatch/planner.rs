//! The planner's pass: for every scheduled or running version, plan jobs over the rolling
//! horizon, start versions whose first day has come, and complete versions whose last day has
//! passed with nothing left to send. Every worker runs it; it is idempotent.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use super::plan_horizon;
use crate::campaign::VersionState;
use crate::config::Config;
use crate::loaded_version::{LoadedVersion, VersionCache};
use crate::schedule::campaign_window;
use crate::store::{Store, StoreError};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlannerReport {
    pub versions: usize,
    pub jobs_inserted: u64,
    pub started: usize,
    pub completed: usize,
}

pub async fn plan_active_versions<S: Store>(
    store: &S,
    cache: &VersionCache,
    config: &Config,
    now: DateTime<Utc>,
    horizon: Duration,
) -> Result<PlannerReport, StoreError> {
    let mut report = PlannerReport::default();
    let active = store
        .versions_in_states(&[VersionState::Scheduled, VersionState::Running])
        .await?;
    for record in active {
        // A killed campaign plans nothing more, whatever its versions' states.
        if store.is_killed(&record.campaign_id).await? {
            continue;
        }
        let version: Arc<LoadedVersion> = match cache.get(&record.hash) {
            Some(version) => version,
            None => match LoadedVersion::load_off_the_runtime(
                record.hash.clone(),
                record.bundle.clone(),
                Arc::new(config.clone()),
            )
            .await
            {
                Ok(version) => cache.insert(version),
                Err(error) => {
                    tracing::error!(version = record.hash.short(), %error, "cannot plan a version");
                    continue;
                }
            },
        };
        report.versions += 1;
        let campaign = &version.campaign;
        let pass = plan_horizon(store, &record.hash, campaign, now, horizon).await?;
        report.jobs_inserted += pass.inserted;
        crate::metrics::METRICS.planned(pass.inserted);
        let windows: Vec<_> = campaign
            .segments
            .iter()
            .map(|s| campaign_window(campaign, s))
            .collect();
        let starts = windows.iter().map(|w| w.0).min().unwrap_or(now);
        let ends = windows.iter().map(|w| w.1).max().unwrap_or(now);
        if record.state == VersionState::Scheduled && now >= starts {
            if advance(store, &record.hash, VersionState::Running, now).await? {
                report.started += 1;
            }
        } else if record.state == VersionState::Running && now >= ends {
            let pending = store
                .job_counts(&record.hash)
                .await?
                .iter()
                .any(|(_, status, n)| {
                    *n > 0 && matches!(status.as_str(), "queued" | "leased" | "sending")
                });
            if !pending && advance(store, &record.hash, VersionState::Completed, now).await? {
                report.completed += 1;
            }
        }
    }
    Ok(report)
}

/// Moves a version on; `false` when another worker (or a person) moved it first, which is no
/// error when several workers plan the same versions.
async fn advance<S: Store>(
    store: &S,
    hash: &crate::campaign::ContentHash,
    to: VersionState,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    match store.transition(hash, to, now, "herald").await {
        Ok(_) => Ok(true),
        Err(StoreError::Transition(_) | StoreError::ConcurrentChange { .. }) => {
            tracing::debug!(
                version = hash.short(),
                to = to.name(),
                "the version was moved on elsewhere"
            );
            Ok(false)
        }
        Err(error) => Err(error),
    }
}
