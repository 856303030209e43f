//! Planning and storage benchmarks, each against a baseline measured in the same run:
//! - planning 1,000 campaigns × 3 segments × one year of daily sends, against bare cron
//!   iteration over the same slots (the floor: what croner alone costs);
//! - inserting outbox jobs in batches, against one INSERT per job, on SQLite and (when
//!   `HERALD_TEST_POSTGRES_URL` is set) PostgreSQL.
//!
//! `cargo bench -- store_plan`.

use std::time::Instant;

use chrono::{TimeZone, Utc};
use herald::campaign::diagnostic::{Diagnostics, SourceFile};
use herald::campaign::parse::parse_campaign;
use herald::campaign::{Campaign, ContentHash, VersionBundle};
use herald::config::Config;
use herald::schedule::{CronSchedule, PlannedJob, planned_jobs, slots};
use herald::store::{Store, connect};

use crate::postgres::{self, BenchDatabase};
use crate::table::{Figure, Row, Rows, verdict};

/// The name `cargo bench -- NAME` selects this benchmark by.
pub const NAME: &str = "store_plan";

/// Planning a year of 1,000 campaigns must stay under this.
const PLANNING_TARGET_MS: f64 = 1000.0;

const CAMPAIGNS: usize = 1_000;
const BATCHED_JOBS: usize = 100_000;
const SINGLE_JOBS: usize = 5_000;

const CONFIG: &str = r#"
[[accounts]]
name = "info"
platform = "telegram"
base_url = "http://127.0.0.1:8090"
credentials = { token = "HERALD_TG_TOKEN" }
chats = { "*" = "@demo" }
"#;

fn campaign(i: usize, config: &Config) -> Campaign {
    let text = format!(
        r#"id = "c{i}"
title = "Campaign {i}"
authority = "Ministry of Examples"
purpose = "Benchmark"
legal_basis = "public task"
starts = 2027-01-01
ends = 2027-12-31
default_locale = "en"

[[segments]]
id = "a"
kind = "in_eu"
countries = ["NL"]
locales = ["en"]
timezone = "Europe/Amsterdam"

[[segments]]
id = "b"
kind = "diaspora"
countries = ["US"]
locales = ["en"]
timezone = "America/New_York"

[[segments]]
id = "c"
kind = "third_country"
countries = ["AF"]
locales = ["en"]
timezone = "Asia/Kabul"

[[messages]]
id = "m"

[[sends]]
message = "m"
segments = ["a", "b", "c"]
channels = ["telegram:info"]
cron = "{} 10 * * *"
"#,
        i % 60
    );
    let mut diags = Diagnostics::default();
    let parsed = parse_campaign(
        SourceFile::new(format!("c{i}.toml"), text),
        None,
        config,
        "herald.toml",
        &mut diags,
    );
    parsed.unwrap_or_else(|| panic!("generated campaign is valid: {:?}", diags.into_sorted()))
}

fn jobs(n: usize, version: &ContentHash) -> Vec<PlannedJob> {
    let start = Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap();
    (0..n)
        .map(|i| {
            let slot = start + chrono::Duration::minutes(i as i64);
            PlannedJob {
                idempotency_key: format!(
                    "{}/s/seg/en/telegram:info/{}",
                    version.as_str(),
                    slot.timestamp()
                ),
                version: version.clone(),
                send: "s".into(),
                segment: "seg".into(),
                locale: "en".into(),
                channel: "telegram:info".into(),
                slot,
            }
        })
        .collect()
}

