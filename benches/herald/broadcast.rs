//! What the broadcast benchmarks (WhatsApp, Viber) share: a campaign that broadcasts one alert
//! to one segment in three locales, its sealed subscribers stored in bulk, its one slot
//! scheduled (a broadcast job per locale), and the workers that fan it out and send it until
//! nothing is left.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use herald::campaign::diagnostic::{Diagnostics, SourceFile};
use herald::campaign::parse::parse_campaign;
use herald::campaign::{Campaign, VersionBundle, VersionState};
use herald::clock::Clock;
use herald::config::Config;
use herald::dispatch::{DispatchSettings, Dispatcher};
use herald::schedule::planned_jobs;
use herald::store::{SqliteStore, Store};
use herald::subscribers::SubscriberVault;

/// The locales of the segment; subscribers are spread evenly over them.
pub const LOCALES: [&str; 3] = ["ar", "fr", "en"];

/// Workers sending the broadcast, each with its account's `max_in_flight` requests at once.
pub const WORKERS: usize = 2;

/// Subscribers reached: 100,000 unless `HERALD_BENCH_SUBSCRIBERS` says otherwise.
pub fn subscribers_from_env() -> usize {
    std::env::var("HERALD_BENCH_SUBSCRIBERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000)
}

/// The vault that seals the subscribers' identifiers (a fixed benchmark key).
pub fn vault() -> Arc<SubscriberVault> {
    Arc::new(SubscriberVault::from_hex(&"42".repeat(32)).expect("key"))
}

/// The rendered text the broadcast sends, in one locale.
pub fn alert_text(locale: &str) -> String {
    format!("Free, confidential advice on safe and legal options ({locale}).")
}

/// The campaign: segment `a` in [`LOCALES`], one alert sent every minute on `channel`.
pub fn campaign_text(purpose: &str, channel: &str) -> String {
    let today = Utc::now().date_naive();
    format!(
        r#"id = "bench"
title = "Benchmark"
authority = "Ministry of Examples"
purpose = "{purpose}"
legal_basis = "public task"
starts = {}
ends = {}
default_locale = "en"

[[segments]]
id = "a"
kind = "in_eu"
countries = ["NL"]
locales = ["ar", "fr", "en"]
timezone = "Europe/Amsterdam"

[[messages]]
id = "alert"
link = "https://example.org/info"

[[sends]]
id = "now"
message = "alert"
segments = ["a"]
channels = ["{channel}"]
cron = "* * * * *"
"#,
        today - chrono::Duration::days(1),
        today + chrono::Duration::days(1)
    )
}

/// The service configuration and the parsed campaign, or a panic naming every problem.
pub fn parse(config: &str, campaign_text: &str) -> (Config, Campaign) {
    let mut diags = Diagnostics::default();
    let config = Config::parse(
        &SourceFile::new("herald.toml", config.to_string()),
        &mut diags,
    );
    let campaign = parse_campaign(
        SourceFile::new("bench.toml", campaign_text.to_string()),
        Some("bench"),
        &config,
        "herald.toml",
        &mut diags,
    )
    .unwrap_or_else(|| panic!("{:?}", diags.into_sorted()));
    (config, campaign)
}

/// Stores `count` subscribers of `channel` in segment `a`, sealed, in one transaction of
/// multi-row inserts; subscriber `n` is `identifier(n)` to the partner.
pub async fn seed_subscribers(
    pool: &sqlx::SqlitePool,
    vault: &SubscriberVault,
    channel: &str,
    count: usize,
    identifier: fn(usize) -> String,
) {
    let started = Instant::now();
    let mut tx = pool.begin().await.expect("transaction");
    // 500 rows a statement, the numbers made as they go (a list of all of them would count
    // against the peak memory measured afterwards).
    for first in (0..count).step_by(500) {
        let mut builder = sqlx::QueryBuilder::new(
            "INSERT INTO subscribers (channel, lookup, sealed, locale, segment_id, subscribed_at) ",
        );
        builder.push_values(first..count.min(first + 500), |mut row, n| {
            let identifier = identifier(n);
            row.push_bind(channel.to_string())
                .push_bind(vault.lookup(channel, &identifier))
                .push_bind(vault.seal(channel, &identifier).expect("seal"))
                .push_bind(LOCALES[n % LOCALES.len()])
                .push_bind("a")
                // Opted in now: long-silent subscribers fall to the retention rule.
                .push_bind(Utc::now().timestamp_millis());
        });
        builder
            .build()
            .execute(&mut *tx)
            .await
            .expect("subscribers");
    }
    tx.commit().await.expect("commit");
    eprintln!(
        "  ({count} subscribers sealed and stored in {:.1} s)",
        started.elapsed().as_secs_f64()
    );
}

/// The campaign's version with the alert in every locale (and a title, which WhatsApp's
/// template carries), approved and scheduled, and one slot planned: a broadcast job per locale.
pub async fn schedule_one_slot(
    store: &SqliteStore,
    campaign: &Campaign,
    campaign_text: String,
    channel: &str,
) {
    let bundle = VersionBundle {
        format: 1,
        campaign_id: "bench".into(),
        campaign: campaign_text,
        translations: LOCALES
            .iter()
            .map(|l| {
                let ftl = format!(
                    "alert = {}\n    .title = Know your options\n",
                    alert_text(l)
                );
                (l.to_string(), ftl)
            })
            .collect(),
        layouts: Default::default(),
        channels: vec![channel.to_string()],
    };
    let version = store
        .save_version(&bundle, Utc::now())
        .await
        .expect("version")
        .hash;
    for state in [
        VersionState::Submitted,
        VersionState::Approved,
        VersionState::Scheduled,
    ] {
        store
            .transition(&version, state, Utc::now(), "bench")
            .await
            .expect("transition");
    }
    let now = Utc::now();
    let jobs = planned_jobs(campaign, &version, now - chrono::Duration::seconds(61), now);
    let jobs: Vec<_> = jobs.into_iter().take(LOCALES.len()).collect();
    store.insert_jobs(&jobs).await.expect("jobs");
}

/// Sends the scheduled broadcast with [`WORKERS`] workers against the emulator until five
/// idle ticks in a row: deliveries sent and the seconds they took (the idle ticks' pauses
/// left out).
pub async fn send_with_workers(
    store: &SqliteStore,
    clock: &Arc<dyn Clock>,
    config: &Arc<Config>,
    vault: &Arc<SubscriberVault>,
    emulator_url: &str,
) -> (usize, f64) {
    let workers: Vec<Dispatcher<SqliteStore>> = (0..WORKERS)
        .map(|n| {
            Dispatcher::new(
                store.clone(),
                Arc::clone(clock),
                Arc::clone(config),
                DispatchSettings {
                    worker_id: format!("bench-{n}"),
                    batch_size: 1_024,
                    chunk: 256,
                    sandbox_url: Some(emulator_url.to_string()),
                    ..DispatchSettings::default()
                },
            )
            .expect("dispatcher")
            .with_vault(Some(Arc::clone(vault)))
        })
        .collect();
    const IDLE_PAUSE: Duration = Duration::from_millis(20);
    const IDLE_TICKS: u32 = 5;
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for worker in workers {
        tasks.spawn(async move {
            let mut idle = 0;
            let mut sent = 0;
            while idle < IDLE_TICKS {
                let report = worker.tick().await.expect("tick");
                sent += report.sent;
                if report.leased == 0 {
                    idle += 1;
                    tokio::time::sleep(IDLE_PAUSE).await;
                } else {
                    idle = 0;
                }
            }
            sent
        });
    }
    let mut sent = 0;
    while let Some(done) = tasks.join_next().await {
        sent += done.expect("worker");
    }
    let seconds =
        started.elapsed().as_secs_f64() - f64::from(IDLE_TICKS) * IDLE_PAUSE.as_secs_f64();
    (sent, seconds)
}
