//! The keyed audit chain, attacked as someone with write access to the database but without
//! `HERALD_SECRET_KEY` would: herald serves (the whole app, keyed), an admin changes a partner
//! credential and an evaluator exports a report through the API; then the chain is rebuilt
//! after an edit with plain SHA-256, with an HMAC under another key, downgraded from its first
//! entry, and cut short. `herald audit verify` (and `verify --head` with a head exported
//! earlier) must reject every one, and pass the untouched chain.

use crate::common;
use std::path::Path;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use common::Project;
use common::app::{AppOptions, spawn_app};
use common::lifecycle::approve_version;
use herald::app::ServiceKeys;
use herald::audit::{AuditEntry, AuditKey};
use herald::auth::{Role, issue_token};
use herald::campaign::VersionBundle;
use herald::clock::{Clock, SimulatedClock};
use herald::store::Store;

const CREDENTIAL: &str = "CREDENTIAL-VALUE-7f3a9c";

fn key() -> String {
    "5a".repeat(32)
}

/// `herald audit ARGS --database-url URL` with the service key, or another, or none.
fn audit(url: &str, args: &[&str], key: Option<&str>) -> common::Run {
    let mut all = vec!["audit"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--database-url", url]);
    common::run_with_key(Path::new("."), &all, key)
}

/// Writes `entries` and the head they end at over what the database holds, as an attacker
/// with write access would.
async fn rewrite(pool: &sqlx::SqlitePool, entries: &[AuditEntry]) {
    sqlx::query("DELETE FROM audit_log")
        .execute(pool)
        .await
        .unwrap();
    for e in entries {
        sqlx::query(
            "INSERT INTO audit_log (seq, at, actor, action, subject, version_hash, details, prev_hash, hash, key_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(e.seq)
        .bind(e.at_ms)
        .bind(&e.actor)
        .bind(&e.action)
        .bind(&e.subject)
        .bind(&e.version)
        .bind(&e.details)
        .bind(&e.prev_hash)
        .bind(&e.hash)
        .bind(&e.key_id)
        .execute(pool)
        .await
        .unwrap();
    }
    let last = entries.last().unwrap();
    sqlx::query("UPDATE audit_head SET seq = $1, hash = $2, key_id = $3 WHERE id = 1")
        .bind(last.seq)
        .bind(&last.hash)
        .bind(&last.key_id)
        .execute(pool)
        .await
        .unwrap();
}

/// The chain with entry `from`'s actor changed and every hash from there recomputed: plain
/// SHA-256 when `key` is `None`, else an HMAC under `key`; `key_id` is what the rebuilt
/// entries claim.
fn rebuilt(
    original: &[AuditEntry],
    from: i64,
    key: Option<&AuditKey>,
    key_id: Option<&str>,
) -> Vec<AuditEntry> {
    let mut entries = original.to_vec();
    let mut prev = String::new();
    for entry in &mut entries {
        if entry.seq >= from {
            if entry.seq == from {
                entry.actor = "mallory".into();
            }
            entry.prev_hash = prev.clone();
            entry.key_id = key_id.map(str::to_string);
            entry.hash = entry.expected_hash(key);
        }
        prev = entry.hash.clone();
    }
    entries
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rebuilt_or_cut_chain_is_rejected_and_an_untouched_one_passes() {
    let clock = SimulatedClock::starting_at(Utc.with_ymd_and_hms(2027, 1, 2, 9, 0, 0).unwrap());
    let mut options = AppOptions::new(common::CONFIG, Arc::new(clock.clone()));
    options.keys = ServiceKeys::from_hex(&key()).unwrap();
    let app = spawn_app(options).await;
    let store = app.fresh.store.clone();
    let url = app.fresh.url.clone();
    let mut tokens = std::collections::BTreeMap::new();
    for (name, role) in [("root", Role::Admin), ("eve", Role::Evaluator)] {
        let user = store.create_user(name, &[role], 0).await.unwrap();
        let token = issue_token();
        store
            .add_token(&token.id, &user.id, &token.secret_hash, 0)
            .await
            .unwrap();
        tokens.insert(name, token.token);
    }
    let project = Project::valid();
    let loaded = project.load();
    let bundle = VersionBundle::from_loaded(&loaded, &loaded.campaigns[0]);
    let campaign = approve_version(&store, &bundle, clock.now())
        .await
        .campaign_id;
    let client = reqwest::Client::new();
    let call = |method: reqwest::Method, path: String, who: &str, body: Option<String>| {
        let mut request = client
            .request(method, app.url(&path))
            .header("authorization", format!("Bearer {}", tokens[who]));
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body);
        }
        async move {
            let response = request.send().await.unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        }
    };
    let credential = "/api/v1/accounts/telegram:info/credentials/token".to_string();
    let body = serde_json::json!({ "value": CREDENTIAL }).to_string();
    let (status, answer) = call(reqwest::Method::PUT, credential.clone(), "root", Some(body)).await;
    assert!(status < 300, "{status} {answer}");
    let report = format!("/api/v1/campaigns/{campaign}/report?period=week&format=csv");
    let (status, answer) = call(reqwest::Method::GET, report.clone(), "eve", None).await;
    assert_eq!(status, 200, "{answer}");

    // The credential change and the export are in the log, without the secret.
    let (entries, _) = store.audit_log().await.unwrap();
    let find = |action: &str| {
        entries
            .iter()
            .find(|e| e.action == action)
            .unwrap_or_else(|| panic!("no {action} in {entries:?}"))
    };
    let set = find("account.credential_set");
    assert_eq!(
        (set.actor.as_str(), set.subject.as_str()),
        ("root", "telegram:info")
    );
    let exported = find("report.exported");
    assert_eq!(
        (exported.actor.as_str(), exported.subject.as_str()),
        ("eve", campaign.as_str())
    );
    let details: serde_json::Value = serde_json::from_str(&exported.details).unwrap();
    assert_eq!(
        (details["format"].as_str(), details["via"].as_str()),
        (Some("csv"), Some("api"))
    );
    find("publication.policy_changed");
    let everything = format!("{entries:?}");
    assert!(!everything.contains(CREDENTIAL), "the secret is in the log");
    for token in tokens.values() {
        assert!(
            !everything.contains(token.as_str()),
            "a token is in the log"
        );
    }
    let keyed = AuditKey::from_hex(&key()).unwrap();
    assert!(
        entries
            .iter()
            .all(|e| e.key_id.as_deref() == Some(keyed.id()))
    );

    // Untouched: verify passes and says where the keyed part starts; a head is exported.
    let run = audit(&url, &["verify"], Some(&key()));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .contains(&format!("keyed from entry 1 on with key id {}", keyed.id()))
    );
    let dir = tempfile::tempdir().unwrap();
    let head_file = dir.path().join("head.json");
    let head_path = head_file.to_str().unwrap();
    let run = audit(&url, &["export-head", "--out", head_path], Some(&key()));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let head: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&head_file).unwrap()).unwrap();
    assert_eq!(head["entries"], entries.len() as i64);
    assert_eq!(head["key_id"], keyed.id());
    assert!(!head.to_string().contains(&key()), "the key is in the head");
    // Without the key, nothing is exported and nothing keyed can be checked.
    let run = audit(&url, &["export-head"], None);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("set HERALD_SECRET_KEY"),
        "{}",
        run.stderr
    );
    let run = audit(&url, &["verify"], None);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("entries from 1 on are keyed; set HERALD_SECRET_KEY"),
        "{}",
        run.stderr
    );

    // Work goes on after the export; the chain still passes both checks.
    let (status, _) = call(reqwest::Method::DELETE, credential, "root", None).await;
    assert!(status < 300);
    let (status, _) = call(reqwest::Method::GET, report, "eve", None).await;
    assert_eq!(status, 200);
    let run = audit(&url, &["verify", "--head", head_path], Some(&key()));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("is still in the chain"),
        "{}",
        run.stdout
    );
    let (original, _) = store.audit_log().await.unwrap();
    let deleted = original
        .iter()
        .any(|e| e.action == "account.credential_deleted");
    assert!(deleted && !format!("{original:?}").contains(CREDENTIAL));

    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    let rejected = |args: &[&str], expected: &str| {
        let run = audit(&url, args, Some(&key()));
        assert_eq!(run.code, 1, "{args:?} passed: {}", run.stdout);
        assert!(run.stderr.contains(expected), "{args:?}: {}", run.stderr);
    };
    let edited = 3;
    // An edit, and every later hash recomputed with plain SHA-256 under the old key id ...
    rewrite(&pool, &rebuilt(&original, edited, None, Some(keyed.id()))).await;
    rejected(&["verify"], "entry 3 was edited");
    // ... or as plain entries ...
    rewrite(&pool, &rebuilt(&original, edited, None, None)).await;
    rejected(
        &["verify"],
        "entry 3 is plain SHA-256 though the chain is keyed from entry 1",
    );
    // ... or with an HMAC under a key of the attacker's, naming it or naming ours.
    let wrong = AuditKey::from_hex(&"66".repeat(32)).unwrap();
    rewrite(
        &pool,
        &rebuilt(&original, edited, Some(&wrong), Some(wrong.id())),
    )
    .await;
    rejected(
        &["verify"],
        &format!("entry 3 is signed with key id {}", wrong.id()),
    );
    rewrite(
        &pool,
        &rebuilt(&original, edited, Some(&wrong), Some(keyed.id())),
    )
    .await;
    rejected(&["verify"], "entry 3 was edited");
    // Rebuilt as plain SHA-256 from the very first entry, the database alone cannot tell a
    // chain never keyed; the exported head can.
    rewrite(&pool, &rebuilt(&original, 1, None, None)).await;
    let run = audit(&url, &["verify"], Some(&key()));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("plain SHA-256: anyone who could write the database"),
        "{}",
        run.stderr
    );
    rejected(&["verify", "--head", head_path], "the chain was rebuilt");
    // Cut short below the exported head, head row and all: consistent on its own, but not
    // with the head kept elsewhere.
    let cut = head["entries"].as_i64().unwrap() - 1;
    let kept: Vec<AuditEntry> = original.iter().filter(|e| e.seq <= cut).cloned().collect();
    rewrite(&pool, &kept).await;
    let run = audit(&url, &["verify"], Some(&key()));
    assert_eq!(run.code, 0, "{}", run.stderr);
    rejected(
        &["verify", "--head", head_path],
        &format!(
            "the log ends at entry {cut} but the exported head records {}",
            cut + 1
        ),
    );
    // A head file edited to match the cut chain no longer carries a valid mac.
    let mut forged = head.clone();
    forged["entries"] = serde_json::json!(cut);
    forged["hash"] = serde_json::json!(kept.last().unwrap().hash);
    let forged_file = dir.path().join("forged.json");
    std::fs::write(&forged_file, forged.to_string()).unwrap();
    rejected(
        &["verify", "--head", forged_file.to_str().unwrap()],
        "the head file was edited",
    );

    // Put back, the chain passes both checks again; a change without the key is refused.
    rewrite(&pool, &original).await;
    let run = audit(&url, &["verify", "--head", head_path], Some(&key()));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = common::run_with_key(
        Path::new("."),
        &[
            "user",
            "add",
            "zoe",
            "--role",
            "author",
            "--database-url",
            &url,
        ],
        None,
    );
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("the audit chain is keyed"),
        "{}",
        run.stderr
    );
    pool.close().await;
    app.stop().await;
}
