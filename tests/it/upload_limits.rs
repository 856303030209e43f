//! Uploads built to exhaust the server, against the real `herald serve` over HTTP: a layout of
//! thousands of nested blocks (once a stack overflow that aborted the process, and with it the
//! API, the web interface, the hooks and dispatch), Fluent expansions that multiply a text or
//! pad a number with a quadrillion zeros, and many of them at once. Each gets 422 with a
//! diagnostic naming the file, line and column, and the service keeps answering.

use crate::common;

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::Project;
use serde_json::{Value, json};

/// The test configuration with every partner at a port nothing listens on, plus a webhook
/// account: a webhook has no character limit, so only herald's own bounds stop a long text.
fn config() -> String {
    common::CONFIG.replace("127.0.0.1:8090", "127.0.0.1:9")
        + r#"
[[accounts]]
name = "hook"
platform = "webhook"
base_url = "http://127.0.0.1:9"
credentials = { secret = "HERALD_HOOK_SECRET" }
"#
}

const CREDENTIALS: &[&str] = &[
    "HERALD_TG_TOKEN",
    "HERALD_WA_TOKEN",
    "HERALD_WA_PHONE",
    "HERALD_WA_WABA",
    "HERALD_WA_APP_SECRET",
    "HERALD_WA_VERIFY",
    "HERALD_X_CONSUMER_KEY",
    "HERALD_X_CONSUMER_SECRET",
    "HERALD_X_ACCESS_TOKEN",
    "HERALD_X_ACCESS_TOKEN_SECRET",
    "HERALD_META_TOKEN",
    "HERALD_META_ACCOUNT",
    "HERALD_HOOK_SECRET",
];

/// `herald serve` on port 0 with a fresh database and one author.
struct Server {
    child: Child,
    base: String,
    token: String,
    client: reqwest::Client,
    _project: Project,
}

impl Server {
    fn start() -> Server {
        let project = Project::valid();
        project.write("herald.toml", &config());
        let database = format!("sqlite://{}", project.path("herald.db").display());
        let added = project.herald(&[
            "user",
            "add",
            "alice",
            "--role",
            "author",
            "--database-url",
            &database,
        ]);
        assert_eq!(added.code, 0, "{}", added.stderr);
        let mut command = Command::new(env!("CARGO_BIN_EXE_herald"));
        command
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--database-url",
                &database,
            ])
            .current_dir(project.dir.path())
            .env_remove("RUST_LOG")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for name in CREDENTIALS {
            command.env(name, "placeholder-credential");
        }
        let mut child = command.spawn().expect("start herald serve");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let first = lines.next().and_then(Result::ok).unwrap_or_default();
        let address = first
            .strip_prefix("herald serving on http://")
            .and_then(|rest| rest.split_whitespace().next())
            .unwrap_or_else(|| panic!("unexpected first line: {first:?}"))
            .to_string();
        // Keep both pipes drained so that the server never blocks on a full one.
        std::thread::spawn(move || lines.for_each(drop));
        let mut stderr = child.stderr.take().expect("stderr");
        std::thread::spawn(move || {
            let mut sink = Vec::new();
            let _ = stderr.read_to_end(&mut sink);
        });
        Server {
            child,
            base: format!("http://{address}"),
            token: added.stdout.trim().to_string(),
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(120))
                .build()
                .expect("client"),
            _project: project,
        }
    }

    /// Whether the process is still running (a stack overflow or a failed allocation
    /// aborts it).
    fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    async fn upload(&self, bundle: &Value) -> (u16, Option<String>, Value) {
        post_upload(&self.client, &self.base, &self.token, bundle).await
    }

    async fn health(&self) -> (u16, String) {
        let response = self
            .client
            .get(format!("{}/healthz", self.base))
            .send()
            .await
            .unwrap_or_else(|e| panic!("the server did not answer /healthz: {e}"));
        (response.status().as_u16(), response.text().await.unwrap())
    }
}

