//! Facebook Pages on the Graph API: page posts (`POST /{version}/{page_id}/feed`) and post
//! insights (`GET /{version}/{post_id}/insights`), in Graph's wire format:
//! `{"id":"{page}_{post}"}` or `{"error":{"message","type","code","error_subcode",
//! "fbtrace_id"}}`, with `X-App-Usage` and `X-Business-Use-Case-Usage` on every answer.
//!
//! What Graph refuses, the sandbox refuses with Graph's codes: no token (190), a missing or
//! too long message or an invalid metric (100), the same text on the same page within a day
//! (506), more calls about a page than its hourly budget (32, with the minutes to wait).
//! Faults: a 429 storm answers code 4 (application limit), a 5xx burst code 2 (service
//! unavailable), a drop publishes and then loses the connection.

use std::collections::HashMap;

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{Extensions, HeaderMap, StatusCode};
use axum::response::Response;
use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::engagement::Engagement;
use super::faults::Rejection;
use super::graph_auth::{graph_token, is_json, without_token};
use super::http_parts::{Answer, form_pairs, pairs_json, param};
use super::limits::retry_after_seconds;
use super::record::Received;
use super::reply::Reply;
use super::{MAX_BODY_BYTES, Sandbox, SandboxState};

/// Longest message Facebook accepts on a page post, in characters.
const MAX_MESSAGE_CHARS: usize = 63_206;
/// How long Facebook remembers a message to refuse posting it again.
const DUPLICATE_WINDOW: Duration = Duration::hours(24);
/// The insights metrics the sandbox computes, with the titles Graph gives them.
const POST_METRICS: [(&str, &str); 4] = [
    (
        "post_total_media_view_unique",
        "Lifetime Post Total Media Views (Unique)",
    ),
    ("post_media_view", "Lifetime Post Media Views"),
    ("post_clicks", "Lifetime Post Clicks"),
    (
        "post_reactions_by_type_total",
        "Lifetime Total post Reactions by Type.",
    ),
];

/// What the sandbox remembers about Facebook posts.
#[derive(Debug, Default)]
pub(crate) struct FacebookState {
    /// Last post number given; ids are never reused, not even after a clear.
    last_post: u64,
    /// When each post was published, for its insights.
    posts: HashMap<String, DateTime<Utc>>,
    /// Messages posted per page within the last day (by digest), for the duplicate check.
    recent: HashMap<(String, [u8; 32]), DateTime<Utc>>,
    /// Size of `recent` at which expired entries are next swept out.
    sweep_at: usize,
    /// Last trace id given (`fbtrace_id`).
    traces: u64,
}

impl FacebookState {
    /// Forgets the duplicate-message memory; published posts stay readable.
    pub(crate) fn forget_traffic(&mut self) {
        self.recent.clear();
    }

    fn next_trace(&mut self) -> String {
        self.traces += 1;
        format!("SbxTrace{:08X}", self.traces)
    }

    fn is_duplicate(&self, page: &str, message: &str, now: DateTime<Utc>) -> bool {
        self.recent
            .get(&(page.to_string(), digest(message)))
            .is_some_and(|at| now - *at < DUPLICATE_WINDOW)
    }

    fn publish(&mut self, page: &str, message: &str, now: DateTime<Utc>) -> String {
        if self.recent.len() >= self.sweep_at {
            self.recent.retain(|_, at| now - *at < DUPLICATE_WINDOW);
            self.sweep_at = (self.recent.len() * 2).max(1024);
        }
        self.recent.insert((page.to_string(), digest(message)), now);
        self.last_post += 1;
        let id = format!("{page}_{}", 100_000_000_000_000 + self.last_post);
        self.posts.insert(id.clone(), now);
        id
    }
}

fn digest(text: &str) -> [u8; 32] {
    Sha256::digest(text.as_bytes()).into()
}

