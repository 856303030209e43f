//! The partner sandbox over real HTTP: wire formats, limits, signatures and faults, as the
//! adapters and the dispatch engine will meet them.

use crate::common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use common::partner_sandbox::simulated_clock;
use herald::clock::{Clock, SystemClock};
use herald::sandbox::{
    FaultConfig, RunningSandbox, Sandbox, SandboxConfig, SandboxLimits, webhook_signature,
};
use reqwest::header::HeaderMap;
use serde_json::{Value, json};

const TOKEN: &str = "123456:ABC-sandbox";

async fn start(config: SandboxConfig, clock: Arc<dyn Clock>) -> (Sandbox, RunningSandbox) {
    let sandbox = Sandbox::new(config, clock);
    let running = sandbox.start(0).await.expect("sandbox starts");
    (sandbox, running)
}

struct Answer {
    status: u16,
    headers: HeaderMap,
    body: Value,
}

async fn post(
    client: &reqwest::Client,
    url: &str,
    headers: &[(&str, String)],
    body: Vec<u8>,
) -> reqwest::Result<Answer> {
    let mut request = client
        .post(url)
        .header("content-type", "application/json")
        .body(body);
    for (name, value) in headers {
        request = request.header(*name, value);
    }
    let response = request.send().await?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = response.bytes().await?;
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Ok(Answer {
        status,
        headers,
        body,
    })
}

async fn send_telegram(
    client: &reqwest::Client,
    running: &RunningSandbox,
    message: Value,
) -> Answer {
    let url = format!("{}/bot{TOKEN}/sendMessage", running.base_url());
    post(client, &url, &[], message.to_string().into_bytes())
        .await
        .expect("an answer")
}

/// A correctly signed webhook request at `timestamp`.
fn signed(
    secret: &str,
    timestamp: i64,
    body: &[u8],
    key: Option<&str>,
) -> Vec<(&'static str, String)> {
    let timestamp = timestamp.to_string();
    let mut headers = vec![
        (
            "x-herald-signature",
            webhook_signature(secret, &timestamp, body),
        ),
        ("x-herald-timestamp", timestamp),
    ];
    if let Some(key) = key {
        headers.push(("idempotency-key", key.to_string()));
    }
    headers
}

#[tokio::test]
async fn telegram_success_has_telegrams_shape() {
    let clock = simulated_clock();
    let (sandbox, running) = start(SandboxConfig::default(), Arc::new(clock.clone())).await;
    let client = reqwest::Client::new();

    let first = send_telegram(
        &client,
        &running,
        json!({"chat_id": 42, "text": "<b>Hello</b>", "parse_mode": "HTML", "disable_web_page_preview": true}),
    )
    .await;
    assert_eq!(first.status, 200);
    assert_eq!(
        first.body,
        json!({"ok": true, "result": {
            "message_id": 1,
            "from": {"id": 123456, "is_bot": true, "first_name": "herald sandbox bot", "username": "sandbox_123456_bot"},
            "chat": {"id": 42, "type": "private", "first_name": "Person"},
            "date": clock.now().timestamp(),
            "text": "Hello",
            "entities": [{"type": "bold", "offset": 0, "length": 5}],
        }})
    );
    let channel = send_telegram(&client, &running, json!({"chat_id": "@news", "text": "hi"})).await;
    assert_eq!(channel.body["result"]["message_id"], 1);
    // A channel name answers the channel's numeric id, the same on every run.
    let channel_id = channel.body["result"]["chat"]["id"].as_i64().unwrap();
    assert!(channel_id < -1_000_000_000_000, "{channel_id}");
    assert_eq!(channel.body["result"]["chat"]["username"], "news");
    assert_eq!(channel.body["result"]["chat"]["type"], "channel");
    assert_eq!(
        channel.body["result"]["sender_chat"],
        channel.body["result"]["chat"]
    );
    assert!(channel.body["result"].get("from").is_none());
    let by_number = send_telegram(
        &client,
        &running,
        json!({"chat_id": channel_id, "text": "hi"}),
    )
    .await;
    assert_eq!(by_number.body["result"]["message_id"], 2);
    assert_eq!(by_number.body["result"]["chat"]["username"], "news");
    clock.advance(chrono::Duration::seconds(1));
    let second = send_telegram(&client, &running, json!({"chat_id": "42", "text": "again"})).await;
    assert_eq!(second.body["result"]["message_id"], 2);

    let received = sandbox.delivered();
    assert_eq!(received.len(), 4);
    let first = &received[0];
    assert_eq!(
        (first.seq, first.platform.as_str(), first.account.as_str()),
        (1, "telegram", TOKEN)
    );
    assert_eq!(
        (first.recipient.as_str(), first.text.as_str()),
        ("42", "<b>Hello</b>")
    );
    assert_eq!(
        (first.status, first.delivered, first.duplicate),
        (200, true, false)
    );
    assert_eq!(first.platform_id.as_deref(), Some("1"));
    assert_eq!(
        first.at,
        Utc.with_ymd_and_hms(2027, 1, 15, 10, 0, 0).unwrap()
    );
    assert_eq!(first.body["disable_web_page_preview"], true);
    // The record keeps the chat as it was asked for.
    assert_eq!(received[1].recipient, "@news");
    assert_eq!(received[2].recipient, channel_id.to_string());
    assert_eq!(received[3].recipient, "42");
    running.shutdown().await;
}

