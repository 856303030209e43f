//! Web sessions in the database, through the whole app (`herald serve` as assembled, on port 0)
//! and the real `herald` binary, on SQLite and, when `HERALD_TEST_POSTGRES_URL` is set,
//! PostgreSQL. The attacks: a restart and a second replica (the session must hold on both); a
//! cookie replayed after its idle timeout or its lifetime; a session-id hash stolen from the
//! database presented as a cookie; a cookie planted under the name without `__Host-`; a token
//! past its expiry, a rotated token and a revoked one; a session ended by an admin used again;
//! a non-admin on the session routes; a flood of sign-ins with one token; wrong tokens, whose
//! audit entries must not carry the token.

use crate::common;

use std::process::Command;
use std::sync::Arc;

use chrono::{Duration, Utc};
use common::app::{AppOptions, StartedApp, start_app_on};
use herald::auth::{Role, issue_token};
use herald::clock::SimulatedClock;
use herald::store::{SqlStore, Store};

const HTTPS: &str = "public_url = \"https://herald.example.org\"\n";
const HTTP_LOOPBACK: &str = "public_url = \"http://127.0.0.1:8080\"\n";

/// A clock at the machine's time (the CLI, which reads the machine's clock, then agrees with
/// the app on what is live), moved by the test.
fn clock_now() -> SimulatedClock {
    SimulatedClock::starting_at(Utc::now())
}

async fn start(url: &str, herald_toml: &str, clock: &SimulatedClock) -> StartedApp {
    start_app_on(url, AppOptions::new(herald_toml, Arc::new(clock.clone()))).await
}

