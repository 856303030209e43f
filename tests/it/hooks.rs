//! The webhook routes partners call, served for real on port 0: signatures checked over the
//! raw body (valid accepted; tampered body, wrong key, missing header refused with nothing
//! stored), Meta's handshake, opt-in and opt-out for Telegram, WhatsApp and Viber, status
//! callbacks counted once however often they are replayed, and opt-ins and opt-outs applied
//! once per event and in the order the partner stamped them: a replayed or late opt-in never
//! undoes a later opt-out, and events stamped outside the partner's retry window do nothing.
//! Button presses (language, group) likewise: a replayed press never undoes a later choice,
//! never follows a person through an opt-out, and a stale one does nothing.

use crate::common;

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use common::app::{AppOptions, TestApp, spawn_app};
use common::lifecycle::schedule_version;
use common::{Project, config_with_bots};
use herald::app::ServiceKeys;
use herald::campaign::VersionBundle;
use herald::clock::{Clock, SimulatedClock};
use herald::reach::inbound::hmac_sha256_hex;
use herald::schedule::planned_jobs;
use herald::store::{JobOutcome, SqliteStore, Store};
use serde_json::json;

/// The fixture's accounts plus a Telegram bot and a Viber bot that people subscribe to, the
/// Viber one also in a segment its links lead into.
fn config() -> String {
    config_with_bots(r#""in-eu", "in-eu-returning""#)
}

/// Every credential is the rehearsal placeholder: what the sandbox signs with.
const SECRET: &str = "sandbox";

/// The hooks' clock when they start, in epoch seconds: Monday 18 January 2027, 00:00 UTC.
const START_S: i64 = 1_800_230_400;

struct Hooks {
    base: String,
    clock: SimulatedClock,
    store: SqliteStore,
    url: String,
    client: reqwest::Client,
    _project: Project,
    _app: TestApp,
}

impl Hooks {
    async fn start() -> Hooks {
        let project = Project::valid();
        project.write("herald.toml", &config());
        let loaded = project.load();
        let monday = Utc.with_ymd_and_hms(2027, 1, 18, 0, 0, 0).unwrap();
        let simulated = SimulatedClock::starting_at(monday);
        // A rehearsal (the default of `spawn_app`): every account's credential is the
        // placeholder the sandbox signs with; these tests play the partners themselves.
        let mut options = AppOptions::new(&config(), Arc::new(simulated.clone()));
        options.keys = ServiceKeys::from_hex(&"5a".repeat(32)).unwrap();
        let app = spawn_app(options).await;
        let store = app.fresh.store.clone();
        let url = app.fresh.url.clone();
        // A sent WhatsApp message (wamid.HBg1) for status callbacks to report on.
        let bundle = VersionBundle::from_loaded(&loaded, &loaded.campaigns[0]);
        let at = Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap();
        let version = schedule_version(&store, &bundle, at).await;
        store
            .insert_jobs(&planned_jobs(
                &loaded.campaigns[0].campaign,
                &version.hash,
                monday,
                monday + chrono::Duration::hours(23),
            ))
            .await
            .unwrap();
        let now_ms = (monday + chrono::Duration::hours(12)).timestamp_millis();
        let leased = store
            .lease_due_jobs("w", now_ms, now_ms + 60_000, 100, &[])
            .await
            .unwrap();
        let job = leased
            .iter()
            .find(|j| j.channel == "whatsapp:optin" && j.locale == "ar")
            .unwrap();
        store
            .record_outcomes(
                "w",
                &[(
                    job.id,
                    JobOutcome::Sent {
                        platform_id: Some("wamid.HBg1".into()),
                        variant: Some("a".into()),
                    },
                )],
                &[],
                now_ms,
            )
            .await
            .unwrap();

        assert_eq!(monday.timestamp(), START_S);
        Hooks {
            base: app.base.clone(),
            clock: simulated,
            store,
            url,
            client: reqwest::Client::new(),
            _project: project,
            _app: app,
        }
    }

    async fn post(&self, path: &str, headers: &[(&str, String)], body: &str) -> (u16, String) {
        let mut request = self
            .client
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/json")
            .body(body.to_string());
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.text().await.unwrap())
    }

    async fn whatsapp(&self, body: &str, key: &str) -> u16 {
        let signature = format!("sha256={}", hmac_sha256_hex(key, body.as_bytes()));
        self.post(
            "/hooks/whatsapp/optin",
            &[("x-hub-signature-256", signature)],
            body,
        )
        .await
        .0
    }

    /// A Telegram update to the `bot` account, with its secret token.
    async fn telegram(&self, body: &str) -> u16 {
        let secret = [("x-telegram-bot-api-secret-token", SECRET.to_string())];
        self.post("/hooks/telegram/bot", &secret, body).await.0
    }

    /// A Viber callback to the `community` account, signed as Viber signs: the hex
    /// HMAC-SHA256 of the raw body under the auth token.
    async fn viber(&self, body: &str) -> u16 {
        let signature = [(
            "x-viber-content-signature",
            hmac_sha256_hex(SECRET, body.as_bytes()),
        )];
        self.post("/hooks/viber/community", &signature, body)
            .await
            .0
    }

    /// How many people are subscribed to `channel`.
    async fn subscribed_on(&self, channel: &str) -> i64 {
        self.subscribers()
            .await
            .iter()
            .filter(|(c, _, _)| c == channel)
            .map(|(_, _, count)| count)
            .sum()
    }

    /// `(channel, segment, locale, count)` of every subscriber group.
    async fn subscribers(&self) -> Vec<(String, String, i64)> {
        self.store
            .subscriber_counts()
            .await
            .unwrap()
            .into_iter()
            .map(|c| (c.channel, c.locale, c.count))
            .collect()
    }

    async fn counters(&self) -> Vec<(String, String, i64)> {
        self.store
            .delivery_counts("demo")
            .await
            .unwrap()
            .into_iter()
            .map(|c| (c.locale, c.status, c.count))
            .collect()
    }

    /// Every column of every subscriber row, for checking that no identifier is in the clear.
    async fn dump(&self) -> String {
        let rows: Vec<(String, String, String)> =
            sqlx::query_as("SELECT lookup, sealed, locale FROM subscribers")
                .fetch_all(&sqlx::SqlitePool::connect(&self.url).await.unwrap())
                .await
                .unwrap();
        format!("{rows:?}")
    }
}

