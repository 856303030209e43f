//! A first start as the documentation tells an administrator to do it, and the seams around
//! it: `herald serve` starts with accounts whose credentials are not set, says they are not
//! ready, keeps their jobs queued, and sends once the credentials are stored through its own
//! API, without a restart; a credential deleted while jobs are booked makes them wait again.
//! Every credential a platform can use (optional ones included) is stored, listed by name and
//! deleted through the API, and a hostile caller can neither park other names, nor oversized
//! values, nor read a value back. The processes that dispatch keep rehearsals and real sending
//! apart, an API-only `serve --no-dispatch` leaves the jobs to the workers, and a closed
//! standard output is no reason to panic.

use crate::common;

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use common::Project;
use common::app::{AppOptions, TestApp, spawn_app};
use common::due_jobs::{schedule_due_jobs, webhook_config};
use common::lifecycle::schedule_version;
use common::served::Served;
use herald::app::{Partners, ServiceKeys};
use herald::auth::{Role, issue_token};
use herald::campaign::{ContentHash, VersionBundle};
use herald::clock::{Clock, SimulatedClock, SystemClock};
use herald::sandbox::{Sandbox, SandboxConfig};
use herald::schedule::planned_jobs;
use herald::store::{SqliteStore, Store};
use serde_json::{Value, json};

/// An administrator's API token on a running app, and requests made with it.
struct Admin {
    base: String,
    token: String,
    client: reqwest::Client,
}

impl Admin {
    async fn on(app: &TestApp, name: &str, roles: &[Role]) -> Admin {
        let user = app.store().create_user(name, roles, 0).await.unwrap();
        let token = issue_token();
        app.store()
            .add_token(&token.id, &user.id, &token.secret_hash, 0)
            .await
            .unwrap();
        Admin {
            base: app.base.clone(),
            token: token.token,
            client: reqwest::Client::new(),
        }
    }