/// Whether a path segment names a Graph API version (`v21.0`).
pub(crate) fn is_graph_version(segment: &str) -> bool {
    let Some(number) = segment.strip_prefix('v') else {
        return false;
    };
    let Some((major, minor)) = number.split_once('.') else {
        return false;
    };
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    digits(major) && digits(minor)
}

/// What Graph's usage headers will say about an answer.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Usage {
    /// Minutes until the page's budget frees (0 when it is not exhausted).
    pub(crate) regain_minutes: u64,
    /// The application-wide limit was hit (the 429-storm fault).
    pub(crate) app_exhausted: bool,
}

/// `X-App-Usage` (every answer) and, for calls about a page, `X-Business-Use-Case-Usage`.
/// Percentages are the page's share of its hourly budget used.
pub(crate) fn usage_headers(
    state: &mut SandboxState,
    page: Option<&str>,
    usage: Usage,
    now: DateTime<Utc>,
) -> Vec<(&'static str, String)> {
    let page_percent = match page {
        Some(page) => {
            let limits = state.config.limits.clone();
            state.limiter.facebook_page_usage(&limits, page, now)
        }
        None => 0,
    };
    let app = if usage.app_exhausted {
        100
    } else {
        page_percent
    };
    let mut headers = vec![(
        "x-app-usage",
        json!({"call_count": app, "total_cputime": app, "total_time": app}).to_string(),
    )];
    if let Some(page) = page {
        let percent = if usage.regain_minutes > 0 {
            100
        } else {
            page_percent
        };
        let mut business = serde_json::Map::new();
        business.insert(
            page.to_string(),
            json!([{
                "type": "pages",
                "call_count": percent,
                "total_cputime": percent,
                "total_time": percent,
                "estimated_time_to_regain_access": usage.regain_minutes,
            }]),
        );
        headers.push((
            "x-business-use-case-usage",
            Value::Object(business).to_string(),
        ));
    }
    headers
}

/// A Graph error answer.
pub(crate) fn graph_error(
    state: &mut SandboxState,
    status: StatusCode,
    code: i64,
    subcode: Option<i64>,
    message: &str,
) -> Reply {
    let mut error = json!({
        "message": message,
        "type": "OAuthException",
        "code": code,
        "is_transient": matches!(code, 1 | 2),
        "fbtrace_id": state.facebook.next_trace(),
    });
    if let Some(subcode) = subcode {
        error["error_subcode"] = subcode.into();
    }
    Reply::json(status, json!({ "error": error }))
}

/// Graph's answer to a path it does not serve.
pub(crate) fn unknown_path(state: &mut SandboxState, segment: &str) -> Reply {
    graph_error(
        state,
        StatusCode::BAD_REQUEST,
        2500,
        None,
        &format!("Unknown path components: /{segment}"),
    )
}

/// Graph's answer to a call without a token.
pub(crate) fn no_token(state: &mut SandboxState) -> Reply {
    graph_error(
        state,
        StatusCode::BAD_REQUEST,
        190,
        None,
        "Invalid OAuth access token - Cannot parse access token",
    )
}

/// Graph's answer to an object that does not exist (or that the token cannot see).
pub(crate) fn unsupported_get(state: &mut SandboxState, object: &str) -> Reply {
    graph_error(
        state,
        StatusCode::BAD_REQUEST,
        100,
        Some(33),
        &format!(
            "Unsupported get request. Object with ID '{object}' does not exist, cannot be loaded due to missing permissions, or does not support this operation."
        ),
    )
}

/// A rejection fault drawn for a Graph call, as Graph shows it: the application limit (code 4)
/// or a temporarily unavailable service (code 2).
pub(crate) fn graph_fault(state: &mut SandboxState, usage: &mut Usage) -> Option<Reply> {
    let faults = state.config.faults.clone();
    match state.dice.roll_rejection(&faults)? {
        Rejection::TooManyRequests => {
            usage.app_exhausted = true;
            Some(graph_error(
                state,
                StatusCode::BAD_REQUEST,
                4,
                None,
                "(#4) Application request limit reached",
            ))
        }
        Rejection::ServerError(code) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            Some(graph_error(
                state,
                status,
                2,
                None,
                "Service temporarily unavailable",
            ))
        }
    }
}