#[tokio::test]
async fn telegram_rejects_what_telegram_rejects_and_records_it() {
    let mut config = SandboxConfig::default();
    config.blocked_chats.insert("666".to_string());
    let (sandbox, running) = start(config, Arc::new(simulated_clock())).await;
    let client = reqwest::Client::new();

    let cases = [
        (
            json!({"chat_id": 1, "text": "a".repeat(4097)}),
            400,
            "Bad Request: message is too long",
        ),
        (
            json!({"chat_id": 2, "text": "<b>bold <i>both</b></i>", "parse_mode": "HTML"}),
            400,
            "Bad Request: can't parse entities: Unmatched end tag at byte offset 15, expected \"</i>\", found \"</b>\"",
        ),
        (
            json!({"chat_id": 3, "text": "<div>x</div>", "parse_mode": "HTML"}),
            400,
            "Bad Request: can't parse entities: Unsupported start tag \"div\" at byte offset 0",
        ),
        (
            json!({"chat_id": 4, "text": ""}),
            400,
            "Bad Request: message text is empty",
        ),
        (json!({"text": "who?"}), 400, "Bad Request: chat not found"),
        (
            json!({"chat_id": 666, "text": "hi"}),
            403,
            "Forbidden: bot was blocked by the user",
        ),
    ];
    for (message, status, description) in &cases {
        let answer = send_telegram(&client, &running, message.clone()).await;
        assert_eq!(answer.status, *status, "{message}");
        assert_eq!(
            answer.body,
            json!({"ok": false, "error_code": status, "description": description})
        );
    }
    // 4096 UTF-16 units after entities is fine.
    let at_limit = format!("<b>{}</b>&amp;", "a".repeat(4095));
    let ok = send_telegram(
        &client,
        &running,
        json!({"chat_id": 1, "text": at_limit, "parse_mode": "HTML"}),
    )
    .await;
    assert_eq!(ok.status, 200);

    let received = sandbox.received();
    assert_eq!(received.len(), cases.len() + 1);
    assert!(received[..cases.len()].iter().all(|r| !r.delivered));
    assert_eq!(
        received.iter().map(|r| r.status).collect::<Vec<_>>(),
        vec![400, 400, 400, 400, 400, 403, 200]
    );
    assert_eq!(received[5].recipient, "666");
    assert_eq!(sandbox.delivered().len(), 1);

    // Unknown paths and tokens answer as Telegram does.
    let not_bot = post(
        &client,
        &format!("{}/notabot/sendMessage", running.base_url()),
        &[],
        b"{}".to_vec(),
    )
    .await
    .unwrap();
    assert_eq!(not_bot.status, 404);
    assert_eq!(
        not_bot.body,
        json!({"ok": false, "error_code": 404, "description": "Not Found"})
    );
    let no_token = post(
        &client,
        &format!("{}/bot/sendMessage", running.base_url()),
        &[],
        br#"{"chat_id":1,"text":"x"}"#.to_vec(),
    )
    .await
    .unwrap();
    assert_eq!(no_token.status, 401);
    assert_eq!(no_token.body["description"], "Unauthorized");
}

