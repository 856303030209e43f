//! The generic signed webhook receiver (`POST /webhook/{name}`): what a careful partner does
//! with herald's envelope. It rejects forgeries and replays (signature and timestamp), needs an
//! `Idempotency-Key`, and answers a key it already delivered with the first delivery's id
//! instead of delivering twice, so retries after an unknown outcome are safe.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{Extensions, HeaderMap, StatusCode};
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::faults::Rejection;
use super::limits::retry_after_seconds;
use super::record::Received;
use super::reply::Reply;
use super::signature::{self, SignatureError};
use super::{MAX_BODY_BYTES, Sandbox, SandboxState};

/// `POST /webhook/{name}`.
pub(crate) async fn receive(
    State(sandbox): State<Sandbox>,
    Path(name): Path<String>,
    headers: HeaderMap,
    extensions: Extensions,
    body: Body,
) -> Response {
    let at = sandbox.clock().now();
    if let Some(delay) = sandbox.roll_slow() {
        tokio::time::sleep(delay).await;
    }
    let body = axum::body::to_bytes(body, MAX_BODY_BYTES).await.ok();
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::trim)
            .filter(|value| !value.is_empty())
    };
    let request = Request {
        name: &name,
        timestamp: header("x-herald-timestamp"),
        signature: header("x-herald-signature"),
        idempotency_key: header("idempotency-key"),
        body: body.as_deref(),
    };
    sandbox
        .webhook_receive(&request, at)
        .into_response(&extensions)
}

/// The parts of a webhook request the receiver looks at.
struct Request<'a> {
    name: &'a str,
    timestamp: Option<&'a str>,
    signature: Option<&'a str>,
    idempotency_key: Option<&'a str>,
    /// `None` when the body was too large to read.
    body: Option<&'a [u8]>,
}

fn error(status: StatusCode, message: &str) -> Reply {
    Reply::json(status, json!({"error": message}))
}

fn too_many_requests(retry_after: u64) -> Reply {
    error(StatusCode::TOO_MANY_REQUESTS, "too many requests").with_retry_after(retry_after)
}

fn delivered(id: &str) -> Reply {
    Reply::json(StatusCode::OK, json!({"id": id}))
}

/// What the record shows as the text: the envelope's `text`, or the whole body.
fn text_of(body: &Value, raw: &[u8]) -> String {
    match body.get("text") {
        Some(Value::String(text)) => text.clone(),
        Some(other) => other.to_string(),
        None => String::from_utf8_lossy(raw).into_owned(),
    }
}

impl Sandbox {
    /// Decides and records one webhook request that arrived at `at`.
    fn webhook_receive(&self, request: &Request<'_>, at: DateTime<Utc>) -> Reply {
        let mut entry = Received::arriving("webhook", request.name, at);
        entry.idempotency_key = request.idempotency_key.map(str::to_string);
        let now = self.clock().now();
        let mut state = self.state();
        let reply = webhook_decide(&mut state, request, at, now, &mut entry);
        entry.status = reply.recorded_status();
        tracing::debug!(
            endpoint = request.name,
            status = entry.status,
            delivered = entry.delivered,
            duplicate = entry.duplicate,
            "sandbox: webhook"
        );
        state.record.push(entry);
        reply
    }
}

/// Signature, body and key checks, then faults, then duplicates, then limits, then acceptance.
/// The signature is checked against the arrival time `at`, limits at `now`.
fn webhook_decide(
    state: &mut SandboxState,
    request: &Request<'_>,
    at: DateTime<Utc>,
    now: DateTime<Utc>,
    entry: &mut Received,
) -> Reply {
    let Some(raw) = request.body else {
        return error(StatusCode::PAYLOAD_TOO_LARGE, "payload too large");
    };
    let body = serde_json::from_slice::<Value>(raw);
    entry.body = match &body {
        Ok(body) => body.clone(),
        Err(_) => Value::from(String::from_utf8_lossy(raw).into_owned()),
    };
    entry.text = text_of(&entry.body, raw);
    let secret = state.config.webhook_secret(request.name);
    match signature::verify(secret, request.timestamp, request.signature, raw, at) {
        Ok(()) => {}
        Err(SignatureError::Invalid) => {
            return error(StatusCode::UNAUTHORIZED, "invalid signature");
        }
        Err(SignatureError::Stale) => return error(StatusCode::UNAUTHORIZED, "stale timestamp"),
    }
    if body.is_err() {
        return error(StatusCode::BAD_REQUEST, "body must be JSON");
    }
    let Some(key) = request.idempotency_key else {
        return error(StatusCode::BAD_REQUEST, "Idempotency-Key header required");
    };
    let faults = state.config.faults.clone();
    match state.dice.roll_rejection(&faults) {
        Some(Rejection::TooManyRequests) => return too_many_requests(1),
        Some(Rejection::ServerError(code)) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_GATEWAY);
            let reason = status.canonical_reason().unwrap_or("server error");
            return error(status, &reason.to_ascii_lowercase());
        }
        None => {}
    }
    let idempotency = (request.name.to_string(), key.to_string());
    let reply = if let Some(id) = state.idempotency.get(&idempotency) {
        // Already delivered: same answer, no second delivery, and no new place in the window.
        entry.duplicate = true;
        entry.delivered = true;
        entry.platform_id = Some(id.clone());
        delivered(id)
    } else {
        let limits = &state.config.limits;
        if let Some(wait) = state.limiter.webhook_wait(limits, request.name, now) {
            return too_many_requests(retry_after_seconds(wait));
        }
        state.limiter.webhook_admit(limits, request.name, now);
        state.webhook_deliveries += 1;
        let id = format!("wh-{}", state.webhook_deliveries);
        state.idempotency.insert(idempotency, id.clone());
        entry.delivered = true;
        entry.platform_id = Some(id.clone());
        delivered(&id)
    };
    if state.dice.roll_drop(&faults) {
        reply.dropped()
    } else {
        reply
    }
}
