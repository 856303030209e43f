//! Telegram Bot API updates, as POSTed to a webhook set with a `secret_token`.
//!
//! * `message` in a private chat: `/start [payload]` subscribes, a stop word unsubscribes, any
//!   other text is [`InboundEvent::Text`]; the chat id is the user, `from.language_code` the
//!   language hint. Messages in groups and channels are not from subscribers and are ignored.
//! * `my_chat_member` in a private chat: `kicked` (the person blocked the bot) unsubscribes,
//!   `member` (they started or unblocked it) subscribes. Telegram sends this as well as the
//!   `/start` message, so callers must treat subscriptions as idempotent.
//! * `callback_query` (an inline button pressed) is a [`InboundEvent::Choice`] by `from.id`,
//!   if the button is on a message the bot sent in a chat (one with a `message.date`).
//!   Telegram does not say when a button was pressed; the press came after the message, so
//!   that message's `date` is its time: a press on a menu older than Telegram's retry window
//!   is refused like a replay (Telegram itself reports a message older than 48 hours with
//!   date 0), and the person is offered a fresh menu instead.
//! * any other update kind is acknowledged and yields nothing.
//!
//! A subscription, an opt-out or a choice carries the update's `update_id` and the message's
//! or member change's `date` as its [`EventStamp`]. Telegram signs nothing (the secret header is the
//! same on every request), so these are as trustworthy as that secret.

use axum::http::HeaderMap;

use super::event::{EventStamp, InboundEvent, OptOutReason};
use super::keywords::{StartCommand, text_event};
use super::payload::{Node, ParseError, parse_json};
use super::signature::{SignatureError, header};

/// The header in which Telegram echoes the webhook's `secret_token`.
pub const TELEGRAM_SECRET_HEADER: &str = "x-telegram-bot-api-secret-token";