/// A WhatsApp text message `id` from `from`, sent at `at_s` (epoch seconds, as Meta sends it).
fn whatsapp_message(from: &str, text: &str, id: &str, at_s: i64) -> String {
    json!({
        "object": "whatsapp_business_account",
        "entry": [{"id": "1", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "3120000000", "phone_number_id": SECRET},
            "contacts": [{"profile": {"name": "Person"}, "wa_id": from}],
            "messages": [{"from": from, "id": id, "timestamp": at_s.to_string(), "type": "text", "text": {"body": text}}]
        }}]}]
    })
    .to_string()
}

/// A Telegram update `update_id`: `text` written in the private chat `chat` at `at_s`.
fn telegram_text(update_id: i64, chat: i64, text: &str, at_s: i64) -> String {
    json!({"update_id": update_id, "message": {"message_id": update_id, "date": at_s,
        "from": {"id": chat, "is_bot": false, "first_name": "P", "language_code": "fr"},
        "chat": {"id": chat, "type": "private"}, "text": text}})
    .to_string()
}

/// A Telegram update `update_id`: the person in chat `chat` blocked the bot at `at_s`.
fn telegram_blocked(update_id: i64, chat: i64, at_s: i64) -> String {
    json!({"update_id": update_id, "my_chat_member": {"chat": {"id": chat, "type": "private"},
        "from": {"id": chat, "is_bot": false, "first_name": "P"}, "date": at_s,
        "old_chat_member": {"user": {"id": 1, "is_bot": true, "first_name": "bot"}, "status": "member"},
        "new_chat_member": {"user": {"id": 1, "is_bot": true, "first_name": "bot"}, "status": "kicked", "until_date": 0}}})
    .to_string()
}

/// A Telegram update `update_id`: the person in chat `chat` pressed the inline button
/// carrying `data` under the bot's message sent at `menu_at_s`.
fn telegram_button(update_id: i64, chat: i64, data: &str, menu_at_s: i64) -> String {
    json!({"update_id": update_id, "callback_query": {"id": format!("cb{update_id}"),
        "from": {"id": chat, "is_bot": false, "first_name": "P", "language_code": "fr"},
        "message": {"message_id": update_id, "date": menu_at_s, "chat": {"id": chat, "type": "private"}, "text": "Choose"},
        "chat_instance": "-800123", "data": data}})
    .to_string()
}

/// A WhatsApp interactive reply `id`: `from` picked the list row `data` at `at_s`.
fn whatsapp_choice(from: &str, data: &str, id: &str, at_s: i64) -> String {
    json!({
        "object": "whatsapp_business_account",
        "entry": [{"id": "1", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "3120000000", "phone_number_id": SECRET},
            "contacts": [{"profile": {"name": "Person"}, "wa_id": from}],
            "messages": [{"from": from, "id": id, "timestamp": at_s.to_string(), "type": "interactive",
                "interactive": {"type": "list_reply", "list_reply": {"id": data, "title": data}}}]
        }}]}]
    })
    .to_string()
}

/// A Viber `conversation_started` callback `token`: `user` opened the chat through a link
/// carrying `context` at `at_ms`.
fn viber_started(token: u64, user: &str, context: &str, at_ms: i64) -> String {
    json!({"event": "conversation_started", "timestamp": at_ms, "chat_hostname": "SN-CHAT-01_",
        "message_token": token, "type": "open", "context": context,
        "user": {"id": user, "name": "Person", "language": "en", "country": "NL", "api_version": 1},
        "subscribed": true})
    .to_string()
}

/// A Viber `subscribed` callback `token` for `user` at `at_ms` (epoch milliseconds).
fn viber_subscribed(token: u64, user: &str, at_ms: i64) -> String {
    json!({"event": "subscribed", "timestamp": at_ms, "chat_hostname": "SN-CHAT-01_",
        "user": {"id": user, "name": "Person", "language": "en", "country": "NL", "api_version": 1},
        "message_token": token})
    .to_string()
}

