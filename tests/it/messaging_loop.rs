//! The whole messaging loop against the sandbox: people subscribe by writing to the bots, a
//! scheduled send fans out to each of them on WhatsApp, Viber and Telegram, the partners'
//! signed status callbacks come back through the hooks and become counters, a person who
//! writes STOP gets nothing more and their identifier is gone, and a WhatsApp template that
//! is not approved for a language blocks that locale with the reason. A captured subscription
//! replayed after the person left reaches nobody; a real new one does.

use crate::common;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use common::app::{AppOptions, TestApp, spawn_app};
use common::lifecycle::schedule_version;
use common::{Project, config_with_bots};
use herald::app::{Partners, ServiceKeys};
use herald::campaign::VersionBundle;
use herald::clock::{Clock, SimulatedClock};
use herald::dispatch::DispatchSettings;
use herald::platforms::Platform;
use herald::reach::inbound::hmac_sha256_hex;
use herald::sandbox::{PersonAction, PersonEvent, Sandbox, SandboxConfig};
use herald::store::{SqliteStore, Store};
use serde_json::json;

/// The fixture's send goes to Telegram subscribers and Viber as well as WhatsApp.
fn config() -> String {
    config_with_bots(r#""in-eu""#)
}

/// Every credential in a rehearsal.
const KEY: &str = "sandbox";

fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
}

struct Loop {
    store: SqliteStore,
    url: String,
    clock: SimulatedClock,
    sandbox: Sandbox,
    /// Where herald's webhooks listen.
    hooks_base: String,
    _running: herald::sandbox::RunningSandbox,
    _project: Project,
    app: TestApp,
}

impl Loop {
    async fn start() -> Loop {
        let project = Project::valid();
        project.write("herald.toml", &config());
        project.edit(
            "campaigns/demo.toml",
            r#"channels = ["telegram:info", "whatsapp:optin"]"#,
            r#"channels = ["whatsapp:optin", "viber:community", "telegram:bot"]"#,
        );
        let loaded = project.load();
        let clock = SimulatedClock::starting_at(utc(2027, 1, 17, 12, 0));
        let shared_clock: Arc<dyn Clock> = Arc::new(clock.clone());
        let sandbox = Sandbox::new(
            SandboxConfig {
                read_rate: 1.0,
                ..SandboxConfig::default()
            },
            Arc::clone(&shared_clock),
        );
        let running = sandbox.start(0).await.unwrap();
        let mut options = AppOptions::new(&config(), shared_clock);
        options.keys = ServiceKeys::from_hex(&"7e".repeat(32)).unwrap();
        options.partners = Partners::Emulator {
            url: running.base_url(),
            credential: herald::platforms::Secret::new(herald::platforms::REHEARSAL_CREDENTIAL),
        };
        options.dispatch = Some(DispatchSettings {
            worker_id: "worker".into(),
            sequential: true,
            retention: chrono::Duration::days(365),
            ..DispatchSettings::default()
        });
        let app = spawn_app(options).await;
        let store = app.fresh.store.clone();
        let url = app.fresh.url.clone();
        let hooks_base = app.base.clone();

        let bundle = VersionBundle::from_loaded(&loaded, &loaded.campaigns[0]);
        schedule_version(&store, &bundle, clock.now()).await;
        Loop {
            store,
            url,
            clock,
            sandbox,
            hooks_base,
            _running: running,
            _project: project,
            app,
        }
    }

    async fn person(&self, platform: Platform, user: &str, action: PersonAction) {
        let status = self
            .sandbox
            .simulate_person(PersonEvent {
                platform,
                key: KEY.into(),
                user: user.into(),
                action,
            })
            .await
            .unwrap();
        assert_eq!(status, 200, "{platform} {user}");
    }

    /// Posts a Viber callback straight to herald's hook, with `signature` as its
    /// `X-Viber-Content-Signature` (the sandbox never hears of it).
    async fn viber_callback(&self, body: &str, signature: &str) -> u16 {
        reqwest::Client::new()
            .post(format!("{}/hooks/viber/community", self.hooks_base))
            .header("content-type", "application/json")
            .header("x-viber-content-signature", signature)
            .body(body.to_string())
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    }

