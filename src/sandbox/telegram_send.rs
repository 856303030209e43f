//! What the sandbox decides for one `sendMessage`: Telegram's checks in the order it reports
//! them, then the injected faults, then the rate limits, then the sent `Message` in the Bot
//! API's documented shape: integer `message_id` and `date`, a typed `chat`, `from` (the bot)
//! or, in a channel, `sender_chat`, and the `text` the person sees with its `entities`.

use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::faults::Rejection;
use super::limits::retry_after_seconds;
use super::record::Received;
use super::reply::Reply;
use super::telegram::{bad_request, error, too_many_requests};
use super::telegram_chat::{Chat, KnownChannels};
use super::telegram_entities::{self, Entity};
use super::{Sandbox, SandboxState, telegram_html};

/// Longest text Telegram sends, in UTF-16 code units after entity parsing.
const MAX_TEXT_UNITS: usize = 4096;

/// A `sendMessage` request that passed validation.
#[derive(Debug)]
pub(crate) struct Message {
    /// The chat as it was asked for (`42`, `-100…` or `@name`): what the record shows.
    pub(crate) requested: String,
    pub(crate) chat: Chat,
    /// The text the person sees and its formatting.
    pub(crate) text: String,
    pub(crate) entities: Vec<Entity>,
}

/// The `parse_mode` asked for: `Some(true)` for HTML, `Some(false)` for none or Markdown
/// (whose text the sandbox passes through unparsed), `None` for one Telegram does not know.
fn html_mode(body: &Value) -> Option<bool> {
    match body.get("parse_mode") {
        None | Some(Value::Null) => Some(false),
        Some(Value::String(mode)) if mode.is_empty() => Some(false),
        Some(Value::String(mode)) if mode.eq_ignore_ascii_case("html") => Some(true),
        Some(Value::String(mode))
            if mode.eq_ignore_ascii_case("markdown") || mode.eq_ignore_ascii_case("markdownv2") =>
        {
            Some(false)
        }
        Some(_) => None,
    }
}

/// Telegram's own checks, in the order it reports them. `blocked` tells whether a chat (by
/// the form it was asked for, or its numeric id) blocked the bot.
pub(crate) fn validate(
    token: &str,
    body: &Value,
    channels: &mut KnownChannels,
    blocked: impl Fn(&str) -> bool,
) -> Result<Message, Reply> {
    if token.is_empty() {
        return Err(error(StatusCode::UNAUTHORIZED, "Unauthorized"));
    }
    if !body.is_object() {
        return Err(bad_request("request body must be a JSON object"));
    }
    let Some(chat) = channels.resolve(body.get("chat_id")) else {
        return Err(bad_request("chat not found"));
    };
    let requested = match body.get("chat_id") {
        Some(Value::String(text)) if text.trim().starts_with('@') => text.trim().to_string(),
        _ => chat.key(),
    };
    let raw = body.get("text").and_then(Value::as_str).unwrap_or("");
    let Some(html) = html_mode(body) else {
        return Err(bad_request("unsupported parse_mode"));
    };
    if raw.trim().is_empty() {
        return Err(bad_request("message text is empty"));
    }
    let (text, entities) = if html {
        telegram_html::check(raw)
            .map_err(|why| bad_request(&format!("can't parse entities: {why}")))?;
        telegram_entities::parse(raw)
    } else {
        telegram_entities::trim(raw.to_string(), Vec::new())
    };
    if text.is_empty() {
        return Err(bad_request("message text is empty"));
    }
    if text.encode_utf16().count() > MAX_TEXT_UNITS {
        return Err(bad_request("message is too long"));
    }
    if blocked(&requested) || blocked(&chat.key()) {
        return Err(error(
            StatusCode::FORBIDDEN,
            "Forbidden: bot was blocked by the user",
        ));
    }
    Ok(Message {
        requested,
        chat,
        text,
        entities,
    })
}

impl Message {
    /// The sent `Message`, as `sendMessage` answers it in `result`.
    fn to_json(&self, token: &str, message_id: i64, date: i64) -> Value {
        let (sender_field, sender) = self.chat.sender(token);
        let mut message = json!({
            "message_id": message_id,
            sender_field: sender,
            "chat": self.chat.to_json(),
            "date": date,
            "text": self.text,
        });
        if !self.entities.is_empty() {
            message["entities"] = self.entities.iter().map(Entity::to_json).collect();
        }
        message
    }
}