#[tokio::test]
async fn telegram_group_limit_is_20_a_minute_and_time_heals_it() {
    let clock = simulated_clock();
    let (sandbox, running) = start(SandboxConfig::default(), Arc::new(clock.clone())).await;
    let client = reqwest::Client::new();

    for i in 0..20 {
        let answer = send_telegram(
            &client,
            &running,
            json!({"chat_id": "@news", "text": i.to_string()}),
        )
        .await;
        assert_eq!(answer.status, 200, "message {i}");
    }
    clock.advance(chrono::Duration::seconds(15));
    let throttled =
        send_telegram(&client, &running, json!({"chat_id": "@news", "text": "21"})).await;
    assert_eq!(throttled.status, 429);
    assert_eq!(
        throttled.body,
        json!({"ok": false, "error_code": 429,
               "description": "Too Many Requests: retry after 45",
               "parameters": {"retry_after": 45}})
    );
    assert!(throttled.headers.get("retry-after").is_none());
    // Another group is not affected, nor is the same group name of another bot.
    let other = send_telegram(&client, &running, json!({"chat_id": -100_123, "text": "x"})).await;
    assert_eq!(other.status, 200);
    let other_bot = post(
        &client,
        &format!("{}/bot999:OTHER/sendMessage", running.base_url()),
        &[],
        br#"{"chat_id":"@news","text":"x"}"#.to_vec(),
    )
    .await
    .unwrap();
    assert_eq!(other_bot.status, 200);

    clock.advance(chrono::Duration::seconds(45));
    let again = send_telegram(
        &client,
        &running,
        json!({"chat_id": "@news", "text": "later"}),
    )
    .await;
    assert_eq!(again.status, 200);
    // Message ids belong to the chat, which the other bot also posted in.
    assert_eq!(again.body["result"]["message_id"], 22);

    let received = sandbox.received();
    assert_eq!(received.len(), 24);
    assert_eq!(received[20].status, 429);
    assert!(!received[20].delivered);
    assert_eq!(sandbox.delivered().len(), 23);
}

#[tokio::test]
async fn telegram_bot_limit_is_30_a_second_and_private_chats_1_a_second() {
    let clock = simulated_clock();
    let (sandbox, running) = start(SandboxConfig::default(), Arc::new(clock.clone())).await;
    let client = reqwest::Client::new();

    for chat in 1..=30 {
        let answer = send_telegram(&client, &running, json!({"chat_id": chat, "text": "hi"})).await;
        assert_eq!(answer.status, 200, "chat {chat}");
    }
    let throttled = send_telegram(&client, &running, json!({"chat_id": 31, "text": "hi"})).await;
    assert_eq!(throttled.status, 429);
    assert_eq!(throttled.body["parameters"]["retry_after"], 1);

    clock.advance(chrono::Duration::milliseconds(1000));
    // The bot window is free again, but chat 1 may get one message a second.
    assert_eq!(
        send_telegram(&client, &running, json!({"chat_id": 1, "text": "hi"}))
            .await
            .status,
        200
    );
    let same_chat = send_telegram(&client, &running, json!({"chat_id": 1, "text": "hi"})).await;
    assert_eq!(same_chat.status, 429);
    assert_eq!(same_chat.body["parameters"]["retry_after"], 1);
    // A rejected request does not use up the window.
    let invalid = send_telegram(&client, &running, json!({"chat_id": 77, "text": ""})).await;
    assert_eq!(invalid.status, 400);
    assert_eq!(
        send_telegram(&client, &running, json!({"chat_id": 77, "text": "hi"}))
            .await
            .status,
        200
    );
    assert_eq!(sandbox.delivered().len(), 32);
}

