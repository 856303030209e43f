//! The integrity attacks against `herald serve` as an operator runs it (the real binary):
//! a stranger locking staff out with bad tokens, rehearsals touching real data or taking
//! forged partner events, slow clients holding connections, missing security headers, and a
//! partner redirect carrying credentials to another host.

use crate::common;

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

use common::Project;
use common::served::Served;
use herald::reach::inbound::hmac_sha256_hex;
use serde_json::json;

fn database(project: &Project) -> String {
    format!("sqlite://{}", project.path("herald.db").display())
}

/// A user with `role`, added as an operator does; their token.
fn add_user(project: &Project, name: &str, role: &str) -> String {
    project.herald(&["migrate", "--database-url", &database(project)]);
    let run = project.herald(&[
        "user",
        "add",
        name,
        "--role",
        role,
        "--database-url",
        &database(project),
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.stdout.trim().to_string()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Runtime::new().unwrap()
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The test project, with herald behind a reverse proxy on 127.0.0.1 that appends the client
/// it saw to `X-Forwarded-For`.
fn behind_a_proxy() -> Project {
    let project = Project::valid();
    project.edit(
        "herald.toml",
        "public_url = \"https://herald.example.org\"",
        "public_url = \"https://herald.example.org\"\ntrusted_proxies = [\"127.0.0.1\"]",
    );
    project
}

/// The statuses of eleven requests with a wrong token, each with the headers `nth` gives.
async fn eleven_wrong_tokens(
    served: &Served,
    nth: impl Fn(usize) -> Vec<(&'static str, String)>,
) -> Vec<u16> {
    let client = no_redirects();
    let mut statuses = Vec::new();
    for n in 0..11 {
        let mut request = client
            .get(served.url("/api/v1/me"))
            .header("authorization", "Bearer nobody.wrong");
        for (name, value) in nth(n) {
            request = request.header(name, value);
        }
        statuses.push(request.send().await.unwrap().status().as_u16());
    }
    statuses
}

#[test]
fn failed_tokens_from_a_stranger_never_lock_out_a_valid_token() {
    let project = behind_a_proxy();
    let admin = add_user(&project, "ada", "admin");
    let served = Served::start(&project, &["--sandbox"], &[]);
    let client = no_redirects();
    runtime().block_on(async {
        let me = |token: String, client_address: &'static str| {
            client
                .get(served.url("/api/v1/me"))
                .header("authorization", format!("Bearer {token}"))
                .header("x-forwarded-for", client_address)
                .send()
        };
        // Behind the proxy, a stranger fails ten times, then is answered 429.
        for _ in 0..10 {
            let response = me("nobody.wrong".into(), "203.0.113.5").await.unwrap();
            assert_eq!(response.status(), 401);
        }
        let limited = me("nobody.wrong".into(), "203.0.113.5").await.unwrap();
        assert_eq!(limited.status(), 429);
        assert!(limited.headers().contains_key("retry-after"));
        // The admin, from that very address, is not refused: on the API ...
        let response = me(admin.clone(), "203.0.113.5").await.unwrap();
        assert_eq!(response.status(), 200, "a valid token is never refused");
        // ... nor at the web sign-in.
        let login = client
            .post(served.url("/ui/login"))
            .header("x-forwarded-for", "203.0.113.5")
            .body(format!("token={admin}"))
            .send()
            .await
            .unwrap();
        assert_eq!(login.status(), 303, "signed in");
        // Other clients behind the same proxy are not limited by the stranger's failures.
        let other = me("nobody.wrong".into(), "198.51.100.7").await.unwrap();
        assert_eq!(other.status(), 401);
    });
}

#[test]
fn forwarding_headers_from_an_untrusted_peer_do_not_escape_the_limiter() {
    // No trusted proxies: X-Forwarded-For is the client's own word, and ignored.
    let project = Project::valid();
    let served = Served::start(&project, &["--sandbox"], &[]);
    runtime().block_on(async {
        let statuses = eleven_wrong_tokens(&served, |n| {
            vec![("x-forwarded-for", format!("192.0.2.{n}"))]
        })
        .await;
        assert_eq!(statuses[..10], [401; 10]);
        assert_eq!(statuses[10], 429);
    });
}

#[test]
fn a_rehearsal_listens_on_loopback_unless_told_otherwise() {
    let project = Project::valid();
    let run = project.herald(&[
        "serve",
        "--sandbox",
        "--listen",
        "0.0.0.0:0",
        "--database-url",
        &database(&project),
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("--allow-public-rehearsal"),
        "{}",
        run.stderr
    );
    // Said explicitly, it starts.
    let served = Served::start(&project, &["--sandbox", "--allow-public-rehearsal"], &[]);
    assert_eq!(served.stop(), Some(0));
}

/// The credentials `tests/common`'s herald.toml names, for a run that sends for real.
const REAL_CREDENTIALS: &[(&str, &str)] = &[
    ("HERALD_TG_TOKEN", "123:real-telegram-token"),
    ("HERALD_WA_TOKEN", "real-whatsapp-token"),
    ("HERALD_WA_PHONE", "1234567890"),
    ("HERALD_WA_WABA", "987654321"),
    ("HERALD_WA_APP_SECRET", "real-app-secret"),
    ("HERALD_WA_VERIFY", "real-verify"),
    ("HERALD_X_CONSUMER_KEY", "real-x-consumer-key"),
    ("HERALD_X_CONSUMER_SECRET", "real-x-consumer-secret"),
    ("HERALD_X_ACCESS_TOKEN", "real-x-access-token"),
    ("HERALD_X_ACCESS_TOKEN_SECRET", "real-x-access-token-secret"),
    ("HERALD_META_TOKEN", "real-meta-token"),
    ("HERALD_META_ACCOUNT", "1234"),
];

#[test]
fn a_rehearsal_refuses_a_database_that_has_sent_for_real() {
    let project = Project::valid();
    // A fresh database may be rehearsed on (and is a rehearsal's from then on: see
    // `serve_first_start` for what that refuses).
    let rehearsal_database = format!("sqlite://{}", project.path("rehearsal.db").display());
    let rehearsal = project.herald(&[
        "worker",
        "--once",
        "--sandbox-url",
        "http://127.0.0.1:9",
        "--database-url",
        &rehearsal_database,
    ]);
    assert_eq!(rehearsal.code, 0, "{}", rehearsal.stderr);
    // A real worker runs on a fresh one.
    let real = Command::new(env!("CARGO_BIN_EXE_herald"))
        .args(["worker", "--once", "--database-url", &database(&project)])
        .current_dir(project.dir.path())
        .envs(REAL_CREDENTIALS.iter().copied())
        .output()
        .unwrap();
    assert!(
        real.status.success(),
        "{}",
        String::from_utf8_lossy(&real.stderr)
    );
    // From then on, neither kind of rehearsal takes it ...
    for args in [
        vec!["serve", "--sandbox", "--listen", "127.0.0.1:0"],
        vec!["worker", "--once", "--sandbox-url", "http://127.0.0.1:9"],
    ] {
        let mut args = args;
        let url = database(&project);
        args.extend(["--database-url", &url]);
        let run = project.herald(&args);
        assert_eq!(run.code, 1, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr
                .contains("this database has sent to the real partners")
                && run.stderr.contains("--allow-used-database"),
            "{}",
            run.stderr
        );
    }
    // ... unless the operator says so.
    let served = Served::start(&project, &["--sandbox", "--allow-used-database"], &[]);
    assert_eq!(served.stop(), Some(0));
}

/// A WhatsApp message from `from` saying `text`, as Meta posts it now.
fn whatsapp_message(phone_number_id: &str, from: &str, text: &str) -> String {
    let now = chrono::Utc::now().timestamp().to_string();
    json!({
        "object": "whatsapp_business_account",
        "entry": [{"id": "1", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "3120000000", "phone_number_id": phone_number_id},
            "contacts": [{"profile": {"name": "Person"}, "wa_id": from}],
            "messages": [{"from": from, "id": format!("wamid.{from}.{now}"), "timestamp": now, "type": "text", "text": {"body": text}}]
        }}]}]
    })
    .to_string()
}

