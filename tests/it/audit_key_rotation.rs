//! The keyed audit chain across a key rotation, as an operator runs it: entries keyed under the
//! old key, `herald keys rotate` with both keys, then `herald audit verify` with both keys (and
//! against heads exported before and after), with the new key alone (which must name the
//! retired key it lacks), and `herald serve` on the rotated chain. The attack: someone holding
//! the retired key appends an entry under it after the rotation.

use crate::common;

use std::process::Command;

use common::Project;
use common::served::Served;
use herald::audit::{AuditEntry, AuditKey};

fn old_key() -> String {
    "0a".repeat(32)
}

fn new_key() -> String {
    "b1".repeat(32)
}

/// `herald ARGS --database-url URL` with `HERALD_SECRET_KEY` and, when given,
/// `HERALD_SECRET_KEY_PREVIOUS`.
fn herald(project: &Project, args: &[&str], current: &str, previous: Option<&str>) -> common::Run {
    let database = format!("sqlite://{}", project.path("herald.db").display());
    let mut command = Command::new(env!("CARGO_BIN_EXE_herald"));
    command
        .args(args)
        .args(["--database-url", &database])
        .current_dir(project.dir.path())
        .env_remove("RUST_LOG")
        .env("NO_COLOR", "1")
        .env("HERALD_SECRET_KEY", current)
        .env_remove("HERALD_SECRET_KEY_PREVIOUS");
    if let Some(previous) = previous {
        command.env("HERALD_SECRET_KEY_PREVIOUS", previous);
    }
    let output = command.output().expect("run herald");
    common::Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn succeeded(run: &common::Run) {
    assert_eq!(
        run.code, 0,
        "stdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
}

/// Appends an entry under `key` after the head, as someone with that key and write access to
/// the database would.
async fn append_under(pool: &sqlx::SqlitePool, key: &AuditKey) {
    let (seq, hash): (i64, String) =
        sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(pool)
            .await
            .unwrap();
    let mut entry = AuditEntry {
        seq: seq + 1,
        at_ms: 1_800_000_000_000,
        actor: "admin".into(),
        action: "user.added".into(),
        subject: "mallory".into(),
        version: None,
        details: "{}".into(),
        prev_hash: hash,
        hash: String::new(),
        key_id: Some(key.id().to_string()),
    };
    entry.hash = entry.expected_hash(Some(key));
    sqlx::query(
        "INSERT INTO audit_log (seq, at, actor, action, subject, version_hash, details, prev_hash, hash, key_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(entry.seq)
    .bind(entry.at_ms)
    .bind(&entry.actor)
    .bind(&entry.action)
    .bind(&entry.subject)
    .bind(&entry.version)
    .bind(&entry.details)
    .bind(&entry.prev_hash)
    .bind(&entry.hash)
    .bind(&entry.key_id)
    .execute(pool)
    .await
    .unwrap();
    sqlx::query("UPDATE audit_head SET seq = $1, hash = $2, key_id = $3 WHERE id = 1")
        .bind(entry.seq)
        .bind(&entry.hash)
        .bind(&entry.key_id)
        .execute(pool)
        .await
        .unwrap();
}

#[test]
fn the_audit_chain_moves_to_the_new_key_and_verifies_with_the_retired_one() {
    let project = Project::valid();
    let (old, new) = (old_key(), new_key());
    let old_id = AuditKey::from_hex(&old).unwrap().id().to_string();
    let new_id = AuditKey::from_hex(&new).unwrap().id().to_string();
    let head_before = project.path("head-before.json");
    let head_after = project.path("head-after.json");
    let (head_before, head_after) = (head_before.to_str().unwrap(), head_after.to_str().unwrap());

    // The chain keyed under the old key, its head exported.
    let add = ["user", "add", "alice", "--role", "author"];
    succeeded(&herald(&project, &add, &old, None));
    succeeded(&herald(
        &project,
        &["audit", "export-head", "--out", head_before],
        &old,
        None,
    ));

    // Rotation: the keys.rotated entry goes under the new key and names the old one.
    succeeded(&herald(&project, &["keys", "rotate"], &new, Some(&old)));
    let log = herald(&project, &["audit", "verify"], &new, Some(&old));
    succeeded(&log);
    assert!(log.stdout.contains("audit log intact"), "{}", log.stdout);

    // With the new key alone, the entries under the retired key cannot be checked, and the
    // operator is told which key to give.
    let alone = herald(&project, &["audit", "verify"], &new, None);
    assert_eq!(alone.code, 1, "{}", alone.stdout);
    assert!(
        alone
            .stderr
            .contains(&format!("signed with key id {old_id}"))
            && alone
                .stderr
                .contains("set HERALD_SECRET_KEY_PREVIOUS to it"),
        "{}",
        alone.stderr
    );

    // Heads exported before and after the rotation still check the chain.
    succeeded(&herald(
        &project,
        &["audit", "verify", "--head", head_before],
        &new,
        Some(&old),
    ));
    succeeded(&herald(
        &project,
        &["audit", "export-head", "--out", head_after],
        &new,
        Some(&old),
    ));
    let exported: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(head_after).unwrap()).unwrap();
    assert_eq!(exported["key_id"], serde_json::json!(new_id));
    succeeded(&herald(
        &project,
        &["audit", "verify", "--head", head_after],
        &new,
        Some(&old),
    ));

    // serve starts on the rotated chain, with both keys and then with the new key alone, and
    // what it writes verifies.
    let env = [
        ("HERALD_SECRET_KEY", new.as_str()),
        ("HERALD_SECRET_KEY_PREVIOUS", old.as_str()),
    ];
    let served = Served::start(&project, &["--sandbox"], &env);
    assert_eq!(served.stop(), Some(0));
    let served = Served::start(&project, &["--sandbox"], &[("HERALD_SECRET_KEY", &new)]);
    assert_eq!(served.stop(), Some(0));
    succeeded(&herald(
        &project,
        &["user", "add", "bob", "--role", "author"],
        &new,
        None,
    ));
    succeeded(&herald(&project, &["audit", "verify"], &new, Some(&old)));

    // The attack: an entry appended under the retired key after the rotation.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let database = format!("sqlite://{}", project.path("herald.db").display());
        let pool = sqlx::SqlitePool::connect(&database).await.unwrap();
        append_under(&pool, &AuditKey::from_hex(&old).unwrap()).await;
        pool.close().await;
    });
    let spliced = herald(&project, &["audit", "verify"], &new, Some(&old));
    assert_eq!(spliced.code, 1, "{}", spliced.stdout);
    assert!(
        spliced.stderr.contains(&format!(
            "changes the chain's key from key id {new_id} to {old_id} without a keys.rotated entry"
        )),
        "{}",
        spliced.stderr
    );
}

