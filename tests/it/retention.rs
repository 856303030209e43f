//! Retention of personal data: every row about one person goes when its rule says, through
//! the upkeep every worker runs (`Dispatcher::plan`), on both stores; `herald retention
//! --dry-run` counts what the sweep then erases, and erases nothing itself.
//!
//! The attacks: a subscriber whose campaign still runs is kept by the reach rule but not past
//! the contact rule; a person who writes again is kept; a person with a message on its way is
//! never erased; a paused campaign still counts as reaching its audience; and after every
//! window has passed, no row naming or pointing at a person remains.

use crate::common;

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use common::Project;
use common::lifecycle::schedule_version;
use herald::campaign::{ContentHash, VersionBundle, VersionState};
use herald::clock::{Clock, SimulatedClock};
use herald::config::Config;
use herald::dispatch::{DispatchSettings, Dispatcher, Sweep, sweep_personal_data};
use herald::loaded_version::VersionCache;
use herald::store::{ErasedRows, NewSubscriber, SqlStore, Store};

/// Short windows, so the test walks through all of them: staff 10 days, unreachable 20,
/// without contact 40; finished rows 7.
fn config_text() -> String {
    format!(
        "retention_days = 7\n{}\n[retention]\nstaff_days = 10\nunreachable_subscriber_days = 20\ninactive_subscriber_days = 40\n",
        common::CONFIG
    )
}

fn utc(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 12, 0, 0).unwrap()
}

/// The campaign `demo` sends to segment `in-eu` on `whatsapp:optin`; nothing sends on
/// `viber:community`.
const REACHED: &str = "whatsapp:optin";
const UNREACHED: &str = "viber:community";

struct Rig {
    store: SqlStore,
    pool: sqlx::AnyPool,
    clock: SimulatedClock,
    config: Arc<Config>,
    dispatcher: Dispatcher<SqlStore>,
    version: ContentHash,
    _project: Project,
}

impl Rig {
    async fn open(store: SqlStore, url: &str, start: DateTime<Utc>) -> Rig {
        let project = Project::valid();
        project.write("herald.toml", &config_text());
        let loaded = project.load();
        let config = Arc::new(loaded.config.clone());
        let clock = SimulatedClock::starting_at(start);
        let bundle = VersionBundle::from_loaded(&loaded, &loaded.campaigns[0]);
        let version = schedule_version(&store, &bundle, start).await.hash;
        let dispatcher = Dispatcher::new(
            store.clone(),
            Arc::new(clock.clone()),
            Arc::clone(&config),
            DispatchSettings {
                worker_id: "retention".into(),
                sequential: true,
                retention: Duration::days(7),
                ..DispatchSettings::default()
            },
        )
        .expect("dispatcher");
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(url).await.expect("raw connection");
        Rig {
            store,
            pool,
            clock,
            config,
            dispatcher,
            version,
            _project: project,
        }
    }

    async fn subscribe(&self, channel: &str, person: &str) -> i64 {
        self.store
            .save_subscriber(&NewSubscriber {
                channel: channel.into(),
                lookup: format!("lookup-{person}"),
                sealed: format!("sealed-{person}"),
                locale: "en".into(),
                segment: "in-eu".into(),
                at_ms: self.clock.now().timestamp_millis(),
            })
            .await
            .unwrap();
        sqlx::query_scalar("SELECT id FROM subscribers WHERE lookup = $1")
            .bind(format!("lookup-{person}"))
            .fetch_one(&self.pool)
            .await
            .unwrap()
    }

