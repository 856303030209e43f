//! The HTTP API as its users meet it: the real router on port 0 with a fresh database, tokens
//! for each role, and requests over HTTP.

use crate::common;

use herald::report::{Protection, Published};
use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use common::app::{AppOptions, TestApp, spawn_app};
use herald::api::route_table;
use herald::app::ServiceKeys;
use herald::auth::{Role, issue_token};
use herald::clock::{Clock, SimulatedClock};
use herald::config::Config;
use herald::store::{SqliteStore, Store};
use serde_json::{Value, json};

struct App {
    base: String,
    store: SqliteStore,
    url: String,
    clock: SimulatedClock,
    config: Arc<Config>,
    tokens: BTreeMap<String, String>,
    client: reqwest::Client,
    /// The redirector's click counters not yet written.
    clicks: Arc<herald::reach::ClickTally>,
    /// The redirector's index of links.
    links: Arc<herald::reach::LinkIndex>,
    _app: TestApp,
}

impl App {
    async fn spawn() -> App {
        App::spawn_with(common::CONFIG).await
    }

    /// The app with this `herald.toml`, assembled as `herald serve` assembles it.
    async fn spawn_with(herald_toml: &str) -> App {
        let clock = SimulatedClock::starting_at(Utc.with_ymd_and_hms(2027, 1, 2, 9, 0, 0).unwrap());
        let mut options = AppOptions::new(herald_toml, Arc::new(clock.clone()));
        options.keys = ServiceKeys::from_hex(&"42".repeat(32)).unwrap();
        let app = spawn_app(options).await;
        App {
            base: app.base.clone(),
            store: app.fresh.store.clone(),
            url: app.fresh.url.clone(),
            clock,
            config: Arc::clone(&app.config),
            tokens: BTreeMap::new(),
            client: reqwest::Client::new(),
            clicks: Arc::clone(app.running.clicks().unwrap()),
            links: Arc::clone(app.running.links().unwrap()),
            _app: app,
        }
    }

    /// A fresh app with the three people a campaign passes through: ana (author), ben
    /// (approver) and sam (scheduler).
    async fn with_staff() -> App {
        let mut app = App::spawn().await;
        app.user("ana", &[Role::Author]).await;
        app.user("ben", &[Role::Approver]).await;
        app.user("sam", &[Role::Scheduler]).await;
        app
    }

    /// Adds a user with these roles and keeps their token.
    async fn user(&mut self, name: &str, roles: &[Role]) -> String {
        let user = self.store.create_user(name, roles, 0).await.unwrap();
        let token = issue_token();
        self.store
            .add_token(&token.id, &user.id, &token.secret_hash, 0)
            .await
            .unwrap();
        self.tokens.insert(name.to_string(), token.token.clone());
        token.token
    }

