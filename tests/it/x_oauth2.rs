//! X accounts on OAuth 2.0 with a refresh token, against the sandbox's token endpoint: a
//! campaign whose access tokens expire between its posts delivers every post, each refresh
//! stored (sealed) before its token is used; a refresh token someone else already spent stops
//! the account with X's reason and loses no post; two workers on one database (SQLite and
//! PostgreSQL) racing to refresh send X one refresh per rotation; an access token X says is
//! expired is replaced once; and no token shows in the logs, the API's answers or the
//! sandbox's record.

use crate::common;

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use common::Project;
use common::app::{AppOptions, TestApp, spawn_app};
use common::lifecycle::schedule_version;
use herald::app::{Partners, ServiceKeys};
use herald::auth::{Role, issue_token};
use herald::campaign::VersionBundle;
use herald::clock::{Clock, SimulatedClock};
use herald::dispatch::{DispatchSettings, StoredTokenVault};
use herald::platforms::oauth2::OAuth2Client;
use herald::platforms::{
    Publication, PublishResult, RehearsalVault, Secret, TokenVault, XAdapter, XAuth, XTokens,
};
use herald::sandbox::{FaultConfig, RunningSandbox, Sandbox, SandboxConfig};
use herald::secrets::SecretKey;
use herald::store::{AnyStore, Store};
use serde_json::{Value, json};

const KEY: &str = "5a";
const CHANNEL: &str = "x:civic";
const CLIENT_ID: &str = "client-civic";

/// One X account on OAuth 2.0 at the sandbox: a confidential client when `secret`.
fn config(sandbox: &str, secret: bool) -> String {
    let secret = if secret {
        r#", client_secret = "HERALD_TEST_OAUTH_X_SECRET""#
    } else {
        ""
    };
    format!(
        r#"public_url = "https://herald.example.org"

[[accounts]]
name = "civic"
platform = "x"
base_url = "{sandbox}"
credentials = {{ client_id = "HERALD_TEST_OAUTH_X_CLIENT"{secret} }}
"#
    )
}

/// Six posts an hour apart (Amsterdam time), each its own words: X refuses a text twice a day.
fn campaign() -> (String, Vec<(String, String)>) {
    let mut toml = r#"id = "hourly"
title = "Hourly updates"
authority = "Ministry of Examples"
purpose = "Exercise token refreshes"
legal_basis = "public task"
starts = 2027-01-15
ends = 2027-01-16
default_locale = "en"

[[segments]]
id = "all"
kind = "in_eu"
countries = ["NL"]
locales = ["en"]
fallback = []
timezone = "Europe/Amsterdam"
age = [18, 65]
"#
    .to_string();
    let mut ftl = String::from("### hourly — English\n");
    for hour in 10..16 {
        toml.push_str(&format!(
            "\n[[messages]]\nid = \"update{hour}\"\n\n[[sends]]\nid = \"at{hour}\"\nmessage = \"update{hour}\"\nsegments = [\"all\"]\nchannels = [\"{CHANNEL}\"]\ncron = \"0 {hour} 15 1 *\"\n"
        ));
        ftl.push_str(&format!(
            "update{hour} = Update number {hour} for everyone.\n"
        ));
    }
    (toml, vec![("en".to_string(), ftl)])
}

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 1, 15, 8, 0, 0).unwrap()
}

/// Log lines written while a test runs, on this thread (the test's runtime is single-threaded).
#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);

