//! Every web route's gate, applied from the route table: a live session (found in the store by
//! the hash of its cookie) whose API token is still valid (revoking or expiring the token ends
//! its sessions at the next click), one of the route's roles (deny by default, a 403 page
//! otherwise), and for every POST the session's CSRF token in the form, compared in constant
//! time. Handlers get the [`Viewer`] and the form.

use axum::body::Body;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};

use super::WebState;
use super::form::{FormFields, MAX_FORM_BYTES};
use super::i18n::{Phrase, UiLanguage, choose_language};
use super::templates::WebError;
use crate::auth::Role;
use crate::store::UserRecord;

/// Who is looking at a page: their user record (roles read afresh on every request), their
/// session's public id, its CSRF token for the page's forms, and the language they read.
#[derive(Clone)]
pub struct Viewer {
    pub user: UserRecord,
    pub session_id: String,
    pub csrf: String,
    /// Their own setting, else their browser's `Accept-Language`, else English.
    pub language: UiLanguage,
    /// Whether the language is their own setting (not negotiated).
    pub chose_language: bool,
}

/// The session id and CSRF token are credentials: never printed, even in debug output.
impl std::fmt::Debug for Viewer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Viewer")
            .field("user", &self.user.name)
            .field("roles", &self.user.roles)
            .field("language", &self.language.tag())
            .finish_non_exhaustive()
    }
}

impl Viewer {
    /// Whether the viewer holds `role`.
    pub fn has(&self, role: Role) -> bool {
        self.user.roles.contains(&role)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Viewer {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Viewer>()
            .cloned()
            .ok_or_else(|| WebError::forbidden(Phrase::new("error-sign-in-first")))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for FormFields {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<FormFields>()
            .cloned()
            .unwrap_or_default())
    }
}

/// The session, token, role and CSRF checks in front of a route with `roles`.
pub async fn require_session(
    State((state, roles)): State<(WebState, &'static [Role])>,
    request: Request,
    next: Next,
) -> Response {
    let is_post = request.method() == Method::POST;
    let secret = request
        .headers()
        .get(header::COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|cookies| state.cookie.read(cookies));
    let Some(secret) = secret else {
        return signed_out(is_post);
    };
    let session = match state.sessions.find(secret).await {
        Ok(Some(session)) => session,
        Ok(None) => return signed_out(is_post),
        Err(error) => return WebError::from(error).into_response(),
    };
    let stored = session.language.as_deref().and_then(UiLanguage::from_tag);
    let viewer = Viewer {
        user: session.user.clone(),
        session_id: session.id.clone(),
        csrf: session.csrf.clone(),
        language: choose_language(session.language.as_deref(), request.headers()),
        chose_language: stored.is_some(),
    };
    if !viewer.user.roles.iter().any(|r| roles.contains(r)) {
        let allowed: Vec<&str> = roles.iter().map(|r| r.name()).collect();
        return WebError::forbidden(
            Phrase::new("error-needs-roles")
                .text("allowed", allowed.join(", "))
                .text("roles", Role::join(&viewer.user.roles)),
        )
        .for_viewer(&viewer)
        .into_response();
    }
    let (mut parts, body) = request.into_parts();
    let body = if is_post {
        let Ok(bytes) = axum::body::to_bytes(body, MAX_FORM_BYTES).await else {
            return WebError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                Phrase::new("error-form-too-large"),
            )
            .for_viewer(&viewer)
            .into_response();
        };
        let form = FormFields::parse(&bytes);
        if !form.get("csrf").is_some_and(|t| session.csrf_matches(t)) {
            tracing::warn!("a form without this session's CSRF token was refused");
            return WebError::forbidden(Phrase::new("error-csrf"))
                .for_viewer(&viewer)
                .into_response();
        }
        parts.extensions.insert(form);
        Body::from(bytes)
    } else {
        body
    };
    parts.extensions.insert(viewer);
    next.run(Request::from_parts(parts, body)).await
}

/// No (live) session: pages send the browser to the login form; forms are refused.
fn signed_out(is_post: bool) -> Response {
    if is_post {
        WebError::forbidden(Phrase::new("error-session-ended")).into_response()
    } else {
        Redirect::to("/ui/login").into_response()
    }
}

/// Headers on every web response: no framing, no referrer to other sites (paths carry campaign
/// names; same-origin keeps the `Origin` header the login form is checked with), no
/// caching of pages with content under review, and a content security policy that allows
/// nothing but herald's own stylesheet and forms (no scripts at all).
pub async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    for (name, value) in [
        (
            "content-security-policy",
            "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
        ("x-frame-options", "DENY"),
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "same-origin"),
        ("cache-control", "no-store"),
    ] {
        headers
            .entry(name)
            .or_insert(HeaderValue::from_static(value));
    }
    response
}
