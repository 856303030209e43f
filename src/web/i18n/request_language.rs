//! The language a request is answered in. The session guard knows the user's own setting; the
//! pages before sign-in (the login form, "your session has ended") and error pages raised
//! before a handler know only the request. So a layer around the whole web router negotiates
//! `Accept-Language` once per request and keeps the result for the request's own task, where
//! the page renderer finds it when no signed-in viewer says otherwise.

use axum::extract::Request;
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::Response;

use super::accept_language::negotiate;
use super::language::UiLanguage;

tokio::task_local! {
    static REQUEST_LANGUAGE: UiLanguage;
}

/// The language for a request: the user's stored choice when it is one the interface has,
/// else the best match for its `Accept-Language`, else English.
pub fn choose_language(stored: Option<&str>, headers: &HeaderMap) -> UiLanguage {
    stored
        .and_then(UiLanguage::from_tag)
        .or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(negotiate)
        })
        .unwrap_or(UiLanguage::ENGLISH)
}

/// Negotiates the request's language and answers it within that choice.
pub async fn language_from_request(request: Request, next: Next) -> Response {
    let language = choose_language(None, request.headers());
    REQUEST_LANGUAGE.scope(language, next.run(request)).await
}

/// The language negotiated for the request being answered (English outside one).
pub fn current_language() -> UiLanguage {
    REQUEST_LANGUAGE
        .try_with(|language| *language)
        .unwrap_or(UiLanguage::ENGLISH)
}
