//! The dispatch engine end to end on the simulated clock, against the built-in sandbox: exact
//! deliveries at local times, retries through injected faults within the partners' limits,
//! recovery from a worker that stopped mid-batch, the kill switch, and several workers on one
//! database without a job sent twice.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Timelike, Utc};
use common::Project;
use common::lifecycle::schedule_version;
use common::simulated_dispatch::run_until;
use herald::campaign::{ContentHash, VersionBundle, VersionState};
use herald::clock::{Clock, SimulatedClock};
use herald::config::Config;
use herald::dispatch::{DispatchSettings, Dispatcher};
use herald::project::{Target, load_project};
use herald::sandbox::{FaultConfig, Received, Sandbox, SandboxConfig, SandboxLimits};
use herald::schedule::planned_jobs;
use herald::store::{JobRecord, Store};

const CONFIG: &str = r#"public_url = "https://herald.example.org"

[[accounts]]
name = "info"
platform = "telegram"
base_url = "https://api.telegram.org"
credentials = { token = "HERALD_TEST_TG_TOKEN" }
chats = { ar = "@demo_ar", fr = "@demo_fr", "*" = "@demo_en" }
rate = { per_second = 30, per_recipient_per_minute = 20 }

[[accounts]]
name = "sms"
platform = "webhook"
base_url = "https://sms.example.org/herald"
credentials = { secret = "HERALD_TEST_SMS_SECRET" }
"#;

fn campaign(sends: &str) -> String {
    format!(
        r#"id = "rehearsal"
title = "Rehearsal"
authority = "Ministry of Examples"
purpose = "Exercise dispatch"
legal_basis = "public task"
starts = 2027-03-01
ends = 2027-03-14
default_locale = "en"

[[segments]]
id = "in-eu"
kind = "in_eu"
countries = ["NL"]
locales = ["ar", "fr", "en"]
timezone = "Europe/Amsterdam"

[[segments]]
id = "diaspora"
kind = "diaspora"
countries = ["US"]
locales = ["ar", "fr", "en"]
timezone = "America/New_York"

[[messages]]
id = "intro"
variants = ["a", "b"]
link = "https://example.org/return"
{sends}"#
    )
}

const WEEKLY: &str = r#"
[[sends]]
id = "weekly"
message = "intro"
segments = ["in-eu", "diaspora"]
channels = ["telegram:info", "webhook:sms"]
cron = "0 10 * * MON,THU"
"#;

/// A project with the rehearsal campaign and its three translations.
fn project(sends: &str, config: &str) -> Project {
    Project::with_campaign(
        config,
        "rehearsal",
        &campaign(sends),
        [
            (
                "en",
                "intro--a = Free advice on your options.\nintro--b = You have options.\n",
            ),
            (
                "fr",
                "intro--a = Des conseils gratuits sur vos options.\nintro--b = Vous avez des options.\n",
            ),
            (
                "ar",
                "intro--a = مشورة مجانية حول خياراتك.\nintro--b = لديك خيارات.\n",
            ),
        ],
    )
}

fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
}

struct Rig<S: Store> {
    store: S,
    clock: SimulatedClock,
    sandbox: Sandbox,
    dispatcher: Dispatcher<S>,
    version: ContentHash,
    campaign: herald::campaign::Campaign,
    _running: herald::sandbox::RunningSandbox,
    _project: Project,
}

/// A scheduled version of the campaign, a sandbox on the simulated clock, and a dispatcher
/// rehearsing against it.
async fn rig<S: Store>(
    store: S,
    sends: &str,
    config: &str,
    sandbox: SandboxConfig,
    settings: DispatchSettings,
) -> Rig<S> {
    let project = project(sends, config);
    let mut loaded = project.load();
    let bundle = VersionBundle::from_loaded(&loaded, &loaded.campaigns[0]);
    let config: Arc<Config> = Arc::new(loaded.config.clone());
    let campaign = loaded.campaigns.remove(0).campaign;
    let clock = SimulatedClock::starting_at(utc(2027, 2, 28, 0, 0));
    let sandbox = Sandbox::new(sandbox, Arc::new(clock.clone()));
    let running = sandbox.start(0).await.expect("sandbox");
    let version = schedule_version(&store, &bundle, clock.now()).await;
    let settings = DispatchSettings {
        sandbox_url: Some(running.base_url()),
        sequential: true,
        ..settings
    };
    let dispatcher = Dispatcher::new(store.clone(), Arc::new(clock.clone()), config, settings)
        .expect("dispatcher");
    Rig {
        store,
        clock,
        sandbox,
        dispatcher,
        version: version.hash,
        campaign,
        _running: running,
        _project: project,
    }
}

