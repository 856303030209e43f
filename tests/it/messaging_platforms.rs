//! The WhatsApp, Viber and Telegram adapters against the sandbox over real HTTP: what they send,
//! how they classify every answer the sandbox can give (refusals, limits, faults), and the
//! signed callbacks that come back, read with herald's own inbound parsers and signature checks.
//! Limits are met on a simulated clock, so no test waits for a rate window to pass.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use common::noted_requests::NotedRequests;
use common::partner_sandbox::{start, start_time};
use common::receiver::{Hit, Receiver};
use herald::clock::{Clock, SimulatedClock};
use herald::platforms::{
    BatchOutcome, Platform, PublishResult, Secret, TelegramAdapter, TemplateMessage,
    TemplateStatus, ViberAdapter, WhatsAppAdapter,
};
use herald::reach::inbound::{
    DeliveryStatus, InboundEvent, OptOutReason, StatusEvent, parse_telegram, parse_viber,
    parse_whatsapp, verify_hub_signature, verify_telegram, verify_viber,
};
use herald::sandbox::{
    CallbackCounts, FaultConfig, PersonAction, PersonEvent, Received, Sandbox, SandboxConfig,
};
use serde_json::{Value, json};

const PHONE: &str = "106540352242922";
const WABA: &str = "102290129340398";
const WHATSAPP_TOKEN: &str = "EAAG-whatsapp-token-secret";
const VIBER_TOKEN: &str = "4453b6ac1s345678-e02c5f12174805f9-9d3a6e3d4a5b6c7d";
const BOT_TOKEN: &str = "123456:ABC-bot-token-secret";
const TIMEOUT: Duration = Duration::from_secs(5);
/// A fictional WhatsApp number (the sandbox accepts any digits).
const PERSON: &str = "31600000001";
/// The secret the sandbox signs WhatsApp callbacks with by default.
const META_APP_SECRET: &str = "sandbox";

fn whatsapp(base_url: &str, token: &str) -> WhatsAppAdapter {
    WhatsAppAdapter::new(
        reqwest::Client::new(),
        base_url,
        "v21.0",
        Secret::new(token),
        PHONE.to_string(),
        WABA.to_string(),
        TIMEOUT,
    )
}

fn viber(base_url: &str) -> ViberAdapter {
    ViberAdapter::new(
        reqwest::Client::new(),
        base_url,
        Secret::new(VIBER_TOKEN),
        "Info".to_string(),
        TIMEOUT,
    )
}

fn telegram(base_url: &str) -> TelegramAdapter {
    TelegramAdapter::new(
        reqwest::Client::new(),
        base_url,
        Secret::new(BOT_TOKEN),
        BTreeMap::new(),
        TIMEOUT,
    )
}

const PARAMETERS: &[&str] = &["https://example.org/r/abc"];

fn template(language: &str) -> TemplateMessage<'_> {
    TemplateMessage {
        name: "avr_intro",
        language,
        body_parameters: PARAMETERS,
    }
}

/// A distinct fictional number per `n`.
fn number(n: usize) -> String {
    format!("3160{:07}", 1_000_000 + n)
}

/// A distinct Viber user id per `n`.
fn viber_user(n: usize) -> String {
    format!("user{n}+sandbox==")
}

fn of_platform(sandbox: &Sandbox, platform: &str) -> Vec<Received> {
    sandbox
        .received()
        .into_iter()
        .filter(|r| r.platform == platform)
        .collect()
}

fn statuses(sandbox: &Sandbox, platform: &str) -> Vec<u16> {
    of_platform(sandbox, platform)
        .iter()
        .map(|r| r.status)
        .collect()
}

fn wamid(result: &PublishResult) -> String {
    match result {
        PublishResult::Published {
            platform_id: Some(id),
        } => id.clone(),
        other => panic!("expected a published message with an id, got {other:?}"),
    }
}

fn faults(set: impl FnOnce(&mut FaultConfig)) -> FaultConfig {
    let mut faults = FaultConfig::default();
    set(&mut faults);
    faults
}

// ---------------------------------------------------------------------------------------------
// WhatsApp

