//! Route handlers, one file per concern.

// Visible to the OpenAPI document, which names each handler's `#[utoipa::path]`.
pub(super) mod accounts;
pub(super) mod content;
pub(super) mod dead_letters;
pub(super) mod lifecycle;
pub(super) mod notifications;
pub(super) mod operations;
pub(super) mod sessions;
pub(super) mod subscriber_stats;
pub(super) mod translations;
pub(super) mod unknown_outcomes;
pub(super) mod users;

pub use accounts::{accounts, delete_credential, set_credential};
pub(crate) use content::with_loaded;
pub use content::{Bundle, completeness, me, preview, upload, version, versions};
pub use dead_letters::{dead_letters, retry_dead_letter};
pub(crate) use dead_letters::{ended_page, job_id, retry_one};
pub use lifecycle::{approve, cancel, pause, reject, resume, schedule, submit};
pub(crate) use lifecycle::{cancel_version, decide, move_to, resume_version};
pub use notifications::{PreferencesBody, all_preferences, my_preferences, set_my_preferences};
pub(crate) use notifications::{kinds_for, preferences_of, save_preferences};
pub use operations::{audit, compare_reports, dispatch_status, kill, report};
pub use sessions::{end_session, sessions};
pub use subscriber_stats::subscriber_stats;
pub(crate) use subscriber_stats::{protected_stats, threshold};
pub(crate) use translations::exported_strings;
pub use translations::{export_translation, import_translation};
pub(crate) use unknown_outcomes::resolve_one;
pub use unknown_outcomes::{ResolveRequest, resolve_unknown_outcome, unknown_outcomes};
pub use users::NewUser;
pub use users::{add as add_user_route, revoke as revoke_user_route, users};
pub(crate) use users::{add_user, revoke_user};

use super::ApiState;
use super::error::ApiError;
use crate::campaign::ContentHash;
use crate::store::{Store, VersionRecord};

/// The version a path names, or 404.
async fn find_version(state: &ApiState, hash: &str) -> Result<VersionRecord, ApiError> {
    let hash = ContentHash::parse(hash).map_err(|e| ApiError::not_found(e.to_string()))?;
    state
        .store
        .version(&hash)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no campaign version {}", hash.short())))
}
