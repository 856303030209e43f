//! Signing in with an API token (checked exactly as the API checks it, under the same
//! failed-login limiter), signing out, and the stylesheet.

use std::net::IpAddr;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;

use crate::api::LoginFailure;
use crate::web::WebState;
use crate::web::form::{FormFields, MAX_FORM_BYTES};
use crate::web::guard::Viewer;
use crate::web::i18n::Phrase;
use crate::web::templates::{WebError, page};

const STYLESHEET: &str = include_str!("../templates/herald.css");

/// The login form.
pub async fn form() -> Response {
    login_page(StatusCode::OK, None)
}

fn login_page(status: StatusCode, error: Option<&'static str>) -> Response {
    let language = crate::web::i18n::current_language();
    let error = error.map(|id| Phrase::new(id).render(language, crate::web::i18n::Place::Text));
    page(
        status,
        &Phrase::new("title-sign-in"),
        None,
        "login",
        &json!({"error": error}),
    )
}

/// Exchanges a valid token for a session cookie; a wrong token counts as a failed login for
/// the client's address, exactly as on the API.
pub async fn submit(State(state): State<WebState>, request: Request) -> Response {
    let client = crate::api::client_ip(&state.api, &request);
    if !same_origin(&request) {
        return WebError::forbidden(Phrase::new("error-foreign-form")).into_response();
    }
    let Ok(body) = axum::body::to_bytes(request.into_body(), MAX_FORM_BYTES).await else {
        return WebError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            Phrase::new("error-form-too-large"),
        )
        .into_response();
    };
    let form = FormFields::parse(&body);
    let token = form.get("token").unwrap_or_default().trim();
    let valid = match crate::api::authenticate(&state.api, token).await {
        Ok(Ok(valid)) => valid,
        Ok(Err(failure)) => return failed_login(&state, client, &failure).await,
        Err(error) => return WebError::from(error).into_response(),
    };
    let secret = match state
        .sessions
        .open(&valid.token_id, &valid.user, valid.expires_at_ms)
        .await
    {
        Ok(secret) => secret,
        Err(error) => return WebError::from(error).into_response(),
    };
    tracing::info!(user = %valid.user.name, "signed in to the web interface");
    let mut response = Redirect::to("/ui").into_response();
    let cookie = state.cookie.set(&secret, state.sessions.policy());
    if let Ok(cookie) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    response
}

/// The login form again, with 401, or with 429 and `Retry-After` once the client has failed
/// too often (counted with the API's failures, and audited as they are).
async fn failed_login(state: &WebState, client: IpAddr, failure: &LoginFailure) -> Response {
    let Some(wait) = failure.record(&state.api, client, "web").await else {
        return login_page(StatusCode::UNAUTHORIZED, Some("login-unknown-token"));
    };
    let mut response = login_page(StatusCode::TOO_MANY_REQUESTS, Some("login-too-many"));
    if let Ok(value) = HeaderValue::from_str(&wait.as_secs().max(1).to_string()) {
        response.headers_mut().insert("retry-after", value);
    }
    response
}

/// A browser sends `Origin` with a form post; one naming another site is refused (the
/// session forms have their CSRF token; this covers the login form, which has no session).
fn same_origin(request: &Request) -> bool {
    let headers = request.headers();
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    origin
        .split_once("://")
        .is_some_and(|(_, authority)| authority == host)
}

/// Ends the session and clears its cookie.
pub async fn logout(State(state): State<WebState>, viewer: Viewer) -> Response {
    if let Err(error) = state.sessions.close(&viewer.session_id).await {
        return WebError::from(error).into_response();
    }
    let mut response = Redirect::to("/ui/login").into_response();
    if let Ok(cookie) = HeaderValue::from_str(&state.cookie.clear()) {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    response
}

/// The one stylesheet (served by herald itself: nothing is fetched from elsewhere).
pub async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        STYLESHEET,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    /// The pages mirror in right-to-left languages only if no rule names a physical side.
    #[test]
    fn the_stylesheet_names_no_physical_side() {
        let rules: String = super::STYLESHEET
            .split("*/")
            .map(|chunk| chunk.split("/*").next().unwrap_or_default())
            .collect();
        for side in [
            "left",
            "right",
            "margin-top",
            "margin-bottom",
            "max-width",
            "min-width",
        ] {
            assert!(!rules.contains(side), "the stylesheet uses `{side}`");
        }
    }
}