#[tokio::test]
async fn whatsapp_sends_the_template_with_the_token_only_in_a_header() {
    let clock = SimulatedClock::starting_at(start_time());
    let sandbox = Sandbox::new(SandboxConfig::default(), Arc::new(clock.clone()));
    // Served through a layer that notes every request line and authorization header.
    let noted = NotedRequests::serve(sandbox.router()).await;

    let message = TemplateMessage {
        name: "avr_intro",
        language: "ar",
        body_parameters: &["مرحبا بكم", "https://example.org/r/abc"],
    };
    let result = whatsapp(&noted.base, WHATSAPP_TOKEN)
        .send_template(PERSON, &message)
        .await;
    let id = wamid(&result);
    assert!(id.starts_with("wamid."), "{id}");

    let delivered = sandbox.delivered();
    assert_eq!(delivered.len(), 1);
    let sent = &delivered[0];
    assert_eq!(
        (
            sent.platform.as_str(),
            sent.account.as_str(),
            sent.recipient.as_str()
        ),
        ("whatsapp", PHONE, PERSON)
    );
    assert_eq!(sent.platform_id.as_deref(), Some(id.as_str()));
    assert_eq!(sent.status, 200);
    assert_eq!(sent.at, start_time());
    assert_eq!(sent.text, "مرحبا بكم\nhttps://example.org/r/abc");
    assert_eq!(sent.body["messaging_product"], "whatsapp");
    assert_eq!(sent.body["type"], "template");
    assert_eq!(sent.body["template"]["name"], "avr_intro");
    assert_eq!(sent.body["template"]["language"]["code"], "ar");
    assert_eq!(
        sent.body["template"]["components"],
        json!([{"type": "body", "parameters": [
            {"type": "text", "text": "مرحبا بكم"},
            {"type": "text", "text": "https://example.org/r/abc"}
        ]}])
    );

    let seen = noted.requests();
    assert_eq!(
        seen,
        vec![(
            format!("/v21.0/{PHONE}/messages"),
            format!("Bearer {WHATSAPP_TOKEN}")
        )]
    );
    let recorded = serde_json::to_string(&sandbox.received()).unwrap();
    assert!(!recorded.contains(WHATSAPP_TOKEN));
}

#[tokio::test]
async fn whatsapp_invalid_parameters_are_permanent_code_100_and_a_missing_token_190() {
    let (sandbox, running, _clock) = start(SandboxConfig::default()).await;
    let base = running.base_url();
    let adapter = whatsapp(&base, WHATSAPP_TOKEN);
    let invalid = |details: &str| PublishResult::Permanent {
        code: "100".into(),
        text: format!("(#100) Invalid parameter: {details}"),
    };

    // Layout in a parameter belongs in the approved template.
    let laid_out = TemplateMessage {
        body_parameters: &["two\nlines"],
        ..template("ar")
    };
    assert_eq!(
        adapter.send_template(PERSON, &laid_out).await,
        invalid(
            "Param text cannot have new-line/tab characters or more than 4 consecutive spaces."
        )
    );
    // A number that is not digits.
    assert_eq!(
        adapter.send_template("not-a-number", &template("ar")).await,
        invalid("The parameter to must be a phone number in international format, digits only.")
    );
    // A template without a name.
    let unnamed = TemplateMessage {
        name: "",
        ..template("ar")
    };
    assert_eq!(
        adapter.send_template(PERSON, &unnamed).await,
        invalid("The parameter template['name'] must be a non-empty string.")
    );
    // A template without a language code.
    assert_eq!(
        adapter.send_template(PERSON, &template("")).await,
        invalid("The parameter template['language']['code'] must be a non-empty string.")
    );
    // A parameter over 1,024 characters.
    let long = "a".repeat(1025);
    let too_long = [long.as_str()];
    let oversized = TemplateMessage {
        body_parameters: &too_long,
        ..template("ar")
    };
    assert_eq!(
        adapter.send_template(PERSON, &oversized).await,
        invalid("Param text is longer than 1024 characters.")
    );

    // No token at all: Graph's 190.
    let unauthorized = whatsapp(&base, "")
        .send_template(PERSON, &template("ar"))
        .await;
    assert!(
        matches!(&unauthorized, PublishResult::Permanent { code, .. } if code == "190"),
        "{unauthorized:?}"
    );

    assert_eq!(
        statuses(&sandbox, "whatsapp"),
        vec![400, 400, 400, 400, 400, 401]
    );
    assert!(sandbox.delivered().is_empty());
}

