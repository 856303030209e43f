//! The rows of web sessions and of the people behind them, as the store hands them out. None
//! carries a secret: a session is found by the hash of its cookie, and is named to admins by a
//! separate random id.

use serde::Serialize;

use super::UserRecord;

/// A session to open: its public id, the hash of its secret, whose token, and its two ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession {
    pub id: String,
    pub secret_hash: String,
    pub token_id: String,
    pub user_id: String,
    pub at_ms: i64,
    pub idle_until_ms: i64,
    pub expires_at_ms: i64,
}

/// A session found by its secret's hash, with what decides whether it still holds: its ends,
/// whether its token was revoked and when its user expires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundSession {
    pub id: String,
    pub token_id: String,
    pub last_seen_ms: i64,
    pub idle_until_ms: i64,
    pub expires_at_ms: i64,
    pub token_revoked: bool,
    pub user_expires_at_ms: Option<i64>,
    /// The web interface's language the user chose (`None`: their browser's).
    pub language: Option<String>,
    pub user: UserRecord,
}

impl FoundSession {
    /// Whether the session may be used at `now_ms`: neither of its ends passed, its token not
    /// revoked, its user not expired.
    pub fn live_at(&self, now_ms: i64) -> bool {
        now_ms < self.idle_until_ms
            && now_ms < self.expires_at_ms
            && !self.token_revoked
            && self.user_expires_at_ms.is_none_or(|until| now_ms < until)
    }
}

/// A live session as admins see it (`herald user sessions`, `GET /api/v1/sessions`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct SessionListing {
    /// The public id, which ends it; never the cookie's secret.
    pub id: String,
    #[sqlx(rename = "user_name")]
    pub user: String,
    pub token_id: String,
    #[sqlx(rename = "created_at")]
    pub created_ms: i64,
    #[sqlx(rename = "last_seen_at")]
    pub last_seen_ms: i64,
    /// When it ends if left unused.
    #[sqlx(rename = "idle_until")]
    pub idle_until_ms: i64,
    /// When it ends at the latest.
    #[sqlx(rename = "expires_at")]
    pub expires_at_ms: i64,
}

/// A user as `herald user list` shows them: no secret, only token ids.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct UserListing {
    pub name: String,
    pub roles: Vec<crate::auth::Role>,
    pub created_ms: i64,
    /// When their tokens stop working; `None`: never.
    pub expires_at_ms: Option<i64>,
    /// The ids of their tokens that are not revoked.
    pub active_tokens: Vec<String>,
    /// Their live web sessions.
    pub sessions: i64,
}

/// What rotating a user's token did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotation {
    /// The ids of the tokens revoked by the rotation.
    pub revoked: Vec<String>,
    /// Web sessions those tokens had opened, ended with them.
    pub sessions_ended: u64,
}
