//! Meta's own examples (`tests/fixtures/partners/whatsapp/`, `.../facebook/`, each cited in
//! its folder's `SOURCES.md`) against herald: the adapters' answer classification and the
//! WhatsApp webhook parser must read every documented answer and webhook as what it is, and
//! the sandbox must answer and call back in the same shapes, so that a rehearsal exercises
//! the code production runs. Attacks: a parser that needs a field Meta leaves out or empty
//! (`conversation`, a BSUID user's `from`), a 2xx taken for a send without the id, and a
//! sandbox that drifts from Meta's documented envelope (a missing `contacts`, `entry[].id`,
//! `message_status`, cursor paging).

use std::collections::BTreeSet;

use axum::http::{HeaderMap, StatusCode};
use chrono::DateTime;
use serde_json::{Value, json};

use crate::common::partner_sandbox::start;
use crate::common::receiver::Receiver;
use herald::platforms::{Platform, PublishResult, classify};
use herald::reach::inbound::{DeliveryStatus, InboundEvent, parse_whatsapp};
use herald::sandbox::{PersonAction, PersonEvent, SandboxConfig};

const PHONE: &str = "106540352242922";
const WABA: &str = "102290129340398";

fn fixture(partner: &str, name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/partners/{partner}/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|error| panic!("{path}: {error}"))
}

fn json_fixture(partner: &str, name: &str) -> Value {
    serde_json::from_slice(&fixture(partner, name)).expect("fixtures are JSON")
}

/// Every path of keys in `value`, arrays collapsed to `[]`: the shape, without the values.
fn shape(value: &Value) -> BTreeSet<String> {
    fn walk(value: &Value, prefix: &str, out: &mut BTreeSet<String>) {
        match value {
            Value::Object(map) => {
                for (key, child) in map {
                    let path = format!("{prefix}.{key}");
                    out.insert(path.clone());
                    walk(child, &path, out);
                }
            }
            Value::Array(items) => {
                for item in items {
                    walk(item, &format!("{prefix}[]"), out);
                }
            }
            _ => {}
        }
    }
    let mut out = BTreeSet::new();
    walk(value, "", &mut out);
    out
}

/// Asserts that `ours` has every path of Meta's `example`, except those in `optional`.
fn assert_has_shape(ours: &Value, example: &Value, optional: &[&str]) {
    let ours = shape(ours);
    let missing: Vec<String> = shape(example)
        .difference(&ours)
        .filter(|path| !optional.iter().any(|prefix| path.starts_with(prefix)))
        .cloned()
        .collect();
    assert!(missing.is_empty(), "missing {missing:?} in {ours:?}");
}

// ---------------------------------------------------------------------------------------------
// herald reads Meta's examples.

#[test]
fn a_documented_send_answer_is_published_with_its_wamid() {
    let body = fixture("whatsapp", "send_answer.json");
    assert_eq!(
        classify::whatsapp(200, &HeaderMap::new(), &body),
        PublishResult::Published {
            platform_id: Some(
                "wamid.HBgNNTUxMTk4Nzg2NjI5NRUCABEYEjUxOTBGNEU0RDA2MjdCMUVBOQA=".into()
            )
        }
    );
    // The same answer without its message is no success.
    let mut without = json_fixture("whatsapp", "send_answer.json");
    without["messages"] = json!([]);
    assert!(matches!(
        classify::whatsapp(200, &HeaderMap::new(), without.to_string().as_bytes()),
        PublishResult::Unknown { error } if error.contains("without a message id")
    ));
}

#[test]
fn the_documented_graph_error_is_permanent_on_both_adapters() {
    let body = fixture("whatsapp", "error_graph.json");
    assert_eq!(
        classify::whatsapp(401, &HeaderMap::new(), &body),
        PublishResult::Permanent {
            code: "190".into(),
            text: "Message describing the error".into()
        }
    );
    let body = fixture("facebook", "error_graph.json");
    assert_eq!(
        classify::facebook(400, &HeaderMap::new(), &body),
        PublishResult::Permanent {
            code: "190/460".into(),
            text: "Message describing the error (fbtrace_id EJplcsCHuLu)".into()
        }
    );
}

