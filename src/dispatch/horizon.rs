//! The rolling horizon: only the next stretch of a schedule (48 hours by default) is turned
//! into outbox jobs, so a year of hourly sends never sits in the database at once. Planning
//! again, after a restart or twice in a row, inserts nothing twice: every job has its key.
//!
//! After an outage the planner catches up on slots it has not planned yet, but only back to one
//! horizon before now: a message meant for last week's audience at 10:00 is not sent days late.
//! Slots older than that are counted and logged as skipped.
//!
//! This is the part of planning that talks to the store; it lives with the worker so that
//! `schedule` stays pure calendar arithmetic and does not depend on the store.

use chrono::{DateTime, Duration, Utc};

use crate::campaign::{Campaign, ContentHash};
use crate::schedule::planned_jobs;
use crate::store::{Store, StoreError};

pub const DEFAULT_HORIZON: Duration = Duration::hours(48);

/// What one planning pass did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanPass {
    pub from: DateTime<Utc>,
    pub until: DateTime<Utc>,
    /// Jobs the schedule has in the window.
    pub jobs: usize,
    /// Of those, how many were new (the rest existed already).
    pub inserted: u64,
    /// Unplanned slots too far in the past to send (after an outage longer than the horizon).
    pub skipped_stale: usize,
}

/// Plans a version's jobs from where the last pass stopped (or `now`) up to `now + horizon`.
pub async fn plan_horizon<S: Store>(
    store: &S,
    version: &ContentHash,
    campaign: &Campaign,
    now: DateTime<Utc>,
    horizon: Duration,
) -> Result<PlanPass, StoreError> {
    let until = now + horizon;
    let oldest_sendable = now - horizon;
    let planned = store
        .planned_until(version)
        .await?
        .unwrap_or(now)
        .min(until);
    let from = planned.max(oldest_sendable);
    let skipped_stale = if planned < from {
        planned_jobs(campaign, version, planned, from).len()
    } else {
        0
    };
    if skipped_stale > 0 {
        tracing::warn!(
            version = version.short(),
            skipped_stale,
            since = %planned,
            "slots older than the planning horizon were never planned and are skipped"
        );
    }
    let jobs = planned_jobs(campaign, version, from, until);
    let inserted = store.insert_jobs(&jobs).await?;
    store.set_planned_until(version, until).await?;
    Ok(PlanPass {
        from,
        until,
        jobs: jobs.len(),
        inserted,
        skipped_stale,
    })
}