/// Batched inserts against one INSERT (and one commit) per job, on the store at `url`.
async fn insert_rates(label: &str, url: &str) -> Row {
    let store = connect(url).await.expect("connect");
    store.migrate().await.expect("migrate");
    let bundle = VersionBundle {
        format: 1,
        campaign_id: format!(
            "bench-{}",
            Utc::now().timestamp_nanos_opt().unwrap_or_default()
        ),
        campaign: String::new(),
        translations: Default::default(),
        layouts: Default::default(),
        channels: vec![],
    };
    let version = store
        .save_version(&bundle, Utc::now())
        .await
        .expect("version")
        .hash;
    let batched = jobs(BATCHED_JOBS, &version);
    let start = Instant::now();
    let inserted = store.insert_jobs(&batched).await.expect("insert");
    let batched_time = start.elapsed();
    assert_eq!(inserted as usize, BATCHED_JOBS);
    // The baseline: the same rows one statement (and one commit) each.
    let singles: Vec<PlannedJob> =
        jobs(BATCHED_JOBS + SINGLE_JOBS, &version).split_off(BATCHED_JOBS);
    let start = Instant::now();
    for job in &singles {
        store
            .insert_jobs(std::slice::from_ref(job))
            .await
            .expect("insert one");
    }
    let single_time = start.elapsed();
    let batched_rate = BATCHED_JOBS as f64 / batched_time.as_secs_f64();
    let single_rate = SINGLE_JOBS as f64 / single_time.as_secs_f64();
    // Planning the same jobs again inserts nothing.
    let again = store.insert_jobs(&batched).await.expect("re-insert");
    assert_eq!(again, 0);
    Row::measured(
        NAME,
        format!("insert {BATCHED_JOBS} outbox jobs batched, {label}"),
        Figure::per_second(batched_rate, "jobs/s"),
        format!("one INSERT per job ({SINGLE_JOBS} jobs)"),
        Figure::per_second(single_rate, "jobs/s"),
        "planning them again inserts nothing",
    )
}

pub fn run(rows: &mut Rows) {
    crate::runtime(2).block_on(measure(rows));
}

async fn measure(rows: &mut Rows) {
    let mut diags = Diagnostics::default();
    let config = Config::parse(
        &SourceFile::new("herald.toml", CONFIG.to_string()),
        &mut diags,
    );
    let campaigns: Vec<Campaign> = (0..CAMPAIGNS).map(|i| campaign(i, &config)).collect();
    let from = Utc.with_ymd_and_hms(2026, 12, 31, 0, 0, 0).unwrap();
    let until = Utc.with_ymd_and_hms(2028, 1, 2, 0, 0, 0).unwrap();

    // Baseline: croner alone, iterating the same schedules in the same zones.
    let start = Instant::now();
    let mut bare = 0usize;
    for campaign in &campaigns {
        let cron = CronSchedule::parse(campaign.sends[0].cron.pattern()).expect("cron");
        for segment in &campaign.segments {
            let window_end = until.with_timezone(&segment.timezone);
            let mut cursor = from.with_timezone(&segment.timezone);
            while let Some(next) = cron.next_after(&cursor) {
                if next >= window_end {
                    break;
                }
                bare += 1;
                cursor = next;
            }
        }
    }
    let baseline = start.elapsed();

    let start = Instant::now();
    let planned: usize = campaigns.iter().map(|c| slots(c, from, until).len()).sum();
    let planning = start.elapsed();
    assert_eq!(
        planned,
        CAMPAIGNS * 3 * 365,
        "one slot a day per segment, within the campaign's dates"
    );
    assert!(bare >= planned);

    let hash = VersionBundle {
        format: 1,
        campaign_id: "x".into(),
        campaign: String::new(),
        translations: Default::default(),
        layouts: Default::default(),
        channels: vec![],
    }
    .content_hash();
    let start = Instant::now();
    let job_count: usize = campaigns
        .iter()
        .map(|c| planned_jobs(c, &hash, from, until).len())
        .sum();
    let jobs_time = start.elapsed();

    let planning = Figure::ms(planning);
    rows.push(Row::measured(
        NAME,
        format!("plan {CAMPAIGNS} campaigns × 3 segments × 365 days"),
        planning,
        "bare cron iteration over the same slots",
        Figure::ms(baseline),
        format!(
            "{planned} slots; target < {PLANNING_TARGET_MS:.0} ms: {}",
            verdict(planning.value < PLANNING_TARGET_MS)
        ),
    ));
    rows.push(Row::measured(
        NAME,
        "plan the same as outbox jobs with idempotency keys",
        Figure::ms(jobs_time),
        "bare cron iteration over the same slots",
        Figure::ms(baseline),
        format!("{job_count} jobs"),
    ));

    let dir = tempfile::tempdir().expect("temporary folder");
    let sqlite_url = format!("sqlite://{}", dir.path().join("bench.db").display());
    rows.push(insert_rates("SQLite", &sqlite_url).await);
    match postgres::server() {
        Some(server) => {
            let database = BenchDatabase::create(&server, "store_plan").await;
            rows.push(insert_rates("PostgreSQL", &database.url).await);
            database.drop_database().await;
        }
        None => rows.push(Row::skipped(
            NAME,
            format!("insert {BATCHED_JOBS} outbox jobs batched, PostgreSQL"),
            postgres::SKIPPED,
        )),
    }
}