impl Write for Logs {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Logs {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

struct Lab {
    app: TestApp,
    clock: SimulatedClock,
    sandbox: Sandbox,
    _running: RunningSandbox,
    _project: Project,
    admin: String,
    client: reqwest::Client,
}

impl Lab {
    /// herald serving (on SQLite, with a key), the sandbox issuing access tokens that last
    /// `lifetime`, and the hourly campaign scheduled. No refresh token is stored yet.
    async fn start(lifetime: Duration, secret: bool) -> Lab {
        let clock = SimulatedClock::starting_at(start());
        let shared: Arc<dyn Clock> = Arc::new(clock.clone());
        let sandbox = Sandbox::new(
            SandboxConfig {
                x_access_token_lifetime: lifetime,
                ..SandboxConfig::default()
            },
            Arc::clone(&shared),
        );
        let running = sandbox.start(0).await.unwrap();
        let herald_toml = config(&running.base_url(), secret);
        let (toml, ftl) = campaign();
        let project = Project::with_campaign(&herald_toml, "hourly", &toml, ftl);
        let loaded = project.load();
        let mut options = AppOptions::new(&herald_toml, shared);
        options.keys = ServiceKeys::from_hex(&KEY.repeat(32)).unwrap();
        options.partners = Partners::Real;
        options.dispatch = Some(DispatchSettings {
            worker_id: "worker".into(),
            sequential: true,
            ..DispatchSettings::default()
        });
        let app = spawn_app(options).await;
        let bundle = VersionBundle::from_loaded(&loaded, &loaded.campaigns[0]);
        schedule_version(&app.fresh.store, &bundle, clock.now()).await;
        let user = app
            .fresh
            .store
            .create_user("root", &[Role::Admin], 0)
            .await
            .unwrap();
        let token = issue_token();
        app.fresh
            .store
            .add_token(&token.id, &user.id, &token.secret_hash, 0)
            .await
            .unwrap();
        let lab = Lab {
            app,
            clock,
            sandbox,
            _running: running,
            _project: project,
            admin: token.token,
            client: reqwest::Client::new(),
        };
        lab.put_credential("client_id", CLIENT_ID).await;
        if secret {
            lab.put_credential("client_secret", herald::platforms::REHEARSAL_CREDENTIAL)
                .await;
        }
        lab
    }

    /// Stores a credential as an operator does, through the API.
    async fn put_credential(&self, name: &str, value: &str) {
        let response = self
            .client
            .put(
                self.app
                    .url(&format!("/api/v1/accounts/{CHANNEL}/credentials/{name}")),
            )
            .bearer_auth(&self.admin)
            .header("content-type", "application/json")
            .body(json!({ "value": value }).to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 204, "{name}");
    }

    async fn get(&self, path: &str) -> Value {
        let response = self
            .client
            .get(self.app.url(path))
            .bearer_auth(&self.admin)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{path}");
        serde_json::from_slice(&response.bytes().await.unwrap()).unwrap()
    }

    /// Plans and sends until `until`, an hour of simulated time at most per step.
    async fn dispatch_until(&self, until: DateTime<Utc>) {
        let dispatcher = self.app.running.dispatcher();
        dispatcher.plan().await.unwrap();
        while self.clock.now() < until {
            let report = dispatcher.tick().await.unwrap();
            if report.leased == 0 {
                let next = self.clock.now() + chrono::Duration::minutes(15);
                self.clock.advance_to(until.min(next));
                dispatcher.plan().await.unwrap();
            }
        }
    }

    /// The X posts the sandbox published, in order.
    fn posts(&self) -> Vec<String> {
        self.sandbox
            .received()
            .into_iter()
            .filter(|r| r.platform == "x" && r.delivered)
            .map(|r| r.text)
            .collect()
    }

    /// The stored refresh token, opened with the key.
    async fn stored_refresh_token(&self) -> String {
        let key = SecretKey::from_hex(&KEY.repeat(32)).unwrap();
        let rows = self.app.fresh.store.account_secrets().await.unwrap();
        let (channel, name, nonce, sealed) = rows
            .iter()
            .find(|(channel, name, _, _)| channel == CHANNEL && name == "refresh_token")
            .expect("a refresh token is stored");
        key.open(channel, name, nonce, sealed)
            .unwrap()
            .expose()
            .to_string()
    }

