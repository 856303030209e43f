//! The HTTP parts the Graph API and X handle the same way: a bearer token in the
//! `Authorization` header, parameters in a query string or a form-encoded body, and usage
//! headers on the answer.

use axum::http::{Extensions, HeaderMap, HeaderName, HeaderValue};
use axum::response::Response;
use sha2::{Digest, Sha256};

use super::reply::Reply;

/// A decided answer with the headers the partner adds to it (usage, rate-limit state).
pub(crate) struct Answer {
    pub(crate) reply: Reply,
    pub(crate) headers: Vec<(&'static str, String)>,
}

impl Answer {
    /// The HTTP response (or the dropped connection) with the extra headers.
    pub(crate) fn into_response(self, extensions: &Extensions) -> Response {
        let mut response = self.reply.into_response(extensions);
        for (name, value) in self.headers {
            if let Ok(value) = HeaderValue::from_str(&value) {
                response
                    .headers_mut()
                    .insert(HeaderName::from_static(name), value);
            }
        }
        response
    }
}

/// The token of `Authorization: Bearer <token>`, if there is a non-empty one.
pub(crate) fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get("authorization")?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// A short, stable stand-in for a token, for the record and for keying windows: the record
/// can be read over HTTP and must not show credentials.
pub(crate) fn token_fingerprint(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    let hex: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
    format!("token-{hex}")
}

/// The name-value pairs of a query string or an `application/x-www-form-urlencoded` body,
/// decoded, in order.
pub(crate) fn form_pairs(encoded: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(encoded.as_bytes())
        .into_owned()
        .collect()
}

/// The value of parameter `name`, the last one winning as on the Graph API.
pub(crate) fn param<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .rev()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

/// The pairs as a JSON object, for the record.
pub(crate) fn pairs_json(pairs: &[(String, String)]) -> serde_json::Value {
    serde_json::Value::Object(
        pairs
            .iter()
            .map(|(key, value)| (key.clone(), serde_json::Value::from(value.as_str())))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn bearer_tokens_need_the_scheme_and_a_value() {
        let mut headers = HeaderMap::new();
        assert_eq!(bearer_token(&headers), None);
        headers.insert("authorization", HeaderValue::from_static("Bearer abc"));
        assert_eq!(bearer_token(&headers), Some("abc"));
        headers.insert("authorization", HeaderValue::from_static("bearer  abc "));
        assert_eq!(bearer_token(&headers), Some("abc"));
        headers.insert("authorization", HeaderValue::from_static("Bearer "));
        assert_eq!(bearer_token(&headers), None);
        headers.insert("authorization", HeaderValue::from_static("Basic abc"));
        assert_eq!(bearer_token(&headers), None);
    }

    #[test]
    fn forms_decode_like_query_strings() {
        let pairs = form_pairs("message=Hello+world%21&link=https%3A%2F%2Fexample.org&x=1&x=2");
        assert_eq!(param(&pairs, "message"), Some("Hello world!"));
        assert_eq!(param(&pairs, "link"), Some("https://example.org"));
        assert_eq!(param(&pairs, "x"), Some("2"));
        assert_eq!(param(&pairs, "missing"), None);
        assert!(form_pairs("").is_empty());
        let raw = form_pairs("q=a b#c&e=%zz&u=%C3%BC");
        assert_eq!(
            param(&raw, "q"),
            Some("a b#c"),
            "taken as sent, as a URL's query was"
        );
        assert_eq!(param(&raw, "e"), Some("%zz"));
        assert_eq!(param(&raw, "u"), Some("ü"));
    }

    #[test]
    fn fingerprints_hide_the_token() {
        let fingerprint = token_fingerprint("secret-token");
        assert!(!fingerprint.contains("secret"));
        assert_eq!(fingerprint, token_fingerprint("secret-token"));
        assert_ne!(fingerprint, token_fingerprint("other"));
    }
}
