//! Dispatch throughput, end to end against herald's partner emulator in a process of its own
//! (limits off), beside a bare HTTP client loop against the same emulator (the ceiling), and
//! herald's own peak memory at growing outbox sizes (each size in a fresh herald process, so
//! peaks do not mix, and without the emulator's). The two segments speak locales of their own,
//! so every job is a post of its own: segments that share a chat, a text and a slot share one
//! post, which would halve the requests.
//!
//! `cargo bench -- dispatch` runs 10,000 and 100,000 jobs on SQLite, and on PostgreSQL when
//! `HERALD_TEST_POSTGRES_URL` names a server; `HERALD_BENCH_FULL=1` adds 1,000,000.

use std::sync::Arc;
use std::time::Instant;

use chrono::Utc;
use herald::campaign::diagnostic::{Diagnostics, SourceFile};
use herald::campaign::parse::parse_campaign;
use herald::campaign::{VersionBundle, VersionState};
use herald::clock::SystemClock;
use herald::config::Config;
use herald::dispatch::{DispatchSettings, Dispatcher};
use herald::schedule::planned_jobs;
use herald::store::{SqlStore, Store};

use crate::bare_client::{self, Request};
use crate::child_run;
use crate::cpu_time::{cpu_seconds, micros_per};
use crate::emulator::Emulator;
use crate::peak_memory::peak_rss_kb;
use crate::postgres::{self, BenchDatabase};
use crate::table::{Figure, Row, Rows};

/// The name `cargo bench -- NAME` selects this benchmark by.
pub const NAME: &str = "dispatch";

/// The flag that makes the bench binary one measured run: `--dispatch-child JOBS STORE
/// EMULATOR BATCHES`, STORE being `sqlite` or a PostgreSQL URL and BATCHES `large` or
/// `defaults` (see [`child`]).
pub const CHILD_FLAG: &str = "--dispatch-child";

/// The largest run, only with `HERALD_BENCH_FULL=1` (about two minutes more).
const FULL_RUN_JOBS: usize = 1_000_000;

const IN_FLIGHT: usize = 64;
const WORKERS: usize = 4;
const CEILING_REQUESTS: usize = 20_000;

const CONFIG: &str = r#"
[[accounts]]
name = "info"
platform = "telegram"
base_url = "http://127.0.0.1:9"
credentials = { token = "HERALD_BENCH_TOKEN" }
chats = { ar = "@bench_ar", fr = "@bench_fr", so = "@bench_so", ti = "@bench_ti", ps = "@bench_ps", "*" = "@bench_en" }
max_in_flight = 64
"#;

const TEXT: &str = "Smugglers put lives at risk. Ask for free, confidential advice on safe and legal options: counsellors explain what is possible, what it takes and how long it lasts. https://herald.example.org/r/0123456789abcdef";

fn campaign_files() -> (String, Vec<(String, String)>) {
    let today = Utc::now().date_naive();
    let campaign = format!(
        r#"id = "bench"
title = "Benchmark"
authority = "Ministry of Examples"
purpose = "Measure dispatch"
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

[[segments]]
id = "b"
kind = "diaspora"
countries = ["US"]
locales = ["so", "ti", "ps"]
timezone = "America/New_York"

[[messages]]
id = "alert"
link = "https://example.org/info"

[[sends]]
id = "every-minute"
message = "alert"
segments = ["a", "b"]
channels = ["telegram:info"]
cron = "* * * * *"
"#,
        today - chrono::Duration::days(400),
        today + chrono::Duration::days(1)
    );
    let translations = ["en", "fr", "ar", "so", "ti", "ps"]
        .iter()
        .map(|l| (l.to_string(), format!("alert = {TEXT} ({l})\n")))
        .collect();
    (campaign, translations)
}

/// The ceiling: the same Telegram requests from a bare client, as many in flight as herald's
/// workers allow.
async fn bare_client_rate(base_url: &str) -> f64 {
    let request = Request {
        url: format!("{base_url}/botbench/sendMessage"),
        headers: Vec::new(),
        body: serde_json::json!({"chat_id": "@bench_en", "text": TEXT, "parse_mode": "HTML"})
            .to_string(),
    };
    bare_client::requests_per_second(request, CEILING_REQUESTS, IN_FLIGHT * WORKERS).await
}

/// One measured run with `jobs` jobs on `store` (`sqlite`: a temporary file; else a database
/// URL) against the emulator at `emulator_url`, in a process of its own so that its peak
/// memory is herald's: prints `RESULT jobs deliveries/s peak-kB`.
pub fn child(jobs: usize, store: &str, emulator_url: &str, batches: Batches) {
    crate::runtime(2).block_on(async {
        let dir = tempfile::tempdir().expect("temporary folder");
        let url = match store {
            "sqlite" => format!("sqlite://{}", dir.path().join("bench.db").display()),
            url => url.to_string(),
        };
        let store = SqlStore::connect(&url).await.expect("store");
        store.migrate().await.expect("migrate");
        measured_run(store, jobs, emulator_url, batches).await;
    });
}

