//! Telegram Bot API `sendMessage`, at Telegram's path (`/bot{token}/sendMessage`) and in its
//! wire format: `{"ok":true,"result":{...}}` or `{"ok":false,"error_code":N,"description":...}`,
//! with 429 carrying `parameters.retry_after` and no `Retry-After` header, as Telegram does.
//! Also `setWebhook`, `deleteWebhook` and `getWebhookInfo`, which say where the updates of
//! [`Sandbox::simulate_person`] go, and `getMe`, which bot frameworks call at start-up. Every
//! call takes its parameters as Telegram does: query string, form or JSON body.

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{Extensions, HeaderMap, StatusCode};
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::channel::Platform;
use crate::render::measure;

use super::callbacks::Registration;
use super::faults::Rejection;
use super::limits::{ChatKind, retry_after_seconds};
use super::record::Received;
use super::reply::Reply;
use super::telegram_request::parameters;
use super::{MAX_BODY_BYTES, Sandbox, SandboxState, telegram_html};

/// Longest text Telegram sends, in UTF-16 code units after entity parsing.
const MAX_TEXT_UNITS: usize = 4096;

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
    let Some(id) = token
        .split_once(':')
        .and_then(|(id, _)| id.parse::<u64>().ok())
    else {
        return error(StatusCode::UNAUTHORIZED, "Unauthorized").into_response(&extensions);
    };
    Reply::json(
        StatusCode::OK,
        json!({"ok": true, "result": {
            "id": id,
            "is_bot": true,
            "first_name": "herald sandbox bot",
            "username": format!("sandbox_{id}_bot"),
            "can_join_groups": true,
            "can_read_all_group_messages": false,
            "supports_inline_queries": false,
        }}),
    )
    .into_response(&extensions)
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

/// A Telegram error answer.
fn error(status: StatusCode, description: &str) -> Reply {
    Reply::json(
        status,
        json!({"ok": false, "error_code": status.as_u16(), "description": description}),
    )
}

fn bad_request(description: &str) -> Reply {
    error(
        StatusCode::BAD_REQUEST,
        &format!("Bad Request: {description}"),
    )
}

