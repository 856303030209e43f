//! The soak run (issue #10): a three-month campaign on the simulated clock, 3 segments × 6
//! locales (three of them right-to-left), subscribers on WhatsApp and Viber plus a Telegram
//! channel post. Six send days at the segments' local times: an update to everyone on the 1st
//! of each month, and mid-month a reminder to one segment (four messages a person in all, so
//! that a million subscribers stay feasible), against the in-process sandbox with faults
//! injected all the way: 429 storms, 5xx bursts, slow answers, connections dropped after
//! the message was taken, a half-hour outage of the partner, people leaving (STOP) between and
//! during sends, people the partner refuses, and the worker replaced twice, once abandoning a
//! batch half sent.
//!
//! At the end the report (`campaign_report`, what the CLI prints) must match the sandbox's own
//! tally exactly, per segment × locale × channel: sent = messages the partner took, less those
//! herald cannot know about (answers dropped, the abandoned batch), which are its "outcome
//! unknown" jobs; delivered and read = the status callbacks the partner sent and herald took;
//! failed = failed callbacks plus the receivers the partner refused for good. No job is lost
//! (each ends sent, unknown, cancelled or dead with a reason), nobody gets the same message
//! twice, and the process's memory stays flat: the sandbox tallies instead of keeping every
//! request, and herald's rows of finished jobs expire as in production.
//!
//! `HERALD_SOAK_SUBSCRIBERS` sets the size (default 2,000 for `cargo test`); `.ci/soak` runs
//! 1,000,000 in release. The figures are printed and written to `target/soak/`.

mod common;

/// Heap bytes counted by owner, so the run can say how much of the process is herald's.
#[global_allocator]
static HEAP: common::owner_heap::OwnerTaggedAllocator = common::owner_heap::OwnerTaggedAllocator;

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use common::app::{AppOptions, TestApp, spawn_app};
use common::lifecycle::schedule_version;
use herald::app::{Partners, ServiceKeys};
use herald::campaign::VersionBundle;
use herald::clock::{Clock, SimulatedClock};
use herald::config::Config;
use herald::dispatch::{DispatchSettings, Dispatcher, TickReport};
use herald::platforms::{Platform, REHEARSAL_CREDENTIAL};
use herald::report::{
    Breakdown, Period, Protection, PublicationPolicy, Published, ReportRequest, campaign_report,
    to_json,
};
use herald::sandbox::{
    FaultConfig, FaultCounts, PersonAction, PersonEvent, RunningSandbox, Sandbox, SandboxConfig,
    TallyConfig, TallyCounts, TallyKey,
};
use herald::store::{SqliteStore, Store};
use herald::subscribers::SubscriberVault;
use serde_json::{Value, json};

/// Subscribers in the plain `cargo test` run (debug build, well under a minute).
const DEFAULT_SUBSCRIBERS: usize = 2_000;

/// Memory at a simulated time: the process's resident size, and the peaks since the sample
/// before of herald's heap (its Rust allocations and SQLite's, which allocates apart from
/// Rust) and of the emulator's (all KiB).
#[derive(Clone, Copy)]
struct MemorySample {
    at: DateTime<Utc>,
    rss: u64,
    herald_heap: u64,
    sqlite_heap: u64,
    partner_heap: u64,
}

impl MemorySample {
    /// Now's figures, starting the next heap peaks from here.
    fn take(at: DateTime<Utc>) -> MemorySample {
        let sample = MemorySample {
            at,
            rss: rss_kib(),
            herald_heap: (common::owner_heap::herald().peak / 1024) as u64,
            sqlite_heap: sqlite_peak_kib(),
            partner_heap: (common::owner_heap::partner().peak / 1024) as u64,
        };
        common::owner_heap::reset_peaks();
        sample
    }
}

/// (id, kind, countries, timezone): local send times fall at three different UTC hours.
const SEGMENTS: [(&str, &str, &str, &str); 3] = [
    ("in-eu", "in_eu", "\"NL\"", "Europe/Amsterdam"),
    ("east-africa", "third_country", "\"KE\"", "Africa/Nairobi"),
    ("afghanistan", "third_country", "\"AF\"", "Asia/Kabul"),
];

/// Arabic, Dari and Pashto are written right to left.
const LOCALES: [&str; 6] = ["ar", "fa-AF", "ps", "ti", "so", "en"];

const CHANNELS: [&str; 2] = ["whatsapp:optin", "viber:community"];
const TELEGRAM: &str = "telegram:news";

/// The days the sends go out (UTC dates of the local send times).
fn send_days() -> Vec<DateTime<Utc>> {
    [(3, 1), (3, 15), (4, 1), (4, 15), (5, 1), (5, 15)]
        .iter()
        .map(|&(m, d)| utc(2027, m, d, 0, 0))
        .collect()
}

fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
}

const HERALD_TOML: &str = r#"public_url = "https://herald.example.org"

# The run counts its unknown jobs at the end, three months on: staff keep them longer.
[retention]
staff_days = 365

[[accounts]]
name = "optin"
platform = "whatsapp"
base_url = "http://127.0.0.1:9"
credentials = { token = "HERALD_SOAK_WA_TOKEN", phone_number_id = "HERALD_SOAK_WA_PHONE", waba_id = "HERALD_SOAK_WA_WABA", app_secret = "HERALD_SOAK_WA_APP_SECRET", verify_token = "HERALD_SOAK_WA_VERIFY" }
segments = ["in-eu", "east-africa", "afghanistan"]
locales = ["ar", "fa-AF", "ps", "ti", "so", "en"]
templates = { update = "soak_update", reminder = "soak_reminder" }
rate = { per_second = 80 }

[[accounts]]
name = "community"
platform = "viber"
base_url = "http://127.0.0.1:9"
credentials = { token = "HERALD_SOAK_VIBER_TOKEN" }
sender_name = "Soak Info"
segments = ["in-eu", "east-africa", "afghanistan"]
locales = ["ar", "fa-AF", "ps", "ti", "so", "en"]
rate = { per_second = 40 }

[[accounts]]
name = "news"
platform = "telegram"
base_url = "http://127.0.0.1:9"
credentials = { token = "HERALD_SOAK_TG_TOKEN" }
chats = { ar = "@soak_news_ar", fa-AF = "@soak_news_fa_af", ps = "@soak_news_ps", ti = "@soak_news_ti", so = "@soak_news_so", "*" = "@soak_news_en" }
rate = { per_second = 30, per_recipient_per_minute = 20 }
"#;