impl Sandbox {
    /// Decides and records one `sendMessage`; `parameters` is `None` when the body was too
    /// large to read.
    pub(crate) fn telegram_send(
        &self,
        token: &str,
        at: DateTime<Utc>,
        parameters: Option<Value>,
    ) -> Reply {
        let mut entry = Received::arriving("telegram", token, at);
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
                decide(&mut state, self.clock().now(), token, &mut entry)
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
fn decide(
    state: &mut SandboxState,
    now: DateTime<Utc>,
    token: &str,
    entry: &mut Received,
) -> Reply {
    let blocked = &state.config.blocked_chats;
    let checked = validate(token, &entry.body, &mut state.telegram_channels, |chat| {
        blocked.contains(chat)
    });
    let message = match checked {
        Ok(message) => message,
        Err(reply) => return reply,
    };
    entry.recipient = message.requested.clone();
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
    let (key, kind) = (message.chat.key(), message.chat.limit_kind());
    if let Some(wait) = state.limiter.telegram_wait(limits, token, &key, kind, now) {
        return too_many_requests(retry_after_seconds(wait));
    }
    state.limiter.telegram_admit(limits, token, &key, kind, now);
    let message_id = state.telegram_message_ids.entry(key).or_insert(0);
    *message_id += 1;
    entry.delivered = true;
    entry.platform_id = Some(message_id.to_string());
    let reply = Reply::json(
        StatusCode::OK,
        json!({"ok": true, "result": message.to_json(token, *message_id, now.timestamp())}),
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

    /// Validates `body` for bot `123:ABC`, whom chat 666 and channel `@gone` blocked.
    fn check(body: Value) -> Result<Message, Reply> {
        validate("123:ABC", &body, &mut KnownChannels::default(), |chat| {
            chat == "666" || chat == "@gone"
        })
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
        assert_eq!(ok.requested, "42");
        let ok = check(json!({"chat_id": "-100123", "text": "hi"})).unwrap();
        assert_eq!((ok.requested.as_str(), ok.chat.id), ("-100123", -100123));
        let ok = check(json!({"chat_id": " @news ", "text": "hi"})).unwrap();
        assert_eq!(ok.requested, "@news");
        assert!(ok.chat.id < -1_000_000_000_000);
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
    fn the_answer_is_a_bot_api_message() {
        let private =
            check(json!({"chat_id": 42, "text": " <b>Hi</b> &amp; bye ", "parse_mode": "HTML"}))
                .unwrap();
        assert_eq!(
            private.to_json("123:ABC", 7, 1_700_000_000),
            json!({
                "message_id": 7,
                "from": {"id": 123, "is_bot": true, "first_name": "herald sandbox bot", "username": "sandbox_123_bot"},
                "chat": {"id": 42, "type": "private", "first_name": "Person"},
                "date": 1_700_000_000,
                "text": "Hi & bye",
                "entities": [{"type": "bold", "offset": 0, "length": 2}],
            })
        );
        // Without parse_mode, tags are text and there are no entities.
        let plain = check(json!({"chat_id": "@news", "text": "<b>x</b>"})).unwrap();
        let answer = plain.to_json("123:ABC", 1, 0);
        assert_eq!(answer["text"], "<b>x</b>");
        assert!(answer.get("entities").is_none() && answer.get("from").is_none());
        assert_eq!(answer["sender_chat"], answer["chat"]);
        assert_eq!(answer["chat"]["type"], "channel");
        assert_eq!(answer["chat"]["username"], "news");
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
        assert!(check(json!({"chat_id": 1, "text": "<b>x"})).is_ok());
        assert_eq!(
            refusal(json!({"chat_id": 1, "text": "x", "parse_mode": "XML"})).as_deref(),
            Some("Bad Request: unsupported parse_mode")
        );
        let blocked = Some("Forbidden: bot was blocked by the user");
        assert_eq!(
            refusal(json!({"chat_id": 666, "text": "x"})).as_deref(),
            blocked
        );
        assert_eq!(
            refusal(json!({"chat_id": "@gone", "text": "x"})).as_deref(),
            blocked
        );
        let no_token = validate("", &json!({}), &mut KnownChannels::default(), |_| false);
        assert_eq!(
            no_token.err().map(|r| r.status),
            Some(StatusCode::UNAUTHORIZED)
        );
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