/// Checks the page's hourly budget at `now` and counts this call in it; the code-32 answer
/// when the budget is spent.
fn page_budget(
    state: &mut SandboxState,
    page: &str,
    now: DateTime<Utc>,
    usage: &mut Usage,
) -> Option<Reply> {
    let limits = state.config.limits.clone();
    if let Some(wait) = state.limiter.facebook_page_wait(&limits, page, now) {
        usage.regain_minutes = retry_after_seconds(wait).div_ceil(60);
        return Some(graph_error(
            state,
            StatusCode::BAD_REQUEST,
            32,
            None,
            "(#32) Page request limit reached",
        ));
    }
    state.limiter.facebook_page_admit(&limits, page, now);
    None
}

/// Query parameters worth recording: never a token passed as `access_token`.
pub(crate) fn query_pairs(query: Option<&str>) -> Vec<(String, String)> {
    let mut pairs = form_pairs(query.unwrap_or(""));
    pairs.retain(|(key, _)| key != "access_token");
    pairs
}

/// A feed post as received.
struct FeedRequest<'a> {
    version: &'a str,
    page: &'a str,
    token: Option<String>,
    query: Vec<(String, String)>,
    json_body: bool,
    /// `None` when the body was too large to read.
    body: Option<&'a [u8]>,
}

/// `POST /{version}/{page_id}/feed` with `message` (and `link`) as JSON, a form or query
/// parameters.
pub(crate) async fn feed(
    State(sandbox): State<Sandbox>,
    Path((version, page)): Path<(String, String)>,
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
    let request = FeedRequest {
        version: &version,
        page: &page,
        token: graph_token(&headers, query.as_deref(), body.as_deref().unwrap_or(&[])),
        query: query_pairs(query.as_deref()),
        json_body: is_json(&headers),
        body: body.as_deref(),
    };
    sandbox
        .facebook_feed(&request, at)
        .into_response(&extensions)
}

/// An insights read as received.
struct InsightsRequest<'a> {
    version: &'a str,
    object: &'a str,
    token: Option<String>,
    query: Vec<(String, String)>,
}