#[tokio::test]
async fn whatsapp_unapproved_templates_are_permanent_132001_and_listed_with_their_status() {
    let (sandbox, running, _clock) = start(SandboxConfig::default()).await;
    let adapter = whatsapp(&running.base_url(), WHATSAPP_TOKEN);
    sandbox.set_whatsapp_templates(BTreeMap::from([
        ("avr_intro:ar".to_string(), "PENDING".to_string()),
        ("avr_intro:fa".to_string(), "REJECTED".to_string()),
        ("avr_intro:en".to_string(), "APPROVED".to_string()),
        ("other_template:ar".to_string(), "PAUSED".to_string()),
    ]));

    for language in ["ar", "fa"] {
        assert_eq!(
            adapter.send_template(PERSON, &template(language)).await,
            PublishResult::Permanent {
                code: "132001".into(),
                text: format!(
                    "(#132001) Template name does not exist in the translation: template name \
                     (avr_intro) does not exist in {language}"
                ),
            },
            "{language}"
        );
    }
    // The approved language goes out.
    let approved = adapter.send_template(PERSON, &template("en")).await;
    assert_eq!(sandbox.delivered()[0].platform_id, Some(wamid(&approved)));

    let status = |language: &str, status: &str| TemplateStatus {
        name: "avr_intro".into(),
        language: language.into(),
        status: status.into(),
    };
    assert_eq!(
        adapter.template_statuses("avr_intro").await.unwrap(),
        vec![
            status("ar", "PENDING"),
            status("en", "APPROVED"),
            status("fa", "REJECTED")
        ]
    );

    // Once approved, the same send is accepted (after the pair window of that number).
    sandbox.set_whatsapp_templates(BTreeMap::new());
    let later = adapter.send_template(&number(1), &template("ar")).await;
    assert!(
        matches!(later, PublishResult::Published { .. }),
        "{later:?}"
    );
    assert_eq!(statuses(&sandbox, "whatsapp"), vec![400, 400, 200, 200]);
}

#[tokio::test]
async fn whatsapp_throughput_limit_throttles_the_81st_message_of_a_second() {
    let (sandbox, running, clock) = start(SandboxConfig::default()).await;
    let adapter = whatsapp(&running.base_url(), WHATSAPP_TOKEN);
    for n in 0..80 {
        let result = adapter.send_template(&number(n), &template("ar")).await;
        assert!(
            matches!(result, PublishResult::Published { .. }),
            "{n}: {result:?}"
        );
    }
    let throttled = adapter.send_template(&number(80), &template("ar")).await;
    assert_eq!(
        throttled,
        PublishResult::Throttled {
            wait: Duration::from_secs(1),
            text: "(#130429) Rate limit hit: Cloud API message throughput has been reached.".into()
        }
    );
    assert_eq!(of_platform(&sandbox, "whatsapp")[80].status, 429);

    // The wait the adapter gave is enough.
    clock.advance(chrono::Duration::seconds(1));
    let healed = adapter.send_template(&number(80), &template("ar")).await;
    assert!(
        matches!(healed, PublishResult::Published { .. }),
        "{healed:?}"
    );
    assert_eq!(sandbox.delivered().len(), 81);
}

