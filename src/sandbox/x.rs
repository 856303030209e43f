//! X API v2: posting (`POST /2/tweets`) and looking posts up with their public metrics
//! (`GET /2/tweets?ids=...&tweet.fields=public_metrics`), in X's wire format: `{"data":...}`
//! on success, problem JSON (`title`, `detail`, `type`) or `{"errors":[{"code":88,...}]}` on
//! failure.
//!
//! What X refuses, the sandbox refuses: no bearer token (401), a text over 280 by X's
//! weighting (400), the same text from the same token within a day (403). Posts per token are
//! limited per 15-minute window, which starts with the window's first post; every answer to a
//! post carries `x-rate-limit-limit`, `x-rate-limit-remaining` and `x-rate-limit-reset` (Unix
//! seconds on the sandbox clock), and past the limit X answers 429 until the reset. Faults: a
//! 429 storm (resetting a second later), 5xx, and a drop after posting.

use std::collections::HashMap;

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{Extensions, HeaderMap, StatusCode};
use axum::response::Response;
use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::channel::Platform;
use crate::render::{measure, platform_limit};

use super::engagement::Engagement;
use super::faults::Rejection;
use super::http_parts::{Answer, bearer_token, form_pairs, pairs_json, param, token_fingerprint};
use super::limits::WindowState;
use super::record::Received;
use super::reply::Reply;
use super::{MAX_BODY_BYTES, Sandbox, SandboxState};

/// How long X remembers a text to refuse posting it again.
const DUPLICATE_WINDOW: Duration = Duration::hours(24);
/// Most ids one lookup takes.
const MAX_LOOKUP_IDS: usize = 100;
/// The start of X's id clock (snowflake epoch), in Unix milliseconds.
const SNOWFLAKE_EPOCH_MS: i64 = 1_288_834_974_657;

/// What the sandbox remembers about X posts.
#[derive(Debug, Default)]
pub(crate) struct XState {
    /// Last id given; ids only grow.
    last_id: u64,
    /// Every post: when it was made and its text, for lookups and metrics.
    posts: HashMap<String, (DateTime<Utc>, String)>,
    /// Texts posted per token fingerprint within the last day (by digest).
    recent: HashMap<(String, [u8; 32]), DateTime<Utc>>,
    /// Size of `recent` at which expired entries are next swept out.
    sweep_at: usize,
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
        self.posts.insert(id.clone(), (now, text.to_string()));
        id
    }
}

fn digest(text: &str) -> [u8; 32] {
    Sha256::digest(text.as_bytes()).into()
}

/// A problem JSON answer (RFC 7807, as X v2 sends).
fn problem(status: StatusCode, title: &str, detail: &str) -> Reply {
    Reply::json(
        status,
        json!({
            "title": title,
            "detail": detail,
            "type": "about:blank",
            "status": status.as_u16(),
        }),
    )
}

fn unauthorized() -> Reply {
    problem(StatusCode::UNAUTHORIZED, "Unauthorized", "Unauthorized")
}