#[tokio::test]
async fn limits_off_accepts_a_thousand_rapid_messages_to_one_chat() {
    let config = SandboxConfig {
        limits: SandboxLimits::off(),
        ..SandboxConfig::default()
    };
    let (sandbox, running) = start(config, Arc::new(SystemClock)).await;
    let client = reqwest::Client::new();
    let url = format!("{}/bot{TOKEN}/sendMessage", running.base_url());
    let mut tasks = Vec::new();
    for worker in 0..10 {
        let client = client.clone();
        let url = url.clone();
        tasks.push(tokio::spawn(async move {
            let mut statuses = Vec::new();
            for i in 0..100 {
                let body = json!({"chat_id": "@news", "text": format!("{worker}-{i}")});
                let answer = post(&client, &url, &[], body.to_string().into_bytes())
                    .await
                    .expect("an answer");
                statuses.push(answer.status);
            }
            statuses
        }));
    }
    for task in tasks {
        assert!(task.await.unwrap().iter().all(|status| *status == 200));
    }
    let delivered = sandbox.delivered();
    assert_eq!(delivered.len(), 1000);
    let mut ids: Vec<u64> = delivered
        .iter()
        .map(|r| r.platform_id.as_deref().unwrap().parse().unwrap())
        .collect();
    ids.sort_unstable();
    assert_eq!(ids, (1..=1000).collect::<Vec<_>>());
}

#[tokio::test]
async fn webhook_accepts_valid_signatures_and_rejects_forgeries_and_replays() {
    let clock = simulated_clock();
    let mut config = SandboxConfig::default();
    config
        .webhook_secrets
        .insert("sms-gateway".to_string(), "gateway-secret".to_string());
    let (sandbox, running) = start(config, Arc::new(clock.clone())).await;
    let client = reqwest::Client::new();
    let url = format!("{}/webhook/sms-gateway", running.base_url());
    let now = clock.now().timestamp();
    let body = br#"{"text":"Hello","locale":"en"}"#.to_vec();

    let ok = post(
        &client,
        &url,
        &signed("gateway-secret", now, &body, Some("k1")),
        body.clone(),
    )
    .await
    .unwrap();
    assert_eq!((ok.status, ok.body.clone()), (200, json!({"id": "wh-1"})));

    // The default secret serves endpoints without their own.
    let other = post(
        &client,
        &format!("{}/webhook/partner-tool", running.base_url()),
        &signed(
            herald::platforms::REHEARSAL_CREDENTIAL,
            now,
            &body,
            Some("k1"),
        ),
        body.clone(),
    )
    .await
    .unwrap();
    assert_eq!(
        (other.status, other.body.clone()),
        (200, json!({"id": "wh-2"}))
    );

    let tampered = br#"{"text":"Hello!","locale":"en"}"#.to_vec();
    let forged_body = signed("gateway-secret", now, &body, Some("k2"));
    let wrong_key = signed(
        herald::platforms::REHEARSAL_CREDENTIAL,
        now,
        &body,
        Some("k3"),
    );
    let no_signature: Vec<(&str, String)> = signed("gateway-secret", now, &body, Some("k4"))
        .into_iter()
        .filter(|(name, _)| *name != "x-herald-signature")
        .collect();
    let no_timestamp: Vec<(&str, String)> = signed("gateway-secret", now, &body, Some("k5"))
        .into_iter()
        .filter(|(name, _)| *name != "x-herald-timestamp")
        .collect();
    for (headers, sent) in [
        (forged_body, tampered.clone()),
        (wrong_key, body.clone()),
        (no_signature, body.clone()),
        (no_timestamp, body.clone()),
    ] {
        let answer = post(&client, &url, &headers, sent).await.unwrap();
        assert_eq!(answer.status, 401);
        assert_eq!(answer.body, json!({"error": "invalid signature"}));
    }
    let stale = post(
        &client,
        &url,
        &signed("gateway-secret", now - 301, &body, Some("k6")),
        body.clone(),
    )
    .await
    .unwrap();
    assert_eq!(stale.status, 401);
    assert_eq!(stale.body, json!({"error": "stale timestamp"}));

    // The same key again, later and freshly signed: the first delivery's id, no new delivery.
    clock.advance(chrono::Duration::seconds(30));
    let replay = post(
        &client,
        &url,
        &signed("gateway-secret", clock.now().timestamp(), &body, Some("k1")),
        body.clone(),
    )
    .await
    .unwrap();
    assert_eq!(
        (replay.status, replay.body.clone()),
        (200, json!({"id": "wh-1"}))
    );

    // A key is required, and the body must be JSON.
    let no_key = post(
        &client,
        &url,
        &signed("gateway-secret", clock.now().timestamp(), &body, None),
        body.clone(),
    )
    .await
    .unwrap();
    assert_eq!(no_key.status, 400);
    let not_json = b"hello".to_vec();
    let answer = post(
        &client,
        &url,
        &signed(
            "gateway-secret",
            clock.now().timestamp(),
            &not_json,
            Some("k7"),
        ),
        not_json,
    )
    .await
    .unwrap();
    assert_eq!(answer.status, 400);

    let received = sandbox.received();
    assert_eq!(received.len(), 10);
    let first = &received[0];
    assert_eq!(
        (
            first.platform.as_str(),
            first.account.as_str(),
            first.recipient.as_str()
        ),
        ("webhook", "sms-gateway", "")
    );
    assert_eq!(first.text, "Hello");
    assert_eq!(first.body["locale"], "en");
    assert_eq!(first.idempotency_key.as_deref(), Some("k1"));
    assert_eq!(first.platform_id.as_deref(), Some("wh-1"));
    assert!(
        received[2..7]
            .iter()
            .all(|r| !r.delivered && r.status == 401)
    );
    let replay = &received[7];
    assert!(replay.delivered && replay.duplicate);
    assert_eq!(replay.platform_id.as_deref(), Some("wh-1"));
    assert_eq!(received[9].text, "hello");
    let delivered = sandbox.delivered();
    assert_eq!(
        delivered
            .iter()
            .map(|r| r.platform_id.clone().unwrap())
            .collect::<Vec<_>>(),
        vec!["wh-1", "wh-2"]
    );
}