/// `POST /api/v1/campaigns` as the author: status, `Retry-After` and body.
async fn post_upload(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    bundle: &Value,
) -> (u16, Option<String>, Value) {
    let response = client
        .post(format!("{base}/api/v1/campaigns"))
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body(bundle.to_string())
        .send()
        .await
        .unwrap_or_else(|e| panic!("the server did not answer an upload: {e}"));
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let text = response.text().await.unwrap_or_default();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, retry_after, body)
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn bundle(campaign: &str, en: &str, layouts: Value) -> Value {
    json!({
        "campaign": campaign,
        "translations": {"en": en, "ar": common::AR, "fr": common::FR},
        "layouts": layouts,
    })
}

/// The issue's layout: 2,000 nested `{{#if title}}`, one a line (about 75 KB).
fn nested_layout() -> String {
    "{{#if title}}<b>{{title}}</b>\n".repeat(2_000) + "{{body}}" + &"{{/if}}".repeat(2_000)
}

/// The diagnostics of a 422 answer.
fn diagnostics(status: u16, body: &Value) -> Vec<Value> {
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["code"], "invalid_campaign", "{body}");
    body["error"]["details"]["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn find<'d>(diagnostics: &'d [Value], path: &str, words: &str) -> &'d Value {
    diagnostics
        .iter()
        .find(|d| d["path"] == path && d["message"].as_str().unwrap_or("").contains(words))
        .unwrap_or_else(|| panic!("no diagnostic on {path} saying {words:?} in {diagnostics:#?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deeply_nested_layout_is_refused_and_the_service_stays_up() {
    let mut server = Server::start();
    let (status, _, body) = server
        .upload(&bundle(
            common::CAMPAIGN,
            common::EN,
            json!({"telegram": nested_layout()}),
        ))
        .await;
    assert!(server.alive(), "the upload brought the server down");
    let found = diagnostics(status, &body);
    let deep = find(
        &found,
        "campaigns/layouts/telegram.hbs",
        "nested more than 16 deep",
    );
    // The 17th `{{#if title}}` opens the 17th level: line 17, column 1.
    assert_eq!(
        (&deep["line"], &deep["column"]),
        (&json!(17), &json!(1)),
        "{deep}"
    );
    assert_eq!(deep["severity"], "error");
    find(
        &found,
        "campaigns/layouts/telegram.hbs",
        "at most 65536 bytes",
    );

    // The service still answers: its probe, and an ordinary upload.
    assert_eq!(server.health().await, (200, "ok".to_string()));
    let (status, _, body) = server
        .upload(&bundle(common::CAMPAIGN, common::EN, json!({})))
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["state"], "draft");
}

/// Inputs that slipped past the first text scans (a review found them): a `"` inside a
/// handlebars `[path]` segment, which a scan that reads it as a string opens no block for, and
/// a `"` in a Fluent variant's text, which is a plain character there. Both once compiled into
/// a stack overflow that aborted the process.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quotes_where_the_parsers_read_none_hide_no_nesting() {
    let mut server = Server::start();
    let n = 2_000;
    let layout = format!(
        "{{{{[a\"]}}}}{}{{{{[b\"]}}}}{{{{body}}}}{}",
        "{{#if title}}".repeat(n),
        "{{/if}}".repeat(n)
    );
    let (status, _, body) = server
        .upload(&bundle(
            common::CAMPAIGN,
            common::EN,
            json!({"telegram": layout}),
        ))
        .await;
    assert!(server.alive(), "the layout brought the server down");
    let found = diagnostics(status, &body);
    find(
        &found,
        "campaigns/layouts/telegram.hbs",
        "nested more than 16 deep",
    );

    let translation = format!(
        "{}\nbomb = {{ $x ->\n *[o] \" {}$y{}\n}}\n",
        common::EN,
        "{".repeat(20_000),
        "}".repeat(20_000)
    );
    let (status, _, body) = server
        .upload(&bundle(common::CAMPAIGN, &translation, json!({})))
        .await;
    assert!(server.alive(), "the translation brought the server down");
    let found = diagnostics(status, &body);
    find(&found, "locales/en/demo.ftl", "nest");

    // A broken entry leaves a placeable and a call open; the parser starts again at the next
    // entry, in text, where a `"` does not open a string.
    let after_junk = format!(
        "{}\nbroken = {{(\nbomb = \"{}\n",
        common::EN,
        "{".repeat(20_000)
    );
    let (status, _, body) = server
        .upload(&bundle(common::CAMPAIGN, &after_junk, json!({})))
        .await;
    assert!(server.alive(), "the translation brought the server down");
    let found = diagnostics(status, &body);
    find(&found, "locales/en/demo.ftl", "nest");
    // Loops inside loops multiply: refused before they run.
    let loops = "{{#each @root.campaign}}".repeat(16) + "{{body}}" + &"{{/each}}".repeat(16);
    let (status, _, body) = server
        .upload(&bundle(
            common::CAMPAIGN,
            common::EN,
            json!({"telegram": loops}),
        ))
        .await;
    let found = diagnostics(status, &body);
    find(
        &found,
        "campaigns/layouts/telegram.hbs",
        "`{{#each}}` blocks",
    );
    assert_eq!(server.health().await, (200, "ok".to_string()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fluent_expansion_bombs_are_refused_before_they_are_formatted() {
    let mut server = Server::start();
    // A message that writes a 20 KB message 99 times (under fluent-bundle's own limit of 100
    // placeables) to a webhook, which has no character limit: 2 MB of text.
    let to_webhook = common::CAMPAIGN.replace(
        "channels = [\"x:updates\"]",
        "channels = [\"webhook:hook\"]",
    );
    let wide = common::EN.replace(
        "support = Support for up to { $months ->\n    [one] one month\n   *[other] { $months } months\n}.\n",
        &format!(
            "big = {}\nsupport = {}\n",
            "Support. ".repeat(2_300),
            "{ big }".repeat(99)
        ),
    );
    assert_ne!(wide, common::EN);
    let (status, _, body) = server.upload(&bundle(&to_webhook, &wide, json!({}))).await;
    let found = diagnostics(status, &body);
    let support = find(
        &found,
        "locales/en/demo.ftl",
        "message `support` can expand to",
    );
    assert_eq!(support["line"], 10, "{support}");

    // A number padded with a quadrillion zeros: the allocation alone would abort the process.
    let zeros = common::EN.replace(
        "*[other] { $months } months",
        "*[other] { NUMBER($months, minimumFractionDigits: 1000000000000000) } months",
    );
    let (status, _, body) = server
        .upload(&bundle(common::CAMPAIGN, &zeros, json!({})))
        .await;
    assert!(server.alive(), "the upload brought the server down");
    let found = diagnostics(status, &body);
    find(
        &found,
        "locales/en/demo.ftl",
        "a digits option must be a whole number from 0 to 19",
    );

    assert_eq!(server.health().await, (200, "ok".to_string()));
    let (status, _, body) = server
        .upload(&bundle(&to_webhook, common::EN, json!({})))
        .await;
    assert_eq!(status, 201, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_bad_uploads_at_once_leave_other_routes_answering() {
    let mut server = Server::start();
    let server_ref = &server;
    let bad = bundle(
        common::CAMPAIGN,
        common::EN,
        json!({"telegram": nested_layout(), "whatsapp": nested_layout(), "viber": nested_layout()}),
    );
    let uploads = async {
        let mut running = tokio::task::JoinSet::new();
        for _ in 0..8 {
            let (client, base, token) = (
                server_ref.client.clone(),
                server_ref.base.clone(),
                server_ref.token.clone(),
            );
            let bad = bad.clone();
            running.spawn(async move { post_upload(&client, &base, &token, &bad).await });
        }
        running.join_all().await
    };
    let probes = async {
        let mut slowest = Duration::ZERO;
        for _ in 0..10 {
            let started = Instant::now();
            assert_eq!(server_ref.health().await.0, 200);
            slowest = slowest.max(started.elapsed());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        slowest
    };
    let (answers, slowest) = tokio::join!(uploads, probes);
    // Generous: a probe waits for nothing the uploads hold, so it answers in milliseconds.
    assert!(
        slowest < Duration::from_secs(10),
        "/healthz took {slowest:?}"
    );
    for (status, retry_after, body) in answers {
        match status {
            422 => {
                find(
                    &diagnostics(status, &body),
                    "campaigns/layouts/viber.hbs",
                    "nested more than 16 deep",
                );
            }
            // Beyond the concurrency limit, after a bounded wait: busy, come back later.
            503 => {
                assert_eq!(body["error"]["code"], "busy", "{body}");
                assert!(retry_after.is_some(), "503 without Retry-After");
            }
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert!(server.alive());
    assert_eq!(server.health().await, (200, "ok".to_string()));
}