fn quick_settings() -> DispatchSettings {
    DispatchSettings {
        worker_id: "worker-a".into(),
        retry_base: Duration::from_secs(5),
        retry_max: Duration::from_secs(300),
        // Keep every job row so tests can inspect them; retention has its own test.
        retention: chrono::Duration::days(365),
        ..DispatchSettings::default()
    }
}

/// The weekly campaign on the default configuration, sandbox and quick retries.
async fn weekly_rig<S: Store>(store: S) -> Rig<S> {
    rig(
        store,
        WEEKLY,
        CONFIG,
        SandboxConfig::default(),
        quick_settings(),
    )
    .await
}

impl<S: Store> Rig<S> {
    /// The partner answers every call with a 5xx, so retries pile up.
    fn partner_fails_every_call(&self) {
        self.sandbox.set_faults(FaultConfig {
            rate_5xx: 1.0,
            ..FaultConfig::default()
        });
    }

    /// Drives the simulated clock from now to `until`, as a worker would.
    async fn run_until(&self, until: DateTime<Utc>) {
        run_until(&self.dispatcher, &self.store, &self.clock, until).await;
    }

    async fn jobs(&self) -> Vec<JobRecord> {
        self.store.jobs_for_version(&self.version).await.unwrap()
    }
}

/// The expected (recipient, slot) of every job: Telegram chats by locale, webhook "".
fn expected_deliveries(
    campaign: &herald::campaign::Campaign,
    version: &ContentHash,
) -> BTreeMap<String, Vec<(String, DateTime<Utc>)>> {
    let mut out: BTreeMap<String, Vec<(String, DateTime<Utc>)>> = BTreeMap::new();
    for job in planned_jobs(
        campaign,
        version,
        utc(2027, 1, 1, 0, 0),
        utc(2027, 12, 31, 0, 0),
    ) {
        let recipient = if job.channel.starts_with("telegram") {
            match job.locale.as_str() {
                "ar" => "@demo_ar",
                "fr" => "@demo_fr",
                _ => "@demo_en",
            }
        } else {
            ""
        };
        let platform = job.channel.split(':').next().unwrap().to_string();
        out.entry(platform)
            .or_default()
            .push((recipient.to_string(), job.slot));
    }
    for list in out.values_mut() {
        list.sort();
    }
    out
}

