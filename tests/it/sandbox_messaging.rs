//! The messaging partners of the sandbox over real HTTP: WhatsApp Cloud API and Viber wire
//! formats, limits and faults, the signed status callbacks they send back, and the people who
//! write to the bots, each received by a small axum app in the test that checks signatures.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use axum::http::{Method, StatusCode};
use common::partner_sandbox::simulated_clock;
use common::receiver::{Hit, Receiver};
use herald::clock::{Clock, SimulatedClock};
use herald::platforms::Platform;
use herald::sandbox::{
    CallbackCounts, FaultConfig, FaultCounts, PersonAction, PersonEvent, RunningSandbox, Sandbox,
    SandboxConfig, SandboxLimits, StatusTally, TallyConfig, TallyKey,
};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

const PHONE: &str = "106540352242922";
const WHATSAPP_TOKEN: &str = "EAAG-sandbox-token";
const VIBER_TOKEN: &str = "4453b6ac1s345678-e02c5f12174805f9-9d3a6e3d4a5b6c7d";
const BOT_TOKEN: &str = "123456:ABC-sandbox";
const APP_SECRET: &str = "meta-app-secret";

async fn start(config: SandboxConfig, clock: &SimulatedClock) -> (Sandbox, RunningSandbox) {
    let sandbox = Sandbox::new(config, Arc::new(clock.clone()));
    let running = sandbox.start(0).await.expect("sandbox starts");
    (sandbox, running)
}

struct Answer {
    status: u16,
    body: Value,
}

async fn post(
    client: &reqwest::Client,
    url: &str,
    headers: &[(&str, &str)],
    body: &Value,
) -> reqwest::Result<Answer> {
    let mut request = client
        .post(url)
        .header("content-type", "application/json")
        .body(body.to_string());
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await?;
    let status = response.status().as_u16();
    let bytes = response.bytes().await?;
    Ok(Answer {
        status,
        body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    })
}

