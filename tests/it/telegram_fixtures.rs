//! herald's Telegram parsers against Telegram's own payloads (`tests/fixtures/partners/telegram`,
//! sources in its `SOURCES.md`): the inbound update parser must read every documented update
//! kind herald acts on, with integer ids, and the adapter's answer classifier must read a real
//! `sendMessage` answer as published (with its message id), a 429 as throttled for the time
//! Telegram asked, and a blocked person's 403 as the recipient gone. A fixture herald misreads
//! is a real answer herald would misread in production. The same answers are then served over
//! HTTP to the adapter itself, next to the sandbox's, which it must read the same way.

use crate::common;

use std::collections::BTreeMap;
use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::post;
use chrono::DateTime;
use serde_json::{Value, json};

use common::partner_sandbox::start;
use herald::platforms::{Publication, PublishResult, Secret, TelegramAdapter, classify};
use herald::reach::inbound::{EventStamp, InboundEvent, OptOutReason, parse_telegram};
use herald::sandbox::SandboxConfig;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/partners/telegram/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|error| panic!("{path}: {error}"))
}

fn json_fixture(name: &str) -> Value {
    serde_json::from_slice(&fixture(name)).expect("fixtures are JSON")
}

fn stamp(update_id: &str, date: i64) -> EventStamp {
    EventStamp::new(
        update_id.to_string(),
        DateTime::from_timestamp(date, 0).expect("a valid date"),
    )
}

#[test]
fn every_fixture_is_cited() {
    let dir = format!(
        "{}/tests/fixtures/partners/telegram",
        env!("CARGO_MANIFEST_DIR")
    );
    let sources = std::fs::read_to_string(format!("{dir}/SOURCES.md")).expect("SOURCES.md");
    for entry in std::fs::read_dir(&dir).expect("the fixture folder") {
        let name = entry.expect("an entry").file_name();
        let name = name.to_string_lossy();
        if name.ends_with(".json") {
            assert!(
                sources.contains(&format!("`{name}`")),
                "{name} has no source"
            );
        }
    }
}

#[test]
fn the_webhook_guides_start_message_subscribes() {
    assert_eq!(
        parse_telegram(&fixture("update_message_webhooks_guide.json")).unwrap(),
        vec![InboundEvent::Subscribe {
            user: "1111111".into(),
            language: None,
            payload: None,
            stamp: stamp("10000", 1441645532),
        }]
    );
}

#[test]
fn aiograms_text_message_is_text() {
    assert_eq!(
        parse_telegram(&fixture("update_message_aiogram.json")).unwrap(),
        vec![InboundEvent::Text {
            user: "42".into(),
            text: "test".into(),
        }]
    );
}

#[test]
fn a_start_command_with_a_payload_subscribes_with_it() {
    assert_eq!(
        parse_telegram(&fixture("update_start_command.json")).unwrap(),
        vec![InboundEvent::Subscribe {
            user: "5012345678".into(),
            language: Some("uk".into()),
            payload: Some("flood-2027".into()),
            stamp: stamp("912345678", 1700000000),
        }]
    );
}

#[test]
fn a_kicked_bot_is_a_blocked_person() {
    assert_eq!(
        parse_telegram(&fixture("update_my_chat_member_kicked.json")).unwrap(),
        vec![InboundEvent::Unsubscribe {
            user: "5012345678".into(),
            reason: OptOutReason::Blocked,
            stamp: stamp("912345679", 1700000100),
        }]
    );
}

#[test]
fn a_channel_post_answer_is_published_with_its_id() {
    assert_eq!(
        classify::telegram(200, &json_fixture("send_message_ok.json")),
        PublishResult::Published {
            platform_id: Some("1366".into())
        }
    );
}

#[test]
fn flood_control_waits_as_long_as_telegram_asks() {
    assert_eq!(
        classify::telegram(429, &json_fixture("error_429.json")),
        PublishResult::Throttled {
            wait: Duration::from_secs(15),
            text: "Too Many Requests: retry after 15".into(),
        }
    );
}

#[test]
fn a_blocked_person_is_gone() {
    assert_eq!(
        classify::telegram(403, &json_fixture("error_403_blocked.json")),
        PublishResult::RecipientGone {
            code: "403".into(),
            text: "Forbidden: bot was blocked by the user".into(),
        }
    );
}

/// A post of `text` to `chat` through herald's adapter at `base`.
async fn publish(base: &str, chat: &str) -> PublishResult {
    let adapter = TelegramAdapter::new(
        reqwest::Client::new(),
        base,
        Secret::new("123456:FIXTURE"),
        BTreeMap::new(),
        Duration::from_secs(5),
    );
    adapter
        .publish(&Publication {
            text: "<b>Flood warning</b>: details",
            locale: "en",
            direction: "ltr",
            idempotency_key: "campaign-1:send-1:en:telegram:slot-1",
            recipient: Some(chat),
            envelope: herald::platforms::Envelope::default(),
        })
        .await
}

/// A stand-in for Telegram that answers every `sendMessage` with `status` and `body`.
async fn answering(status: StatusCode, body: Value) -> String {
    let app = Router::new().route(
        "/{bot}/sendMessage",
        post(move || {
            let body = body.clone();
            async move { (status, axum::Json(body)) }
        }),
    );
    format!("http://{}", common::loopback::serve(app).await)
}

#[tokio::test]
async fn the_adapter_reads_real_answers_over_http_and_refuses_undocumented_ones() {
    let real = answering(StatusCode::OK, json_fixture("send_message_ok.json")).await;
    assert_eq!(
        publish(&real, "@herald_news").await,
        PublishResult::Published {
            platform_id: Some("1366".into())
        }
    );
    // The sandbox's old answer: a chat without type whose id was the `@name` string. Telegram
    // never answers so; herald must say it cannot tell what was sent, not count it published.
    let old = answering(
        StatusCode::OK,
        json!({"ok": true, "result": {"message_id": 1, "chat": {"id": "@herald_news"}, "date": 1, "text": "x"}}),
    )
    .await;
    assert!(
        matches!(
            publish(&old, "@herald_news").await,
            PublishResult::Unknown { error } if error.contains("`result.chat.id` is not an integer")
        ),
        "an undocumented 2xx is never a silent success"
    );
    let blocked = answering(
        StatusCode::FORBIDDEN,
        json_fixture("error_403_blocked.json"),
    )
    .await;
    assert!(matches!(
        publish(&blocked, "42").await,
        PublishResult::RecipientGone { .. }
    ));
    let flood = answering(
        StatusCode::TOO_MANY_REQUESTS,
        json_fixture("error_429.json"),
    )
    .await;
    assert!(matches!(
        publish(&flood, "42").await,
        PublishResult::Throttled { wait, .. } if wait == Duration::from_secs(15)
    ));
}

#[tokio::test]
async fn the_adapter_reads_the_sandboxs_answers_as_it_reads_telegrams() {
    let (_sandbox, running, _clock) = start(SandboxConfig::default()).await;
    for chat in ["@herald_news", "42", "-4001", "-1001234567890"] {
        let published = publish(&running.base_url(), chat).await;
        assert_eq!(
            published,
            PublishResult::Published {
                platform_id: Some("1".into())
            },
            "{chat}"
        );
    }
    running.shutdown().await;
}
