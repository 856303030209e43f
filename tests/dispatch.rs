//! The dispatch engine end to end on the simulated clock, against the built-in sandbox: exact
//! deliveries at local times, retries through injected faults within the partners' limits,
//! recovery from a worker that stopped mid-batch, the kill switch, and several workers on one
//! database without a job sent twice.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Timelike, Utc};
use common::Project;
use herald::campaign::{ContentHash, Target, VersionBundle, VersionState, load_project};
use herald::clock::{Clock, SimulatedClock};
use herald::config::Config;
use herald::dispatch::{DispatchSettings, Dispatcher};
use herald::sandbox::{Received, Sandbox, SandboxConfig, SandboxLimits};
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
    let project = Project::valid();
    std::fs::remove_file(project.path("campaigns/demo.toml")).unwrap();
    project.write("herald.toml", config);
    project.write("campaigns/rehearsal.toml", &campaign(sends));
    for (locale, a, b) in [
        ("en", "Free advice on your options.", "You have options."),
        (
            "fr",
            "Des conseils gratuits sur vos options.",
            "Vous avez des options.",
        ),
        ("ar", "مشورة مجانية حول خياراتك.", "لديك خيارات."),
    ] {
        project.write(
            &format!("locales/{locale}/rehearsal.ftl"),
            &format!("intro--a = {a}\nintro--b = {b}\n"),
        );
    }
    project
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
    limits: SandboxLimits,
    settings: DispatchSettings,
) -> Rig<S> {
    let project = project(sends, config);
    let (mut loaded, diags) = load_project(
        &Target::Folder(project.path("")),
        Some(&project.path("herald.toml")),
    );
    assert!(!diags.has_errors(), "{:?}", diags.into_sorted());
    let bundle = VersionBundle::from_loaded(&loaded, &loaded.campaigns[0]);
    let config: Arc<Config> = Arc::new(loaded.config.clone());
    let campaign = loaded.campaigns.remove(0).campaign;
    let clock = SimulatedClock::starting_at(utc(2027, 2, 28, 0, 0));
    let sandbox = Sandbox::new(
        SandboxConfig {
            limits,
            default_webhook_secret: "sandbox".into(),
            ..SandboxConfig::default()
        },
        Arc::new(clock.clone()),
    );
    let running = sandbox.start(0).await.expect("sandbox");
    let version = store.save_version(&bundle, clock.now()).await.unwrap();
    for state in [
        VersionState::Submitted,
        VersionState::Approved,
        VersionState::Scheduled,
    ] {
        store
            .transition(&version.hash, state, clock.now())
            .await
            .unwrap();
    }
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
        ..DispatchSettings::default()
    }
}

impl<S: Store> Rig<S> {
    /// Drives the simulated clock from now to `until`: plans every simulated hour, dispatches
    /// whenever something is due, and otherwise steps a minute.
    async fn run_until(&self, until: DateTime<Utc>) {
        let mut last_plan: Option<DateTime<Utc>> = None;
        while self.clock.now() < until {
            let now = self.clock.now();
            if last_plan.is_none_or(|at| now - at >= chrono::Duration::hours(1)) {
                self.dispatcher.plan().await.unwrap();
                last_plan = Some(now);
            }
            let report = self.dispatcher.tick().await.unwrap();
            if report.leased == 0 {
                // Jump to the next due job, or to the next hourly planning pass.
                let next_plan = last_plan.unwrap_or(now) + chrono::Duration::hours(1);
                let due = self
                    .store
                    .next_due_ms()
                    .await
                    .unwrap()
                    .and_then(DateTime::from_timestamp_millis);
                let target = due.map_or(next_plan, |due| due.min(next_plan)).min(until);
                self.clock
                    .advance_to(target.max(now + chrono::Duration::seconds(1)));
            }
        }
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
    let rig = rig(
        fresh.store.clone(),
        WEEKLY,
        CONFIG,
        SandboxLimits::default(),
        quick_settings(),
    )
    .await;
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
    // A/B variants alternate across jobs.
    let variants: BTreeSet<String> = jobs.iter().filter_map(|j| j.variant.clone()).collect();
    assert_eq!(variants, BTreeSet::from(["a".to_string(), "b".to_string()]));
    fresh.cleanup().await;
}