/// A Viber `unsubscribed` callback `token` for `user` at `at_ms`.
fn viber_unsubscribed(token: u64, user: &str, at_ms: i64) -> String {
    json!({"event": "unsubscribed", "timestamp": at_ms, "chat_hostname": "SN-CHAT-01_",
        "user_id": user, "message_token": token})
    .to_string()
}

fn whatsapp_status(wamid: &str, to: &str, status: &str) -> String {
    json!({
        "object": "whatsapp_business_account",
        "entry": [{"id": "1", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "3120000000", "phone_number_id": SECRET},
            "statuses": [{"id": wamid, "status": status, "timestamp": "1800000000", "recipient_id": to}]
        }}]}]
    })
    .to_string()
}

/// WhatsApp's `failed` status for `wamid` with error 131026 (the number cannot receive
/// messages) at `at_s`: herald forgets the person.
fn whatsapp_undeliverable(wamid: &str, to: &str, at_s: i64) -> String {
    json!({
        "object": "whatsapp_business_account",
        "entry": [{"id": "1", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "3120000000", "phone_number_id": SECRET},
            "statuses": [{"id": wamid, "status": "failed", "timestamp": at_s.to_string(), "recipient_id": to,
                "errors": [{"code": 131026, "title": "Message undeliverable"}]}]
        }}]}]
    })
    .to_string()
}

#[tokio::test]
async fn whatsapp_signatures_are_checked_over_the_raw_body() {
    let hooks = Hooks::start().await;
    let start = whatsapp_message("31611111111", "START", "wamid.in1", START_S);
    // Missing header, wrong key, tampered body: 401 and nothing stored.
    assert_eq!(
        hooks.post("/hooks/whatsapp/optin", &[], &start).await.0,
        401
    );
    assert_eq!(hooks.whatsapp(&start, "not-the-app-secret").await, 401);
    let signature = format!("sha256={}", hmac_sha256_hex(SECRET, start.as_bytes()));
    let tampered = start.replace("31611111111", "31622222222");
    assert_eq!(
        hooks
            .post(
                "/hooks/whatsapp/optin",
                &[("x-hub-signature-256", signature.clone())],
                &tampered
            )
            .await
            .0,
        401
    );
    assert_eq!(
        hooks
            .post(
                "/hooks/whatsapp/optin",
                &[("x-hub-signature-256", "sha256=zz".into())],
                &start
            )
            .await
            .0,
        401
    );
    assert!(hooks.subscribers().await.is_empty());
    // The genuine request subscribes, once, however often it is replayed.
    assert_eq!(hooks.whatsapp(&start, SECRET).await, 200);
    assert_eq!(hooks.whatsapp(&start, SECRET).await, 200);
    assert_eq!(
        hooks.subscribers().await,
        [("whatsapp:optin".to_string(), "ar".to_string(), 1)]
    );
    // Unknown accounts and platforms are not served.
    assert_eq!(
        hooks.post("/hooks/whatsapp/nobody", &[], &start).await.0,
        404
    );
}

#[tokio::test]
async fn meta_handshake_echoes_the_challenge_only_for_the_verify_token() {
    let hooks = Hooks::start().await;
    let get = |query: &str| {
        let url = format!("{}/hooks/whatsapp/optin?{query}", hooks.base);
        let client = hooks.client.clone();
        async move {
            let response = client.get(url).send().await.unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        }
    };
    assert_eq!(
        get("hub.mode=subscribe&hub.verify_token=sandbox&hub.challenge=1158201444").await,
        (200, "1158201444".to_string())
    );
    assert_eq!(
        get("hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1158201444")
            .await
            .0,
        403
    );
}

#[tokio::test]
async fn status_callbacks_count_once_and_replays_change_nothing() {
    let hooks = Hooks::start().await;
    for status in ["sent", "delivered", "read"] {
        let body = whatsapp_status("wamid.HBg1", "31611111111", status);
        assert_eq!(hooks.whatsapp(&body, SECRET).await, 200);
        // The partner sends it again (it did not hear us, or an attacker replays it).
        assert_eq!(hooks.whatsapp(&body, SECRET).await, 200);
    }
    assert_eq!(
        hooks.counters().await,
        [
            ("ar".to_string(), "delivered".to_string(), 1),
            ("ar".to_string(), "read".to_string(), 1)
        ]
    );
    // A forged status with a wrong signature is not counted.
    let forged = whatsapp_status("wamid.HBg1", "31699999999", "read");
    assert_eq!(hooks.whatsapp(&forged, "forger").await, 401);
    assert_eq!(hooks.counters().await.len(), 2);
}

