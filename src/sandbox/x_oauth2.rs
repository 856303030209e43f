//! X's OAuth 2.0 token endpoint for user context, `POST /2/oauth2/token` with
//! `grant_type=refresh_token`, as X runs it: every refresh spends the refresh token sent and
//! answers a new one with an access token that expires (`expires_in`, two hours by default,
//! [`super::SandboxConfig::x_access_token_lifetime`] for a test that wants them to expire in
//! the middle of a campaign). A spent, revoked or unknown refresh token gets X's 400
//! `invalid_request` "Value passed for the token was invalid."; an expired access token gets
//! 401 on every endpoint, as X answers it.
//!
//! Clients: a public client names its `client_id` in the form; a confidential one sends
//! `client_id:client_secret` as HTTP Basic credentials, and its secret must be the rehearsal
//! credential (else 401 `unauthorized_client`). The rehearsal credential is also a refresh
//! token that never wears out, so that a rehearsing herald (which sends it for every
//! credential) can start; tokens the sandbox issues wear out at their first use.

use std::collections::HashMap;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde_json::json;
use subtle::ConstantTimeEq;

use super::Sandbox;
use super::http_parts::{form_pairs, param, token_fingerprint};
use super::reply::Reply;
use super::x_auth::basic_credentials;

/// How every access token the sandbox issues begins: what tells it from an app-only token or
/// a test's made-up user token.
pub(crate) const ACCESS_PREFIX: &str = "sbx-at-";
const REFRESH_PREFIX: &str = "sbx-rt-";
/// The longest form read from the token endpoint.
const MAX_FORM_BYTES: usize = 8 * 1024;

/// The tokens the sandbox has issued, and what became of them.
#[derive(Debug, Default)]
pub(crate) struct IssuedTokens {
    /// Refresh tokens by value: the client they belong to, and whether they are spent.
    refresh: HashMap<String, RefreshGrant>,
    /// Access tokens by value: the user they act for (a fingerprint) and when they expire.
    access: HashMap<String, (String, DateTime<Utc>)>,
    /// Refreshes answered with new tokens, and refused.
    pub(crate) granted: u64,
    pub(crate) refused: u64,
}

#[derive(Debug, Clone)]
struct RefreshGrant {
    client_id: String,
    spent: bool,
}

/// What an access token of the sandbox's is worth now.
pub(crate) enum AccessCheck {
    /// Valid: acting for this user (a fingerprint).
    User(String),
    /// Expired or never issued: X's 401.
    Refused,
}

impl IssuedTokens {
    /// The user an issued access token acts for, unless it expired (or was never issued).
    pub(crate) fn check(&self, token: &str, now: DateTime<Utc>) -> AccessCheck {
        match self.access.get(token) {
            Some((user, expires)) if now < *expires => AccessCheck::User(user.clone()),
            _ => AccessCheck::Refused,
        }
    }

    /// A new refresh token for `client_id`, for a test to store as if an operator had run
    /// X's authorization flow.
    pub(crate) fn authorize(&mut self, client_id: &str) -> String {
        let token = format!("{REFRESH_PREFIX}{}", random_hex());
        self.refresh.insert(
            token.clone(),
            RefreshGrant {
                client_id: client_id.to_string(),
                spent: false,
            },
        );
        token
    }

    /// Spends `refresh_token` for new tokens, or says why not.
    fn refresh(
        &mut self,
        client_id: &str,
        refresh_token: &str,
        standing: &str,
        lifetime: chrono::Duration,
        now: DateTime<Utc>,
    ) -> Option<(String, String)> {
        let is_standing: bool = refresh_token.as_bytes().ct_eq(standing.as_bytes()).into();
        if !is_standing {
            let grant = self.refresh.get_mut(refresh_token)?;
            if grant.spent || grant.client_id != client_id {
                return None;
            }
            grant.spent = true;
        }
        let access = format!("{ACCESS_PREFIX}{}", random_hex());
        // The user is the client's: X's tokens act for the user who authorized the client.
        let user = token_fingerprint(client_id);
        self.access.retain(|_, (_, expires)| now < *expires);
        self.access.insert(access.clone(), (user, now + lifetime));
        let next = self.authorize(client_id);
        Some((access, next))
    }
}

