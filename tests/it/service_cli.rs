//! The long-running commands as an operator runs them: `serve`, `worker`, `deadletter`.

use crate::common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use common::Project;
use common::served::Served;

fn database(project: &Project) -> String {
    format!("sqlite://{}", project.path("herald.db").display())
}

#[test]
fn serve_answers_probes_and_stops_gracefully() {
    let project = Project::valid();
    let served = Served::start(&project, &["--sandbox"], &[]);
    let second = served.line_containing("rehearsal:");
    assert!(
        second.starts_with(
            "rehearsal: every account points at the in-process sandbox on http://127.0.0.1:"
        ),
        "{second}"
    );
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (health, ready) = runtime.block_on(async {
        let health = reqwest::get(served.url("/healthz")).await.unwrap();
        let ready = reqwest::get(served.url("/readyz")).await.unwrap();
        (health.status().as_u16(), ready.text().await.unwrap())
    });
    assert_eq!((health, ready.as_str()), (200, "ready"));
    assert_eq!(served.stop(), Some(0), "a graceful stop exits 0");
}

/// A worker without its accounts' credentials starts all the same: the log says which
/// account waits for which variable, and its jobs wait (see `serve_first_start`).
#[test]
fn a_worker_without_credentials_starts_and_says_which_accounts_wait() {
    let project = Project::valid();
    let run = project.herald(&["worker", "--once", "--database-url", &database(&project)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("environment variable HERALD_TG_TOKEN (credential `token`) is not set"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_rehearsing_worker_needs_no_credentials() {
    let project = Project::valid();
    let run = project.herald(&[
        "worker",
        "--once",
        "--sandbox-url",
        "http://127.0.0.1:9",
        "--database-url",
        &database(&project),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "planned 0 job(s) for 0 version(s); leased 0, sent 0, retrying 0, deferred 0, dead 0, unknown 0\n"
    );
}

/// Log collectors get one JSON object per line (`--log-format json`, or the environment
/// variable); people reading a pipe or a journal get text without colour codes.
#[test]
fn logs_are_json_lines_on_request_and_plain_text_otherwise() {
    let project = Project::valid();
    let worker = |format: Option<&str>, env: Option<&str>| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_herald"));
        command.arg("-vv");
        if let Some(format) = format {
            command.args(["--log-format", format]);
        }
        command
            .args(["worker", "--once", "--sandbox-url", "http://127.0.0.1:9"])
            .args(["--database-url", &database(&project)])
            .current_dir(project.dir.path())
            .env_remove("RUST_LOG")
            .env_remove("HERALD_LOG_FORMAT");
        if let Some(env) = env {
            command.env("HERALD_LOG_FORMAT", env);
        }
        let output = command.output().unwrap();
        assert!(output.status.success(), "{output:?}");
        String::from_utf8(output.stderr).unwrap()
    };
    for json in [worker(Some("json"), None), worker(None, Some("json"))] {
        let lines: Vec<&str> = json.lines().filter(|l| !l.trim().is_empty()).collect();
        assert!(!lines.is_empty(), "-vv logs something");
        for line in lines {
            let event: serde_json::Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}"));
            assert!(
                event["level"].is_string() && event["fields"].is_object(),
                "{line}"
            );
        }
    }
    let text = worker(None, None);
    assert!(text.contains("DEBUG"), "{text}");
    assert!(!text.contains('\u{1b}'), "colour codes in a pipe: {text}");
    assert!(!text.trim_start().starts_with('{'), "{text}");
}

/// A service tells its operator what it does at info without being asked; a one-off command
/// keeps its standard error for warnings.
#[test]
fn services_log_at_info_by_default_and_commands_only_warn() {
    let project = Project::valid();
    let url = database(&project);
    let mut worker = Command::new(env!("CARGO_BIN_EXE_herald"))
        .args(["worker", "--sandbox-url", "http://127.0.0.1:9"])
        .args(["--database-url", &url])
        .current_dir(project.dir.path())
        .env_remove("RUST_LOG")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(worker.stderr.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    assert!(
        first.contains("INFO") && first.contains("dispatching"),
        "{first}"
    );
    let _ = Command::new("kill")
        .args(["-TERM", &worker.id().to_string()])
        .status();
    lines.for_each(drop);
    assert!(worker.wait().unwrap().success());
    let validate = project.herald(&["validate"]);
    assert!(!validate.stderr.contains("INFO"), "{}", validate.stderr);
}

/// A container given a terminal (`docker run -t`, `kubectl run -t`) would get colour codes in
/// its logs; `NO_COLOR`, which every deployment file sets, keeps them plain. `script` gives
/// herald a terminal (skipped where it is not installed).
#[test]
fn no_color_keeps_logs_plain_even_on_a_terminal() {
    if !common::documented_commands::installed("script") {
        eprintln!("script is not installed: terminal log test skipped");
        return;
    }
    let project = Project::valid();
    let line = format!(
        "{} -vv worker --once --sandbox-url http://127.0.0.1:9 --database-url {}",
        env!("CARGO_BIN_EXE_herald"),
        database(&project)
    );
    let on_a_terminal = |no_color: bool| {
        let mut command = Command::new("script");
        command
            .args(["-qec", &line, "/dev/null"])
            .current_dir(project.dir.path())
            .env_remove("RUST_LOG")
            .env_remove("HERALD_LOG_FORMAT")
            .env_remove("NO_COLOR");
        if no_color {
            command.env("NO_COLOR", "1");
        }
        let output = command.output().unwrap();
        assert!(output.status.success(), "{output:?}");
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let coloured = on_a_terminal(false);
    assert!(
        coloured.contains("\u{1b}["),
        "a terminal without NO_COLOR gets colour: {coloured}"
    );
    let plain = on_a_terminal(true);
    assert!(plain.contains("DEBUG"), "{plain}");
    assert!(
        !plain.contains("\u{1b}["),
        "colour codes despite NO_COLOR: {plain}"
    );
}

#[test]
fn a_worker_serves_its_metrics_and_stops_gracefully() {
    let project = Project::valid();
    let mut child = Command::new(env!("CARGO_BIN_EXE_herald"))
        .args([
            "worker",
            "--sandbox-url",
            "http://127.0.0.1:9",
            "--metrics-listen",
            "127.0.0.1:0",
            "--database-url",
            &database(&project),
        ])
        .current_dir(project.dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let url = first
        .strip_prefix("metrics on ")
        .unwrap_or_else(|| panic!("unexpected first line: {first}"))
        .to_string();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (status, text) = runtime.block_on(async {
        let answer = reqwest::get(&url).await.unwrap();
        (answer.status().as_u16(), answer.text().await.unwrap())
    });
    assert_eq!(status, 200);
    // Outcome series exist before the first job, and the backlog is read from the database.
    for series in [
        "herald_job_outcomes_total{outcome=\"sent\"} 0",
        "herald_job_outcomes_total{outcome=\"unknown\"} 0",
        "herald_store_failures_total 0",
        "herald_outbox_jobs{status=\"queued\"} 0",
        "herald_outbox_oldest_due_age_seconds 0.0",
        "herald_build_info{version=",
    ] {
        assert!(text.contains(series), "{series} in {text}");
    }
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(
        child.wait().unwrap().code(),
        Some(0),
        "a graceful stop exits 0"
    );
}

#[test]
fn dead_letters_list_and_retry() {
    let project = Project::valid();
    let url = database(&project);
    let run = project.herald(&["deadletter", "list", "--database-url", &url]);
    assert_eq!((run.code, run.stdout.as_str()), (0, "0 dead letters\n"));
    let run = project.herald(&["deadletter", "list", "--unknown", "--database-url", &url]);
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (
            0,
            "0 jobs whose outcome is unknown (never sent again by herald)\n"
        )
    );
    let run = project.herald(&["deadletter", "retry", "--database-url", &url]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        "error: name the dead letters to retry (their ids) or pass --all\n"
    );
    let run = project.herald(&["deadletter", "retry", "--all", "--database-url", &url]);
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (0, "0 jobs back in the queue\n")
    );
}

#[test]
fn user_add_prints_the_token_once_and_audit_verify_checks_the_log() {
    let project = Project::valid();
    let url = database(&project);
    let run = project.herald(&[
        "user",
        "add",
        "ana",
        "--role",
        "author,approver",
        "--database-url",
        &url,
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let token = run.stdout.trim();
    let (id, secret) = token.split_once('.').expect("id.secret");
    assert_eq!((id.len(), secret.len()), (12, 64));
    assert!(
        run.stderr
            .contains("user `ana` added with roles author,approver")
    );
    let again = project.herald(&[
        "user",
        "add",
        "ana",
        "--role",
        "admin",
        "--database-url",
        &url,
    ]);
    assert_eq!(
        (again.code, again.stderr.as_str()),
        (1, "error: a user named `ana` exists already\n")
    );
    let bad = project.herald(&[
        "user",
        "add",
        "bo",
        "--role",
        "wizard",
        "--database-url",
        &url,
    ]);
    assert_eq!(bad.code, 2);
    let revoke = project.herald(&["user", "revoke", token, "--database-url", &url]);
    assert_eq!(revoke.stdout, format!("token {id} revoked\n"));
    assert!(!revoke.stdout.contains(secret) && !revoke.stderr.contains(secret));
    let verify = project.herald(&["audit", "verify", "--database-url", &url]);
    assert_eq!(
        (verify.code, verify.stdout.as_str()),
        (0, "audit log intact: 2 entries, chain and head agree\n")
    );
}

#[test]
fn subscribers_stats_shows_counts_and_hides_small_ones() {
    use herald::store::{NewSubscriber, SqliteStore, Store};
    use herald::subscribers::SubscriberVault;

    let project = Project::valid();
    let url = database(&project);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let store = SqliteStore::connect(&url).await.unwrap();
        store.migrate().await.unwrap();
        let vault = SubscriberVault::from_hex(&"1f".repeat(32)).unwrap();
        // 40 Arabic and 25 French readers, and 3 English ones: 3 is small enough to single
        // someone out.
        for (locale, people) in [("ar", 40), ("fr", 25), ("en", 3)] {
            for n in 0..people {
                let who = format!("{locale}-{n}");
                store
                    .save_subscriber(&NewSubscriber {
                        channel: "whatsapp:optin".into(),
                        lookup: vault.lookup("whatsapp:optin", &who),
                        sealed: vault.seal("whatsapp:optin", &who).unwrap(),
                        locale: locale.into(),
                        segment: "in-eu".into(),
                        at_ms: 0,
                    })
                    .await
                    .unwrap();
            }
        }
    });
    let run = project.herald(&["subscribers", "stats", "--database-url", &url]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let table: Vec<&str> = run.stdout.lines().take(4).collect();
    assert_eq!(
        table,
        [
            "whatsapp:optin",
            "  segment  ar          en          fr  total",
            "  in-eu    40  suppressed  suppressed     68",
            "  total    40  suppressed  suppressed     68",
        ],
        "{}",
        run.stdout
    );
    let json = project.herald(&[
        "subscribers",
        "stats",
        "--format",
        "json",
        "--database-url",
        &url,
    ]);
    let value: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let cells = &value["channels"][0]["table"]["cells"][0];
    assert_eq!(cells[0], 40);
    assert_eq!(cells[1], "suppressed");
    assert!(!json.stdout.contains("ar-0"), "no identifier ever leaves");
    let refused = project.herald(&["subscribers", "stats", "--k", "3", "--database-url", &url]);
    assert_eq!(refused.code, 2);
    assert!(refused.stderr.contains("at least 5"), "{}", refused.stderr);
}

/// Clicks are written in batches every few seconds; those still in memory when the operator
/// stops `herald serve` (SIGTERM) are written before it exits, none lost.
#[test]
fn clicks_pending_at_a_graceful_stop_are_written() {
    use crate::common::lifecycle::approve_version;
    use herald::campaign::VersionBundle;
    use herald::render::{LinkDimensions, tracking_token};
    use herald::store::{SqliteStore, Store};

    let project = Project::valid();
    let url = database(&project);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    // An approved version, as the API leaves it after four eyes.
    let version = runtime.block_on(async {
        let loaded = project.load();
        let store = SqliteStore::connect(&url).await.unwrap();
        store.migrate().await.unwrap();
        let bundle = VersionBundle::from_loaded(&loaded, &loaded.campaigns[0]);
        let version = approve_version(&store, &bundle, chrono::Utc::now()).await;
        drop(store);
        version.hash
    });
    let token = tracking_token(
        &version,
        LinkDimensions {
            campaign: "demo",
            send: "weekly",
            variant: Some("b"),
            locale: &herald::campaign::Locale::parse("fr").unwrap(),
            channel: &herald::platforms::ChannelRef::parse("telegram:info").unwrap(),
        },
    );
    let served = Served::start(&project, &["--sandbox"], &[]);
    let address = served.address.clone();
    let location = runtime.block_on(async {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let response = client
            .get(format!("http://{address}/r/{token}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 302);
        response.headers()["location"].to_str().unwrap().to_string()
    });
    assert_eq!(location, "https://example.org/return");
    // Stopped at once: well before the first batch is due.
    assert_eq!(served.stop(), Some(0), "a graceful stop exits 0");
    let counts = runtime.block_on(async {
        let store = SqliteStore::connect(&url).await.unwrap();
        store.click_counts("demo").await.unwrap()
    });
    let counted: Vec<(&str, &str, &str, i64)> = counts
        .iter()
        .map(|(key, n)| {
            (
                key.locale.as_str(),
                key.variant.as_str(),
                key.kind.as_str(),
                n.clicks,
            )
        })
        .collect();
    assert_eq!(counted, vec![("fr", "b", "person", 1)]);
}

/// `audit verify` leaves the database as it found it: on a database an older herald wrote it
/// refuses, saying why, instead of migrating it past the release an operator may be rolling
/// back to.
#[test]
fn audit_verify_never_migrates_the_database_it_checks() {
    let project = Project::valid();
    let url = database(&project);
    let run = project.herald(&["migrate", "--database-url", &url]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = project.herald(&["audit", "verify", "--database-url", &url]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let latest = || {
        runtime.block_on(async {
            let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
            let version: i64 =
                sqlx::query_scalar("SELECT MAX(version) FROM herald_schema_migrations")
                    .fetch_one(&pool)
                    .await
                    .unwrap();
            pool.close().await;
            version
        })
    };
    let current = latest();
    // As if the previous release had written it (its number need not be one less).
    runtime.block_on(common::stores::raw_execute(
        &url,
        "DELETE FROM herald_schema_migrations WHERE version = (SELECT MAX(version) FROM herald_schema_migrations)",
    ));
    // Release numbers may skip (each branch is given its own), so the previous one is read.
    let previous = latest();
    assert!(previous < current);
    let run = project.herald(&["audit", "verify", "--database-url", &url]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains(&format!(
            "schema is at version {previous}, older than this herald's ({current})"
        )),
        "{}",
        run.stderr
    );
    assert_eq!(latest(), previous, "audit verify migrated the database");
}