fn campaign_toml() -> String {
    let mut text = String::from(
        r#"id = "soak"
title = "Soak"
authority = "Ministry of Examples"
purpose = "Three months of sends under faults"
legal_basis = "public task"
starts = 2027-03-01
ends = 2027-05-31
default_locale = "en"
"#,
    );
    for (id, kind, countries, timezone) in SEGMENTS {
        text.push_str(&format!(
            "\n[[segments]]\nid = \"{id}\"\nkind = \"{kind}\"\ncountries = [{countries}]\nlocales = [\"ar\", \"fa-AF\", \"ps\", \"ti\", \"so\", \"en\"]\ntimezone = \"{timezone}\"\n"
        ));
    }
    text.push_str(
        r#"
[[messages]]
id = "update"
link = "https://example.org/update"

[[messages]]
id = "reminder"
link = "https://example.org/reminder"

[[sends]]
id = "monthly-update"
message = "update"
segments = ["in-eu", "east-africa", "afghanistan"]
channels = ["whatsapp:optin", "viber:community"]
cron = "0 10 1 * *"

# A mid-month reminder for one segment a month.
[[sends]]
id = "reminder-afghanistan"
message = "reminder"
segments = ["afghanistan"]
channels = ["whatsapp:optin", "viber:community"]
cron = "0 18 15 3 *"

[[sends]]
id = "reminder-east-africa"
message = "reminder"
segments = ["east-africa"]
channels = ["whatsapp:optin", "viber:community"]
cron = "0 18 15 4 *"

[[sends]]
id = "reminder-in-eu"
message = "reminder"
segments = ["in-eu"]
channels = ["whatsapp:optin", "viber:community"]
cron = "0 18 15 5 *"

[[sends]]
id = "channel-post"
message = "update"
segments = ["in-eu"]
channels = ["telegram:news"]
cron = "0 12 1,15 * *"
"#,
    );
    text
}

fn translation(locale: &str) -> String {
    let (update, reminder) = match locale {
        "ar" => ("معلومات جديدة عن خياراتك.", "تذكير: المشورة مجانية وسرية."),
        "fa-AF" => (
            "معلومات تازه در بارهٔ گزینه‌های تان.",
            "یادآوری: مشوره رایگان و محرمانه است.",
        ),
        "ps" => (
            "ستاسو د انتخابونو په اړه نوي معلومات.",
            "یادونه: مشوره وړیا او محرمه ده.",
        ),
        "ti" => ("ብዛዕባ ምርጫታትኩም ሓድሽ ሓበሬታ።", "መዘኻኸሪ፡ ምኽሪ ብናጻን ምስጢራውን እዩ።"),
        "so" => (
            "Warbixin cusub oo ku saabsan doorashooyinkaaga.",
            "Xusuusin: talobixintu waa bilaash oo qarsoodi.",
        ),
        _ => (
            "News about your options.",
            "A reminder: advice is free and confidential.",
        ),
    };
    format!(
        "update = {update}\n    .title = Update\n    .cta = Read more\nreminder = {reminder}\n    .title = Reminder\n    .cta = Read more\n"
    )
}

/// Who person `n` is: segment, locale and platform follow from `n`, so a million people need
/// no table. WhatsApp numbers and Viber ids start with a prefix naming their segment and
/// locale, which is how the sandbox's tally sorts them.
#[derive(Clone, Copy)]
struct Person(usize);

impl Person {
    fn segment(self) -> usize {
        self.0 % 3
    }
    fn locale(self) -> usize {
        (self.0 / 3) % 6
    }
    fn platform(self) -> Platform {
        if (self.0 / 18) % 2 == 0 {
            Platform::WhatsApp
        } else {
            Platform::Viber
        }
    }
    fn channel(self) -> &'static str {
        match self.platform() {
            Platform::WhatsApp => CHANNELS[0],
            _ => CHANNELS[1],
        }
    }
    fn id(self) -> String {
        let (s, l, n) = (self.segment(), self.locale(), self.0);
        match self.platform() {
            Platform::WhatsApp => format!("31{s}{l}{n:09}"),
            _ => format!("soak{s}{l}-{n:09}="),
        }
    }
    /// A number WhatsApp or Viber takes but cannot deliver to (about 0.5%).
    fn undeliverable(self) -> bool {
        self.0 % 199 == 7
    }
    /// Left Viber without telling the bot: Viber refuses them (about 0.25% of Viber people).
    fn gone_from_viber(self) -> bool {
        self.platform() == Platform::Viber && self.0 % 401 == 5
    }
}

/// The tally group of a segment and locale.
fn group(segment: &str, locale: &str) -> String {
    format!("{segment}|{locale}")
}

fn telegram_chat(locale: &str) -> String {
    format!(
        "@soak_news_{}",
        locale.to_ascii_lowercase().replace('-', "_")
    )
}

/// Recipient prefixes → groups, for the sandbox's tally.
fn tally_groups() -> BTreeMap<String, String> {
    let mut groups = BTreeMap::new();
    for (s, (segment, ..)) in SEGMENTS.iter().enumerate() {
        for (l, locale) in LOCALES.iter().enumerate() {
            groups.insert(format!("31{s}{l}"), group(segment, locale));
            groups.insert(format!("soak{s}{l}-"), group(segment, locale));
        }
    }
    // Only the in-eu segment posts to the Telegram channels.
    for locale in LOCALES {
        groups.insert(telegram_chat(locale), group("in-eu", locale));
    }
    groups
}

/// A number from `seed` and `n`, evenly spread (splitmix64), for who leaves when.
fn draw(seed: u64, n: u64) -> u64 {
    let mut z = seed.wrapping_add(n.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The faults in force: a little of everything all the time, and one storm per send day.
fn faults(day: Option<usize>) -> FaultConfig {
    let baseline = FaultConfig {
        rate_429: 0.002,
        rate_5xx: 0.002,
        rate_drop: 0.0005,
        seed: 0x50A4 + day.map_or(0, |d| d as u64 + 1),
        ..FaultConfig::default()
    };
    match day {
        // A 429 storm.
        Some(1) => FaultConfig {
            rate_429: 0.25,
            ..baseline
        },
        // A 5xx burst (not so dense that a job could fail eight times in a row).
        Some(2) => FaultConfig {
            rate_5xx: 0.08,
            ..baseline
        },
        // Slow answers (real time, within the adapters' timeouts), and more dropped answers.
        Some(3) => FaultConfig {
            rate_slow: 0.01,
            slow_ms: 20,
            rate_drop: 0.002,
            ..baseline
        },
        _ => baseline,
    }
}

/// The partner is down (connections refused) for half an hour as the reminder of 15 April
/// starts going out in Nairobi (18:00 local = 15:00 UTC).
fn outage() -> (DateTime<Utc>, DateTime<Utc>) {
    (utc(2027, 4, 15, 14, 50), utc(2027, 4, 15, 15, 20))
}

/// SQLite's peak allocation since the last call (KiB), starting the next peak. Only herald
/// uses SQLite here, so all of it is herald's.
fn sqlite_peak_kib() -> u64 {
    // SAFETY: a read of SQLite's global memory statistics, safe from any thread.
    let peak = unsafe { libsqlite3_sys::sqlite3_memory_highwater(1) };
    (peak.max(0) / 1024) as u64
}

/// What SQLite holds now (KiB).
fn sqlite_used_kib() -> u64 {
    // SAFETY: as in `sqlite_peak_kib`.
    let used = unsafe { libsqlite3_sys::sqlite3_memory_used() };
    (used.max(0) / 1024) as u64
}

/// Resident set size of this process, in KiB.
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("VmRSS:"))
                .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// `target/soak/` (or under `CARGO_TARGET_DIR`), where the figures are kept for quoting.
fn summary_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"));
    let dir = target.join("soak");
    std::fs::create_dir_all(&dir).expect("summary folder");
    dir
}

