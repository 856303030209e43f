//! Headers and deadlines every response gets, whatever route made it: `nosniff`, no framing,
//! no caching of API answers (they hold campaigns under review and reports), a content
//! security policy for the API and its documentation page, and HSTS when herald is published
//! over https. The web interface sets its own stricter policy, which is kept.

use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// What JSON answers need: nothing may load, nothing may frame them.
const API_POLICY: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";
/// The Swagger page loads its own scripts and styles (served offline by herald) and fetches
/// the OpenAPI document; Swagger UI sets inline styles.
const DOCS_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
/// A year, the value browsers' preload lists expect.
const HSTS: &str = "max-age=31536000";

/// Whether HSTS is sent: only when herald's public URL is https (the proxy terminates TLS).
#[derive(Debug, Clone, Copy)]
pub struct HttpsOnly(pub bool);

pub async fn security_headers(
    State(https): State<HttpsOnly>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_string();
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let mut set = |name: header::HeaderName, value: &'static str| {
        headers
            .entry(name)
            .or_insert(HeaderValue::from_static(value));
    };
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::X_FRAME_OPTIONS, "DENY");
    if path == "/api" || path.starts_with("/api/") {
        let docs = path.starts_with("/api/docs");
        set(
            header::CONTENT_SECURITY_POLICY,
            if docs { DOCS_POLICY } else { API_POLICY },
        );
        set(header::CACHE_CONTROL, "no-store");
        set(header::REFERRER_POLICY, "no-referrer");
    }
    if https.0 {
        set(header::STRICT_TRANSPORT_SECURITY, HSTS);
    }
    response
}

/// Answers 503 when a request (its body included) is not done within `deadline`, on every
/// route: a client that sends its body a byte at a time cannot hold a handler.
pub async fn with_request_deadline(
    State(deadline): State<Duration>,
    request: Request,
    next: Next,
) -> Response {
    match tokio::time::timeout(deadline, next.run(request)).await {
        Ok(response) => response,
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::RETRY_AFTER, "5")],
            "the request took too long",
        )
            .into_response(),
    }
}
