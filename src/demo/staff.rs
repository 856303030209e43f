//! The demo's staff: four people with four roles, and four eyes on every version. Each example
//! campaign goes the way a real one does: saved by its author, submitted, approved by someone
//! else, scheduled.

use chrono::{DateTime, Utc};

use crate::auth::Role;
use crate::campaign::{VersionBundle, VersionState};
use crate::project::Project;
use crate::store::{AnyStore, Store, StoreError};

/// Creates ana (author), ben (approver), sam (scheduler) and eve (evaluator), and takes every
/// campaign of `project` to scheduled.
pub async fn schedule_every_campaign(
    store: &AnyStore,
    project: &Project,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let ms = at.timestamp_millis();
    let ana = store.create_user("ana", &[Role::Author], ms).await?;
    let ben = store.create_user("ben", &[Role::Approver], ms).await?;
    store.create_user("sam", &[Role::Scheduler], ms).await?;
    store.create_user("eve", &[Role::Evaluator], ms).await?;
    for loaded in &project.campaigns {
        let bundle = VersionBundle::from_loaded(project, loaded);
        let version = store.save_version(&bundle, at).await?;
        store.add_author(&version.hash, &ana.id).await?;
        store
            .transition(&version.hash, VersionState::Submitted, at, &ana.name)
            .await?;
        store
            .decide(&version.hash, &ben, VersionState::Approved, None, at)
            .await?;
        store
            .transition(&version.hash, VersionState::Scheduled, at, "sam")
            .await?;
    }
    Ok(())
}