fn delivered_by_platform(received: &[Received]) -> BTreeMap<String, Vec<&Received>> {
    let mut out: BTreeMap<String, Vec<&Received>> = BTreeMap::new();
    for r in received.iter().filter(|r| r.delivered && !r.duplicate) {
        out.entry(r.platform.clone()).or_default().push(r);
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_weeks_arrive_exactly_at_local_times() {
    let fresh = common::stores::sqlite().await;
    let rig = weekly_rig(fresh.store.clone()).await;
    rig.run_until(utc(2027, 3, 16, 0, 0)).await;

    // 4 slots (Mon 1, Thu 4, Mon 8, Thu 11 March) × 2 segments × 3 locales × 2 channels.
    let jobs = rig.jobs().await;
    assert_eq!(jobs.len(), 48);
    assert!(
        jobs.iter().all(|j| j.status == "sent"),
        "{:?}",
        jobs.iter().map(|j| &j.status).collect::<Vec<_>>()
    );

    let expected = expected_deliveries(&rig.campaign, &rig.version);
    let received = rig.sandbox.received();
    let delivered = delivered_by_platform(&received);
    for platform in ["telegram", "webhook"] {
        let got = &delivered[platform];
        assert_eq!(got.len(), 24, "{platform}");
        // Each arrived within a minute of its slot, and the slot is 10:00 local time.
        let mut arrivals: Vec<(String, DateTime<Utc>)> = got
            .iter()
            .map(|r| {
                (
                    r.recipient.clone(),
                    r.at.with_second(0).unwrap().with_nanosecond(0).unwrap(),
                )
            })
            .collect();
        arrivals.sort();
        assert_eq!(arrivals, expected[platform], "{platform}");
    }
    // Amsterdam 10:00 is 09:00 UTC in March; New York 10:00 is 15:00 UTC (EST until 14 March).
    let hours: BTreeSet<u32> = delivered["webhook"].iter().map(|r| r.at.hour()).collect();
    assert_eq!(hours, BTreeSet::from([9, 15]));
    // The webhook envelope names the job, and Arabic is right to left.
    let arabic = delivered["webhook"]
        .iter()
        .find(|r| r.body["locale"] == "ar")
        .unwrap();
    assert_eq!(arabic.body["direction"], "rtl");
    assert!(arabic.text.starts_with('\u{200F}'), "{:?}", arabic.text);
    assert!(arabic.text.contains("https://herald.example.org/r/"));
    // Reports read counters, never rows about people: one `sent` per job, by dimension.
    let counts = rig.store.delivery_counts("rehearsal").await.unwrap();
    assert!(counts.iter().all(|c| c.status == "sent"));
    assert_eq!(counts.iter().map(|c| c.count).sum::<i64>(), 48);
    let arabic_telegram: i64 = counts
        .iter()
        .filter(|c| c.locale == "ar" && c.channel == "telegram:info")
        .map(|c| c.count)
        .sum();
    assert_eq!(arabic_telegram, 8);
    // A/B variants alternate across jobs.
    let variants: BTreeSet<String> = jobs.iter().filter_map(|j| j.variant.clone()).collect();
    assert_eq!(variants, BTreeSet::from(["a".to_string(), "b".to_string()]));
    fresh.cleanup().await;
}

const BUSY_CONFIG: &str = r#"public_url = "https://herald.example.org"

[[accounts]]
name = "info"
platform = "telegram"
base_url = "https://api.telegram.org"
credentials = { token = "HERALD_TEST_TG_TOKEN" }
chats = { ar = "@demo_ar", fr = "@demo_fr", "*" = "@demo_en" }
rate = { per_second = 2, per_recipient_per_minute = 2 }

[[accounts]]
name = "sms"
platform = "webhook"
base_url = "https://sms.example.org/herald"
credentials = { secret = "HERALD_TEST_SMS_SECRET" }
rate = { per_second = 5 }
"#;

fn four_sends() -> String {
    (1..=4)
        .map(|i| {
            format!(
                "\n[[sends]]\nid = \"s{i}\"\nmessage = \"intro\"\nsegments = [\"in-eu\", \"diaspora\"]\nchannels = [\"telegram:info\", \"webhook:sms\"]\ncron = \"0 10 * * MON,THU\"\n"
            )
        })
        .collect()
}

/// The most requests in any window of `window_ms`, per key.
fn busiest_window<'a>(
    requests: impl Iterator<Item = (&'a str, DateTime<Utc>)>,
    window_ms: i64,
) -> usize {
    let mut by_key: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
    for (key, at) in requests {
        by_key.entry(key).or_default().push(at.timestamp_millis());
    }
    let mut most = 0;
    for times in by_key.values_mut() {
        times.sort();
        for (i, start) in times.iter().enumerate() {
            let in_window = times[i..]
                .iter()
                .take_while(|t| **t < start + window_ms)
                .count();
            most = most.max(in_window);
        }
    }
    most
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_are_retried_within_the_partners_limits() {
    let fresh = common::stores::sqlite().await;
    let limits = SandboxLimits {
        telegram_per_second: Some(2),
        telegram_per_chat_per_minute: Some(2),
        telegram_private_chat_per_second: None,
        webhook_per_second: Some(5),
        ..SandboxLimits::off()
    };
    let rig = rig(
        fresh.store.clone(),
        &four_sends(),
        BUSY_CONFIG,
        SandboxConfig {
            limits,
            ..SandboxConfig::default()
        },
        quick_settings(),
    )
    .await;
    rig.sandbox.set_faults(FaultConfig {
        rate_429: 0.15,
        rate_5xx: 0.15,
        seed: 7,
        ..FaultConfig::default()
    });
    rig.run_until(utc(2027, 3, 16, 0, 0)).await;

    // 4 sends × 4 slots × 2 segments × 3 locales × 2 channels.
    let jobs = rig.jobs().await;
    assert_eq!(jobs.len(), 192);
    let statuses: BTreeSet<&str> = jobs.iter().map(|j| j.status.as_str()).collect();
    assert_eq!(
        statuses,
        BTreeSet::from(["sent"]),
        "everything delivered in the end"
    );
    assert!(
        jobs.iter().any(|j| j.attempts > 1),
        "some jobs needed retries"
    );

    let received = rig.sandbox.received();
    let faults = received
        .iter()
        .filter(|r| r.status == 429 || r.status >= 500)
        .count();
    assert!(faults >= 30, "faults were injected: {faults}");
    // Nothing duplicated: one new delivery per job, on each platform.
    let delivered = delivered_by_platform(&received);
    assert_eq!(delivered["telegram"].len(), 96);
    assert_eq!(delivered["webhook"].len(), 96);
    let keys: BTreeSet<&str> = delivered["webhook"]
        .iter()
        .filter_map(|r| r.idempotency_key.as_deref())
        .collect();
    assert_eq!(keys.len(), 96);
    // Every request, failed or not, stayed within the limits in every sliding window.
    let telegram = || received.iter().filter(|r| r.platform == "telegram");
    assert!(busiest_window(telegram().map(|r| (r.account.as_str(), r.at)), 1_000) <= 2);
    assert!(busiest_window(telegram().map(|r| (r.recipient.as_str(), r.at)), 60_000) <= 2);
    let webhook = received.iter().filter(|r| r.platform == "webhook");
    assert!(busiest_window(webhook.map(|r| (r.account.as_str(), r.at)), 1_000) <= 5);
    fresh.cleanup().await;
}

async fn post(url: String, headers: &[(&str, String)], body: String) -> u16 {
    let mut request = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .body(body);
    for (name, value) in headers {
        request = request.header(*name, value.clone());
    }
    request.send().await.unwrap().status().as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_that_stops_mid_batch_is_taken_over_without_blind_resends() {
    let fresh = common::stores::sqlite().await;
    let rig = weekly_rig(fresh.store.clone()).await;
    rig.dispatcher.plan().await.unwrap();
    // Monday 1 March, 10:00 in Amsterdam: six jobs are due (3 locales × 2 channels).
    rig.clock.advance_to(utc(2027, 3, 1, 9, 0));
    let now_ms = rig.clock.now().timestamp_millis();
    let held = rig
        .store
        .lease_due_jobs("crashed", now_ms, now_ms + 60_000, 100, &[])
        .await
        .unwrap();
    assert_eq!(held.len(), 6);
    let key = |locale: &str, platform: &str| {
        held.iter()
            .find(|j| j.locale == locale && j.channel.starts_with(platform))
            .unwrap()
            .clone()
    };
    let (ar_tg, ar_wh, fr_tg, fr_wh) = (
        key("ar", "telegram"),
        key("ar", "webhook"),
        key("fr", "telegram"),
        key("fr", "webhook"),
    );
    // The stopped worker had marked four jobs as being sent and had really sent two of them.
    let marked = rig
        .store
        .mark_sending(
            "crashed",
            &[ar_tg.id, ar_wh.id, fr_tg.id, fr_wh.id],
            now_ms + 60_000,
        )
        .await
        .unwrap();
    assert_eq!(marked.len(), 4);
    let base = rig._running.base_url();
    assert_eq!(
        post(
            format!("{base}/botsandbox/sendMessage"),
            &[],
            r#"{"chat_id":"@demo_ar","text":"sent before the crash"}"#.into()
        )
        .await,
        200
    );
    let body = r#"{"text":"sent before the crash"}"#.to_string();
    let timestamp = rig.clock.now().timestamp();
    let signature = herald::platforms::sign_webhook(
        herald::platforms::REHEARSAL_CREDENTIAL,
        timestamp,
        body.as_bytes(),
    );
    let headers = [
        ("idempotency-key", ar_wh.idempotency_key.clone()),
        ("x-herald-timestamp", timestamp.to_string()),
        ("x-herald-signature", signature),
    ];
    assert_eq!(
        post(format!("{base}/webhook/sms"), &headers, body).await,
        200
    );

    // Its leases run out; a healthy worker carries on to the end of the campaign.
    rig.clock.advance(chrono::Duration::seconds(61));
    rig.run_until(utc(2027, 3, 16, 0, 0)).await;

    let jobs = rig.jobs().await;
    let status = |id: i64| jobs.iter().find(|j| j.id == id).unwrap().status.clone();
    // Telegram cannot deduplicate: both marked jobs are unknown, and neither was sent again.
    assert_eq!(status(ar_tg.id), "unknown");
    assert_eq!(status(fr_tg.id), "unknown");
    // The webhook partner deduplicates by key: both were (re)sent with the same key.
    assert_eq!(status(ar_wh.id), "sent");
    assert_eq!(status(fr_wh.id), "sent");
    assert_eq!(jobs.iter().filter(|j| j.status == "sent").count(), 46);
    let received = rig.sandbox.received();
    let first_slot = |r: &&Received| r.at < utc(2027, 3, 1, 10, 0);
    let telegram_then: Vec<&str> = received
        .iter()
        .filter(first_slot)
        .filter(|r| r.platform == "telegram" && r.delivered)
        .map(|r| r.recipient.as_str())
        .collect();
    assert_eq!(
        telegram_then,
        ["@demo_ar", "@demo_en"],
        "the unknown fr post was not re-sent"
    );
    let ar_wh_deliveries: Vec<&Received> = received
        .iter()
        .filter(|r| r.idempotency_key.as_deref() == Some(ar_wh.idempotency_key.as_str()))
        .collect();
    assert_eq!(ar_wh_deliveries.len(), 2);
    assert!(
        ar_wh_deliveries[1].duplicate,
        "the resend was recognised as a replay"
    );
    fresh.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_kill_switch_stops_everything_including_retries() {
    let fresh = common::stores::sqlite().await;
    let rig = weekly_rig(fresh.store.clone()).await;
    rig.run_until(utc(2027, 3, 5, 0, 0)).await;
    assert_eq!(rig.sandbox.delivered().len(), 24, "two slots went out");
    // Monday 8 March: the partner fails everything, so retries pile up.
    rig.partner_fails_every_call();
    rig.run_until(utc(2027, 3, 8, 9, 1)).await;
    let pending_retries = rig
        .jobs()
        .await
        .iter()
        .filter(|j| j.status == "queued" && j.attempts > 0)
        .count();
    assert!(pending_retries > 0);
    let killed_at = rig.clock.now();
    let cancelled = rig
        .store
        .kill_campaign(
            "rehearsal",
            "head of communications",
            killed_at.timestamp_millis(),
        )
        .await
        .unwrap();
    assert!(cancelled >= pending_retries as u64);
    rig.sandbox.set_faults(FaultConfig::default());
    rig.run_until(utc(2027, 3, 16, 0, 0)).await;

    let received = rig.sandbox.received();
    assert!(
        received.iter().all(|r| r.at <= killed_at),
        "nothing reached a partner after the kill switch"
    );
    let jobs = rig.jobs().await;
    let statuses: BTreeSet<&str> = jobs.iter().map(|j| j.status.as_str()).collect();
    assert_eq!(statuses, BTreeSet::from(["cancelled", "sent"]));
    assert!(
        jobs.iter().all(|j| j.slot < utc(2027, 3, 10, 12, 0)),
        "nothing planned after the kill"
    );
    fresh.cleanup().await;
}

/// A slot that falls due while its version is paused is skipped, not sent late at the resume:
/// its jobs end cancelled with the reason, the audit log says how many, nothing reaches a
/// partner during the pause, and the schedule goes on at the next slot.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slots_that_fall_due_during_a_pause_are_skipped_not_sent_late() {
    let fresh = common::stores::sqlite().await;
    let rig = weekly_rig(fresh.store.clone()).await;
    // Monday 1 March's slot goes out; Thursday 4 March's is planned, then the version pauses.
    rig.run_until(utc(2027, 3, 3, 12, 0)).await;
    assert_eq!(rig.sandbox.delivered().len(), 12, "Monday's slot went out");
    let paused_at = rig.clock.now();
    rig.store
        .transition(&rig.version, VersionState::Paused, paused_at, "ops")
        .await
        .unwrap();
    let day = |job: &JobRecord| job.slot.date_naive().to_string();
    let thursday = "2027-03-04";
    let planned_thursday = rig
        .jobs()
        .await
        .iter()
        .filter(|j| day(j) == thursday)
        .count();
    assert_eq!(
        planned_thursday, 12,
        "Thursday's jobs were planned before the pause"
    );
    rig.run_until(utc(2027, 3, 5, 12, 0)).await;
    let resumed_at = rig.clock.now();
    rig.store
        .transition(&rig.version, VersionState::Running, resumed_at, "ops")
        .await
        .unwrap();
    rig.run_until(utc(2027, 3, 16, 0, 0)).await;

    let received = rig.sandbox.received();
    assert!(
        received
            .iter()
            .all(|r| r.at < paused_at || r.at >= resumed_at),
        "nothing reached a partner during the pause"
    );
    let jobs = rig.jobs().await;
    let skipped: Vec<&JobRecord> = jobs.iter().filter(|j| day(j) == thursday).collect();
    assert_eq!(skipped.len(), 12);
    for job in &skipped {
        assert_eq!(job.status, "cancelled", "{job:?}");
        assert_eq!(
            job.last_error.as_deref(),
            Some(herald::store::SKIPPED_WHILE_PAUSED)
        );
    }
    // Monday 1, Monday 8 and Thursday 11 March: three slots of twelve, none late.
    assert_eq!(rig.sandbox.delivered().len(), 36);
    let sent: BTreeSet<String> = jobs
        .iter()
        .filter(|j| j.status == "sent")
        .map(day)
        .collect();
    assert_eq!(
        sent,
        BTreeSet::from(["2027-03-01", "2027-03-08", "2027-03-11"].map(String::from))
    );
    let (entries, _) = rig.store.audit_log().await.unwrap();
    let resume = entries
        .iter()
        .rev()
        .find(|e| e.action == "version.running")
        .expect("the resume is audited");
    let details: serde_json::Value = serde_json::from_str(&resume.details).unwrap();
    assert_eq!(details["skipped_while_paused"], 12, "{details}");
    fresh.cleanup().await;
}

/// Retries of a slot due before the pause that come due during it are skipped at the resume
/// too: nothing goes out late, whatever kind of job it is.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retries_that_come_due_during_a_pause_are_skipped_too() {
    let fresh = common::stores::sqlite().await;
    let rig = weekly_rig(fresh.store.clone()).await;
    // Monday 1 March at 10:00 local: the partner fails every call, so retries are queued.
    rig.partner_fails_every_call();
    rig.run_until(utc(2027, 3, 1, 9, 2)).await;
    let retrying = rig
        .jobs()
        .await
        .iter()
        .filter(|j| j.status == "queued" && j.attempts > 0)
        .count();
    assert!(retrying > 0, "retries are waiting");
    rig.store
        .transition(&rig.version, VersionState::Paused, rig.clock.now(), "ops")
        .await
        .unwrap();
    rig.sandbox.set_faults(FaultConfig::default());
    rig.run_until(utc(2027, 3, 2, 12, 0)).await;
    let resumed_at = rig.clock.now();
    rig.store
        .transition(&rig.version, VersionState::Running, resumed_at, "ops")
        .await
        .unwrap();
    rig.run_until(utc(2027, 3, 3, 0, 0)).await;
    assert!(rig.sandbox.delivered().is_empty(), "nothing went out late");
    let monday: Vec<JobRecord> = rig
        .jobs()
        .await
        .into_iter()
        .filter(|j| j.slot < utc(2027, 3, 2, 0, 0))
        .collect();
    assert_eq!(monday.len(), 12);
    assert!(
        monday.iter().all(|j| j.status == "cancelled"
            && j.last_error.as_deref() == Some(herald::store::SKIPPED_WHILE_PAUSED)),
        "{monday:#?}"
    );
    fresh.cleanup().await;
}

/// Jobs due now for a campaign that runs today, so real-clock workers can deliver them.
async fn due_now<S: Store>(store: &S, minutes: i64) -> (ContentHash, usize, Project) {
    let today = Utc::now().date_naive();
    let project = project(
        &WEEKLY.replace("0 10 * * MON,THU", "* * * * *"),
        &CONFIG.replace(
            "rate = { per_second = 30, per_recipient_per_minute = 20 }",
            "",
        ),
    );
    let text = project.read("campaigns/rehearsal.toml");
    let text = text
        .replace(
            "starts = 2027-03-01",
            &format!("starts = {}", today - chrono::Duration::days(1)),
        )
        .replace(
            "ends = 2027-03-14",
            &format!("ends = {}", today + chrono::Duration::days(1)),
        );
    project.write("campaigns/rehearsal.toml", &text);
    let loaded = project.load();
    let bundle = VersionBundle::from_loaded(&loaded, &loaded.campaigns[0]);
    let version = schedule_version(store, &bundle, Utc::now()).await;
    let now = Utc::now();
    let jobs = planned_jobs(
        &loaded.campaigns[0].campaign,
        &version.hash,
        now - chrono::Duration::minutes(minutes),
        now,
    );
    store.insert_jobs(&jobs).await.unwrap();
    (version.hash, jobs.len(), project)
}

/// Ticks until three ticks in a row find nothing; returns how many jobs this worker sent.
async fn drain<S: Store>(worker: &Dispatcher<S>) -> usize {
    let mut idle = 0;
    let mut sent = 0;
    while idle < 3 {
        let report = worker.tick().await.unwrap();
        sent += report.sent;
        if report.leased == 0 {
            idle += 1;
            tokio::time::sleep(Duration::from_millis(20)).await;
        } else {
            idle = 0;
        }
    }
    sent
}

/// Four workers on one database, on the real clock, with limits off: every job is sent once.
async fn four_workers_send_no_job_twice<S: Store>(store: S, _url: &str) {
    let (version, count, project) = due_now(&store, 100).await;
    assert_eq!(count, 100 * 2 * 3 * 2);
    let (loaded, _) = load_project(
        &Target::Folder(project.path("")),
        Some(&project.path("herald.toml")),
    );
    let config = Arc::new(loaded.config.clone());
    let sandbox = Sandbox::new(
        SandboxConfig {
            limits: SandboxLimits::off(),
            ..SandboxConfig::default()
        },
        Arc::new(herald::clock::SystemClock),
    );
    let running = sandbox.start(0).await.unwrap();
    let workers: Vec<Dispatcher<S>> = (0..4)
        .map(|i| {
            let settings = DispatchSettings {
                worker_id: format!("worker-{i}"),
                batch_size: 50,
                sandbox_url: Some(running.base_url()),
                ..DispatchSettings::default()
            };
            Dispatcher::new(
                store.clone(),
                Arc::new(herald::clock::SystemClock),
                Arc::clone(&config),
                settings,
            )
            .unwrap()
        })
        .collect();
    let (a, b, c, d) = tokio::join!(
        drain(&workers[0]),
        drain(&workers[1]),
        drain(&workers[2]),
        drain(&workers[3])
    );
    assert_eq!(a + b + c + d, count, "each job sent by exactly one worker");
    assert!(
        [a, b, c, d].iter().filter(|n| **n > 0).count() >= 2,
        "the work was shared: {a} {b} {c} {d}"
    );
    let jobs = store.jobs_for_version(&version).await.unwrap();
    assert!(jobs.iter().all(|j| j.status == "sent"));
    let delivered = sandbox.delivered();
    assert_eq!(delivered.len(), count, "the partners saw each job once");
    let keys: BTreeSet<&str> = delivered
        .iter()
        .filter_map(|r| r.idempotency_key.as_deref())
        .collect();
    assert_eq!(keys.len(), count / 2);
    assert!(sandbox.received().iter().all(|r| !r.duplicate));
    running.shutdown().await;
}

on_both_stores!(four_workers_send_no_job_twice);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn permanent_errors_go_to_the_dead_letters_with_the_partners_words() {
    let fresh = common::stores::sqlite().await;
    let mut sandbox = SandboxConfig::default();
    sandbox.blocked_chats.insert("@demo_fr".into());
    let rig = rig(
        fresh.store.clone(),
        WEEKLY,
        CONFIG,
        sandbox,
        quick_settings(),
    )
    .await;
    rig.run_until(utc(2027, 3, 2, 0, 0)).await;
    let letters = rig.store.dead_letters(100).await.unwrap();
    // Monday 1 March: the French channel, for both segments.
    assert_eq!(letters.len(), 2);
    for letter in &letters {
        assert_eq!(
            (letter.locale.as_str(), letter.channel.as_str()),
            ("fr", "telegram:info")
        );
        assert_eq!(letter.code.as_deref(), Some("403"));
        assert_eq!(
            letter.text.as_deref(),
            Some("Forbidden: bot was blocked by the user")
        );
        assert_eq!(letter.attempts, 1, "a permanent error is not retried");
    }
    let ids: Vec<i64> = letters.iter().map(|l| l.id).collect();
    let retried = rig
        .store
        .retry_dead(Some(&ids), "staff", rig.clock.now().timestamp_millis())
        .await
        .unwrap();
    assert_eq!(retried, 2);
    let jobs = rig.jobs().await;
    assert!(
        jobs.iter()
            .filter(|j| ids.contains(&j.id))
            .all(|j| j.status == "queued" && j.attempts == 0)
    );
    assert!(rig.store.dead_letters(100).await.unwrap().is_empty());
    let (log, _) = rig.store.audit_log().await.unwrap();
    let last = log.last().unwrap();
    assert_eq!(
        (last.actor.as_str(), last.action.as_str()),
        ("staff", "deadletters.retried")
    );
    fresh.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn finished_jobs_expire_after_the_retention_window_and_counters_remain() {
    let fresh = common::stores::sqlite().await;
    let settings = DispatchSettings {
        retention: chrono::Duration::days(7),
        ..quick_settings()
    };
    let rig = rig(
        fresh.store.clone(),
        WEEKLY,
        CONFIG,
        SandboxConfig::default(),
        settings,
    )
    .await;
    rig.run_until(utc(2027, 3, 16, 0, 0)).await;
    // At the last planning pass (late on 15 March) jobs finished before 8 March, late, are
    // gone: the slots of 1, 4 and 8 March. Thursday 11 March remains.
    let jobs = rig.jobs().await;
    assert_eq!(jobs.len(), 12);
    assert!(jobs.iter().all(|j| j.slot >= utc(2027, 3, 11, 0, 0)));
    let sent: i64 = rig
        .store
        .delivery_counts("rehearsal")
        .await
        .unwrap()
        .iter()
        .map(|c| c.count)
        .sum();
    assert_eq!(sent, 48, "the counters keep every send");
    assert_eq!(rig.sandbox.delivered().len(), 48);
    fresh.cleanup().await;
}