async fn measured_run(store: SqlStore, jobs: usize, emulator_url: &str, batches: Batches) {
    let mut diags = Diagnostics::default();
    let config = Arc::new(Config::parse(
        &SourceFile::new("herald.toml", CONFIG.to_string()),
        &mut diags,
    ));
    let (campaign_text, translations) = campaign_files();
    let campaign = parse_campaign(
        SourceFile::new("bench.toml", campaign_text.clone()),
        Some("bench"),
        &config,
        "herald.toml",
        &mut diags,
    )
    .unwrap_or_else(|| panic!("{:?}", diags.into_sorted()));
    let bundle = VersionBundle {
        format: 1,
        campaign_id: "bench".into(),
        campaign: campaign_text,
        translations: translations.into_iter().collect(),
        layouts: Default::default(),
        channels: vec!["telegram:info".into()],
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
            .transition(&version, state, Utc::now(), "tester")
            .await
            .expect("transition");
    }
    // Fill the outbox a day at a time (8,640 jobs), never holding it all in memory.
    let mut inserted = 0;
    let mut until = Utc::now() - chrono::Duration::minutes(1);
    while inserted < jobs {
        let from = until - chrono::Duration::days(1);
        let mut day = planned_jobs(&campaign, &version, from, until);
        day.truncate(jobs - inserted);
        inserted += store.insert_jobs(&day).await.expect("insert") as usize;
        until = from;
    }
    let workers: Vec<Dispatcher<SqlStore>> = (0..WORKERS)
        .map(|i| {
            let mut settings = DispatchSettings {
                worker_id: format!("bench-{i}"),
                sandbox_url: Some(emulator_url.to_string()),
                ..DispatchSettings::default()
            };
            if batches == Batches::Large {
                settings.batch_size = 1_024;
                settings.chunk = 1_024;
            }
            Dispatcher::new(
                store.clone(),
                Arc::new(SystemClock),
                Arc::clone(&config),
                settings,
            )
            .expect("dispatcher")
        })
        .collect();
    let start = Instant::now();
    let cpu_before = cpu_seconds(None);
    let mut tasks = tokio::task::JoinSet::new();
    for worker in workers {
        tasks.spawn(async move { while worker.tick().await.expect("tick").leased > 0 {} });
    }
    while let Some(done) = tasks.join_next().await {
        done.expect("worker");
    }
    let elapsed = start.elapsed();
    println!(
        "RESULT {jobs} {:.0} {} {:.2}",
        jobs as f64 / elapsed.as_secs_f64(),
        peak_rss_kb(),
        cpu_seconds(None) - cpu_before,
    );
}

/// How the workers batch: the benchmark's large batches (1,024 jobs, all marked at once), or
/// what `herald worker` uses unless told otherwise.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Batches {
    Large,
    WorkerDefaults,
}

impl Batches {
    /// As the child's command line names it.
    pub fn arg(self) -> &'static str {
        match self {
            Batches::Large => "large",
            Batches::WorkerDefaults => "defaults",
        }
    }

    pub fn from_arg(arg: &str) -> Option<Batches> {
        [Batches::Large, Batches::WorkerDefaults]
            .into_iter()
            .find(|b| b.arg() == arg)
    }
}

/// The stores a run is measured on: SQLite always, PostgreSQL when a server is configured.
#[derive(Clone, Copy)]
enum StoreKind {
    Sqlite,
    Postgres,
}

impl StoreKind {
    fn name(self) -> &'static str {
        match self {
            StoreKind::Sqlite => "SQLite",
            StoreKind::Postgres => "PostgreSQL",
        }
    }
}

/// The bare client's rate against the emulator, and what each request cost both in CPU.
struct Ceiling {
    rate: f64,
    client_micros: f64,
    emulator_micros: f64,
}

impl Ceiling {
    fn baseline(&self) -> String {
        format!(
            "bare HTTP client, {} in flight ({:.0} µs CPU a request, emulator {:.0} µs)",
            IN_FLIGHT * WORKERS,
            self.client_micros,
            self.emulator_micros
        )
    }
}

/// One measured size: herald's deliveries a second, its peak memory, its CPU and the
/// emulator's per delivery, and the seconds the whole run took (with filling the outbox).
struct Measured {
    rate: f64,
    peak_kb: f64,
    herald_micros: f64,
    emulator_micros: f64,
    seconds: f64,
}