/// serve and worker start during a rotation on a chain still under the old key, and the first
/// entry under the new key is a keys.rotated entry naming the old one.
#[test]
fn serve_starts_with_both_keys_before_the_rotation_runs() {
    let project = Project::valid();
    let (old, new) = (old_key(), new_key());
    succeeded(&herald(
        &project,
        &["user", "add", "alice", "--role", "author"],
        &old,
        None,
    ));
    let env = [
        ("HERALD_SECRET_KEY", new.as_str()),
        ("HERALD_SECRET_KEY_PREVIOUS", old.as_str()),
    ];
    let served = Served::start(&project, &["--sandbox"], &env);
    assert_eq!(served.stop(), Some(0));
    succeeded(&herald(
        &project,
        &["user", "add", "bob", "--role", "author"],
        &new,
        Some(&old),
    ));
    succeeded(&herald(&project, &["audit", "verify"], &new, Some(&old)));
    // The old key alone no longer writes: the chain moved on.
    let refused = herald(
        &project,
        &["user", "add", "carol", "--role", "author"],
        &old,
        None,
    );
    assert_eq!(refused.code, 1, "{}", refused.stdout);
    assert!(
        refused
            .stderr
            .contains("the audit chain is keyed with key id"),
        "{}",
        refused.stderr
    );
}