#[tokio::test]
async fn whatsapp_pair_limit_holds_back_only_the_recipient_for_six_seconds() {
    let (sandbox, running, clock) = start(SandboxConfig::default()).await;
    let adapter = whatsapp(&running.base_url(), WHATSAPP_TOKEN);
    let pair_limited = PublishResult::RecipientThrottled {
        wait: Duration::from_secs(6),
        text: "(#131056) (Business Account, Consumer Account) pair rate limit hit: Message failed \
               to send because there were too many messages sent from this phone number to the \
               same phone number in a short period of time."
            .into(),
    };

    let first = adapter.send_template(PERSON, &template("ar")).await;
    assert!(
        matches!(first, PublishResult::Published { .. }),
        "{first:?}"
    );
    assert_eq!(
        adapter.send_template(PERSON, &template("ar")).await,
        pair_limited
    );
    // Somebody else is not held back.
    let other = adapter.send_template(&number(2), &template("ar")).await;
    assert!(
        matches!(other, PublishResult::Published { .. }),
        "{other:?}"
    );

    clock.advance(chrono::Duration::seconds(5));
    assert_eq!(
        adapter.send_template(PERSON, &template("ar")).await,
        pair_limited
    );
    clock.advance(chrono::Duration::seconds(1));
    let healed = adapter.send_template(PERSON, &template("ar")).await;
    assert!(
        matches!(healed, PublishResult::Published { .. }),
        "{healed:?}"
    );

    assert_eq!(
        statuses(&sandbox, "whatsapp"),
        vec![200, 400, 200, 400, 200]
    );
    let to_person = sandbox
        .delivered()
        .into_iter()
        .filter(|r| r.recipient == PERSON)
        .count();
    assert_eq!(to_person, 2);
}

#[tokio::test]
async fn whatsapp_faults_are_transient_throttled_or_unknown() {
    let (sandbox, running, _clock) = start(SandboxConfig::default()).await;
    let adapter = whatsapp(&running.base_url(), WHATSAPP_TOKEN);

    sandbox.set_faults(faults(|f| f.rate_5xx = 1.0));
    let mut bursts = Vec::new();
    for n in 0..8 {
        bursts.push(adapter.send_template(&number(n), &template("ar")).await);
    }
    let answered = statuses(&sandbox, "whatsapp");
    assert_eq!(answered.len(), 8);
    // The Cloud API's 503 is code 131016, its 500 and 502 are 131000; both retry later.
    for (result, status) in bursts.iter().zip(&answered) {
        let expected = match status {
            503 => PublishResult::Transient {
                code: "131016".into(),
                text: "(#131016) Service unavailable: A service is temporarily unavailable.".into(),
            },
            500 | 502 => PublishResult::Transient {
                code: "131000".into(),
                text: "(#131000) Something went wrong: Message failed to send because of an \
                       unknown error."
                    .into(),
            },
            other => panic!("not a server error: {other}"),
        };
        assert_eq!(result, &expected);
    }
    assert!(sandbox.delivered().is_empty());

    sandbox.set_faults(faults(|f| f.rate_429 = 1.0));
    assert_eq!(
        adapter.send_template(PERSON, &template("ar")).await,
        PublishResult::Throttled {
            wait: Duration::from_secs(1),
            text: "(#130429) Rate limit hit: Cloud API message throughput has been reached.".into()
        }
    );

    sandbox.set_faults(faults(|f| f.rate_drop = 1.0));
    let dropped = adapter.send_template(PERSON, &template("ar")).await;
    assert!(
        matches!(dropped, PublishResult::Unknown { .. }),
        "{dropped:?}"
    );
    // Accepted all the same: an unknown outcome must be reconciled, not re-sent.
    let delivered = sandbox.delivered();
    assert_eq!(delivered.len(), 1);
    assert_eq!(
        (delivered[0].recipient.as_str(), delivered[0].status),
        (PERSON, 0)
    );
    assert!(
        delivered[0]
            .platform_id
            .as_deref()
            .is_some_and(|id| id.starts_with("wamid."))
    );
}