impl Measured {
    fn notes(&self) -> String {
        format!(
            "herald's peak memory {:.1} MB (emulator apart); herald {:.0} µs CPU a delivery, emulator {:.0} µs; {:.0} s with filling the outbox",
            self.peak_kb / 1024.0,
            self.herald_micros,
            self.emulator_micros,
            self.seconds,
        )
    }
}

pub fn run(rows: &mut Rows) {
    let ceiling = crate::runtime(2).block_on(async {
        let emulator = Emulator::start();
        let (own, emulator_before) = (cpu_seconds(None), emulator.cpu_seconds());
        let rate = bare_client_rate(&emulator.base_url).await;
        Ceiling {
            rate,
            client_micros: micros_per(cpu_seconds(None) - own, CEILING_REQUESTS),
            emulator_micros: micros_per(emulator.cpu_seconds() - emulator_before, CEILING_REQUESTS),
        }
    });
    let full = std::env::var("HERALD_BENCH_FULL").is_ok_and(|v| v == "1");
    let mut sizes = vec![10_000usize, 100_000];
    if full {
        sizes.push(FULL_RUN_JOBS);
    }
    for kind in [StoreKind::Sqlite, StoreKind::Postgres] {
        let server = postgres::server();
        if let (StoreKind::Postgres, None) = (kind, &server) {
            rows.push(Row::skipped(
                NAME,
                format!("{WORKERS} workers, PostgreSQL"),
                postgres::SKIPPED,
            ));
            continue;
        }
        for &jobs in &sizes {
            let measured = one_size(kind, server.as_deref(), jobs, Batches::Large);
            rows.push(Row::measured(
                NAME,
                format!(
                    "{jobs} jobs, {WORKERS} workers, {}, emulator limits off",
                    kind.name()
                ),
                Figure::per_second(measured.rate, "deliveries/s"),
                ceiling.baseline(),
                Figure::per_second(ceiling.rate, "requests/s"),
                measured.notes(),
            ));
        }
    }
    // The same run with `herald worker`'s own batch settings, beside the large batches above.
    let jobs = 100_000;
    let measured = one_size(StoreKind::Sqlite, None, jobs, Batches::WorkerDefaults);
    let defaults = herald::dispatch::DispatchSettings::default();
    rows.push(Row::measured(
        NAME,
        format!(
            "{jobs} jobs, {WORKERS} workers, SQLite, herald worker's batches ({} jobs, chunks of {})",
            defaults.batch_size, defaults.chunk
        ),
        Figure::per_second(measured.rate, "deliveries/s"),
        ceiling.baseline(),
        Figure::per_second(ceiling.rate, "requests/s"),
        measured.notes(),
    ));
    if !full {
        rows.push(Row::skipped(
            NAME,
            format!("{FULL_RUN_JOBS} jobs, {WORKERS} workers"),
            "HERALD_BENCH_FULL not set",
        ));
    }
}

/// One size on one store, in a fresh herald process against a fresh emulator.
fn one_size(kind: StoreKind, server: Option<&str>, jobs: usize, batches: Batches) -> Measured {
    let runtime = crate::runtime(1);
    let database = match (kind, server) {
        (StoreKind::Postgres, Some(server)) => {
            Some(runtime.block_on(BenchDatabase::create(server, "dispatch")))
        }
        _ => None,
    };
    let store = database
        .as_ref()
        .map_or_else(|| "sqlite".to_string(), |database| database.url.clone());
    let emulator = Emulator::start();
    let started = Instant::now();
    let emulator_before = emulator.cpu_seconds();
    let output = std::process::Command::new(std::env::current_exe().expect("own path"))
        .args([
            CHILD_FLAG,
            &jobs.to_string(),
            &store,
            &emulator.base_url,
            batches.arg(),
        ])
        .output()
        .expect("child run");
    let seconds = started.elapsed().as_secs_f64();
    // The emulator's CPU over the whole child run; it only answers herald's sends.
    let emulator_cpu = emulator.cpu_seconds() - emulator_before;
    let delivered = runtime.block_on(emulator.counts()).new_deliveries;
    if let Some(database) = database {
        runtime.block_on(database.drop_database());
    }
    let fields = child_run::result_fields(&output, &format!("{jobs} jobs"));
    assert_eq!(delivered as usize, jobs, "every job delivered once");
    let [_, rate, peak_kb, herald_cpu] = fields[..] else {
        panic!("dispatch run of {jobs} jobs: unreadable result {fields:?}");
    };
    Measured {
        rate,
        peak_kb,
        herald_micros: micros_per(herald_cpu, jobs),
        emulator_micros: micros_per(emulator_cpu, jobs),
        seconds,
    }
}