/// Sums of what the workers' ticks reported (the abandoned tick's report is lost with it).
#[derive(Default, Debug)]
struct Totals {
    ticks: u64,
    sent: u64,
    retried: u64,
    deferred: u64,
    dead: u64,
    unknown: u64,
    recovered_unknown: u64,
    recovered_resent: u64,
    expanded: u64,
    cancelled: u64,
    erased: u64,
}

impl Totals {
    fn add(&mut self, report: &TickReport) {
        self.ticks += 1;
        self.sent += report.sent as u64;
        self.retried += report.retried as u64;
        self.deferred += report.deferred as u64;
        self.dead += report.dead as u64;
        self.unknown += report.unknown as u64;
        self.recovered_unknown += report.recovered_unknown as u64;
        self.recovered_resent += report.recovered_resent as u64;
        self.expanded += report.expanded as u64;
        self.cancelled += report.cancelled as u64;
        self.erased += report.erased as u64;
    }
}

/// The lab: herald (store, hooks, a worker) and the partners (sandbox), on one clock.
struct Lab {
    store: SqliteStore,
    url: String,
    clock: SimulatedClock,
    shared_clock: Arc<dyn Clock>,
    config: Arc<Config>,
    vault: Arc<SubscriberVault>,
    sandbox: Sandbox,
    running: Option<RunningSandbox>,
    /// The emulator's own runtime: its threads' allocations count as the partner's.
    partner: Option<tokio::runtime::Runtime>,
    port: u16,
    workers: u32,
    _project: common::Project,
    _app: TestApp,
}

impl Lab {
    fn dispatcher(&mut self) -> Dispatcher<SqliteStore> {
        self.workers += 1;
        Dispatcher::new(
            self.store.clone(),
            Arc::clone(&self.shared_clock),
            Arc::clone(&self.config),
            DispatchSettings {
                worker_id: format!("soak-worker-{}", self.workers),
                sandbox_url: Some(format!("http://127.0.0.1:{}", self.port)),
                sequential: true,
                batch_size: 512,
                chunk: 128,
                retry_base: Duration::from_secs(60),
                retry_max: Duration::from_secs(3600),
                ..DispatchSettings::default()
            },
        )
        .expect("dispatcher")
        .with_vault(Some(Arc::clone(&self.vault)))
    }

    /// Runs `work` on the emulator's runtime, so what it allocates is counted as the partner's.
    async fn on_partner<T: Send + 'static>(
        &self,
        work: impl std::future::Future<Output = T> + Send + 'static,
    ) -> T {
        let partner = self.partner.as_ref().expect("the partner's runtime");
        partner.spawn(work).await.expect("the partner's work")
    }

    async fn person(&self, person: Person, action: PersonAction) -> u16 {
        let event = self.sandbox.simulate_person(PersonEvent {
            platform: person.platform(),
            key: REHEARSAL_CREDENTIAL.into(),
            user: person.id(),
            action,
        });
        self.on_partner(event)
            .await
            .expect("the person's event reaches herald")
    }

    /// Waits until every status callback was sent.
    async fn flush_callbacks(&self) {
        self.on_partner(self.sandbox.flush_callbacks()).await;
    }

    /// Waits until every status callback was sent and herald's group commit has run.
    async fn settle(&self) {
        self.flush_callbacks().await;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    /// Brings the partner back on its port after the outage.
    async fn restart_partner(&mut self) {
        let sandbox = self.sandbox.clone();
        let port = self.port;
        let running = self
            .on_partner(async move { sandbox.start(port).await })
            .await
            .expect("sandbox back");
        self.running = Some(running);
    }

    /// Stops the emulator's runtime without waiting (dropping it inside the test's runtime
    /// is not allowed).
    fn close_partner(&mut self) {
        if let Some(partner) = self.partner.take() {
            partner.shutdown_background();
        }
    }

    /// Status → count of the jobs (not broadcast jobs) of the slots in [from, to) (slots are
    /// stored in seconds).
    async fn job_statuses(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> BTreeMap<String, i64> {
        let pool = sqlx::SqlitePool::connect(&self.url).await.unwrap();
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT status, COUNT(*) FROM outbox WHERE slot >= $1 AND slot < $2 AND status <> 'expanded' GROUP BY status",
        )
        .bind(from.timestamp())
        .bind(to.timestamp())
        .fetch_all(&pool)
        .await
        .unwrap();
        pool.close().await;
        rows.into_iter().collect()
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        self.close_partner();
    }
}

/// Opens the lab: the project, the store, the sandbox on its port, herald's hooks registered
/// with it, and the campaign approved and scheduled.
async fn open_lab(subscribers: usize) -> Lab {
    let project = common::Project::with_campaign(
        HERALD_TOML,
        "soak",
        &campaign_toml(),
        LOCALES.map(|locale| (locale, translation(locale))),
    );
    let loaded = project.load();
    let clock = SimulatedClock::starting_at(utc(2027, 2, 27, 0, 0));
    let shared_clock: Arc<dyn Clock> = Arc::new(clock.clone());

    // The emulator on a runtime of its own, built there, so its memory is counted apart.
    let partner = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("partner")
        .on_thread_start(common::owner_heap::mark_partner_thread)
        .enable_all()
        .build()
        .expect("the partner's runtime");
    let partner_clock = Arc::clone(&shared_clock);
    let (sandbox, running) = partner
        .spawn(async move {
            let sandbox = partner_sandbox(subscribers, partner_clock);
            let running = sandbox.start(0).await.expect("sandbox");
            (sandbox, running)
        })
        .await
        .expect("the partner starts");
    let port = running.addr.port();

    // herald's front door, with its hooks registered with the sandbox. The lab's workers are
    // dispatchers of its own, so that it can stop and restart them mid-run.
    let config = Arc::new(loaded.config.clone());
    let mut options = AppOptions::new(HERALD_TOML, Arc::clone(&shared_clock));
    options.keys = ServiceKeys::from_hex(&"5a".repeat(32)).unwrap();
    options.partners = Partners::Emulator {
        url: running.base_url(),
        credential: herald::platforms::Secret::new(REHEARSAL_CREDENTIAL),
    };
    let app = spawn_app(options).await;
    let store = app.fresh.store.clone();
    let vault = Arc::new(SubscriberVault::from_hex(&"5a".repeat(32)).unwrap());

    let bundle = VersionBundle::from_loaded(&loaded, &loaded.campaigns[0]);
    schedule_version(&store, &bundle, clock.now()).await;
    Lab {
        url: app.fresh.url.clone(),
        store,
        clock,
        shared_clock,
        config,
        vault,
        sandbox,
        running: Some(running),
        partner: Some(partner),
        port,
        workers: 0,
        _project: project,
        _app: app,
    }
}