#[test]
fn a_documented_page_post_answer_is_published_with_its_id() {
    let body = fixture("facebook", "page_post_answer.json");
    assert_eq!(
        classify::facebook(200, &HeaderMap::new(), &body),
        PublishResult::Published {
            platform_id: Some("page_post_id".into())
        }
    );
}

#[test]
fn documented_status_webhooks_parse() {
    let at = |seconds| DateTime::from_timestamp(seconds, 0).unwrap();
    let cases = [
        (
            "webhook_status_sent.json",
            DeliveryStatus::Sent,
            Some("16505551234"),
            1_750_030_073,
        ),
        (
            "webhook_status_delivered.json",
            DeliveryStatus::Delivered,
            Some("16505551234"),
            1_750_030_073,
        ),
        // Sent to a BSUID: Meta leaves `recipient_id` empty.
        (
            "webhook_status_delivered_bsuid.json",
            DeliveryStatus::Delivered,
            None,
            1_750_030_073,
        ),
        (
            "webhook_status_read.json",
            DeliveryStatus::Read,
            Some("972987654321"),
            1_689_380_458,
        ),
        (
            "webhook_status_failed.json",
            DeliveryStatus::Failed,
            Some("16505551234"),
            1_751_142_888,
        ),
    ];
    for (name, status, recipient, seconds) in cases {
        let events = parse_whatsapp(&fixture("whatsapp", name)).expect(name);
        let [InboundEvent::Status(event)] = events.as_slice() else {
            panic!("{name}: {events:?}");
        };
        assert_eq!(event.status, status, "{name}");
        assert_eq!(event.recipient.as_deref(), recipient, "{name}");
        assert_eq!(event.at, at(seconds), "{name}");
        assert!(event.platform_message_id.starts_with("wamid."), "{name}");
        let expected_error = (status == DeliveryStatus::Failed).then(|| {
            (
                "131049".to_string(),
                "This message was not delivered to maintain healthy ecosystem engagement."
                    .to_string(),
            )
        });
        assert_eq!(event.error, expected_error, "{name}");
    }
}

#[test]
fn documented_inbound_messages_parse() {
    let events = parse_whatsapp(&fixture("whatsapp", "webhook_message_text.json")).unwrap();
    assert!(
        matches!(
            events.as_slice(),
            [InboundEvent::Text { user, text }]
                if user == "16505551234" && text == "Does it come in another color?"
        ),
        "{events:?}"
    );
    // A person known only by a BSUID (empty `from`) names no one herald can reach: nothing,
    // and no error that would make Meta retry the whole callback.
    let events = parse_whatsapp(&fixture(
        "whatsapp",
        "webhook_message_text_username_only.json",
    ))
    .unwrap();
    assert!(events.is_empty(), "{events:?}");
}

// ---------------------------------------------------------------------------------------------
// The sandbox answers and calls back in the documented shapes.