/// X's answer to a request with invalid parameters.
fn invalid_request(parameter: &str, value: Value, message: &str) -> Reply {
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
fn x_fault(state: &mut SandboxState, now: DateTime<Utc>) -> Option<Answer> {
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

fn x_entry(account: &str, at: DateTime<Utc>) -> Received {
    Received {
        seq: 0,
        platform: "x".to_string(),
        account: account.to_string(),
        recipient: String::new(),
        text: String::new(),
        body: Value::Null,
        idempotency_key: None,
        at,
        status: 0,
        delivered: false,
        duplicate: false,
        platform_id: None,
    }
}

/// `POST /2/tweets` with `{"text": ...}`.
pub(crate) async fn create_tweet(
    State(sandbox): State<Sandbox>,
    headers: HeaderMap,
    extensions: Extensions,
    body: Body,
) -> Response {
    let at = sandbox.clock().now();
    if let Some(delay) = sandbox.roll_slow() {
        tokio::time::sleep(delay).await;
    }
    let body = axum::body::to_bytes(body, MAX_BODY_BYTES).await.ok();
    sandbox
        .x_create(bearer_token(&headers), body.as_deref(), at)
        .into_response(&extensions)
}

/// `GET /2/tweets?ids=a,b&tweet.fields=public_metrics`.
pub(crate) async fn lookup_tweets(
    State(sandbox): State<Sandbox>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    extensions: Extensions,
) -> Response {
    let at = sandbox.clock().now();
    if let Some(delay) = sandbox.roll_slow() {
        tokio::time::sleep(delay).await;
    }
    let pairs = form_pairs(query.as_deref().unwrap_or(""));
    sandbox
        .x_lookup(bearer_token(&headers), &pairs, at)
        .into_response(&extensions)
}

impl Sandbox {
    /// Decides and records one post. The record shows the token's fingerprint, not the token.
    fn x_create(&self, token: Option<&str>, body: Option<&[u8]>, at: DateTime<Utc>) -> Answer {
        let account = token.map(token_fingerprint).unwrap_or_default();
        let mut entry = x_entry(&account, at);
        if let Some(raw) = body {
            entry.body = serde_json::from_slice(raw)
                .unwrap_or_else(|_| Value::from(String::from_utf8_lossy(raw).into_owned()));
            entry.text = entry.body["text"].as_str().unwrap_or_default().to_string();
        }
        let now = self.clock().now();
        let mut state = self.state();
        let answer = match token {
            None => Answer {
                reply: unauthorized(),
                headers: Vec::new(),
            },
            Some(_) => create_decide(&mut state, &account, body.is_some(), now, &mut entry),
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

    /// Decides and records one lookup.
    fn x_lookup(
        &self,
        token: Option<&str>,
        query: &[(String, String)],
        at: DateTime<Utc>,
    ) -> Answer {
        let account = token.map(token_fingerprint).unwrap_or_default();
        let mut entry = x_entry(&account, at);
        entry.recipient = "2/tweets".to_string();
        entry.body = pairs_json(query);
        let now = self.clock().now();
        let mut state = self.state();
        let answer = match token {
            None => Answer {
                reply: unauthorized(),
                headers: Vec::new(),
            },
            Some(_) => lookup_decide(&mut state, query, now),
        };
        entry.status = answer.reply.recorded_status();
        tracing::debug!(status = entry.status, "sandbox: x lookup");
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

/// Faults, the ids, then the posts found (with metrics at `now` when asked for) and a
/// "Not Found Error" for each id not found.
fn lookup_decide(
    state: &mut SandboxState,
    query: &[(String, String)],
    now: DateTime<Utc>,
) -> Answer {
    if let Some(answer) = x_fault(state, now) {
        return answer;
    }
    let answer = |reply| Answer {
        reply,
        headers: Vec::new(),
    };
    let raw_ids = param(query, "ids").unwrap_or("");
    let ids: Vec<&str> = raw_ids.split(',').map(str::trim).collect();
    let valid =
        |id: &&str| !id.is_empty() && id.len() <= 19 && id.bytes().all(|b| b.is_ascii_digit());
    if raw_ids.trim().is_empty() {
        return answer(invalid_request(
            "ids",
            Value::from(raw_ids),
            "The `ids` query parameter can not be empty",
        ));
    }
    if let Some(bad) = ids.iter().find(|id| !valid(id)) {
        return answer(invalid_request(
            "ids",
            Value::from(*bad),
            &format!("The `ids` query parameter value [{bad}] is not valid"),
        ));
    }
    if ids.len() > MAX_LOOKUP_IDS {
        return answer(invalid_request(
            "ids",
            Value::from(raw_ids),
            &format!("The `ids` query parameter takes at most {MAX_LOOKUP_IDS} ids"),
        ));
    }
    let with_metrics = param(query, "tweet.fields").is_some_and(|fields| {
        fields
            .split(',')
            .any(|field| field.trim() == "public_metrics")
    });
    let engagement = Engagement::new(state.engagement_seed);
    let mut data = Vec::new();
    let mut errors = Vec::new();
    for id in ids {
        match state.x.posts.get(id) {
            Some((posted, text)) => {
                let mut post = json!({"id": id, "edit_history_tweet_ids": [id], "text": text});
                if with_metrics {
                    let numbers = engagement.x(id, now - *posted);
                    post["public_metrics"] = json!({
                        "retweet_count": numbers.retweets,
                        "reply_count": numbers.replies,
                        "like_count": numbers.likes,
                        "quote_count": numbers.quotes,
                        "bookmark_count": numbers.bookmarks,
                        "impression_count": numbers.impressions,
                    });
                }
                data.push(post);
            }
            None => errors.push(json!({
                "value": id,
                "detail": format!("Could not find tweet with ids: [{id}]."),
                "title": "Not Found Error",
                "resource_type": "tweet",
                "parameter": "ids",
                "resource_id": id,
                "type": "https://api.twitter.com/2/problems/resource-not-found",
            })),
        }
    }
    let mut body = serde_json::Map::new();
    if !data.is_empty() {
        body.insert("data".into(), Value::Array(data));
    }
    if !errors.is_empty() {
        body.insert("errors".into(), Value::Array(errors));
    }
    let reply = Reply::json(StatusCode::OK, Value::Object(body));
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