#[tokio::test]
async fn whatsapp_undeliverable_numbers_are_published_then_fail_in_a_signed_callback() {
    let undeliverable = number(9);
    let config = SandboxConfig {
        undeliverable: BTreeSet::from([undeliverable.clone()]),
        read_rate: 0.0,
        ..SandboxConfig::default()
    };
    let (sandbox, running, _clock) = start(config).await;
    let receiver = Receiver::answering(StatusCode::OK).await;
    sandbox.register_webhook(Platform::WhatsApp, PHONE, &receiver.url);
    let adapter = whatsapp(&running.base_url(), WHATSAPP_TOKEN);

    // WhatsApp takes the message: the number's fate is only known later.
    let failing = wamid(&adapter.send_template(&undeliverable, &template("ar")).await);
    let fine = wamid(&adapter.send_template(PERSON, &template("ar")).await);
    sandbox.flush_callbacks().await;
    assert_eq!(
        sandbox.callback_counts(),
        CallbackCounts {
            queued: 0,
            delivered: 3,
            failed: 0
        }
    );

    let hits = receiver.hits();
    assert_eq!(hits.len(), 3, "failed; sent and delivered");
    let mut events = Vec::new();
    for hit in &hits {
        assert_eq!(
            verify_hub_signature(&hit.headers, &hit.body, META_APP_SECRET),
            Ok(())
        );
        assert!(verify_hub_signature(&hit.headers, &hit.body, "another-app-secret").is_err());
        let parsed = parse_whatsapp(&hit.body).unwrap();
        assert_eq!(parsed.len(), 1);
        events.extend(parsed);
    }
    let status_of = |id: &str| -> Vec<StatusEvent> {
        events
            .iter()
            .filter_map(|event| match event {
                InboundEvent::Status(status) if status.platform_message_id == id => {
                    Some(status.clone())
                }
                _ => None,
            })
            .collect()
    };
    assert_eq!(
        status_of(&failing),
        vec![StatusEvent {
            platform_message_id: failing.clone(),
            recipient: Some(undeliverable.clone()),
            status: DeliveryStatus::Failed,
            at: start_time() + chrono::Duration::seconds(1),
            error: Some(("131026".into(), "Message undeliverable".into())),
        }]
    );
    let fine_states: Vec<DeliveryStatus> = status_of(&fine).iter().map(|s| s.status).collect();
    assert_eq!(
        fine_states,
        vec![DeliveryStatus::Sent, DeliveryStatus::Delivered]
    );
}

// ---------------------------------------------------------------------------------------------
// Viber

#[tokio::test]
async fn viber_broadcast_to_300_is_accepted_under_one_token_with_300_deliveries() {
    let (sandbox, running, _clock) = start(SandboxConfig::default()).await;
    let adapter = viber(&running.base_url());
    let users: Vec<String> = (0..300).map(viber_user).collect();
    let receivers: Vec<&str> = users.iter().map(String::as_str).collect();

    let outcome = adapter.broadcast("Know your options", &receivers).await;
    let BatchOutcome::Accepted {
        platform_id: Some(token),
        refused,
    } = outcome
    else {
        panic!("not accepted: {outcome:?}");
    };
    assert!(refused.is_empty(), "{refused:?}");
    assert!(token.parse::<i64>().is_ok(), "{token}");

    let counts = sandbox.counts();
    assert_eq!((counts.requests, counts.new_deliveries), (1, 300));
    let delivered = sandbox.delivered();
    assert_eq!(delivered.len(), 300);
    assert!(delivered.iter().all(|r| r.platform == "viber"
        && r.platform_id.as_deref() == Some(token.as_str())
        && r.text == "Know your options"));
    let reached: BTreeSet<&str> = delivered.iter().map(|r| r.recipient.as_str()).collect();
    assert_eq!(
        reached,
        receivers.iter().copied().collect::<BTreeSet<&str>>()
    );
    let request = &sandbox.received()[0];
    assert_eq!(request.body["sender"]["name"], "Info");
    assert_eq!(
        request.body["broadcast_list"].as_array().unwrap().len(),
        300
    );

    // 301 is refused before Viber is called.
    let one_more = viber_user(300);
    let mut too_many = receivers.clone();
    too_many.push(&one_more);
    assert!(matches!(
        adapter.broadcast("Know your options", &too_many).await,
        BatchOutcome::Whole(PublishResult::Permanent { code, .. }) if code == "broadcast_size"
    ));
    assert_eq!(sandbox.counts().requests, 1);
}

