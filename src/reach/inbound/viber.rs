//! Viber REST bot callbacks, signed with `X-Viber-Content-Signature: <hex HMAC-SHA256(key =
//! the account's auth token, raw body)>`.
//!
//! * `delivered`, `seen`, `failed` → [`InboundEvent::Status`] (`message_token` is the message,
//!   `user_id` the recipient, `timestamp` in milliseconds, `desc` the failure text).
//! * `subscribed` → subscribe, with `user.language` as the language hint.
//! * `unsubscribed` → unsubscribe (`Unsubscribed`).
//! * `conversation_started` (the person opened the chat, perhaps through a deep link) does not
//!   subscribe anyone in Viber: a subscription comes only with `subscribed` or a first message.
//!   herald therefore acts on it only when the link carried a `context`, which becomes
//!   [`InboundEvent::Choice`] with data `start:<context>`, so that the caller can answer with a
//!   welcome in the right language and an invitation to subscribe; without one it yields
//!   nothing.
//! * `message` with text: a stop word unsubscribes, anything else is text. Viber counts a
//!   person's first message as a subscription without sending `subscribed`; herald does not
//!   treat a message as consent to campaigns, so it stays [`InboundEvent::Text`].
//! * `webhook` (Viber checking the URL) and anything else yield nothing.
//!
//! A subscription, an opt-out or a choice carries the callback's `message_token` and
//! `timestamp` (milliseconds, inside the signed body) as its [`EventStamp`].

use axum::http::HeaderMap;

use super::event::{DeliveryStatus, EventStamp, InboundEvent, OptOutReason, StatusEvent};
use super::keywords::{StartCommand, text_event};
use super::payload::{Node, ParseError, parse_json};
use super::signature::{SignatureError, header, verify_hmac_sha256_hex};

/// The header carrying the hex HMAC-SHA256 of the raw body.
pub const VIBER_SIGNATURE_HEADER: &str = "x-viber-content-signature";

/// Checks `X-Viber-Content-Signature` against the HMAC-SHA256 of the raw body (the exact bytes
/// received) keyed with the account's auth token, in constant time.
pub fn verify_viber(
    headers: &HeaderMap,
    raw_body: &[u8],
    auth_token: &str,
) -> Result<(), SignatureError> {
    if auth_token.is_empty() {
        return Err(SignatureError::NotConfigured);
    }
    let hex = header(headers, VIBER_SIGNATURE_HEADER)?;
    verify_hmac_sha256_hex(auth_token, raw_body, hex)
}

/// The events in one Viber callback (zero or one).
pub fn parse_viber(body: &[u8]) -> Result<Vec<InboundEvent>, ParseError> {
    let value = parse_json(body)?;
    let root = Node::root(&value);
    root.object()?;
    let event = match root.field("event").str()? {
        "delivered" => status(&root, DeliveryStatus::Delivered)?,
        "seen" => status(&root, DeliveryStatus::Read)?,
        "failed" => status(&root, DeliveryStatus::Failed)?,
        "subscribed" => {
            let user = root.field("user");
            Some(InboundEvent::Subscribe {
                user: user.field("id").id()?,
                language: user
                    .field("language")
                    .opt_str()?
                    .filter(|l| !l.is_empty())
                    .map(str::to_string),
                payload: None,
                stamp: stamp(&root)?,
            })
        }
        "unsubscribed" => Some(InboundEvent::Unsubscribe {
            user: root.field("user_id").id()?,
            reason: OptOutReason::Unsubscribed,
            stamp: stamp(&root)?,
        }),
        "conversation_started" => match root.field("context").opt_str()?.map(str::trim) {
            Some(context) if !context.is_empty() => Some(InboundEvent::Choice {
                user: root.field("user").field("id").id()?,
                data: format!("start:{context}"),
                stamp: stamp(&root)?,
            }),
            _ => None,
        },
        "message" => {
            let message = root.field("message");
            match (
                message.field("type").opt_str()?,
                message.field("text").opt_str()?,
            ) {
                (Some("text"), Some(text)) if !text.trim().is_empty() => {
                    let sender = root.field("sender");
                    let language = sender
                        .field("language")
                        .opt_str()?
                        .filter(|l| !l.is_empty())
                        .map(str::to_string);
                    Some(text_event(
                        sender.field("id").id()?,
                        text,
                        StartCommand::None,
                        language,
                        stamp(&root)?,
                    ))
                }
                _ => None,
            }
        }
        _ => None,
    };
    Ok(event.into_iter().collect())
}