/// Checks that an update carries the `secret_token` herald gave `setWebhook`, in constant
/// time. A missing, empty or different token is refused, and so is everything when no secret
/// is configured.
pub fn verify_telegram(headers: &HeaderMap, secret_token: &str) -> Result<(), SignatureError> {
    if secret_token.is_empty() {
        return Err(SignatureError::NotConfigured);
    }
    let given = header(headers, TELEGRAM_SECRET_HEADER)?;
    if crate::auth::constant_time_eq(given.as_bytes(), secret_token.as_bytes()) {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

/// The events in one Telegram update (zero or one; a list so that every platform's parser has
/// the same shape).
pub fn parse_telegram(body: &[u8]) -> Result<Vec<InboundEvent>, ParseError> {
    let value = parse_json(body)?;
    let update = Node::root(&value);
    update.object()?;
    let message = update.field("message");
    if message.is_present() {
        return parse_message(&update, &message);
    }
    let member = update.field("my_chat_member");
    if member.is_present() {
        return parse_member_change(&update, &member);
    }
    let callback = update.field("callback_query");
    if callback.is_present() {
        return parse_callback(&update, &callback);
    }
    Ok(Vec::new())
}

/// Whether the chat is a person's. Telegram's webhook guide still shows a chat without
/// `type` (it predates the field, which the Bot API reference now always sends); such a chat
/// is a person's when its id is positive, as people's ids are and groups' never are.
fn is_private(chat: &Node<'_>) -> Result<bool, ParseError> {
    match chat.field("type").opt_str()? {
        Some(kind) => Ok(kind == "private"),
        None => Ok(chat.field("id").id()?.parse::<i64>().is_ok_and(|id| id > 0)),
    }
}

fn language(from: &Node<'_>) -> Result<Option<String>, ParseError> {
    Ok(from
        .field("language_code")
        .opt_str()?
        .filter(|code| !code.is_empty())
        .map(str::to_string))
}

/// The update's `update_id` and the `date` of what it carries.
fn stamp(update: &Node<'_>, dated: &Node<'_>) -> Result<EventStamp, ParseError> {
    Ok(EventStamp::new(
        update.field("update_id").id()?,
        dated.field("date").timestamp()?,
    ))
}

fn parse_message(update: &Node<'_>, message: &Node<'_>) -> Result<Vec<InboundEvent>, ParseError> {
    message.object()?;
    let chat = message.field("chat");
    if !is_private(&chat)? {
        return Ok(Vec::new());
    }
    let user = chat.field("id").id()?;
    let Some(text) = message.field("text").opt_str()? else {
        // A photo, a sticker, a voice note: nothing herald acts on.
        return Ok(Vec::new());
    };
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    let language = language(&message.field("from"))?;
    Ok(vec![text_event(
        user,
        text,
        StartCommand::Slash,
        language,
        stamp(update, message)?,
    )])
}

fn parse_member_change(
    update: &Node<'_>,
    member: &Node<'_>,
) -> Result<Vec<InboundEvent>, ParseError> {
    member.object()?;
    let chat = member.field("chat");
    if !is_private(&chat)? {
        // The bot added to or removed from a group or channel: an account matter, not a person.
        return Ok(Vec::new());
    }
    let user = chat.field("id").id()?;
    let status = member.field("new_chat_member").field("status").str()?;
    Ok(match status {
        "kicked" => vec![InboundEvent::Unsubscribe {
            user,
            reason: OptOutReason::Blocked,
            stamp: stamp(update, member)?,
        }],
        "member" => vec![InboundEvent::Subscribe {
            user,
            language: language(&member.field("from"))?,
            payload: None,
            stamp: stamp(update, member)?,
        }],
        _ => Vec::new(),
    })
}

fn parse_callback(update: &Node<'_>, callback: &Node<'_>) -> Result<Vec<InboundEvent>, ParseError> {
    callback.object()?;
    let user = callback.field("from").field("id").id()?;
    // Game buttons carry `game_short_name` instead of data: nothing herald offers.
    let Some(data) = callback.field("data").opt_str()? else {
        return Ok(Vec::new());
    };
    // A button on an inline-mode message has no message, hence no time to judge it by.
    let message = callback.field("message");
    if !message.is_present() {
        return Ok(Vec::new());
    }
    Ok(vec![InboundEvent::Choice {
        user,
        data: data.to_string(),
        stamp: stamp(update, &message)?,
    }])
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;
    use serde_json::json;

    fn parse(value: serde_json::Value) -> Vec<InboundEvent> {
        parse_telegram(value.to_string().as_bytes()).unwrap()
    }

    fn private_message(text: &str) -> serde_json::Value {
        json!({
            "update_id": 912345678,
            "message": {
                "message_id": 1365,
                "from": {"id": 5012345678i64, "is_bot": false, "first_name": "A", "language_code": "ar"},
                "chat": {"id": 5012345678i64, "first_name": "A", "type": "private"},
                "date": 1700000000,
                "text": text,
                "entities": [{"offset": 0, "length": 6, "type": "bot_command"}]
            }
        })
    }

    /// The stamp of [`private_message`]: its `update_id` and `date`.
    fn message_stamp() -> EventStamp {
        EventStamp::new(
            "912345678".into(),
            chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
        )
    }

    fn member_change(status: &str) -> serde_json::Value {
        json!({
            "update_id": 912345679,
            "my_chat_member": {
                "chat": {"id": 5012345678i64, "first_name": "A", "type": "private"},
                "from": {"id": 5012345678i64, "is_bot": false, "first_name": "A", "language_code": "fa"},
                "date": 1700000100,
                "old_chat_member": {"user": {"id": 7000000001i64, "is_bot": true, "first_name": "herald"}, "status": "member"},
                "new_chat_member": {"user": {"id": 7000000001i64, "is_bot": true, "first_name": "herald"}, "status": status, "until_date": 0}
            }
        })
    }

    #[test]
    fn secret_token_must_match() {
        let mut headers = HeaderMap::new();
        assert_eq!(
            verify_telegram(&headers, "s3cret-token"),
            Err(SignatureError::Missing)
        );
        headers.insert(TELEGRAM_SECRET_HEADER, HeaderValue::from_static(""));
        assert_eq!(
            verify_telegram(&headers, "s3cret-token"),
            Err(SignatureError::Missing)
        );
        headers.insert(
            TELEGRAM_SECRET_HEADER,
            HeaderValue::from_static("s3cret-tokem"),
        );
        assert_eq!(
            verify_telegram(&headers, "s3cret-token"),
            Err(SignatureError::Mismatch)
        );
        headers.insert(
            TELEGRAM_SECRET_HEADER,
            HeaderValue::from_static("s3cret-token"),
        );
        assert_eq!(verify_telegram(&headers, "s3cret-token"), Ok(()));
        assert_eq!(
            verify_telegram(&headers, ""),
            Err(SignatureError::NotConfigured)
        );
    }

    #[test]
    fn start_with_a_deep_link_payload_subscribes() {
        assert_eq!(
            parse(private_message("/start avr-nl-2027")),
            vec![InboundEvent::Subscribe {
                user: "5012345678".into(),
                language: Some("ar".into()),
                payload: Some("avr-nl-2027".into()),
                stamp: message_stamp()
            }]
        );
    }

    #[test]
    fn stop_words_unsubscribe_and_other_text_is_text() {
        for text in ["/stop", "STOP", " stop ", "توقف", "ARRÊT"] {
            assert_eq!(
                parse(private_message(text)),
                vec![InboundEvent::Unsubscribe {
                    user: "5012345678".into(),
                    reason: OptOutReason::Stop,
                    stamp: message_stamp()
                }],
                "{text}"
            );
        }
        assert_eq!(
            parse(private_message("How do I apply?")),
            vec![InboundEvent::Text {
                user: "5012345678".into(),
                text: "How do I apply?".into()
            }]
        );
    }

    #[test]
    fn group_messages_and_non_text_are_ignored() {
        let mut group = private_message("/start x");
        group["message"]["chat"] =
            json!({"id": -1001234567890i64, "title": "G", "type": "supergroup"});
        assert_eq!(parse(group), vec![]);
        let mut photo = private_message("");
        photo["message"].as_object_mut().unwrap().remove("text");
        photo["message"]["photo"] = json!([{"file_id": "f", "width": 1, "height": 1}]);
        assert_eq!(parse(photo), vec![]);
    }

    #[test]
    fn blocking_and_unblocking_the_bot() {
        let member_stamp = EventStamp::new(
            "912345679".into(),
            chrono::DateTime::from_timestamp(1_700_000_100, 0).unwrap(),
        );
        assert_eq!(
            parse(member_change("kicked")),
            vec![InboundEvent::Unsubscribe {
                user: "5012345678".into(),
                reason: OptOutReason::Blocked,
                stamp: member_stamp.clone()
            }]
        );
        assert_eq!(
            parse(member_change("member")),
            vec![InboundEvent::Subscribe {
                user: "5012345678".into(),
                language: Some("fa".into()),
                payload: None,
                stamp: member_stamp
            }]
        );
        let mut channel = member_change("kicked");
        channel["my_chat_member"]["chat"] =
            json!({"id": -1001234567890i64, "title": "C", "type": "channel"});
        assert_eq!(parse(channel), vec![]);
    }

    #[test]
    fn button_presses_are_choices() {
        let update = json!({
            "update_id": 912345680,
            "callback_query": {
                "id": "4382bfdwdsb323b2d9",
                "from": {"id": 5012345678i64, "is_bot": false, "first_name": "A", "language_code": "en"},
                "message": {"message_id": 1366, "chat": {"id": 5012345678i64, "type": "private"}, "date": 1700000200, "text": "Choose a language"},
                "chat_instance": "-8001234567890123456",
                "data": "locale:ar"
            }
        });
        assert_eq!(
            parse(update.clone()),
            vec![InboundEvent::Choice {
                user: "5012345678".into(),
                data: "locale:ar".into(),
                stamp: EventStamp::new(
                    "912345680".into(),
                    chrono::DateTime::from_timestamp(1_700_000_200, 0).unwrap()
                )
            }]
        );
        let mut inline = update.clone();
        inline["callback_query"]
            .as_object_mut()
            .unwrap()
            .remove("message");
        assert_eq!(parse(inline), vec![]);
    }

    #[test]
    fn unknown_updates_yield_nothing_and_bad_ones_say_where() {
        assert_eq!(
            parse(json!({"update_id": 1, "edited_message": {"text": "x"}})),
            vec![]
        );
        assert_eq!(
            parse(json!({"update_id": 1, "channel_post": {"text": "x"}})),
            vec![]
        );
        let mut no_chat_id = private_message("hi");
        no_chat_id["message"]["chat"]
            .as_object_mut()
            .unwrap()
            .remove("id");
        let error = parse_telegram(no_chat_id.to_string().as_bytes()).unwrap_err();
        assert_eq!(error.path, "message.chat.id");
        assert!(parse_telegram(b"[1]").is_err());
        assert!(parse_telegram(b"not json").is_err());
    }
}