#[tokio::test]
async fn webhook_limit_answers_retry_after() {
    let clock = simulated_clock();
    let config = SandboxConfig {
        limits: SandboxLimits {
            webhook_per_second: Some(2),
            ..SandboxLimits::off()
        },
        ..SandboxConfig::default()
    };
    let (sandbox, running) = start(config, Arc::new(clock.clone())).await;
    let client = reqwest::Client::new();
    let url = format!("{}/webhook/p", running.base_url());
    let body = b"{}".to_vec();
    let now = clock.now().timestamp();
    let mut statuses = Vec::new();
    for key in ["a", "b", "c", "a"] {
        let answer = post(
            &client,
            &url,
            &signed(
                herald::platforms::REHEARSAL_CREDENTIAL,
                now,
                &body,
                Some(key),
            ),
            body.clone(),
        )
        .await
        .unwrap();
        if answer.status == 429 {
            assert_eq!(answer.headers["retry-after"], "1");
        }
        statuses.push(answer.status);
    }
    // A repeat of a delivered key is answered even when the window is full.
    assert_eq!(statuses, vec![200, 200, 429, 200]);
    assert_eq!(sandbox.delivered().len(), 2);
}

#[tokio::test]
async fn fault_429_storm_throttles_every_request() {
    let config = SandboxConfig {
        faults: FaultConfig {
            rate_429: 1.0,
            seed: 7,
            ..FaultConfig::default()
        },
        ..SandboxConfig::default()
    };
    let clock = simulated_clock();
    let (sandbox, running) = start(config, Arc::new(clock.clone())).await;
    let client = reqwest::Client::new();
    for i in 0..10 {
        let answer = send_telegram(
            &client,
            &running,
            json!({"chat_id": 1, "text": i.to_string()}),
        )
        .await;
        assert_eq!(answer.status, 429);
        assert_eq!(answer.body["parameters"]["retry_after"], 1);
    }
    let body = b"{}".to_vec();
    let answer = post(
        &client,
        &format!("{}/webhook/p", running.base_url()),
        &signed(
            herald::platforms::REHEARSAL_CREDENTIAL,
            clock.now().timestamp(),
            &body,
            Some("k"),
        ),
        body,
    )
    .await
    .unwrap();
    assert_eq!(answer.status, 429);
    assert_eq!(answer.headers["retry-after"], "1");
    assert_eq!(sandbox.received().len(), 11);
    assert!(sandbox.delivered().is_empty());

    // Validation still comes first: a bad request is a 400, not a 429.
    let invalid = send_telegram(&client, &running, json!({"chat_id": 1, "text": ""})).await;
    assert_eq!(invalid.status, 400);
}