/// The callback's `message_token` and `timestamp`: which event this is, and when.
fn stamp(root: &Node<'_>) -> Result<EventStamp, ParseError> {
    Ok(EventStamp::new(
        root.field("message_token").id()?,
        root.field("timestamp").timestamp()?,
    ))
}

fn status(root: &Node<'_>, status: DeliveryStatus) -> Result<Option<InboundEvent>, ParseError> {
    let error = if status == DeliveryStatus::Failed {
        let desc = root.field("desc").opt_str()?.unwrap_or("");
        Some(("failed".to_string(), desc.to_string()))
    } else {
        None
    };
    let recipient = match root.field("user_id") {
        node if node.is_present() => Some(node.id()?),
        _ => None,
    };
    Ok(Some(InboundEvent::Status(StatusEvent {
        platform_message_id: root.field("message_token").id()?,
        recipient,
        status,
        at: root.field("timestamp").timestamp()?,
        error,
    })))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reach::inbound::signature::hmac_sha256_hex;
    use axum::http::HeaderValue;
    use chrono::DateTime;
    use serde_json::{Value, json};

    const TOKEN: &str = "445da6az1s345z78-dazcczb2542zv51a-e0vc5fva17480im9";

    fn parse(value: Value) -> Vec<InboundEvent> {
        parse_viber(value.to_string().as_bytes()).unwrap()
    }

    fn with_signature(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            VIBER_SIGNATURE_HEADER,
            HeaderValue::from_str(value).unwrap(),
        );
        headers
    }

    #[test]
    fn signature_valid_tampered_wrong_key_missing_malformed() {
        let body = br#"{"event":"delivered","timestamp":1457764197627,"message_token":4912661846655238145,"user_id":"01234567890A="}"#;
        let headers = with_signature(&hmac_sha256_hex(TOKEN, body));
        assert_eq!(verify_viber(&headers, body, TOKEN), Ok(()));
        let tampered = br#"{"event":"delivered","timestamp":1457764197628,"message_token":4912661846655238145,"user_id":"01234567890A="}"#;
        assert_eq!(
            verify_viber(&headers, tampered, TOKEN),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify_viber(&headers, body, "another-token"),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify_viber(&HeaderMap::new(), body, TOKEN),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            verify_viber(&with_signature(" "), body, TOKEN),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            verify_viber(&with_signature("not-hex"), body, TOKEN),
            Err(SignatureError::Malformed)
        );
        assert_eq!(
            verify_viber(
                &with_signature(&format!("sha256={}", hmac_sha256_hex(TOKEN, body))),
                body,
                TOKEN
            ),
            Err(SignatureError::Malformed)
        );
        assert_eq!(
            verify_viber(&headers, body, ""),
            Err(SignatureError::NotConfigured)
        );
    }

    #[test]
    fn delivery_callbacks_are_statuses() {
        let at = DateTime::from_timestamp_millis(1_457_764_197_627).unwrap();
        for (event, status) in [
            ("delivered", DeliveryStatus::Delivered),
            ("seen", DeliveryStatus::Read),
        ] {
            assert_eq!(
                parse(json!({
                    "event": event,
                    "timestamp": 1457764197627i64,
                    "chat_hostname": "SN-376_",
                    "message_token": 4912661846655238145u64,
                    "user_id": "01234567890A="
                })),
                vec![InboundEvent::Status(StatusEvent {
                    platform_message_id: "4912661846655238145".into(),
                    recipient: Some("01234567890A=".into()),
                    status,
                    at,
                    error: None,
                })]
            );
        }
        assert_eq!(
            parse(json!({
                "event": "failed",
                "timestamp": 1457764197627i64,
                "chat_hostname": "SN-376_",
                "message_token": 4912661846655238145u64,
                "user_id": "01234567890A=",
                "desc": "failure description"
            })),
            vec![InboundEvent::Status(StatusEvent {
                platform_message_id: "4912661846655238145".into(),
                recipient: Some("01234567890A=".into()),
                status: DeliveryStatus::Failed,
                at,
                error: Some(("failed".into(), "failure description".into())),
            })]
        );
    }

    #[test]
    fn subscriptions_come_and_go() {
        let stamp = EventStamp::new(
            "4912661846655238145".into(),
            DateTime::from_timestamp_millis(1_457_764_197_627).unwrap(),
        );
        assert_eq!(
            parse(json!({
                "event": "subscribed",
                "timestamp": 1457764197627i64,
                "chat_hostname": "SN-376_",
                "user": {"id": "01234567890A=", "name": "John", "avatar": "http://avatar.example.com", "country": "SO", "language": "so", "api_version": 10},
                "message_token": 4912661846655238145u64
            })),
            vec![InboundEvent::Subscribe {
                user: "01234567890A=".into(),
                language: Some("so".into()),
                payload: None,
                stamp: stamp.clone()
            }]
        );
        assert_eq!(
            parse(json!({
                "event": "unsubscribed",
                "timestamp": 1457764197627i64,
                "chat_hostname": "SN-376_",
                "user_id": "01234567890A=",
                "message_token": 4912661846655238145u64
            })),
            vec![InboundEvent::Unsubscribe {
                user: "01234567890A=".into(),
                reason: OptOutReason::Unsubscribed,
                stamp
            }]
        );
    }

    #[test]
    fn conversation_started_only_counts_with_a_context() {
        let started = |context: Option<&str>| {
            let mut value = json!({
                "event": "conversation_started",
                "timestamp": 1457764197627i64,
                "chat_hostname": "SN-376_",
                "message_token": 4912661846655238145u64,
                "type": "open",
                "user": {"id": "01234567890A=", "name": "John", "language": "ar", "country": "SY", "api_version": 10},
                "subscribed": false
            });
            if let Some(context) = context {
                value["context"] = json!(context);
            }
            value
        };
        assert_eq!(parse(started(None)), vec![]);
        assert_eq!(parse(started(Some(""))), vec![]);
        assert_eq!(
            parse(started(Some("avr-nl"))),
            vec![InboundEvent::Choice {
                user: "01234567890A=".into(),
                data: "start:avr-nl".into(),
                stamp: EventStamp::new(
                    "4912661846655238145".into(),
                    chrono::DateTime::from_timestamp_millis(1457764197627).unwrap()
                )
            }]
        );
    }

    #[test]
    fn messages_are_text_or_stop() {
        let message = |text: &str| {
            json!({
                "event": "message",
                "timestamp": 1457764197627i64,
                "chat_hostname": "SN-376_",
                "message_token": 4912661846655238145u64,
                "sender": {"id": "01234567890A=", "name": "John", "language": "fr", "country": "CD", "api_version": 10},
                "message": {"type": "text", "text": text, "tracking_data": "tracking data"},
                "silent": false
            })
        };
        for stop in ["STOP", "Arrêt", "توقف"] {
            assert_eq!(
                parse(message(stop)),
                vec![InboundEvent::Unsubscribe {
                    user: "01234567890A=".into(),
                    reason: OptOutReason::Stop,
                    stamp: EventStamp::new(
                        "4912661846655238145".into(),
                        DateTime::from_timestamp_millis(1_457_764_197_627).unwrap()
                    )
                }],
                "{stop}"
            );
        }
        assert_eq!(
            parse(message("Bonjour")),
            vec![InboundEvent::Text {
                user: "01234567890A=".into(),
                text: "Bonjour".into()
            }]
        );
        // No start command on Viber: it is just text.
        assert!(matches!(
            parse(message("/start x"))[..],
            [InboundEvent::Text { .. }]
        ));
        let mut picture = message("");
        picture["message"] =
            json!({"type": "picture", "media": "http://example.com/p.jpg", "text": ""});
        assert_eq!(parse(picture), vec![]);
    }

    #[test]
    fn webhook_checks_and_unknown_events_yield_nothing() {
        assert_eq!(
            parse(
                json!({"event": "webhook", "timestamp": 1457764197627i64, "chat_hostname": "SN-376_", "message_token": 1})
            ),
            vec![]
        );
        assert_eq!(
            parse(json!({"event": "client_status", "timestamp": 1})),
            vec![]
        );
        let error = parse_viber(br#"{"event":"seen","timestamp":1457764197627,"user_id":"x"}"#)
            .unwrap_err();
        assert_eq!(error.path, "message_token");
        assert_eq!(parse_viber(b"{}").unwrap_err().path, "event");
    }
}
