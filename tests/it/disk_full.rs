//! A full disk, met as an operator meets it. The real `herald` binary runs with its SQLite
//! database, or the report it writes, on a tiny tmpfs mounted in a private user and mount
//! namespace, so SQLite and the file system give a real SQLITE_FULL / ENOSPC, not a mock.
//!
//! It proves, for a worker planning a batch of thousands of jobs in one transaction, for
//! `herald migrate` on a fresh database, and for `herald report --out FILE`:
//! - the command exits 1 with an error that names the file, says the disk is full and what to
//!   do, and still shows SQLite's own words;
//! - nothing is half-written: the database passes `PRAGMA integrity_check` and holds exactly
//!   what it held before (the transaction rolled back as a whole); a report file is either
//!   absent or keeps its previous contents, and no partial file is left beside it;
//! - once space is freed (the tmpfs is remounted larger), the same command completes and the
//!   result equals that of a run on a roomy disk: the same jobs, none twice; the same schema;
//!   the same report.
//!
//! Needs `unshare` and permission to create a user namespace (no root); without them the
//! test says why and skips.

use crate::common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};

use chrono::{Duration, NaiveDate, Utc};
use common::lifecycle::schedule_version;
use herald::campaign::diagnostic::{Diagnostics, SourceFile};
use herald::campaign::parse::parse_campaign;
use herald::campaign::{Campaign, ContentHash, VersionBundle};
use herald::config::Config;
use herald::schedule::planned_jobs;
use herald::store::{DeliveryCount, SqliteStore, Store};
use sqlx::SqlitePool;
use sqlx::sqlite::SqliteConnectOptions;

const HERALD: &str = env!("CARGO_BIN_EXE_herald");

/// Space SQLite needs on the tmpfs besides the database and its WAL: the `-shm` index.
const SHM_BYTES: u64 = 32 * 1024;
const PAGE: u64 = 4096;

const CONFIG: &str = r#"public_url = "https://herald.example.org"

[[accounts]]
name = "hook"
platform = "webhook"
base_url = "http://127.0.0.1:9"
credentials = { secret = "HERALD_DISK_FULL_SECRET" }
"#;

const LOCALES: [&str; 3] = ["ar", "fr", "en"];

/// A campaign of one day, tomorrow (UTC), sending every minute from 12:00 to 23:59 to three
/// segments in three locales: 6,480 jobs, all inside a worker's 48-hour planning horizon, so
/// every run plans exactly the same batch whenever it runs today.
fn campaign_text(tomorrow: NaiveDate) -> String {
    let segments: String = ["a", "b", "c"]
        .iter()
        .map(|id| {
            format!(
                "[[segments]]\nid = \"{id}\"\nkind = \"in_eu\"\ncountries = [\"NL\"]\nlocales = [\"ar\", \"fr\", \"en\"]\ntimezone = \"UTC\"\n\n"
            )
        })
        .collect();
    format!(
        r#"id = "fill"
title = "Fill the disk"
authority = "Ministry of Examples"
purpose = "Plan a large batch of jobs"
legal_basis = "public task"
starts = {tomorrow}
ends = {tomorrow}
default_locale = "en"

{segments}[[messages]]
id = "alert"

[[sends]]
id = "every-minute"
message = "alert"
segments = ["a", "b", "c"]
channels = ["webhook:hook"]
cron = "* 12-23 * * *"
"#
    )
}

