//! Viber's own documented examples (`tests/fixtures/partners/viber`, each source in its
//! `SOURCES.md`) against herald: the adapter's reading of every documented answer, the inbound
//! parser and signature check on every documented callback, and the sandbox, whose answers
//! and callbacks must carry every field of the documented example with the same JSON type. A
//! sandbox that drifts from Viber's shapes, or an adapter or parser that relies on a shape
//! Viber does not send, fails here.

use crate::common;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Duration;

use axum::http::{HeaderMap, HeaderValue, StatusCode};
use chrono::DateTime;
use common::partner_sandbox::start;
use common::receiver::{Hit, Receiver};
use herald::platforms::classify::{viber_broadcast, viber_send, viber_webhook};
use herald::platforms::{BatchOutcome, Platform, PublishResult};
use herald::reach::inbound::{
    DeliveryStatus, EventStamp, InboundEvent, OptOutReason, StatusEvent, parse_viber, verify_viber,
};
use herald::sandbox::{PersonAction, PersonEvent, Sandbox, SandboxConfig, viber_signature};
use serde_json::{Value, json};

const TOKEN: &str = "445da6az1s345z78-dazcczb2542zv51a-e0vc5fva17480im9";

fn raw(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/partners/viber")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

fn fixture(name: &str) -> Value {
    serde_json::from_slice(&raw(name)).unwrap_or_else(|err| panic!("{name}: {err}"))
}

#[test]
fn the_adapter_reads_every_documented_answer() {
    assert_eq!(
        viber_send(200, &raw("send_message_response.json")),
        PublishResult::Published {
            platform_id: Some("5741311803571721087".into())
        }
    );
    assert_eq!(
        viber_send(200, &raw("send_message_too_many_requests.json")),
        PublishResult::Throttled {
            wait: Duration::from_secs(10),
            text: "Too many requests".into()
        }
    );
    let receivers = [
        "reached=",
        "pttm25kSGUo1919sBORWyA==",
        "EGAZ3SZRi6zW1D0uNYhQHg==",
    ];
    assert_eq!(
        viber_broadcast(200, &raw("broadcast_message_response.json"), &receivers),
        BatchOutcome::Accepted {
            platform_id: Some("40808912438712".into()),
            refused: vec![
                (
                    1,
                    PublishResult::RecipientGone {
                        code: "6".into(),
                        text: "Not subscribed".into()
                    }
                ),
                (
                    2,
                    PublishResult::RecipientGone {
                        code: "5".into(),
                        text: "Not found".into()
                    }
                ),
            ]
        }
    );
    assert_eq!(
        viber_webhook(200, &raw("set_webhook_response.json")),
        Ok(())
    );
    // An accepted broadcast whose answer leaves out failed_list refused nobody.
    assert!(matches!(
        viber_broadcast(200, &raw("send_message_response.json"), &receivers),
        BatchOutcome::Accepted { platform_id: Some(_), refused } if refused.is_empty()
    ));
    // A failed_list that is not a list is not Viber's answer.
    assert!(matches!(
        viber_broadcast(200, br#"{"status": 0, "message_token": 5, "failed_list": "none"}"#, &receivers),
        BatchOutcome::Whole(PublishResult::Unknown { error }) if error.contains("failed_list")
    ));
}

fn signed(body: &[u8]) -> HeaderMap {
    let mut headers = HeaderMap::new();
    let signature = viber_signature(TOKEN, body);
    headers.insert(
        "x-viber-content-signature",
        HeaderValue::from_str(&signature).unwrap(),
    );
    headers
}

#[test]
fn the_parser_reads_every_documented_callback() {
    let at = DateTime::from_timestamp_millis(1_457_764_197_627).unwrap();
    let stamp = EventStamp::new("4912661846655238145".into(), at);
    let status = |recipient: &str, status, error: Option<(&str, &str)>| {
        vec![InboundEvent::Status(StatusEvent {
            platform_message_id: "4912661846655238145".into(),
            recipient: Some(recipient.into()),
            status,
            at,
            error: error.map(|(code, text)| (code.to_string(), text.to_string())),
        })]
    };
    let cases: Vec<(&str, Vec<InboundEvent>)> = vec![
        ("callback_webhook.json", vec![]),
        (
            "callback_subscribed.json",
            vec![InboundEvent::Subscribe {
                user: "01234567890A=".into(),
                language: Some("en".into()),
                payload: None,
                stamp: stamp.clone(),
            }],
        ),
        (
            "callback_unsubscribed.json",
            vec![InboundEvent::Unsubscribe {
                user: "01234567890A=".into(),
                reason: OptOutReason::Unsubscribed,
                stamp: stamp.clone(),
            }],
        ),
        (
            "callback_conversation_started.json",
            vec![InboundEvent::Choice {
                user: "01234567890A=".into(),
                data: "start:context information".into(),
                stamp: stamp.clone(),
            }],
        ),
        (
            "callback_delivered.json",
            status("01234567890A=", DeliveryStatus::Delivered, None),
        ),
        (
            "callback_seen.json",
            status("jc9HsWTZ2Yf2NkRZ8KcNug==", DeliveryStatus::Read, None),
        ),
        (
            "callback_failed.json",
            status(
                "01234567890A=",
                DeliveryStatus::Failed,
                Some(("failed", "failure description")),
            ),
        ),
        (
            "callback_message.json",
            vec![InboundEvent::Text {
                user: "01234567890A=".into(),
                text: "a message to the service".into(),
            }],
        ),
    ];
    for (name, expected) in cases {
        let body = raw(name);
        assert_eq!(verify_viber(&signed(&body), &body, TOKEN), Ok(()), "{name}");
        assert!(
            verify_viber(&signed(&body), &body, "another-token").is_err(),
            "{name}"
        );
        assert_eq!(parse_viber(&body).unwrap(), expected, "{name}");
    }
}

/// The JSON kind of a value, with integers and fractions apart (Viber's tokens and timestamps
/// are integers).
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(number) if number.is_f64() => "fraction",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Every field of the documented `expected` is in `actual` with the same kind, recursively
/// (arrays by their first element); fields the sandbox may leave out are listed in `optional`
/// by path (`message.media`).
fn assert_shape(expected: &Value, actual: &Value, optional: &[&str], path: &str) {
    assert_eq!(kind(expected), kind(actual), "{path}: {actual}");
    match (expected, actual) {
        (Value::Object(expected), Value::Object(actual)) => {
            for (key, value) in expected {
                let at = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                match actual.get(key) {
                    Some(found) => assert_shape(value, found, optional, &at),
                    None => assert!(optional.contains(&at.as_str()), "{at} is missing"),
                }
            }
        }
        (Value::Array(expected), Value::Array(actual)) => {
            if let Some(first) = expected.first() {
                let found = actual.first().unwrap_or_else(|| panic!("{path} is empty"));
                assert_shape(first, found, optional, &format!("{path}[0]"));
            }
        }
        _ => {}
    }
}

/// A POST to the sandbox's `/pa/{method}` with the token in the header; the JSON answer.
async fn call(base: &str, method: &str, body: Value) -> Value {
    let response = reqwest::Client::new()
        .post(format!("{base}/pa/{method}"))
        .header("x-viber-auth-token", TOKEN)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{method}");
    json_of(response).await
}

async fn json_of(response: reqwest::Response) -> Value {
    serde_json::from_slice(&response.bytes().await.unwrap()).unwrap()
}

fn person(action: PersonAction) -> PersonEvent {
    PersonEvent {
        platform: Platform::Viber,
        key: TOKEN.into(),
        user: "01234567890A=".into(),
        action,
    }
}

/// The callbacks the receiver took, after `skip`, each checked for its signature.
fn events(receiver: &Receiver, skip: usize) -> Vec<Value> {
    receiver.hits()[skip..]
        .iter()
        .map(|Hit { headers, body, .. }| {
            assert_eq!(verify_viber(headers, body, TOKEN), Ok(()));
            serde_json::from_slice(body).unwrap()
        })
        .collect()
}

async fn play(sandbox: &Sandbox, action: PersonAction) {
    assert_eq!(sandbox.simulate_person(person(action)).await, Ok(200));
}

#[tokio::test]
async fn the_sandbox_answers_and_calls_back_in_the_documented_shapes() {
    let config = SandboxConfig {
        read_rate: 1.0,
        undeliverable: BTreeSet::from(["lost=".to_string()]),
        viber_unsubscribed: BTreeSet::from(["pttm25kSGUo1919sBORWyA==".to_string()]),
        ..SandboxConfig::default()
    };
    let (sandbox, running, _clock) = start(config).await;
    let base = running.base_url();
    let receiver = Receiver::answering(StatusCode::OK).await;

    let answer = call(&base, "set_webhook", json!({"url": receiver.url})).await;
    assert_shape(&fixture("set_webhook_response.json"), &answer, &[], "");
    let [handshake] = events(&receiver, 0).try_into().unwrap();
    assert_shape(&fixture("callback_webhook.json"), &handshake, &[], "");
    let info = call(&base, "get_account_info", json!({})).await;
    assert_shape(&fixture("get_account_info_response.json"), &info, &[], "");

    play(
        &sandbox,
        PersonAction::Subscribe {
            language: Some("ar".into()),
            payload: Some("flood".into()),
        },
    )
    .await;
    play(&sandbox, PersonAction::Text { text: "hi".into() }).await;
    play(&sandbox, PersonAction::Unsubscribe).await;
    let [started, subscribed, message, unsubscribed] = events(&receiver, 1).try_into().unwrap();
    assert_shape(
        &fixture("callback_conversation_started.json"),
        &started,
        &[],
        "",
    );
    assert_shape(&fixture("callback_subscribed.json"), &subscribed, &[], "");
    // A text message has no media, location or tracking data (herald sends none to track).
    let only_text = ["message.media", "message.location", "message.tracking_data"];
    assert_shape(&fixture("callback_message.json"), &message, &only_text, "");
    assert_shape(
        &fixture("callback_unsubscribed.json"),
        &unsubscribed,
        &[],
        "",
    );

    let send = call(
        &base,
        "send_message",
        json!({"receiver": "reader=", "sender": {"name": "Info"}, "type": "text", "text": "hi"}),
    )
    .await;
    // `billing_status` is not emulated (see PARTNERS.md).
    let documented = fixture("send_message_response.json");
    assert_shape(&documented, &send, &["billing_status"], "");
    let broadcast = call(
        &base,
        "broadcast_message",
        json!({"broadcast_list": ["lost=", "pttm25kSGUo1919sBORWyA=="],
               "sender": {"name": "Info"}, "type": "text", "text": "hi"}),
    )
    .await;
    assert_shape(
        &fixture("broadcast_message_response.json"),
        &broadcast,
        &[],
        "",
    );
    sandbox.flush_callbacks().await;
    let statuses = events(&receiver, 5);
    let named = |event: &str| {
        statuses
            .iter()
            .find(|status| status["event"] == event)
            .unwrap_or_else(|| panic!("no {event} in {statuses:?}"))
            .clone()
    };
    assert_shape(
        &fixture("callback_delivered.json"),
        &named("delivered"),
        &[],
        "",
    );
    assert_shape(&fixture("callback_seen.json"), &named("seen"), &[], "");
    assert_shape(&fixture("callback_failed.json"), &named("failed"), &[], "");
}

#[tokio::test]
async fn the_sandbox_takes_the_token_in_the_body_as_viber_sdk_sends_it() {
    let (sandbox, running, _clock) = start(SandboxConfig::default()).await;
    let client = reqwest::Client::new();
    let post = |method: &str, body: Value| {
        // No header, no Content-Type: exactly how the official Python SDK posts.
        client
            .post(format!("{}/pa/{method}", running.base_url()))
            .body(body.to_string())
            .send()
    };
    let body = json!({"auth_token": TOKEN, "receiver": "u=", "sender": {"name": "Info", "avatar": null},
                      "type": "text", "text": "hi", "tracking_data": "t"});
    let answer = json_of(post("send_message", body).await.unwrap()).await;
    assert_eq!(answer["status"], 0, "{answer}");
    assert_eq!(sandbox.delivered()[0].account, TOKEN);
    let info = json_of(
        post("get_account_info", json!({"auth_token": TOKEN}))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(info["status"], 0);
    assert!(
        !info.to_string().contains(TOKEN),
        "the token is never echoed"
    );
    for blank in [
        json!({"auth_token": ""}),
        json!({}),
        json!({"auth_token": 7}),
    ] {
        let answer = json_of(post("get_account_info", blank).await.unwrap()).await;
        assert_eq!(
            answer,
            json!({"status": 2, "status_message": "invalidAuthToken"})
        );
    }
}
