//! X API v2: posting (`POST /2/tweets`), in X's wire format: `{"data":...}` on success,
//! problem JSON (`title`, `detail`, `type`, `status`) or `{"errors":[{"code":88,...}]}` on
//! failure. Lookups are in `x_lookup.rs`, who is calling in `x_auth.rs`.
//!
//! What X refuses, the sandbox refuses: no credentials or a signature that does not verify
//! (401), an app-only bearer token (403 "Unsupported Authentication": posting needs a user),
//! a text over 280 by X's weighting (400), the same text from the same user within a day
//! (403). Posts per user token are limited per 15-minute window, which starts with the
//! window's first post; every answer to a post carries `x-rate-limit-limit`,
//! `x-rate-limit-remaining` and `x-rate-limit-reset` (Unix seconds on the sandbox clock), and
//! past the limit X answers 429 until the reset. Faults: a 429 storm (resetting a second
//! later), 5xx, and a drop after posting.

use std::collections::HashMap;

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{Extensions, HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;
use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::channel::Platform;
use crate::render::{measure, platform_limit};

use super::faults::Rejection;
use super::http_parts::{Answer, form_pairs};
use super::limits::WindowState;
use super::record::Received;
use super::reply::Reply;
use super::x_auth::{
    Caller, NonceMemory, SignedParts, authenticate, problem, unsupported_authentication,
};
use super::{MAX_BODY_BYTES, Sandbox, SandboxState};

/// How long X remembers a text to refuse posting it again.
const DUPLICATE_WINDOW: Duration = Duration::hours(24);
/// The start of X's id clock (snowflake epoch), in Unix milliseconds.
const SNOWFLAKE_EPOCH_MS: i64 = 1_288_834_974_657;

/// What the sandbox remembers about X posts.
#[derive(Debug, Default)]
pub(crate) struct XState {
    /// Last id given; ids only grow.
    last_id: u64,
    /// Every post by id, for lookups and metrics.
    pub(crate) posts: HashMap<String, Post>,
    /// Texts posted per token fingerprint within the last day (by digest).
    recent: HashMap<(String, [u8; 32]), DateTime<Utc>>,
    /// Size of `recent` at which expired entries are next swept out.
    sweep_at: usize,
    /// OAuth 1.0a nonces already used.
    pub(crate) nonces: NonceMemory,
    /// OAuth 2.0 tokens issued by the token endpoint.
    pub(crate) tokens: super::x_oauth2::IssuedTokens,
}

/// One post as the sandbox keeps it.
#[derive(Debug, Clone)]
pub(crate) struct Post {
    pub(crate) at: DateTime<Utc>,
    pub(crate) text: String,
    /// The fingerprint of the user token that posted it.
    pub(crate) author: String,
}

impl XState {
    /// Forgets the duplicate-text memory; posts stay readable.
    pub(crate) fn forget_traffic(&mut self) {
        self.recent.clear();
    }

    fn is_duplicate(&self, account: &str, text: &str, now: DateTime<Utc>) -> bool {
        self.recent
            .get(&(account.to_string(), digest(text)))
            .is_some_and(|at| now - *at < DUPLICATE_WINDOW)
    }

    /// Stores a post and gives it a 19-digit snowflake id (time since X's epoch, then a
    /// sequence), as real ids look.
    fn publish(&mut self, account: &str, text: &str, now: DateTime<Utc>) -> String {
        if self.recent.len() >= self.sweep_at {
            self.recent.retain(|_, at| now - *at < DUPLICATE_WINDOW);
            self.sweep_at = (self.recent.len() * 2).max(1024);
        }
        self.recent.insert((account.to_string(), digest(text)), now);
        let millis = (now.timestamp_millis() - SNOWFLAKE_EPOCH_MS).max(0) as u64;
        let id = (millis << 22).max(self.last_id + 1);
        self.last_id = id;
        let id = id.to_string();
        let post = Post {
            at: now,
            text: text.to_string(),
            author: account.to_string(),
        };
        self.posts.insert(id.clone(), post);
        id
    }
}

fn digest(text: &str) -> [u8; 32] {
    Sha256::digest(text.as_bytes()).into()
}

/// X's answer to a request with invalid parameters.
pub(crate) fn invalid_request(parameter: &str, value: Value, message: &str) -> Reply {
    Reply::json(
        StatusCode::BAD_REQUEST,
        json!({
            "errors": [{"parameters": {parameter: [value]}, "message": message}],
            "title": "Invalid Request",
            "detail": "One or more parameters to your request was invalid.",
            "type": "https://api.twitter.com/2/problems/invalid-request",
        }),
    )
}

fn too_many_requests() -> Reply {
    Reply::json(
        StatusCode::TOO_MANY_REQUESTS,
        json!({
            "errors": [{"code": 88, "message": "Rate limit exceeded"}],
            "title": "Too Many Requests",
        }),
    )
}

/// The `x-rate-limit-*` headers of a window.
fn rate_headers(window: &WindowState) -> Vec<(&'static str, String)> {
    vec![
        ("x-rate-limit-limit", window.limit.to_string()),
        ("x-rate-limit-remaining", window.remaining.to_string()),
        ("x-rate-limit-reset", window.reset.timestamp().to_string()),
    ]
}

/// A rejection fault drawn for an X call: a 429 whose window resets a second later, or a 5xx.
pub(crate) fn x_fault(state: &mut SandboxState, now: DateTime<Utc>) -> Option<Answer> {
    let faults = state.config.faults.clone();
    match state.dice.roll_rejection(&faults)? {
        Rejection::TooManyRequests => {
            let window = WindowState {
                limit: state.config.limits.x_posts_per_15min.unwrap_or(0),
                remaining: 0,
                reset: now + Duration::seconds(1),
                over: true,
            };
            Some(Answer {
                reply: too_many_requests(),
                headers: rate_headers(&window),
            })
        }
        Rejection::ServerError(code) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            let reason = status.canonical_reason().unwrap_or("Server Error");
            Some(Answer {
                reply: problem(status, reason, reason),
                headers: Vec::new(),
            })
        }
    }
}