    async fn call(
        &self,
        method: &str,
        path: &str,
        who: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let url = format!("{}{path}", self.base);
        let mut request = match method {
            "GET" => self.client.get(url),
            "PUT" => self.client.put(url),
            "DELETE" => self.client.delete(url),
            _ => self.client.post(url),
        };
        if let Some(who) = who {
            request = request.header("authorization", format!("Bearer {}", self.tokens[who]));
        }
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body.to_string());
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    async fn raw(&self, path: &str, who: &str, content_type: &str, body: Vec<u8>) -> (u16, Value) {
        let response = self
            .client
            .post(format!("{}{path}", self.base))
            .header("authorization", format!("Bearer {}", self.tokens[who]))
            .header("content-type", content_type)
            .body(body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }
}

/// Announces a 5 MiB body and reads the answer without sending it.
async fn oversized_status(app: &App, who: &str) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = app.base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let head = format!(
        "POST /api/v1/campaigns HTTP/1.1\r\nhost: {address}\r\nauthorization: Bearer {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{{",
        app.tokens[who],
        5 * 1024 * 1024
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = vec![0u8; 1024];
    let read = stream.read(&mut answer).await.unwrap();
    let text = String::from_utf8_lossy(&answer[..read]);
    text.split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

fn bundle(campaign: &str) -> Value {
    json!({"campaign": campaign, "translations": {"en": common::EN, "ar": common::AR, "fr": common::FR}})
}

async fn uploaded(app: &App, who: &str, campaign: &str) -> String {
    let (status, body) = app
        .call(
            "POST",
            "/api/v1/campaigns",
            Some(who),
            Some(bundle(campaign)),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    body["version"].as_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_allows_exactly_its_roles() {
    let mut app = App::spawn().await;
    for role in Role::ALL {
        app.user(role.name(), &[role]).await;
    }
    let hash = uploaded(&app, "author", common::CAMPAIGN).await;
    let routes = route_table();
    assert!(routes.len() >= 16);
    for spec in &routes {
        let path = spec
            .path
            .replace("{campaign}", "demo")
            .replace("{hash}", &hash)
            .replace("{locale}", "ar");
        for role in Role::ALL {
            let body = (spec.method == axum::http::Method::POST).then(|| bundle(common::CAMPAIGN));
            let (status, answer) = app
                .call(spec.method.as_str(), &path, Some(role.name()), body)
                .await;
            if spec.roles.contains(&role) {
                assert!(
                    status != 401 && status != 403 && status < 500,
                    "{} {path} as {role}: {status} {answer}",
                    spec.method
                );
            } else {
                assert_eq!(
                    status, 403,
                    "{} {path} as {role} must be refused: {answer}",
                    spec.method
                );
                assert_eq!(answer["error"]["code"], "forbidden");
            }
        }
        let (status, _) = app.call(spec.method.as_str(), &path, None, None).await;
        assert_eq!(status, 401, "{} {path} without a token", spec.method);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_eyes_and_approval_bound_to_content() {
    let mut app = App::spawn().await;
    app.user("ana", &[Role::Author, Role::Approver]).await;
    app.user("ben", &[Role::Approver]).await;
    app.user("sam", &[Role::Scheduler]).await;
    let hash = uploaded(&app, "ana", common::CAMPAIGN).await;
    // Uploading the same content again is the same version.
    assert_eq!(uploaded(&app, "ana", common::CAMPAIGN).await, hash);
    let (status, body) = app
        .call(
            "POST",
            &format!("/api/v1/versions/{hash}/approve"),
            Some("ben"),
            None,
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("illegal_transition")),
        "a draft cannot be approved: {body}"
    );
    assert_eq!(
        app.call(
            "POST",
            &format!("/api/v1/versions/{hash}/submit"),
            Some("ana"),
            None
        )
        .await
        .0,
        200
    );
    let (status, body) = app
        .call(
            "POST",
            &format!("/api/v1/versions/{hash}/approve"),
            Some("ana"),
            None,
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (403, Some("own_version")),
        "{body}"
    );
    let (status, body) = app
        .call(
            "POST",
            &format!("/api/v1/versions/{hash}/approve"),
            Some("ben"),
            Some(json!({"note": "checked all locales"})),
        )
        .await;
    assert_eq!(
        (status, body["state"].as_str()),
        (200, Some("approved")),
        "{body}"
    );
    let (_, details) = app
        .call(
            "GET",
            &format!("/api/v1/versions/{hash}"),
            Some("sam"),
            None,
        )
        .await;
    assert_eq!(details["authors"], json!(["ana"]));
    assert_eq!(details["decisions"][0]["user"], "ben");
    assert_eq!(details["decisions"][0]["note"], "checked all locales");

    // Any edit is a new version, in draft, needing approval again.
    let edited = common::CAMPAIGN.replace("Demo campaign", "Demo campaign, revised");
    let new_hash = uploaded(&app, "ana", &edited).await;
    assert_ne!(new_hash, hash);
    let (status, body) = app
        .call(
            "POST",
            &format!("/api/v1/versions/{new_hash}/schedule"),
            Some("sam"),
            None,
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("illegal_transition")),
        "{body}"
    );
    let (status, body) = app
        .call(
            "POST",
            &format!("/api/v1/versions/{hash}/schedule"),
            Some("sam"),
            None,
        )
        .await;
    assert_eq!(
        (status, body["state"].as_str()),
        (200, Some("scheduled")),
        "{body}"
    );
    let (_, versions) = app
        .call("GET", "/api/v1/campaigns/demo/versions", Some("sam"), None)
        .await;
    let states: Vec<&str> = versions["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["state"].as_str().unwrap())
        .collect();
    assert_eq!(states.len(), 2);
    assert!(states.contains(&"scheduled") && states.contains(&"draft"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_get_clear_4xx_never_500() {
    let mut app = App::spawn().await;
    app.user("ana", &[Role::Author]).await;
    let (status, body) = app
        .raw(
            "/api/v1/campaigns",
            "ana",
            "application/json",
            b"{\"campaign\": ".to_vec(),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("malformed_json")),
        "{body}"
    );
    let (status, body) = app
        .call(
            "POST",
            "/api/v1/campaigns",
            Some("ana"),
            Some(json!({"campaign": "x", "colour": "red"})),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (422, Some("invalid_body")),
        "{body}"
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("unknown field `colour`"),
        "{body}"
    );
    let (status, body) = app
        .call(
            "POST",
            "/api/v1/campaigns",
            Some("ana"),
            Some(json!({"campaign": 42})),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (422, Some("invalid_body")),
        "{body}"
    );
    let (status, _) = app
        .raw("/api/v1/campaigns", "ana", "text/plain", b"{}".to_vec())
        .await;
    assert_eq!(status, 415);
    // A body announced as larger than the limit is refused before it is read.
    assert_eq!(oversized_status(&app, "ana").await, 413);
    // An invalid campaign gets the validator's diagnostics, with positions in its own files.
    let broken = common::CAMPAIGN.replace(
        "timezone = \"Europe/Amsterdam\"",
        "timezone = \"Europe/Amsterdm\"",
    );
    let (status, body) = app
        .call(
            "POST",
            "/api/v1/campaigns",
            Some("ana"),
            Some(bundle(&broken)),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (422, Some("invalid_campaign")),
        "{body}"
    );
    let first = &body["error"]["details"]["diagnostics"][0];
    assert_eq!(first["path"], "campaigns/demo.toml");
    assert_eq!(
        (first["line"].as_u64(), first["column"].as_u64()),
        (Some(16), Some(12))
    );
    let (status, _) = app
        .call("GET", "/api/v1/versions/not-a-hash", Some("ana"), None)
        .await;
    assert_eq!(status, 404);
    let (status, _) = app.call("GET", "/api/v1/nowhere", Some("ana"), None).await;
    assert_eq!(status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_are_checked_revocable_and_failures_are_slowed_down() {
    let mut app = App::spawn().await;
    let token = app.user("ana", &[Role::Author]).await;
    let (status, me) = app.call("GET", "/api/v1/me", Some("ana"), None).await;
    assert_eq!((status, me["name"].as_str()), (200, Some("ana")));
    let id = token.split('.').next().unwrap();
    assert!(app.store.revoke_token(id, "admin", 0).await.unwrap());
    let (status, body) = app.call("GET", "/api/v1/me", Some("ana"), None).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (401, Some("unauthenticated"))
    );
    app.tokens
        .insert("forger".into(), format!("{id}.{}", "0".repeat(64)));
    for _ in 0..9 {
        assert_eq!(
            app.call("GET", "/api/v1/me", Some("forger"), None).await.0,
            401
        );
    }
    let (status, body) = app.call("GET", "/api/v1/me", Some("forger"), None).await;
    assert_eq!(status, 429, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_log_records_and_detects_tampering() {
    let mut app = App::with_staff().await;
    app.user("root", &[Role::Admin]).await;
    let hash = uploaded(&app, "ana", common::CAMPAIGN).await;
    app.call(
        "POST",
        &format!("/api/v1/versions/{hash}/submit"),
        Some("ana"),
        None,
    )
    .await;
    app.call(
        "POST",
        &format!("/api/v1/versions/{hash}/approve"),
        Some("ben"),
        None,
    )
    .await;
    app.call(
        "POST",
        &format!("/api/v1/versions/{hash}/schedule"),
        Some("sam"),
        None,
    )
    .await;
    app.call("POST", "/api/v1/campaigns/demo/kill", Some("sam"), None)
        .await;
    let (status, log) = app.call("GET", "/api/v1/audit", Some("root"), None).await;
    assert_eq!(status, 200);
    assert_eq!(log["verified"], true);
    let actions: Vec<(&str, &str)> = log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["actor"].as_str().unwrap(), e["action"].as_str().unwrap()))
        .filter(|(_, a)| !a.starts_with("user."))
        .collect();
    assert_eq!(
        actions,
        [
            ("herald", "publication.policy_changed"),
            ("ana", "version.uploaded"),
            ("ana", "version.submitted"),
            ("ben", "version.approved"),
            ("sam", "version.scheduled"),
            ("sam", "campaign.killed")
        ]
    );
    let verify = |expect_ok: bool| {
        let run = common::run_with_key(
            std::path::Path::new("."),
            &["audit", "verify", "--database-url", &app.url],
            Some(&"42".repeat(32)),
        );
        assert_eq!(
            run.code,
            if expect_ok { 0 } else { 1 },
            "{} {}",
            run.stdout,
            run.stderr
        );
        run
    };
    assert!(
        verify(true)
            .stdout
            .starts_with("audit log intact: 10 entries")
    );
    let pool = sqlx::SqlitePool::connect(&app.url).await.unwrap();
    let exec = |sql: &'static str| {
        let pool = pool.clone();
        async move { sqlx::query(sql).execute(&pool).await.unwrap() }
    };
    // Edited: a different actor on entry 8 (ben's approval; entry 1 is the publication policy the app started with).
    exec("UPDATE audit_log SET actor = 'someone else' WHERE seq = 8").await;
    assert_eq!(
        verify(false).stderr,
        "error: audit log tampered with: entry 8 was edited: its contents no longer match its hash\n"
    );
    exec("UPDATE audit_log SET actor = 'ben' WHERE seq = 8").await;
    verify(true);
    // Deleted: entry 5 removed.
    exec("CREATE TABLE saved AS SELECT * FROM audit_log WHERE seq = 5").await;
    exec("DELETE FROM audit_log WHERE seq = 5").await;
    assert_eq!(
        verify(false).stderr,
        "error: audit log tampered with: entries between 4 and 6 were deleted\n"
    );
    exec("INSERT INTO audit_log SELECT * FROM saved").await;
    verify(true);
    // Inserted: entry 6 replaced by a forged one whose hash is right for its own contents but
    // which does not follow entry 5.
    exec("DELETE FROM saved").await;
    exec("INSERT INTO saved SELECT * FROM audit_log WHERE seq = 6").await;
    let forged = herald::audit::entry_hash(
        "forged",
        6,
        0,
        "mallory",
        "version.approved",
        "demo",
        None,
        "{}",
    );
    sqlx::query("UPDATE audit_log SET prev_hash = 'forged', at = 0, actor = 'mallory', action = 'version.approved', version_hash = NULL, details = '{}', hash = $1 WHERE seq = 6")
        .bind(forged)
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(
        verify(false).stderr,
        "error: audit log tampered with: entry 6 does not follow the entry before it: a row was inserted or replaced\n"
    );
    exec("DELETE FROM audit_log WHERE seq = 6").await;
    exec("INSERT INTO audit_log SELECT * FROM saved").await;
    verify(true);
    // Appended: a well-formed entry added after the head, outside herald.
    let (entries, _) = app.store.audit_log().await.unwrap();
    let last = entries.last().unwrap();
    let appended = herald::audit::entry_hash(
        &last.hash,
        11,
        0,
        "mallory",
        "version.approved",
        "demo",
        None,
        "{}",
    );
    sqlx::query("INSERT INTO audit_log (seq, at, actor, action, subject, version_hash, details, prev_hash, hash) VALUES (11, 0, 'mallory', 'version.approved', 'demo', NULL, '{}', $1, $2)")
        .bind(last.hash.clone())
        .bind(appended)
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(
        verify(false).stderr,
        "error: audit log tampered with: entry 11 is plain SHA-256 though the chain is keyed from entry 1: it was rebuilt without the key\n"
    );
    exec("DELETE FROM audit_log WHERE seq = 11").await;
    verify(true);
    let _ = (app.clock.now(), &app.config);
    // The tail cut off: the last entry deleted.
    exec("DELETE FROM audit_log WHERE seq = 10").await;
    assert_eq!(
        verify(false).stderr,
        "error: audit log tampered with: the log ends at entry 9 but its head records 10: the last entries were deleted\n"
    );
}

/// The whole path a rehearsal takes: upload, submit, approve (someone else), schedule, and the
/// dispatcher delivers to the sandbox at the audience's local time; the kill switch stops it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_campaign_goes_from_upload_to_the_sandbox() {
    use herald::dispatch::{DispatchSettings, Dispatcher};
    use herald::sandbox::{Sandbox, SandboxConfig};
    let app = App::with_staff().await;
    let hash = uploaded(&app, "ana", common::CAMPAIGN).await;
    for (path, who) in [("submit", "ana"), ("approve", "ben"), ("schedule", "sam")] {
        let (status, body) = app
            .call(
                "POST",
                &format!("/api/v1/versions/{hash}/{path}"),
                Some(who),
                None,
            )
            .await;
        assert_eq!(status, 200, "{path}: {body}");
    }
    let sandbox = Sandbox::new(SandboxConfig::default(), Arc::new(app.clock.clone()));
    let running = sandbox.start(0).await.unwrap();
    let settings = DispatchSettings {
        sandbox_url: Some(running.base_url()),
        sequential: true,
        ..DispatchSettings::default()
    };
    let dispatcher = Dispatcher::new(
        app.store.clone(),
        Arc::new(app.clock.clone()),
        Arc::clone(&app.config),
        settings,
    )
    .unwrap();
    // From 2 January to the first Monday slot after the campaign starts (Mon 18 January, 10:00).
    let until = Utc.with_ymd_and_hms(2027, 1, 18, 12, 0, 0).unwrap();
    while app.clock.now() < until {
        dispatcher.plan().await.unwrap();
        if dispatcher.tick().await.unwrap().leased == 0 {
            app.clock.advance(chrono::Duration::minutes(30));
        }
    }
    let telegram: Vec<_> = sandbox
        .delivered()
        .into_iter()
        .filter(|r| r.platform == "telegram")
        .collect();
    // Monday 18 January, 10:00 in Amsterdam: one post in each of ar, fr and en.
    assert_eq!(telegram.len(), 3, "{telegram:?}");
    assert!(telegram.iter().all(
        |r| r.at >= Utc.with_ymd_and_hms(2027, 1, 18, 9, 0, 0).unwrap()
            && r.at < Utc.with_ymd_and_hms(2027, 1, 18, 9, 1, 0).unwrap()
    ));
    let (status, report) = app
        .call(
            "GET",
            &format!("/api/v1/versions/{hash}/dispatch"),
            Some("sam"),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(report["state"], "running");
    assert_eq!(report["channels"]["telegram:info"]["sent"], 3);
    // WhatsApp reaches subscribers: each locale's broadcast job fanned out (to nobody yet).
    assert_eq!(report["channels"]["whatsapp:optin"]["expanded"], 3);
    let (status, killed) = app
        .call("POST", "/api/v1/campaigns/demo/kill", Some("sam"), None)
        .await;
    assert_eq!((status, killed["killed"].as_bool()), (200, Some(true)));
    running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_lists_every_route_and_the_docs_work_offline() {
    let app = App::spawn().await;
    let (status, doc) = app.call("GET", "/api/openapi.json", None, None).await;
    assert_eq!(status, 200, "{doc}");
    assert_eq!(doc["openapi"].as_str().map(|v| &v[..2]), Some("3."));
    let routes = route_table();
    let mut operations = 0;
    for spec in &routes {
        let operation = &doc["paths"][spec.path][spec.method.as_str().to_lowercase()];
        assert!(
            operation.is_object(),
            "{} {} is missing from the document",
            spec.method,
            spec.path
        );
        let roles: Vec<&str> = operation["x-herald-roles"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap())
            .collect();
        assert_eq!(
            roles,
            spec.roles.iter().map(|r| r.name()).collect::<Vec<_>>()
        );
        assert!(
            operation["responses"]
                .as_object()
                .is_some_and(|r| !r.is_empty())
        );
        for parameter in operation["parameters"].as_array().into_iter().flatten() {
            if parameter["in"] == "path" {
                assert!(
                    spec.path
                        .contains(&format!("{{{}}}", parameter["name"].as_str().unwrap()))
                );
            }
        }
        operations += 1;
    }
    let documented: usize = doc["paths"]
        .as_object()
        .unwrap()
        .values()
        .map(|p| p.as_object().unwrap().len())
        .sum();
    assert_eq!(
        documented, operations,
        "the document lists exactly the routes"
    );
    // Every reference resolves.
    let text = doc.to_string();
    for reference in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
        let name = reference.split('"').next().unwrap();
        assert!(
            doc["components"]["schemas"][name].is_object(),
            "dangling reference to {name}"
        );
    }
    let docs = app
        .client
        .get(format!("{}/api/docs/", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(docs.status().as_u16(), 200);
    let page = docs.text().await.unwrap();
    assert!(page.to_lowercase().contains("swagger"), "{page}");
    assert!(!page.contains("https://"), "no assets from the network");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_are_write_only_and_reach_only_the_partner() {
    let mut app = App::spawn().await;
    app.user("root", &[Role::Admin]).await;
    let (status, _) = app
        .call(
            "PUT",
            "/api/v1/accounts/telegram:info/credentials/token",
            Some("root"),
            Some(json!({"value": "777:SECRET-TOKEN"})),
        )
        .await;
    assert_eq!(status, 204);
    let (status, body) = app
        .call(
            "PUT",
            "/api/v1/accounts/telegram:info/credentials/password",
            Some("root"),
            Some(json!({"value": "x"})),
        )
        .await;
    assert_eq!(status, 404, "{body}");
    let (status, accounts) = app
        .call("GET", "/api/v1/accounts", Some("root"), None)
        .await;
    assert_eq!(status, 200);
    let telegram = accounts["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["channel"] == "telegram:info")
        .unwrap();
    assert_eq!(
        telegram["credentials"]["token"],
        json!({"variable": "HERALD_TG_TOKEN", "source": "stored", "required": true})
    );
    let (_, log) = app.call("GET", "/api/v1/audit", Some("root"), None).await;
    for text in [accounts.to_string(), log.to_string()] {
        assert!(
            !text.contains("SECRET-TOKEN"),
            "the value never comes back: {text}"
        );
    }
    assert!(log.to_string().contains("account.credential_set"));
    // Stored sealed in the database, opened only with the key, and used to call the partner.
    let pool = sqlx::SqlitePool::connect(&app.url).await.unwrap();
    let sealed: (String,) = sqlx::query_as("SELECT sealed FROM account_secrets")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(!sealed.0.contains("SECRET"));
    let key = herald::secrets::SecretKey::from_hex(&"42".repeat(32)).unwrap();
    let mut stored = herald::platforms::StoredCredentials::new();
    for (channel, name, nonce, sealed) in app.store.account_secrets().await.unwrap() {
        stored.insert(
            (channel.clone(), name.clone()),
            key.open(&channel, &name, &nonce, &sealed).unwrap(),
        );
    }
    assert_eq!(
        stored[&("telegram:info".to_string(), "token".to_string())].expose(),
        "777:SECRET-TOKEN"
    );
    let wrong = herald::secrets::SecretKey::from_hex(&"43".repeat(32)).unwrap();
    let (channel, name, nonce, sealed) = app.store.account_secrets().await.unwrap().remove(0);
    assert!(wrong.open(&channel, &name, &nonce, &sealed).is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tracking_links_redirect_and_count_people_apart_from_previews() {
    let mut app = App::spawn().await;
    app.user("ana", &[Role::Author]).await;
    app.user("ben", &[Role::Approver]).await;
    let hash = approved(&app, common::CAMPAIGN).await;
    let token = weekly_token(&hash, "ar", "telegram:info");
    let client = no_redirects();
    let url = format!("{}/r/{token}", app.base);
    let response = client.get(&url).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 302);
    assert_eq!(response.headers()["location"], "https://example.org/return");
    assert!(response.headers().get("set-cookie").is_none(), "no cookie");
    assert_eq!(response.headers()["referrer-policy"], "no-referrer");
    client.head(&url).send().await.unwrap();
    client
        .get(&url)
        .header("user-agent", "TelegramBot (like TwitterBot)")
        .send()
        .await
        .unwrap();
    client
        .get(&url)
        .header("user-agent", "Mozilla/5.0 (Linux; Android 14)")
        .send()
        .await
        .unwrap();
    app.clicks.flush().await.unwrap();
    let counts = app.store.click_counts("demo").await.unwrap();
    let by_kind: BTreeMap<String, i64> = counts
        .iter()
        .map(|(k, n)| (k.kind.clone(), n.clicks))
        .collect();
    // One client: its two visits count once, and so do its two preview fetches, apart.
    assert_eq!(
        by_kind,
        BTreeMap::from([("person".to_string(), 1), ("preview".to_string(), 1)])
    );
    let (key, _) = &counts[0];
    assert_eq!(
        (
            key.send.as_str(),
            key.variant.as_str(),
            key.locale.as_str(),
            key.channel.as_str(),
            key.day.as_str()
        ),
        ("weekly", "a", "ar", "telegram:info", "2027-01-02")
    );
    for missing in ["0123456789abcdef", "not-a-token", "../../etc"] {
        let response = client
            .get(format!("{}/r/{missing}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 404, "{missing}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn evaluators_read_protected_reports() {
    let mut app = App::spawn().await;
    app.user("ana", &[Role::Author]).await;
    app.user("eve", &[Role::Evaluator]).await;
    let hash = uploaded(&app, "ana", common::CAMPAIGN).await;
    let count =
        |locale: &str, channel: &str, count: i64, key_sum: i64| herald::store::DeliveryCount {
            campaign: "demo".into(),
            version: hash.clone(),
            send: "weekly".into(),
            segment: "in-eu".into(),
            locale: locale.into(),
            channel: channel.into(),
            variant: "a".into(),
            day: "2027-01-18".into(),
            status: "sent".into(),
            count,
            key_sum,
        };
    app.store
        .add_delivery_counts(&[
            count("ar", "telegram:info", 4, 500),
            count("fr", "telegram:info", 60, 7_700),
            count("en", "telegram:info", 70, 9_001),
        ])
        .await
        .unwrap();
    // While the campaign runs, its whole run is not published: it would change with every
    // new event, and so would its noise.
    let (status, refused) = app
        .call("GET", "/api/v1/campaigns/demo/report", Some("eve"), None)
        .await;
    assert_eq!(status, 409, "{refused}");
    assert_eq!(refused["error"]["code"], "not_settled");
    // The campaign ended on 30 April; from 9 May its run has settled.
    app.clock
        .advance_to(Utc.with_ymd_and_hms(2027, 5, 9, 9, 0, 0).unwrap());
    let (status, report) = app
        .call("GET", "/api/v1/campaigns/demo/report", Some("eve"), None)
        .await;
    assert_eq!(status, 200, "{report}");
    let table = &report["tables"][0];
    assert_eq!(table["metric"], "sent");
    // ar (4) is small and never shown; every other count and the total carry the noise their
    // events' record keys give them, so the total minus the others is not ar's count.
    let published = |count: u64, key_sum: u64| match Protection::DEFAULT.publish(count, key_sum) {
        Published::Count(n) => json!(n),
        Published::Suppressed => json!("suppressed"),
    };
    assert_eq!(
        table["cells"],
        json!([
            ["suppressed"],
            [published(70, 9_001)],
            [published(60, 7_700)]
        ]),
        "{table}"
    );
    assert_eq!(table["grand_total"], published(134, 500 + 7_700 + 9_001));
    assert_eq!(report["protection"]["method"], "cell key perturbation");
    // The JSON opens with the summary, as the CLI's does.
    assert!(report["summary"]["platforms"].is_array(), "{report}");
    // Telegram sends no delivery receipts: its delivery rate is "not reported", never 0.
    let rates = &report["rates"][0];
    assert_eq!(rates["rate"], "delivery rate");
    for row in rates["cells"].as_array().unwrap() {
        assert_eq!(row[0]["value"], "not reported by this platform", "{rates}");
    }
    let (status, _) = app
        .call("GET", "/api/v1/campaigns/demo/report", Some("ana"), None)
        .await;
    assert_eq!(status, 403, "authors do not read reports");
    let (status, body) = app
        .call(
            "GET",
            "/api/v1/campaigns/demo/report?k=3",
            Some("eve"),
            None,
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body.to_string()
            .contains("set by the deployment's publication policy"),
        "{body}"
    );
    let csv = app
        .client
        .get(format!(
            "{}/api/v1/campaigns/demo/report?format=csv",
            app.base
        ))
        .header("authorization", format!("Bearer {}", app.tokens["eve"]))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    assert!(
        csv.text()
            .await
            .unwrap()
            .starts_with(&(common::tidy_csv::HEADER.join(",") + "\n"))
    );

    // Side by side with a second campaign: each figure is what its own report publishes.
    uploaded(
        &app,
        "ana",
        &common::CAMPAIGN.replacen("id = \"demo\"", "id = \"demo-b\"", 1),
    )
    .await;
    let (status, comparison) = app
        .call(
            "GET",
            "/api/v1/reports/compare?campaigns=demo,demo-b",
            Some("eve"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{comparison}");
    assert_eq!(comparison["reports"][0]["tables"], report["tables"]);
    assert_eq!(comparison["reports"][1]["campaign"], "demo-b");
    assert!(comparison["reports"][1]["summary"].is_object());
    assert_eq!(
        comparison["headline"][0]["values"],
        json!([published(134, 500 + 7_700 + 9_001), null])
    );
    for (query, expected) in [
        ("campaigns=demo,nobody", 404),
        ("campaigns=demo,demo", 400),
        ("campaigns=demo,demo-b&period=week&from=2027-01-18", 200),
        ("campaigns=demo,demo-b&from=2027-01-18", 400),
        ("campaigns=demo,demo-b&by=segment", 400),
        ("campaigns=demo,demo-b&k=3", 400),
    ] {
        let (status, body) = app
            .call(
                "GET",
                &format!("/api/v1/reports/compare?{query}"),
                Some("eve"),
                None,
            )
            .await;
        assert_eq!(status, expected, "{query}: {body}");
    }
    let (status, _) = app
        .call(
            "GET",
            "/api/v1/reports/compare?campaigns=demo,demo-b",
            Some("ana"),
            None,
        )
        .await;
    assert_eq!(status, 403, "authors do not read reports, compared or not");
}

/// Uploaded by ana, submitted, and approved by ben: its links resolve.
async fn approved(app: &App, campaign: &str) -> String {
    let hash = uploaded(app, "ana", campaign).await;
    for (step, who) in [("submit", "ana"), ("approve", "ben")] {
        let path = format!("/api/v1/versions/{hash}/{step}");
        let (status, body) = app.call("POST", &path, Some(who), None).await;
        assert_eq!(status, 200, "{step}: {body}");
    }
    hash
}

/// The token version `hash` puts in the `weekly` send's variant `a` for a locale and channel.
fn weekly_token(hash: &str, locale: &str, channel: &str) -> String {
    herald::render::tracking_token(
        &herald::campaign::ContentHash::parse(hash).unwrap(),
        herald::render::LinkDimensions {
            campaign: "demo",
            send: "weekly",
            variant: Some("a"),
            locale: &herald::campaign::Locale::parse(locale).unwrap(),
            channel: &herald::platforms::ChannelRef::parse(channel).unwrap(),
        },
    )
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Where `/r/{token}` sends a person (its `Location`), or the status when it is no redirect.
async fn follow(app: &App, token: &str) -> Result<String, u16> {
    let response = no_redirects()
        .get(format!("{}/r/{token}", app.base))
        .send()
        .await
        .unwrap();
    match response.headers().get("location") {
        Some(location) if response.status().as_u16() == 302 => {
            Ok(location.to_str().unwrap().to_string())
        }
        _ => Err(response.status().as_u16()),
    }
}

/// Lets the dispatcher send everything due until `until` to the sandbox, and returns the
/// tracking tokens of the Telegram posts delivered in that time, in order.
async fn dispatched_tokens(
    app: &App,
    sandbox: &herald::sandbox::Sandbox,
    running: &herald::sandbox::RunningSandbox,
    until: chrono::DateTime<Utc>,
) -> Vec<String> {
    use herald::dispatch::{DispatchSettings, Dispatcher};
    let settings = DispatchSettings {
        sandbox_url: Some(running.base_url()),
        sequential: true,
        ..DispatchSettings::default()
    };
    let dispatcher = Dispatcher::new(
        app.store.clone(),
        Arc::new(app.clock.clone()),
        Arc::clone(&app.config),
        settings,
    )
    .unwrap();
    let from = app.clock.now();
    while app.clock.now() < until {
        dispatcher.plan().await.unwrap();
        if dispatcher.tick().await.unwrap().leased == 0 {
            app.clock.advance(chrono::Duration::minutes(30));
        }
    }
    let prefix = "https://herald.example.org/r/";
    let tokens: Vec<String> = sandbox
        .delivered()
        .into_iter()
        .filter(|r| r.platform == "telegram" && r.at >= from)
        .map(|r| {
            let at = r.text.find(prefix).expect("every post carries its link") + prefix.len();
            r.text[at..at + herald::render::TOKEN_LENGTH].to_string()
        })
        .collect();
    // Monday 10:00 in Amsterdam: one post in each of ar, fr and en.
    assert_eq!(tokens.len(), 3, "{tokens:?}");
    tokens
}

async fn step(app: &App, hash: &str, step: &str, who: &str) {
    let path = format!("/api/v1/versions/{hash}/{step}");
    let (status, body) = app.call("POST", &path, Some(who), None).await;
    assert_eq!(status, 200, "{step}: {body}");
}

/// The attack the integrity check found: once an approved version's messages are out, its
/// author uploads the same campaign with every link changed and never submits it (or submits
/// it, and it is rejected, or it is cancelled before approval). The links people received
/// keep leading where the approved version said, even after the index is rebuilt.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn links_already_sent_lead_where_the_approved_version_said_whatever_is_uploaded_later() {
    let app = App::with_staff().await;
    let hash = approved(&app, common::CAMPAIGN).await;
    step(&app, &hash, "schedule", "sam").await;
    let sandbox = herald::sandbox::Sandbox::new(
        herald::sandbox::SandboxConfig::default(),
        Arc::new(app.clock.clone()),
    );
    let running = sandbox.start(0).await.unwrap();
    let until = Utc.with_ymd_and_hms(2027, 1, 18, 12, 0, 0).unwrap();
    let tokens = dispatched_tokens(&app, &sandbox, &running, until).await;
    let approved_target = "https://example.org/return";
    for token in &tokens {
        assert_eq!(follow(&app, token).await.as_deref(), Ok(approved_target));
    }
    // What approvers previewed is what was sent, link included.
    let (status, preview) = app
        .call(
            "GET",
            &format!("/api/v1/versions/{hash}/preview?channel=telegram:info"),
            Some("ben"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{preview}");
    for token in &tokens {
        assert!(
            preview.to_string().contains(token.as_str()),
            "{token}: {preview}"
        );
    }

    let changed = |site: &str| common::CAMPAIGN.replace(approved_target, site);
    // A draft, never submitted.
    let draft = uploaded(&app, "ana", &changed("https://draft.example/phish")).await;
    // Submitted, waiting for a decision.
    let submitted = uploaded(&app, "ana", &changed("https://submitted.example/phish")).await;
    step(&app, &submitted, "submit", "ana").await;
    // Submitted and rejected.
    let rejected = uploaded(&app, "ana", &changed("https://rejected.example/phish")).await;
    step(&app, &rejected, "submit", "ana").await;
    step(&app, &rejected, "reject", "ben").await;
    // Cancelled before anyone approved it.
    let cancelled = uploaded(&app, "ana", &changed("https://cancelled.example/phish")).await;
    step(&app, &cancelled, "submit", "ana").await;
    step(&app, &cancelled, "cancel", "sam").await;
    // Newest last, as the attacker wants it.
    let newest = uploaded(&app, "ana", &changed("https://newest.example/phish")).await;
    assert_eq!(
        [&draft, &submitted, &rejected, &cancelled, &newest]
            .iter()
            .collect::<std::collections::BTreeSet<_>>()
            .len(),
        5
    );

    // Anyone can make the redirector rebuild its index: an unknown token does, at most every
    // five seconds.
    tokio::time::sleep(std::time::Duration::from_millis(5_200)).await;
    assert_eq!(follow(&app, "0123456789abcdef").await, Err(404));
    for token in &tokens {
        assert_eq!(
            follow(&app, token).await.as_deref(),
            Ok(approved_target),
            "the link in a message already sent was taken over"
        );
    }
    // The unapproved versions' own links lead nowhere (asked at once: unknown tokens wait
    // for the next rebuild together).
    let base = app.base.clone();
    let asked: Vec<_> = [&draft, &submitted, &rejected, &cancelled, &newest]
        .into_iter()
        .map(|hash| {
            let url = format!("{base}/r/{}", weekly_token(hash, "ar", "telegram:info"));
            tokio::spawn(async move { no_redirects().get(url).send().await.unwrap().status() })
        })
        .collect();
    for answer in asked {
        assert_eq!(answer.await.unwrap().as_u16(), 404);
    }
    // A link sent by a herald build before links named their version resolves to the
    // approved version, never to a newer draft.
    let legacy = herald::render::legacy_tracking_token(herald::render::LinkDimensions {
        campaign: "demo",
        send: "weekly",
        variant: Some("a"),
        locale: &herald::campaign::Locale::parse("ar").unwrap(),
        channel: &herald::platforms::ChannelRef::parse("telegram:info").unwrap(),
    });
    assert_eq!(follow(&app, &legacy).await.as_deref(), Ok(approved_target));
    running.shutdown().await;
}

/// Two approved versions of one campaign with different links: the messages each sent keep
/// their own target, also after the first is cancelled in favour of the second.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_approved_versions_keep_their_own_link_targets() {
    let app = App::with_staff().await;
    let sandbox = herald::sandbox::Sandbox::new(
        herald::sandbox::SandboxConfig::default(),
        Arc::new(app.clock.clone()),
    );
    let running = sandbox.start(0).await.unwrap();
    let first = approved(&app, common::CAMPAIGN).await;
    step(&app, &first, "schedule", "sam").await;
    let monday = Utc.with_ymd_and_hms(2027, 1, 18, 12, 0, 0).unwrap();
    let first_tokens = dispatched_tokens(&app, &sandbox, &running, monday).await;
    step(&app, &first, "cancel", "sam").await;

    let corrected =
        common::CAMPAIGN.replace("https://example.org/return", "https://example.org/v2");
    let second = approved(&app, &corrected).await;
    step(&app, &second, "schedule", "sam").await;
    let next_monday = monday + chrono::Duration::weeks(1);
    let second_tokens = dispatched_tokens(&app, &sandbox, &running, next_monday).await;

    for token in &second_tokens {
        assert!(
            !first_tokens.contains(token),
            "each version issues its own tokens"
        );
        assert_eq!(
            follow(&app, token).await.as_deref(),
            Ok("https://example.org/v2")
        );
    }
    for token in &first_tokens {
        assert_eq!(
            follow(&app, token).await.as_deref(),
            Ok("https://example.org/return"),
            "the first version's messages keep its link"
        );
    }
    // A link sent before links named their version stays with the first approved version:
    // approving the second does not move it.
    let legacy = herald::render::legacy_tracking_token(herald::render::LinkDimensions {
        campaign: "demo",
        send: "weekly",
        variant: Some("a"),
        locale: &herald::campaign::Locale::parse("ar").unwrap(),
        channel: &herald::platforms::ChannelRef::parse("telegram:info").unwrap(),
    });
    assert_eq!(
        follow(&app, &legacy).await.as_deref(),
        Ok("https://example.org/return")
    );
    running.shutdown().await;
}

/// The sum of a campaign's `person` clicks as stored, once the redirector's background writer
/// has written what it holds (polled: it writes every few seconds).
async fn written_person_clicks(app: &App, expected_at_least: i64) -> i64 {
    let person_clicks = || async {
        app.store
            .click_counts("demo")
            .await
            .unwrap()
            .iter()
            .filter(|(key, _)| key.kind == "person")
            .map(|(_, n)| n.clicks)
            .sum::<i64>()
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while person_clicks().await < expected_at_least && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    // One more writing period: anything still held would land now.
    tokio::time::sleep(herald::reach::CLICK_FLUSH_EVERY + std::time::Duration::from_millis(500))
        .await;
    person_clicks().await
}

/// A loop of requests on one link from one client is one click, written by the background
/// writer (no request writes the database).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_loop_of_clicks_from_one_client_counts_once() {
    let mut app = App::spawn().await;
    app.user("ana", &[Role::Author]).await;
    app.user("ben", &[Role::Approver]).await;
    let hash = approved(&app, common::CAMPAIGN).await;
    let token = weekly_token(&hash, "fr", "telegram:info");
    for _ in 0..200 {
        assert_eq!(
            follow(&app, &token).await.as_deref(),
            Ok("https://example.org/return")
        );
    }
    assert_eq!(written_person_clicks(&app, 1).await, 1);
    // Forged forwarding headers from a peer herald does not trust change nothing.
    for n in 0..50 {
        let response = no_redirects()
            .get(format!("{}/r/{token}", app.base))
            .header("x-forwarded-for", format!("198.51.100.{n}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 302);
    }
    assert_eq!(written_person_clicks(&app, 1).await, 1);
}

/// Behind a trusted reverse proxy, two people are two clicks, however often each clicks.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_clients_behind_a_trusted_proxy_count_twice() {
    let config = format!("trusted_proxies = [\"127.0.0.1\"]\n{}", common::CONFIG);
    let mut app = App::spawn_with(&config).await;
    app.user("ana", &[Role::Author]).await;
    app.user("ben", &[Role::Approver]).await;
    let hash = approved(&app, common::CAMPAIGN).await;
    let token = weekly_token(&hash, "en", "telegram:info");
    for _ in 0..20 {
        for client in ["203.0.113.7", "203.0.113.8"] {
            let response = no_redirects()
                .get(format!("{}/r/{token}", app.base))
                .header("x-forwarded-for", client)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status().as_u16(), 302);
        }
    }
    assert_eq!(written_person_clicks(&app, 2).await, 2);
}

/// Made-up tokens cannot make the redirector rebuild its index (reading and rendering every
/// approved version) more than once every five seconds, nor pile up waiting for it; a version
/// approved meanwhile still has its links followed, after a short wait instead of a 404.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn made_up_tokens_rebuild_the_link_index_at_most_every_five_seconds() {
    let mut app = App::spawn().await;
    app.user("ana", &[Role::Author]).await;
    app.user("ben", &[Role::Approver]).await;
    let first = approved(&app, common::CAMPAIGN).await;
    assert_eq!(
        follow(&app, &weekly_token(&first, "ar", "telegram:info"))
            .await
            .as_deref(),
        Ok("https://example.org/return")
    );
    assert_eq!(app.links.rebuilds(), 1);
    let started = std::time::Instant::now();
    // 60 at once: under the front door's 64 connections per client.
    let asked: Vec<_> = (0..60u32)
        .map(|n| {
            let url = format!("{}/r/{:016x}", app.base, 0xdead_0000_u64 + u64::from(n));
            tokio::spawn(async move { no_redirects().get(url).send().await.unwrap().status() })
        })
        .collect();
    for answer in asked {
        assert_eq!(answer.await.unwrap().as_u16(), 404);
    }
    assert!(
        app.links.rebuilds() <= 3,
        "{} rebuilds in {:?}",
        app.links.rebuilds(),
        started.elapsed()
    );
    // Approved just now: its link resolves on the first click.
    let corrected =
        common::CAMPAIGN.replace("https://example.org/return", "https://example.org/v2");
    let second = approved(&app, &corrected).await;
    assert_eq!(
        follow(&app, &weekly_token(&second, "ar", "telegram:info"))
            .await
            .as_deref(),
        Ok("https://example.org/v2")
    );
}

/// A stored version whose layout herald now refuses (stored before layouts were bounded) is
/// not shown, nor sent, with the built-in layout in its place: it no longer loads, and says why.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stored_layout_refused_now_is_never_replaced_by_the_built_in_one() {
    let mut app = App::spawn().await;
    app.user("author", &[Role::Author]).await;
    let hash = uploaded(&app, "author", common::CAMPAIGN).await;
    let record = app
        .store
        .version(&herald::campaign::ContentHash::parse(&hash).unwrap())
        .await
        .unwrap()
        .unwrap();
    let mut bundle = record.bundle.clone();
    bundle.layouts.insert(
        "telegram".into(),
        "{{#if title}}".repeat(40) + "{{body}}" + &"{{/if}}".repeat(40),
    );
    let stored = app
        .store
        .save_version(&bundle, app.clock.now())
        .await
        .unwrap();
    let (status, body) = app
        .call(
            "GET",
            &format!("/api/v1/versions/{}/preview", stored.hash),
            Some("author"),
            None,
        )
        .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["code"], "version_unloadable", "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("campaigns/layouts/telegram.hbs:1:")
            && message.contains("nested more than 16 deep"),
        "{message}"
    );
}
