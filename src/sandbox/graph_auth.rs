//! Where a Graph API call carries its access token. Graph takes it as an
//! `Authorization: Bearer` header, as an `access_token` query parameter, or as an
//! `access_token` parameter of a form or JSON body, on every route; client libraries differ
//! (pywa sends the header, facebook-sdk the parameter), so every Graph route of the sandbox
//! (WhatsApp and Pages) accepts all of them, as production does.
//!
//! Any token is accepted (the sandbox needs no real secrets), except one that cannot be a
//! Graph token at all: one with spaces, control or non-ASCII characters, which Graph refuses
//! as it refuses a missing one (190, "Cannot parse access token"). So a client library's
//! handling of a bad token can be rehearsed.
//!
//! The token itself is never recorded: [`without_token`] strips it from what the record keeps.

use axum::http::{HeaderMap, header};
use serde_json::Value;

use super::http_parts::{bearer_token, form_pairs, param};

/// The access token of a Graph call: the bearer header first, then `access_token` in the
/// query, then in the body (form-encoded or JSON, by its content type). `None` when none of
/// them carries one that Graph could parse.
pub(crate) fn graph_token(headers: &HeaderMap, query: Option<&str>, body: &[u8]) -> Option<String> {
    let non_empty = |token: &str| {
        let token = token.trim();
        let parseable = !token.is_empty() && token.bytes().all(|b| b.is_ascii_graphic());
        parseable.then(|| token.to_string())
    };
    if let Some(token) = bearer_token(headers) {
        return non_empty(token);
    }
    let query_pairs = form_pairs(query.unwrap_or(""));
    if let Some(token) = param(&query_pairs, "access_token").and_then(non_empty) {
        return Some(token);
    }
    if is_json(headers) {
        let parsed: Value = serde_json::from_slice(body).ok()?;
        return parsed
            .get("access_token")
            .and_then(Value::as_str)
            .and_then(non_empty);
    }
    let body_pairs = form_pairs(&String::from_utf8_lossy(body));
    param(&body_pairs, "access_token").and_then(non_empty)
}

/// Whether the request says its body is JSON.
pub(crate) fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.to_ascii_lowercase().contains("json"))
}

/// `body` without a top-level `access_token`, for the record (which can be read over HTTP).
pub(crate) fn without_token(mut body: Value) -> Value {
    if let Some(object) = body.as_object_mut() {
        object.remove("access_token");
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;
    use serde_json::json;

    fn headers(content_type: Option<&'static str>, bearer: Option<&'static str>) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Some(kind) = content_type {
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
        }
        if let Some(value) = bearer {
            headers.insert(header::AUTHORIZATION, HeaderValue::from_static(value));
        }
        headers
    }

    #[test]
    fn the_token_comes_from_the_header_the_query_or_the_body() {
        let json = Some("application/json");
        let form = Some("application/x-www-form-urlencoded");
        assert_eq!(
            graph_token(
                &headers(json, Some("Bearer h")),
                Some("access_token=q"),
                b"{}"
            ),
            Some("h".to_string())
        );
        assert_eq!(
            graph_token(
                &headers(None, Some("Bearer not a token")),
                Some("access_token=q"),
                b""
            ),
            None,
            "a header that cannot be a token is refused, not passed over"
        );
        assert_eq!(
            graph_token(&headers(None, None), Some("a=1&access_token=q"), b""),
            Some("q".to_string())
        );
        assert_eq!(
            graph_token(&headers(form, None), None, b"message=hi&access_token=f%2B1"),
            Some("f+1".to_string())
        );
        assert_eq!(
            graph_token(
                &headers(json, None),
                None,
                br#"{"access_token":"j","to":"1"}"#
            ),
            Some("j".to_string())
        );
        for (kind, body) in [
            (json, &br#"{"access_token":""}"#[..]),
            (json, b"not json"),
            (form, b"access_token="),
            (None, b""),
        ] {
            assert_eq!(
                graph_token(&headers(kind, None), Some("access_token=%20"), body),
                None
            );
        }
    }

    #[test]
    fn the_record_never_keeps_the_token() {
        assert_eq!(
            without_token(json!({"access_token": "secret", "to": "1"})),
            json!({"to": "1"})
        );
        assert_eq!(without_token(json!("text")), json!("text"));
    }
}