/// `GET /{version}/{post_id}/insights?metric=a,b`.
pub(crate) async fn insights(
    State(sandbox): State<Sandbox>,
    Path((version, object)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    extensions: Extensions,
) -> Response {
    let at = sandbox.clock().now();
    if let Some(delay) = sandbox.roll_slow() {
        tokio::time::sleep(delay).await;
    }
    let request = InsightsRequest {
        version: &version,
        object: &object,
        token: graph_token(&headers, query.as_deref(), &[]),
        query: query_pairs(query.as_deref()),
    };
    sandbox
        .facebook_insights(&request, at)
        .into_response(&extensions)
}

impl Sandbox {
    /// Decides and records one feed post.
    fn facebook_feed(&self, request: &FeedRequest<'_>, at: DateTime<Utc>) -> Answer {
        let mut entry = Received::arriving("facebook", request.page, at);
        let now = self.clock().now();
        let mut state = self.state();
        let mut usage = Usage::default();
        let reply = feed_decide(&mut state, request, now, &mut entry, &mut usage);
        entry.status = reply.recorded_status();
        tracing::debug!(
            status = entry.status,
            delivered = entry.delivered,
            "sandbox: facebook feed"
        );
        state.record.push(entry);
        let headers = usage_headers(&mut state, Some(request.page), usage, now);
        Answer { reply, headers }
    }

    /// Decides and records one insights read.
    fn facebook_insights(&self, request: &InsightsRequest<'_>, at: DateTime<Utc>) -> Answer {
        let page = request
            .object
            .split_once('_')
            .map_or(request.object, |(page, _)| page);
        let mut entry = Received::arriving("facebook", page, at);
        entry.recipient = format!("{}/insights", request.object);
        entry.body = pairs_json(&request.query);
        let now = self.clock().now();
        let mut state = self.state();
        let mut usage = Usage::default();
        let reply = insights_decide(&mut state, request, page, now, &mut usage);
        entry.status = reply.recorded_status();
        tracing::debug!(status = entry.status, "sandbox: facebook insights");
        state.record.push(entry);
        let headers = usage_headers(&mut state, Some(page), usage, now);
        Answer { reply, headers }
    }
}

/// The message and link of a feed post, from a JSON body, or a form body and the query.
fn feed_fields(
    request: &FeedRequest<'_>,
    raw: &[u8],
) -> Result<(Value, Option<String>, Option<String>), &'static str> {
    if request.json_body {
        let body: Value = serde_json::from_slice(raw).map_err(|_| "(#100) Invalid JSON body")?;
        if !body.is_object() {
            return Err("(#100) The request body must be a JSON object");
        }
        let text = |name: &str| match body.get(name) {
            Some(Value::String(text)) => Ok(Some(text.clone())),
            None | Some(Value::Null) => Ok(param(&request.query, name).map(str::to_string)),
            Some(_) => Err("(#100) Param message must be a string"),
        };
        let message = text("message")?;
        let link = text("link").map_err(|_| "(#100) Param link must be a URL")?;
        Ok((without_token(body), message, link))
    } else {
        let mut pairs = request.query.clone();
        pairs.extend(form_pairs(&String::from_utf8_lossy(raw)));
        pairs.retain(|(key, _)| key != "access_token");
        let message = param(&pairs, "message").map(str::to_string);
        let link = param(&pairs, "link").map(str::to_string);
        Ok((pairs_json(&pairs), message, link))
    }
}

/// Token, faults, the page's budget, the message, duplicates, then publication.
fn feed_decide(
    state: &mut SandboxState,
    request: &FeedRequest<'_>,
    now: DateTime<Utc>,
    entry: &mut Received,
    usage: &mut Usage,
) -> Reply {
    if !is_graph_version(request.version) {
        return unknown_path(state, request.version);
    }
    let Some(raw) = request.body else {
        return graph_error(
            state,
            StatusCode::PAYLOAD_TOO_LARGE,
            100,
            None,
            "(#100) The request body is too large",
        );
    };
    let fields = feed_fields(request, raw);
    match &fields {
        Ok((body, message, _)) => {
            entry.body = body.clone();
            entry.text = message.clone().unwrap_or_default();
        }
        Err(_) => entry.body = Value::from(String::from_utf8_lossy(raw).into_owned()),
    }
    if request.token.is_none() {
        return no_token(state);
    }
    if let Some(reply) = graph_fault(state, usage) {
        return reply;
    }
    if let Some(reply) = page_budget(state, request.page, now, usage) {
        return reply;
    }
    let (message, link) = match fields {
        Ok((_, message, link)) => (message.unwrap_or_default(), link),
        Err(why) => return graph_error(state, StatusCode::BAD_REQUEST, 100, None, why),
    };
    if message.trim().is_empty() {
        return graph_error(
            state,
            StatusCode::BAD_REQUEST,
            100,
            None,
            "(#100) Missing message or attachment",
        );
    }
    if message.chars().count() > MAX_MESSAGE_CHARS {
        return graph_error(
            state,
            StatusCode::BAD_REQUEST,
            100,
            None,
            &format!("(#100) Param message must be at most {MAX_MESSAGE_CHARS} characters long"),
        );
    }
    if let Some(link) = &link {
        let valid = ["http://", "https://"]
            .iter()
            .any(|scheme| link.len() > scheme.len() && link.starts_with(scheme))
            && !link.contains(char::is_whitespace);
        if !valid {
            return graph_error(
                state,
                StatusCode::BAD_REQUEST,
                100,
                None,
                "(#100) Param link must be a valid URL",
            );
        }
    }
    if state.facebook.is_duplicate(request.page, &message, now) {
        return graph_error(
            state,
            StatusCode::BAD_REQUEST,
            506,
            None,
            "(#506) Duplicate status message",
        );
    }
    let id = state.facebook.publish(request.page, &message, now);
    entry.delivered = true;
    entry.platform_id = Some(id.clone());
    let reply = Reply::json(StatusCode::OK, json!({ "id": id }));
    let faults = state.config.faults.clone();
    if state.dice.roll_drop(&faults) {
        reply.dropped()
    } else {
        reply
    }
}