    /// `(status, body)`; the body is JSON when it parses, else its text.
    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.base))
            .header("authorization", format!("Bearer {}", self.token));
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

    /// The web interface's dispatch page of the demo campaign, signed in with this token.
    async fn dispatch_page(&self) -> String {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let signed_in = client
            .post(format!("{}/ui/login", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("token={}", self.token))
            .send()
            .await
            .unwrap();
        assert_eq!(signed_in.status().as_u16(), 303);
        let cookie = signed_in.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string();
        let page = client
            .get(format!("{}/ui/campaigns/demo/dispatch", self.base))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(page.status().as_u16(), 200);
        page.text().await.unwrap()
    }

    /// The row of `channel` in the dispatch page.
    async fn dispatch_row(&self, channel: &str) -> String {
        let page = self.dispatch_page().await;
        page.split(&format!("<tr data-channel=\"{channel}\">"))
            .nth(1)
            .and_then(|rest| rest.split("</tr>").next())
            .unwrap_or_else(|| panic!("no row for {channel}: {page}"))
            .to_string()
    }

    async fn account(&self, channel: &str) -> Value {
        let (status, body) = self.call("GET", "/api/v1/accounts", None).await;
        assert_eq!(status, 200, "{body}");
        body["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["channel"] == channel)
            .unwrap_or_else(|| panic!("no {channel} in {body}"))
            .clone()
    }
}

async fn get(url: String) -> (u16, String) {
    let response = reqwest::get(url).await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// Jobs of a version by channel and status, as `channel status count` lines.
async fn job_counts(app: &TestApp, version: &ContentHash) -> Vec<String> {
    let mut counts: Vec<String> = app
        .store()
        .job_counts(version)
        .await
        .unwrap()
        .into_iter()
        .map(|(channel, status, count)| format!("{channel} {status} {count}"))
        .collect();
    counts.sort();
    counts
}

/// Plans and dispatches until `until`, half an hour at a time when nothing is due.
async fn dispatch_until(app: &TestApp, clock: &SimulatedClock, until: chrono::DateTime<Utc>) {
    let dispatcher = app.running.dispatcher();
    while clock.now() < until {
        dispatcher.plan().await.unwrap();
        if dispatcher.tick().await.unwrap().leased == 0 {
            clock.advance(chrono::Duration::minutes(30));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_start_without_credentials_waits_and_sends_once_they_are_stored() {
    let clock = SimulatedClock::starting_at(Utc.with_ymd_and_hms(2027, 1, 15, 10, 0, 0).unwrap());
    let sandbox = Sandbox::new(SandboxConfig::default(), Arc::new(clock.clone()));
    let emulator = sandbox.start(0).await.unwrap();
    // Sending for real, to partners at the emulator's address: nothing in the environment.
    let herald_toml = common::CONFIG.replace("http://127.0.0.1:8090", &emulator.base_url());
    let mut options = AppOptions::new(&herald_toml, Arc::new(clock.clone()));
    options.keys = ServiceKeys::from_hex(&"42".repeat(32)).unwrap();
    options.partners = Partners::Real;
    let app = spawn_app(options).await;
    let admin = Admin::on(&app, "root", &[Role::Admin]).await;

    // Up, and saying which accounts wait for what.
    let (status, ready) = get(app.url("/readyz")).await;
    assert_eq!(status, 200, "traffic still reaches the API: {ready}");
    assert!(ready.contains("telegram:info: token"), "{ready}");
    assert!(
        ready.contains("whatsapp:optin: token, phone_number_id, waba_id"),
        "{ready}"
    );
    let (status, strict) = get(app.url("/readyz?accounts=all")).await;
    assert_eq!(status, 503, "{strict}");
    let telegram = admin.account("telegram:info").await;
    assert_eq!(telegram["ready"], false);
    assert_eq!(telegram["waiting_for"], json!(["token"]));

    // A scheduled campaign whose first Monday passes: its jobs wait, none fails.
    let project = Project::valid();
    let loaded = project.load();
    let bundle = VersionBundle::from_loaded(&loaded, &loaded.campaigns[0]);
    let version = schedule_version(app.store(), &bundle, clock.now())
        .await
        .hash;
    let monday = Utc.with_ymd_and_hms(2027, 1, 18, 12, 0, 0).unwrap();
    dispatch_until(&app, &clock, monday).await;
    assert!(sandbox.received().is_empty(), "nothing left for a partner");
    let counts = job_counts(&app, &version).await;
    assert!(
        counts.iter().all(|line| line.contains(" queued ")),
        "every job still queued: {counts:?}"
    );
    assert!(counts.iter().any(|l| l.starts_with("telegram:info queued")));
    let row = admin.dispatch_row("telegram:info").await;
    assert!(row.contains("not ready: waiting for token"), "{row}");

    // The credential stored through the API: ready, and the due posts go out, no restart.
    let (status, body) = admin
        .call(
            "PUT",
            "/api/v1/accounts/telegram:info/credentials/token",
            Some(json!({"value": "777:FIRST-START"})),
        )
        .await;
    assert_eq!(status, 204, "{body}");
    assert_eq!(admin.account("telegram:info").await["ready"], true);
    let (_, ready) = get(app.url("/readyz")).await;
    assert!(!ready.contains("telegram:info"), "{ready}");
    let row = admin.dispatch_row("telegram:info").await;
    assert!(!row.contains("not ready"), "{row}");
    assert!(
        admin
            .dispatch_row("whatsapp:optin")
            .await
            .contains("not ready: waiting for token, phone_number_id, waba_id")
    );
    let report = app.running.dispatcher().tick().await.unwrap();
    assert_eq!(report.sent, 3, "{report:?}");
    let posts = sandbox
        .delivered()
        .into_iter()
        .filter(|r| r.platform == "telegram")
        .count();
    assert_eq!(posts, 3, "one post per locale");
    let counts = job_counts(&app, &version).await;
    assert!(
        counts.contains(&"telegram:info sent 3".to_string()),
        "{counts:?}"
    );
    assert!(
        counts
            .iter()
            .filter(|l| !l.starts_with("telegram:info"))
            .all(|l| l.contains(" queued ")),
        "the other accounts still wait: {counts:?}"
    );

    // Deleted while the next Monday's jobs are booked: they wait again, they do not fail.
    let (status, body) = admin
        .call(
            "DELETE",
            "/api/v1/accounts/telegram:info/credentials/token",
            None,
        )
        .await;
    assert_eq!(status, 204, "{body}");
    assert_eq!(admin.account("telegram:info").await["ready"], false);
    dispatch_until(&app, &clock, monday + chrono::Duration::days(7)).await;
    let posts = sandbox
        .delivered()
        .into_iter()
        .filter(|r| r.platform == "telegram")
        .count();
    assert_eq!(posts, 3, "nothing more sent without the credential");
    let counts = job_counts(&app, &version).await;
    assert!(
        counts
            .iter()
            .all(|l| l.contains(" queued ") || l == "telegram:info sent 3"),
        "{counts:?}"
    );
    emulator.shutdown().await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_usable_credential_is_stored_listed_by_name_and_deleted_and_never_read_back() {
    let clock = common::partner_sandbox::simulated_clock();
    let mut options = AppOptions::new(common::CONFIG, Arc::new(clock.clone()));
    options.keys = ServiceKeys::from_hex(&"42".repeat(32)).unwrap();
    options.partners = Partners::Real;
    let app = spawn_app(options).await;
    let admin = Admin::on(&app, "root", &[Role::Admin]).await;
    let author = Admin::on(&app, "ana", &[Role::Author]).await;
    let secrets = [
        ("whatsapp:optin", "app_secret", "APP-SECRET-VALUE"),
        ("whatsapp:optin", "verify_token", "VERIFY-TOKEN-VALUE"),
        // Not named in the configuration: still one a Telegram account can use.
        ("telegram:info", "webhook_secret", "WEBHOOK-SECRET-VALUE"),
    ];
    for (channel, name, value) in secrets {
        let path = format!("/api/v1/accounts/{channel}/credentials/{name}");
        let (status, body) = admin
            .call("PUT", &path, Some(json!({"value": value})))
            .await;
        assert_eq!(status, 204, "{channel} {name}: {body}");
    }
    let whatsapp = admin.account("whatsapp:optin").await;
    assert_eq!(
        whatsapp["credentials"]["app_secret"],
        json!({"variable": "HERALD_WA_APP_SECRET", "source": "stored", "required": false})
    );
    assert_eq!(whatsapp["credentials"]["verify_token"]["source"], "stored");
    assert_eq!(whatsapp["credentials"]["token"]["source"], "missing");
    assert_eq!(
        whatsapp["ready"], false,
        "optional ones do not make it ready"
    );
    let telegram = admin.account("telegram:info").await;
    assert_eq!(
        telegram["credentials"]["webhook_secret"],
        json!({"variable": null, "source": "stored", "required": false})
    );

    // Deleted, and gone; deleting again says there is nothing.
    let path = "/api/v1/accounts/whatsapp:optin/credentials/app_secret";
    assert_eq!(admin.call("DELETE", path, None).await.0, 204);
    let whatsapp = admin.account("whatsapp:optin").await;
    assert_eq!(whatsapp["credentials"]["app_secret"]["source"], "missing");
    let (status, body) = admin.call("DELETE", path, None).await;
    assert_eq!(status, 404, "{body}");

    // A hostile caller.
    let refused = [
        (
            "PUT",
            "/api/v1/accounts/telegram:info/credentials/password",
            json!({"value": "x"}),
            404,
        ),
        (
            "PUT",
            "/api/v1/accounts/telegram:info/credentials/app_secret",
            json!({"value": "x"}),
            404,
        ),
        (
            "PUT",
            "/api/v1/accounts/telegram:info/credentials/..%2Ftoken",
            json!({"value": "x"}),
            404,
        ),
        (
            "PUT",
            "/api/v1/accounts/telegram:nobody/credentials/token",
            json!({"value": "x"}),
            404,
        ),
        (
            "PUT",
            "/api/v1/accounts/telegram:info/credentials/token",
            json!({"value": "x".repeat(4097)}),
            422,
        ),
        (
            "PUT",
            "/api/v1/accounts/telegram:info/credentials/token",
            json!({"value": ""}),
            422,
        ),
        (
            "PUT",
            "/api/v1/accounts/telegram:info/credentials/token",
            json!({"value": "a\r\nX-Injected: 1"}),
            422,
        ),
        (
            "DELETE",
            "/api/v1/accounts/telegram:info/credentials/password",
            json!(null),
            404,
        ),
    ];
    for (method, path, body, expected) in refused {
        let body = (!body.is_null()).then_some(body);
        let (status, answer) = admin.call(method, path, body).await;
        assert_eq!(status, expected, "{method} {path}: {answer}");
    }
    let (status, _) = author
        .call(
            "PUT",
            "/api/v1/accounts/telegram:info/credentials/token",
            Some(json!({"value": "AUTHOR-VALUE"})),
        )
        .await;
    assert_eq!(status, 403, "only admins set credentials");
    let (status, answer) = admin
        .call(
            "GET",
            "/api/v1/accounts/whatsapp:optin/credentials/verify_token",
            None,
        )
        .await;
    assert_eq!(status, 405, "no route reads a value: {answer}");
    assert!(!answer.to_string().contains("VERIFY-TOKEN-VALUE"));
    let names: Vec<(String, String)> = app
        .store()
        .account_secrets()
        .await
        .unwrap()
        .into_iter()
        .map(|(channel, name, _, _)| (channel, name))
        .collect();
    assert_eq!(
        names,
        [
            ("telegram:info".to_string(), "webhook_secret".to_string()),
            ("whatsapp:optin".to_string(), "verify_token".to_string()),
        ],
        "nothing else was stored"
    );
    let (_, accounts) = admin.call("GET", "/api/v1/accounts", None).await;
    let (_, audit) = admin.call("GET", "/api/v1/audit", None).await;
    for text in [accounts.to_string(), audit.to_string()] {
        for (_, _, value) in secrets {
            assert!(!text.contains(value), "a value came back: {text}");
        }
        assert!(!text.contains("AUTHOR-VALUE"));
    }
    assert!(audit.to_string().contains("account.credential_deleted"));
    app.stop().await;
}

/// A project whose one webhook account sends to `sandbox`, with `jobs` due jobs of a scheduled
/// version in its database (`sqlite://PROJECT/herald.db`).
async fn project_with_due_jobs(sandbox: &str, jobs: usize) -> (Project, String) {
    let config = webhook_config(&format!("{sandbox}/webhook/sms"), 100);
    let project = Project::valid();
    project.write("herald.toml", &config);
    let database = format!("sqlite://{}", project.path("herald.db").display());
    let store = SqliteStore::connect(&database).await.unwrap();
    store.migrate().await.unwrap();
    schedule_due_jobs(&store, &config, "API-only replicas", jobs).await;
    (project, database)
}

/// The outbox's jobs by status.
async fn statuses(database: &str) -> Vec<(String, i64)> {
    let pool = sqlx::SqlitePool::connect(database).await.unwrap();
    sqlx::query_as("SELECT status, COUNT(*) FROM outbox GROUP BY status ORDER BY status")
        .fetch_all(&pool)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_api_only_serve_leaves_due_jobs_to_the_worker() {
    let sandbox = Sandbox::new(SandboxConfig::default(), Arc::new(SystemClock));
    let emulator = sandbox.start(0).await.unwrap();
    let (project, database) = project_with_due_jobs(&emulator.base_url(), 5).await;
    let secret = [("HERALD_SCALE_SECRET", "sandbox")];
    let serve = Served::start(&project, &["--no-dispatch"], &secret);
    assert!(
        serve
            .line_containing("no dispatch")
            .contains("run herald worker")
    );
    // Time for a dispatching serve to have sent them several times over.
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    assert_eq!(statuses(&database).await, [("queued".to_string(), 5)]);
    assert!(sandbox.received().is_empty());
    let (status, _) = get(serve.url("/readyz")).await;
    assert_eq!(status, 200);

    let worker = Command::new(env!("CARGO_BIN_EXE_herald"))
        .args(["worker", "--once", "--database-url", &database])
        .current_dir(project.dir.path())
        .env("HERALD_SCALE_SECRET", "sandbox")
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    assert!(worker.status.success(), "{worker:?}");
    assert_eq!(statuses(&database).await, [("sent".to_string(), 5)]);
    assert_eq!(sandbox.delivered().len(), 5);
    assert_eq!(serve.stop(), Some(0));
    emulator.shutdown().await;
}

/// Runs herald to its end, or kills it after 30 s (a process that should have refused to
/// start, but serves).
fn run_to_end(project: &Project, args: &[&str]) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_herald"))
        .args(args)
        .current_dir(project.dir.path())
        .env_remove("RUST_LOG")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let output = child.wait_with_output().unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn a_rehearsal_database_refuses_every_process_that_would_send_for_real() {
    let project = Project::valid();
    let database = format!("sqlite://{}", project.path("herald.db").display());
    let rehearsal = project.herald(&[
        "worker",
        "--once",
        "--sandbox-url",
        "http://127.0.0.1:9",
        "--database-url",
        &database,
    ]);
    assert_eq!(rehearsal.code, 0, "{}", rehearsal.stderr);
    for args in [
        vec!["worker", "--once"],
        vec!["worker"],
        vec!["serve", "--listen", "127.0.0.1:0"],
    ] {
        let mut args = args;
        args.extend(["--database-url", &database]);
        let (code, stderr) = run_to_end(&project, &args);
        assert_eq!(code, Some(1), "{args:?}: {stderr}");
        assert!(
            stderr.contains("a rehearsal dispatched on this database"),
            "{args:?}: {stderr}"
        );
    }
    // What cannot reach a real partner still runs: an API-only replica, and more rehearsals,
    // now through serve too.
    for args in [
        &["--no-dispatch"][..],
        &["--sandbox-url", "http://127.0.0.1:9"],
    ] {
        let served = Served::start(&project, args, &[]);
        let (status, _) = tokio::runtime::Runtime::new()
            .unwrap()
            .block_on(get(served.url("/healthz")));
        assert_eq!(status, 200);
        assert_eq!(served.stop(), Some(0), "{args:?}");
    }
    let public = project.herald(&[
        "serve",
        "--sandbox-url",
        "http://127.0.0.1:9",
        "--listen",
        "0.0.0.0:0",
        "--database-url",
        &database,
    ]);
    assert_eq!(
        public.code, 2,
        "a rehearsal stays on loopback: {}",
        public.stderr
    );
}

/// A port nobody listens on now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts herald with its standard output's reader already gone.
fn with_closed_stdout(project: &Project, args: &[&str]) -> Child {
    let mut child = Command::new(env!("CARGO_BIN_EXE_herald"))
        .args(args)
        .current_dir(project.dir.path())
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    child
}

#[test]
fn a_closed_stdout_is_no_panic_and_sigterm_still_stops_serve() {
    let project = Project::valid();
    let database = format!("sqlite://{}", project.path("herald.db").display());
    let address = format!("127.0.0.1:{}", free_port());
    let serve = with_closed_stdout(
        &project,
        &[
            "serve",
            "--sandbox",
            "--listen",
            &address,
            "--database-url",
            &database,
        ],
    );
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let answered = runtime.block_on(async {
            reqwest::get(format!("http://{address}/healthz"))
                .await
                .is_ok_and(|r| r.status().is_success())
        });
        if answered {
            break;
        }
        assert!(Instant::now() < deadline, "serve never answered");
        std::thread::sleep(Duration::from_millis(50));
    }
    let killed = Command::new("kill")
        .args(["-TERM", &serve.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let output = serve.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");

    for args in [
        vec!["deadletter", "list", "--database-url", &database],
        vec!["migrate", "--database-url", &database],
    ] {
        let output = with_closed_stdout(&project, &args)
            .wait_with_output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

#[test]
fn a_command_on_the_implicit_database_names_its_file() {
    let project = Project::valid();
    let migrate = |database: Option<&str>| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_herald"));
        command
            .arg("migrate")
            .current_dir(project.dir.path())
            .env_remove("HERALD_DATABASE_URL")
            .env_remove("RUST_LOG");
        if let Some(url) = database {
            command.env("HERALD_DATABASE_URL", url);
        }
        command.output().unwrap()
    };
    let implicit = migrate(None);
    assert!(implicit.status.success(), "{implicit:?}");
    let stderr = String::from_utf8_lossy(&implicit.stderr);
    let file = project.path("herald.db");
    assert!(file.is_file());
    assert!(
        stderr.starts_with(
            "warning: no --database-url or HERALD_DATABASE_URL given; using the SQLite file"
        ) && stderr.contains("herald.db"),
        "{stderr}"
    );
    let chosen = format!("sqlite://{}", project.path("chosen.db").display());
    let explicit = migrate(Some(&chosen));
    assert!(explicit.status.success(), "{explicit:?}");
    assert_eq!(String::from_utf8_lossy(&explicit.stderr), "");
    // Commands that never open the database say nothing about it.
    let validate = project.herald(&["validate"]);
    assert!(
        !validate.stderr.contains("HERALD_DATABASE_URL"),
        "{}",
        validate.stderr
    );
}

/// The status of a Telegram update posted to the hook of `telegram:bot` with `secret`.
async fn telegram_hook(app: &TestApp, secret: &str) -> u16 {
    reqwest::Client::new()
        .post(app.url("/hooks/telegram/bot"))
        .header("x-telegram-bot-api-secret-token", secret)
        .header("content-type", "application/json")
        .body(r#"{"update_id": 1}"#)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Polls the hook until it answers something else than `from` (the hooks look at the stored
/// credentials every 2 seconds), for at most 10 seconds.
async fn hook_answer_after(app: &TestApp, secret: &str, from: u16) -> u16 {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let status = telegram_hook(app, secret).await;
        if status != from || Instant::now() > deadline {
            return status;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hooks_check_a_secret_stored_after_the_start_and_forget_a_deleted_one() {
    let clock = common::partner_sandbox::simulated_clock();
    let mut options = AppOptions::new(&common::config_with_bots("\"in-eu\""), Arc::new(clock));
    options.keys = ServiceKeys::from_hex(&"42".repeat(32)).unwrap();
    options.partners = Partners::Real;
    let app = spawn_app(options).await;
    let admin = Admin::on(&app, "root", &[Role::Admin]).await;
    assert_eq!(telegram_hook(&app, "HOOK-SECRET").await, 404, "no hook yet");
    for (name, value) in [("token", "555:BOT"), ("webhook_secret", "HOOK-SECRET")] {
        let path = format!("/api/v1/accounts/telegram:bot/credentials/{name}");
        let (status, body) = admin
            .call("PUT", &path, Some(json!({"value": value})))
            .await;
        assert_eq!(status, 204, "{body}");
    }
    assert_eq!(hook_answer_after(&app, "HOOK-SECRET", 404).await, 200);
    assert_eq!(telegram_hook(&app, "WRONG-SECRET").await, 401);
    let (status, _) = admin
        .call(
            "DELETE",
            "/api/v1/accounts/telegram:bot/credentials/webhook_secret",
            None,
        )
        .await;
    assert_eq!(status, 204);
    assert_eq!(
        hook_answer_after(&app, "HOOK-SECRET", 200).await,
        404,
        "no secret, no events"
    );
    app.stop().await;
}

/// The store's side, on SQLite and PostgreSQL: a waiting account's due jobs are not leased
/// while the others' are, a deleted credential is gone (and only once), and the marks of how
/// the database was used keep their first time.
async fn waiting_channels_stay_queued_and_marks_keep_their_first_time<S: Store>(
    store: S,
    _url: &str,
) {
    let project = Project::valid();
    let loaded = project.load();
    let campaign = &loaded.campaigns[0];
    let bundle = VersionBundle::from_loaded(&loaded, campaign);
    // Monday 18 January 2027: 10:00 in Amsterdam on telegram:info and whatsapp:optin.
    let monday = Utc.with_ymd_and_hms(2027, 1, 18, 0, 0, 0).unwrap();
    let version = schedule_version(&store, &bundle, monday).await.hash;
    let jobs = planned_jobs(
        &campaign.campaign,
        &version,
        monday,
        monday + chrono::Duration::days(1),
    );
    assert_eq!(store.insert_jobs(&jobs).await.unwrap(), 6);
    let now_ms = (monday + chrono::Duration::days(1)).timestamp_millis();
    let waiting = ["telegram:info".to_string(), "x:updates".to_string()];
    let leased = store
        .lease_due_jobs("first", now_ms, now_ms + 60_000, 100, &waiting)
        .await
        .unwrap();
    let channels: Vec<&str> = leased.iter().map(|j| j.channel.as_str()).collect();
    assert_eq!(channels, ["whatsapp:optin"; 3]);
    let rest = store
        .lease_due_jobs("second", now_ms, now_ms + 60_000, 100, &[])
        .await
        .unwrap();
    let channels: Vec<&str> = rest.iter().map(|j| j.channel.as_str()).collect();
    assert_eq!(channels, ["telegram:info"; 3], "they were left queued");

    store
        .set_account_secret("telegram:info", "token", "00", "11", "root", 1)
        .await
        .unwrap();
    assert!(
        store
            .delete_account_secret("telegram:info", "token", "root", 2)
            .await
            .unwrap()
    );
    assert!(
        !store
            .delete_account_secret("telegram:info", "token", "root", 3)
            .await
            .unwrap()
    );
    assert!(store.account_secrets().await.unwrap().is_empty());

    assert_eq!(store.rehearsal_since().await.unwrap(), None);
    store.mark_rehearsal(5).await.unwrap();
    store.mark_rehearsal(9).await.unwrap();
    assert_eq!(store.rehearsal_since().await.unwrap(), Some(5));
    assert_eq!(store.real_sending_since().await.unwrap(), None);
}

on_both_stores!(waiting_channels_stay_queued_and_marks_keep_their_first_time);

/// A PostgreSQL database migrated again says nothing about the ledger that exists already.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrating_postgres_again_logs_no_notice() {
    let Some(fresh) = common::stores::postgres().await else {
        eprintln!("HERALD_TEST_POSTGRES_URL is not set: PostgreSQL run skipped");
        return;
    };
    let url = fresh.url.clone();
    let migrate = move || {
        Command::new(env!("CARGO_BIN_EXE_herald"))
            .args(["-vv", "migrate", "--database-url", &url])
            .env_remove("RUST_LOG")
            .output()
            .unwrap()
    };
    let first = tokio::task::spawn_blocking(migrate.clone()).await.unwrap();
    assert!(first.status.success(), "{first:?}");
    let again = tokio::task::spawn_blocking(migrate).await.unwrap();
    assert!(again.status.success(), "{again:?}");
    let log = String::from_utf8_lossy(&again.stderr);
    assert!(!log.contains("already exists"), "{log}");
    fresh.cleanup().await;
}