#[tokio::test]
async fn fault_sequences_repeat_with_their_seed() {
    let faults = FaultConfig {
        rate_429: 0.3,
        rate_5xx: 0.3,
        seed: 99,
        ..FaultConfig::default()
    };
    let config = SandboxConfig {
        limits: SandboxLimits::off(),
        ..SandboxConfig::default()
    };
    let (sandbox, running) = start(config, Arc::new(simulated_clock())).await;
    let client = reqwest::Client::new();
    let mut runs = Vec::new();
    for _ in 0..2 {
        sandbox.set_faults(faults.clone());
        let mut statuses = Vec::new();
        for _ in 0..30 {
            statuses.push(
                send_telegram(&client, &running, json!({"chat_id": 5, "text": "x"}))
                    .await
                    .status,
            );
        }
        runs.push(statuses);
    }
    assert_eq!(runs[0], runs[1]);
    assert!(runs[0].contains(&200) && runs[0].contains(&429));
    assert!(runs[0].iter().any(|s| [500, 502, 503].contains(s)));
    let failure = sandbox
        .received()
        .into_iter()
        .find(|r| r.status >= 500)
        .unwrap();
    assert!(!failure.delivered);
}

#[tokio::test]
async fn fault_drop_leaves_the_client_without_an_answer_but_the_message_delivered() {
    let clock = simulated_clock();
    let config = SandboxConfig {
        faults: FaultConfig {
            rate_drop: 1.0,
            ..FaultConfig::default()
        },
        ..SandboxConfig::default()
    };
    let (sandbox, running) = start(config, Arc::new(clock.clone())).await;
    let client = reqwest::Client::new();

    let url = format!("{}/bot{TOKEN}/sendMessage", running.base_url());
    // `send` itself fails: no status line, no headers, nothing.
    let sent = client
        .post(&url)
        .header("content-type", "application/json")
        .body(r#"{"chat_id":1,"text":"hi"}"#)
        .send()
        .await;
    let err = sent.expect_err("a transport error, not a response");
    assert!(err.status().is_none() && !err.is_timeout(), "{err:?}");

    let body = b"{}".to_vec();
    let mut request = client
        .post(format!("{}/webhook/p", running.base_url()))
        .body(body.clone());
    for (name, value) in signed(
        herald::platforms::REHEARSAL_CREDENTIAL,
        clock.now().timestamp(),
        &body,
        Some("k"),
    ) {
        request = request.header(name, value);
    }
    assert!(request.send().await.is_err());

    let delivered = sandbox.delivered();
    assert_eq!(delivered.len(), 2);
    assert!(
        delivered
            .iter()
            .all(|r| r.status == 0 && r.platform_id.is_some())
    );

    // Faults off again: the same sandbox answers normally on a new connection.
    sandbox.set_faults(FaultConfig::default());
    clock.advance(chrono::Duration::seconds(1));
    let answer = post(&client, &url, &[], br#"{"chat_id":1,"text":"hi"}"#.to_vec())
        .await
        .unwrap();
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body["result"]["message_id"], 2);
}

#[tokio::test]
async fn fault_drop_outside_start_answers_502() {
    let sandbox = Sandbox::new(
        SandboxConfig {
            faults: FaultConfig {
                rate_drop: 1.0,
                ..FaultConfig::default()
            },
            ..SandboxConfig::default()
        },
        Arc::new(simulated_clock()),
    );
    let addr = common::loopback::serve(sandbox.router()).await;
    let client = reqwest::Client::new();
    let answer = post(
        &client,
        &format!("http://{addr}/bot{TOKEN}/sendMessage"),
        &[],
        br#"{"chat_id":1,"text":"hi"}"#.to_vec(),
    )
    .await
    .unwrap();
    assert_eq!(answer.status, 502);
}

#[tokio::test]
async fn fault_slow_delays_the_answer() {
    let config = SandboxConfig {
        faults: FaultConfig {
            rate_slow: 1.0,
            slow_ms: 200,
            ..FaultConfig::default()
        },
        ..SandboxConfig::default()
    };
    let (_sandbox, running) = start(config, Arc::new(simulated_clock())).await;
    let client = reqwest::Client::new();
    let started = Instant::now();
    let answer = send_telegram(&client, &running, json!({"chat_id": 1, "text": "hi"})).await;
    assert_eq!(answer.status, 200);
    assert!(started.elapsed() >= Duration::from_millis(200));
}

#[tokio::test]
async fn control_routes_read_clear_and_steer() {
    let clock = simulated_clock();
    let (sandbox, running) = start(SandboxConfig::default(), Arc::new(clock.clone())).await;
    let client = reqwest::Client::new();
    let base = running.base_url();

    send_telegram(&client, &running, json!({"chat_id": 1, "text": "one"})).await;
    send_telegram(&client, &running, json!({"chat_id": 1, "text": "too soon"})).await;
    let body = b"{}".to_vec();
    post(
        &client,
        &format!("{base}/webhook/p"),
        &signed(
            herald::platforms::REHEARSAL_CREDENTIAL,
            clock.now().timestamp(),
            &body,
            Some("k"),
        ),
        body,
    )
    .await
    .unwrap();

    let list = |query: &'static str| {
        let client = client.clone();
        let url = format!("{base}/sandbox/received{query}");
        async move {
            let response = client.get(url).send().await.unwrap();
            assert_eq!(response.status(), 200);
            serde_json::from_slice::<Vec<Value>>(&response.bytes().await.unwrap()).unwrap()
        }
    };
    assert_eq!(list("").await.len(), 3);
    let telegram = list("?platform=telegram&delivered=true").await;
    assert_eq!(telegram.len(), 1);
    assert_eq!(telegram[0]["text"], "one");
    assert_eq!(telegram[0]["at"], "2027-01-15T10:00:00Z");
    assert_eq!(list("?delivered=false").await.len(), 1);
    assert_eq!(list("?platform=webhook").await.len(), 1);

    // Faults and limits change at runtime.
    let response = client
        .put(format!("{base}/sandbox/faults"))
        .header("content-type", "application/json")
        .body(r#"{"rate_5xx": 1.0, "seed": 3}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let answer = send_telegram(&client, &running, json!({"chat_id": 2, "text": "x"})).await;
    assert!([500, 502, 503].contains(&answer.status));
    assert_eq!(answer.body["ok"], false);
    assert_eq!(answer.body["error_code"], answer.status);
    sandbox.set_faults(FaultConfig::default());

    let response = client
        .put(format!("{base}/sandbox/limits"))
        .header("content-type", "application/json")
        .body(r#"{"telegram_per_second": 30}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let answer = send_telegram(
        &client,
        &running,
        json!({"chat_id": 1, "text": "now allowed"}),
    )
    .await;
    assert_eq!(answer.status, 200);

    let response = client
        .delete(format!("{base}/sandbox/received"))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success());
    assert!(sandbox.received().is_empty());
    send_telegram(&client, &running, json!({"chat_id": 1, "text": "after"})).await;
    assert_eq!(sandbox.received()[0].seq, 1);
}

