//! Telegram Bot API `sendMessage`, at Telegram's path (`/bot{token}/sendMessage`) and in its
//! wire format: `{"ok":true,"result":{...}}` or `{"ok":false,"error_code":N,"description":...}`,
//! with 429 carrying `parameters.retry_after` and no `Retry-After` header, as Telegram does.
//! Also `setWebhook`, `deleteWebhook` and `getWebhookInfo`, which say where the updates of
//! [`Sandbox::simulate_person`] go, and `getMe`, which bot frameworks call at start-up. Every
//! call takes its parameters as Telegram does: query string, form or JSON body. What a
//! `sendMessage` answers is decided in `telegram_send`; the chats it names, in `telegram_chat`.

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{Extensions, HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use crate::channel::Platform;

use super::callbacks::Registration;
use super::reply::Reply;
use super::telegram_chat::bot_user;
use super::telegram_request::parameters;
use super::{MAX_BODY_BYTES, Sandbox};

/// `POST /{bot_token}/sendMessage`. axum cannot match part of a segment, so the segment is
/// taken whole and must be `bot` followed by the token.
pub(crate) async fn send_message(
    State(sandbox): State<Sandbox>,
    Path(segment): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    extensions: Extensions,
    body: Body,
) -> Response {
    let Some(token) = segment.strip_prefix("bot") else {
        return error(StatusCode::NOT_FOUND, "Not Found").into_response(&extensions);
    };
    let at = sandbox.clock().now();
    if let Some(delay) = sandbox.roll_slow() {
        tokio::time::sleep(delay).await;
    }
    let body = axum::body::to_bytes(body, MAX_BODY_BYTES).await.ok();
    // What cannot be read as parameters is kept as text, for the record and the refusal.
    let parameters = body.map(|bytes| {
        parameters(&headers, query.as_deref(), &bytes)
            .unwrap_or_else(|| Value::from(String::from_utf8_lossy(&bytes).into_owned()))
    });
    sandbox
        .telegram_send(token, at, parameters)
        .into_response(&extensions)
}

/// Longest `secret_token` Telegram takes.
const MAX_SECRET_TOKEN_CHARS: usize = 256;

/// `POST /bot{token}/setWebhook` `{"url","secret_token"}`: registers where the bot's updates
/// go; an empty or missing `url` removes the webhook, as on Telegram. Unlike Telegram, plain
/// `http://` URLs on any port are accepted, because the receiver is usually on 127.0.0.1.
pub(crate) async fn set_webhook(
    State(sandbox): State<Sandbox>,
    Path(segment): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let extensions = Extensions::new();
    let token = match bot_token(&segment) {
        Ok(token) => token,
        Err(refusal) => return refusal.into_response(&extensions),
    };
    let body = axum::body::to_bytes(body, MAX_BODY_BYTES).await.ok();
    let Some(request) = body
        .as_deref()
        .and_then(|raw| parameters(&headers, query.as_deref(), raw))
    else {
        return bad_request("request body must be a JSON object").into_response(&extensions);
    };
    let url = match request.get("url") {
        None | Some(Value::Null) => "",
        Some(Value::String(url)) => url.trim(),
        Some(_) => {
            return bad_request("bad webhook: url must be a string").into_response(&extensions);
        }
    };
    let secret_token = match request.get("secret_token") {
        None | Some(Value::Null) => None,
        Some(Value::String(secret)) if is_secret_token(secret) => Some(secret.clone()),
        Some(_) => {
            return bad_request("secret token contains unallowed characters")
                .into_response(&extensions);
        }
    };
    let is_http = url.starts_with("http://") || url.starts_with("https://");
    if !url.is_empty() && !is_http {
        return bad_request("bad webhook: An HTTPS URL must be provided for webhook")
            .into_response(&extensions);
    }
    sandbox.inner.callbacks.register(
        Platform::Telegram,
        token,
        Registration {
            url: url.to_string(),
            secret_token,
        },
    );
    let description = if url.is_empty() {
        "Webhook was deleted"
    } else {
        "Webhook was set"
    };
    Reply::json(
        StatusCode::OK,
        json!({"ok": true, "result": true, "description": description}),
    )
    .into_response(&extensions)
}

/// `POST /bot{token}/deleteWebhook`: the bot's updates go nowhere from now on.
pub(crate) async fn delete_webhook(
    State(sandbox): State<Sandbox>,
    Path(segment): Path<String>,
) -> Response {
    let extensions = Extensions::new();
    let token = match bot_token(&segment) {
        Ok(token) => token,
        Err(refusal) => return refusal.into_response(&extensions),
    };
    sandbox.inner.callbacks.register(
        Platform::Telegram,
        token,
        Registration {
            url: String::new(),
            secret_token: None,
        },
    );
    Reply::json(
        StatusCode::OK,
        json!({"ok": true, "result": true, "description": "Webhook was deleted"}),
    )
    .into_response(&extensions)
}

/// `GET|POST /bot{token}/getWebhookInfo`: where the bot's updates go (an empty `url` when
/// nowhere), and none pending, since the sandbox delivers each update as it happens.
pub(crate) async fn get_webhook_info(
    State(sandbox): State<Sandbox>,
    Path(segment): Path<String>,
) -> Response {
    let extensions = Extensions::new();
    let token = match bot_token(&segment) {
        Ok(token) => token,
        Err(refusal) => return refusal.into_response(&extensions),
    };
    let url = sandbox
        .inner
        .callbacks
        .registration(Platform::Telegram, token)
        .map(|registration| registration.url)
        .unwrap_or_default();
    Reply::json(
        StatusCode::OK,
        json!({"ok": true, "result": {
            "url": url,
            "has_custom_certificate": false,
            "pending_update_count": 0,
        }}),
    )
    .into_response(&extensions)
}

/// `GET|POST /bot{token}/getMe`: the bot itself, which every bot framework asks for at
/// start-up. Its id is the token's part before the colon, as on Telegram.
pub(crate) async fn get_me(Path(segment): Path<String>) -> Response {
    let extensions = Extensions::new();
    let token = match bot_token(&segment) {
        Ok(token) => token,
        Err(refusal) => return refusal.into_response(&extensions),
    };
    // Telegram answers 401 to a token that is not `{bot id}:{secret}`.
    let well_formed = token
        .split_once(':')
        .is_some_and(|(id, secret)| id.parse::<u64>().is_ok() && !secret.is_empty());
    if !well_formed {
        return error(StatusCode::UNAUTHORIZED, "Unauthorized").into_response(&extensions);
    }
    let mut me = bot_user(token);
    me["can_join_groups"] = json!(true);
    me["can_read_all_group_messages"] = json!(false);
    me["supports_inline_queries"] = json!(false);
    Reply::json(StatusCode::OK, json!({"ok": true, "result": me})).into_response(&extensions)
}

/// The token in a `bot{token}` path segment, or Telegram's answer when there is none.
fn bot_token(segment: &str) -> Result<&str, Reply> {
    match segment.strip_prefix("bot") {
        None => Err(error(StatusCode::NOT_FOUND, "Not Found")),
        Some("") => Err(error(StatusCode::UNAUTHORIZED, "Unauthorized")),
        Some(token) => Ok(token),
    }
}

/// 1 to 256 characters, letters, digits, `_` and `-` only, as Telegram requires.
fn is_secret_token(secret: &str) -> bool {
    !secret.is_empty()
        && secret.chars().count() <= MAX_SECRET_TOKEN_CHARS
        && secret
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Every path the sandbox does not know, answered as Telegram answers unknown methods.
pub(crate) async fn not_found() -> Response {
    error(StatusCode::NOT_FOUND, "Not Found").into_response(&Extensions::new())
}

/// A Telegram error answer: `{"ok": false, "error_code", "description"}`.
pub(super) fn error(status: StatusCode, description: &str) -> Reply {
    Reply::json(
        status,
        json!({"ok": false, "error_code": status.as_u16(), "description": description}),
    )
}

pub(super) fn bad_request(description: &str) -> Reply {
    error(
        StatusCode::BAD_REQUEST,
        &format!("Bad Request: {description}"),
    )
}

/// A 429 with `parameters.retry_after`, Telegram's only way of saying how long to wait.
pub(super) fn too_many_requests(retry_after: u64) -> Reply {
    Reply::json(
        StatusCode::TOO_MANY_REQUESTS,
        json!({
            "ok": false,
            "error_code": 429,
            "description": format!("Too Many Requests: retry after {retry_after}"),
            "parameters": {"retry_after": retry_after},
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_tokens_are_what_telegram_allows() {
        assert!(is_secret_token("abc_DEF-123"));
        assert!(is_secret_token(&"a".repeat(256)));
        assert!(!is_secret_token(&"a".repeat(257)));
        assert!(!is_secret_token(""));
        assert!(!is_secret_token("no spaces"));
    }
}
