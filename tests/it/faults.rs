//! Fault tests: what herald promises when things around it fail.
//!
//! - A partner unreachable for an hour of simulated time: its jobs wait without using
//!   attempts, nothing goes to the dead letters, and every message arrives once after it comes
//!   back.
//! - The database's connections dropped mid-batch and refused for longer than a lease, then
//!   every session ended by the server (what a PostgreSQL restart does to its clients): the
//!   workers keep running, record what they sent once it answers again, and every message is
//!   sent and counted exactly once.
//! - `herald worker` processes killed with SIGKILL at random points, many times: no job is
//!   lost, and every message a partner may have received twice is accounted for (re-sent with
//!   its idempotency key, which the partner recognises, or marked "outcome unknown").
//!
//! Each test prints its figures. The PostgreSQL test runs when `HERALD_TEST_POSTGRES_URL`
//! names a server (CI sets it) and is skipped otherwise.

use crate::common;

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use common::Project;
use common::lifecycle::schedule_version;
use common::relay::Relay;
use common::simulated_dispatch::run_until;
use common::workers::spawn_worker;
use herald::campaign::{Campaign, ContentHash, VersionBundle};
use herald::clock::{Clock, SimulatedClock, SystemClock};
use herald::config::Config;
use herald::dispatch::{DispatchSettings, Dispatcher};
use herald::sandbox::{Sandbox, SandboxConfig, SandboxLimits};
use herald::schedule::planned_jobs;
use herald::store::{JobRecord, Store};

const CONFIG: &str = r#"public_url = "https://herald.example.org"

[[accounts]]
name = "info"
platform = "telegram"
base_url = "https://api.telegram.org"
credentials = { token = "HERALD_TEST_TG_TOKEN" }
chats = { ar = "@faults_ar", fr = "@faults_fr", "*" = "@faults_en" }
rate = { per_second = 100 }

[[accounts]]
name = "sms"
platform = "webhook"
base_url = "https://sms.example.org/herald"
credentials = { secret = "HERALD_TEST_SMS_SECRET" }
rate = { per_second = 100 }
"#;

/// A campaign of one segment in three locales, sent on `cron` to a Telegram channel and a
/// webhook partner between `starts` and `ends`.
fn campaign(starts: &str, ends: &str, cron: &str, channels: &str) -> String {
    format!(
        r#"id = "faults"
title = "Faults"
authority = "Ministry of Examples"
purpose = "Exercise faults"
legal_basis = "public task"
starts = {starts}
ends = {ends}
default_locale = "en"

[[segments]]
id = "in-eu"
kind = "in_eu"
countries = ["NL"]
locales = ["ar", "fr", "en"]
timezone = "Europe/Amsterdam"

[[messages]]
id = "intro"

[[sends]]
id = "often"
message = "intro"
segments = ["in-eu"]
channels = [{channels}]
cron = "{cron}"
"#
    )
}

/// The project on disk, its campaign and configuration, and the version saved and scheduled.
struct Scheduled {
    project: Project,
    campaign: Campaign,
    config: Arc<Config>,
    version: ContentHash,
}

async fn schedule<S: Store>(
    store: &S,
    campaign_text: &str,
    config_text: &str,
    at: DateTime<Utc>,
) -> Scheduled {
    let project = Project::with_campaign(
        config_text,
        "faults",
        campaign_text,
        [
            ("en", "intro = Free advice on your options.\n"),
            ("fr", "intro = Des conseils gratuits sur vos options.\n"),
            ("ar", "intro = مشورة مجانية حول خياراتك.\n"),
        ],
    );
    let mut loaded = project.load();
    let bundle = VersionBundle::from_loaded(&loaded, &loaded.campaigns[0]);
    let config = Arc::new(loaded.config.clone());
    let campaign = loaded.campaigns.remove(0).campaign;
    let version = schedule_version(store, &bundle, at).await.hash;
    Scheduled {
        project,
        campaign,
        config,
        version,
    }
}

fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
}

fn socket_of(base_url: &str) -> SocketAddr {
    base_url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .parse()
        .expect("a sandbox address")
}

/// How many jobs are in each status.
fn by_status(jobs: &[JobRecord]) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for job in jobs {
        *counts.entry(job.status.clone()).or_default() += 1;
    }
    counts
}

/// The delivery counters' total for one status.
async fn counted<S: Store>(store: &S, status: &str) -> i64 {
    store
        .delivery_counts("faults")
        .await
        .unwrap()
        .iter()
        .filter(|c| c.status == status)
        .map(|c| c.count)
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partner_unreachable_for_an_hour_delays_messages_but_loses_none() {
    let fresh = common::stores::sqlite().await;
    let store = fresh.store.clone();
    let clock = SimulatedClock::starting_at(utc(2027, 2, 28, 23, 0));
    let sandbox = Sandbox::new(
        SandboxConfig {
            limits: SandboxLimits::off(),
            ..SandboxConfig::default()
        },
        Arc::new(clock.clone()),
    );
    let running = sandbox.start(0).await.unwrap();
    // The partners are reached through a relay that the test cuts: the port refuses
    // connections, as when a partner's API is down or its network unreachable.
    let relay = Relay::start(socket_of(&running.base_url())).await;
    let scheduled = schedule(
        &store,
        &campaign(
            "2027-03-01",
            "2027-03-01",
            "*/10 * * * *",
            r#""telegram:info", "webhook:sms""#,
        ),
        CONFIG,
        clock.now(),
    )
    .await;
    let settings = DispatchSettings {
        worker_id: "worker-a".into(),
        sandbox_url: Some(relay.url()),
        sequential: true,
        retry_base: Duration::from_secs(5),
        retention: chrono::Duration::days(365),
        ..DispatchSettings::default()
    };
    let dispatcher = Dispatcher::new(
        store.clone(),
        Arc::new(clock.clone()),
        Arc::clone(&scheduled.config),
        settings,
    )
    .unwrap();

    let outage_from = utc(2027, 3, 1, 8, 5);
    let outage_until = outage_from + chrono::Duration::hours(1);
    run_until(&dispatcher, &store, &clock, outage_from).await;
    let before = sandbox.counts().new_deliveries;
    relay.cut();
    // Let the HTTP client notice its pooled connections closed, as it would in the minutes a
    // real outage lasts.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let probes_before = relay.accepted();
    let deferred = run_until(&dispatcher, &store, &clock, outage_until).await;
    assert_eq!(
        sandbox.counts().new_deliveries,
        before,
        "nothing reached the partner while it was down"
    );
    assert_eq!(relay.accepted(), probes_before, "no connection got through");
    relay.restore().await;
    run_until(&dispatcher, &store, &clock, utc(2027, 3, 2, 0, 0)).await;

    let jobs = store.jobs_for_version(&scheduled.version).await.unwrap();
    let expected = planned_jobs(
        &scheduled.campaign,
        &scheduled.version,
        utc(2027, 2, 28, 0, 0),
        utc(2027, 3, 3, 0, 0),
    );
    assert_eq!(jobs.len(), expected.len());
    let statuses = by_status(&jobs);
    assert_eq!(
        statuses.get("sent"),
        Some(&expected.len()),
        "every job sent: {statuses:?}"
    );
    // The outage used no attempts: each job was sent at its first real attempt.
    assert!(
        jobs.iter().all(|j| j.attempts == 1),
        "attempts: {:?}",
        jobs.iter().map(|j| j.attempts).max()
    );
    // Each message arrived once; those due during the outage arrived soon after it ended.
    let delivered = sandbox.delivered();
    assert_eq!(delivered.len(), expected.len(), "one message per job");
    let webhook_keys: HashSet<&str> = delivered
        .iter()
        .filter_map(|r| r.idempotency_key.as_deref())
        .collect();
    assert_eq!(webhook_keys.len(), expected.len() / 2);
    let mut telegram: BTreeMap<&str, usize> = BTreeMap::new();
    for r in delivered.iter().filter(|r| r.platform == "telegram") {
        *telegram.entry(r.recipient.as_str()).or_default() += 1;
    }
    assert_eq!(telegram.values().sum::<usize>(), expected.len() / 2);
    let delayed: Vec<&JobRecord> = jobs
        .iter()
        .filter(|j| j.slot >= outage_from && j.slot < outage_until)
        .collect();
    assert_eq!(
        delayed.len(),
        36,
        "six slots of six jobs fell in the outage"
    );
    let latest = delivered
        .iter()
        .filter(|r| r.at >= outage_until)
        .map(|r| r.at)
        .take(delayed.len())
        .max()
        .unwrap();
    let catch_up = latest - outage_until;
    assert!(
        catch_up <= chrono::Duration::minutes(6),
        "the waiting jobs went within a probe interval (5 min) of the partner's return: {catch_up}"
    );
    assert_eq!(counted(&store, "sent").await, expected.len() as i64);
    eprintln!(
        "partner outage: {} jobs, {} due during a 60-minute outage; {deferred} waits without an attempt; lost 0, dead 0, duplicates 0; all caught up {} s after the partner returned",
        jobs.len(),
        delayed.len(),
        catch_up.num_seconds()
    );
    drop(relay);
    running.shutdown().await;
}

/// Inserts `count` jobs due now or earlier (slots in the past), for a campaign that has ended,
/// so that no planner adds more while the test counts.
async fn insert_due_jobs<S: Store>(store: &S, scheduled: &Scheduled, count: usize) {
    let mut inserted = 0;
    let mut until = Utc::now() - chrono::Duration::minutes(1);
    while inserted < count {
        let from = until - chrono::Duration::hours(6);
        let mut batch = planned_jobs(&scheduled.campaign, &scheduled.version, from, until);
        batch.truncate(count - inserted);
        inserted += store.insert_jobs(&batch).await.unwrap() as usize;
        until = from;
        assert!(
            Utc::now() - until < chrono::Duration::days(30),
            "the campaign has {inserted} slots, fewer than {count}"
        );
    }
}

/// The campaign window for jobs inserted by hand: it ended yesterday.
fn past_campaign(cron: &str, channels: &str) -> String {
    let today = Utc::now().date_naive();
    campaign(
        &(today - chrono::Duration::days(30)).to_string(),
        &(today - chrono::Duration::days(1)).to_string(),
        cron,
        channels,
    )
}

/// The number in a Prometheus exposition line `name value`.
fn metric(name: &str) -> u64 {
    herald::metrics::METRICS
        .render()
        .lines()
        .find_map(|line| line.strip_prefix(&format!("{name} ")))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_restart_mid_batch_loses_and_repeats_nothing() {
    const JOBS: usize = 3_000;
    let Some(fresh) = common::stores::postgres().await else {
        eprintln!("HERALD_TEST_POSTGRES_URL is not set: database restart test skipped");
        return;
    };
    let sandbox = Sandbox::new(
        SandboxConfig {
            limits: SandboxLimits {
                webhook_per_second: Some(1_000),
                ..SandboxLimits::off()
            },
            ..SandboxConfig::default()
        },
        Arc::new(SystemClock),
    );
    let running = sandbox.start(0).await.unwrap();
    let scheduled = schedule(
        &fresh.store,
        &past_campaign("* * * * *", r#""webhook:sms""#),
        &CONFIG.replace("per_second = 100 }", "per_second = 1000 }"),
        Utc::now(),
    )
    .await;
    insert_due_jobs(&fresh.store, &scheduled, JOBS).await;

    // Two workers reach PostgreSQL through a relay the test cuts, for longer than a lease.
    let (host, rest) = fresh
        .url
        .split_once("127.0.0.1:5432")
        .expect("HERALD_TEST_POSTGRES_URL names 127.0.0.1:5432");
    let relay = Relay::start("127.0.0.1:5432".parse().unwrap()).await;
    let relayed = format!("{host}127.0.0.1:{}{rest}", relay.port());
    let lease = Duration::from_secs(3);
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let mut workers = Vec::new();
    for name in ["worker-a", "worker-b"] {
        let store = herald::store::PostgresStore::connect(&relayed)
            .await
            .unwrap();
        let dispatcher = Dispatcher::new(
            store,
            Arc::new(SystemClock),
            Arc::clone(&scheduled.config),
            DispatchSettings {
                worker_id: name.into(),
                sandbox_url: Some(running.base_url()),
                batch_size: 100,
                chunk: 20,
                lease,
                pacing_window: Duration::from_secs(1),
                retention: chrono::Duration::days(365),
                ..DispatchSettings::default()
            },
        )
        .unwrap();
        let stopped = stopped.clone();
        workers.push(tokio::spawn(async move { dispatcher.run(stopped).await }));
    }
    let started = Instant::now();
    while (sandbox.counts().new_deliveries as usize) < JOBS / 3 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the workers did not get going"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let failures_before = metric("herald_store_failures_total");
    let connections_before = relay.accepted();
    relay.cut();
    let in_hand = by_status(
        &fresh
            .store
            .jobs_for_version(&scheduled.version)
            .await
            .unwrap(),
    );
    let in_hand = in_hand.get("leased").unwrap_or(&0) + in_hand.get("sending").unwrap_or(&0);
    let down = lease * 2;
    tokio::time::sleep(down).await;
    let delivered_while_down = sandbox.counts().new_deliveries;
    relay.restore().await;
    // Then the server itself ends every session of the database, as a restart does
    // ("terminating connection due to administrator command").
    while (sandbox.counts().new_deliveries as usize) < JOBS * 2 / 3 {
        assert!(
            started.elapsed() < Duration::from_secs(90),
            "the workers did not resume after the cut"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let admin = sqlx::PgPool::connect(&fresh.url).await.unwrap();
    let terminated: Vec<(bool,)> = sqlx::query_as(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )
    .fetch_all(&admin)
    .await
    .unwrap();
    admin.close().await;
    let terminated = terminated.iter().filter(|(done,)| *done).count();
    assert!(terminated > 0, "the workers' sessions were ended");

    let store = &fresh.store;
    loop {
        let jobs = store.jobs_for_version(&scheduled.version).await.unwrap();
        let statuses = by_status(&jobs);
        if statuses.get("sent") == Some(&JOBS) {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "not all jobs sent: {statuses:?}; workers finished: {:?}",
            workers.iter().map(|w| w.is_finished()).collect::<Vec<_>>()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        workers.iter().all(|w| !w.is_finished()),
        "the workers kept running through the outage"
    );
    stop.send(true).unwrap();
    for worker in workers {
        worker
            .await
            .unwrap()
            .expect("a worker stops cleanly when asked");
    }
    let failures = metric("herald_store_failures_total") - failures_before;
    assert!(in_hand > 0, "the cut came with jobs in hand");
    assert!(
        relay.accepted() > connections_before,
        "the workers connected again after the cut"
    );

    // Every job sent once: each key delivered once, repeats recognised by their key.
    let received = sandbox.received();
    let delivered: Vec<&str> = received
        .iter()
        .filter(|r| r.delivered && !r.duplicate)
        .filter_map(|r| r.idempotency_key.as_deref())
        .collect();
    let unique: HashSet<&str> = delivered.iter().copied().collect();
    assert_eq!(delivered.len(), JOBS, "one delivery per job");
    assert_eq!(unique.len(), JOBS);
    let resent = received.iter().filter(|r| r.duplicate).count();
    // Counted exactly once, whichever worker recorded each job.
    assert_eq!(counted(store, "sent").await, JOBS as i64);
    eprintln!(
        "database restart: {JOBS} jobs, 2 workers; connections dropped and refused for {} s after {} deliveries, with {in_hand} jobs in hand ({} reached the partner meanwhile), then {terminated} sessions ended by the server; {failures} failed database passes retried; lost 0; {resent} re-sent with their key and recognised by the partner; counted once each",
        down.as_secs(),
        JOBS / 3,
        delivered_while_down as usize - JOBS / 3
    );
    drop(relay);
    running.shutdown().await;
    fresh.cleanup().await;
}

/// A splitmix64 sequence for the kill schedule, seeded so a failure can be replayed.
struct Dice(u64);

impl Dice {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) % n
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workers_killed_at_random_points_lose_nothing_and_account_for_every_repeat() {
    const JOBS: usize = 2_400;
    const KILLS: usize = 24;
    let seed: u64 = std::env::var("HERALD_FAULT_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_271_129);
    let fresh = common::stores::sqlite().await;
    let store = fresh.store.clone();
    let sandbox = Sandbox::new(
        SandboxConfig {
            limits: SandboxLimits::off(),
            ..SandboxConfig::default()
        },
        Arc::new(SystemClock),
    );
    let running = sandbox.start(0).await.unwrap();
    let scheduled = schedule(
        &store,
        &past_campaign("* * * * *", r#""telegram:info", "webhook:sms""#),
        CONFIG,
        Utc::now(),
    )
    .await;
    insert_due_jobs(&store, &scheduled, JOBS).await;
    let config = scheduled.project.path("herald.toml");

    let pool = sqlx::SqlitePool::connect(&fresh.url).await.unwrap();
    let mut dice = Dice(seed);
    let started = Instant::now();
    let mut workers: Vec<Child> = (0..2)
        .map(|_| spawn_worker(&fresh.url, &config, &running.base_url(), 5, Stdio::null()))
        .collect();
    let mut kills = 0;
    let mut killed_mid_send = 0;
    while kills < KILLS {
        tokio::time::sleep(Duration::from_millis(100 + dice.below(600))).await;
        let victim = dice.below(workers.len() as u64) as usize;
        let mut worker = workers.swap_remove(victim);
        let pid = worker.id();
        assert!(
            worker.try_wait().unwrap().is_none(),
            "a worker was running until it was killed"
        );
        worker.kill().expect("SIGKILL");
        let _ = worker.wait();
        kills += 1;
        let sending: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM outbox WHERE status = 'sending' AND lease_owner LIKE ?",
        )
        .bind(format!("worker-{pid}-%"))
        .fetch_one(&pool)
        .await
        .unwrap();
        if sending > 0 {
            killed_mid_send += 1;
        }
        workers.push(spawn_worker(
            &fresh.url,
            &config,
            &running.base_url(),
            5,
            Stdio::null(),
        ));
    }
    // The survivors finish, taking over the killed workers' jobs as their leases run out.
    let statuses = loop {
        let jobs = store.jobs_for_version(&scheduled.version).await.unwrap();
        let statuses = by_status(&jobs);
        let finished = statuses.get("sent").unwrap_or(&0) + statuses.get("unknown").unwrap_or(&0);
        if finished == JOBS {
            break statuses;
        }
        assert!(
            started.elapsed() < Duration::from_secs(180),
            "jobs not finished: {statuses:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let elapsed = started.elapsed();
    for worker in workers {
        let _ = Command::new("kill")
            .args(["-TERM", &worker.id().to_string()])
            .status();
        let output = worker.wait_with_output().unwrap();
        assert!(output.status.success(), "{:?}", output.status);
    }

    // Lost: none. Every job ended sent or "outcome unknown"; none queued, dead or in flight.
    let jobs = store.jobs_for_version(&scheduled.version).await.unwrap();
    assert_eq!(jobs.len(), JOBS);
    let unknown: Vec<&JobRecord> = jobs.iter().filter(|j| j.status == "unknown").collect();
    assert!(
        unknown.iter().all(|j| j.channel == "telegram:info"),
        "only a partner without idempotency keys leaves outcomes unknown"
    );
    let received = sandbox.received();
    // The webhook partner: each job delivered once; every repeat carried a key it knew.
    let webhook_jobs = jobs.iter().filter(|j| j.channel == "webhook:sms").count();
    let keys: Vec<&str> = received
        .iter()
        .filter(|r| r.platform == "webhook" && r.delivered && !r.duplicate)
        .filter_map(|r| r.idempotency_key.as_deref())
        .collect();
    assert_eq!(keys.len(), webhook_jobs, "one webhook delivery per job");
    assert_eq!(keys.iter().collect::<HashSet<_>>().len(), webhook_jobs);
    let resent = received
        .iter()
        .filter(|r| r.platform == "webhook" && r.duplicate)
        .count();
    // Telegram: per channel, every sent job's post arrived, and any post beyond those is one
    // of the jobs marked unknown (herald never re-sends those blindly).
    let mut posts: BTreeMap<String, usize> = BTreeMap::new();
    for r in received
        .iter()
        .filter(|r| r.platform == "telegram" && r.delivered)
    {
        *posts.entry(r.recipient.clone()).or_default() += 1;
    }
    let chat = |locale: &str| match locale {
        "ar" => "@faults_ar",
        "fr" => "@faults_fr",
        _ => "@faults_en",
    };
    let mut unknown_that_arrived = 0;
    for locale in ["ar", "fr", "en"] {
        let of = |status: &str| {
            jobs.iter()
                .filter(|j| j.channel == "telegram:info" && j.locale == locale)
                .filter(|j| j.status == status)
                .count()
        };
        let arrived = posts.get(chat(locale)).copied().unwrap_or(0);
        assert!(
            arrived >= of("sent") && arrived <= of("sent") + of("unknown"),
            "{locale}: {arrived} posts for {} sent and {} unknown jobs",
            of("sent"),
            of("unknown")
        );
        unknown_that_arrived += arrived - of("sent");
    }
    // Staff see each unknown job, one by one, with why (and the dead letters stay empty).
    let listed = Command::new(env!("CARGO_BIN_EXE_herald"))
        .args(["deadletter", "list", "--unknown", "--format", "json"])
        .args(["--limit", "100000", "--database-url", &fresh.url])
        .output()
        .unwrap();
    assert!(listed.status.success(), "{listed:?}");
    let listed: Vec<serde_json::Value> = serde_json::from_slice(&listed.stdout).unwrap();
    let listed_ids: BTreeSet<i64> = listed.iter().filter_map(|j| j["id"].as_i64()).collect();
    let unknown_ids: BTreeSet<i64> = unknown.iter().map(|j| j.id).collect();
    assert_eq!(listed_ids, unknown_ids, "the unknown jobs, as listed");
    assert!(
        listed
            .iter()
            .all(|j| j["code"] == "outcome_unknown" && j["text"].as_str().is_some()),
        "{listed:?}"
    );
    assert!(store.dead_letters(10).await.unwrap().is_empty());
    // Counted: exactly the jobs recorded as sent, never a repeat.
    assert_eq!(
        counted(&store, "sent").await,
        *statuses.get("sent").unwrap_or(&0) as i64
    );
    assert!(
        killed_mid_send > 0,
        "some kills landed with messages in flight"
    );
    eprintln!(
        "worker kills: {JOBS} jobs; {kills} SIGKILLs at random points (seed {seed}), {killed_mid_send} with messages in flight; {:.1} s; lost 0; webhook: {resent} re-sent with their key and recognised; telegram: {} outcome unknown ({unknown_that_arrived} of them did arrive), never re-sent",
        elapsed.as_secs_f64(),
        unknown.len()
    );
    running.shutdown().await;
}