/// Token, faults, the page's budget, the post, the metrics, then the numbers at `now`.
fn insights_decide(
    state: &mut SandboxState,
    request: &InsightsRequest<'_>,
    page: &str,
    now: DateTime<Utc>,
    usage: &mut Usage,
) -> Reply {
    if !is_graph_version(request.version) {
        return unknown_path(state, request.version);
    }
    if request.token.is_none() {
        return no_token(state);
    }
    if let Some(reply) = graph_fault(state, usage) {
        return reply;
    }
    if let Some(reply) = page_budget(state, page, now, usage) {
        return reply;
    }
    let Some(posted) = state.facebook.posts.get(request.object).copied() else {
        return unsupported_get(state, request.object);
    };
    let metrics: Vec<&str> = param(&request.query, "metric")
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|metric| !metric.is_empty())
        .collect();
    if metrics.is_empty() {
        return graph_error(
            state,
            StatusCode::BAD_REQUEST,
            100,
            None,
            "(#100) The parameter metric is required",
        );
    }
    if metrics
        .iter()
        .any(|metric| !POST_METRICS.iter().any(|(known, _)| known == metric))
    {
        return graph_error(
            state,
            StatusCode::BAD_REQUEST,
            100,
            None,
            "(#100) The value must be a valid insights metric",
        );
    }
    let numbers = Engagement::new(state.engagement_seed).facebook(request.object, now - posted);
    let data: Vec<Value> = metrics
        .iter()
        .filter_map(|metric| POST_METRICS.iter().find(|(known, _)| known == metric))
        .map(|(metric, title)| {
            let value = match *metric {
                "post_total_media_view_unique" => json!(numbers.reach),
                "post_media_view" => json!(numbers.views),
                "post_clicks" => json!(numbers.clicks),
                _ => Value::Object(
                    numbers
                        .reactions
                        .iter()
                        .map(|(kind, count)| (kind.to_string(), json!(count)))
                        .collect(),
                ),
            };
            json!({
                "name": metric,
                "period": "lifetime",
                "values": [{ "value": value }],
                "title": title,
                "id": format!("{}/insights/{metric}/lifetime", request.object),
            })
        })
        .collect();
    let reply = Reply::json(StatusCode::OK, json!({ "data": data }));
    let faults = state.config.faults.clone();
    if state.dice.roll_drop(&faults) {
        reply.dropped()
    } else {
        reply
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graph_versions_look_like_v21_0() {
        assert!(is_graph_version("v21.0"));
        assert!(is_graph_version("v9.12"));
        for bad in ["21.0", "v21", "v.0", "vx.1", "bot123"] {
            assert!(!is_graph_version(bad), "{bad}");
        }
    }

    #[test]
    fn the_same_message_on_the_same_page_is_a_duplicate_for_a_day() {
        let now = DateTime::<Utc>::from_timestamp(1_800_000_000, 0).unwrap();
        let mut state = FacebookState::default();
        let first = state.publish("1", "hello", now);
        assert_eq!(first, "1_100000000000001");
        assert!(state.is_duplicate("1", "hello", now + Duration::hours(23)));
        assert!(!state.is_duplicate("2", "hello", now));
        assert!(!state.is_duplicate("1", "hello!", now));
        assert!(!state.is_duplicate("1", "hello", now + Duration::hours(24)));
        state.forget_traffic();
        assert!(!state.is_duplicate("1", "hello", now));
        assert!(state.posts.contains_key(&first));
    }
}