#[test]
fn rehearsal_hooks_take_only_events_signed_with_this_rehearsals_secret() {
    let project = Project::valid();
    let served = Served::start(&project, &["--sandbox"], &[]);
    let line = served.line_containing("every account's credential in this rehearsal");
    let secret = line
        .rsplit(": ")
        .next()
        .expect("the line ends with the credential")
        .trim()
        .to_string();
    assert!(
        secret.len() >= 32 && secret != "sandbox",
        "a random credential: {line}"
    );
    let client = no_redirects();
    runtime().block_on(async {
        let post = |key: &str, body: String| {
            let signature = format!("sha256={}", hmac_sha256_hex(key, body.as_bytes()));
            client
                .post(served.url("/hooks/whatsapp/optin"))
                .header("content-type", "application/json")
                .header("x-hub-signature-256", signature)
                .body(body)
                .send()
        };
        // Signed with the public placeholder, as anyone could: refused.
        let forged = post(
            "sandbox",
            whatsapp_message("sandbox", "31611111111", "START"),
        )
        .await
        .unwrap();
        assert_eq!(forged.status(), 401);
        // Signed with this rehearsal's own secret, as its sandbox signs: taken.
        let genuine = post(&secret, whatsapp_message(&secret, "31622222222", "START"))
            .await
            .unwrap();
        assert_eq!(genuine.status(), 200);
    });
    // Another rehearsal gets another secret.
    let second = Served::start(&project, &["--sandbox"], &[]);
    let other = second.line_containing("every account's credential in this rehearsal");
    assert_ne!(other, line);
}