#[tokio::test]
async fn bodies_over_one_mebibyte_are_refused() {
    let clock = simulated_clock();
    let (sandbox, running) = start(SandboxConfig::default(), Arc::new(clock.clone())).await;
    let client = reqwest::Client::new();
    let text = "a".repeat(1024 * 1024 + 1);
    let body = json!({"chat_id": 1, "text": text}).to_string().into_bytes();
    let url = format!("{}/bot{TOKEN}/sendMessage", running.base_url());
    let answer = post(&client, &url, &[], body.clone()).await.unwrap();
    assert_eq!(answer.status, 413);
    let answer = post(
        &client,
        &format!("{}/webhook/p", running.base_url()),
        &signed(
            herald::platforms::REHEARSAL_CREDENTIAL,
            clock.now().timestamp(),
            &body,
            Some("k"),
        ),
        body,
    )
    .await
    .unwrap();
    assert_eq!(answer.status, 413);
    assert!(sandbox.delivered().is_empty());
}

#[tokio::test]
async fn shutdown_stops_listening() {
    let (_sandbox, running) = start(SandboxConfig::default(), Arc::new(SystemClock)).await;
    let addr = running.addr;
    assert_eq!(
        running.base_url(),
        format!("http://127.0.0.1:{}", addr.port())
    );
    running.shutdown().await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}