/// Why this machine cannot run the test, if it cannot: no `unshare`, or no unprivileged user
/// namespace in which to mount a tmpfs.
fn namespace_problem(dir: &Path) -> Option<String> {
    let output = Command::new("unshare")
        .args(["--user", "--map-root-user", "--mount", "sh", "-c"])
        .arg(r#"mount -t tmpfs -o size=64k tmpfs "$1""#)
        .arg("sh")
        .arg(dir)
        .output();
    match output {
        Err(error) => Some(format!("cannot run unshare: {error}")),
        Ok(output) if !output.status.success() => Some(format!(
            "cannot mount a tmpfs in a private namespace: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        )),
        Ok(_) => None,
    }
}

/// Runs a shell script in a private user and mount namespace, where it mounts its tmpfs. The
/// tmpfs is gone when the script ends, so the script copies out what the test inspects.
/// `vars` become environment variables; `HERALD` is the binary under test.
fn in_namespace(script: &str, vars: &[(&str, String)]) -> Output {
    let mut command = Command::new("unshare");
    command
        .args(["--user", "--map-root-user", "--mount", "sh", "-c", script])
        .env("HERALD", HERALD)
        .env_remove("RUST_LOG")
        .env_remove("HERALD_DATABASE_URL")
        .env("NO_COLOR", "1");
    for (name, value) in vars {
        command.env(name, value);
    }
    let output = command.output().expect("run unshare");
    assert!(
        output.status.success(),
        "the namespace script failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// What one `herald` run inside the namespace left: its exit code and output (the script wrote
/// them to `<dir>/<name>.code|stdout|stderr`).
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run_result(dir: &Path, name: &str) -> Run {
    let read = |ext: &str| std::fs::read_to_string(dir.join(format!("{name}.{ext}"))).unwrap();
    Run {
        code: read("code").trim().parse().unwrap(),
        stdout: read("stdout"),
        stderr: read("stderr"),
    }
}

fn herald(dir: &Path, args: &[&str]) -> Run {
    let output = Command::new(HERALD)
        .args(args)
        .current_dir(dir)
        .env_remove("RUST_LOG")
        .env_remove("HERALD_DATABASE_URL")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

async fn open(path: &Path) -> SqlitePool {
    SqlitePool::connect_with(SqliteConnectOptions::new().filename(path))
        .await
        .unwrap()
}

async fn integrity(pool: &SqlitePool) -> String {
    sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(pool)
        .await
        .unwrap()
}

/// Bytes of the database's pages: its size once the WAL is checkpointed into it.
async fn logical_bytes(pool: &SqlitePool) -> u64 {
    let pages: i64 = sqlx::query_scalar("PRAGMA page_count")
        .fetch_one(pool)
        .await
        .unwrap();
    let size: i64 = sqlx::query_scalar("PRAGMA page_size")
        .fetch_one(pool)
        .await
        .unwrap();
    (pages * size) as u64
}

/// Every row of every table (except those named in `skip`), each row quoted as SQL, sorted.
async fn dump(pool: &SqlitePool, skip: &[&str]) -> BTreeMap<String, Vec<String>> {
    let tables: Vec<String> =
        sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .fetch_all(pool)
            .await
            .unwrap();
    let mut out = BTreeMap::new();
    for table in tables.into_iter().filter(|t| !skip.contains(&t.as_str())) {
        let columns: Vec<String> =
            sqlx::query_scalar("SELECT name FROM pragma_table_info($1) ORDER BY cid")
                .bind(&table)
                .fetch_all(pool)
                .await
                .unwrap();
        let row = columns
            .iter()
            .map(|c| format!("quote(\"{c}\")"))
            .collect::<Vec<_>>()
            .join(" || ',' || ");
        let rows: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT {row} FROM \"{table}\" ORDER BY 1"
        )))
        .fetch_all(pool)
        .await
        .unwrap();
        out.insert(table, rows);
    }
    out
}

/// The schema: every table, index and trigger with its SQL.
async fn schema(pool: &SqlitePool) -> Vec<(String, String, Option<String>)> {
    sqlx::query_as("SELECT type, name, sql FROM sqlite_master ORDER BY type, name")
        .fetch_all(pool)
        .await
        .unwrap()
}

async fn count(pool: &SqlitePool, sql: &'static str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

/// Rounds up to whole pages (tmpfs sizes are in pages).
fn pages(bytes: u64) -> u64 {
    bytes.div_ceil(PAGE) * PAGE
}

fn assert_says_disk_full(run: &Run, file: &str) {
    assert_eq!(run.code, 1, "exit code; stderr: {}", run.stderr);
    let expected = format!("error: the disk holding the database {file} is full");
    assert!(
        run.stderr.contains(&expected),
        "names the file and the cause: {}",
        run.stderr
    );
    assert!(
        run.stderr.contains("database or disk is full"),
        "keeps SQLite's own words: {}",
        run.stderr
    );
    assert!(
        run.stderr.contains("rolled back") && run.stderr.contains("free space"),
        "says what happened and what to do: {}",
        run.stderr
    );
}

/// A scheduled version of the campaign, and counters for its report, in a database built in
/// `work` and copied with `VACUUM INTO` to `path`: one self-contained file (no WAL beside it)
/// that a script can copy. Returns the campaign, its version and its one day.
async fn seed_database(work: &Path, path: &Path) -> (Campaign, ContentHash, NaiveDate) {
    let url = format!("sqlite://{}", work.join("building.db").display());
    let store = SqliteStore::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    let mut diags = Diagnostics::default();
    let config = Config::parse(
        &SourceFile::new("herald.toml", CONFIG.to_string()),
        &mut diags,
    );
    let tomorrow = Utc::now().date_naive() + Duration::days(1);
    let text = campaign_text(tomorrow);
    let campaign = parse_campaign(
        SourceFile::new("fill.toml", text.clone()),
        Some("fill"),
        &config,
        "herald.toml",
        &mut diags,
    )
    .unwrap_or_else(|| panic!("{:?}", diags.into_sorted()));
    let bundle = VersionBundle {
        format: 1,
        campaign_id: "fill".into(),
        campaign: text,
        translations: LOCALES
            .iter()
            .map(|l| {
                (
                    l.to_string(),
                    format!("alert = Safe and legal options ({l}).\n"),
                )
            })
            .collect(),
        layouts: Default::default(),
        channels: vec!["webhook:hook".into()],
    };
    let version = schedule_version(&store, &bundle, Utc::now()).await.hash;
    // Delivery counters, so that the campaign's report has tables to show.
    let mut counts = Vec::new();
    for segment in ["a", "b", "c"] {
        for (i, locale) in LOCALES.iter().enumerate() {
            for (status, n) in [("sent", 900), ("delivered", 800), ("read", 300)] {
                counts.push(DeliveryCount {
                    campaign: "fill".into(),
                    version: version.to_string(),
                    send: "every-minute".into(),
                    segment: segment.into(),
                    locale: locale.to_string(),
                    channel: "webhook:hook".into(),
                    variant: String::new(),
                    day: tomorrow.to_string(),
                    status: status.into(),
                    count: n + 10 * i as i64,
                    key_sum: 0,
                });
            }
        }
    }
    store.add_delivery_counts(&counts).await.unwrap();
    let pool = open(&work.join("building.db")).await;
    sqlx::query("VACUUM INTO $1")
        .bind(path.display().to_string())
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    (campaign, version, tomorrow)
}

/// Runs the worker once with its database on a tmpfs of `size` bytes (copied from `seed`),
/// copies the database out to `<out>/full/`, remounts the tmpfs with room to spare, runs the
/// same command again and copies the database out to `<out>/retry/`.
const WORKER_SCRIPT: &str = r#"
set -u
mount -t tmpfs -o size="$SIZE" tmpfs "$MNT"
cp "$SEED" "$MNT/herald.db"
work() {
    "$HERALD" --config "$CONFIG" --database-url "sqlite://$MNT/herald.db" \
        worker --once --sandbox-url http://127.0.0.1:9 >"$OUT/$1.stdout" 2>"$OUT/$1.stderr"
    echo $? >"$OUT/$1.code"
    mkdir "$OUT/$1"
    for f in "$MNT"/herald.db "$MNT"/herald.db-wal; do
        if [ -e "$f" ]; then cp "$f" "$OUT/$1/"; fi
    done
}
work full
mount -o remount,size=256m "$MNT"
work retry
"#;

/// `herald migrate` on a fresh database on a tmpfs of `size` bytes, then again after the
/// tmpfs is remounted larger; the database is copied out after each.
const MIGRATE_SCRIPT: &str = r#"
set -u
mount -t tmpfs -o size="$SIZE" tmpfs "$MNT"
migrate() {
    "$HERALD" --database-url "sqlite://$MNT/herald.db" migrate >"$OUT/$1.stdout" 2>"$OUT/$1.stderr"
    echo $? >"$OUT/$1.code"
    mkdir "$OUT/$1"
    for f in "$MNT"/herald.db "$MNT"/herald.db-wal; do
        if [ -e "$f" ]; then cp "$f" "$OUT/$1/"; fi
    done
}
migrate full
mount -o remount,size=64m "$MNT"
migrate retry
"#;

/// `herald report --out` onto a tmpfs that a ballast file fills but for `$FREE` bytes: once
/// over an earlier report, once to a new file. Then the ballast is removed and both run again.
/// The database stays on the ordinary disk.
const REPORT_SCRIPT: &str = r#"
set -u
mount -t tmpfs -o size=1m tmpfs "$MNT"
printf 'the previous report\n' >"$MNT/report.html"
dd if=/dev/zero of="$MNT/ballast" bs=4096 2>/dev/null
truncate -s "-$FREE" "$MNT/ballast"
report() {
    "$HERALD" --database-url "$DATABASE" report fill --as-of 2099-12-31 --format html --out "$MNT/$2" \
        >"$OUT/$1.stdout" 2>"$OUT/$1.stderr"
    echo $? >"$OUT/$1.code"
}
report full-over report.html
report full-new new.html
ls -A "$MNT" >"$OUT/full.listing"
cp "$MNT/report.html" "$OUT/full-report.html"
rm "$MNT/ballast"
report retry-over report.html
report retry-new new.html
ls -A "$MNT" >"$OUT/retry.listing"
cp "$MNT/report.html" "$MNT/new.html" "$OUT/"
"#;

/// The report with its one time-dependent line (when it was generated) taken out.
fn without_generated_time(html: &str) -> String {
    html.lines()
        .filter(|line| !line.contains("Generated "))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A temporary folder with an empty `mnt/` for the tmpfs, or `None` (said on standard error)
/// when this machine cannot mount one in a private namespace.
fn scene(test: &str) -> Option<(tempfile::TempDir, std::path::PathBuf)> {
    let dir = tempfile::tempdir().unwrap();
    let mnt = dir.path().join("mnt");
    std::fs::create_dir(&mnt).unwrap();
    if let Some(problem) = namespace_problem(&mnt) {
        eprintln!("{test} skipped: {problem}");
        return None;
    }
    Some((dir, mnt))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_planning_on_a_full_disk_rolls_back_its_batch_and_completes_once_space_is_freed() {
    let Some((dir, mnt)) = scene("worker on a full disk") else {
        return;
    };
    let root = dir.path();
    std::fs::write(root.join("herald.toml"), CONFIG).unwrap();

    let seed = root.join("seed.db");
    let (campaign, version, day) = seed_database(root, &seed).await;
    let tomorrow = day.and_hms_opt(0, 0, 0).unwrap().and_utc();
    let expected_jobs = planned_jobs(&campaign, &version, tomorrow, tomorrow + Duration::days(1));

    // The same command on a roomy disk: what a run that never hit the fault leaves.
    let control_dir = root.join("control");
    std::fs::create_dir(&control_dir).unwrap();
    std::fs::copy(&seed, control_dir.join("herald.db")).unwrap();
    let control_url = format!("sqlite://{}", control_dir.join("herald.db").display());
    let config_path = root.join("herald.toml").display().to_string();
    let control = herald(
        root,
        &[
            "--config",
            &config_path,
            "--database-url",
            &control_url,
            "worker",
            "--once",
            "--sandbox-url",
            "http://127.0.0.1:9",
        ],
    );
    assert_eq!(control.code, 0, "{}", control.stderr);
    let seed_pool = open(&seed).await;
    let seed_bytes = logical_bytes(&seed_pool).await;
    // The sweep of expired consent records commits on its own before planning starts; the
    // time it swept up to is the one row it moves, and it is not part of the batch. Nor are
    // the mark the rehearsal sets on the database when it starts, and the retention sweep's
    // record of which audiences the active campaigns reach (also committed before planning).
    let seed_rows = dump(
        &seed_pool,
        &[
            "consent_prune_horizon",
            "deployment_marks",
            "audience_reach",
        ],
    )
    .await;
    let control_pool = open(&control_dir.join("herald.db")).await;
    let batch_bytes = logical_bytes(&control_pool).await - seed_bytes;
    let control_jobs = count(&control_pool, "SELECT COUNT(*) FROM outbox").await;
    assert_eq!(control_jobs as usize, expected_jobs.len());

    // Room for the seed and the shared-memory index, and for half the batch's pages.
    let size = pages(seed_bytes) + SHM_BYTES + pages(batch_bytes / 2);
    let out = root.join("worker");
    std::fs::create_dir(&out).unwrap();
    in_namespace(
        WORKER_SCRIPT,
        &[
            ("SIZE", size.to_string()),
            ("MNT", mnt.display().to_string()),
            ("SEED", seed.display().to_string()),
            ("CONFIG", config_path.clone()),
            ("OUT", out.display().to_string()),
        ],
    );
    let database = format!("{}/herald.db", mnt.display());
    let full = run_result(&out, "full");
    assert_says_disk_full(&full, &database);
    let after_full = open(&out.join("full/herald.db")).await;
    assert_eq!(integrity(&after_full).await, "ok");
    assert_eq!(
        dump(
            &after_full,
            &[
                "consent_prune_horizon",
                "deployment_marks",
                "audience_reach"
            ]
        )
        .await,
        seed_rows,
        "the database holds exactly what it held before the failed command"
    );

    let retry = run_result(&out, "retry");
    assert_eq!(retry.code, 0, "{}", retry.stderr);
    assert_eq!(retry.stdout, control.stdout);
    let after_retry = open(&out.join("retry/herald.db")).await;
    assert_eq!(integrity(&after_retry).await, "ok");
    let retried_jobs = count(&after_retry, "SELECT COUNT(*) FROM outbox").await;
    let distinct_keys = count(
        &after_retry,
        "SELECT COUNT(DISTINCT idempotency_key) FROM outbox",
    )
    .await;
    assert_eq!(retried_jobs, distinct_keys, "no job twice");
    // Everything but the planning horizon, which is `now + 48 h` of each run, and the time
    // each run marked the database as a rehearsal's.
    assert_eq!(
        dump(
            &after_retry,
            &[
                "plan_horizon",
                "consent_prune_horizon",
                "deployment_marks",
                "audience_reach"
            ]
        )
        .await,
        dump(
            &control_pool,
            &[
                "plan_horizon",
                "consent_prune_horizon",
                "deployment_marks",
                "audience_reach"
            ]
        )
        .await,
        "the retried run leaves what a run on a roomy disk leaves"
    );
    let room = size - pages(seed_bytes) - SHM_BYTES;
    eprintln!("worker on a full disk said: {}", full.stderr.trim());
    eprintln!(
        "worker: disk full with room for {} KiB of the batch's {} KiB (about {} of {} jobs); \
         exit {}; rolled back: {} of {} jobs stored, integrity ok, every row as before; \
         retried: {} jobs, {} distinct, equal to a roomy run",
        room / 1024,
        batch_bytes / 1024,
        room * control_jobs as u64 / batch_bytes,
        control_jobs,
        full.code,
        count(&after_full, "SELECT COUNT(*) FROM outbox").await,
        control_jobs,
        retried_jobs,
        distinct_keys
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrate_on_a_full_disk_applies_no_migration_and_completes_once_space_is_freed() {
    let Some((dir, mnt)) = scene("migrate on a full disk") else {
        return;
    };
    let root = dir.path();
    let database = format!("{}/herald.db", mnt.display());
    let fresh_dir = root.join("fresh");
    std::fs::create_dir(&fresh_dir).unwrap();
    let fresh_url = format!("sqlite://{}", fresh_dir.join("herald.db").display());
    let migrated = herald(root, &["--database-url", &fresh_url, "migrate"]);
    assert_eq!(migrated.code, 0, "{}", migrated.stderr);
    let fresh_pool = open(&fresh_dir.join("herald.db")).await;
    let schema_bytes = logical_bytes(&fresh_pool).await;
    let size = SHM_BYTES + pages(schema_bytes / 2);
    let out = root.join("migrate");
    std::fs::create_dir(&out).unwrap();
    in_namespace(
        MIGRATE_SCRIPT,
        &[
            ("SIZE", size.to_string()),
            ("MNT", mnt.display().to_string()),
            ("OUT", out.display().to_string()),
        ],
    );
    let full = run_result(&out, "full");
    assert_says_disk_full(&full, &database);
    let after_full = open(&out.join("full/herald.db")).await;
    assert_eq!(integrity(&after_full).await, "ok");
    // The ledger is created before the migrations' transaction; nothing else may exist.
    let tables: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT tbl_name FROM sqlite_master ORDER BY tbl_name")
            .fetch_all(&after_full)
            .await
            .unwrap();
    assert_eq!(
        tables,
        ["herald_schema_migrations"],
        "no migration half-applied"
    );
    let applied_after_full =
        count(&after_full, "SELECT COUNT(*) FROM herald_schema_migrations").await;
    assert_eq!(applied_after_full, 0);
    eprintln!("migrate on a full disk said: {}", full.stderr.trim());
    let retry = run_result(&out, "retry");
    assert_eq!(retry.code, 0, "{}", retry.stderr);
    assert_eq!(retry.stdout, migrated.stdout);
    let after_retry = open(&out.join("retry/herald.db")).await;
    assert_eq!(integrity(&after_retry).await, "ok");
    assert_eq!(schema(&after_retry).await, schema(&fresh_pool).await);
    let versions = "SELECT group_concat(version) FROM (SELECT version FROM herald_schema_migrations ORDER BY version)";
    let applied: String = sqlx::query_scalar(versions)
        .fetch_one(&after_retry)
        .await
        .unwrap();
    let control_applied: String = sqlx::query_scalar(versions)
        .fetch_one(&fresh_pool)
        .await
        .unwrap();
    assert_eq!(applied, control_applied);
    eprintln!(
        "migrate: disk full ({} KiB tmpfs; the schema needs {} KiB); exit {}; rolled back: {} migrations recorded, \
         tables {:?}, integrity ok; retried: migrations {}, schema equal to a roomy run",
        size / 1024,
        schema_bytes / 1024,
        full.code,
        applied_after_full,
        tables,
        applied
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_on_a_full_disk_leaves_no_partial_file_and_keeps_the_earlier_one() {
    let Some((dir, mnt)) = scene("report on a full disk") else {
        return;
    };
    let root = dir.path();
    // The database, with counters to report, stays on the ordinary disk.
    seed_database(root, &root.join("herald.db")).await;
    let report_db = format!("sqlite://{}", root.join("herald.db").display());
    let printed = herald(
        root,
        &[
            "--database-url",
            &report_db,
            "report",
            "--as-of",
            "2099-12-31",
            "fill",
            "--format",
            "html",
        ],
    );
    assert_eq!(printed.code, 0, "{}", printed.stderr);
    let report_len = printed.stdout.len() as u64;
    // Room for half the report, in whole pages.
    let free = (report_len / 2 / PAGE).max(1) * PAGE;
    assert!(
        free < report_len,
        "the report ({report_len} bytes) must not fit"
    );
    let out = root.join("report");
    std::fs::create_dir(&out).unwrap();
    in_namespace(
        REPORT_SCRIPT,
        &[
            ("FREE", free.to_string()),
            ("MNT", mnt.display().to_string()),
            ("DATABASE", report_db.clone()),
            ("OUT", out.display().to_string()),
        ],
    );
    for (name, file) in [("full-over", "report.html"), ("full-new", "new.html")] {
        let run = run_result(&out, name);
        assert_eq!(run.code, 1, "{name}: {}", run.stderr);
        let expected = format!(
            "error: cannot write {}/{file}: the disk is full (No space left on device",
            mnt.display()
        );
        assert!(run.stderr.contains(&expected), "{name}: {}", run.stderr);
        assert!(run.stderr.contains("free space"), "{name}: {}", run.stderr);
    }
    assert_eq!(
        std::fs::read_to_string(out.join("full.listing")).unwrap(),
        "ballast\nreport.html\n",
        "no new file and no partial file left behind"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("full-report.html")).unwrap(),
        "the previous report\n",
        "the earlier report is untouched"
    );
    for (name, file) in [("retry-over", "report.html"), ("retry-new", "new.html")] {
        let run = run_result(&out, name);
        assert_eq!(run.code, 0, "{name}: {}", run.stderr);
        assert_eq!(
            without_generated_time(&std::fs::read_to_string(out.join(file)).unwrap()),
            without_generated_time(&printed.stdout),
            "{name}: the whole report"
        );
    }
    assert_eq!(
        std::fs::read_to_string(out.join("retry.listing")).unwrap(),
        "new.html\nreport.html\n"
    );
    eprintln!(
        "report: disk full ({} KiB free for a {} KiB report); exit 1 twice; no partial file, the earlier report kept; \
         retried: both reports whole",
        free / 1024,
        report_len.div_ceil(1024)
    );
}