/// The partners: tallying instead of recording, with the soak's undeliverable people and
/// people gone from Viber.
fn partner_sandbox(subscribers: usize, clock: Arc<dyn Clock>) -> Sandbox {
    let people = (0..subscribers).map(Person);
    Sandbox::new(
        SandboxConfig {
            faults: faults(None),
            keep_record: false,
            tally: Some(TallyConfig {
                groups: tally_groups(),
                ..TallyConfig::default()
            }),
            read_rate: 0.4,
            callback_batch: 100,
            undeliverable: people
                .clone()
                .filter(|p| p.undeliverable())
                .map(Person::id)
                .collect(),
            viber_unsubscribed: people
                .filter(|p| p.gone_from_viber())
                .map(Person::id)
                .collect(),
            ..SandboxConfig::default()
        },
        clock,
    )
}

/// Whether person `n` opts in by writing to the bot (the real consent path): some of the
/// first 72. On Viber only people of the account's first segment: Viber reports a deep link's
/// context before the person subscribes, so the subscription lands in the first segment.
fn through_bot(n: usize) -> bool {
    let person = Person(n);
    n < 72 && (person.platform() == Platform::WhatsApp || person.segment() == 0)
}

/// People opt in through the bots ([`through_bot`]); everyone else is stored sealed directly,
/// many rows per statement, as a migration from an earlier system would.
async fn subscribe_everyone(lab: &Lab, subscribers: usize) {
    for n in (0..subscribers).filter(|n| through_bot(*n)) {
        let person = Person(n);
        let segment = SEGMENTS[person.segment()].0;
        let locale = LOCALES[person.locale()];
        let action = match person.platform() {
            Platform::WhatsApp => PersonAction::Subscribe {
                language: None,
                payload: Some(format!("{segment} {locale}")),
            },
            _ => PersonAction::Subscribe {
                language: Some(locale.to_string()),
                payload: Some(segment.to_string()),
            },
        };
        assert_eq!(lab.person(person, action).await, 200, "person {n}");
    }
    let pool = sqlx::SqlitePool::connect(&lab.url).await.unwrap();
    let mut tx = pool.begin().await.unwrap();
    let subscribed_at = lab.clock.now().timestamp_millis();
    let rest: Vec<Person> = (0..subscribers)
        .filter(|n| !through_bot(*n))
        .map(Person)
        .collect();
    for chunk in rest.chunks(500) {
        let mut builder = sqlx::QueryBuilder::new(
            "INSERT INTO subscribers (channel, lookup, sealed, locale, segment_id, subscribed_at) ",
        );
        builder.push_values(chunk, |mut row, person| {
            let channel = person.channel();
            let id = person.id();
            row.push_bind(channel)
                .push_bind(lab.vault.lookup(channel, &id))
                .push_bind(lab.vault.seal(channel, &id).unwrap())
                .push_bind(LOCALES[person.locale()])
                .push_bind(SEGMENTS[person.segment()].0)
                // When they opted in: now (an opt-in long ago, with no contact since, would
                // fall to the retention rule for people without contact).
                .push_bind(subscribed_at);
        });
        builder.build().execute(&mut *tx).await.unwrap();
    }
    tx.commit().await.unwrap();
    pool.close().await;
    let stored: BTreeMap<(String, String, String), i64> = lab
        .store
        .subscriber_counts()
        .await
        .unwrap()
        .into_iter()
        .map(|c| ((c.channel, c.segment, c.locale), c.count))
        .collect();
    for (s, (segment, ..)) in SEGMENTS.iter().enumerate() {
        for (l, locale) in LOCALES.iter().enumerate() {
            for channel in CHANNELS {
                let expected = (0..subscribers)
                    .map(Person)
                    .filter(|p| p.segment() == s && p.locale() == l && p.channel() == channel)
                    .count() as i64;
                let key = (channel.to_string(), segment.to_string(), locale.to_string());
                assert_eq!(
                    stored.get(&key).copied().unwrap_or(0),
                    expected,
                    "subscribers of {key:?}"
                );
            }
        }
    }
}

/// What one group (segment × locale × channel) adds up to on each side.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Figures {
    sent: i64,
    delivered: i64,
    read: i64,
    failed: i64,
}

/// The sandbox's tally as herald should have counted it: messages taken less those herald
/// cannot know about, callbacks about messages herald knows, and failures (failed callbacks
/// plus receivers refused for good in answers herald got).
fn expected_from_tally(counts: &TallyCounts, abandoned: &TallyCounts) -> Figures {
    let abandoned_arrived = abandoned.accepted - abandoned.unanswered;
    // A refusal in a dropped answer, or in the abandoned batch's, never reached herald.
    let refused_known = |c: &TallyCounts| c.refused - c.refused_unanswered;
    Figures {
        sent: (counts.accepted - counts.unanswered - abandoned_arrived) as i64,
        delivered: (counts.callbacks.delivered - abandoned.callbacks.delivered) as i64,
        read: (counts.callbacks.read - abandoned.callbacks.read) as i64,
        failed: (counts.callbacks.failed - abandoned.callbacks.failed + refused_known(counts)
            - refused_known(abandoned)) as i64,
    }
}