    /// Plans and dispatches until nothing is due before `until`, then waits for every status
    /// callback to arrive and be counted.
    async fn run_until(&self, until: DateTime<Utc>) {
        self.app.running.dispatcher().plan().await.unwrap();
        while self.clock.now() < until {
            let report = self.app.running.dispatcher().tick().await.unwrap();
            if report.leased == 0 {
                let due = self
                    .store
                    .next_due_ms()
                    .await
                    .unwrap()
                    .and_then(DateTime::from_timestamp_millis);
                let next_plan = self.clock.now() + chrono::Duration::hours(6);
                let target = due.map_or(next_plan, |due| due.min(next_plan)).min(until);
                self.clock
                    .advance_to(target.max(self.clock.now() + chrono::Duration::seconds(1)));
                self.app.running.dispatcher().plan().await.unwrap();
            }
        }
        self.sandbox.flush_callbacks().await;
        // The last callbacks' group commit.
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    /// (channel, locale, status) → count.
    async fn counters(&self) -> BTreeMap<(String, String, String), i64> {
        let mut out = BTreeMap::new();
        for c in self.store.delivery_counts("demo").await.unwrap() {
            *out.entry((c.channel, c.locale, c.status)).or_default() += c.count;
        }
        out
    }

    /// Messages the sandbox accepted for one recipient.
    fn received_by(&self, recipient: &str) -> usize {
        self.sandbox
            .delivered()
            .iter()
            .filter(|r| r.recipient == recipient)
            .count()
    }
}

fn count(counters: &BTreeMap<(String, String, String), i64>, channel: &str, status: &str) -> i64 {
    counters
        .iter()
        .filter(|((c, _, s), _)| c == channel && s == status)
        .map(|(_, n)| n)
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscribers_get_each_send_once_and_stop_means_stop() {
    let lab = Loop::start().await;
    // Five people start the WhatsApp number, in Arabic or French; three the Viber bot; two the
    // Telegram bot.
    for (n, locale) in ["ar", "ar", "ar", "fr", "fr"].iter().enumerate() {
        lab.person(
            Platform::WhatsApp,
            &format!("3161000000{n}"),
            PersonAction::Subscribe {
                language: None,
                payload: Some(locale.to_string()),
            },
        )
        .await;
    }
    for (n, language) in ["ar", "en", "fr"].iter().enumerate() {
        lab.person(
            Platform::Viber,
            &format!("viber-user-{n}="),
            PersonAction::Subscribe {
                language: Some(language.to_string()),
                payload: None,
            },
        )
        .await;
    }
    for (n, language) in ["fr", "en"].iter().enumerate() {
        lab.person(
            Platform::Telegram,
            &format!("70000{n}"),
            PersonAction::Subscribe {
                language: Some(language.to_string()),
                payload: None,
            },
        )
        .await;
    }
    let stats = lab.store.subscriber_counts().await.unwrap();
    assert_eq!(stats.iter().map(|c| c.count).sum::<i64>(), 10);

    // Monday 18 January, 10:00 in Amsterdam.
    lab.run_until(utc(2027, 1, 18, 12, 0)).await;
    let counters = lab.counters().await;
    assert_eq!(count(&counters, "whatsapp:optin", "sent"), 5);
    assert_eq!(count(&counters, "whatsapp:optin", "delivered"), 5);
    assert_eq!(count(&counters, "whatsapp:optin", "read"), 5);
    assert_eq!(count(&counters, "viber:community", "sent"), 3);
    assert_eq!(count(&counters, "viber:community", "delivered"), 3);
    assert_eq!(count(&counters, "telegram:bot", "sent"), 2);
    // The Viber people got one broadcast per locale, the WhatsApp people a template each.
    for n in 0..5 {
        assert_eq!(lab.received_by(&format!("3161000000{n}")), 1);
    }
    assert_eq!(lab.received_by("700001"), 1);
    let whatsapp = lab
        .sandbox
        .delivered()
        .into_iter()
        .find(|r| r.recipient == "31610000003")
        .unwrap();
    assert_eq!(
        whatsapp.body["template"]["language"]["code"], "fr",
        "{:?}",
        whatsapp.body
    );
    assert_eq!(whatsapp.body["template"]["name"], "intro_update");

    // One WhatsApp subscriber writes STOP; one Telegram subscriber blocks the bot; French is
    // no longer approved for the template.
    lab.person(Platform::WhatsApp, "31610000000", PersonAction::Unsubscribe)
        .await;
    lab.person(Platform::Telegram, "700000", PersonAction::Block)
        .await;
    lab.sandbox.set_whatsapp_templates(BTreeMap::from([(
        "intro_update:fr".to_string(),
        "PENDING".to_string(),
    )]));
    lab.run_until(utc(2027, 1, 25, 12, 0)).await;
    assert_eq!(lab.received_by("31610000000"), 1, "nothing after STOP");
    assert_eq!(lab.received_by("700000"), 1, "nothing after blocking");
    assert_eq!(lab.received_by("31610000001"), 2);
    assert_eq!(
        lab.received_by("31610000003"),
        1,
        "French is blocked on WhatsApp"
    );
    let dead = lab.store.dead_letters(100).await.unwrap();
    assert!(
        dead.iter()
            .any(|d| d.code.as_deref() == Some("template_not_approved")
                && d.locale == "fr"
                && d.text.as_deref().unwrap_or("").contains("PENDING")),
        "{dead:?}"
    );
    let counters = lab.counters().await;
    assert_eq!(count(&counters, "whatsapp:optin", "sent"), 5 + 2);
    assert_eq!(count(&counters, "telegram:bot", "sent"), 2 + 1);
    // The people who left are gone from the database, identifiers and all.
    let rows: Vec<(String, String, String)> =
        sqlx::query_as("SELECT channel, lookup, sealed FROM subscribers")
            .fetch_all(&sqlx::SqlitePool::connect(&lab.url).await.unwrap())
            .await
            .unwrap();
    let per_channel = |channel: &str| rows.iter().filter(|(c, _, _)| c == channel).count();
    assert_eq!(
        (
            per_channel("whatsapp:optin"),
            per_channel("telegram:bot"),
            per_channel("viber:community")
        ),
        (4, 1, 3)
    );
    let dump = format!("{rows:?}");
    for identifier in ["3161000000", "70000", "viber-user"] {
        assert!(
            !dump.contains(identifier),
            "{identifier} stored in the clear"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replayed_subscription_reaches_nobody_and_a_new_one_does() {
    let lab = Loop::start().await;
    // Someone else subscribes through the sandbox, so that the send really happens.
    lab.person(
        Platform::Viber,
        "viber-control=",
        PersonAction::Subscribe {
            language: Some("en".into()),
            payload: None,
        },
    )
    .await;
    // The person subscribes and, a minute later, unsubscribes; their Viber app stays
    // reachable (the sandbox is not told), so only herald can keep messages from them.
    let user = "viber-replayed=";
    let subscribed = json!({"event": "subscribed", "timestamp": lab.clock.now().timestamp_millis(),
        "chat_hostname": "SN-CHAT-01_", "message_token": 5_000_000_001u64,
        "user": {"id": user, "name": "Person", "language": "en", "country": "NL", "api_version": 1}})
    .to_string();
    let captured = hmac_sha256_hex(KEY, subscribed.as_bytes());
    assert_eq!(lab.viber_callback(&subscribed, &captured).await, 200);
    lab.clock.advance(chrono::Duration::minutes(1));
    let unsubscribed =
        json!({"event": "unsubscribed", "timestamp": lab.clock.now().timestamp_millis(),
        "chat_hostname": "SN-CHAT-01_", "message_token": 5_000_000_002u64, "user_id": user})
        .to_string();
    let signature = hmac_sha256_hex(KEY, unsubscribed.as_bytes());
    assert_eq!(lab.viber_callback(&unsubscribed, &signature).await, 200);
    // The captured subscription is replayed, byte for byte.
    lab.clock.advance(chrono::Duration::minutes(10));
    assert_eq!(lab.viber_callback(&subscribed, &captured).await, 200);

    lab.run_until(utc(2027, 1, 18, 12, 0)).await;
    assert_eq!(lab.received_by("viber-control="), 1, "the send happened");
    assert_eq!(lab.received_by(user), 0, "the replay subscribed nobody");

    // A week before the next send the person really subscribes again: they get it.
    let again = json!({"event": "subscribed", "timestamp": lab.clock.now().timestamp_millis(),
        "chat_hostname": "SN-CHAT-01_", "message_token": 5_000_000_003u64,
        "user": {"id": user, "name": "Person", "language": "en", "country": "NL", "api_version": 1}})
    .to_string();
    let signature = hmac_sha256_hex(KEY, again.as_bytes());
    assert_eq!(lab.viber_callback(&again, &signature).await, 200);
    lab.run_until(utc(2027, 1, 25, 12, 0)).await;
    assert_eq!(lab.received_by("viber-control="), 2);
    assert_eq!(lab.received_by(user), 1, "the new subscription is honoured");
    // The worker's retention sweep has pruned what was kept to recognise these events: Viber's
    // window for late events is two hours, and they are days old.
    let pool = sqlx::SqlitePool::connect(&lab.url).await.unwrap();
    for table in ["consent_event_ids", "consent_marks"] {
        let left: i64 =
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
                .fetch_one(&pool)
                .await
                .unwrap();
        assert_eq!(left, 0, "{table}");
    }
}