#[tokio::test]
async fn viber_unsubscribed_receivers_are_refused_as_gone() {
    let config = SandboxConfig {
        viber_unsubscribed: BTreeSet::from([viber_user(3), viber_user(7)]),
        ..SandboxConfig::default()
    };
    let (sandbox, running, _clock) = start(config).await;
    let adapter = viber(&running.base_url());
    let users: Vec<String> = (0..10).map(viber_user).collect();
    let receivers: Vec<&str> = users.iter().map(String::as_str).collect();
    let gone = PublishResult::RecipientGone {
        code: "6".into(),
        text: "Not subscribed".into(),
    };

    let outcome = adapter.broadcast("Office hours changed", &receivers).await;
    let BatchOutcome::Accepted {
        platform_id: Some(_),
        refused,
    } = outcome
    else {
        panic!("not accepted: {outcome:?}");
    };
    assert_eq!(refused, vec![(3, gone.clone()), (7, gone.clone())]);
    let reached: BTreeSet<String> = sandbox
        .delivered()
        .into_iter()
        .map(|r| r.recipient)
        .collect();
    assert_eq!(reached.len(), 8);
    assert!(!reached.contains(&viber_user(3)) && !reached.contains(&viber_user(7)));

    // One at a time, the same (under the name Viber's error table gives status 6).
    assert_eq!(
        adapter
            .send_message(&viber_user(3), "Office hours changed")
            .await,
        PublishResult::RecipientGone {
            code: "6".into(),
            text: "receiverNotSubscribed".into(),
        }
    );
    let single = adapter
        .send_message(&viber_user(1), "Office hours changed")
        .await;
    assert!(
        matches!(&single, PublishResult::Published { platform_id: Some(id) } if id.parse::<i64>().is_ok()),
        "{single:?}"
    );
    assert_eq!(sandbox.counts().new_deliveries, 9);
}

#[tokio::test]
async fn viber_501st_request_in_ten_seconds_is_throttled_and_time_heals_it() {
    let config = SandboxConfig {
        read_rate: 0.0,
        ..SandboxConfig::default()
    };
    let (sandbox, running, clock) = start(config).await;
    let adapter = viber(&running.base_url());
    let user = viber_user(0);
    for n in 0..500 {
        let outcome = adapter.broadcast(&format!("update {n}"), &[&user]).await;
        assert!(
            matches!(outcome, BatchOutcome::Accepted { .. }),
            "{n}: {outcome:?}"
        );
        // Spread over the window: the last request arrives 8 s after the first.
        if n % 56 == 55 {
            clock.advance(chrono::Duration::seconds(1));
        }
    }
    let throttled = PublishResult::Throttled {
        wait: Duration::from_secs(10),
        text: "tooManyRequests".into(),
    };
    assert_eq!(
        adapter.broadcast("one too many", &[&user]).await,
        BatchOutcome::Whole(throttled.clone())
    );
    // Single sends count in the same window.
    assert_eq!(adapter.send_message(&user, "one too many").await, throttled);
    assert_eq!(sandbox.counts().requests, 502);
    assert_eq!(sandbox.counts().new_deliveries, 500);

    clock.advance(chrono::Duration::seconds(10));
    let healed = adapter.broadcast("later", &[&user]).await;
    assert!(
        matches!(healed, BatchOutcome::Accepted { .. }),
        "{healed:?}"
    );
    assert_eq!(sandbox.counts().new_deliveries, 501);
}

#[tokio::test]
async fn viber_faults_are_whole_transient_throttled_or_unknown() {
    let (sandbox, running, _clock) = start(SandboxConfig::default()).await;
    let adapter = viber(&running.base_url());
    let users = [viber_user(0), viber_user(1)];
    let receivers = [users[0].as_str(), users[1].as_str()];

    sandbox.set_faults(faults(|f| f.rate_5xx = 1.0));
    let mut bursts = Vec::new();
    for _ in 0..4 {
        bursts.push(adapter.broadcast("busy", &receivers).await);
    }
    let answered = statuses(&sandbox, "viber");
    assert_eq!(answered.len(), 4);
    for (outcome, status) in bursts.iter().zip(&answered) {
        assert!((500..600).contains(status), "{status}");
        assert!(
            matches!(outcome, BatchOutcome::Whole(PublishResult::Transient { code, .. }) if *code == status.to_string()),
            "{outcome:?} for {status}"
        );
    }
    assert!(matches!(
        adapter.send_message(&users[0], "busy").await,
        PublishResult::Transient { .. }
    ));
    assert_eq!(sandbox.counts().new_deliveries, 0);

    // Viber's only throttling answer is status 12 in an HTTP 200.
    sandbox.set_faults(faults(|f| f.rate_429 = 1.0));
    assert_eq!(
        adapter.broadcast("storm", &receivers).await,
        BatchOutcome::Whole(PublishResult::Throttled {
            wait: Duration::from_secs(10),
            text: "tooManyRequests".into()
        })
    );

    sandbox.set_faults(faults(|f| f.rate_drop = 1.0));
    let dropped = adapter.broadcast("dropped", &receivers).await;
    assert!(
        matches!(dropped, BatchOutcome::Whole(PublishResult::Unknown { .. })),
        "{dropped:?}"
    );
    // Both receivers got it all the same.
    let delivered = sandbox.delivered();
    assert_eq!(delivered.len(), 2);
    assert!(
        delivered
            .iter()
            .all(|r| r.text == "dropped" && r.status == 0)
    );
}

