//! Meta's webhooks (WhatsApp Business Cloud API; Facebook Pages use the same signing and
//! handshake): the `X-Hub-Signature-256` check, the `hub.challenge` subscription handshake, and
//! the WhatsApp callback's statuses and messages.
//!
//! * `entry[].changes[]` whose `field` is `messages` are read; other fields (template reviews,
//!   account updates) yield nothing here.
//! * `value.statuses[]` → [`InboundEvent::Status`] (`sent`, `delivered`, `read`, `failed`;
//!   other states are skipped), with `errors[0]` as the error.
//! * `value.messages[]`: text is a stop word → unsubscribe, `START [payload]` → subscribe,
//!   anything else → text; a quick-reply button or an interactive reply → a choice (or an
//!   unsubscription, if it is a stop button). Other message kinds (images, voice) yield nothing.
//!
//! The whole documented envelope is accepted (`entry[].id` is the WhatsApp Business Account,
//! `value.metadata`, `value.contacts` with `wa_id` and the business-scoped `user_id`, statuses
//! with `recipient_user_id` and `pricing`); herald reads only what it needs. A message without
//! a phone number (`from`), from a person known only by a business-scoped user id, yields
//! nothing. The sender's profile name (`value.contacts[].profile.name`) is never read. A subscription
//! or an opt-out carries the message's `id` and `timestamp` (seconds, inside the signed body)
//! as its [`EventStamp`].

use axum::http::HeaderMap;

use super::event::{DeliveryStatus, EventStamp, InboundEvent, OptOutReason, StatusEvent};
use super::keywords::{StartCommand, is_stop_word, text_event};
use super::payload::{Node, ParseError, parse_json};
use super::signature::{SignatureError, header, verify_hmac_sha256_hex};

/// The header carrying `sha256=<hex HMAC-SHA256(app secret, raw body)>`.
pub const HUB_SIGNATURE_HEADER: &str = "x-hub-signature-256";

/// The longest `hub.challenge` echoed back; Meta sends a short number.
const MAX_CHALLENGE: usize = 256;

/// Checks `X-Hub-Signature-256` against the HMAC-SHA256 of the raw body (exactly the bytes
/// received, before any JSON parsing) under the app secret, in constant time.
pub fn verify_hub_signature(
    headers: &HeaderMap,
    raw_body: &[u8],
    app_secret: &str,
) -> Result<(), SignatureError> {
    if app_secret.is_empty() {
        return Err(SignatureError::NotConfigured);
    }
    let value = header(headers, HUB_SIGNATURE_HEADER)?;
    let hex = value
        .trim()
        .strip_prefix("sha256=")
        .ok_or(SignatureError::Malformed)?;
    verify_hmac_sha256_hex(app_secret, raw_body, hex)
}

/// Answers Meta's subscription handshake (`GET ?hub.mode=subscribe&hub.verify_token=...&
/// hub.challenge=...`, `query` being the raw query string): the decoded challenge to echo back
/// as `text/plain`, if the mode is `subscribe` and the verify token matches (compared in
/// constant time). The challenge is refused if it is longer than 256 characters or contains
/// control characters, so it cannot be turned into a reflection of arbitrary content.
pub fn answer_hub_challenge(query: &str, verify_token: &str) -> Result<String, SignatureError> {
    if verify_token.is_empty() {
        return Err(SignatureError::NotConfigured);
    }
    let parameter = |name: &str| -> Result<Option<String>, SignatureError> {
        for pair in query.trim_start_matches('?').split('&') {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            if percent_decode(key).as_deref() == Some(name) {
                return percent_decode(value)
                    .map(Some)
                    .ok_or(SignatureError::Malformed);
            }
        }
        Ok(None)
    };
    let mode = parameter("hub.mode")?.ok_or(SignatureError::Missing)?;
    if mode != "subscribe" {
        return Err(SignatureError::Malformed);
    }
    let token = parameter("hub.verify_token")?
        .filter(|t| !t.is_empty())
        .ok_or(SignatureError::Missing)?;
    if !crate::auth::constant_time_eq(token.as_bytes(), verify_token.as_bytes()) {
        return Err(SignatureError::Mismatch);
    }
    let challenge = parameter("hub.challenge")?
        .filter(|c| !c.is_empty())
        .ok_or(SignatureError::Missing)?;
    if challenge.chars().count() > MAX_CHALLENGE || challenge.chars().any(char::is_control) {
        return Err(SignatureError::Malformed);
    }
    Ok(challenge)
}