pub(crate) fn x_entry(account: &str, at: DateTime<Utc>) -> Received {
    Received::arriving("x", account, at)
}

/// `POST /2/tweets` with `{"text": ...}`.
pub(crate) async fn create_tweet(
    State(sandbox): State<Sandbox>,
    method: Method,
    uri: Uri,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    extensions: Extensions,
    body: Body,
) -> Response {
    let at = sandbox.clock().now();
    if let Some(delay) = sandbox.roll_slow() {
        tokio::time::sleep(delay).await;
    }
    let body = axum::body::to_bytes(body, MAX_BODY_BYTES).await.ok();
    // The body is JSON, which an OAuth 1.0a signature does not cover: only the query is signed.
    let params = form_pairs(query.as_deref().unwrap_or(""));
    let parts = SignedParts {
        method: method.as_str(),
        path: uri.path(),
        headers: &headers,
        params: &params,
    };
    sandbox
        .x_create(&parts, body.as_deref(), at)
        .into_response(&extensions)
}

impl Sandbox {
    /// Decides and records one post. The record shows the token's fingerprint, not the token.
    fn x_create(&self, parts: &SignedParts<'_>, body: Option<&[u8]>, at: DateTime<Utc>) -> Answer {
        let now = self.clock().now();
        let mut state = self.state();
        let state = &mut *state;
        let caller = authenticate(
            parts,
            &state.config.rehearsal_credential,
            &mut state.x.nonces,
            &state.x.tokens,
            now,
        );
        let account = match &caller {
            Ok(caller) => caller.fingerprint().to_string(),
            Err(_) => String::new(),
        };
        let mut entry = x_entry(&account, at);
        if let Some(raw) = body {
            entry.body = serde_json::from_slice(raw)
                .unwrap_or_else(|_| Value::from(String::from_utf8_lossy(raw).into_owned()));
            entry.text = entry.body["text"].as_str().unwrap_or_default().to_string();
        }
        let unanswered = |reply| Answer {
            reply,
            headers: Vec::new(),
        };
        let answer = match caller {
            Err(reply) => unanswered(reply),
            Ok(Caller::App(_)) => unanswered(unsupported_authentication()),
            Ok(Caller::User(_)) => create_decide(state, &account, body.is_some(), now, &mut entry),
        };
        entry.status = answer.reply.recorded_status();
        tracing::debug!(
            status = entry.status,
            delivered = entry.delivered,
            "sandbox: x post"
        );
        state.record.push(entry);
        answer
    }
}

/// Faults, the token's window, the text, duplicates, then publication. `entry.body` holds the
/// body as received (`Null` when it was too large to read).
fn create_decide(
    state: &mut SandboxState,
    account: &str,
    readable: bool,
    now: DateTime<Utc>,
    entry: &mut Received,
) -> Answer {
    if let Some(answer) = x_fault(state, now) {
        return answer;
    }
    let limits = state.config.limits.clone();
    let window = state.limiter.x_post_take(&limits, account, now);
    let headers = window.as_ref().map(rate_headers).unwrap_or_default();
    let answer = |reply| Answer {
        reply,
        headers: headers.clone(),
    };
    if window.is_some_and(|window| window.over) {
        return answer(too_many_requests());
    }
    if !readable {
        return answer(problem(
            StatusCode::PAYLOAD_TOO_LARGE,
            "Payload Too Large",
            "The request body is too large.",
        ));
    }
    let text = match entry.body.get("text") {
        Some(Value::String(text)) if !text.trim().is_empty() => text.clone(),
        _ => {
            return answer(invalid_request(
                "text",
                entry.body.get("text").cloned().unwrap_or(Value::Null),
                "The `text` field must be a non-empty string.",
            ));
        }
    };
    let weighted = measure(Platform::X, &text);
    let limit = platform_limit(Platform::X).unwrap_or(280);
    if weighted > limit {
        return answer(invalid_request(
            "text",
            Value::from(text),
            &format!(
                "Tweet text is too long: its weighted length is {weighted}, at most {limit} is allowed."
            ),
        ));
    }
    if state.x.is_duplicate(account, &text, now) {
        return answer(problem(
            StatusCode::FORBIDDEN,
            "Forbidden",
            "You are not allowed to create a Tweet with duplicate content.",
        ));
    }
    let id = state.x.publish(account, &text, now);
    entry.delivered = true;
    entry.platform_id = Some(id.clone());
    let reply = Reply::json(
        StatusCode::CREATED,
        json!({"data": {"id": id, "edit_history_tweet_ids": [id], "text": text}}),
    );
    let faults = state.config.faults.clone();
    if state.dice.roll_drop(&faults) {
        answer(reply.dropped())
    } else {
        answer(reply)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_increasing_nineteen_digit_snowflakes() {
        let now = DateTime::<Utc>::from_timestamp(1_800_000_000, 0).unwrap();
        let mut state = XState::default();
        let first = state.publish("a", "one", now);
        let second = state.publish("a", "two", now);
        assert_eq!(first.len(), 19, "{first}");
        assert!(second.parse::<u64>().unwrap() > first.parse::<u64>().unwrap());
        assert!(state.is_duplicate("a", "one", now + Duration::hours(1)));
        assert!(!state.is_duplicate("b", "one", now));
        assert!(!state.is_duplicate("a", "one", now + Duration::hours(24)));
    }
}
