//! The parameters of a Bot API call, in every form Telegram documents: a query string, an
//! `application/x-www-form-urlencoded` body (what python-telegram-bot and aiogram send), or a
//! JSON body. Form and query values arrive as strings, as they do on Telegram, which reads
//! `"123"` as the number 123 wherever it expects one. (`multipart/form-data`, which Telegram
//! takes for file uploads, is not emulated: herald sends no files.)

use axum::http::HeaderMap;
use axum::http::header::CONTENT_TYPE;
use serde_json::{Map, Value};

use super::http_parts::form_pairs;

/// The call's parameters as one JSON object; `None` when the body is neither a JSON object nor
/// a form, or the same parameter comes both in the query and in the body.
pub(crate) fn parameters(headers: &HeaderMap, query: Option<&str>, body: &[u8]) -> Option<Value> {
    let mut parameters = Map::new();
    for (name, value) in form_pairs(query.unwrap_or("")) {
        parameters.insert(name, Value::String(value));
    }
    let from_body = body_parameters(headers, body)?;
    for (name, value) in from_body {
        if parameters.insert(name, value).is_some() {
            return None;
        }
    }
    Some(Value::Object(parameters))
}

fn body_parameters(headers: &HeaderMap, body: &[u8]) -> Option<Map<String, Value>> {
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if body.iter().all(u8::is_ascii_whitespace) {
        return Some(Map::new());
    }
    if content_type.starts_with("application/x-www-form-urlencoded") {
        let text = std::str::from_utf8(body).ok()?;
        return Some(
            form_pairs(text)
                .into_iter()
                .map(|(name, value)| (name, Value::String(value)))
                .collect(),
        );
    }
    match serde_json::from_slice::<Value>(body).ok()? {
        Value::Object(map) => Some(map),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn form() -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static("application/x-www-form-urlencoded"),
        );
        headers
    }

    #[test]
    fn a_form_a_json_body_and_a_query_string_give_the_same_parameters() {
        let from_form = parameters(&form(), None, b"chat_id=42&text=caf%C3%A9+ok").unwrap();
        assert_eq!(from_form["chat_id"], "42");
        assert_eq!(from_form["text"], "café ok");
        let from_json =
            parameters(&HeaderMap::new(), None, br#"{"chat_id":42,"text":"x"}"#).unwrap();
        assert_eq!(from_json["chat_id"], 42);
        let from_query =
            parameters(&HeaderMap::new(), Some("url=https%3A%2F%2Fa.b%2Fh"), b"").unwrap();
        assert_eq!(from_query["url"], "https://a.b/h");
    }

    #[test]
    fn what_is_neither_an_object_nor_a_form_is_refused() {
        assert!(parameters(&HeaderMap::new(), None, b"[1,2]").is_none());
        assert!(parameters(&HeaderMap::new(), None, b"chat_id=1").is_none());
        assert!(parameters(&form(), Some("chat_id=1"), b"chat_id=2").is_none());
    }
}