/// `application/x-www-form-urlencoded` decoding: `+` is a space, `%XX` a byte; `None` for a
/// broken escape or bytes that are not UTF-8.
///
/// Stricter than `form_urlencoded`, on purpose: that one keeps a broken escape as text and
/// replaces invalid UTF-8, so a mangled verify token or challenge would be compared or echoed
/// as something Meta never sent. Here the handshake is refused instead.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes.get(index + 1..index + 3)?;
                let high = char::from(hex[0]).to_digit(16)?;
                let low = char::from(hex[1]).to_digit(16)?;
                out.push(u8::try_from(high * 16 + low).ok()?);
                index += 2;
            }
            byte => out.push(byte),
        }
        index += 1;
    }
    String::from_utf8(out).ok()
}

/// The events in one WhatsApp callback, in the order given.
pub fn parse_whatsapp(body: &[u8]) -> Result<Vec<InboundEvent>, ParseError> {
    let value = parse_json(body)?;
    let root = Node::root(&value);
    root.object()?;
    let object = root.field("object").opt_str()?;
    if object.is_some_and(|object| object != "whatsapp_business_account") {
        return Ok(Vec::new());
    }
    let mut events = Vec::new();
    for entry in root.field("entry").items()? {
        for change in entry.field("changes").items()? {
            if change.field("field").opt_str()?.unwrap_or("messages") != "messages" {
                continue;
            }
            let value = change.field("value");
            for status in value.field("statuses").items()? {
                events.extend(parse_status(&status)?);
            }
            for message in value.field("messages").items()? {
                events.extend(parse_message(&message)?);
            }
        }
    }
    Ok(events)
}