/// A request with `body` as JSON, answered with its status and JSON body (null when none).
async fn call(request: reqwest::RequestBuilder, body: Option<&Value>) -> (u16, Value) {
    let request = match body {
        Some(body) => request
            .header("content-type", "application/json")
            .body(body.to_string()),
        None => request,
    };
    let response = request.send().await.expect("an answer");
    let status = response.status().as_u16();
    let bytes = response.bytes().await.expect("a body");
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

async fn register(base: &str, url: &str) {
    let body = json!({"phone_number_id": PHONE, "url": url, "waba_id": WABA});
    let request = reqwest::Client::new().put(format!("{base}/sandbox/webhooks/whatsapp"));
    assert_eq!(call(request, Some(&body)).await.0, 200);
}

#[tokio::test]
async fn the_sandboxs_send_answer_and_webhooks_have_metas_shape() {
    let (sandbox, running, _clock) = start(SandboxConfig {
        read_rate: 1.0,
        ..SandboxConfig::default()
    })
    .await;
    let base = running.base_url();
    let receiver = Receiver::answering(StatusCode::OK).await;
    register(&base, &receiver.url).await;
    // The token as a JSON body parameter, as Graph takes it.
    let body = json!({
        "access_token": "sandbox",
        "messaging_product": "whatsapp",
        "to": "16505551234",
        "type": "template",
        "template": {"name": "alert", "language": {"code": "en_US"}},
    });
    let request = reqwest::Client::new().post(format!("{base}/v23.0/{PHONE}/messages"));
    let (status, answer) = call(request, Some(&body)).await;
    assert_eq!(status, 200);
    assert_has_shape(&answer, &json_fixture("whatsapp", "send_answer.json"), &[]);
    assert_eq!(answer["messages"][0]["message_status"], "accepted");
    assert!(
        sandbox.received()[0].body.get("access_token").is_none(),
        "the record keeps no token"
    );

    sandbox.flush_callbacks().await;
    let hits = receiver.hits();
    assert_eq!(hits.len(), 3, "sent, delivered, read");
    let bodies: Vec<Value> = hits.iter().map(|hit| hit.json()).collect();
    // Simulated people have adopted no username.
    let no_username = [".entry[].changes[].value.contacts[].profile.username"];
    assert_has_shape(
        &bodies[1],
        &json_fixture("whatsapp", "webhook_status_delivered.json"),
        &no_username,
    );
    // Meta leaves the conversation out of v24.0+ webhooks.
    let sent_example = json_fixture("whatsapp", "webhook_status_sent.json");
    assert_has_shape(
        &bodies[0],
        &sent_example,
        &[".entry[].changes[].value.statuses[].conversation"],
    );
    for body in &bodies {
        assert_eq!(body["entry"][0]["id"], WABA);
        let value = &body["entry"][0]["changes"][0]["value"];
        assert_eq!(value["contacts"][0]["wa_id"], "16505551234");
        assert_eq!(value["contacts"][0]["profile"]["country_code"], "US");
        assert!(
            value["contacts"][0]["user_id"]
                .as_str()
                .unwrap()
                .starts_with("US.")
        );
        assert!(parse_whatsapp(body.to_string().as_bytes()).is_ok());
    }
    running.shutdown().await;
}

#[tokio::test]
async fn the_sandboxs_failed_status_and_inbound_message_have_metas_shape() {
    let (sandbox, running, _clock) = start(SandboxConfig::default()).await;
    let base = running.base_url();
    let receiver = Receiver::answering(StatusCode::OK).await;
    register(&base, &receiver.url).await;
    let person = |action| PersonEvent {
        platform: Platform::WhatsApp,
        key: PHONE.to_string(),
        user: "16505551234".to_string(),
        action,
    };
    let written = sandbox
        .simulate_person(person(PersonAction::Text {
            text: "Does it come in another color?".to_string(),
        }))
        .await;
    assert_eq!(written, Ok(200));
    let inbound = receiver.hits()[0].json();
    assert_has_shape(
        &inbound,
        &json_fixture("whatsapp", "webhook_message_text.json"),
        &[],
    );
    assert!(inbound["entry"][0]["changes"][0]["value"]["messages"][0]["from_user_id"].is_string());

    assert_eq!(
        sandbox.simulate_person(person(PersonAction::Block)).await,
        Ok(200)
    );
    let body = json!({
        "messaging_product": "whatsapp",
        "to": "16505551234",
        "type": "template",
        "template": {"name": "alert", "language": {"code": "en_US"}},
    });
    let url = format!("{base}/v23.0/{PHONE}/messages?access_token=sandbox");
    let (status, _) = call(reqwest::Client::new().post(url), Some(&body)).await;
    assert_eq!(status, 200, "the token as a query parameter");
    sandbox.flush_callbacks().await;
    let failed = receiver.hits().last().unwrap().json();
    assert_has_shape(
        &failed,
        &json_fixture("whatsapp", "webhook_status_failed.json"),
        &[],
    );
    let value = &failed["entry"][0]["changes"][0]["value"];
    assert!(
        value.get("contacts").is_none(),
        "Meta omits contacts from failed statuses"
    );
    assert_eq!(value["statuses"][0]["status"], "failed");
    running.shutdown().await;
}

#[tokio::test]
async fn the_sandboxs_template_list_and_errors_have_metas_shape() {
    let (sandbox, running, _clock) = start(SandboxConfig::default()).await;
    sandbox.set_whatsapp_templates(
        [
            ("alert:en_US", "APPROVED"),
            ("alert:ar", "APPROVED"),
            ("alert:fr", "PAUSED"),
        ]
        .into_iter()
        .map(|(key, status)| (key.to_string(), status.to_string()))
        .collect(),
    );
    let base = running.base_url();
    let client = reqwest::Client::new();
    let list = |query: &str| {
        let request = client
            .get(format!("{base}/v23.0/{WABA}/message_templates?{query}"))
            .bearer_auth("sandbox");
        call(request, None)
    };
    let (_, page) = list("limit=2").await;
    let example = json_fixture("whatsapp", "template_list.json");
    // The sandbox's templates are one plain body; Meta's example has headers and buttons.
    let optional = [
        ".data[].components[].format",
        ".data[].components[].buttons",
        ".data[].components[].example",
        ".data[].sub_category",
    ];
    assert_has_shape(&page, &example, &optional);
    assert_eq!(page["data"].as_array().unwrap().len(), 2);
    let next = page["paging"]["next"].as_str().expect("a next page");
    assert!(next.starts_with(&base), "{next}");
    let (_, rest) = call(client.get(next).bearer_auth("sandbox"), None).await;
    assert_eq!(rest["data"].as_array().unwrap().len(), 1);
    assert!(rest["paging"].get("next").is_none());
    let (_, fields) = list("fields=name,category,status&limit=5").await;
    assert_has_shape(
        &fields,
        &json_fixture("whatsapp", "template_list_fields.json"),
        &[".paging.next"],
    );
    assert_eq!(
        shape(&fields["data"][0]),
        shape(&json_fixture("whatsapp", "template_list_fields.json")["data"][0]),
        "only the asked fields, and the id"
    );

    // A path the sandbox does not serve answers as Graph does.
    let url = format!("{base}/v23.0/{WABA}/phone_numbers?access_token=sandbox");
    let (status, unknown) = call(client.get(url), None).await;
    assert_eq!(status, 400);
    assert_has_shape(
        &unknown,
        &json_fixture("whatsapp", "error_graph.json"),
        &[
            ".error.error_subcode",
            ".error.error_user_title",
            ".error.error_user_msg",
        ],
    );
    assert_eq!(unknown["error"]["code"], 2500);
    running.shutdown().await;
}

#[tokio::test]
async fn the_sandboxs_page_post_answer_has_metas_shape_with_a_form_token() {
    let (_sandbox, running, _clock) = start(SandboxConfig::default()).await;
    let response = reqwest::Client::new()
        .post(format!("{}/v23.0/1099/feed", running.base_url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("message=Shelter+open.&access_token=sandbox")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let answer: Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    assert_has_shape(
        &answer,
        &json_fixture("facebook", "page_post_answer.json"),
        &[],
    );
    assert!(matches!(
        classify::facebook(200, &HeaderMap::new(), answer.to_string().as_bytes()),
        PublishResult::Published { platform_id: Some(id) } if id.starts_with("1099_")
    ));
    running.shutdown().await;
}

#[tokio::test]
async fn unknown_paths_answer_in_each_partners_shape() {
    let (_sandbox, running, _clock) = start(SandboxConfig::default()).await;
    let client = reqwest::Client::new();
    let get = |path: &str| call(client.get(format!("{}{path}", running.base_url())), None);
    let (status, graph) = get("/v21.0/12345").await;
    assert_eq!(status, 400);
    assert_eq!(
        (
            graph["error"]["code"].clone(),
            graph["error"]["error_subcode"].clone()
        ),
        (json!(100), json!(33))
    );
    assert!(graph["error"]["fbtrace_id"].is_string());
    let (status, x) = get("/2/no_such_endpoint").await;
    assert_eq!(status, 404);
    for field in ["title", "detail", "type", "status"] {
        assert!(x.get(field).is_some(), "{field}");
    }
    let (status, viber) = get("/pa/no_such_method").await;
    assert_eq!(status, 200, "Viber answers every call 200 with a status");
    assert_eq!(viber["status"], 3);
    let (status, telegram) = get("/elsewhere").await;
    assert_eq!(status, 404);
    assert_eq!(telegram["ok"], false);
    running.shutdown().await;
}