#[tokio::test]
async fn viber_set_webhook_needs_a_receiver_that_takes_the_signed_check() {
    let (sandbox, running, _clock) = start(SandboxConfig::default()).await;
    let adapter = viber(&running.base_url());

    let taking = Receiver::answering(StatusCode::OK).await;
    assert_eq!(adapter.set_webhook(&taking.url).await, Ok(()));
    let hits = taking.hits();
    assert_eq!(hits.len(), 1);
    let Hit { headers, body, .. } = &hits[0];
    assert_eq!(verify_viber(headers, body, VIBER_TOKEN), Ok(()));
    assert!(verify_viber(headers, body, "another-token").is_err());
    let check: Value = serde_json::from_slice(body).unwrap();
    assert_eq!(check["event"], "webhook");
    assert_eq!(check["timestamp"], start_time().timestamp_millis());
    assert_eq!(parse_viber(body).unwrap(), vec![], "the check is no event");

    let refusing = Receiver::answering(StatusCode::UNAUTHORIZED).await;
    let error = adapter
        .set_webhook(&refusing.url)
        .await
        .unwrap_err()
        .to_string();
    assert_eq!(error, "Viber set_webhook refused: status 1: invalidUrl");
    assert_eq!(refusing.hits().len(), 1);
    assert!(!error.contains(VIBER_TOKEN));
    // Neither call is a delivery.
    assert!(sandbox.delivered().is_empty());
}

#[tokio::test]
async fn viber_delivered_seen_and_failed_callbacks_are_signed_with_the_token() {
    let config = SandboxConfig {
        read_rate: 1.0,
        undeliverable: BTreeSet::from([viber_user(2)]),
        ..SandboxConfig::default()
    };
    let (sandbox, running, _clock) = start(config).await;
    let adapter = viber(&running.base_url());
    let receiver = Receiver::answering(StatusCode::OK).await;
    adapter.set_webhook(&receiver.url).await.unwrap();

    let users: Vec<String> = (0..3).map(viber_user).collect();
    let receivers: Vec<&str> = users.iter().map(String::as_str).collect();
    let BatchOutcome::Accepted {
        platform_id: Some(token),
        refused,
    } = adapter.broadcast("Know your options", &receivers).await
    else {
        panic!("not accepted");
    };
    assert!(refused.is_empty());
    sandbox.flush_callbacks().await;
    assert_eq!(
        sandbox.callback_counts(),
        CallbackCounts {
            queued: 0,
            delivered: 5,
            failed: 0
        }
    );

    // The first hit is set_webhook's check.
    let hits = receiver.hits();
    assert_eq!(hits.len(), 6);
    let mut seen = BTreeSet::new();
    for Hit { headers, body, .. } in &hits[1..] {
        assert_eq!(verify_viber(headers, body, VIBER_TOKEN), Ok(()));
        let events = parse_viber(body).unwrap();
        let [InboundEvent::Status(status)] = events.as_slice() else {
            panic!("not one status: {events:?}");
        };
        assert_eq!(status.platform_message_id, token);
        let offset = match status.status {
            DeliveryStatus::Read => 2,
            _ => 1,
        };
        assert_eq!(status.at, start_time() + chrono::Duration::seconds(offset));
        let recipient = status.recipient.clone().unwrap();
        seen.insert((recipient, status.status, status.error.clone()));
    }
    let undeliverable = Some((
        "failed".to_string(),
        "Message undeliverable: the receiver cannot get messages".to_string(),
    ));
    assert_eq!(
        seen,
        BTreeSet::from([
            (viber_user(0), DeliveryStatus::Delivered, None),
            (viber_user(0), DeliveryStatus::Read, None),
            (viber_user(1), DeliveryStatus::Delivered, None),
            (viber_user(1), DeliveryStatus::Read, None),
            (viber_user(2), DeliveryStatus::Failed, undeliverable),
        ])
    );
}