    /// `(status, last_error)` of every job.
    async fn jobs(&self) -> Vec<(String, Option<String>)> {
        let pool = sqlx::SqlitePool::connect(&self.app.fresh.url)
            .await
            .unwrap();
        sqlx::query_as("SELECT status, last_error FROM outbox ORDER BY id")
            .fetch_all(&pool)
            .await
            .unwrap()
    }
}

/// What the sandbox's token endpoint answers to `refresh_token` for the public client.
async fn spend(base: &str, refresh_token: &str) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(format!("{base}/2/oauth2/token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "grant_type=refresh_token&refresh_token={refresh_token}&client_id={CLIENT_ID}"
        ))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let body = response.bytes().await.unwrap();
    (status, serde_json::from_slice(&body).unwrap())
}

#[tokio::test]
async fn tokens_expiring_between_posts_deliver_every_post_and_each_refresh_is_stored() {
    let logs = Logs::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    // Callsites other tests met first (without a subscriber) must ask this one too.
    tracing::callsite::rebuild_interest_cache();

    // Access tokens last 40 minutes: every hourly post finds the last one expired.
    let lab = Lab::start(Duration::from_secs(40 * 60), true).await;
    let first = lab.sandbox.authorize_x_client(CLIENT_ID);
    lab.put_credential("refresh_token", &first).await;
    // Again: another test may have been registering a callsite as this one began.
    tracing::callsite::rebuild_interest_cache();
    let end = Utc.with_ymd_and_hms(2027, 1, 15, 16, 0, 0).unwrap();
    lab.dispatch_until(end).await;

    let posts = lab.posts();
    assert_eq!(posts.len(), 6, "{posts:?}");
    assert!(posts[0].contains("number 10") && posts[5].contains("number 15"));
    // At least one refresh per post (reading the posts' metrics back may need more), each
    // granted and each stored: as many refreshes in the audit log as X granted.
    let (granted, refused) = lab.sandbox.x_token_refreshes();
    assert!(
        granted >= 6 && refused == 0,
        "{granted} granted, {refused} refused"
    );
    assert!(lab.jobs().await.iter().all(|(status, _)| status == "sent"));

    // The stored refresh token is the live one: the first was spent, this one works once.
    let stored = lab.stored_refresh_token().await;
    assert_ne!(stored, first);
    let base = lab._running.base_url();
    assert_eq!(spend(&base, &first).await.0, 400, "the first one is spent");
    // Each refresh is audited (no value); the account is ready, its token stored.
    let audit = lab.get("/api/v1/audit").await.to_string();
    assert_eq!(
        audit.matches("account.token_refreshed").count() as u64,
        granted
    );
    let accounts = lab.get("/api/v1/accounts").await;
    let civic = &accounts["accounts"][0];
    assert_eq!(civic["ready"], true, "{civic}");
    assert_eq!(civic["token_refused"], Value::Null);
    assert_eq!(civic["credentials"]["refresh_token"]["source"], "stored");
    assert_eq!(civic["credentials"]["refresh_token"]["required"], true);

    // No token anywhere staff or partners' records can read: logs, API answers, the record.
    let record = serde_json::to_string(&lab.sandbox.received()).unwrap_or_default();
    let said = [logs.text(), audit, accounts.to_string(), record];
    let text = logs.text();
    assert!(
        text.contains("X access token refreshed"),
        "the logs were captured: {} bytes, {}",
        text.len(),
        text.lines()
            .filter(|l| l.contains("herald"))
            .take(5)
            .collect::<Vec<_>>()
            .join("\n")
    );
    for text in &said {
        for token in [&first, &stored] {
            assert!(!text.contains(token.as_str()), "a token leaked: {text}");
        }
        assert!(!text.contains("sbx-at-"), "an access token leaked");
    }
    assert_eq!(
        spend(&base, &stored).await.0,
        200,
        "the stored one is valid"
    );
}

#[tokio::test]
async fn a_spent_refresh_token_stops_the_account_with_xs_reason_and_loses_no_post() {
    let lab = Lab::start(Duration::from_secs(7200), false).await;
    let base = lab._running.base_url();
    let first = lab.sandbox.authorize_x_client(CLIENT_ID);
    lab.put_credential("refresh_token", &first).await;
    // Someone else used it first (a second deployment, a script): X has spent it.
    assert_eq!(spend(&base, &first).await.0, 200);

    let noon = Utc.with_ymd_and_hms(2027, 1, 15, 12, 0, 0).unwrap();
    lab.dispatch_until(noon).await;
    assert!(lab.posts().is_empty());
    // One refused refresh, however often the jobs came due: herald never loops on it.
    assert_eq!(lab.sandbox.x_token_refreshes(), (1, 1));
    let jobs = lab.jobs().await;
    assert!(
        jobs.iter().all(|(status, _)| status == "queued"),
        "waiting, not dead: {jobs:?}"
    );
    let errors: Vec<&str> = jobs
        .iter()
        .filter_map(|(_, error)| error.as_deref())
        .collect();
    assert!(errors.len() >= 3, "the posts due by noon waited: {jobs:?}");
    // Each tried job says why; the others were held back behind it.
    let refused = |error: &&str| {
        error.contains("X refused the stored refresh token")
            && error.contains("Value passed for the token was invalid")
    };
    assert!(errors.iter().any(refused), "{errors:?}");
    for error in &errors {
        assert!(refused(error) || error.starts_with("held back"), "{error}");
    }
    let audit = lab.get("/api/v1/audit").await.to_string();
    assert!(audit.contains("account.token_refused"), "{audit}");
    let civic = lab.get("/api/v1/accounts").await["accounts"][0].clone();
    assert_eq!(civic["ready"], false, "{civic}");
    assert_eq!(civic["waiting_for"], json!(["refresh_token"]));
    assert!(
        civic["token_refused"]
            .as_str()
            .is_some_and(|reason| reason.contains("Value passed for the token was invalid")),
        "{civic}"
    );

    // A new authorization, stored: every post goes out, none lost.
    let second = lab.sandbox.authorize_x_client(CLIENT_ID);
    lab.put_credential("refresh_token", &second).await;
    let end = Utc.with_ymd_and_hms(2027, 1, 15, 17, 0, 0).unwrap();
    lab.dispatch_until(end).await;
    assert_eq!(lab.posts().len(), 6, "{:?}", lab.jobs().await);
    let (granted, refused) = lab.sandbox.x_token_refreshes();
    assert!(
        granted >= 3 && refused == 1,
        "{granted} granted, {refused} refused"
    );
}

/// Two workers' token keepers on one database, each with its own connection.
async fn race_on(store: AnyStore, other: AnyStore) {
    let clock = SimulatedClock::starting_at(start());
    let shared: Arc<dyn Clock> = Arc::new(clock.clone());
    let sandbox = Sandbox::new(
        SandboxConfig {
            x_access_token_lifetime: Duration::from_secs(600),
            // The token endpoint takes a while, so both workers want a token meanwhile.
            faults: FaultConfig {
                rate_slow: 1.0,
                slow_ms: 300,
                ..FaultConfig::default()
            },
            ..SandboxConfig::default()
        },
        Arc::clone(&shared),
    );
    let running = sandbox.start(0).await.unwrap();
    let key = Arc::new(SecretKey::from_hex(&KEY.repeat(32)).unwrap());
    let (nonce, sealed) = key
        .seal(
            CHANNEL,
            "refresh_token",
            &sandbox.authorize_x_client(CLIENT_ID),
        )
        .unwrap();
    store
        .set_account_secret(CHANNEL, "refresh_token", &nonce, &sealed, "root", 0)
        .await
        .unwrap();
    let keeper = |store: &AnyStore| {
        let vault: Arc<dyn TokenVault> =
            Arc::new(StoredTokenVault::new(store.clone(), Arc::clone(&key)));
        XTokens::new(
            CHANNEL.to_string(),
            reqwest::Client::new(),
            &running.base_url(),
            OAuth2Client {
                client_id: Secret::new(CLIENT_ID),
                client_secret: None,
            },
            Duration::from_secs(10),
            vault,
            Arc::clone(&shared),
        )
    };
    let (one, two) = (keeper(&store), keeper(&other));
    for rotation in 1..=3u64 {
        let (a, b) = tokio::join!(one.access_token(), two.access_token());
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!(a, b, "the second worker uses what the first stored");
        assert_eq!(sandbox.x_token_refreshes(), (rotation, 0));
        // Past the refresh time (a tenth of the 10 minutes early): both want a new one.
        clock.advance(chrono::Duration::minutes(9) + chrono::Duration::seconds(1));
    }
    running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_refresh_once_per_rotation_on_sqlite() {
    let fresh = common::stores::sqlite().await;
    let other = herald::store::SqliteStore::connect(&fresh.url)
        .await
        .unwrap();
    race_on(fresh.store.clone(), other).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_refresh_once_per_rotation_on_postgres() {
    let Some(fresh) = common::stores::postgres().await else {
        return;
    };
    let other = herald::store::PostgresStore::connect(&fresh.url)
        .await
        .unwrap();
    race_on(fresh.store.clone(), other).await;
    fresh.cleanup().await;
}

#[tokio::test]
async fn an_access_token_x_calls_expired_is_replaced_once_and_the_post_goes_out() {
    // X's clock runs three hours ahead of herald's: the token herald got is expired at X.
    let herald_clock = SimulatedClock::starting_at(start());
    let x_clock = SimulatedClock::starting_at(start());
    let sandbox = Sandbox::new(SandboxConfig::default(), Arc::new(x_clock.clone()));
    let running = sandbox.start(0).await.unwrap();
    let vault: Arc<dyn TokenVault> = Arc::new(RehearsalVault::new(Secret::new(
        herald::platforms::REHEARSAL_CREDENTIAL,
    )));
    let tokens = Arc::new(XTokens::new(
        CHANNEL.to_string(),
        reqwest::Client::new(),
        &running.base_url(),
        OAuth2Client {
            client_id: Secret::new(CLIENT_ID),
            client_secret: None,
        },
        Duration::from_secs(10),
        vault,
        Arc::new(herald_clock.clone()),
    ));
    let first = tokens.access_token().await.unwrap();
    x_clock.advance(chrono::Duration::hours(3));
    let adapter = XAdapter::new(
        reqwest::Client::new(),
        &running.base_url(),
        XAuth::OAuth2(Arc::clone(&tokens)),
        Duration::from_secs(10),
    );
    let publication = Publication {
        text: "Clinics open on Saturday.",
        locale: "en",
        direction: "ltr",
        idempotency_key: "k1",
        recipient: None,
        envelope: herald::platforms::Envelope::default(),
    };
    let result = adapter.publish(&publication, herald_clock.now()).await;
    assert!(
        matches!(result, PublishResult::Published { .. }),
        "{result:?}"
    );
    assert_eq!(
        sandbox.x_token_refreshes(),
        (2, 0),
        "one refresh after the 401"
    );
    let statuses: Vec<u16> = sandbox
        .received()
        .iter()
        .filter(|r| r.platform == "x")
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses, vec![401, 201]);
    assert_ne!(tokens.access_token().await.unwrap(), first);

    // A token endpoint that refuses the client is final: no post, no loop.
    x_clock.advance(chrono::Duration::hours(3));
    let refused = Arc::new(XTokens::new(
        CHANNEL.to_string(),
        reqwest::Client::new(),
        &running.base_url(),
        OAuth2Client {
            client_id: Secret::new(CLIENT_ID),
            client_secret: Some(Secret::new("not-the-secret")),
        },
        Duration::from_secs(10),
        Arc::new(RehearsalVault::new(Secret::new("sandbox"))),
        Arc::new(herald_clock.clone()),
    ));
    let adapter = XAdapter::new(
        reqwest::Client::new(),
        &running.base_url(),
        XAuth::OAuth2(refused),
        Duration::from_secs(10),
    );
    for _ in 0..3 {
        let result = adapter.publish(&publication, herald_clock.now()).await;
        assert!(
            matches!(&result, PublishResult::Throttled { text, .. } if text.contains("Missing valid authorization header")),
            "{result:?}"
        );
    }
    assert_eq!(
        sandbox.x_token_refreshes(),
        (2, 1),
        "the refused client asked X once, not at every post"
    );
    running.shutdown().await;
}