/// A user with one token; the token.
async fn user(store: &SqlStore, name: &str, roles: &[Role], expires_at_ms: Option<i64>) -> String {
    let user = store
        .create_user_until(name, roles, expires_at_ms, 0)
        .await
        .unwrap();
    let token = issue_token();
    store
        .add_token(&token.id, &user.id, &token.secret_hash, 0)
        .await
        .unwrap();
    token.token
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Signs in on the web with `token`: the status and the whole `Set-Cookie` value.
async fn sign_in(app: &StartedApp, token: &str) -> (u16, Option<String>) {
    let response = client()
        .post(app.url("/ui/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("token={token}"))
        .send()
        .await
        .unwrap();
    let cookie = response
        .headers()
        .get("set-cookie")
        .map(|v| v.to_str().unwrap().to_string());
    (response.status().as_u16(), cookie)
}

/// A signed-in cookie (`name=value`, as the browser sends it back).
async fn signed_in(app: &StartedApp, token: &str) -> String {
    let (status, set_cookie) = sign_in(app, token).await;
    assert_eq!(status, 303, "signing in works");
    set_cookie
        .expect("a session cookie")
        .split(';')
        .next()
        .unwrap()
        .to_string()
}

/// `GET /ui` with `cookie`: the status and where it redirects to, if it does.
async fn home(app: &StartedApp, cookie: &str) -> (u16, String) {
    let response = client()
        .get(app.url("/ui"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    let location = response
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let status = response.status().as_u16();
    let body = response.text().await.unwrap();
    (status, if status == 200 { body } else { location })
}

/// Asserts that `cookie` opens `/ui` (200).
async fn assert_signed_in(app: &StartedApp, cookie: &str, why: &str) {
    let (status, _) = home(app, cookie).await;
    assert_eq!(status, 200, "{why}");
}

/// Asserts that `cookie` is sent to the sign-in page.
async fn assert_signed_out(app: &StartedApp, cookie: &str, why: &str) {
    let (status, location) = home(app, cookie).await;
    assert_eq!((status, location.as_str()), (303, "/ui/login"), "{why}");
}

/// An API call with a Bearer token: status and body.
async fn api(app: &StartedApp, method: reqwest::Method, path: &str, token: &str) -> (u16, String) {
    let response = client()
        .request(method, app.url(path))
        .header("authorization", format!("Bearer {token}"))
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// The first column of every row `sql` selects, as text, read straight from the database.
async fn column(url: &str, sql: &'static str) -> Vec<String> {
    if url.starts_with("sqlite:") {
        let pool = sqlx::SqlitePool::connect(url).await.unwrap();
        let rows: Vec<(String,)> = sqlx::query_as(sql).fetch_all(&pool).await.unwrap();
        pool.close().await;
        rows.into_iter().map(|(v,)| v).collect()
    } else {
        let pool = sqlx::PgPool::connect(url).await.unwrap();
        let rows: Vec<(String,)> = sqlx::query_as(sql).fetch_all(&pool).await.unwrap();
        pool.close().await;
        rows.into_iter().map(|(v,)| v).collect()
    }
}

async fn session_rows(url: &str) -> usize {
    column(url, "SELECT id FROM web_sessions").await.len()
}

/// The real `herald` binary on this database: exit success, stdout, stderr.
fn herald(url: &str, args: &[&str]) -> (bool, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_herald"))
        .arg("--database-url")
        .arg(url)
        .args(args)
        .env_remove("HERALD_DATABASE_URL")
        .output()
        .expect("herald runs");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Audit entries with this action, as `(actor, subject, details)`.
async fn audited(store: &SqlStore, action: &str) -> Vec<(String, String, String)> {
    let (entries, _) = store.audit_log().await.unwrap();
    entries
        .into_iter()
        .filter(|e| e.action == action)
        .map(|e| (e.actor, e.subject, e.details))
        .collect()
}

async fn a_session_survives_a_restart_and_is_shared_by_replicas(store: SqlStore, url: &str) {
    let clock = clock_now();
    let ana = user(&store, "ana", &[Role::Author], None).await;
    let first = start(url, HTTPS, &clock).await;
    let (status, set_cookie) = sign_in(&first, &ana).await;
    assert_eq!(status, 303);
    let set_cookie = set_cookie.unwrap();
    assert!(
        set_cookie.starts_with("__Host-herald_session="),
        "{set_cookie}"
    );
    for part in [
        "HttpOnly",
        "SameSite=Strict",
        "Path=/;",
        "Secure",
        "Max-Age=43200",
    ] {
        assert!(set_cookie.contains(part), "{set_cookie}");
    }
    assert!(
        !set_cookie.to_ascii_lowercase().contains("domain"),
        "{set_cookie}"
    );
    let cookie = set_cookie.split(';').next().unwrap().to_string();
    let secret = cookie.split_once('=').unwrap().1.to_string();
    assert_signed_in(&first, &cookie, "the replica that signed ana in").await;

    let second = start(url, HTTPS, &clock).await;
    assert_signed_in(&second, &cookie, "another replica on the same database").await;
    first.stop().await;
    let restarted = start(url, HTTPS, &clock).await;
    assert_signed_in(&restarted, &cookie, "after a restart").await;

    // The database holds a hash of the secret, never the secret; the hash is no cookie.
    let hashes = column(url, "SELECT secret_hash FROM web_sessions").await;
    assert_eq!(hashes.len(), 1);
    assert_ne!(hashes[0], secret);
    let dump = column(
        url,
        "SELECT id || ' ' || secret_hash || ' ' || token_id || ' ' || user_id FROM web_sessions",
    )
    .await;
    assert!(!dump[0].contains(&secret), "the secret is not stored");
    let stolen = format!("__Host-herald_session={}", hashes[0]);
    assert_signed_out(
        &second,
        &stolen,
        "a hash stolen from the database opens nothing",
    )
    .await;
    // Over https only the __Host- cookie counts: one planted without the prefix is ignored.
    assert_signed_out(
        &second,
        &format!("herald_session={secret}"),
        "a cookie under the plain name, which a subdomain could plant",
    )
    .await;

    // Signing out on one replica ends the session on the other: the form's CSRF token, from
    // the page the other replica rendered, is the session's.
    let (_, page) = home(&restarted, &cookie).await;
    let csrf = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_string();
    let response = client()
        .post(second.url("/ui/logout"))
        .header("cookie", &cookie)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("csrf={csrf}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_signed_out(&restarted, &cookie, "signed out on the other replica").await;
    assert_eq!(session_rows(url).await, 0);
    second.stop().await;
    restarted.stop().await;
}

async fn sessions_end_when_idle_and_at_their_lifetime(store: SqlStore, url: &str) {
    let clock = clock_now();
    let ana = user(&store, "ana", &[Role::Author], None).await;
    let app = start(url, HTTP_LOOPBACK, &clock).await;
    let (_, set_cookie) = sign_in(&app, &ana).await;
    let set_cookie = set_cookie.unwrap();
    assert!(
        set_cookie.starts_with("herald_session=") && !set_cookie.contains("Secure"),
        "plain http on loopback keeps the plain cookie: {set_cookie}"
    );
    let cookie = set_cookie.split(';').next().unwrap().to_string();

    // Used every 29 minutes, the session stays; 31 minutes unused, it is gone.
    for _ in 0..3 {
        clock.advance(Duration::minutes(29));
        assert_signed_in(&app, &cookie, "used within the idle timeout").await;
    }
    clock.advance(Duration::minutes(31));
    assert_signed_out(&app, &cookie, "31 minutes unused").await;

    // However often it is used, it ends 12 hours after sign-in.
    let cookie = signed_in(&app, &ana).await;
    for _ in 0..35 {
        clock.advance(Duration::minutes(20));
        assert_signed_in(&app, &cookie, "within the lifetime").await;
    }
    clock.advance(Duration::minutes(20));
    assert_signed_out(&app, &cookie, "12 hours after sign-in").await;

    // The upkeep deletes ended sessions nobody presents again.
    signed_in(&app, &ana).await;
    clock.advance(Duration::minutes(31));
    assert_eq!(session_rows(url).await, 1);
    app.running.dispatcher().plan().await.unwrap();
    assert_eq!(
        session_rows(url).await,
        0,
        "the sweep removed the ended session"
    );
    app.stop().await;

    // Both limits come from `[sessions]`.
    let short = format!("{HTTPS}[sessions]\nidle_minutes = 5\nlifetime_hours = 1\n");
    let app = start(url, &short, &clock).await;
    let (_, set_cookie) = sign_in(&app, &ana).await;
    assert!(set_cookie.as_deref().unwrap().contains("Max-Age=3600"));
    let cookie = set_cookie.unwrap().split(';').next().unwrap().to_string();
    clock.advance(Duration::minutes(4));
    assert_signed_in(&app, &cookie, "4 minutes of 5").await;
    clock.advance(Duration::minutes(6));
    assert_signed_out(&app, &cookie, "6 minutes unused, with 5 configured").await;
    app.stop().await;
}

async fn admins_list_and_end_sessions_and_no_one_else_may(store: SqlStore, url: &str) {
    let clock = clock_now();
    let root = user(&store, "root", &[Role::Admin], None).await;
    let ana = user(&store, "ana", &[Role::Author, Role::Scheduler], None).await;
    let app = start(url, HTTPS, &clock).await;
    let cookie = signed_in(&app, &ana).await;
    let secret = cookie.split_once('=').unwrap().1.to_string();
    let hash = column(url, "SELECT secret_hash FROM web_sessions").await[0].clone();

    for (method, path) in [
        (reqwest::Method::GET, "/api/v1/sessions"),
        (reqwest::Method::DELETE, "/api/v1/sessions/whatever"),
    ] {
        let (status, _) = api(&app, method, path, &ana).await;
        assert_eq!(status, 403, "{path} is for admins only");
    }
    let (status, body) = api(&app, reqwest::Method::GET, "/api/v1/sessions", &root).await;
    assert_eq!(status, 200, "{body}");
    assert!(!body.contains(&secret) && !body.contains(&hash), "{body}");
    let listed: serde_json::Value = serde_json::from_str(&body).unwrap();
    let sessions = listed["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 1, "{body}");
    assert_eq!(sessions[0]["user"], "ana");
    for field in [
        "created_ms",
        "last_seen_ms",
        "idle_until_ms",
        "expires_at_ms",
    ] {
        assert!(sessions[0][field].is_i64(), "{field}: {body}");
    }
    let id = sessions[0]["id"].as_str().unwrap().to_string();

    let path = format!("/api/v1/sessions/{id}");
    let (status, body) = api(&app, reqwest::Method::DELETE, &path, &root).await;
    assert_eq!(status, 200, "{body}");
    assert_signed_out(&app, &cookie, "ended by an admin").await;
    let (status, _) = api(&app, reqwest::Method::DELETE, &path, &root).await;
    assert_eq!(status, 404, "gone already");
    let ended = audited(&store, "session.ended").await;
    assert_eq!(ended.len(), 1);
    assert_eq!((ended[0].0.as_str(), ended[0].1.as_str()), ("root", "ana"));

    // The same from the command line.
    let cookie = signed_in(&app, &ana).await;
    let secret = cookie.split_once('=').unwrap().1.to_string();
    let (ok, listing, _) = herald(url, &["user", "sessions"]);
    assert!(ok);
    assert!(!listing.contains(&secret), "{listing}");
    let line = listing
        .lines()
        .find(|line| line.contains(" ana "))
        .unwrap_or_else(|| panic!("ana's session is listed: {listing}"));
    let id = line.split_whitespace().next().unwrap().to_string();
    let (ok, said, _) = herald(url, &["user", "end-session", &id]);
    assert!(ok, "{said}");
    assert!(said.contains("ended"), "{said}");
    assert_signed_out(&app, &cookie, "ended with herald user end-session").await;
    let (ok, _, error) = herald(url, &["user", "end-session", &id]);
    assert!(!ok && error.contains("no session"), "{error}");
    assert_eq!(audited(&store, "session.ended").await.len(), 2);
    app.stop().await;
}

async fn expired_rotated_and_revoked_tokens_are_refused_and_end_their_sessions(
    store: SqlStore,
    url: &str,
) {
    let clock = clock_now();
    let app = start(url, HTTPS, &clock).await;

    // An expiry from the command line; the token works until then, on the API and the web.
    let (ok, eve, said) = herald(
        url,
        &["user", "add", "eve", "--role", "author", "--expires", "20m"],
    );
    assert!(ok, "{said}");
    let eve = eve.trim().to_string();
    let (ok, list, _) = herald(url, &["user", "list"]);
    assert!(ok);
    let eve_line = list.lines().find(|l| l.starts_with("eve")).unwrap();
    assert!(
        eve_line.contains("UTC") && !eve_line.contains("never"),
        "{list}"
    );
    assert!(
        !list.contains(eve.split('.').nth(1).unwrap()),
        "no secret: {list}"
    );
    assert_eq!(
        api(&app, reqwest::Method::GET, "/api/v1/me", &eve).await.0,
        200
    );
    let cookie = signed_in(&app, &eve).await;
    clock.advance(Duration::minutes(21));
    assert_eq!(
        api(&app, reqwest::Method::GET, "/api/v1/me", &eve).await.0,
        401,
        "an expired token is refused like a revoked one"
    );
    assert_signed_out(
        &app,
        &cookie,
        "its session ended with it (within the idle timeout)",
    )
    .await;
    assert_eq!(sign_in(&app, &eve).await.0, 401, "and it signs no one in");
    let expired = audited(&store, "login.failed").await;
    assert!(
        expired
            .iter()
            .any(|(_, subject, details)| subject == "eve"
                && details.contains("\"reason\":\"expired\"")),
        "{expired:?}"
    );

    // Rotation: a new token, printed once; the old one is refused at once, its session ended.
    let ben = user(&store, "ben", &[Role::Author], None).await;
    let cookie = signed_in(&app, &ben).await;
    let (ok, new, said) = herald(url, &["user", "rotate", "ben"]);
    assert!(ok, "{said}");
    let new = new.trim().to_string();
    assert_eq!(new.lines().count(), 1);
    assert!(
        !said.contains(&new),
        "the token goes to standard output only"
    );
    assert!(
        said.contains(ben.split('.').next().unwrap()),
        "names what it revoked: {said}"
    );
    assert_eq!(
        api(&app, reqwest::Method::GET, "/api/v1/me", &ben).await.0,
        401
    );
    assert_eq!(
        api(&app, reqwest::Method::GET, "/api/v1/me", &new).await.0,
        200
    );
    assert_signed_out(&app, &cookie, "rotated away").await;
    assert_eq!(audited(&store, "token.rotated").await.len(), 1);

    // Revocation ends the token's sessions in the database at once.
    let cookie = signed_in(&app, &new).await;
    let token_id = new.split('.').next().unwrap();
    assert!(store.revoke_token(token_id, "admin", 0).await.unwrap());
    assert_eq!(session_rows(url).await, 0);
    assert_signed_out(&app, &cookie, "revoked").await;
    let revoked = audited(&store, "token.revoked").await;
    assert!(revoked[0].2.contains("\"sessions_ended\":1"), "{revoked:?}");

    // No audit entry carries a token or a secret.
    let (entries, _) = store.audit_log().await.unwrap();
    for entry in entries {
        for token in [&eve, &ben, &new] {
            let secret = token.split('.').nth(1).unwrap();
            assert!(!entry.details.contains(secret), "{entry:?}");
        }
    }
    app.stop().await;
}

async fn failed_logins_are_audited_and_a_sign_in_flood_is_bounded(store: SqlStore, url: &str) {
    let clock = clock_now();
    let ana = user(&store, "ana", &[Role::Author], None).await;
    let app = start(url, HTTPS, &clock).await;
    let (id, _) = ana.split_once('.').unwrap();
    let wrong = format!("{id}.{}", "f".repeat(64));
    assert_eq!(
        api(&app, reqwest::Method::GET, "/api/v1/me", &wrong)
            .await
            .0,
        401
    );
    assert_eq!(sign_in(&app, "nobody.secret123").await.0, 401);
    let failed = audited(&store, "login.failed").await;
    assert_eq!(failed.len(), 2, "{failed:?}");
    let (actor, subject, details) = &failed[0];
    assert_eq!(
        (actor.as_str(), subject.as_str()),
        ("unauthenticated", "ana")
    );
    for part in [
        "\"via\":\"api\"",
        "\"reason\":\"wrong_secret\"",
        "\"address_class\":\"ipv4 loopback\"",
        "\"user_id\":",
    ] {
        assert!(details.contains(part), "{details}");
    }
    assert!(
        !details.contains(&"f".repeat(64)) && !details.contains("127.0.0.1"),
        "{details}"
    );
    assert_eq!(failed[1].1, "unknown");
    assert!(failed[1].2.contains("\"via\":\"web\"") && !failed[1].2.contains("secret123"));

    // Fifteen sign-ins with one token leave ten sessions: the oldest went.
    let mut cookies = Vec::new();
    for _ in 0..15 {
        cookies.push(signed_in(&app, &ana).await);
        clock.advance(Duration::seconds(1));
    }
    assert_eq!(session_rows(url).await, 10);
    assert_signed_out(&app, &cookies[0], "the oldest session made room").await;
    assert_signed_in(&app, &cookies[14], "the newest stays").await;
    app.stop().await;
}

/// `herald serve` reads the session limits from the environment over the file, checks them
/// once at start (a bad value stops it, naming the variable), and holds sessions to them.
#[test]
fn serve_takes_the_session_limits_from_the_environment_and_refuses_bad_ones() {
    let project = common::Project::valid();
    let url = format!("sqlite://{}", project.path("herald.db").display());
    let serve = |env: &[(&str, &str)]| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_herald"));
        command
            .args(["serve", "--listen", "127.0.0.1:0", "--database-url", &url])
            .current_dir(project.dir.path())
            .env_remove("RUST_LOG");
        for (name, value) in env {
            command.env(name, value);
        }
        let output = command.output().expect("herald runs");
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let (code, stderr) = serve(&[("HERALD_SESSION_IDLE_MINUTES", "forever")]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains(
            "HERALD_SESSION_IDLE_MINUTES must be a whole number from 1 to 1440, not `forever`"
        ),
        "{stderr}"
    );
    let (code, stderr) = serve(&[
        ("HERALD_SESSION_IDLE_MINUTES", "600"),
        ("HERALD_SESSION_LIFETIME_HOURS", "2"),
    ]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("longer than the session lifetime"),
        "{stderr}"
    );

    let added = project.herald(&[
        "user",
        "add",
        "ana",
        "--role",
        "author",
        "--database-url",
        &url,
    ]);
    assert_eq!(added.code, 0, "{}", added.stderr);
    let token = added.stdout.trim().to_string();
    let served =
        common::served::Served::start(&project, &[], &[("HERALD_SESSION_LIFETIME_HOURS", "2")]);
    let set_cookie = tokio::runtime::Runtime::new().unwrap().block_on(async {
        let response = client()
            .post(served.url("/ui/login"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("token={token}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303);
        response.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .to_string()
    });
    assert!(set_cookie.contains("Max-Age=7200"), "{set_cookie}");
    served.stop();
}

on_both_stores!(
    a_session_survives_a_restart_and_is_shared_by_replicas,
    sessions_end_when_idle_and_at_their_lifetime,
    admins_list_and_end_sessions_and_no_one_else_may,
    expired_rotated_and_revoked_tokens_are_refused_and_end_their_sessions,
    failed_logins_are_audited_and_a_sign_in_flood_is_bounded,
);
