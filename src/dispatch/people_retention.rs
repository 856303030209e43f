//! The retention sweep of personal data, run by every worker's upkeep and by
//! `herald retention`: first record which audiences (channel × segment) the scheduled, running
//! and paused campaigns can reach now, then erase (or, in a dry run, count) what the rules of
//! [`PeopleRetention`] say has been kept long enough.

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use crate::campaign::VersionState;
use crate::config::{Config, PeopleRetention};
use crate::loaded_version::VersionCache;
use crate::store::{ErasedRows, RetentionCutoffs, Store, StoreError};

/// Versions in these states may still send, so their audiences are reachable.
const REACHING: [VersionState; 3] = [
    VersionState::Scheduled,
    VersionState::Running,
    VersionState::Paused,
];

/// A per-recipient rate bucket idle this long has no say in any pacing any more.
const IDLE_BUCKET: Duration = Duration::hours(1);

/// Why a sweep did not run to its end.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A version that may still send cannot be read, so whom it reaches is unknown: nobody is
    /// erased until it can be (or is cancelled).
    #[error(
        "version {version} may still send but cannot be read ({reason}); no subscriber is erased until it can be"
    )]
    UnreadableVersion { version: String, reason: String },
}

/// Count only, or erase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sweep {
    DryRun,
    Erase,
}

/// The moments before which each rule erases, at `now`.
pub fn retention_cutoffs(policy: &PeopleRetention, now: DateTime<Utc>) -> RetentionCutoffs {
    let before = |days: u32| (now - Duration::days(i64::from(days))).timestamp_millis();
    RetentionCutoffs {
        unreachable_before_ms: before(policy.unreachable_subscriber_days),
        inactive_before_ms: before(policy.inactive_subscriber_days),
        staff_before_ms: before(policy.staff_days),
        idle_buckets_before_ms: (now - IDLE_BUCKET).timestamp_millis(),
    }
}

/// Records the audiences active campaigns reach, then erases or counts what is past its time.
pub async fn sweep_personal_data<S: Store>(
    store: &S,
    cache: &VersionCache,
    config: &Arc<Config>,
    now: DateTime<Utc>,
    sweep: Sweep,
) -> Result<ErasedRows, SweepError> {
    let audiences = reachable_audiences(store, cache, config).await?;
    store
        .mark_audience_reach(&audiences, now.timestamp_millis())
        .await?;
    let cutoffs = retention_cutoffs(&config.people_retention, now);
    Ok(match sweep {
        Sweep::DryRun => store.count_erasable(cutoffs).await?,
        Sweep::Erase => store.erase_expired(cutoffs, now.timestamp_millis()).await?,
    })
}

/// Every (channel, segment) a send of a scheduled, running or paused version addresses, its
/// campaign not killed.
async fn reachable_audiences<S: Store>(
    store: &S,
    cache: &VersionCache,
    config: &Arc<Config>,
) -> Result<Vec<(String, String)>, SweepError> {
    let mut audiences = BTreeSet::new();
    for record in store.versions_in_states(&REACHING).await? {
        if store.is_killed(&record.campaign_id).await? {
            continue;
        }
        match cache
            .get_or_load(&record.hash, &record.bundle, config)
            .await
        {
            Ok(version) => {
                for send in &version.campaign.sends {
                    for channel in &send.channels {
                        for segment in &send.segments {
                            audiences.insert((channel.value.to_string(), segment.clone()));
                        }
                    }
                }
            }
            Err(error) => {
                return Err(SweepError::UnreadableVersion {
                    version: record.hash.short().to_string(),
                    reason: error.to_string(),
                });
            }
        }
    }
    Ok(audiences.into_iter().collect())
}