fn hmac_hex(key: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(body);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// A receiver standing in for herald's webhook endpoints.

/// Answers like herald's endpoints: Meta's subscription check (a GET) gets its challenge back
/// when the verify token is right; every callback is taken.
fn answer_like_herald(hit: &Hit) -> (StatusCode, String) {
    if hit.method == Method::GET {
        let param = |name: &str| {
            hit.query
                .split('&')
                .find_map(|pair| pair.strip_prefix(&format!("{name}=")))
                .map(str::to_string)
        };
        return match (param("hub.mode"), param("hub.verify_token")) {
            (Some(mode), Some(token)) if mode == "subscribe" && token == "verify%20me" => {
                (StatusCode::OK, param("hub.challenge").unwrap_or_default())
            }
            _ => (StatusCode::FORBIDDEN, String::new()),
        };
    }
    (StatusCode::OK, "ok".to_string())
}

async fn start_receiver() -> Receiver {
    Receiver::answering_with(answer_like_herald).await
}

// ---------------------------------------------------------------------------------------------
// WhatsApp

fn template(to: &str, name: &str, parameter: &str) -> Value {
    json!({
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": "template",
        "template": {
            "name": name,
            "language": {"code": "ar"},
            "components": [{"type": "body", "parameters": [{"type": "text", "text": parameter}]}],
        },
    })
}

fn text_message(to: &str, body: &str) -> Value {
    json!({"messaging_product": "whatsapp", "to": to, "type": "text", "text": {"body": body}})
}

async fn send_whatsapp(client: &reqwest::Client, running: &RunningSandbox, body: &Value) -> Answer {
    let url = format!("{}/v21.0/{PHONE}/messages", running.base_url());
    let bearer = format!("Bearer {WHATSAPP_TOKEN}");
    post(client, &url, &[("authorization", &bearer)], body)
        .await
        .expect("an answer")
}

/// Asserts a Graph error envelope and returns its code.
fn graph_error(answer: &Answer) -> i64 {
    let error = &answer.body["error"];
    assert_eq!(error["type"], "OAuthException", "{}", answer.body);
    assert!(error["message"].is_string());
    assert!(error["error_data"]["details"].is_string());
    assert!(
        error["fbtrace_id"]
            .as_str()
            .is_some_and(|id| !id.is_empty())
    );
    error["code"].as_i64().expect("a numeric code")
}

#[tokio::test]
async fn whatsapp_template_success_has_metas_shape() {
    let clock = simulated_clock();
    let (sandbox, running) = start(SandboxConfig::default(), &clock).await;
    let client = reqwest::Client::new();

    let first = send_whatsapp(
        &client,
        &running,
        &template("+31600000001", "flood", "Stay inside"),
    )
    .await;
    assert_eq!(first.status, 200);
    let wamid = first.body["messages"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(wamid.starts_with("wamid."), "{wamid}");
    assert_eq!(
        first.body,
        json!({
            "messaging_product": "whatsapp",
            "contacts": [{"input": "+31600000001", "wa_id": "31600000001"}],
            "messages": [{"id": wamid, "message_status": "accepted"}],
        })
    );
    let second = send_whatsapp(&client, &running, &template("31600000002", "flood", "x")).await;
    assert_ne!(
        second.body["messages"][0]["id"],
        first.body["messages"][0]["id"]
    );

    let delivered = sandbox.delivered();
    assert_eq!(delivered.len(), 2);
    let entry = &delivered[0];
    assert_eq!(
        (
            entry.platform.as_str(),
            entry.account.as_str(),
            entry.recipient.as_str()
        ),
        ("whatsapp", PHONE, "31600000001")
    );
    assert_eq!(entry.text, "Stay inside");
    assert_eq!(entry.platform_id.as_deref(), Some(wamid.as_str()));
    assert_eq!(entry.at, clock.now());
    assert_eq!(entry.body["template"]["name"], "flood");
    let counts = sandbox.counts();
    assert_eq!((counts.requests, counts.new_deliveries), (2, 2));
    running.shutdown().await;
}

#[tokio::test]
async fn whatsapp_answers_every_error_class_as_meta_does() {
    let clock = simulated_clock();
    let config = SandboxConfig {
        whatsapp_templates: BTreeMap::from([("paused_one".to_string(), "PAUSED".to_string())]),
        ..SandboxConfig::default()
    };
    let (sandbox, running) = start(config, &clock).await;
    let client = reqwest::Client::new();
    let url = format!("{}/v21.0/{PHONE}/messages", running.base_url());
    let message = template("31600000001", "flood", "x");

    // No or empty bearer token: 401, code 190.
    for headers in [
        vec![],
        vec![("authorization", "Bearer ")],
        vec![("authorization", "Basic abc")],
    ] {
        let answer = post(&client, &url, &headers, &message).await.unwrap();
        assert_eq!(answer.status, 401);
        assert_eq!(graph_error(&answer), 190);
    }

    // Malformed: code 100, HTTP 400.
    let mut no_language = message.clone();
    no_language["template"]
        .as_object_mut()
        .unwrap()
        .remove("language");
    let malformed = [
        no_language,
        json!({"to": "31600000001", "type": "template"}),
        template("31600000001", "flood", &"a".repeat(1025)),
        text_message("31600000001", &"a".repeat(4097)),
    ];
    for body in &malformed {
        let answer = send_whatsapp(&client, &running, body).await;
        assert_eq!(answer.status, 400, "{body}");
        assert_eq!(graph_error(&answer), 100);
    }

    // A template that is not approved: 132001, naming template and language.
    sandbox.set_whatsapp_templates(BTreeMap::from([(
        "flood:ar".to_string(),
        "PENDING".to_string(),
    )]));
    let answer = send_whatsapp(&client, &running, &message).await;
    assert_eq!(answer.status, 400);
    assert_eq!(graph_error(&answer), 132001);
    let details = answer.body["error"]["error_data"]["details"]
        .as_str()
        .unwrap();
    assert!(
        details.contains("flood") && details.contains("ar"),
        "{details}"
    );
    // The control route replaces the statuses too.
    let response = client
        .put(format!("{}/sandbox/whatsapp/templates", running.base_url()))
        .header("content-type", "application/json")
        .body(r#"{"flood": "REJECTED"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let answer = send_whatsapp(&client, &running, &template("31600000009", "other", "x")).await;
    assert_eq!(answer.status, 200, "templates not listed are approved");
    let answer = send_whatsapp(&client, &running, &message).await;
    assert_eq!(graph_error(&answer), 132001);
    // A template Meta stopped has codes of its own: 132015 paused, 132016 disabled.
    for (status, code) in [("PAUSED", 132015), ("DISABLED", 132016)] {
        sandbox.set_whatsapp_templates(BTreeMap::from([("flood".to_string(), status.to_string())]));
        let answer = send_whatsapp(&client, &running, &message).await;
        assert_eq!(
            (answer.status, graph_error(&answer)),
            (400, code),
            "{status}"
        );
    }

    // Free-form text outside a 24-hour window: 131047.
    let answer = send_whatsapp(&client, &running, &text_message("31600000001", "hi")).await;
    assert_eq!(answer.status, 400);
    assert_eq!(graph_error(&answer), 131047);

    // Everything was recorded, and only the approved template delivered.
    assert_eq!(sandbox.counts().requests, 3 + 4 + 1 + 1 + 1 + 2 + 1);
    assert_eq!(sandbox.delivered().len(), 1);
    running.shutdown().await;
}

#[tokio::test]
async fn whatsapp_lists_templates_with_their_statuses() {
    let clock = simulated_clock();
    let config = SandboxConfig {
        whatsapp_templates: BTreeMap::from([
            ("flood:ar".to_string(), "PENDING".to_string()),
            ("flood:fa".to_string(), "APPROVED".to_string()),
            ("heat".to_string(), "REJECTED".to_string()),
        ]),
        ..SandboxConfig::default()
    };
    let (_sandbox, running) = start(config, &clock).await;
    let client = reqwest::Client::new();
    let list = |query: &'static str, bearer: bool| {
        let client = client.clone();
        let url = format!("{}/v21.0/2222/message_templates{query}", running.base_url());
        async move {
            let mut request = client.get(url);
            if bearer {
                request = request.header("authorization", "Bearer t");
            }
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            let body: Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
            (status, body)
        }
    };
    let (status, body) = list("?name=flood", true).await;
    assert_eq!(status, 200);
    let shown: Vec<(String, String)> = body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            assert_eq!(t["category"], "UTILITY");
            assert!(t["id"].is_string());
            (
                t["language"].as_str().unwrap().to_string(),
                t["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        shown,
        vec![
            ("ar".to_string(), "PENDING".to_string()),
            ("fa".to_string(), "APPROVED".to_string())
        ]
    );
    // One page: cursors, and no link to a next one.
    assert!(body["paging"]["cursors"]["after"].is_string());
    assert!(body["paging"].get("next").is_none());
    let (_, body) = list("?name=heat&language=uk", true).await;
    assert_eq!(body["data"][0]["status"], "REJECTED");
    assert_eq!(body["data"][0]["language"], "uk");
    let (_, body) = list("?name=unlisted&language=uk", true).await;
    assert_eq!(body["data"].as_array().unwrap().len(), 1);
    assert_eq!(body["data"][0]["status"], "APPROVED");
    let (_, body) = list("", true).await;
    assert_eq!(body["data"].as_array().unwrap().len(), 3);
    // A template listed by name alone shows in a real language code, never a wildcard.
    assert_eq!(body["data"][2]["language"], "en_US");
    let (status, body) = list("", false).await;
    assert_eq!(status, 401);
    assert_eq!(body["error"]["code"], 190);
    // Graph also takes the token as a query parameter.
    let (status, _) = list("?access_token=t", false).await;
    assert_eq!(status, 200);
    running.shutdown().await;
}

#[tokio::test]
async fn whatsapp_throughput_is_80_a_second_per_number() {
    let clock = simulated_clock();
    let (sandbox, running) = start(SandboxConfig::default(), &clock).await;
    let client = reqwest::Client::new();
    for i in 0..80 {
        let answer = send_whatsapp(
            &client,
            &running,
            &template(&format!("3160000{i:04}"), "t", "x"),
        )
        .await;
        assert_eq!(answer.status, 200, "message {i}");
    }
    let throttled = send_whatsapp(&client, &running, &template("31600009999", "t", "x")).await;
    assert_eq!(throttled.status, 429);
    assert_eq!(graph_error(&throttled), 130429);
    // Another number has its own throughput.
    let other = post(
        &client,
        &format!("{}/v21.0/999/messages", running.base_url()),
        &[("authorization", "Bearer t")],
        &template("31600009999", "t", "x"),
    )
    .await
    .unwrap();
    assert_eq!(other.status, 200);
    clock.advance(chrono::Duration::seconds(1));
    let answer = send_whatsapp(&client, &running, &template("31600009999", "t", "x")).await;
    assert_eq!(answer.status, 200);
    assert_eq!(sandbox.delivered().len(), 82);
    running.shutdown().await;
}

#[tokio::test]
async fn whatsapp_pair_limit_is_one_message_per_six_seconds_and_time_heals_it() {
    let clock = simulated_clock();
    let (_sandbox, running) = start(SandboxConfig::default(), &clock).await;
    let client = reqwest::Client::new();
    let message = template("31600000001", "t", "x");
    assert_eq!(send_whatsapp(&client, &running, &message).await.status, 200);
    clock.advance(chrono::Duration::seconds(5));
    let throttled = send_whatsapp(&client, &running, &message).await;
    assert_eq!(throttled.status, 400);
    assert_eq!(graph_error(&throttled), 131056);
    clock.advance(chrono::Duration::seconds(1));
    assert_eq!(send_whatsapp(&client, &running, &message).await.status, 200);

    // Off means off.
    let (_sandbox, running) = start(
        SandboxConfig {
            limits: SandboxLimits::off(),
            ..SandboxConfig::default()
        },
        &clock,
    )
    .await;
    for _ in 0..100 {
        assert_eq!(send_whatsapp(&client, &running, &message).await.status, 200);
    }
}

#[tokio::test]
async fn whatsapp_faults_5xx_429_and_dropped_connections() {
    let clock = simulated_clock();
    let faults = FaultConfig {
        rate_5xx: 1.0,
        seed: 3,
        ..FaultConfig::default()
    };
    let config = SandboxConfig {
        faults,
        limits: SandboxLimits::off(),
        read_rate: 0.0,
        ..SandboxConfig::default()
    };
    let (sandbox, running) = start(config, &clock).await;
    let client = reqwest::Client::new();
    let message = template("31600000001", "t", "x");
    let mut statuses = BTreeSet::new();
    for _ in 0..30 {
        let answer = send_whatsapp(&client, &running, &message).await;
        statuses.insert(answer.status);
        let code = graph_error(&answer);
        let expected = if answer.status == 503 { 131016 } else { 131000 };
        assert_eq!(code, expected, "{}", answer.status);
    }
    assert_eq!(statuses, BTreeSet::from([500, 502, 503]));

    sandbox.set_faults(FaultConfig {
        rate_429: 1.0,
        ..FaultConfig::default()
    });
    let answer = send_whatsapp(&client, &running, &message).await;
    assert_eq!(answer.status, 429);
    assert_eq!(graph_error(&answer), 130429);
    assert!(sandbox.delivered().is_empty());

    sandbox.set_faults(FaultConfig {
        rate_drop: 1.0,
        ..FaultConfig::default()
    });
    let sent = client
        .post(format!("{}/v21.0/{PHONE}/messages", running.base_url()))
        .header("authorization", "Bearer t")
        .header("content-type", "application/json")
        .body(message.to_string())
        .send()
        .await;
    assert!(sent.is_err(), "the connection is dropped, not answered");
    let delivered = sandbox.delivered();
    assert_eq!(delivered.len(), 1);
    assert_eq!(delivered[0].status, 0);
    assert!(
        delivered[0]
            .platform_id
            .as_deref()
            .is_some_and(|id| id.starts_with("wamid."))
    );
    // The message was taken, so its callbacks follow (and fail: no webhook is registered).
    sandbox.flush_callbacks().await;
    assert_eq!(sandbox.callback_counts().failed, 2);
    running.shutdown().await;
}

/// Checks a WhatsApp callback's signature and returns its statuses.
fn whatsapp_statuses(hit: &Hit, secret: &str) -> Vec<Value> {
    assert_eq!(
        hit.header("x-hub-signature-256"),
        format!("sha256={}", hmac_hex(secret, &hit.body)),
        "signed with the app secret over the raw body"
    );
    assert_eq!(hit.header("content-type"), "application/json");
    let body = hit.json();
    assert_eq!(body["object"], "whatsapp_business_account");
    let entry = &body["entry"][0];
    assert_eq!(entry["id"], PHONE);
    let change = &entry["changes"][0];
    assert_eq!(change["field"], "messages");
    let value = &change["value"];
    assert_eq!(value["messaging_product"], "whatsapp");
    assert_eq!(value["metadata"]["phone_number_id"], PHONE);
    assert!(value["metadata"]["display_phone_number"].is_string());
    value["statuses"].as_array().expect("statuses").clone()
}

#[tokio::test]
async fn whatsapp_callbacks_are_sent_delivered_read_in_order_and_signed() {
    let clock = simulated_clock();
    let config = SandboxConfig {
        read_rate: 1.0,
        meta_app_secret: APP_SECRET.to_string(),
        ..SandboxConfig::default()
    };
    let (sandbox, running) = start(config, &clock).await;
    let receiver = start_receiver().await;
    sandbox.register_webhook(
        Platform::WhatsApp,
        PHONE,
        &format!("{}/whatsapp", receiver.url),
    );
    let client = reqwest::Client::new();

    let mut wamids = Vec::new();
    for i in 0..5 {
        let answer = send_whatsapp(
            &client,
            &running,
            &template(&format!("3160000000{i}"), "t", "x"),
        )
        .await;
        wamids.push(
            answer.body["messages"][0]["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    sandbox.flush_callbacks().await;
    assert_eq!(
        sandbox.callback_counts(),
        CallbackCounts {
            queued: 0,
            delivered: 15,
            failed: 0
        }
    );
    let hits = receiver.hits();
    assert_eq!(hits.len(), 15);
    let mut per_message: BTreeMap<String, Vec<(String, i64)>> = BTreeMap::new();
    for hit in &hits {
        assert_eq!(
            (hit.method.as_str(), hit.path.as_str()),
            ("POST", "/whatsapp")
        );
        let statuses = whatsapp_statuses(hit, APP_SECRET);
        assert_eq!(statuses.len(), 1, "one status per request by default");
        let status = &statuses[0];
        let timestamp: i64 = status["timestamp"].as_str().unwrap().parse().unwrap();
        per_message
            .entry(status["id"].as_str().unwrap().to_string())
            .or_default()
            .push((status["status"].as_str().unwrap().to_string(), timestamp));
        assert!(
            status["recipient_id"]
                .as_str()
                .unwrap()
                .starts_with("3160000000")
        );
        match status["status"].as_str().unwrap() {
            "sent" | "delivered" => {
                assert_eq!(status["pricing"]["category"], "utility");
                assert_eq!(status["pricing"]["pricing_model"], "PMP");
                // Meta leaves the conversation out of v24.0+ webhooks.
                assert!(status.get("conversation").is_none());
            }
            _ => {}
        }
    }
    assert_eq!(per_message.keys().cloned().collect::<Vec<_>>(), {
        let mut sorted = wamids.clone();
        sorted.sort();
        sorted
    });
    for statuses in per_message.values() {
        let names: Vec<&str> = statuses.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(names, ["sent", "delivered", "read"]);
        let times: Vec<i64> = statuses.iter().map(|(_, at)| *at).collect();
        assert!(times.windows(2).all(|pair| pair[0] <= pair[1]), "{times:?}");
        assert_eq!(times[0], clock.now().timestamp());
    }

    // Nobody reads: only sent and delivered.
    let mut config = sandbox.config();
    config.read_rate = 0.0;
    let (quiet, quiet_running) = start(config, &clock).await;
    quiet.register_webhook(Platform::WhatsApp, PHONE, &receiver.url);
    send_whatsapp(&client, &quiet_running, &template("31600000009", "t", "x")).await;
    quiet.flush_callbacks().await;
    assert_eq!(quiet.callback_counts().delivered, 2);
    running.shutdown().await;
}

#[tokio::test]
async fn whatsapp_undeliverable_recipients_are_accepted_then_fail_with_131026() {
    let clock = simulated_clock();
    let config = SandboxConfig {
        undeliverable: BTreeSet::from(["31600000666".to_string()]),
        ..SandboxConfig::default()
    };
    let (sandbox, running) = start(config, &clock).await;
    let receiver = start_receiver().await;
    sandbox.register_webhook(Platform::WhatsApp, PHONE, &receiver.url);
    let client = reqwest::Client::new();

    let answer = send_whatsapp(&client, &running, &template("+31600000666", "t", "x")).await;
    assert_eq!(answer.status, 200, "accepted at send time, as Meta does");
    sandbox.flush_callbacks().await;
    let hits = receiver.hits();
    assert_eq!(hits.len(), 1);
    let statuses = whatsapp_statuses(&hits[0], herald::platforms::REHEARSAL_CREDENTIAL);
    assert_eq!(statuses[0]["status"], "failed");
    assert_eq!(statuses[0]["id"], answer.body["messages"][0]["id"]);
    assert_eq!(statuses[0]["errors"][0]["code"], 131026);
    assert_eq!(statuses[0]["errors"][0]["title"], "Message undeliverable");
    assert_eq!(sandbox.callback_counts().delivered, 1);
    running.shutdown().await;
}

#[tokio::test]
async fn whatsapp_statuses_are_batched_up_to_callback_batch() {
    let clock = simulated_clock();
    let config = SandboxConfig {
        read_rate: 0.0,
        callback_batch: 4,
        limits: SandboxLimits::off(),
        ..SandboxConfig::default()
    };
    let (sandbox, running) = start(config, &clock).await;
    let receiver = start_receiver().await;
    sandbox.register_webhook(Platform::WhatsApp, PHONE, &receiver.url);
    // The receiver holds every request, so statuses pile up behind the first ones in flight.
    receiver.hold();
    let client = reqwest::Client::new();
    let messages = 40;
    for i in 0..messages {
        let answer = send_whatsapp(
            &client,
            &running,
            &template(&format!("316{i:08}"), "t", "x"),
        )
        .await;
        assert_eq!(answer.status, 200);
    }
    receiver.release();
    sandbox.flush_callbacks().await;

    let hits = receiver.hits();
    let sizes: Vec<usize> = hits
        .iter()
        .map(|hit| whatsapp_statuses(hit, herald::platforms::REHEARSAL_CREDENTIAL).len())
        .collect();
    assert_eq!(sizes.iter().sum::<usize>(), messages * 2);
    assert!(sizes.iter().all(|size| (1..=4).contains(size)), "{sizes:?}");
    assert!(
        sizes.contains(&4),
        "statuses waiting together share a request: {sizes:?}"
    );
    assert_eq!(sandbox.callback_counts().delivered, messages as u64 * 2);
    running.shutdown().await;
}

#[tokio::test]
async fn callbacks_are_retried_until_a_busy_receiver_takes_them() {
    let clock = simulated_clock();
    let config = SandboxConfig {
        read_rate: 0.0,
        ..SandboxConfig::default()
    };
    let (sandbox, running) = start(config, &clock).await;
    let receiver = start_receiver().await;
    sandbox.register_webhook(Platform::WhatsApp, PHONE, &receiver.url);
    receiver.refuse(2);
    let client = reqwest::Client::new();
    send_whatsapp(&client, &running, &template("31600000001", "t", "x")).await;
    sandbox.flush_callbacks().await;
    let hits = receiver.hits();
    let statuses: Vec<String> = hits
        .iter()
        .map(|hit| {
            whatsapp_statuses(hit, herald::platforms::REHEARSAL_CREDENTIAL)[0]["status"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    // `sent` was refused twice, then taken; `delivered` only after it.
    assert_eq!(statuses, ["sent", "sent", "sent", "delivered"]);
    assert_eq!(
        sandbox.callback_counts(),
        CallbackCounts {
            queued: 0,
            delivered: 2,
            failed: 0
        }
    );

    // A receiver that never takes it: given up after five tries, counted as failed.
    receiver.refuse(usize::MAX);
    let config = SandboxConfig {
        undeliverable: BTreeSet::from(["31600000002".to_string()]),
        ..sandbox.config()
    };
    let (stubborn, stubborn_running) = start(config, &clock).await;
    stubborn.register_webhook(Platform::WhatsApp, PHONE, &receiver.url);
    send_whatsapp(
        &client,
        &stubborn_running,
        &template("31600000002", "t", "x"),
    )
    .await;
    stubborn.flush_callbacks().await;
    assert_eq!(receiver.hits().len(), 4 + 5);
    assert_eq!(stubborn.callback_counts().failed, 1);
    running.shutdown().await;
}

#[tokio::test]
async fn callbacks_without_a_webhook_are_counted_and_dropped() {
    let clock = simulated_clock();
    let config = SandboxConfig {
        keep_record: false,
        limits: SandboxLimits::off(),
        read_rate: 0.0,
        ..SandboxConfig::default()
    };
    let (sandbox, running) = start(config, &clock).await;
    let client = reqwest::Client::new();
    for i in 0..300 {
        let answer = send_whatsapp(
            &client,
            &running,
            &template(&format!("316{i:08}"), "t", "x"),
        )
        .await;
        assert_eq!(answer.status, 200);
    }
    sandbox.flush_callbacks().await;
    assert_eq!(
        sandbox.callback_counts(),
        CallbackCounts {
            queued: 0,
            delivered: 0,
            failed: 600
        }
    );
    assert!(sandbox.received().is_empty());
    assert_eq!(sandbox.counts().new_deliveries, 300);
    let response = client
        .get(format!("{}/sandbox/callbacks", running.base_url()))
        .send()
        .await
        .unwrap();
    let counts: Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    assert_eq!(counts, json!({"queued": 0, "delivered": 0, "failed": 600}));
    running.shutdown().await;
}

// ---------------------------------------------------------------------------------------------
// Viber

async fn viber(
    client: &reqwest::Client,
    running: &RunningSandbox,
    method: &str,
    body: &Value,
) -> Answer {
    let url = format!("{}/pa/{method}", running.base_url());
    post(client, &url, &[("x-viber-auth-token", VIBER_TOKEN)], body)
        .await
        .expect("an answer")
}

fn broadcast(receivers: impl IntoIterator<Item = String>) -> Value {
    json!({
        "sender": {"name": "City info"},
        "type": "text",
        "text": "Clinics open on Sunday",
        "broadcast_list": receivers.into_iter().collect::<Vec<_>>(),
    })
}

fn viber_text(receiver: &str) -> Value {
    json!({"receiver": receiver, "sender": {"name": "City info"}, "type": "text", "text": "Hello"})
}

fn users(count: usize) -> Vec<String> {
    (0..count).map(|i| format!("user{i:03}+AbC=")).collect()
}

#[tokio::test]
async fn viber_broadcasts_to_300_refuses_301_and_lists_the_unsubscribed() {
    let clock = simulated_clock();
    let config = SandboxConfig {
        viber_unsubscribed: BTreeSet::from(["user007+AbC=".to_string()]),
        ..SandboxConfig::default()
    };
    let (sandbox, running) = start(config, &clock).await;
    let client = reqwest::Client::new();

    let answer = viber(
        &client,
        &running,
        "broadcast_message",
        &broadcast(users(300)),
    )
    .await;
    assert_eq!(answer.status, 200);
    let token = answer.body["message_token"]
        .as_i64()
        .expect("a numeric token");
    assert_eq!(
        answer.body,
        json!({
            "status": 0,
            "status_message": "ok",
            "message_token": token,
            "failed_list": [{"receiver": "user007+AbC=", "status": 6, "status_message": "Not subscribed"}],
        })
    );
    let counts = sandbox.counts();
    assert_eq!((counts.requests, counts.new_deliveries), (1, 299));
    assert_eq!(sandbox.received().len(), 301);
    let delivered = sandbox.delivered();
    assert_eq!(delivered.len(), 299);
    assert!(delivered.iter().all(|r| r.platform == "viber"
        && r.text == "Clinics open on Sunday"
        && r.platform_id == Some(token.to_string())));

    let too_many = viber(
        &client,
        &running,
        "broadcast_message",
        &broadcast(users(301)),
    )
    .await;
    assert_eq!(too_many.status, 200);
    assert_eq!(
        too_many.body,
        json!({"status": 3, "status_message": "badData"})
    );

    let single = viber(
        &client,
        &running,
        "send_message",
        &viber_text("user001+AbC="),
    )
    .await;
    assert_eq!(single.body["status"], 0);
    assert!(
        single.body["message_token"]
            .as_i64()
            .is_some_and(|t| t != token)
    );
    let unsubscribed = viber(
        &client,
        &running,
        "send_message",
        &viber_text("user007+AbC="),
    )
    .await;
    assert_eq!(
        unsubscribed.body,
        json!({"status": 6, "status_message": "receiverNotSubscribed"})
    );

    let no_token = post(
        &client,
        &format!("{}/pa/send_message", running.base_url()),
        &[],
        &viber_text("user001+AbC="),
    )
    .await
    .unwrap();
    assert_eq!(no_token.status, 200);
    assert_eq!(
        no_token.body,
        json!({"status": 2, "status_message": "invalidAuthToken"})
    );
    assert_eq!(sandbox.counts().new_deliveries, 300);
    running.shutdown().await;
}

#[tokio::test]
async fn the_tally_counts_per_group_what_the_record_lists_and_the_faults_injected() {
    let clock = simulated_clock();
    let config = SandboxConfig {
        limits: SandboxLimits::off(),
        read_rate: 1.0,
        tally: Some(TallyConfig {
            groups: BTreeMap::from([
                ("3161".to_string(), "nl-ar".to_string()),
                ("3162".to_string(), "nl-fr".to_string()),
                ("user".to_string(), "viber".to_string()),
            ]),
            ..TallyConfig::default()
        }),
        viber_unsubscribed: BTreeSet::from(["user002+AbC=".to_string()]),
        ..SandboxConfig::default()
    };
    let (sandbox, running) = start(config, &clock).await;
    let receiver = start_receiver().await;
    sandbox.register_webhook(Platform::WhatsApp, PHONE, &receiver.url);
    sandbox.register_webhook(Platform::Viber, VIBER_TOKEN, &receiver.url);
    let client = reqwest::Client::new();

    // Two texts to one person (the second time is a repeat), one to another group.
    for (to, text) in [
        ("31610000001", "a"),
        ("31610000001", "a"),
        ("31620000001", "b"),
    ] {
        let answer = send_whatsapp(&client, &running, &template(to, "t", text)).await;
        assert_eq!(answer.status, 200);
    }
    // Throttled: not taken. Dropped: taken, unanswered.
    sandbox.set_faults(FaultConfig {
        rate_429: 1.0,
        ..FaultConfig::default()
    });
    let throttled = send_whatsapp(&client, &running, &template("31610000002", "t", "c")).await;
    assert_eq!(throttled.status, 429);
    sandbox.set_faults(FaultConfig {
        rate_drop: 1.0,
        ..FaultConfig::default()
    });
    let url = format!("{}/v21.0/{PHONE}/messages", running.base_url());
    let dropped = post(
        &client,
        &url,
        &[("authorization", "Bearer t")],
        &template("31610000002", "t", "c"),
    )
    .await;
    assert!(dropped.is_err(), "the connection is dropped");
    sandbox.set_faults(FaultConfig::default());
    // A broadcast to three, one of whom left Viber.
    let answer = viber(&client, &running, "broadcast_message", &broadcast(users(3))).await;
    assert_eq!(answer.body["failed_list"][0]["receiver"], "user002+AbC=");
    sandbox.flush_callbacks().await;

    let tally = sandbox.tally().expect("a tally is kept");
    let line = |platform: &str, account: &str, group: &str| {
        tally[&TallyKey {
            platform: platform.to_string(),
            account: account.to_string(),
            group: group.to_string(),
        }]
    };
    let ar = line("whatsapp", PHONE, "nl-ar");
    assert_eq!(
        (ar.accepted, ar.unanswered, ar.repeats, ar.refused),
        (3, 1, 1, 0)
    );
    // Everyone reads: each answered message is delivered and read, the unanswered one too.
    assert_eq!(
        ar.callbacks,
        StatusTally {
            delivered: 2,
            read: 2,
            failed: 0
        }
    );
    assert_eq!(
        ar.unanswered_callbacks,
        StatusTally {
            delivered: 1,
            read: 1,
            failed: 0
        }
    );
    let fr = line("whatsapp", PHONE, "nl-fr");
    assert_eq!((fr.accepted, fr.callbacks.read), (1, 1));
    let viber_line = line("viber", VIBER_TOKEN, "viber");
    assert_eq!(
        (
            viber_line.accepted,
            viber_line.refused,
            viber_line.callbacks.read
        ),
        (2, 1, 2)
    );
    assert_eq!(tally.len(), 3);
    // The tally agrees with the full record.
    let accepted: u64 = tally.values().map(|c| c.accepted).sum();
    assert_eq!(accepted, sandbox.counts().new_deliveries);
    assert_eq!(accepted as usize, sandbox.delivered().len());
    assert_eq!(
        sandbox.faults_injected(),
        FaultCounts {
            too_many_requests: 1,
            dropped: 1,
            ..FaultCounts::default()
        }
    );

    let response = client
        .get(format!("{}/sandbox/tally", running.base_url()))
        .send()
        .await
        .unwrap();
    let body: Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    assert_eq!(body["faults_injected"]["too_many_requests"], 1);
    let lines = body["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["platform"], "viber");
    assert_eq!(lines[0]["counts"]["refused"], 1);
    assert_eq!(lines[1]["group"], "nl-ar");
    assert_eq!(lines[1]["counts"]["unanswered_callbacks"]["read"], 1);

    sandbox.clear();
    assert_eq!(sandbox.tally(), Some(BTreeMap::new()));
    assert_eq!(sandbox.faults_injected(), FaultCounts::default());
    running.shutdown().await;
}

#[tokio::test]
async fn viber_allows_500_requests_in_10_seconds_then_status_12() {
    let clock = simulated_clock();
    let (_sandbox, running) = start(SandboxConfig::default(), &clock).await;
    let client = reqwest::Client::new();
    for i in 0..500 {
        let answer = viber(
            &client,
            &running,
            "send_message",
            &viber_text(&format!("u{i}=")),
        )
        .await;
        assert_eq!(answer.body["status"], 0, "request {i}");
    }
    let throttled = viber(&client, &running, "broadcast_message", &broadcast(users(2))).await;
    assert_eq!(throttled.status, 200);
    assert_eq!(
        throttled.body,
        json!({"status": 12, "status_message": "tooManyRequests"})
    );
    clock.advance(chrono::Duration::seconds(10));
    let answer = viber(&client, &running, "broadcast_message", &broadcast(users(2))).await;
    assert_eq!(answer.body["status"], 0);
    running.shutdown().await;
}

#[tokio::test]
async fn viber_faults_throttle_with_status_12_and_fail_with_http_5xx() {
    let clock = simulated_clock();
    let config = SandboxConfig {
        faults: FaultConfig {
            rate_429: 1.0,
            ..FaultConfig::default()
        },
        ..SandboxConfig::default()
    };
    let (sandbox, running) = start(config, &clock).await;
    let client = reqwest::Client::new();
    let answer = viber(&client, &running, "send_message", &viber_text("u=")).await;
    assert_eq!(
        (answer.status, answer.body["status"].as_i64()),
        (200, Some(12))
    );
    sandbox.set_faults(FaultConfig {
        rate_5xx: 1.0,
        ..FaultConfig::default()
    });
    let answer = viber(&client, &running, "send_message", &viber_text("u=")).await;
    assert!(
        [500, 502, 503].contains(&answer.status),
        "{}",
        answer.status
    );
    sandbox.set_faults(FaultConfig {
        rate_drop: 1.0,
        ..FaultConfig::default()
    });
    let dropped = client
        .post(format!("{}/pa/broadcast_message", running.base_url()))
        .header("x-viber-auth-token", VIBER_TOKEN)
        .body(broadcast(users(3)).to_string())
        .send()
        .await;
    assert!(dropped.is_err());
    assert_eq!(sandbox.delivered().len(), 3);
    running.shutdown().await;
}

/// Checks a Viber callback's signature and returns its body.
fn viber_event(hit: &Hit) -> Value {
    assert_eq!(
        hit.header("x-viber-content-signature"),
        hmac_hex(VIBER_TOKEN, &hit.body),
        "signed with the auth token over the raw body"
    );
    hit.json()
}

#[tokio::test]
async fn viber_set_webhook_shakes_hands_and_callbacks_are_signed_with_the_token() {
    let clock = simulated_clock();
    let config = SandboxConfig {
        read_rate: 1.0,
        undeliverable: BTreeSet::from(["gone=".to_string()]),
        ..SandboxConfig::default()
    };
    let (sandbox, running) = start(config, &clock).await;
    let client = reqwest::Client::new();
    let receiver = start_receiver().await;

    // A receiver that does not answer 200 is not registered.
    receiver.refuse(1);
    let refused = viber(
        &client,
        &running,
        "set_webhook",
        &json!({"url": receiver.url}),
    )
    .await;
    assert_eq!(
        refused.body,
        json!({"status": 1, "status_message": "invalidUrl"})
    );
    let answer = viber(
        &client,
        &running,
        "set_webhook",
        &json!({"url": format!("{}/viber", receiver.url), "event_types": ["delivered", "seen"]}),
    )
    .await;
    assert_eq!(answer.body["status"], 0, "{}", answer.body);
    assert_eq!(answer.body["event_types"], json!(["delivered", "seen"]));
    let hits = receiver.hits();
    assert_eq!(hits.len(), 2);
    let handshake = viber_event(&hits[1]);
    assert_eq!(handshake["event"], "webhook");
    assert_eq!(handshake["timestamp"], clock.now().timestamp_millis());
    assert!(handshake["message_token"].is_i64());

    let answer = viber(
        &client,
        &running,
        "broadcast_message",
        &broadcast(["a=".to_string(), "gone=".to_string()]),
    )
    .await;
    let token = answer.body["message_token"].as_i64().unwrap();
    sandbox.flush_callbacks().await;
    let events: Vec<Value> = receiver.hits()[2..].iter().map(viber_event).collect();
    assert_eq!(events.len(), 3);
    let of = |user: &str| -> Vec<Value> {
        events
            .iter()
            .filter(|event| event["user_id"] == user)
            .cloned()
            .collect()
    };
    let read = of("a=");
    assert_eq!(
        read.iter()
            .map(|e| e["event"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["delivered", "seen"]
    );
    assert!(read[0]["timestamp"].as_i64() <= read[1]["timestamp"].as_i64());
    assert!(
        read.iter()
            .all(|e| e["message_token"] == token && e["chat_hostname"].is_string())
    );
    let failed = of("gone=");
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["event"], "failed");
    assert!(failed[0]["desc"].is_string());
    assert_eq!(sandbox.callback_counts().delivered, 3);
    running.shutdown().await;
}

// ---------------------------------------------------------------------------------------------
// People

#[tokio::test]
async fn telegram_people_subscribe_write_stop_and_block() {
    let clock = simulated_clock();
    let (sandbox, running) = start(SandboxConfig::default(), &clock).await;
    let client = reqwest::Client::new();
    let receiver = start_receiver().await;

    let no_hook = sandbox
        .simulate_person(PersonEvent {
            platform: Platform::Telegram,
            key: BOT_TOKEN.to_string(),
            user: "42".to_string(),
            action: PersonAction::Unsubscribe,
        })
        .await;
    assert!(no_hook.is_err());

    let answer = post(
        &client,
        &format!("{}/bot{BOT_TOKEN}/setWebhook", running.base_url()),
        &[],
        &json!({"url": format!("{}/telegram", receiver.url), "secret_token": "s3cret_token-1"}),
    )
    .await
    .unwrap();
    assert_eq!(
        answer.body,
        json!({"ok": true, "result": true, "description": "Webhook was set"})
    );
    let bad_secret = post(
        &client,
        &format!("{}/bot{BOT_TOKEN}/setWebhook", running.base_url()),
        &[],
        &json!({"url": receiver.url, "secret_token": "not allowed!"}),
    )
    .await
    .unwrap();
    assert_eq!(bad_secret.status, 400);

    let person = |action: PersonAction| PersonEvent {
        platform: Platform::Telegram,
        key: BOT_TOKEN.to_string(),
        user: "42".to_string(),
        action,
    };
    let actions = [
        PersonAction::Subscribe {
            language: Some("uk".to_string()),
            payload: Some("flood-2027".to_string()),
        },
        PersonAction::Text {
            text: "when is the clinic open?".to_string(),
        },
        PersonAction::Unsubscribe,
        PersonAction::Block,
    ];
    for action in actions {
        assert_eq!(sandbox.simulate_person(person(action)).await, Ok(200));
    }
    let hits = receiver.hits();
    assert_eq!(hits.len(), 4);
    assert!(hits.iter().all(|hit| hit.path == "/telegram"
        && hit.header("x-telegram-bot-api-secret-token") == "s3cret_token-1"));
    let updates: Vec<Value> = hits.iter().map(Hit::json).collect();
    let ids: Vec<i64> = updates
        .iter()
        .map(|u| u["update_id"].as_i64().unwrap())
        .collect();
    assert!(ids.windows(2).all(|pair| pair[0] < pair[1]), "{ids:?}");

    let start = &updates[0]["message"];
    assert_eq!(start["text"], "/start flood-2027");
    assert_eq!(start["from"]["language_code"], "uk");
    assert_eq!(start["from"]["id"], 42);
    assert_eq!(
        start["chat"],
        json!({"id": 42, "first_name": "Person", "type": "private"})
    );
    assert_eq!(
        start["entities"][0],
        json!({"offset": 0, "length": 6, "type": "bot_command"})
    );
    assert_eq!(start["date"], clock.now().timestamp());
    assert_eq!(updates[1]["message"]["text"], "when is the clinic open?");
    assert!(updates[1]["message"]["message_id"].as_i64() > start["message_id"].as_i64());
    assert_eq!(updates[2]["message"]["text"], "/stop");
    let block = &updates[3]["my_chat_member"];
    assert_eq!(block["new_chat_member"]["status"], "kicked");
    assert_eq!(block["new_chat_member"]["user"]["id"], 123456);
    assert_eq!(block["chat"]["id"], 42);

    // After the block, sending to that chat is forbidden.
    let answer = post(
        &client,
        &format!("{}/bot{BOT_TOKEN}/sendMessage", running.base_url()),
        &[],
        &json!({"chat_id": 42, "text": "still there?"}),
    )
    .await
    .unwrap();
    assert_eq!(answer.status, 403);
    assert_eq!(
        answer.body["description"],
        "Forbidden: bot was blocked by the user"
    );
    assert!(sandbox.config().blocked_chats.contains("42"));

    // Not a chat id: refused without effect.
    let mut bad = person(PersonAction::Block);
    bad.user = "someone".to_string();
    assert!(sandbox.simulate_person(bad).await.is_err());
    running.shutdown().await;
}

#[tokio::test]
async fn whatsapp_people_open_the_window_stop_and_block() {
    let clock = simulated_clock();
    let config = SandboxConfig {
        read_rate: 0.0,
        ..SandboxConfig::default()
    };
    let (sandbox, running) = start(config, &clock).await;
    let client = reqwest::Client::new();
    let receiver = start_receiver().await;

    // The dashboard stand-in checks the verify token like Meta before registering.
    let register = |verify_token: &'static str| {
        let client = client.clone();
        let url = format!("{}/sandbox/webhooks/whatsapp", running.base_url());
        let hook = format!("{}/whatsapp", receiver.url);
        async move {
            client
                .put(url)
                .header("content-type", "application/json")
                .body(
                    json!({"phone_number_id": PHONE, "url": hook, "verify_token": verify_token})
                        .to_string(),
                )
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(register("wrong").await, 502);
    assert_eq!(register("verify me").await, 200);
    let checks = receiver.hits();
    assert_eq!(checks.len(), 2);
    assert!(checks.iter().all(|hit| hit.method == Method::GET));

    // A text needs an open window; the person writing opens it.
    let text = text_message("31600000001", "Your appointment is at 10:00");
    assert_eq!(
        graph_error(&send_whatsapp(&client, &running, &text).await),
        131047
    );
    let person = |action: PersonAction| PersonEvent {
        platform: Platform::WhatsApp,
        key: PHONE.to_string(),
        user: "31600000001".to_string(),
        action,
    };
    let status = sandbox
        .simulate_person(person(PersonAction::Subscribe {
            language: Some("ar".to_string()),
            payload: Some("clinic".to_string()),
        }))
        .await;
    assert_eq!(status, Ok(200));
    let inbound = receiver.hits()[2].clone();
    assert_eq!(inbound.method, Method::POST);
    assert_eq!(
        inbound.header("x-hub-signature-256"),
        format!(
            "sha256={}",
            hmac_hex(herald::platforms::REHEARSAL_CREDENTIAL, &inbound.body)
        )
    );
    let body = inbound.json();
    assert_eq!(body["object"], "whatsapp_business_account");
    let value = &body["entry"][0]["changes"][0]["value"];
    assert_eq!(value["metadata"]["phone_number_id"], PHONE);
    // Meta's BSUID guide: the person's business-scoped user id beside the number, and the
    // country; no WABA was registered, so the phone number id stands in for it.
    let user_id = herald::sandbox::business_scoped_user_id(PHONE, "31600000001");
    assert!(user_id.starts_with("NL."), "{user_id}");
    assert_eq!(
        value["contacts"],
        json!([{
            "profile": {"name": "Person", "country_code": "NL"},
            "wa_id": "31600000001",
            "user_id": user_id,
        }])
    );
    let message = &value["messages"][0];
    assert_eq!(message["from"], "31600000001");
    assert_eq!(message["from_user_id"], user_id);
    assert_eq!(message["type"], "text");
    assert_eq!(message["text"]["body"], "START clinic");
    assert_eq!(message["timestamp"], clock.now().timestamp().to_string());
    assert!(message["id"].as_str().unwrap().starts_with("wamid."));

    let answer = send_whatsapp(&client, &running, &text).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    sandbox.flush_callbacks().await;
    let service = whatsapp_statuses(
        receiver.hits().last().unwrap(),
        herald::platforms::REHEARSAL_CREDENTIAL,
    );
    assert_eq!(service[0]["pricing"]["category"], "service");

    // 24 hours later the window is closed again.
    clock.advance(chrono::Duration::hours(24));
    assert_eq!(
        graph_error(&send_whatsapp(&client, &running, &text).await),
        131047
    );

    // Unsubscribe and block both write STOP; after a block, sends fail in the callback.
    let before = receiver.hits().len();
    assert_eq!(
        sandbox
            .simulate_person(person(PersonAction::Unsubscribe))
            .await,
        Ok(200)
    );
    assert_eq!(
        sandbox.simulate_person(person(PersonAction::Block)).await,
        Ok(200)
    );
    let stops: Vec<Value> = receiver.hits()[before..]
        .iter()
        .map(|hit| {
            hit.json()["entry"][0]["changes"][0]["value"]["messages"][0]["text"]["body"].clone()
        })
        .collect();
    assert_eq!(stops, [json!("STOP"), json!("STOP")]);
    clock.advance(chrono::Duration::seconds(10));
    let answer = send_whatsapp(&client, &running, &template("31600000001", "t", "x")).await;
    assert_eq!(answer.status, 200);
    sandbox.flush_callbacks().await;
    let failed = whatsapp_statuses(
        receiver.hits().last().unwrap(),
        herald::platforms::REHEARSAL_CREDENTIAL,
    );
    assert_eq!(failed[0]["status"], "failed");
    assert_eq!(failed[0]["errors"][0]["code"], 131026);
    running.shutdown().await;
}

#[tokio::test]
async fn viber_people_start_conversations_subscribe_write_and_unsubscribe() {
    let clock = simulated_clock();
    let (sandbox, running) = start(SandboxConfig::default(), &clock).await;
    let client = reqwest::Client::new();
    let receiver = start_receiver().await;
    sandbox.register_webhook(Platform::Viber, VIBER_TOKEN, &receiver.url);

    // Through the control route, with the same JSON.
    let people = format!("{}/sandbox/people", running.base_url());
    let answer = post(
        &client,
        &people,
        &[],
        &json!({
            "platform": "viber",
            "key": VIBER_TOKEN,
            "user": "01234567890A=",
            "action": {"type": "subscribe", "language": "ti", "payload": "clinic"},
        }),
    )
    .await
    .unwrap();
    assert_eq!(answer.body, json!({"status": 200}));
    let events: Vec<Value> = receiver.hits().iter().map(viber_event).collect();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0]["event"], "conversation_started");
    assert_eq!(events[0]["context"], "clinic");
    assert_eq!(events[0]["user"]["id"], "01234567890A=");
    assert_eq!(events[1]["event"], "subscribed");
    assert_eq!(events[1]["user"]["language"], "ti");
    assert_eq!(events[1]["user"]["name"], "Person");
    assert_eq!(events[1]["timestamp"], clock.now().timestamp_millis());
    assert_ne!(events[0]["message_token"], events[1]["message_token"]);

    let person = |action: PersonAction| PersonEvent {
        platform: Platform::Viber,
        key: VIBER_TOKEN.to_string(),
        user: "01234567890A=".to_string(),
        action,
    };
    assert_eq!(
        sandbox
            .simulate_person(person(PersonAction::Text {
                text: "hello".to_string()
            }))
            .await,
        Ok(200)
    );
    assert_eq!(
        sandbox.simulate_person(person(PersonAction::Block)).await,
        Ok(200)
    );
    let events: Vec<Value> = receiver.hits()[2..].iter().map(viber_event).collect();
    assert_eq!(events[0]["event"], "message");
    assert_eq!(events[0]["sender"]["id"], "01234567890A=");
    assert_eq!(
        events[0]["message"],
        json!({"type": "text", "text": "hello"})
    );
    assert_eq!(events[1]["event"], "unsubscribed");
    assert_eq!(events[1]["user_id"], "01234567890A=");

    // Unsubscribed now: broadcasts list the person as failed.
    let answer = viber(
        &client,
        &running,
        "broadcast_message",
        &broadcast(["01234567890A=".to_string()]),
    )
    .await;
    assert_eq!(answer.body["failed_list"][0]["status"], 6);

    // A receiver that refuses: its status comes back; an unknown platform is refused.
    receiver.refuse(1);
    assert_eq!(
        sandbox
            .simulate_person(person(PersonAction::Unsubscribe))
            .await,
        Ok(500)
    );
    let answer = post(
        &client,
        &people,
        &[],
        &json!({"platform": "x", "key": "k", "user": "u", "action": {"type": "block"}}),
    )
    .await
    .unwrap();
    assert_eq!(answer.status, 400);
    assert!(answer.body["error"].is_string());
    running.shutdown().await;
}