#[tokio::test]
async fn stop_erases_the_identifier_on_every_messaging_platform() {
    let hooks = Hooks::start().await;
    // WhatsApp: START, then STOP.
    assert_eq!(
        hooks
            .whatsapp(
                &whatsapp_message("31611111111", "START", "wamid.in1", START_S - 120),
                SECRET
            )
            .await,
        200
    );
    // Telegram: /start from a French-speaking person; the secret token header is required.
    let start = telegram_text(1, 777001, "/start", START_S - 120);
    assert_eq!(hooks.post("/hooks/telegram/bot", &[], &start).await.0, 401);
    assert_eq!(
        hooks
            .post(
                "/hooks/telegram/bot",
                &[("x-telegram-bot-api-secret-token", "wrong".into())],
                &start
            )
            .await
            .0,
        401
    );
    let telegram_secret = [("x-telegram-bot-api-secret-token", SECRET.to_string())];
    assert_eq!(
        hooks
            .post("/hooks/telegram/bot", &telegram_secret, &start)
            .await
            .0,
        200
    );
    // Viber: subscribed, signed with the bot's token.
    let subscribed = viber_subscribed(
        4912661846655238145,
        "01234567890A=",
        START_S * 1000 - 120_000,
    );
    let viber_signature = hmac_sha256_hex(SECRET, subscribed.as_bytes());
    assert_eq!(
        hooks
            .post(
                "/hooks/viber/community",
                &[("x-viber-content-signature", "00".repeat(32))],
                &subscribed
            )
            .await
            .0,
        401
    );
    assert_eq!(
        hooks
            .post(
                "/hooks/viber/community",
                &[("x-viber-content-signature", viber_signature)],
                &subscribed
            )
            .await
            .0,
        200
    );
    assert_eq!(
        hooks.subscribers().await,
        [
            ("telegram:bot".to_string(), "fr".to_string(), 1),
            ("viber:community".to_string(), "en".to_string(), 1),
            ("whatsapp:optin".to_string(), "ar".to_string(), 1),
        ]
    );
    let dump = hooks.dump().await;
    for identifier in ["31611111111", "777001", "01234567890A"] {
        assert!(!dump.contains(identifier), "{identifier} in {dump}");
    }

    // Leaving: STOP on WhatsApp, blocking the Telegram bot, unsubscribing on Viber.
    assert_eq!(
        hooks
            .whatsapp(
                &whatsapp_message("31611111111", "STOP", "wamid.in2", START_S - 60),
                SECRET
            )
            .await,
        200
    );
    let blocked = telegram_blocked(2, 777001, START_S - 60);
    assert_eq!(
        hooks
            .post("/hooks/telegram/bot", &telegram_secret, &blocked)
            .await
            .0,
        200
    );
    let unsubscribed = viber_unsubscribed(
        4912661846655238146,
        "01234567890A=",
        START_S * 1000 - 60_000,
    );
    let viber_signature = hmac_sha256_hex(SECRET, unsubscribed.as_bytes());
    assert_eq!(
        hooks
            .post(
                "/hooks/viber/community",
                &[("x-viber-content-signature", viber_signature)],
                &unsubscribed
            )
            .await
            .0,
        200
    );
    assert!(hooks.subscribers().await.is_empty());
    assert_eq!(hooks.dump().await, "[]");
}

#[tokio::test]
async fn a_replayed_viber_subscription_does_not_undo_the_unsubscription() {
    let hooks = Hooks::start().await;
    let user = "01234567890A=";
    let now_ms = || hooks.clock.now().timestamp_millis();
    // The person subscribes; the request (body and signature) is captured on the way.
    let subscribed = viber_subscribed(4912661846655238145, user, now_ms());
    let captured = [(
        "x-viber-content-signature",
        hmac_sha256_hex(SECRET, subscribed.as_bytes()),
    )];
    assert_eq!(
        hooks
            .post("/hooks/viber/community", &captured, &subscribed)
            .await
            .0,
        200
    );
    assert_eq!(hooks.subscribed_on("viber:community").await, 1);
    // A minute later they unsubscribe.
    hooks.clock.advance(Duration::minutes(1));
    let unsubscribed = viber_unsubscribed(4912661846655238146, user, now_ms());
    assert_eq!(hooks.viber(&unsubscribed).await, 200);
    assert_eq!(hooks.subscribed_on("viber:community").await, 0);
    // Ten minutes later the captured subscription is sent again, byte for byte. Viber hears
    // 200 (a refusal would only be retried), and the person stays unsubscribed.
    hooks.clock.advance(Duration::minutes(10));
    assert_eq!(
        hooks
            .post("/hooks/viber/community", &captured, &subscribed)
            .await
            .0,
        200
    );
    assert_eq!(hooks.subscribed_on("viber:community").await, 0);
    // So is the captured unsubscription, which changes nothing either.
    assert_eq!(hooks.viber(&unsubscribed).await, 200);
    // The person really subscribes again later: that is honoured.
    let again = viber_subscribed(4912661846655238147, user, now_ms());
    assert_eq!(hooks.viber(&again).await, 200);
    assert_eq!(hooks.subscribed_on("viber:community").await, 1);
    // And the old unsubscription, replayed now, does not undo that either.
    assert_eq!(hooks.viber(&unsubscribed).await, 200);
    assert_eq!(hooks.subscribed_on("viber:community").await, 1);
}

