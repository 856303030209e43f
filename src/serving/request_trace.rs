//! Every request, on every route (API, web pages, tracking links, partner hooks, probes), gets
//! a request id, a span that carries it, and a place in the HTTP metrics under its matched
//! route template. The id is the caller's `x-request-id` when it is short and plain, so a
//! request can be followed from a proxy's log into herald's, and it is sent back.

use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

use crate::metrics::METRICS;

/// The route label of a request no route matched: raw paths never become label values.
pub const UNMATCHED_ROUTE: &str = "unmatched";

/// The longest `x-request-id` kept from a caller.
const MAX_REQUEST_ID: usize = 64;

/// Wraps each request in a span with its id, method and route, answers with the id, and
/// counts and times it. Added with `Router::layer` after the routes, so that routing has
/// happened and the matched route is known.
pub async fn trace_request(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = request_id(&request);
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or(UNMATCHED_ROUTE, MatchedPath::as_str)
        .to_string();
    let method = request.method().clone();
    let span = tracing::info_span!("request", id = %id, method = %method, route = %route);
    let mut response = next.run(request).instrument(span.clone()).await;
    let status = response.status();
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", value);
    }
    let elapsed = started.elapsed();
    METRICS.http_request(&route, method.as_str(), status.as_u16(), elapsed);
    span.in_scope(|| {
        if status.is_server_error() {
            tracing::warn!(
                status = status.as_u16(),
                elapsed_ms = elapsed.as_millis() as u64,
                "answered"
            );
        } else {
            tracing::debug!(
                status = status.as_u16(),
                elapsed_ms = elapsed.as_millis() as u64,
                "answered"
            );
        }
    });
    response
}

/// The caller's `x-request-id` if it is at most 64 letters, digits and dashes; a new one
/// otherwise.
fn request_id(request: &Request) -> String {
    request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= MAX_REQUEST_ID
                && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        .map(str::to_string)
        .unwrap_or_else(|| crate::auth::random_id(16))
}