fn too_many_requests(retry_after: u64) -> Reply {
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

/// A `sendMessage` request that passed validation.
struct Message {
    /// The chat id as the record and the limits key it: the number, or `@name`.
    chat: String,
    /// The chat id as the answer shows it (a number, or `@name`).
    chat_json: Value,
    kind: ChatKind,
    text: String,
}

/// The chat a `chat_id` names: a non-zero integer (as a number or a numeric string) or a
/// channel username `@name`.
fn chat_of(value: Option<&Value>) -> Option<(String, Value, ChatKind)> {
    let by_id = |id: i64| {
        let kind = match id.signum() {
            1 => ChatKind::Private,
            -1 => ChatKind::GroupOrChannel,
            _ => return None,
        };
        Some((id.to_string(), Value::from(id), kind))
    };
    match value? {
        Value::Number(number) => by_id(number.as_i64()?),
        Value::String(text) => {
            let text = text.trim();
            match text.strip_prefix('@') {
                Some(name) if !name.is_empty() => Some((
                    text.to_string(),
                    Value::from(text),
                    ChatKind::GroupOrChannel,
                )),
                Some(_) => None,
                None => by_id(text.parse().ok()?),
            }
        }
        _ => None,
    }
}

/// Telegram's own checks, in the order it reports them.
fn validate(
    token: &str,
    body: &Value,
    sandbox_blocked: impl Fn(&str) -> bool,
) -> Result<Message, Reply> {
    if token.is_empty() {
        return Err(error(StatusCode::UNAUTHORIZED, "Unauthorized"));
    }
    if !body.is_object() {
        return Err(bad_request("request body must be a JSON object"));
    }
    let Some((chat, chat_json, kind)) = chat_of(body.get("chat_id")) else {
        return Err(bad_request("chat not found"));
    };
    let text = body.get("text").and_then(Value::as_str).unwrap_or("");
    let html = match body.get("parse_mode") {
        None | Some(Value::Null) => false,
        Some(Value::String(mode)) if mode.is_empty() => false,
        Some(Value::String(mode)) if mode.eq_ignore_ascii_case("html") => true,
        Some(Value::String(mode))
            if mode.eq_ignore_ascii_case("markdown") || mode.eq_ignore_ascii_case("markdownv2") =>
        {
            false
        }
        Some(_) => return Err(bad_request("unsupported parse_mode")),
    };
    if text.trim().is_empty() {
        return Err(bad_request("message text is empty"));
    }
    let length = if html {
        let visible = telegram_html::check(text)
            .map_err(|why| bad_request(&format!("can't parse entities: {why}")))?;
        if visible.trim().is_empty() {
            return Err(bad_request("message text is empty"));
        }
        measure(Platform::Telegram, text)
    } else {
        text.encode_utf16().count()
    };
    if length > MAX_TEXT_UNITS {
        return Err(bad_request("message is too long"));
    }
    if sandbox_blocked(&chat) {
        return Err(error(
            StatusCode::FORBIDDEN,
            "Forbidden: bot was blocked by the user",
        ));
    }
    Ok(Message {
        chat,
        chat_json,
        kind,
        text: text.to_string(),
    })
}

impl Sandbox {
    /// Decides and records one `sendMessage`; `parameters` is `None` when the body was too
    /// large to read.
    fn telegram_send(&self, token: &str, at: DateTime<Utc>, parameters: Option<Value>) -> Reply {
        let mut entry = Received {
            seq: 0,
            platform: "telegram".to_string(),
            account: token.to_string(),
            recipient: String::new(),
            text: String::new(),
            body: Value::Null,
            idempotency_key: None,
            at,
            status: 0,
            delivered: false,
            duplicate: false,
            platform_id: None,
        };
        let mut state = self.state();
        let reply = match parameters {
            None => error(StatusCode::PAYLOAD_TOO_LARGE, "Request Entity Too Large"),
            Some(parameters) => {
                entry.body = parameters;
                entry.recipient = match entry.body.get("chat_id") {
                    Some(Value::String(chat)) => chat.clone(),
                    Some(Value::Number(chat)) => chat.to_string(),
                    _ => String::new(),
                };
                entry.text = entry
                    .body
                    .get("text")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string();
                telegram_decide(&mut state, self.clock().now(), token, &mut entry)
            }
        };
        entry.status = reply.recorded_status();
        tracing::debug!(
            status = entry.status,
            delivered = entry.delivered,
            "sandbox: telegram sendMessage"
        );
        state.record.push(entry);
        reply
    }
}

/// Validation, then faults, then limits, then acceptance, at `now`; fills in `entry`'s outcome.
fn telegram_decide(
    state: &mut SandboxState,
    now: DateTime<Utc>,
    token: &str,
    entry: &mut Received,
) -> Reply {
    let blocked = &state.config.blocked_chats;
    let message = match validate(token, &entry.body, |chat| blocked.contains(chat)) {
        Ok(message) => message,
        Err(reply) => return reply,
    };
    entry.recipient = message.chat.clone();
    let faults = state.config.faults.clone();
    match state.dice.roll_rejection(&faults) {
        Some(Rejection::TooManyRequests) => return too_many_requests(1),
        Some(Rejection::ServerError(code)) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_GATEWAY);
            return error(status, status.canonical_reason().unwrap_or("Server Error"));
        }
        None => {}
    }
    let limits = &state.config.limits;
    if let Some(wait) = state
        .limiter
        .telegram_wait(limits, token, &message.chat, message.kind, now)
    {
        return too_many_requests(retry_after_seconds(wait));
    }
    state
        .limiter
        .telegram_admit(limits, token, &message.chat, message.kind, now);
    let message_id = state
        .telegram_message_ids
        .entry(message.chat.clone())
        .or_insert(0);
    *message_id += 1;
    entry.delivered = true;
    entry.platform_id = Some(message_id.to_string());
    let reply = Reply::json(
        StatusCode::OK,
        json!({
            "ok": true,
            "result": {
                "message_id": *message_id,
                "chat": {"id": message.chat_json},
                "date": now.timestamp(),
                "text": message.text,
            },
        }),
    );
    if state.dice.roll_drop(&faults) {
        reply.dropped()
    } else {
        reply
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Validates `body` for bot `123:ABC`, whom chat 666 blocked.
    fn check(body: Value) -> Result<Message, Reply> {
        validate("123:ABC", &body, |chat| chat == "666")
    }

    /// Telegram's description of why `body` is refused, if it is.
    fn refusal(body: Value) -> Option<String> {
        check(body).err().map(|reply| {
            reply.body["description"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
    }

    #[test]
    fn chat_ids_are_numbers_numeric_strings_or_channel_names() {
        let ok = check(json!({"chat_id": 42, "text": "hi"})).unwrap();
        assert_eq!((ok.chat.as_str(), ok.kind), ("42", ChatKind::Private));
        let ok = check(json!({"chat_id": "-100123", "text": "hi"})).unwrap();
        assert_eq!(
            (ok.chat.as_str(), ok.kind),
            ("-100123", ChatKind::GroupOrChannel)
        );
        assert_eq!(ok.chat_json, json!(-100123));
        let ok = check(json!({"chat_id": "@news", "text": "hi"})).unwrap();
        assert_eq!(ok.chat_json, json!("@news"));
        for bad in [json!(0), json!("@"), json!("news"), json!(1.5), json!(null)] {
            assert_eq!(
                refusal(json!({"chat_id": bad, "text": "hi"})).as_deref(),
                Some("Bad Request: chat not found")
            );
        }
        assert_eq!(
            refusal(json!({"text": "hi"})).as_deref(),
            Some("Bad Request: chat not found")
        );
    }

    #[test]
    fn telegram_errors() {
        let empty = Some("Bad Request: message text is empty");
        assert_eq!(refusal(json!({"chat_id": 1})).as_deref(), empty);
        assert_eq!(
            refusal(json!({"chat_id": 1, "text": " \n"})).as_deref(),
            empty
        );
        assert_eq!(
            refusal(json!({"chat_id": 1, "text": "<b> </b>", "parse_mode": "HTML"})).as_deref(),
            empty
        );
        assert_eq!(
            refusal(json!({"chat_id": 1, "text": "<b>x", "parse_mode": "HTML"})).as_deref(),
            Some(
                "Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"b\""
            )
        );
        // Without parse_mode, tags are just text.
        assert!(check(json!({"chat_id": 1, "text": "<b>x"})).is_ok());
        assert_eq!(
            refusal(json!({"chat_id": 1, "text": "x", "parse_mode": "XML"})).as_deref(),
            Some("Bad Request: unsupported parse_mode")
        );
        assert_eq!(
            refusal(json!({"chat_id": 666, "text": "x"})).as_deref(),
            Some("Forbidden: bot was blocked by the user")
        );
        assert_eq!(
            validate("", &json!({}), |_| false).err().map(|r| r.status),
            Some(StatusCode::UNAUTHORIZED)
        );
    }

    #[test]
    fn secret_tokens_are_what_telegram_allows() {
        assert!(is_secret_token("abc_DEF-123"));
        assert!(is_secret_token(&"a".repeat(256)));
        assert!(!is_secret_token(&"a".repeat(257)));
        assert!(!is_secret_token(""));
        assert!(!is_secret_token("no spaces"));
    }

    #[test]
    fn length_counts_utf16_units_after_entities() {
        let at_limit = "a".repeat(4096);
        assert!(check(json!({"chat_id": 1, "text": at_limit})).is_ok());
        let over = "a".repeat(4097);
        assert_eq!(
            refusal(json!({"chat_id": 1, "text": over})).as_deref(),
            Some("Bad Request: message is too long")
        );
        // Tags and entities do not count in HTML mode.
        let tagged = format!("<b>{}</b>&amp;", "a".repeat(4095));
        assert!(check(json!({"chat_id": 1, "text": tagged, "parse_mode": "HTML"})).is_ok());
        // An emoji outside the BMP is two UTF-16 units.
        let emoji = "😀".repeat(2049);
        assert!(check(json!({"chat_id": 1, "text": emoji})).is_err());
    }
}