/// The tally line of a channel's platform and a group.
fn line(tally: &BTreeMap<TallyKey, TallyCounts>, channel: &str, group_name: &str) -> TallyCounts {
    let platform = channel.split(':').next().unwrap_or_default();
    tally
        .iter()
        .filter(|(key, _)| key.platform == platform && key.group == group_name)
        .fold(TallyCounts::default(), |mut sum, (_, c)| {
            sum.accepted += c.accepted;
            sum.unanswered += c.unanswered;
            sum.refused += c.refused;
            sum.refused_unanswered += c.refused_unanswered;
            sum.repeats += c.repeats;
            sum.callbacks.delivered += c.callbacks.delivered;
            sum.callbacks.read += c.callbacks.read;
            sum.callbacks.failed += c.callbacks.failed;
            sum.unanswered_callbacks.delivered += c.unanswered_callbacks.delivered;
            sum.unanswered_callbacks.read += c.unanswered_callbacks.read;
            sum.unanswered_callbacks.failed += c.unanswered_callbacks.failed;
            sum
        })
}

/// `after - before`, line by line (what happened in between).
fn difference(
    after: &BTreeMap<TallyKey, TallyCounts>,
    before: &BTreeMap<TallyKey, TallyCounts>,
) -> BTreeMap<TallyKey, TallyCounts> {
    after
        .iter()
        .map(|(key, a)| {
            let b = before.get(key).copied().unwrap_or_default();
            let mut d = *a;
            d.accepted -= b.accepted;
            d.unanswered -= b.unanswered;
            d.refused -= b.refused;
            d.refused_unanswered -= b.refused_unanswered;
            d.repeats -= b.repeats;
            d.callbacks.delivered -= b.callbacks.delivered;
            d.callbacks.read -= b.callbacks.read;
            d.callbacks.failed -= b.callbacks.failed;
            d.unanswered_callbacks.delivered -= b.unanswered_callbacks.delivered;
            d.unanswered_callbacks.read -= b.unanswered_callbacks.read;
            d.unanswered_callbacks.failed -= b.unanswered_callbacks.failed;
            (key.clone(), d)
        })
        .collect()
}

/// Every (segment, locale, channel) that receives messages.
fn groups_and_channels() -> Vec<(&'static str, &'static str, &'static str)> {
    let mut all = Vec::new();
    for (segment, ..) in SEGMENTS {
        for locale in LOCALES {
            for channel in CHANNELS {
                all.push((segment, locale, channel));
            }
        }
    }
    for locale in LOCALES {
        all.push(("in-eu", locale, TELEGRAM));
    }
    all
}