/// The `phone_number_id`s a callback is addressed to, so that a receiver can refuse callbacks
/// meant for another account before acting on them. An unreadable body has none.
pub fn phone_number_ids(body: &[u8]) -> Vec<String> {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else {
        return Vec::new();
    };
    let mut ids: Vec<String> = Vec::new();
    for entry in value["entry"].as_array().into_iter().flatten() {
        for change in entry["changes"].as_array().into_iter().flatten() {
            let id = &change["value"]["metadata"]["phone_number_id"];
            let id = match id {
                serde_json::Value::String(text) => text.clone(),
                serde_json::Value::Number(number) => number.to_string(),
                _ => continue,
            };
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    ids
}

/// Absent, null or an empty string: Meta leaves a phone number empty where it has none to
/// give.
fn is_blank(node: &Node<'_>) -> bool {
    !node.is_present() || matches!(node.opt_str(), Ok(Some(text)) if text.trim().is_empty())
}

fn parse_status(status: &Node<'_>) -> Result<Option<InboundEvent>, ParseError> {
    status.object()?;
    let state = match status.field("status").str()? {
        "sent" => DeliveryStatus::Sent,
        "delivered" => DeliveryStatus::Delivered,
        "read" => DeliveryStatus::Read,
        "failed" => DeliveryStatus::Failed,
        // `deleted`, `warning`, `played` and states added later: nothing herald counts.
        _ => return Ok(None),
    };
    let error = match status.field("errors").items()?.first() {
        Some(first) => {
            let code = first.field("code").id()?;
            let text = match first.field("title").opt_str()? {
                Some(title) => title,
                None => first.field("message").opt_str()?.unwrap_or(""),
            };
            Some((code, text.to_string()))
        }
        None => None,
    };
    // Empty for a message sent to a person's business-scoped user id (Meta's BSUID guide).
    let recipient = match status.field("recipient_id") {
        node if !is_blank(&node) => Some(node.id()?),
        _ => None,
    };
    Ok(Some(InboundEvent::Status(StatusEvent {
        platform_message_id: status.field("id").id()?,
        recipient,
        status: state,
        at: status.field("timestamp").timestamp()?,
        error,
    })))
}

fn parse_message(message: &Node<'_>) -> Result<Option<InboundEvent>, ParseError> {
    message.object()?;
    // Since Meta's business-scoped user ids (2026), a person who adopted a username may write
    // without a phone number: `from` empty (or absent), only `from_user_id`. herald reaches
    // people by number, so such a message names no one it could subscribe or stop; it is
    // passed over rather than refusing the whole callback (which Meta would retry for days).
    let from = message.field("from");
    if is_blank(&from) {
        // Said out loud: a STOP among these would otherwise go unnoticed.
        tracing::warn!(
            kind = message
                .field("type")
                .opt_str()
                .ok()
                .flatten()
                .unwrap_or("unknown"),
            "a WhatsApp message from a person known only by a business-scoped id was passed over"
        );
        return Ok(None);
    }
    let user = from.id()?;
    let stamp = || -> Result<EventStamp, ParseError> {
        Ok(EventStamp::new(
            message.field("id").id()?,
            message.field("timestamp").timestamp()?,
        ))
    };
    match message.field("type").str()? {
        "text" => {
            let text = message.field("text").field("body").str()?;
            if text.trim().is_empty() {
                return Ok(None);
            }
            Ok(Some(text_event(
                user,
                text,
                StartCommand::Word,
                None,
                stamp()?,
            )))
        }
        // A template's quick-reply button: its payload is what herald configured.
        "button" => {
            let button = message.field("button");
            let payload = button.field("payload").opt_str()?;
            let text = button.field("text").opt_str()?;
            let stop = [payload, text]
                .into_iter()
                .flatten()
                .any(|t| is_stop_word(t) || t.trim().eq_ignore_ascii_case("stop promotions"));
            if stop {
                return Ok(Some(InboundEvent::Unsubscribe {
                    user,
                    reason: OptOutReason::Stop,
                    stamp: stamp()?,
                }));
            }
            match payload.or(text) {
                Some(data) => Ok(Some(InboundEvent::Choice {
                    user,
                    data: data.to_string(),
                    stamp: stamp()?,
                })),
                None => Ok(None),
            }
        }
        "interactive" => {
            let interactive = message.field("interactive");
            let reply = match interactive.field("type").str()? {
                "button_reply" => interactive.field("button_reply"),
                "list_reply" => interactive.field("list_reply"),
                _ => return Ok(None),
            };
            let data = reply.field("id").str()?.to_string();
            if is_stop_word(&data) {
                return Ok(Some(InboundEvent::Unsubscribe {
                    user,
                    reason: OptOutReason::Stop,
                    stamp: stamp()?,
                }));
            }
            Ok(Some(InboundEvent::Choice {
                user,
                data,
                stamp: stamp()?,
            }))
        }
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reach::inbound::signature::hmac_sha256_hex;
    use axum::http::HeaderValue;
    use chrono::DateTime;
    use serde_json::{Value, json};

    fn callback(value: Value) -> Value {
        json!({
            "object": "whatsapp_business_account",
            "entry": [{
                "id": "102290129340398",
                "changes": [{
                    "value": value,
                    "field": "messages"
                }]
            }]
        })
    }

    fn with_metadata(mut value: Value) -> Value {
        value["messaging_product"] = json!("whatsapp");
        value["metadata"] =
            json!({"display_phone_number": "15550783881", "phone_number_id": "106540352242922"});
        value
    }

    fn parse(value: Value) -> Vec<InboundEvent> {
        parse_whatsapp(value.to_string().as_bytes()).unwrap()
    }

    fn signed(body: &[u8], secret: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        let value = format!("sha256={}", hmac_sha256_hex(secret, body));
        headers.insert(HUB_SIGNATURE_HEADER, HeaderValue::from_str(&value).unwrap());
        headers
    }

    #[test]
    fn hub_signature_valid_tampered_wrong_key_missing_malformed() {
        let body = br#"{"object":"whatsapp_business_account","entry":[]}"#;
        let headers = signed(body, "app-secret");
        assert_eq!(verify_hub_signature(&headers, body, "app-secret"), Ok(()));
        assert_eq!(
            verify_hub_signature(
                &headers,
                br#"{"object":"whatsapp_business_account","entry":[{}]}"#,
                "app-secret"
            ),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify_hub_signature(&headers, body, "another-secret"),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify_hub_signature(&HeaderMap::new(), body, "app-secret"),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            verify_hub_signature(&headers, body, ""),
            Err(SignatureError::NotConfigured)
        );
        let hex = hmac_sha256_hex("app-secret", body);
        for malformed in [
            hex.clone(),                       // no `sha256=` prefix
            format!("sha1={hex}"),             // another algorithm
            format!("sha256={}", &hex[..63]),  // odd length
            format!("sha256={}g", &hex[..63]), // not hex
            "sha256=".to_string(),
        ] {
            let mut headers = HeaderMap::new();
            headers.insert(
                HUB_SIGNATURE_HEADER,
                HeaderValue::from_str(&malformed).unwrap(),
            );
            assert_eq!(
                verify_hub_signature(&headers, body, "app-secret"),
                Err(SignatureError::Malformed),
                "{malformed}"
            );
        }
    }

    #[test]
    fn hub_challenge_is_echoed_only_for_the_right_token() {
        assert_eq!(
            answer_hub_challenge(
                "hub.mode=subscribe&hub.verify_token=my%20token%2B1&hub.challenge=1158201444",
                "my token+1"
            ),
            Ok("1158201444".to_string())
        );
        assert_eq!(
            answer_hub_challenge(
                "hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=my+token%2B1",
                "my token+1"
            ),
            Ok("1158201444".to_string())
        );
        assert_eq!(
            answer_hub_challenge(
                "hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1158201444",
                "my token+1"
            ),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            answer_hub_challenge("hub.mode=subscribe&hub.challenge=1", "t"),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            answer_hub_challenge(
                "hub.mode=unsubscribe&hub.verify_token=t&hub.challenge=1",
                "t"
            ),
            Err(SignatureError::Malformed)
        );
        assert_eq!(
            answer_hub_challenge("hub.mode=subscribe&hub.verify_token=t", "t"),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            answer_hub_challenge(
                "hub.mode=subscribe&hub.verify_token=t&hub.challenge=%3Cscript%3E%0A",
                "t"
            ),
            Err(SignatureError::Malformed)
        );
        assert_eq!(
            answer_hub_challenge(
                "hub.mode=subscribe&hub.verify_token=t&hub.challenge=%zz",
                "t"
            ),
            Err(SignatureError::Malformed)
        );
        assert_eq!(
            answer_hub_challenge("hub.mode=subscribe&hub.verify_token=&hub.challenge=1", ""),
            Err(SignatureError::NotConfigured)
        );
    }

    #[test]
    fn statuses_with_seconds_milliseconds_and_errors() {
        let body = callback(with_metadata(json!({
            "statuses": [
                {
                    "id": "wamid.HBgLMzE2MTIzNDU2NzgVAgARGBI1",
                    "status": "sent",
                    "timestamp": "1700000000",
                    "recipient_id": "31612345678",
                    "conversation": {"id": "c1", "expiration_timestamp": "1700086400", "origin": {"type": "marketing"}},
                    "pricing": {"billable": true, "pricing_model": "CBP", "category": "marketing"}
                },
                {
                    "id": "wamid.HBgLMzE2MTIzNDU2NzgVAgARGBI1",
                    "status": "read",
                    "timestamp": "1700000123456",
                    "recipient_id": "31612345678"
                },
                {
                    "id": "wamid.HBgLMzE2MTIzNDU2NzgVAgARGBI2",
                    "status": "failed",
                    "timestamp": 1700000200,
                    "recipient_id": "31687654321",
                    "errors": [{
                        "code": 131026,
                        "title": "Message undeliverable",
                        "message": "Message undeliverable",
                        "error_data": {"details": "Message Undeliverable."}
                    }]
                },
                {"id": "wamid.X", "status": "deleted", "timestamp": "1700000300", "recipient_id": "1"}
            ]
        })));
        assert_eq!(
            parse(body),
            vec![
                InboundEvent::Status(StatusEvent {
                    platform_message_id: "wamid.HBgLMzE2MTIzNDU2NzgVAgARGBI1".into(),
                    recipient: Some("31612345678".into()),
                    status: DeliveryStatus::Sent,
                    at: DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
                    error: None,
                }),
                InboundEvent::Status(StatusEvent {
                    platform_message_id: "wamid.HBgLMzE2MTIzNDU2NzgVAgARGBI1".into(),
                    recipient: Some("31612345678".into()),
                    status: DeliveryStatus::Read,
                    at: DateTime::from_timestamp_millis(1_700_000_123_456).unwrap(),
                    error: None,
                }),
                InboundEvent::Status(StatusEvent {
                    platform_message_id: "wamid.HBgLMzE2MTIzNDU2NzgVAgARGBI2".into(),
                    recipient: Some("31687654321".into()),
                    status: DeliveryStatus::Failed,
                    at: DateTime::from_timestamp(1_700_000_200, 0).unwrap(),
                    error: Some(("131026".into(), "Message undeliverable".into())),
                }),
            ]
        );
    }

    #[test]
    fn messages_subscribe_unsubscribe_or_are_text() {
        let message = |kind: Value| {
            let mut message =
                json!({"from": "31612345678", "id": "wamid.IN1", "timestamp": "1700000400"});
            for (key, value) in kind.as_object().unwrap() {
                message[key] = value.clone();
            }
            callback(with_metadata(json!({
                "contacts": [{"profile": {"name": "Someone"}, "wa_id": "31612345678"}],
                "messages": [message]
            })))
        };
        let text = |body: &str| message(json!({"type": "text", "text": {"body": body}}));
        let stamp = EventStamp::new(
            "wamid.IN1".into(),
            DateTime::from_timestamp(1_700_000_400, 0).unwrap(),
        );
        assert_eq!(
            parse(text("START avr-nl")),
            vec![InboundEvent::Subscribe {
                user: "31612345678".into(),
                language: None,
                payload: Some("avr-nl".into()),
                stamp: stamp.clone()
            }]
        );
        for stop in ["STOP", "stop", " Stop ", "ARRET", "توقف"] {
            assert_eq!(
                parse(text(stop)),
                vec![InboundEvent::Unsubscribe {
                    user: "31612345678".into(),
                    reason: OptOutReason::Stop,
                    stamp: stamp.clone()
                }],
                "{stop}"
            );
        }
        assert_eq!(
            parse(text("Is this free?")),
            vec![InboundEvent::Text {
                user: "31612345678".into(),
                text: "Is this free?".into()
            }]
        );
        assert_eq!(
            parse(message(
                json!({"type": "button", "button": {"payload": "locale:fa", "text": "فارسی"}})
            )),
            vec![InboundEvent::Choice {
                user: "31612345678".into(),
                data: "locale:fa".into(),
                stamp: stamp.clone()
            }]
        );
        assert!(matches!(
            parse(message(
                json!({"type": "button", "button": {"payload": "opt-out", "text": "Stop promotions"}})
            ))[..],
            [InboundEvent::Unsubscribe {
                reason: OptOutReason::Stop,
                ..
            }]
        ));
        assert_eq!(
            parse(message(
                json!({"type": "interactive", "interactive": {"type": "list_reply", "list_reply": {"id": "locale:ps", "title": "پښتو"}}})
            )),
            vec![InboundEvent::Choice {
                user: "31612345678".into(),
                data: "locale:ps".into(),
                stamp: stamp.clone()
            }]
        );
        assert_eq!(
            parse(message(
                json!({"type": "image", "image": {"id": "media-1", "mime_type": "image/jpeg"}})
            )),
            vec![]
        );
    }

    #[test]
    fn other_fields_objects_and_errors() {
        let template_review = json!({
            "object": "whatsapp_business_account",
            "entry": [{"id": "1", "changes": [{"field": "message_template_status_update", "value": {"event": "APPROVED"}}]}]
        });
        assert_eq!(parse(template_review), vec![]);
        assert_eq!(
            parse(json!({"object": "page", "entry": [{"messaging": []}]})),
            vec![]
        );
        let bad = callback(with_metadata(json!({
            "statuses": [{"id": "wamid.1", "status": "delivered", "timestamp": "1700000000"},
                         {"id": "wamid.2", "status": "delivered", "timestamp": "yesterday", "recipient_id": "31612345678"}]
        })));
        let error = parse_whatsapp(bad.to_string().as_bytes()).unwrap_err();
        assert_eq!(
            error.path,
            "entry[0].changes[0].value.statuses[1].timestamp"
        );
        assert!(!error.to_string().contains("yesterday"));
        assert!(parse_whatsapp(b"").is_err());
    }

    #[test]
    fn phone_number_ids_name_the_account() {
        let mut body = callback(with_metadata(json!({"statuses": []})));
        body["entry"][0]["changes"]
            .as_array_mut()
            .unwrap()
            .push(json!({"field": "messages", "value": {"metadata": {"phone_number_id": "2222"}}}));
        assert_eq!(
            phone_number_ids(body.to_string().as_bytes()),
            vec!["106540352242922".to_string(), "2222".to_string()]
        );
        assert!(phone_number_ids(b"nope").is_empty());
    }
}