/// Reads until the server closes the connection; whether it did within `within`.
fn closed_within(
    stream: &mut TcpStream,
    within: Duration,
    mut trickle: impl FnMut(&mut TcpStream) -> bool,
) -> bool {
    let deadline = Instant::now() + within;
    stream
        .set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    let mut buffer = [0u8; 1024];
    while Instant::now() < deadline {
        match stream.read(&mut buffer) {
            Ok(0) => return true,
            Ok(_) => {}
            Err(error) if matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(_) => return true,
        }
        if !trickle(stream) {
            return true;
        }
    }
    false
}

#[test]
fn a_client_trickling_its_headers_is_cut_off() {
    let project = Project::valid();
    let served = Served::start(&project, &["--sandbox"], &[]);
    let mut stream = TcpStream::connect(&served.address).unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: herald\r\n")
        .unwrap();
    let mut last = Instant::now();
    let started = Instant::now();
    // One header line every second, never the blank line that ends them.
    let closed = closed_within(&mut stream, Duration::from_secs(25), |stream| {
        if last.elapsed() >= Duration::from_secs(1) {
            last = Instant::now();
            return stream.write_all(b"X-Slow: 1\r\n").is_ok();
        }
        true
    });
    assert!(closed, "the connection was still open after 25 s");
    assert!(
        started.elapsed() >= Duration::from_secs(5),
        "closed too early for a header deadline"
    );
    // The server itself is fine.
    runtime().block_on(async {
        let health = reqwest::get(served.url("/healthz")).await.unwrap();
        assert_eq!(health.status(), 200);
    });
}

#[test]
fn one_peer_cannot_take_every_connection() {
    let project = Project::valid();
    let served = Served::start(&project, &["--sandbox"], &[]);
    let held: Vec<TcpStream> = (0..64)
        .map(|_| TcpStream::connect(&served.address).unwrap())
        .collect();
    let mut extra = TcpStream::connect(&served.address).unwrap();
    assert!(
        closed_within(&mut extra, Duration::from_secs(3), |_| true),
        "the 65th connection from one peer is closed at once"
    );
    drop(held);
    // Once the peer lets go, it is served again.
    let deadline = Instant::now() + Duration::from_secs(5);
    runtime().block_on(async {
        loop {
            match reqwest::get(served.url("/healthz")).await {
                Ok(response) if response.status() == 200 => break,
                _ if Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(100)).await
                }
                other => panic!("not served again: {other:?}"),
            }
        }
    });
}

#[test]
fn every_response_carries_the_security_headers() {
    let project = Project::valid();
    let served = Served::start(&project, &["--sandbox"], &[]);
    runtime().block_on(async {
        let client = no_redirects();
        let api = client.get(served.url("/api/v1/me")).send().await.unwrap();
        let headers = api.headers();
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(headers["cache-control"], "no-store");
        assert!(
            headers["content-security-policy"]
                .to_str()
                .unwrap()
                .starts_with("default-src 'none'")
        );
        // The public URL is https: browsers are told to keep to https.
        assert_eq!(headers["strict-transport-security"], "max-age=31536000");
        let docs = client.get(served.url("/api/docs/")).send().await.unwrap();
        assert_eq!(docs.status(), 200);
        let policy = docs.headers()["content-security-policy"].to_str().unwrap();
        assert!(policy.contains("script-src 'self'"), "{policy}");
        assert!(!policy.contains("unsafe-eval"), "{policy}");
        let health = client.get(served.url("/healthz")).send().await.unwrap();
        assert_eq!(health.headers()["x-content-type-options"], "nosniff");
    });
    // Published over plain http (a laptop rehearsal), no HSTS.
    let plain = Project::valid();
    plain.edit(
        "herald.toml",
        "public_url = \"https://herald.example.org\"",
        "public_url = \"http://127.0.0.1:8080\"",
    );
    let served = Served::start(&plain, &["--sandbox"], &[]);
    runtime().block_on(async {
        let health = reqwest::get(served.url("/healthz")).await.unwrap();
        assert!(!health.headers().contains_key("strict-transport-security"));
    });
}

