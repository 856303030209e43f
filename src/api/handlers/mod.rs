//! Route handlers, one file per concern.

// Visible to the OpenAPI document, which names each handler's `#[utoipa::path]`.
pub(super) mod accounts;
pub(super) mod content;
pub(super) mod lifecycle;
pub(super) mod operations;
pub(super) mod sessions;

pub use accounts::{accounts, delete_credential, set_credential};
pub(crate) use content::with_loaded;
pub use content::{Bundle, completeness, me, preview, upload, version, versions};
pub use lifecycle::{approve, cancel, pause, reject, resume, schedule, submit};
pub(crate) use lifecycle::{cancel_version, decide, move_to, resume_version};
pub use operations::{audit, compare_reports, dispatch_status, kill, report};
pub use sessions::{end_session, sessions};

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
