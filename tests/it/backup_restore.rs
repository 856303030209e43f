//! Backing up and restoring herald's database with the commands `docs/OPERATIONS.md` gives,
//! read from the guide itself: SQLite always, PostgreSQL when `HERALD_TEST_POSTGRES_URL` is set
//! (each only where its tools are installed). What was created through the CLI and the app
//! survives the round trip, the restored audit log verifies to the same entries, and a
//! credential stored through the API opens only with the key it was sealed under: the key must
//! be kept with the dump.

use crate::common;

use std::path::Path;
use std::process::Command;

use chrono::Utc;
use common::Project;
use common::documented_commands::{installed, run_documented};
use common::lifecycle::approve_version;
use herald::campaign::{ContentHash, VersionBundle, VersionState};
use herald::secrets::SecretKey;
use herald::store::Store;

const GUIDE: &str = "docs/OPERATIONS.md";

/// The key the original database seals its stored credentials under.
const KEY: &str = "6b0f3a58c1d2e4f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e";
/// Another valid key: a restore that kept the dump but not its key.
const OTHER_KEY: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

/// One account, whose only credential is stored through the API rather than in the
/// environment.
const CONFIG: &str = r#"public_url = "https://herald.example.org"

[[accounts]]
name = "partner"
platform = "webhook"
base_url = "http://127.0.0.1:9"
credentials = { secret = "HERALD_RESTORE_PARTNER_SECRET" }
"#;

/// What the original database held when it was backed up.
struct Original {
    version: ContentHash,
    /// What `herald audit verify` said of it.
    audit: String,
}

fn herald_in(dir: &Path, args: &[&str]) -> common::Run {
    common::run_in(dir, args)
}

/// `herald user add ana`, through the CLI.
fn add_ana(dir: &Path, url: &str) -> common::Run {
    let args = [
        "user",
        "add",
        "ana",
        "--role",
        "author",
        "--database-url",
        url,
    ];
    herald_in(dir, &args)
}

/// A user through the CLI; through the app, an approved version (its steps in the audit log)
/// and a partner credential sealed under [`KEY`].
async fn fill<S: Store>(store: &S, url: &str, dir: &Path) -> Original {
    let added = add_ana(dir, url);
    assert_eq!(added.code, 0, "{}", added.stderr);
    let project = Project::valid();
    let loaded = project.load();
    let bundle = VersionBundle::from_loaded(&loaded, &loaded.campaigns[0]);
    let version = approve_version(store, &bundle, Utc::now()).await.hash;
    let (nonce, sealed) = SecretKey::from_hex(KEY)
        .expect("a valid key")
        .seal("webhook:partner", "secret", "partner-secret-value")
        .expect("sealed");
    store
        .set_account_secret(
            "webhook:partner",
            "secret",
            &nonce,
            &sealed,
            "admin",
            Utc::now().timestamp_millis(),
        )
        .await
        .expect("stored");
    let verified = herald_in(dir, &["audit", "verify", "--database-url", url]);
    assert_eq!(verified.code, 0, "{}", verified.stderr);
    assert!(verified.stdout.starts_with("audit log intact: "));
    Original {
        version,
        audit: verified.stdout,
    }
}

/// `herald worker --once` on `url` with `key`, its credential only in the database.
fn worker_with_key(dir: &Path, url: &str, key: &str) -> std::process::Output {
    let config = dir.join("restore-check.toml");
    std::fs::write(&config, CONFIG).expect("write the configuration");
    Command::new(env!("CARGO_BIN_EXE_herald"))
        .args(["worker", "--once", "--database-url", url, "--config"])
        .arg(&config)
        .current_dir(dir)
        .env("HERALD_SECRET_KEY", key)
        .env_remove("HERALD_RESTORE_PARTNER_SECRET")
        .env_remove("RUST_LOG")
        .output()
        .expect("run herald worker")
}

/// The restored database at `url` holds what the original did; `audit` is what the restore
/// commands printed.
async fn assert_restored(original: &Original, url: &str, audit: &str, dir: &Path) {
    assert_eq!(
        audit, original.audit,
        "the restored audit log should verify to the same entries"
    );
    let again = add_ana(dir, url);
    assert!(
        again.code == 1 && again.stderr.contains("exists already"),
        "the user should have survived: {}",
        again.stderr
    );
    let store = herald::store::connect(url)
        .await
        .expect("open the restored database");
    let version = store
        .version(&original.version)
        .await
        .expect("read the version")
        .expect("the version should have survived");
    assert_eq!(version.state, VersionState::Approved);

    // The stored credential opens with the key the dump was sealed under, and with no other.
    let kept = worker_with_key(dir, url, KEY);
    assert!(
        kept.status.success(),
        "with its key, the restored database should start a worker: {}",
        String::from_utf8_lossy(&kept.stderr)
    );
    let lost = worker_with_key(dir, url, OTHER_KEY);
    let stderr = String::from_utf8_lossy(&lost.stderr);
    assert!(
        !lost.status.success() && stderr.contains("cannot be opened with this HERALD_SECRET_KEY"),
        "without its key, the stored credential must not open: {stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sqlite_backup_taken_while_herald_runs_restores_everything() {
    if !installed("sqlite3") {
        eprintln!("sqlite3 is not installed: SQLite backup test skipped");
        return;
    }
    let fresh = common::stores::sqlite().await;
    let file = fresh.url.strip_prefix("sqlite://").expect("a SQLite URL");
    let live = Path::new(file).parent().expect("its folder").to_path_buf();
    let original = fill(&fresh.store, &fresh.url, &live).await;

    // The store stays open throughout, as a running herald's would.
    run_documented(GUIDE, "# Back up SQLite", &live, &[]);
    let elsewhere = tempfile::tempdir().expect("temporary folder");
    std::fs::copy(
        live.join("herald-backup.db"),
        elsewhere.path().join("herald-backup.db"),
    )
    .expect("move the backup");
    let audit = run_documented(GUIDE, "# Restore SQLite", elsewhere.path(), &[]);
    let restored = format!("sqlite://{}", elsewhere.path().join("herald.db").display());
    assert_restored(&original, &restored, &audit, elsewhere.path()).await;
    fresh.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_dump_restores_everything_into_a_new_database() {
    let Some(fresh) = common::stores::postgres().await else {
        eprintln!("HERALD_TEST_POSTGRES_URL is not set: PostgreSQL backup test skipped");
        return;
    };
    if !installed("pg_dump") || !installed("psql") {
        eprintln!("pg_dump or psql is not installed: PostgreSQL backup test skipped");
        fresh.cleanup().await;
        return;
    }
    let target = common::stores::postgres_unmigrated()
        .await
        .expect("a second database on the same server");
    let dir = tempfile::tempdir().expect("temporary folder");
    let original = fill(&fresh.store, &fresh.url, dir.path()).await;

    run_documented(
        GUIDE,
        "# Back up PostgreSQL",
        dir.path(),
        &[("HERALD_DATABASE_URL", &fresh.url)],
    );
    let audit = run_documented(
        GUIDE,
        "# Restore PostgreSQL",
        dir.path(),
        &[("HERALD_DATABASE_URL", &target.url)],
    );
    assert_restored(&original, &target.url, &audit, dir.path()).await;
    fresh.cleanup().await;
    target.cleanup().await;
}
