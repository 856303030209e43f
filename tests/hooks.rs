//! The webhook routes partners call, served for real on port 0: signatures checked over the
//! raw body (valid accepted; tampered body, wrong key, missing header refused with nothing
//! stored), Meta's handshake, opt-in and opt-out for Telegram, WhatsApp and Viber, and status
//! callbacks counted once however often they are replayed.

mod common;

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use common::{CONFIG, Project};
use herald::campaign::{Target, VersionBundle, VersionState, load_project};
use herald::clock::{Clock, SimulatedClock};
use herald::reach::inbound::hmac_sha256_hex;
use herald::reach::{CallbackIngestor, HookState, hook_accounts, hooks_router};
use herald::schedule::planned_jobs;
use herald::store::{JobOutcome, SqliteStore, Store};
use herald::subscribers::SubscriberVault;
use serde_json::json;

/// The fixture's accounts plus a Telegram bot and a Viber bot that people subscribe to.
const HOOK_ACCOUNTS: &str = r#"
[[accounts]]
name = "bot"
platform = "telegram"
base_url = "http://127.0.0.1:8090"
credentials = { token = "HERALD_TG_BOT_TOKEN", webhook_secret = "HERALD_TG_BOT_HOOK_SECRET" }
audience = "subscribers"
segments = ["in-eu"]
locales = ["ar", "fr", "en"]

[[accounts]]
name = "community"
platform = "viber"
base_url = "http://127.0.0.1:8090"
credentials = { token = "HERALD_VIBER_TOKEN" }
segments = ["in-eu"]
locales = ["ar", "fr", "en"]
"#;

/// Every credential is the rehearsal placeholder: what the sandbox signs with.
const SECRET: &str = "sandbox";

struct Hooks {
    base: String,
    store: SqliteStore,
    url: String,
    client: reqwest::Client,
    _project: Project,
    _dir: tempfile::TempDir,
}

impl Hooks {
    async fn start() -> Hooks {
        let project = Project::valid();
        project.write("herald.toml", &format!("{CONFIG}{HOOK_ACCOUNTS}"));
        let (loaded, diags) = load_project(
            &Target::Folder(project.path("")),
            Some(&project.path("herald.toml")),
        );
        assert!(!diags.has_errors(), "{:?}", diags.into_sorted());
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("herald.db").display());
        let store = SqliteStore::connect(&url).await.unwrap();
        store.migrate().await.unwrap();
        // A sent WhatsApp message (wamid.HBg1) for status callbacks to report on.
        let bundle = VersionBundle::from_loaded(&loaded, &loaded.campaigns[0]);
        let at = Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap();
        let version = store.save_version(&bundle, at).await.unwrap();
        for state in [
            VersionState::Submitted,
            VersionState::Approved,
            VersionState::Scheduled,
        ] {
            store
                .transition(&version.hash, state, at, "tester")
                .await
                .unwrap();
        }
        let monday = Utc.with_ymd_and_hms(2027, 1, 18, 0, 0, 0).unwrap();
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
            .lease_due_jobs("w", now_ms, now_ms + 60_000, 100)
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

        let clock: Arc<dyn Clock> = Arc::new(SimulatedClock::starting_at(monday));
        let accounts = hook_accounts(
            &loaded.config,
            Some(&herald::platforms::Secret::new(
                herald::platforms::REHEARSAL_CREDENTIAL,
            )),
            &Default::default(),
        );
        let router = hooks_router(HookState {
            store: herald::store::AnyStore::Sqlite(store.clone()),
            clock: Arc::clone(&clock),
            vault: Some(Arc::new(
                SubscriberVault::from_hex(&"5a".repeat(32)).unwrap(),
            )),
            ingestor: CallbackIngestor::start(store.clone(), clock),
            accounts: Arc::new(accounts),
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, router).await });
        Hooks {
            base,
            store,
            url,
            client: reqwest::Client::new(),
            _project: project,
            _dir: dir,
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

fn whatsapp_message(from: &str, text: &str) -> String {
    json!({
        "object": "whatsapp_business_account",
        "entry": [{"id": "1", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "3120000000", "phone_number_id": SECRET},
            "contacts": [{"profile": {"name": "Person"}, "wa_id": from}],
            "messages": [{"from": from, "id": "wamid.in1", "timestamp": "1800000000", "type": "text", "text": {"body": text}}]
        }}]}]
    })
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

#[tokio::test]
async fn whatsapp_signatures_are_checked_over_the_raw_body() {
    let hooks = Hooks::start().await;
    let start = whatsapp_message("31611111111", "START");
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
            .whatsapp(&whatsapp_message("31611111111", "START"), SECRET)
            .await,
        200
    );
    // Telegram: /start from a French-speaking person; the secret token header is required.
    let start = json!({"update_id": 1, "message": {"message_id": 1, "date": 1800000000,
        "from": {"id": 777001, "is_bot": false, "first_name": "P", "language_code": "fr"},
        "chat": {"id": 777001, "type": "private"}, "text": "/start"}})
    .to_string();
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
    let subscribed = json!({"event": "subscribed", "timestamp": 1800000000000u64,
        "user": {"id": "01234567890A=", "name": "Person", "language": "en", "country": "NL", "api_version": 1},
        "message_token": 4912661846655238145u64})
    .to_string();
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
            .whatsapp(&whatsapp_message("31611111111", "STOP"), SECRET)
            .await,
        200
    );
    let blocked = json!({"update_id": 2, "my_chat_member": {"chat": {"id": 777001, "type": "private"},
        "from": {"id": 777001, "is_bot": false, "first_name": "P"}, "date": 1800000100,
        "old_chat_member": {"user": {"id": 1, "is_bot": true, "first_name": "bot"}, "status": "member"},
        "new_chat_member": {"user": {"id": 1, "is_bot": true, "first_name": "bot"}, "status": "kicked", "until_date": 0}}})
    .to_string();
    assert_eq!(
        hooks
            .post("/hooks/telegram/bot", &telegram_secret, &blocked)
            .await
            .0,
        200
    );
    let unsubscribed = json!({"event": "unsubscribed", "timestamp": 1800000200000u64,
        "user_id": "01234567890A=", "message_token": 4912661846655238146u64})
    .to_string();
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