    /// A job to one subscriber in `status`, ended now (or, when queued, due in a year).
    async fn job_to(&self, subscriber: i64, status: &str, key: &str) {
        let now = self.clock.now().timestamp_millis();
        let finished = (status != "queued").then_some(now);
        sqlx::query(
            "INSERT INTO outbox (idempotency_key, version_hash, send_id, segment_id, locale, channel,
                 slot, status, run_at, subscriber_id, finished_at)
             VALUES ($1, $2, 'weekly', 'in-eu', 'en', $3, $4, $5, $6, $7, $8)",
        )
        .bind(key.to_string())
        .bind(self.version.as_str().to_string())
        .bind(REACHED)
        .bind(now / 1000)
        .bind(status.to_string())
        .bind(now + 365 * 86_400_000)
        .bind(subscriber)
        .bind(finished)
        .execute(&self.pool)
        .await
        .unwrap();
    }

    async fn bucket_for(&self, subscriber: i64) {
        sqlx::query(
            "INSERT INTO rate_buckets (bucket, next_free_ms, paused_until_ms) VALUES ($1, $2, 0)",
        )
        .bind(format!("{REACHED}|subscriber:{subscriber}"))
        .bind(self.clock.now().timestamp_millis())
        .execute(&self.pool)
        .await
        .unwrap();
    }

    async fn count(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_string()))
            .fetch_one(&self.pool)
            .await
            .unwrap()
    }

    async fn subscribers(&self) -> Vec<String> {
        sqlx::query_scalar("SELECT lookup FROM subscribers ORDER BY lookup")
            .fetch_all(&self.pool)
            .await
            .unwrap()
    }

    async fn dry_run(&self) -> ErasedRows {
        let cache = VersionCache::default();
        sweep_personal_data(
            &self.store,
            &cache,
            &self.config,
            self.clock.now(),
            Sweep::DryRun,
        )
        .await
        .unwrap()
    }

    /// Moves the clock and runs the worker's upkeep there.
    async fn upkeep_on(&self, day: DateTime<Utc>) {
        self.clock.advance_to(day);
        self.dispatcher.plan().await.expect("upkeep");
    }
}

async fn after_the_windows_no_per_person_row_remains(store: SqlStore, url: &str) {
    let start = utc(2027, 1, 10);
    let rig = Rig::open(store, url, start).await;
    let reached = rig.subscribe(REACHED, "reached").await;
    rig.subscribe(UNREACHED, "unreached").await;
    let waiting = rig.subscribe(REACHED, "waiting").await;
    rig.subscribe(REACHED, "writes-again").await;
    rig.job_to(reached, "dead", "dead-1").await;
    rig.job_to(reached, "unknown", "unknown-1").await;
    rig.job_to(reached, "sent", "sent-1").await;
    rig.job_to(waiting, "queued", "queued-1").await;
    rig.bucket_for(reached).await;

    rig.upkeep_on(start).await;
    assert_eq!(
        rig.dry_run().await,
        ErasedRows::default(),
        "nothing is due yet"
    );
    assert_eq!(rig.subscribers().await.len(), 4);

    // Day 21: past the reach window for the channel no campaign uses, the staff window and the
    // idle bucket; the dry run counts exactly what the upkeep then erases.
    rig.clock.advance_to(start + Duration::days(21));
    let due = rig.dry_run().await;
    assert_eq!(
        due,
        ErasedRows {
            subscribers_unreachable: 1,
            subscribers_inactive: 0,
            person_jobs_ended: 2,
            recipient_rate_buckets: 1,
        }
    );
    assert_eq!(rig.subscribers().await.len(), 4, "a dry run erases nothing");
    rig.upkeep_on(start + Duration::days(21)).await;
    assert_eq!(
        rig.subscribers().await,
        ["lookup-reached", "lookup-waiting", "lookup-writes-again"]
    );
    assert_eq!(
        rig.count(
            "SELECT COUNT(*) FROM outbox WHERE subscriber_id IS NOT NULL AND status <> 'queued'"
        )
        .await,
        0,
        "dead and unknown after the staff window, sent after retention_days"
    );
    assert_eq!(
        rig.count("SELECT COUNT(*) FROM rate_buckets WHERE bucket LIKE '%|%'")
            .await,
        0
    );

    // Day 30 a person writes again; day 41 the campaign still reaches everyone, but the
    // person last sent to on day 0 has had no contact for 40 days.
    rig.clock.advance_to(start + Duration::days(30));
    rig.subscribe(REACHED, "writes-again").await;
    rig.upkeep_on(start + Duration::days(41)).await;
    assert_eq!(
        rig.subscribers().await,
        ["lookup-waiting", "lookup-writes-again"],
        "the queued message keeps its person; the one who wrote is kept"
    );

    // A paused campaign may resume: its audience is still reachable.
    rig.store
        .transition(
            &rig.version,
            VersionState::Paused,
            rig.clock.now(),
            "tester",
        )
        .await
        .unwrap();
    rig.upkeep_on(start + Duration::days(62)).await;
    assert_eq!(rig.subscribers().await.len(), 2, "paused still reaches");

    // Cancelled: nothing reaches them. Once the queued message is cancelled too and every
    // window has passed, nothing about any person is left.
    rig.store
        .transition(
            &rig.version,
            VersionState::Cancelled,
            rig.clock.now(),
            "tester",
        )
        .await
        .unwrap();
    sqlx::query("UPDATE outbox SET status = 'cancelled', finished_at = $1 WHERE status = 'queued'")
        .bind(rig.clock.now().timestamp_millis())
        .execute(&rig.pool)
        .await
        .unwrap();
    rig.upkeep_on(start + Duration::days(62 + 41)).await;
    assert_eq!(rig.subscribers().await, Vec::<String>::new());
    for (table, rows) in [
        ("subscribers", "SELECT COUNT(*) FROM subscribers"),
        (
            "jobs to a person",
            "SELECT COUNT(*) FROM outbox WHERE subscriber_id IS NOT NULL",
        ),
        (
            "per-recipient buckets",
            "SELECT COUNT(*) FROM rate_buckets WHERE bucket LIKE '%|%'",
        ),
        (
            "consent event ids",
            "SELECT COUNT(*) FROM consent_event_ids",
        ),
        ("consent marks", "SELECT COUNT(*) FROM consent_marks"),
        ("choice marks", "SELECT COUNT(*) FROM preference_marks"),
        (
            "callback receipts",
            "SELECT COUNT(*) FROM callback_receipts",
        ),
        (
            "pending callbacks",
            "SELECT COUNT(*) FROM pending_callbacks",
        ),
    ] {
        assert_eq!(rig.count(rows).await, 0, "{table} left");
    }
    rig.pool.close().await;
}

