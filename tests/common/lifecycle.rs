//! A campaign version taken through its lifecycle the short way, for tests about what happens
//! once a version is approved or live (dispatch, hooks, clicks, faults): saved as a draft,
//! then moved straight through the store by one actor. Tests of the lifecycle itself (four
//! eyes, refused transitions, races) walk it step by step instead.

use chrono::{DateTime, Utc};
use herald::campaign::{VersionBundle, VersionState};
use herald::store::{Store, VersionRecord};

/// Who moves the version, as the audit log records it.
const ACTOR: &str = "tester";

/// Saves `bundle` and moves it through Submitted to Approved at `at`: where the API leaves a
/// version after four eyes, before it is scheduled.
pub async fn approve_version<S: Store>(
    store: &S,
    bundle: &VersionBundle,
    at: DateTime<Utc>,
) -> VersionRecord {
    let mut version = store.save_version(bundle, at).await.unwrap();
    for state in [VersionState::Submitted, VersionState::Approved] {
        version = store
            .transition(&version.hash, state, at, ACTOR)
            .await
            .unwrap();
    }
    version
}

/// Saves `bundle` and moves it through Submitted and Approved to Scheduled, every step at
/// `at`; returns the scheduled version.
pub async fn schedule_version<S: Store>(
    store: &S,
    bundle: &VersionBundle,
    at: DateTime<Utc>,
) -> VersionRecord {
    let approved = approve_version(store, bundle, at).await;
    store
        .transition(&approved.hash, VersionState::Scheduled, at, ACTOR)
        .await
        .unwrap()
}