#[tokio::test]
async fn a_replayed_whatsapp_start_does_not_undo_stop() {
    let hooks = Hooks::start().await;
    let now_s = || hooks.clock.now().timestamp();
    let start = whatsapp_message(
        "31611111111",
        "START",
        "wamid.HBgLMzE2MTExMTExMTEVAgASGBQ1",
        now_s(),
    );
    assert_eq!(hooks.whatsapp(&start, SECRET).await, 200);
    assert_eq!(hooks.subscribed_on("whatsapp:optin").await, 1);
    hooks.clock.advance(Duration::minutes(1));
    let stop = whatsapp_message(
        "31611111111",
        "STOP",
        "wamid.HBgLMzE2MTExMTExMTEVAgASGBQ2",
        now_s(),
    );
    assert_eq!(hooks.whatsapp(&stop, SECRET).await, 200);
    assert_eq!(hooks.subscribed_on("whatsapp:optin").await, 0);
    // The signed START replayed an hour later, and again a day later: still stopped.
    for wait in [Duration::hours(1), Duration::days(1)] {
        hooks.clock.advance(wait);
        assert_eq!(hooks.whatsapp(&start, SECRET).await, 200);
        assert_eq!(hooks.subscribed_on("whatsapp:optin").await, 0);
    }
    // A START the person really writes later subscribes them again.
    let again = whatsapp_message(
        "31611111111",
        "START",
        "wamid.HBgLMzE2MTExMTExMTEVAgASGBQ3",
        now_s(),
    );
    assert_eq!(hooks.whatsapp(&again, SECRET).await, 200);
    assert_eq!(hooks.subscribed_on("whatsapp:optin").await, 1);
}

#[tokio::test]
async fn a_replayed_telegram_start_does_not_undo_stop() {
    let hooks = Hooks::start().await;
    let now_s = || hooks.clock.now().timestamp();
    let start = telegram_text(500_001, 777002, "/start", now_s());
    assert_eq!(hooks.telegram(&start).await, 200);
    assert_eq!(hooks.subscribed_on("telegram:bot").await, 1);
    hooks.clock.advance(Duration::minutes(1));
    assert_eq!(
        hooks
            .telegram(&telegram_text(500_002, 777002, "/stop", now_s()))
            .await,
        200
    );
    assert_eq!(hooks.subscribed_on("telegram:bot").await, 0);
    hooks.clock.advance(Duration::minutes(30));
    assert_eq!(hooks.telegram(&start).await, 200);
    assert_eq!(hooks.subscribed_on("telegram:bot").await, 0);
    // A /start the person really sends later subscribes them again.
    hooks.clock.advance(Duration::minutes(1));
    assert_eq!(
        hooks
            .telegram(&telegram_text(500_003, 777002, "/start", now_s()))
            .await,
        200
    );
    assert_eq!(hooks.subscribed_on("telegram:bot").await, 1);
}

#[tokio::test]
async fn an_opt_out_that_overtakes_its_opt_in_still_wins() {
    let hooks = Hooks::start().await;
    let (now_s, now_ms) = (START_S, START_S * 1000);
    // Each person opted in two minutes ago and out one minute ago, but the opt-outs arrive
    // first (the opt-ins were retried, or held back and sent by an attacker).
    let whatsapp_stop = whatsapp_message("31622222222", "STOP", "wamid.out", now_s - 60);
    let whatsapp_start = whatsapp_message("31622222222", "START", "wamid.in", now_s - 120);
    assert_eq!(hooks.whatsapp(&whatsapp_stop, SECRET).await, 200);
    assert_eq!(hooks.whatsapp(&whatsapp_start, SECRET).await, 200);
    assert_eq!(
        hooks
            .telegram(&telegram_blocked(7, 777003, now_s - 60))
            .await,
        200
    );
    assert_eq!(
        hooks
            .telegram(&telegram_text(6, 777003, "/start", now_s - 120))
            .await,
        200
    );
    assert_eq!(
        hooks
            .viber(&viber_unsubscribed(2, "viber-person-3=", now_ms - 60_000))
            .await,
        200
    );
    assert_eq!(
        hooks
            .viber(&viber_subscribed(1, "viber-person-3=", now_ms - 120_000))
            .await,
        200
    );
    assert!(
        hooks.subscribers().await.is_empty(),
        "{:?}",
        hooks.subscribers().await
    );

    // WhatsApp says a number cannot receive messages any more: herald forgets the person, and
    // an opt-in older than that, arriving late, does not bring them back.
    let start = whatsapp_message("31633333333", "START", "wamid.in3", now_s - 300);
    assert_eq!(hooks.whatsapp(&start, SECRET).await, 200);
    assert_eq!(hooks.subscribed_on("whatsapp:optin").await, 1);
    let gone = whatsapp_undeliverable("wamid.HBg1", "31633333333", now_s - 60);
    assert_eq!(hooks.whatsapp(&gone, SECRET).await, 200);
    assert_eq!(hooks.subscribed_on("whatsapp:optin").await, 0);
    let late = whatsapp_message("31633333333", "START", "wamid.in4", now_s - 120);
    assert_eq!(hooks.whatsapp(&late, SECRET).await, 200);
    assert_eq!(hooks.subscribed_on("whatsapp:optin").await, 0);
}

