//! A failed authentication (API call or web sign-in): why it failed, whose token it named when
//! that is known, and its entry in the audit log. The entry records the address's class, never
//! the address, and the user's id, never the token or any part of its secret. Only failures the
//! [`super::LoginLimiter`] has not yet limited are written (ten a minute per client), so a
//! flood of wrong tokens cannot fill the audit log; the rest are answered 429 unrecorded.

use std::net::IpAddr;
use std::time::Duration;

use super::ApiState;
use crate::audit::NewAuditEntry;
use crate::client_address::address_class;
use crate::store::{Store, UserRecord};

/// Why a token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureReason {
    /// Not of the form `id.secret`.
    Malformed,
    /// No token has this id.
    UnknownToken,
    /// The id is known, the secret is not its.
    WrongSecret,
    Revoked,
    /// Its user's expiry has passed.
    Expired,
}

impl FailureReason {
    pub fn name(self) -> &'static str {
        match self {
            FailureReason::Malformed => "malformed",
            FailureReason::UnknownToken => "unknown_token",
            FailureReason::WrongSecret => "wrong_secret",
            FailureReason::Revoked => "revoked",
            FailureReason::Expired => "expired",
        }
    }
}

/// A refused token: why, and whose it was when its id is known.
#[derive(Debug, Clone)]
pub struct LoginFailure {
    pub reason: FailureReason,
    pub user: Option<UserRecord>,
}

impl LoginFailure {
    pub fn new(reason: FailureReason) -> Self {
        LoginFailure { reason, user: None }
    }

    /// Counts the failure against `client` and, unless the client is already limited, records
    /// it in the audit log (`via`: `api` or `web`). Returns how long the client must wait, as
    /// [`super::LoginLimiter::failed`] does. A failure to write the entry is logged and does not
    /// change the answer.
    pub async fn record(
        &self,
        state: &ApiState,
        client: IpAddr,
        via: &'static str,
    ) -> Option<Duration> {
        let wait = state.limiter.failed(client);
        if wait.is_some() {
            return wait;
        }
        let mut details = serde_json::json!({
            "via": via,
            "reason": self.reason.name(),
            "address_class": address_class(client),
        });
        if let Some(user) = &self.user {
            details["user_id"] = user.id.clone().into();
        }
        let entry = NewAuditEntry {
            at_ms: state.clock.now().timestamp_millis(),
            actor: "unauthenticated".into(),
            action: "login.failed".into(),
            subject: self
                .user
                .as_ref()
                .map_or_else(|| "unknown".to_string(), |u| u.name.clone()),
            version: None,
            details,
        };
        if let Err(error) = state.store.append_audit(&entry).await {
            tracing::error!(%error, "a failed login could not be written to the audit log");
        }
        None
    }
}