#[test]
fn a_partner_redirect_never_carries_credentials_to_another_host() {
    use std::sync::{Arc, Mutex};

    use axum::Router;
    use axum::http::HeaderMap;
    use axum::routing::post;

    runtime().block_on(async {
        // Another host, recording every Viber token that reaches it.
        let stolen = Arc::new(Mutex::new(Vec::<String>::new()));
        let sink = Arc::clone(&stolen);
        let thief = Router::new().route(
            "/pa/send_message",
            post(move |headers: HeaderMap| {
                let sink = Arc::clone(&sink);
                async move {
                    if let Some(token) = headers.get("x-viber-auth-token") {
                        sink.lock()
                            .unwrap()
                            .push(token.to_str().unwrap_or("").to_string());
                    }
                    axum::Json(json!({"status": 0, "message_token": 1}))
                }
            }),
        );
        let thief_address = common::loopback::serve(thief).await;
        // The "partner" redirects every call there.
        let partner = Router::new().route(
            "/pa/send_message",
            post(move || async move {
                (
                    axum::http::StatusCode::TEMPORARY_REDIRECT,
                    [(
                        "location",
                        format!("http://{thief_address}/pa/send_message"),
                    )],
                )
            }),
        );
        let partner_address = common::loopback::serve(partner).await;

        let adapter = herald::platforms::ViberAdapter::new(
            herald::platforms::partner_client().unwrap(),
            &format!("http://{partner_address}"),
            herald::platforms::Secret::new("viber-auth-token"),
            "Info".into(),
            Duration::from_secs(5),
        );
        let outcome = adapter.send_message("user-1", "hello").await;
        assert!(
            !matches!(outcome, herald::platforms::PublishResult::Published { .. }),
            "a redirect is not a send"
        );
        assert!(
            stolen.lock().unwrap().is_empty(),
            "the token reached another host"
        );
    });
}

#[test]
fn a_database_that_sent_before_the_upgrade_is_treated_as_used() {
    let project = Project::valid();
    let url = database(&project);
    // A database as a herald from before the mark (schema 8) left it, after it sent.
    runtime().block_on(async {
        let options = url
            .parse::<sqlx::sqlite::SqliteConnectOptions>()
            .unwrap()
            .create_if_missing(true);
        let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
        sqlx::raw_sql(
            "CREATE TABLE herald_schema_migrations (version BIGINT PRIMARY KEY NOT NULL, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
        )
        .execute(&pool)
        .await
        .unwrap();
        let mut files: Vec<_> = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite"))
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .collect();
        files.sort();
        for file in files {
            let name = file.file_name().unwrap().to_string_lossy().into_owned();
            let version: i64 = name[..4].parse().unwrap();
            if version >= 9 {
                continue;
            }
            let sql = std::fs::read_to_string(&file).unwrap();
            // The project's own migration files, not input.
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                .execute(&pool)
                .await
                .unwrap();
            sqlx::query("INSERT INTO herald_schema_migrations VALUES ($1, $2, 0)")
                .bind(version)
                .bind(name)
                .execute(&pool)
                .await
                .unwrap();
        }
        sqlx::query("INSERT INTO daily_counts (channel, day, sent) VALUES ('telegram:info', '2026-11-30', 12)")
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
    });
    assert_eq!(project.herald(&["migrate", "--database-url", &url]).code, 0);
    let run = project.herald(&[
        "serve",
        "--sandbox",
        "--listen",
        "127.0.0.1:0",
        "--database-url",
        &url,
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("--allow-used-database"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_client_cannot_rename_itself_behind_the_proxy() {
    let project = behind_a_proxy();
    let served = Served::start(&project, &["--sandbox"], &[]);
    let client = no_redirects();
    runtime().block_on(async {
        // The proxy appends the address it saw to X-Forwarded-For; the client adds a
        // `Forwarded` of its own choosing each time, and walks through its IPv6 /64.
        let statuses = eleven_wrong_tokens(&served, |n| {
            vec![
                ("forwarded", format!("for=192.0.2.{n}")),
                ("x-forwarded-for", format!("2001:db8:5:6::{n:x}")),
            ]
        })
        .await;
        assert_eq!(statuses[..10], [401; 10]);
        assert_eq!(statuses[10], 429, "one client, however it names itself");
        // Another /64 is another client.
        let other = client
            .get(served.url("/api/v1/me"))
            .header("authorization", "Bearer nobody.wrong")
            .header("x-forwarded-for", "2001:db8:5:7::1")
            .send()
            .await
            .unwrap();
        assert_eq!(other.status(), 401);
    });
}
