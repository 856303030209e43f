//! The JSON bodies the API answers with, as types. Handlers build these rather than ad-hoc
//! JSON, and the OpenAPI document derives its schemas from the same types, so the document
//! cannot describe a body the code does not send. Fields are in alphabetical order, the order
//! in which these bodies were written before they were types, so that clients (and the
//! tutorial's examples) see the same text.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::audit::AuditEntry;
use crate::auth::Role;
use crate::campaign::{ContentHash, VersionBundle, VersionState};
use crate::l10n::CompletenessMatrix;
use crate::platforms::CredentialSource;
use crate::render::PreviewItem;
use crate::source::Severity;
use crate::store::{Decision, SessionListing, StaffEventKind, UserListing};

/// Who the token belongs to.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub name: String,
    pub roles: Vec<Role>,
}

/// A version after a step of its life (uploaded, submitted, approved, scheduled, ...).
#[derive(Debug, Serialize, ToSchema)]
pub struct VersionMoved {
    pub campaign: String,
    pub state: VersionState,
    #[schema(value_type = String)]
    pub version: ContentHash,
}

/// One problem the validator found in an uploaded bundle.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DiagnosticLine {
    pub column: usize,
    pub line: usize,
    pub message: String,
    /// The file inside the bundle (`campaigns/ID.toml`, `locales/LOCALE/ID.ftl`, ...).
    pub path: String,
    pub severity: Severity,
}

/// A stored draft: the validator's warnings and the translation-completeness matrix.
#[derive(Debug, Serialize, ToSchema)]
pub struct Uploaded {
    pub campaign: String,
    pub completeness: CompletenessMatrix,
    pub diagnostics: Vec<DiagnosticLine>,
    pub state: VersionState,
    #[schema(value_type = String)]
    pub version: ContentHash,
}

/// A translation imported: the version it made (a draft, unless the same content already
/// was a version), the version it was made from, and what changed.
#[derive(Debug, Serialize, ToSchema)]
pub struct TranslationImported {
    #[schema(value_type = String)]
    pub base: ContentHash,
    pub campaign: String,
    /// How many strings' words differ from the base version's.
    pub changed: usize,
    pub completeness: CompletenessMatrix,
    pub diagnostics: Vec<DiagnosticLine>,
    pub locale: String,
    /// How many per-string records (status, who, when) the import wrote.
    pub recorded: usize,
    pub state: VersionState,
    #[schema(value_type = String)]
    pub version: ContentHash,
}

/// One version in a campaign's list.
#[derive(Debug, Serialize, ToSchema)]
pub struct VersionSummary {
    pub created_at: DateTime<Utc>,
    pub state: VersionState,
    pub updated_at: DateTime<Utc>,
    #[schema(value_type = String)]
    pub version: ContentHash,
}

/// A campaign's versions, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct VersionList {
    pub campaign: String,
    pub versions: Vec<VersionSummary>,
}

/// A version in full: who wrote it, who decided on it, and its content.
#[derive(Debug, Serialize, ToSchema)]
pub struct VersionDetail {
    pub authors: Vec<String>,
    /// The campaign file, its translations and layouts, as stored.
    #[schema(value_type = Object)]
    pub bundle: VersionBundle,
    pub campaign: String,
    pub created_at: DateTime<Utc>,
    pub decisions: Vec<Decision>,
    pub state: VersionState,
    pub updated_at: DateTime<Utc>,
    #[schema(value_type = String)]
    pub version: ContentHash,
}

/// Every text the version sends (or the selection asked for).
#[derive(Debug, Serialize, ToSchema)]
pub struct Preview {
    pub items: Vec<PreviewItem>,
    #[schema(value_type = String)]
    pub version: ContentHash,
}

/// The kill switch, pulled.
#[derive(Debug, Serialize, ToSchema)]
pub struct Killed {
    pub campaign: String,
    /// Pending jobs and retries that will not run.
    pub cancelled_jobs: u64,
    pub killed: bool,
}

/// Jobs of a version per channel and status.
#[derive(Debug, Serialize, ToSchema)]
pub struct DispatchStatus {
    /// Channel (`platform:account`) to status (`queued`, `sent`, `dead`, ...) to count.
    pub channels: BTreeMap<String, BTreeMap<String, i64>>,
    pub killed: bool,
    pub state: VersionState,
    #[schema(value_type = String)]
    pub version: ContentHash,
}

/// The audit log and whether its hash chain is intact.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditLog {
    pub entries: Vec<AuditEntry>,
    /// What breaks the chain, when it is broken.
    pub problem: Option<String>,
    pub verified: bool,
}

/// Where one credential of an account comes from (never its value).
#[derive(Debug, Serialize, ToSchema)]
pub struct CredentialView {
    pub required: bool,
    pub source: CredentialSource,
    /// The environment variable the configuration names for it.
    pub variable: Option<String>,
}

/// An account's sending rates, as configured.
#[derive(Debug, Serialize, ToSchema)]
pub struct RateView {
    pub daily_cap: Option<u64>,
    pub per_recipient_per_minute: Option<u32>,
    pub per_second: Option<f64>,
}

/// A channel account: whether it can send and where each credential comes from.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountView {
    pub base_url: String,
    pub channel: String,
    pub chats: BTreeMap<String, String>,
    pub credentials: BTreeMap<String, CredentialView>,
    pub platform: String,
    pub rate: RateView,
    pub ready: bool,
    /// The required credentials it still lacks (an X refresh token that X refused counts as
    /// lacking).
    pub waiting_for: Vec<String>,
    /// X's words when it refused the stored refresh token (spent or revoked): the account's
    /// posts wait until a new one is stored.
    pub token_refused: Option<String>,
}

/// Every configured channel account.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountList {
    pub accounts: Vec<AccountView>,
}

/// Live web-interface sessions.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionList {
    pub sessions: Vec<SessionListing>,
}

/// A session ended by an admin.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionEnded {
    /// The session's public id.
    pub ended: String,
    /// Whose session it was.
    pub user: String,
}

/// A user's notification preferences, and the kinds their roles may hear of.
#[derive(Debug, Serialize, ToSchema)]
pub struct PreferencesView {
    pub available_kinds: Vec<StaffEventKind>,
    /// `email`, `webhook` or `none`.
    pub channel: String,
    pub email: Option<String>,
    pub kinds: Vec<StaffEventKind>,
    pub user: String,
}

/// Every user's notification preferences.
#[derive(Debug, Serialize, ToSchema)]
pub struct PreferencesList {
    pub users: Vec<PreferencesView>,
}

/// A dead letter put back in the queue.
#[derive(Debug, Serialize, ToSchema)]
pub struct Retried {
    pub id: i64,
    /// Always `queued`.
    pub status: String,
}

/// Every user, without secrets.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserList {
    pub users: Vec<UserListing>,
}

/// A user just added, with their token: shown once, in this answer only.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserAdded {
    pub name: String,
    pub note: String,
    pub roles: Vec<Role>,
    pub token: String,
    pub token_id: String,
}

/// A user whose tokens were revoked.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserRevoked {
    pub name: String,
    /// The ids of the tokens that stopped working.
    pub revoked_tokens: Vec<String>,
}
