//! The compatibility rule `docs/OPERATIONS.md` gives for upgrades: herald's migrations only add
//! to the schema, so a process of the previous release that is already running keeps working
//! after the next release migrated the database under it, while one that starts afterwards
//! refuses the newer schema. A rolling update relies on the first half; the second keeps an
//! old binary from writing into a schema it does not know.

use crate::common;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use common::due_jobs::{schedule_due_jobs, webhook_config};
use common::stores::raw_execute;
use common::workers::{drain_stderr, spawn_worker, stop_gracefully};
use herald::campaign::ContentHash;
use herald::clock::SystemClock;
use herald::sandbox::{Sandbox, SandboxConfig, SandboxLimits};
use herald::store::Store;

/// Jobs given to the worker before the migration, and again after it.
const BATCH: usize = 30;

/// What a statement of a migration may not do: each would break a process of the previous
/// release that reads or writes what it removes, renames or retypes (an `ON CONFLICT` needs its
/// unique index, an insert that names no new column needs it nullable or with a default).
const BREAKING: &[&str] = &[
    "DROP TABLE",
    "DROP COLUMN",
    "DROP INDEX",
    "DROP CONSTRAINT",
    "DROP VIEW",
    "RENAME",
    "ALTER COLUMN",
    "TRUNCATE",
];

/// The statements of a migration file, without comments, upper-cased, whitespace collapsed.
fn statements(sql: &str) -> Vec<String> {
    let code: String = sql
        .lines()
        .map(|line| line.split("--").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join(" ");
    code.split(';')
        .map(|statement| {
            statement
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_uppercase()
        })
        .filter(|statement| !statement.is_empty())
        .collect()
}

#[test]
fn every_migration_only_adds_to_the_schema() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let mut checked = 0;
    for dialect in ["sqlite", "postgres"] {
        let mut files: Vec<_> = std::fs::read_dir(root.join(dialect))
            .expect("a migrations folder")
            .map(|entry| entry.expect("a directory entry").path())
            .collect();
        files.sort();
        for file in files {
            let name = format!(
                "migrations/{dialect}/{}",
                file.file_name().unwrap_or_default().to_string_lossy()
            );
            let sql = std::fs::read_to_string(&file).expect("a migration");
            for statement in statements(&sql) {
                let words = format!(" {statement} ");
                for breaking in BREAKING {
                    assert!(
                        !words.contains(&format!(" {breaking} ")),
                        "{name}: `{breaking}` breaks the processes of the previous release that are still running during an upgrade: {statement}"
                    );
                }
                if statement.contains("ADD COLUMN") && statement.contains("NOT NULL") {
                    assert!(
                        statement.contains("DEFAULT"),
                        "{name}: a new NOT NULL column needs a default, or the previous release's inserts fail: {statement}"
                    );
                }
            }
            checked += 1;
        }
    }
    assert!(checked >= 24, "read only {checked} migrations");
}

/// The next release's migration, applied by hand: a nullable column on the table the worker
/// writes most, a new table, and the ledger entry that makes the schema newer than this build.
async fn migrate_to_the_next_release(url: &str) {
    raw_execute(url, "ALTER TABLE outbox ADD COLUMN delivery_note TEXT").await;
    raw_execute(
        url,
        "CREATE TABLE delivery_notes (id BIGINT PRIMARY KEY, note TEXT NOT NULL)",
    )
    .await;
    raw_execute(
        url,
        "INSERT INTO herald_schema_migrations (version, name, applied_at) \
         SELECT MAX(version) + 1, 'from_the_next_release', 0 FROM herald_schema_migrations",
    )
    .await;
}

/// Waits until the partner has had `count` deliveries and the outbox records the jobs of
/// `versions` sent, `count` in all.
async fn wait_for_sent<S: Store>(
    store: &S,
    versions: &[&ContentHash],
    sandbox: &Sandbox,
    worker: &mut Child,
    log: &mut Option<JoinHandle<String>>,
    count: usize,
) {
    let started = Instant::now();
    loop {
        let mut sent = 0;
        for version in versions {
            let jobs = store.jobs_for_version(version).await.unwrap();
            sent += jobs.iter().filter(|job| job.status == "sent").count();
        }
        let delivered = sandbox.counts().new_deliveries as usize;
        if sent >= count && delivered >= count {
            assert_eq!(sent, count, "only the jobs given were sent");
            return;
        }
        assert!(
            worker.try_wait().expect("the worker's status").is_none(),
            "the running worker stopped ({sent} of {count} sent)"
        );
        if started.elapsed() > Duration::from_secs(90) {
            let _ = worker.kill();
            let _ = worker.wait();
            let log = log
                .take()
                .and_then(|log| log.join().ok())
                .unwrap_or_default();
            panic!(
                "only {sent} of {count} jobs sent, {delivered} delivered; the worker said:\n{log}"
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn a_running_worker_keeps_sending_after_the_next_release_migrates<S: Store>(
    store: S,
    url: &str,
) {
    let sandbox = Sandbox::new(
        SandboxConfig {
            limits: SandboxLimits::off(),
            ..SandboxConfig::default()
        },
        Arc::new(SystemClock),
    );
    let running = sandbox.start(0).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config_path = dir.path().join("herald.toml");
    let config = webhook_config(&running.base_url(), 1_000);
    std::fs::write(&config_path, &config).unwrap();

    // This build's worker, running: it has sent a first batch.
    let before = schedule_due_jobs(&store, &config, "Before the upgrade", BATCH).await;
    let mut worker = spawn_worker(url, &config_path, &running.base_url(), 10, Stdio::piped());
    let mut log = Some(drain_stderr(&mut worker));
    wait_for_sent(&store, &[&before], &sandbox, &mut worker, &mut log, BATCH).await;

    // The next release migrates the database under it, and new jobs come due.
    migrate_to_the_next_release(url).await;
    let after = schedule_due_jobs(&store, &config, "After the upgrade", BATCH).await;
    wait_for_sent(
        &store,
        &[&before, &after],
        &sandbox,
        &mut worker,
        &mut log,
        2 * BATCH,
    )
    .await;

    // A process of this build that starts now refuses the newer schema.
    let late = Command::new(env!("CARGO_BIN_EXE_herald"))
        .args(["worker", "--once", "--sandbox-url", &running.base_url()])
        .args(["--database-url", url, "--config"])
        .arg(&config_path)
        .env_remove("RUST_LOG")
        .output()
        .expect("run herald worker");
    let stderr = String::from_utf8_lossy(&late.stderr);
    assert!(
        !late.status.success() && stderr.contains("newer than this herald knows"),
        "a worker starting on a newer schema should refuse it: {stderr}"
    );

    // The running one still stops cleanly.
    stop_gracefully(worker, log.expect("the worker's log"));
    running.shutdown().await;
}

on_both_stores!(a_running_worker_keeps_sending_after_the_next_release_migrates);