#[tokio::test]
async fn signed_events_stamped_outside_the_partners_retry_window_do_nothing() {
    let hooks = Hooks::start().await;
    let (now_s, now_ms) = (START_S, START_S * 1000);
    let refused_before = refused_for_time();
    // Viber retries for an hour: a subscription stamped three hours ago is a replay.
    let viber_old = viber_subscribed(11, "viber-person-4=", now_ms - 3 * 3_600_000);
    // Meta retries for up to 7 days: a START from 8 days ago is a replay.
    let whatsapp_old = whatsapp_message("31644444444", "START", "wamid.old", now_s - 8 * 86_400);
    // Telegram keeps updates for 24 hours: a /start from 26 hours ago is a replay.
    let telegram_old = telegram_text(900, 777004, "/start", now_s - 26 * 3_600);
    // Stamped ten minutes in the future.
    let viber_ahead = viber_subscribed(12, "viber-person-5=", now_ms + 600_000);
    assert_eq!(hooks.viber(&viber_old).await, 200);
    assert_eq!(hooks.whatsapp(&whatsapp_old, SECRET).await, 200);
    assert_eq!(hooks.telegram(&telegram_old).await, 200);
    assert_eq!(hooks.viber(&viber_ahead).await, 200);
    assert!(
        hooks.subscribers().await.is_empty(),
        "{:?}",
        hooks.subscribers().await
    );
    assert!(refused_for_time() >= refused_before + 4);

    // The same events stamped within the window are applied: only their time was wrong.
    let in_window = [
        hooks
            .viber(&viber_subscribed(13, "viber-person-4=", now_ms - 3_600_000))
            .await,
        hooks
            .whatsapp(
                &whatsapp_message("31644444444", "START", "wamid.new", now_s - 6 * 86_400),
                SECRET,
            )
            .await,
        hooks
            .telegram(&telegram_text(901, 777004, "/start", now_s - 23 * 3_600))
            .await,
        hooks
            .viber(&viber_subscribed(14, "viber-person-5=", now_ms + 60_000))
            .await,
    ];
    assert_eq!(in_window, [200; 4]);
    for channel in ["viber:community", "whatsapp:optin", "telegram:bot"] {
        assert!(hooks.subscribed_on(channel).await >= 1, "{channel}");
    }
    assert_eq!(hooks.subscribed_on("viber:community").await, 2);
}

/// The consent events refused for their time so far, by this process's metrics.
fn refused_for_time() -> u64 {
    herald::metrics::METRICS
        .render()
        .lines()
        .filter(|line| {
            line.starts_with("herald_consent_events_total{result=\"too_old\"}")
                || line.starts_with("herald_consent_events_total{result=\"too_early\"}")
        })
        .filter_map(|line| line.rsplit(' ').next()?.parse::<u64>().ok())
        .sum()
}

#[tokio::test]
async fn an_event_id_seen_before_is_applied_once() {
    let hooks = Hooks::start().await;
    let (now_s, now_ms) = (START_S, START_S * 1000);
    // Each person opts in and out; then the opt-in's event id comes again, stamped as if it
    // were newer. Its id gives it away.
    let start = |at_s| whatsapp_message("31655555555", "START", "wamid.once", at_s);
    assert_eq!(hooks.whatsapp(&start(now_s - 120), SECRET).await, 200);
    let stop = whatsapp_message("31655555555", "STOP", "wamid.stop", now_s - 60);
    assert_eq!(hooks.whatsapp(&stop, SECRET).await, 200);
    assert_eq!(hooks.whatsapp(&start(now_s), SECRET).await, 200);
    assert_eq!(hooks.subscribed_on("whatsapp:optin").await, 0);

    assert_eq!(
        hooks
            .telegram(&telegram_text(70, 777005, "/start", now_s - 120))
            .await,
        200
    );
    assert_eq!(
        hooks
            .telegram(&telegram_text(71, 777005, "/stop", now_s - 60))
            .await,
        200
    );
    assert_eq!(
        hooks
            .telegram(&telegram_text(70, 777005, "/start", now_s))
            .await,
        200
    );
    assert_eq!(hooks.subscribed_on("telegram:bot").await, 0);

    assert_eq!(
        hooks
            .viber(&viber_subscribed(80, "viber-person-6=", now_ms - 120_000))
            .await,
        200
    );
    assert_eq!(
        hooks
            .viber(&viber_unsubscribed(81, "viber-person-6=", now_ms - 60_000))
            .await,
        200
    );
    assert_eq!(
        hooks
            .viber(&viber_subscribed(80, "viber-person-6=", now_ms))
            .await,
        200
    );
    assert_eq!(hooks.subscribed_on("viber:community").await, 0);

    // The same id on another channel is another event.
    assert_eq!(
        hooks
            .viber(&viber_subscribed(70, "viber-person-7=", now_ms))
            .await,
        200
    );
    assert_eq!(hooks.subscribed_on("viber:community").await, 1);
}

/// `(channel, segment, locale)` of every subscriber, one entry per person.
async fn placed(hooks: &Hooks) -> Vec<(String, String, String)> {
    let mut people = Vec::new();
    for group in hooks.store.subscriber_counts().await.unwrap() {
        for _ in 0..group.count {
            people.push((
                group.channel.clone(),
                group.segment.clone(),
                group.locale.clone(),
            ));
        }
    }
    people
}

