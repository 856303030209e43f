//! The demo's staff: four people with four roles, and four eyes on every version. Each example
//! campaign goes the way a real one does: saved by its author, submitted, approved by someone
//! else, scheduled.

use chrono::{DateTime, Utc};

use crate::auth::{Role, issue_token};
use crate::campaign::{VersionBundle, VersionState};
use crate::platforms::Secret;
use crate::project::Project;
use crate::store::{AnyStore, Store, StoreError};

use super::DemoError;

/// Creates ana (author), ben (approver), sam (scheduler) and eve (evaluator), and takes every
/// campaign of `project` to scheduled.
pub async fn schedule_every_campaign(
    store: &AnyStore,
    project: &Project,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let ms = at.timestamp_millis();
    let ana = store.create_user(STAFF[0].0, &[STAFF[0].1], ms).await?;
    let ben = store.create_user(STAFF[1].0, &[STAFF[1].1], ms).await?;
    store.create_user(STAFF[2].0, &[STAFF[2].1], ms).await?;
    store.create_user(STAFF[3].0, &[STAFF[3].1], ms).await?;
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
            .transition(&version.hash, VersionState::Scheduled, at, STAFF[2].0)
            .await?;
    }
    Ok(())
}

/// One demo user's sign-in, for `herald demo --serve` to print: a real API token of that user
/// in the demo's database, and of no other.
pub struct SignIn {
    pub name: &'static str,
    pub role: Role,
    pub token: Secret,
}

/// The demo's four users, in the order a campaign meets them.
const STAFF: [(&str, Role); 4] = [
    ("ana", Role::Author),
    ("ben", Role::Approver),
    ("sam", Role::Scheduler),
    ("eve", Role::Evaluator),
];

/// Issues one token for each demo user, so that someone browsing the served demo can sign in
/// as each of them. Only the hash of each is stored, as for `herald user add`.
pub async fn sign_in_tokens(store: &AnyStore, at: DateTime<Utc>) -> Result<Vec<SignIn>, DemoError> {
    let ms = at.timestamp_millis();
    let mut sign_ins = Vec::with_capacity(STAFF.len());
    for (name, role) in STAFF {
        let user = store
            .user_by_name(name)
            .await?
            .ok_or_else(|| DemoError::Setup(format!("the demo user {name} is missing")))?;
        let issued = issue_token();
        store
            .add_token(&issued.id, &user.id, &issued.secret_hash, ms)
            .await?;
        sign_ins.push(SignIn {
            name,
            role,
            token: Secret::new(issued.token),
        });
    }
    Ok(sign_ins)
}