/// What happened while the run went, beyond the ticks' own reports.
#[derive(Default)]
struct Events {
    outage_jobs_refused: u64,
    people_left_between_sends: u64,
    people_left_during_a_send: u64,
    workers_replaced: u64,
    /// (segment, locale, channel) → jobs the stopped worker had marked as being sent.
    abandoned_marked: BTreeMap<(String, String, String), i64>,
    /// The tally of what arrived from the abandoned batch.
    abandoned: BTreeMap<TallyKey, TallyCounts>,
    /// Status → jobs, per send day, read three days after it (before the rows expire).
    per_day: Vec<BTreeMap<String, i64>>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_months_under_faults_match_the_partners_record() {
    let subscribers: usize = std::env::var("HERALD_SOAK_SUBSCRIBERS")
        .ok()
        .map(|v| {
            v.parse()
                .expect("HERALD_SOAK_SUBSCRIBERS is a number of people")
        })
        .unwrap_or(DEFAULT_SUBSCRIBERS);
    assert!(
        subscribers >= 1_000,
        "HERALD_SOAK_SUBSCRIBERS must be at least 1000, so that a batch is still going when the worker is stopped"
    );
    let wall = Instant::now();
    let mut lab = open_lab(subscribers).await;
    subscribe_everyone(&lab, subscribers).await;
    let seeded_seconds = wall.elapsed().as_secs_f64();
    eprintln!("soak: {subscribers} subscribers in {seeded_seconds:.1} s; running three months");

    let start = lab.clock.now();
    let end = utc(2027, 6, 1, 0, 0);
    let days = send_days();
    // Warm-up: until the first segment's update is out (10:00 in Kabul is 05:30 UTC).
    let warm_until = days[0] + chrono::Duration::hours(6) + chrono::Duration::minutes(30);

    // Memory, sampled in the background on the wall clock, stamped with simulated time.
    let samples: Arc<Mutex<Vec<MemorySample>>> = Arc::default();
    let sampler = {
        let samples = Arc::clone(&samples);
        let clock = lab.clock.clone();
        tokio::spawn(async move {
            loop {
                let now = clock.now();
                samples.lock().unwrap().push(MemorySample::take(now));
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        })
    };

    let mut dispatcher = lab.dispatcher();
    let mut totals = Totals::default();
    let mut events = Events::default();
    let mut left: HashSet<usize> = HashSet::new();
    let mut last_plan: Option<DateTime<Utc>> = None;
    let mut fault_day: Option<Option<usize>> = None;
    let mut week = 0;
    let mut replaced_on: BTreeSet<usize> = BTreeSet::new();
    let mut checkpoints = 0;
    let (outage_from, outage_to) = outage();

    while lab.clock.now() < end {
        let now = lab.clock.now();
        // The faults of the day.
        let today = days
            .iter()
            .position(|d| now >= *d && now < *d + chrono::Duration::days(1));
        if fault_day != Some(today) {
            lab.sandbox.set_faults(faults(today));
            fault_day = Some(today);
            // Progress: a line as each send day starts and ends (the full run takes an hour).
            eprintln!(
                "soak: {} {}: {} messages sent so far, {} MiB resident ({} MiB herald's heap, {} MiB the emulator's), {:.0} s",
                now.format("%Y-%m-%d %H:%M"),
                today.map_or("quiet days".to_string(), |d| format!(
                    "send day {} of {}",
                    d + 1,
                    days.len()
                )),
                totals.sent,
                rss_kib() / 1024,
                (common::owner_heap::herald().live as u64 / 1024 + sqlite_used_kib()) / 1024,
                common::owner_heap::partner().live / (1024 * 1024),
                wall.elapsed().as_secs_f64()
            );
        }
        // The partner's outage: its port refuses connections, then it comes back.
        let down = now >= outage_from && now < outage_to;
        if down && lab.running.is_some() {
            if let Some(running) = lab.running.take() {
                running.shutdown().await;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        } else if !down && lab.running.is_none() {
            lab.restart_partner().await;
        }
        // The jobs of each send day, three days later (their rows expire after seven).
        if checkpoints < days.len() && now >= days[checkpoints] + chrono::Duration::days(3) {
            let day = days[checkpoints];
            events
                .per_day
                .push(lab.job_statuses(day, day + chrono::Duration::days(1)).await);
            checkpoints += 1;
        }
        // Between sends, a few people leave each week (STOP, or unsubscribe on Viber).
        let this_week = (now - start).num_weeks();
        if this_week > week {
            week = this_week;
            for n in 0..subscribers {
                if !left.contains(&n) && draw(0x1EAF ^ week as u64, n as u64) % 500 == 0 {
                    assert_eq!(lab.person(Person(n), PersonAction::Unsubscribe).await, 200);
                    left.insert(n);
                    events.people_left_between_sends += 1;
                }
            }
        }
        if last_plan.is_none_or(|at| now - at >= chrono::Duration::hours(12)) {
            dispatcher.plan().await.expect("plan");
            last_plan = Some(now);
        }
        let report = dispatcher.tick().await.expect("tick");
        totals.add(&report);
        if down {
            // Retried, or (where the worker pauses an unreachable account) deferred.
            events.outage_jobs_refused += (report.retried + report.deferred) as u64;
        }
        // On the fifth send day, once the first deliveries are queued: people leave mid-send
        // (their queued deliveries are cancelled), then the worker is stopped with a batch half
        // sent and replaced. On the sixth, the worker is replaced between two batches.
        if let Some(day) =
            today.filter(|d| *d >= 4 && report.expanded > 0 && !replaced_on.contains(d))
        {
            replaced_on.insert(day);
            events.workers_replaced += 1;
            if day == 4 {
                for n in 0..subscribers {
                    if !left.contains(&n) && draw(0x570F, n as u64) % 100 == 0 {
                        assert_eq!(lab.person(Person(n), PersonAction::Unsubscribe).await, 200);
                        left.insert(n);
                        events.people_left_during_a_send += 1;
                    }
                }
                let (marked, abandoned) = abandon_a_batch(&lab, dispatcher).await;
                events.abandoned_marked = marked;
                events.abandoned = abandoned;
            } else {
                drop(dispatcher);
            }
            dispatcher = lab.dispatcher();
            continue;
        }
        if report.leased == 0 {
            let next_plan = last_plan.unwrap_or(now) + chrono::Duration::hours(12);
            let due = lab
                .store
                .next_due_ms()
                .await
                .unwrap()
                .and_then(DateTime::from_timestamp_millis);
            let mut target = due.map_or(next_plan, |due| due.min(next_plan));
            // Wake for the next fault change, outage edge, checkpoint and week.
            for moment in days
                .iter()
                .flat_map(|d| {
                    [
                        *d,
                        *d + chrono::Duration::days(1),
                        *d + chrono::Duration::days(3),
                    ]
                })
                .chain([outage_from, outage_to])
                .chain([start + chrono::Duration::weeks(week + 1)])
            {
                if moment > now {
                    target = target.min(moment);
                }
            }
            let target = target.min(end).max(now + chrono::Duration::seconds(1));
            // Partners send their callbacks within seconds; simulated time must not race
            // days ahead of them (past the retention window of the sends they are about).
            if target - now > chrono::Duration::minutes(10) {
                lab.flush_callbacks().await;
            }
            lab.clock.advance_to(target);
        }
    }
    drop(dispatcher);
    lab.settle().await;
    lab.store
        .rematch_pending_callbacks(0, lab.clock.now().timestamp_millis())
        .await
        .unwrap();
    sampler.abort();
    let samples = samples.lock().unwrap().clone();
    let wall_seconds = wall.elapsed().as_secs_f64();
    assert_eq!(checkpoints, days.len(), "every send day was checked");

    verify(
        &lab,
        subscribers,
        &totals,
        &events,
        &samples,
        (start, warm_until, end),
        (seeded_seconds, wall_seconds),
    )
    .await;
}

/// Runs one batch on its own task and stops it (as a killed process would stop) once some of
/// its messages reached the partner, then drops the worker. Returns the jobs it had marked as
/// being sent, per segment, locale and channel, and the tally of what reached the partner
/// meanwhile.
async fn abandon_a_batch(
    lab: &Lab,
    dispatcher: Dispatcher<SqliteStore>,
) -> (
    BTreeMap<(String, String, String), i64>,
    BTreeMap<TallyKey, TallyCounts>,
) {
    lab.settle().await;
    let before = lab.sandbox.tally().expect("tally");
    let taken = lab.sandbox.counts().new_deliveries;
    let dispatcher = Arc::new(dispatcher);
    let batch = {
        let dispatcher = Arc::clone(&dispatcher);
        tokio::spawn(async move { dispatcher.tick().await })
    };
    let waited = Instant::now();
    while lab.sandbox.counts().new_deliveries < taken + 40 && !batch.is_finished() {
        assert!(
            waited.elapsed() < Duration::from_secs(60),
            "the batch never got going"
        );
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    assert!(
        !batch.is_finished(),
        "the batch finished before it could be abandoned; make it bigger"
    );
    batch.abort();
    assert!(batch.await.is_err(), "the batch was stopped");
    drop(dispatcher);
    // A request already on its way is answered or not; then its callbacks go out.
    tokio::time::sleep(Duration::from_millis(100)).await;
    lab.settle().await;
    let after = lab.sandbox.tally().expect("tally");
    let pool = sqlx::SqlitePool::connect(&lab.url).await.unwrap();
    let marked: Vec<(String, String, String, i64)> = sqlx::query_as(
        "SELECT segment_id, locale, channel, COUNT(*) FROM outbox WHERE status = 'sending' GROUP BY 1, 2, 3",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    pool.close().await;
    let marked = marked
        .into_iter()
        .map(|(s, l, c, n)| ((s, l, c), n))
        .collect();
    (marked, difference(&after, &before))
}

/// The checks, and the figures printed and written under `target/soak/`.
async fn verify(
    lab: &Lab,
    subscribers: usize,
    totals: &Totals,
    events: &Events,
    samples: &[MemorySample],
    (start, warm_until, end): (DateTime<Utc>, DateTime<Utc>, DateTime<Utc>),
    (seeded_seconds, wall_seconds): (f64, f64),
) {
    let tally = lab.sandbox.tally().expect("tally");
    let callbacks = lab.sandbox.callback_counts();
    assert_eq!(callbacks.queued, 0, "every callback went out");
    assert_eq!(
        callbacks.failed, 0,
        "herald took every callback the partner sent"
    );

    // herald's counters, unsuppressed: (segment, locale, channel) → figures.
    let mut counters: BTreeMap<(String, String, String), Figures> = BTreeMap::new();
    // The record-key sums beside them: what the report's noise follows from.
    let mut key_sums: BTreeMap<(String, String, String, String), u64> = BTreeMap::new();
    for c in lab.store.delivery_totals("soak", false).await.unwrap() {
        *key_sums
            .entry((
                c.segment.clone(),
                c.locale.clone(),
                c.channel.clone(),
                c.status.clone(),
            ))
            .or_default() += c.key_sum as u64;
        let figures = counters
            .entry((c.segment.clone(), c.locale.clone(), c.channel.clone()))
            .or_default();
        match c.status.as_str() {
            "sent" => figures.sent += c.count,
            "delivered" => figures.delivered += c.count,
            "read" => figures.read += c.count,
            "failed" => figures.failed += c.count,
            other => panic!("unexpected counter status {other}"),
        }
    }
    // The report as the CLI renders it (JSON), cell by cell.
    let report = campaign_report(
        &lab.store,
        "soak",
        &PublicationPolicy::default(),
        ReportRequest {
            period: Period::Run,
            by: Breakdown::ALL,
            range: None,
        },
        // As an evaluator reads it once the whole run has settled.
        lab.clock.now() + chrono::Duration::days(400),
    )
    .await
    .unwrap();
    let rendered: Value = serde_json::from_str(&to_json(&report)).unwrap();
    let mut cells: BTreeMap<(String, String, String, String), Option<i64>> = BTreeMap::new();
    for table in rendered["tables"].as_array().unwrap() {
        let metric = table["metric"].as_str().unwrap().to_string();
        let columns: Vec<String> = table["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().to_string())
            .collect();
        for (row, values) in table["rows"]
            .as_array()
            .unwrap()
            .iter()
            .zip(table["cells"].as_array().unwrap())
        {
            let row: Vec<&str> = row
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap())
                .collect();
            for (channel, value) in columns.iter().zip(values.as_array().unwrap()) {
                cells.insert(
                    (
                        row[0].to_string(),
                        row[1].to_string(),
                        channel.clone(),
                        metric.clone(),
                    ),
                    value.as_i64(),
                );
            }
        }
    }

    // Unknown jobs per group, from the outbox (they never expire).
    let pool = sqlx::SqlitePool::connect(&lab.url).await.unwrap();
    let unknown_rows: Vec<(String, String, String, i64)> = sqlx::query_as(
        "SELECT segment_id, locale, channel, COUNT(*) FROM outbox WHERE status = 'unknown' GROUP BY 1, 2, 3",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let unknown: BTreeMap<(String, String, String), i64> = unknown_rows
        .into_iter()
        .map(|(s, l, c, n)| ((s, l, c), n))
        .collect();
    let open: Vec<(String, i64)> = sqlx::query_as(
        "SELECT status, COUNT(*) FROM outbox WHERE status NOT IN ('sent', 'unknown', 'cancelled', 'dead', 'expanded') GROUP BY status",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let unexplained: (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM outbox WHERE status IN ('dead', 'cancelled') AND (last_error IS NULL OR last_error = '')",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    pool.close().await;
    let dead_letters = lab.store.dead_letters(1_000_000).await.unwrap();
    let dead_codes: BTreeSet<String> = dead_letters
        .iter()
        .map(|d| d.code.clone().unwrap_or_default())
        .collect();

    let mut mismatches = Vec::new();
    let mut shown = 0;
    let mut suppressed = 0;
    let mut messages = 0i64;
    let mut arrived_unknown = 0i64;
    let mut sandbox_accepted = 0u64;
    let mut repeats = 0u64;
    let mut refusals_unheard = 0i64;
    for (segment, locale, channel) in groups_and_channels() {
        let group_name = group(segment, locale);
        let counts = line(&tally, channel, &group_name);
        let abandoned = line(&events.abandoned, channel, &group_name);
        let expected = expected_from_tally(&counts, &abandoned);
        let key = (segment.to_string(), locale.to_string(), channel.to_string());
        let actual = counters.get(&key).copied().unwrap_or_default();
        if expected != actual {
            mismatches.push(format!(
                "{segment} {locale} {channel}: the partner's record says {expected:?}, herald's counters {actual:?}"
            ));
        }
        for (metric, value) in [
            ("sent", actual.sent),
            ("delivered", actual.delivered),
            ("read", actual.read),
            ("failed", actual.failed),
        ] {
            let cell = cells.get(&(
                segment.to_string(),
                locale.to_string(),
                channel.to_string(),
                metric.to_string(),
            ));
            match cell {
                Some(Some(shown_value)) => {
                    shown += 1;
                    let key_sum = key_sums
                        .get(&(
                            segment.to_string(),
                            locale.to_string(),
                            channel.to_string(),
                            metric.to_string(),
                        ))
                        .copied()
                        .unwrap_or(0);
                    // Exactly the counters' value with the noise their record keys give it.
                    let expected = match Protection::DEFAULT.publish(value as u64, key_sum) {
                        Published::Count(n) => n as i64,
                        Published::Suppressed => -1,
                    };
                    if *shown_value != expected {
                        mismatches.push(format!(
                            "{segment} {locale} {channel} {metric}: the report shows {shown_value}, the counters hold {value} (published as {expected})"
                        ));
                    }
                }
                Some(None) => suppressed += 1,
                // A metric with no count at all in the campaign has no table (no failures).
                None if value == 0 => {}
                None => mismatches.push(format!(
                    "{segment} {locale} {channel} {metric}: {value} counted but not in the report"
                )),
            }
        }
        // Duplicates accounted for: herald's unknown jobs are exactly the messages whose
        // answer was dropped (taken, or refused in a broadcast whose answer was dropped) and
        // the jobs the stopped worker had marked as being sent (some of which arrived); none
        // was sent again.
        let arrived = (counts.unanswered + abandoned.accepted - abandoned.unanswered) as i64;
        let marked = events.abandoned_marked.get(&key).copied().unwrap_or(0);
        let dropped = (counts.unanswered - abandoned.unanswered) as i64;
        let refused_unheard = (counts.refused_unanswered - abandoned.refused_unanswered) as i64;
        let expected_unknown = dropped + refused_unheard + marked;
        let unknown_here = unknown.get(&key).copied().unwrap_or(0);
        if unknown_here != expected_unknown {
            mismatches.push(format!(
                "{segment} {locale} {channel}: {unknown_here} jobs are unknown, but {dropped} answers were dropped, {refused_unheard} refusals went unheard with them and the stopped worker had marked {marked}"
            ));
        }
        refusals_unheard += refused_unheard;
        arrived_unknown += arrived;
        messages += actual.sent;
        sandbox_accepted += counts.accepted;
        repeats += counts.repeats;
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    assert_eq!(repeats, 0, "nobody got the same message twice");
    assert!(open.is_empty(), "jobs left unfinished: {open:?}");
    assert_eq!(unexplained.0, 0, "every dead or cancelled job says why");
    // Viber's status 6 (not subscribed) for the people who left Viber without a word.
    assert!(
        dead_codes.iter().all(|code| code == "6"),
        "only partners' permanent refusals end as dead letters: {dead_codes:?}"
    );

    // Every job of every send day ended sent, unknown, cancelled or dead.
    let mut jobs: BTreeMap<String, i64> = BTreeMap::new();
    for day in &events.per_day {
        for (status, n) in day {
            *jobs.entry(status.clone()).or_default() += n;
        }
    }
    let lost: i64 = jobs
        .iter()
        .filter(|(s, _)| !["sent", "unknown", "cancelled", "dead"].contains(&s.as_str()))
        .map(|(_, n)| n)
        .sum();
    assert_eq!(lost, 0, "jobs per status: {jobs:?}");
    assert_eq!(
        jobs.get("sent").copied().unwrap_or(0),
        messages,
        "the sent jobs are the sent counters"
    );
    let unknown_total: i64 = unknown.values().sum();
    assert_eq!(jobs.get("unknown").copied().unwrap_or(0), unknown_total);
    assert_eq!(
        unknown_total as u64,
        totals.unknown + totals.recovered_unknown,
        "unknown jobs are those the workers reported"
    );
    let faults: FaultCounts = lab.sandbox.faults_injected();
    assert!(faults.too_many_requests > 0 && faults.server_errors > 0);
    assert!(faults.slow > 0 && faults.dropped > 0);
    assert!(events.outage_jobs_refused > 0, "the outage met some jobs");
    let abandoned_marked: i64 = events.abandoned_marked.values().sum();
    assert!(abandoned_marked > 0, "the stopped worker had jobs in hand");
    assert!(
        jobs.get("cancelled").copied().unwrap_or(0) > 0,
        "people who left mid-send had deliveries cancelled"
    );

    // Memory: after warm-up (the first segment's first send), the last third of the run
    // peaks no more than 15% + 16 MiB above the first third. Both hold a send to everyone.
    let third = (end - start) / 3;
    let peak = |from: DateTime<Utc>, to: DateTime<Utc>, figure: fn(&MemorySample) -> u64| {
        samples
            .iter()
            .filter(|sample| sample.at >= from && sample.at < to)
            .map(figure)
            .max()
            .unwrap_or(0)
    };
    let whole_run = end + chrono::Duration::seconds(1);
    let rss = |sample: &MemorySample| sample.rss;
    let herald_heap = |sample: &MemorySample| sample.herald_heap + sample.sqlite_heap;
    let sqlite_heap = |sample: &MemorySample| sample.sqlite_heap;
    let partner_heap = |sample: &MemorySample| sample.partner_heap;
    let first_peak = peak(warm_until, start + third, rss);
    let last_peak = peak(start + third * 2, whole_run, rss);
    let rss_min = samples.iter().map(rss).min().unwrap_or(0);
    let rss_max = samples.iter().map(rss).max().unwrap_or(0);
    let allowed_peak = first_peak + first_peak * 15 / 100 + 16 * 1024;
    // herald's own heap, apart from the emulator's: the same rule.
    let herald_first_peak = peak(warm_until, start + third, herald_heap);
    let herald_last_peak = peak(start + third * 2, whole_run, herald_heap);
    let herald_allowed_peak = herald_first_peak + herald_first_peak * 15 / 100 + 16 * 1024;
    let herald_peak = peak(start, whole_run, herald_heap);
    let partner_peak = peak(start, whole_run, partner_heap);
    let sqlite_peak = peak(start, whole_run, sqlite_heap);

    let delivered: i64 = counters.values().map(|f| f.delivered).sum();
    let read: i64 = counters.values().map(|f| f.read).sum();
    let failed: i64 = counters.values().map(|f| f.failed).sum();
    let abandoned_arrived: u64 = events
        .abandoned
        .values()
        .map(|c| c.accepted - c.unanswered)
        .sum();
    let unanswered: u64 = tally.values().map(|c| c.unanswered).sum();
    let summary = json!({
        "subscribers": subscribers,
        "simulated_days": (end - start).num_days(),
        "send_days": events.per_day.len(),
        "wall_seconds": (wall_seconds * 10.0).round() / 10.0,
        "seeding_seconds": (seeded_seconds * 10.0).round() / 10.0,
        "messages_sent": messages,
        "sandbox_accepted": sandbox_accepted,
        "delivered": delivered,
        "read": read,
        "failed": failed,
        "jobs": jobs,
        "lost": lost,
        "unknown_jobs": unknown_total,
        "unknown_that_arrived": {
            "total": arrived_unknown,
            "answers_dropped": unanswered,
            "abandoned_batch": abandoned_arrived,
        },
        "abandoned_batch_marked": abandoned_marked,
        "repeats": repeats,
        "faults": {
            "too_many_requests": faults.too_many_requests,
            "server_errors": faults.server_errors,
            "slow_answers": faults.slow,
            "dropped_connections": faults.dropped,
            "outage_minutes": (outage().1 - outage().0).num_minutes(),
            "job_attempts_refused_by_outage": events.outage_jobs_refused,
            "people_left_between_sends": events.people_left_between_sends,
            "people_left_during_a_send": events.people_left_during_a_send,
            "receivers_refused": tally.values().map(|c| c.refused).sum::<u64>(),
            "refusals_in_dropped_answers": refusals_unheard,
            "workers_replaced": events.workers_replaced,
        },
        "worker_ticks": totals.ticks,
        "retried": totals.retried,
        "deferred": totals.deferred,
        "report_cells": {"shown": shown, "suppressed": suppressed},
        "rss_mib": {
            "min": rss_min / 1024,
            "max": rss_max / 1024,
            "first_third_peak": first_peak / 1024,
            "last_third_peak": last_peak / 1024,
            "allowed_last_third_peak": allowed_peak / 1024,
            "samples": samples.len(),
        },
        "heap_mib": {
            "herald_peak": herald_peak / 1024,
            "of_which_sqlite_peak": sqlite_peak / 1024,
            "herald_first_third_peak": herald_first_peak / 1024,
            "herald_last_third_peak": herald_last_peak / 1024,
            "herald_allowed_last_third_peak": herald_allowed_peak / 1024,
            "partner_emulator_peak": partner_peak / 1024,
        },
    });
    let text = serde_json::to_string_pretty(&summary).unwrap();
    eprintln!("soak summary:\n{text}");
    let dir = summary_dir();
    std::fs::write(dir.join(format!("soak-{subscribers}.json")), &text).unwrap();
    assert!(
        last_peak <= allowed_peak,
        "memory grew: the last third peaked at {} MiB, the first at {} MiB",
        last_peak / 1024,
        first_peak / 1024
    );
    assert!(
        herald_last_peak <= herald_allowed_peak,
        "herald's heap grew: the last third peaked at {} MiB, the first at {} MiB",
        herald_last_peak / 1024,
        herald_first_peak / 1024
    );
}