// ---------------------------------------------------------------------------------------------
// Telegram, to a subscriber's private chat

#[tokio::test]
async fn telegram_subscriber_starts_the_bot_over_the_secret_webhook_and_blocking_ends_them() {
    let (sandbox, running, clock) = start(SandboxConfig::default()).await;
    let adapter = telegram(&running.base_url());
    let receiver = Receiver::answering(StatusCode::OK).await;
    let secret = "tg_Secret-token-1";
    assert_eq!(adapter.set_webhook(&receiver.url, secret).await, Ok(()));

    let chat = "424242";
    let person = |action: PersonAction| PersonEvent {
        platform: Platform::Telegram,
        key: BOT_TOKEN.to_string(),
        user: chat.to_string(),
        action,
    };
    let answered = sandbox
        .simulate_person(person(PersonAction::Subscribe {
            language: Some("ar".into()),
            payload: Some("avr-nl".into()),
        }))
        .await;
    assert_eq!(answered, Ok(200));
    let hits = receiver.hits();
    assert_eq!(hits.len(), 1);
    let Hit { headers, body, .. } = &hits[0];
    assert_eq!(verify_telegram(headers, secret), Ok(()));
    assert!(verify_telegram(headers, "another_secret").is_err());
    let subscribed = parse_telegram(body).unwrap();
    assert!(
        matches!(
            subscribed.as_slice(),
            [InboundEvent::Subscribe { user, language: Some(language), payload: Some(payload), stamp }]
                if user == chat && language == "ar" && payload == "avr-nl"
                    && stamp.at.timestamp() == clock.now().timestamp()
        ),
        "{subscribed:?}"
    );

    // Welcome: the subscriber's chat takes messages.
    let publication = |text: &'static str| herald::platforms::Publication {
        text,
        locale: "ar",
        direction: "rtl",
        idempotency_key: "campaign-1:send-1:nl:ar:telegram:slot-1",
        recipient: Some(chat),
        envelope: herald::platforms::Envelope::default(),
    };
    let welcome = adapter.publish(&publication("مرحبا")).await;
    let PublishResult::Published {
        platform_id: Some(message_id),
    } = welcome
    else {
        panic!("not published: {welcome:?}");
    };
    let delivered = sandbox.delivered();
    assert_eq!(delivered.len(), 1);
    assert_eq!(delivered[0].recipient, chat);
    assert_eq!(delivered[0].platform_id, Some(message_id));

    // The person blocks the bot: herald hears it, and the next send says they are gone.
    let answered = sandbox.simulate_person(person(PersonAction::Block)).await;
    assert_eq!(answered, Ok(200));
    let hits = receiver.hits();
    assert_eq!(hits.len(), 2);
    assert_eq!(verify_telegram(&hits[1].headers, secret), Ok(()));
    let blocked = parse_telegram(&hits[1].body).unwrap();
    assert!(
        matches!(
            blocked.as_slice(),
            [InboundEvent::Unsubscribe { user, reason: OptOutReason::Blocked, stamp }]
                if user == chat && stamp.at.timestamp() == clock.now().timestamp()
        ),
        "{blocked:?}"
    );
    clock.advance(chrono::Duration::seconds(1));
    assert_eq!(
        adapter.publish(&publication("still there?")).await,
        PublishResult::RecipientGone {
            code: "403".into(),
            text: "Forbidden: bot was blocked by the user".into()
        }
    );
    assert_eq!(statuses(&sandbox, "telegram"), vec![200, 403]);
    assert_eq!(sandbox.delivered().len(), 1);
    let recorded = serde_json::to_string(&sandbox.received()).unwrap();
    assert!(!recorded.contains(secret));
}