on_both_stores!(after_the_windows_no_per_person_row_remains);

/// The command counts, then erases, what the rules select, and says so rule by rule.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn herald_retention_dry_run_counts_and_the_command_erases() {
    let project = Project::valid();
    project.write("herald.toml", &config_text());
    let database = format!("sqlite://{}", project.path("herald.db").display());
    assert_eq!(
        project
            .herald(&["migrate", "--database-url", &database])
            .code,
        0
    );
    let store = SqlStore::connect(&database).await.unwrap();
    for person in ["one", "two"] {
        store
            .save_subscriber(&NewSubscriber {
                channel: UNREACHED.into(),
                lookup: format!("lookup-{person}"),
                sealed: format!("sealed-{person}"),
                locale: "en".into(),
                segment: "in-eu".into(),
                at_ms: 0,
            })
            .await
            .unwrap();
    }
    let dry = project.herald(&["retention", "--dry-run", "--database-url", &database]);
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    assert!(
        dry.stdout.contains(
            "would erase        2  subscribers no scheduled, running or paused campaign could reach for 20 days"
        ),
        "{}",
        dry.stdout
    );
    assert!(
        dry.stdout.contains("dry run: nothing was erased"),
        "{}",
        dry.stdout
    );
    assert_eq!(store.subscriber_counts().await.unwrap()[0].count, 2);

    let json = project.herald(&[
        "retention",
        "--dry-run",
        "--format",
        "json",
        "--database-url",
        &database,
    ]);
    let counted: serde_json::Value = serde_json::from_str(&json.stdout).expect(&json.stdout);
    assert_eq!(counted["subscribers_unreachable"], 2);

    let erase = project.herald(&["retention", "--database-url", &database]);
    assert_eq!(erase.code, 0, "{}", erase.stderr);
    assert!(
        erase.stdout.contains("2 rows erased; counters stay"),
        "{}",
        erase.stdout
    );
    assert!(store.subscriber_counts().await.unwrap().is_empty());
}