/// 128 random bits in hex (a counter's worth of uniqueness should the system's randomness
/// fail, which only a broken machine sees).
fn random_hex() -> String {
    let mut bytes = [0u8; 16];
    if getrandom::fill(&mut bytes).is_err() {
        bytes = rand_fallback();
    }
    hex::encode(bytes)
}

fn rand_fallback() -> [u8; 16] {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&NEXT.fetch_add(1, Ordering::Relaxed).to_be_bytes());
    bytes
}

/// `POST /2/oauth2/token`.
pub(crate) async fn user_token(
    State(sandbox): State<Sandbox>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Response {
    if let Some(delay) = sandbox.roll_slow() {
        tokio::time::sleep(delay).await;
    }
    let body = axum::body::to_bytes(body, MAX_FORM_BYTES).await.ok();
    let form = body
        .map(|bytes| form_pairs(&String::from_utf8_lossy(&bytes)))
        .unwrap_or_default();
    let reply = sandbox.x_refresh(&headers, &form);
    (reply.status, axum::Json(reply.body)).into_response()
}

impl Sandbox {
    fn x_refresh(&self, headers: &HeaderMap, form: &[(String, String)]) -> Reply {
        let now = self.clock().now();
        let mut state = self.state();
        let state = &mut *state;
        let secret = state.config.rehearsal_credential.clone();
        let lifetime = chrono::Duration::from_std(state.config.x_access_token_lifetime)
            .unwrap_or_else(|_| chrono::Duration::hours(2));
        let issued = &mut state.x.tokens;
        let mut refuse = |status, error, description| {
            issued.refused += 1;
            oauth_error(status, error, description)
        };
        let unauthorized = StatusCode::UNAUTHORIZED;
        let client_id = match basic_credentials(headers) {
            Some((id, given)) if bool::from(given.as_bytes().ct_eq(secret.as_bytes())) => id,
            Some(_) => {
                return refuse(
                    unauthorized,
                    "unauthorized_client",
                    "Missing valid authorization header",
                );
            }
            None => match param(form, "client_id").filter(|id| !id.is_empty()) {
                Some(id) => id.to_string(),
                None => {
                    return refuse(
                        unauthorized,
                        "unauthorized_client",
                        "Missing valid authorization header",
                    );
                }
            },
        };
        if param(form, "grant_type") != Some("refresh_token") {
            return refuse(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "Grant type is not supported.",
            );
        }
        let Some(refresh_token) = param(form, "refresh_token").filter(|t| !t.is_empty()) else {
            return refuse(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "Missing required parameter [refresh_token].",
            );
        };
        match issued.refresh(&client_id, refresh_token, &secret, lifetime, now) {
            Some((access, refresh)) => {
                issued.granted += 1;
                tracing::debug!(granted = issued.granted, "sandbox: x token refreshed");
                Reply::json(
                    StatusCode::OK,
                    json!({
                        "token_type": "bearer",
                        "expires_in": lifetime.num_seconds(),
                        "access_token": access,
                        "scope": "tweet.read tweet.write users.read offline.access",
                        "refresh_token": refresh,
                    }),
                )
            }
            None => {
                issued.refused += 1;
                oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "Value passed for the token was invalid.",
                )
            }
        }
    }

    /// A refresh token for `client_id` that the sandbox's token endpoint accepts once, as X's
    /// authorization flow (run elsewhere) would give one.
    pub fn authorize_x_client(&self, client_id: &str) -> String {
        self.state().x.tokens.authorize(client_id)
    }

    /// How many X token refreshes the sandbox granted and refused.
    pub fn x_token_refreshes(&self) -> (u64, u64) {
        let state = self.state();
        (state.x.tokens.granted, state.x.tokens.refused)
    }
}

/// An RFC 6749 error answer, as X's token endpoint sends them.
fn oauth_error(status: StatusCode, error: &str, description: &str) -> Reply {
    Reply::json(
        status,
        json!({"error": error, "error_description": description}),
    )
}