/// What the Telegram bot libraries send: parameters as a form (python-telegram-bot and aiogram)
/// or in the query string, and `getMe`, `setWebhook`, `getWebhookInfo` and `deleteWebhook`
/// around their start. The sandbox takes them as Telegram does.
#[tokio::test]
async fn telegram_takes_form_bodies_query_strings_and_the_start_up_calls_of_bot_libraries() {
    let (sandbox, running) = start(SandboxConfig::default(), simulated_clock_arc()).await;
    let client = reqwest::Client::new();
    let base = format!("{}/bot{TOKEN}", running.base_url());
    let form = |path: &str, body: &str| {
        client
            .post(format!("{base}/{path}"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.to_string())
            .send()
    };

    let me: Value = client
        .get(format!("{base}/getMe"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .map(|bytes| serde_json::from_slice(&bytes).unwrap())
        .unwrap();
    assert_eq!(me["ok"], true);
    assert_eq!(me["result"]["id"], 123456);
    assert_eq!(me["result"]["is_bot"], true);

    let sent = form(
        "sendMessage",
        "chat_id=%40herald_info&text=caf%C3%A9+%3Cb%3Eok%3C%2Fb%3E&parse_mode=HTML",
    )
    .await
    .unwrap();
    assert_eq!(sent.status(), 200);
    let received = sandbox.received();
    assert_eq!(
        received.last().map(|r| r.text.as_str()),
        Some("café <b>ok</b>")
    );

    let by_query = client
        .post(format!(
            "{base}/sendMessage?chat_id=%40herald_info&text=hello"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(by_query.status(), 200);

    let set = form(
        "setWebhook",
        "url=https%3A%2F%2Fherald.example.org%2Fhooks%2Ftelegram%2Fbot&secret_token=s3cret",
    )
    .await
    .unwrap();
    assert_eq!(set.status(), 200);
    let info: Value = client
        .post(format!("{base}/getWebhookInfo"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .map(|bytes| serde_json::from_slice(&bytes).unwrap())
        .unwrap();
    assert_eq!(
        info["result"]["url"],
        "https://herald.example.org/hooks/telegram/bot"
    );
    assert_eq!(info["result"]["pending_update_count"], 0);
    let deleted = form("deleteWebhook", "").await.unwrap();
    assert_eq!(deleted.status(), 200);
    let info: Value = client
        .get(format!("{base}/getWebhookInfo"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .map(|bytes| serde_json::from_slice(&bytes).unwrap())
        .unwrap();
    assert_eq!(info["result"]["url"], "");

    // A parameter given twice, in the query and in the body, is refused rather than guessed.
    let twice = client
        .post(format!("{base}/sendMessage?chat_id=1"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("chat_id=2&text=x")
        .send()
        .await
        .unwrap();
    assert_eq!(twice.status(), 400);
}

fn simulated_clock_arc() -> Arc<dyn Clock> {
    Arc::new(simulated_clock())
}