fn person(channel: &str, segment: &str, locale: &str) -> (String, String, String) {
    (channel.into(), segment.into(), locale.into())
}

#[tokio::test]
async fn a_replayed_button_press_does_not_undo_a_later_choice() {
    let hooks = Hooks::start().await;
    let (now_s, now_ms) = (START_S, START_S * 1000);
    // Telegram: /start (language fr), then Arabic from one menu, then English from a newer
    // one; the Arabic press comes again, byte for byte.
    assert_eq!(
        hooks
            .telegram(&telegram_text(500, 777100, "/start", now_s - 600))
            .await,
        200
    );
    let arabic = telegram_button(501, 777100, "locale:ar", now_s - 500);
    assert_eq!(hooks.telegram(&arabic).await, 200);
    assert_eq!(
        placed(&hooks).await,
        [person("telegram:bot", "in-eu", "ar")]
    );
    let english = telegram_button(502, 777100, "locale:en", now_s - 400);
    assert_eq!(hooks.telegram(&english).await, 200);
    assert_eq!(hooks.telegram(&arabic).await, 200);
    // An older menu's press arriving late (a new update, Telegram retrying) is older than the
    // English choice, too.
    assert_eq!(
        hooks
            .telegram(&telegram_button(503, 777100, "locale:fr", now_s - 450))
            .await,
        200
    );
    assert_eq!(
        placed(&hooks).await,
        [person("telegram:bot", "in-eu", "en")]
    );

    // WhatsApp: START (no language: the first locale), French, then English; French again.
    let start = whatsapp_message("31677777777", "START", "wamid.c0", now_s - 600);
    assert_eq!(hooks.whatsapp(&start, SECRET).await, 200);
    let french = whatsapp_choice("31677777777", "locale:fr", "wamid.c1", now_s - 500);
    assert_eq!(hooks.whatsapp(&french, SECRET).await, 200);
    let english = whatsapp_choice("31677777777", "locale:en", "wamid.c2", now_s - 400);
    assert_eq!(hooks.whatsapp(&english, SECRET).await, 200);
    assert_eq!(hooks.whatsapp(&french, SECRET).await, 200);

    // Viber: subscribed (in-eu), a link into in-eu-returning, then one back into in-eu; the
    // first link's callback again.
    assert_eq!(
        hooks
            .viber(&viber_subscribed(300, "viber-person-9=", now_ms - 600_000))
            .await,
        200
    );
    let returning = viber_started(301, "viber-person-9=", "in-eu-returning", now_ms - 500_000);
    assert_eq!(hooks.viber(&returning).await, 200);
    assert!(
        placed(&hooks)
            .await
            .contains(&person("viber:community", "in-eu-returning", "en"))
    );
    let back = viber_started(302, "viber-person-9=", "in-eu", now_ms - 400_000);
    assert_eq!(hooks.viber(&back).await, 200);
    assert_eq!(hooks.viber(&returning).await, 200);

    let mut everyone = placed(&hooks).await;
    everyone.sort();
    assert_eq!(
        everyone,
        [
            person("telegram:bot", "in-eu", "en"),
            person("viber:community", "in-eu", "en"),
            person("whatsapp:optin", "in-eu", "en"),
        ]
    );
}

#[tokio::test]
async fn a_late_opt_in_does_not_undo_a_newer_choice() {
    let hooks = Hooks::start().await;
    let now_s = START_S;
    // /start (app language fr), then Arabic from the bot's menu; a second /start, made before
    // the press (its update delayed by Telegram), arrives after it. The person is still
    // subscribed, and still in Arabic.
    for update in [
        telegram_text(800, 777400, "/start", now_s - 600),
        telegram_button(801, 777400, "locale:ar", now_s - 500),
        telegram_text(802, 777400, "/start", now_s - 550),
    ] {
        assert_eq!(hooks.telegram(&update).await, 200);
    }
    assert_eq!(
        placed(&hooks).await,
        [person("telegram:bot", "in-eu", "ar")]
    );
    // A /start made after the press does set the language again.
    assert_eq!(
        hooks
            .telegram(&telegram_text(803, 777400, "/start", now_s - 450))
            .await,
        200
    );
    assert_eq!(
        placed(&hooks).await,
        [person("telegram:bot", "in-eu", "fr")]
    );
}

#[tokio::test]
async fn button_presses_stamped_outside_the_partners_retry_window_do_nothing() {
    let hooks = Hooks::start().await;
    let (then_s, then_ms) = (START_S, START_S * 1000);
    assert_eq!(
        hooks
            .telegram(&telegram_text(600, 777200, "/start", then_s - 60))
            .await,
        200
    );
    let start = whatsapp_message("31688888888", "START", "wamid.w0", then_s - 60);
    assert_eq!(hooks.whatsapp(&start, SECRET).await, 200);
    assert_eq!(
        hooks
            .viber(&viber_subscribed(400, "viber-person-10=", then_ms - 60_000))
            .await,
        200
    );
    let mut before = placed(&hooks).await;
    before.sort();
    assert_eq!(
        before,
        [
            person("telegram:bot", "in-eu", "fr"),
            person("viber:community", "in-eu", "en"),
            person("whatsapp:optin", "in-eu", "ar"),
        ]
    );

    // Eight days on, signed presses never seen before, made just after those opt-ins: further
    // back than any partner retries. And one stamped ten minutes ahead.
    hooks.clock.advance(Duration::days(8));
    let (now_s, now_ms) = (then_s + 8 * 86_400, then_ms + 8 * 86_400_000);
    let refused_before = refused_for_time();
    let stale = [
        hooks
            .telegram(&telegram_button(601, 777200, "locale:ar", then_s))
            .await,
        hooks
            .telegram(&telegram_button(602, 777200, "locale:ar", now_s + 600))
            .await,
        hooks
            .whatsapp(
                &whatsapp_choice("31688888888", "locale:fr", "wamid.w1", then_s),
                SECRET,
            )
            .await,
        hooks
            .viber(&viber_started(
                401,
                "viber-person-10=",
                "in-eu-returning",
                then_ms,
            ))
            .await,
    ];
    assert_eq!(stale, [200; 4]);
    let mut after = placed(&hooks).await;
    after.sort();
    assert_eq!(after, before);
    assert!(refused_for_time() >= refused_before + 4);

    // The same presses within the window are applied: only their time was wrong.
    let fresh = [
        hooks
            .telegram(&telegram_button(603, 777200, "locale:ar", now_s - 30))
            .await,
        hooks
            .whatsapp(
                &whatsapp_choice("31688888888", "locale:fr", "wamid.w2", now_s - 30),
                SECRET,
            )
            .await,
        hooks
            .viber(&viber_started(
                402,
                "viber-person-10=",
                "in-eu-returning",
                now_ms - 30_000,
            ))
            .await,
    ];
    assert_eq!(fresh, [200; 3]);
    let mut after = placed(&hooks).await;
    after.sort();
    assert_eq!(
        after,
        [
            person("telegram:bot", "in-eu", "ar"),
            person("viber:community", "in-eu-returning", "en"),
            person("whatsapp:optin", "in-eu", "fr"),
        ]
    );
}

#[tokio::test]
async fn a_button_press_replayed_after_an_opt_out_subscribes_nobody_and_moves_nobody() {
    let hooks = Hooks::start().await;
    let (now_s, now_ms) = (START_S, START_S * 1000);
    // Telegram: /start (fr), Arabic, /stop. The Arabic press again: nobody is subscribed, and
    // nothing of the person is kept but the event ids' digests.
    for update in [
        telegram_text(700, 777300, "/start", now_s - 600),
        telegram_button(701, 777300, "locale:ar", now_s - 500),
        telegram_text(702, 777300, "/stop", now_s - 400),
    ] {
        assert_eq!(hooks.telegram(&update).await, 200);
    }
    let arabic = telegram_button(701, 777300, "locale:ar", now_s - 500);
    assert_eq!(hooks.telegram(&arabic).await, 200);
    // A press never seen before, on the menu from before the opt-out.
    assert_eq!(
        hooks
            .telegram(&telegram_button(703, 777300, "locale:en", now_s - 500))
            .await,
        200
    );
    // Viber: subscribed, a link into in-eu-returning, unsubscribed; the link again.
    for callback in [
        viber_subscribed(500, "viber-person-11=", now_ms - 600_000),
        viber_started(501, "viber-person-11=", "in-eu-returning", now_ms - 500_000),
        viber_unsubscribed(502, "viber-person-11=", now_ms - 400_000),
        viber_started(501, "viber-person-11=", "in-eu-returning", now_ms - 500_000),
    ] {
        assert_eq!(hooks.viber(&callback).await, 200);
    }
    assert!(
        placed(&hooks).await.is_empty(),
        "{:?}",
        placed(&hooks).await
    );
    assert_eq!(hooks.dump().await, "[]");
    assert_eq!(preference_marks(&hooks).await, 0);

    // They come back (/start again, fr; subscribed again, in-eu): the press from their
    // earlier subscription, replayed, does not follow them into the new one.
    assert_eq!(
        hooks
            .telegram(&telegram_text(704, 777300, "/start", now_s - 300))
            .await,
        200
    );
    assert_eq!(
        hooks
            .viber(&viber_subscribed(503, "viber-person-11=", now_ms - 300_000))
            .await,
        200
    );
    assert_eq!(hooks.telegram(&arabic).await, 200);
    let link = viber_started(501, "viber-person-11=", "in-eu-returning", now_ms - 500_000);
    assert_eq!(hooks.viber(&link).await, 200);
    let mut everyone = placed(&hooks).await;
    everyone.sort();
    assert_eq!(
        everyone,
        [
            person("telegram:bot", "in-eu", "fr"),
            person("viber:community", "in-eu", "en"),
        ]
    );
}

/// How many people's latest choices are kept.
async fn preference_marks(hooks: &Hooks) -> i64 {
    let pool = sqlx::SqlitePool::connect(&hooks.url).await.unwrap();
    sqlx::query_scalar("SELECT COUNT(*) FROM preference_marks")
        .fetch_one(&pool)
        .await
        .unwrap()
}
