//! Follow-up work through the whole app (`herald serve`'s assembly on port 0, the sandbox as
//! the partners): answers lost on the way back from a real dispatch leave unknown outcomes,
//! and a scheduler resolves one in the browser (over HTTP, and in headless Chromium when it is
//! installed); the list, the audit log and the counters show it. Attacks: an evaluator cannot
//! resolve or retry, a forged CSRF token is refused, a job that is not unknown cannot be
//! resolved, a second or racing resolution loses with 409, a re-send needs its confirmation,
//! paging bounds hold, and a resolution never moves a report already published. Dead letters
//! are retried, subscriber statistics match the command line's, and admins add and revoke
//! users, whose token is shown once and whose access ends at once.

use crate::common;

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use common::Project;
use common::app::{AppOptions, TestApp, spawn_app};
use common::lifecycle::schedule_version;
use common::web_session::Session;
use common::webdriver::Browser;
use herald::app::Partners;
use herald::auth::{Role, issue_token};
use herald::campaign::VersionBundle;
use herald::clock::{Clock, SimulatedClock};
use herald::dispatch::DispatchSettings;
use herald::sandbox::{FaultConfig, RunningSandbox, Sandbox, SandboxConfig};
use herald::store::{EndedAs, JobOutcome, SqliteStore, Store};
use serde_json::{Value, json};

fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
}

/// The app, its sandbox partner, the demo campaign scheduled, and a user per job.
struct Lab {
    app: TestApp,
    store: SqliteStore,
    clock: SimulatedClock,
    sandbox: Sandbox,
    tokens: BTreeMap<String, String>,
    client: reqwest::Client,
    _running: RunningSandbox,
    _project: Project,
}

impl Lab {
    /// Monday 18 January 2027, 08:00 UTC: the demo campaign's first Telegram post is due at
    /// 09:00 UTC.
    async fn start() -> Lab {
        let project = Project::valid();
        let loaded = project.load();
        let clock = SimulatedClock::starting_at(utc(2027, 1, 18, 8, 0));
        let shared: Arc<dyn Clock> = Arc::new(clock.clone());
        let sandbox = Sandbox::new(SandboxConfig::default(), Arc::clone(&shared));
        let running = sandbox.start(0).await.unwrap();
        let mut options = AppOptions::new(common::CONFIG, shared);
        options.partners = Partners::Emulator {
            url: running.base_url(),
            credential: herald::platforms::Secret::new(herald::platforms::REHEARSAL_CREDENTIAL),
        };
        options.dispatch = Some(DispatchSettings {
            worker_id: "worker".into(),
            sequential: true,
            retention: chrono::Duration::days(365),
            ..DispatchSettings::default()
        });
        let app = spawn_app(options).await;
        let store = app.fresh.store.clone();
        let bundle = VersionBundle::from_loaded(&loaded, &loaded.campaigns[0]);
        schedule_version(&store, &bundle, clock.now()).await;
        let mut lab = Lab {
            app,
            store,
            clock,
            sandbox,
            tokens: BTreeMap::new(),
            client: reqwest::Client::new(),
            _running: running,
            _project: project,
        };
        for (name, role) in [
            ("sam", Role::Scheduler),
            ("eve", Role::Evaluator),
            ("ada", Role::Admin),
            ("ana", Role::Author),
        ] {
            lab.user(name, &[role]).await;
        }
        lab
    }

    async fn user(&mut self, name: &str, roles: &[Role]) {
        let user = self.store.create_user(name, roles, 0).await.unwrap();
        let token = issue_token();
        self.store
            .add_token(&token.id, &user.id, &token.secret_hash, 0)
            .await
            .unwrap();
        self.tokens.insert(name.to_string(), token.token);
    }

    /// The first slot is dispatched while the partner drops every connection after taking
    /// the message: Telegram cannot recognise a repeat, so each post is an unknown outcome.
    /// Returns their job ids.
    async fn lose_answers(&self) -> Vec<i64> {
        self.sandbox.set_faults(FaultConfig {
            rate_drop: 1.0,
            ..FaultConfig::default()
        });
        let dispatcher = self.app.running.dispatcher();
        dispatcher.plan().await.unwrap();
        self.clock.advance_to(utc(2027, 1, 18, 9, 0));
        for _ in 0..40 {
            dispatcher.tick().await.unwrap();
            if self.unknown_ids().await.len() == 3 {
                break;
            }
            self.clock.advance(chrono::Duration::seconds(5));
        }
        self.sandbox.set_faults(FaultConfig::default());
        let unknown = self.unknown_ids().await;
        assert_eq!(unknown.len(), 3, "one post per locale, each answer lost");
        assert_eq!(
            self.sandbox.delivered().len(),
            3,
            "the partner took every message"
        );
        unknown
    }

    async fn unknown_ids(&self) -> Vec<i64> {
        self.store
            .jobs_ended_as(EndedAs::Unknown, 100)
            .await
            .unwrap()
            .iter()
            .map(|l| l.id)
            .collect()
    }

    /// An API call as `who` (no token when `None`): status and JSON body.
    async fn call(
        &self,
        method: &str,
        path: &str,
        who: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = self
            .client
            .request(method.parse().unwrap(), format!("{}{path}", self.app.base));
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

    async fn login(&self, who: &str) -> Session {
        Session::login(&self.app.base, &self.tokens[who]).await.0
    }

    /// Telegram's delivery counters: (day, status) → count.
    async fn telegram_counters(&self) -> BTreeMap<(String, String), i64> {
        let mut out = BTreeMap::new();
        for c in self.store.delivery_counts("demo").await.unwrap() {
            if c.channel == "telegram:info" {
                *out.entry((c.day, c.status)).or_default() += c.count;
            }
        }
        out
    }

    async fn status_of(&self, id: i64) -> String {
        let version = self.store.versions("demo").await.unwrap()[0].hash.clone();
        self.store
            .jobs_for_version(&version)
            .await
            .unwrap()
            .into_iter()
            .find(|j| j.id == id)
            .unwrap()
            .status
    }

    /// The audit entries with this action, as an admin reads them through the API.
    async fn audited(&self, action: &str) -> Vec<Value> {
        let (status, log) = self.call("GET", "/api/v1/audit", Some("ada"), None).await;
        assert_eq!(status, 200, "{log}");
        assert_eq!(log["verified"], true, "{log}");
        log["entries"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"] == action)
            .cloned()
            .collect()
    }
}

fn resolve_form(session: &Session, fields: &str) -> String {
    format!("csrf={}&{fields}", session.csrf)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scheduler_resolves_an_unknown_outcome_in_the_browser() {
    let lab = Lab::start().await;
    let unknown = lab.lose_answers().await;
    let target = unknown[0];
    let resolve = format!("/ui/unknown-outcomes/{target}/resolve");
    let before = lab.telegram_counters().await;
    assert!(
        !before.keys().any(|(_, status)| status == "sent"),
        "nothing is counted as sent while unknown: {before:?}"
    );

    // The scheduler signs in and finds the page in the navigation, each job listed.
    let sam = lab.login("sam").await;
    let (status, page) = sam.get("/ui/unknown-outcomes").await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("href=\"/ui/unknown-outcomes\""), "{page}");
    for id in &unknown {
        assert!(page.contains(&format!("data-job=\"{id}\"")), "{page}");
    }
    assert!(page.contains(&format!("action=\"{resolve}\"")));

    // An evaluator can read neither the list nor resolve, in the browser or on the API.
    let eve = lab.login("eve").await;
    assert_eq!(eve.get("/ui/unknown-outcomes").await.0, 403);
    let (status, page) = eve
        .post(&resolve, &resolve_form(&eve, "outcome=delivered"))
        .await;
    assert_eq!(status, 403, "{page}");
    let (status, body) = lab
        .call(
            "POST",
            &format!("/api/v1/unknown-outcomes/{target}/resolve"),
            Some("eve"),
            Some(json!({"outcome": "delivered"})),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (403, Some("forbidden"))
    );

    // A forged CSRF token, and a re-send without its confirmation, resolve nothing.
    let (status, page) = sam
        .post(&resolve, "csrf=forged0000&outcome=delivered")
        .await;
    assert_eq!(status, 403, "{page}");
    assert!(page.contains("CSRF"), "{page}");
    let (status, page) = sam
        .post(
            &resolve,
            &resolve_form(&sam, "outcome=not_delivered&resend=yes"),
        )
        .await;
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("nothing was resolved"), "{page}");
    assert_eq!(lab.status_of(target).await, "unknown");

    // Resolved as delivered: the page says so, by whom, and where it is counted.
    let (status, page) = sam
        .post(&resolve, &resolve_form(&sam, "outcome=delivered"))
        .await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("resolved as “delivered” by sam"), "{page}");
    assert!(page.contains("counted as sent on 18 Jan 2027"), "{page}");
    let (_, page) = sam.get("/ui/unknown-outcomes").await;
    assert!(!page.contains(&format!("data-job=\"{target}\"")), "{page}");
    assert!(page.contains(&format!("data-job=\"{}\"", unknown[1])));
    assert_eq!(lab.status_of(target).await, "sent");

    // The audit log and the counters.
    let resolved = lab.audited("outcome.resolved").await;
    assert_eq!(resolved.len(), 1, "{resolved:?}");
    assert_eq!(resolved[0]["actor"], "sam");
    let details: Value = serde_json::from_str(resolved[0]["details"].as_str().unwrap()).unwrap();
    assert_eq!(details["job"], target);
    assert_eq!(details["resolution"], "delivered");
    let mut expected = before.clone();
    expected.insert(("2027-01-18".into(), "sent".into()), 1);
    assert_eq!(lab.telegram_counters().await, expected);

    // A second resolution loses, and says who won.
    let (status, page) = sam
        .post(&resolve, &resolve_form(&sam, "outcome=not_delivered"))
        .await;
    assert_eq!(status, 409, "{page}");
    assert!(
        page.contains("resolved already, as delivered, by sam"),
        "{page}"
    );
    assert_eq!(lab.telegram_counters().await, expected);

    // In headless Chromium, when installed: not delivered, sent again, both boxes ticked.
    let Some(browser) = Browser::start().await else {
        return;
    };
    let other = unknown[1];
    browser.goto(&format!("{}/ui/login", lab.app.base)).await;
    let field = browser.find("#token").await;
    browser.send_keys(&field, &lab.tokens["sam"]).await;
    browser
        .click_and_wait(&browser.find("#sign-in").await)
        .await;
    browser
        .goto(&format!("{}/ui/unknown-outcomes", lab.app.base))
        .await;
    let shots = common::browser::screenshot_dir();
    browser
        .screenshot(&shots.join("ui-unknown-outcomes.png"))
        .await;
    for id in [
        format!("#not-delivered-{other}"),
        format!("#resend-{other}"),
        format!("#confirm-resend-{other}"),
    ] {
        browser.click(&browser.find(&id).await).await;
    }
    browser
        .click_and_wait(&browser.find(&format!("#resolve-{other}")).await)
        .await;
    let shown = browser.text(&browser.find("#resolved").await).await;
    assert!(shown.contains("not delivered, sent again"), "{shown}");
    assert!(shown.contains("by sam"), "{shown}");
    browser
        .screenshot(&shots.join("ui-unknown-resolved.png"))
        .await;
    assert_eq!(lab.status_of(other).await, "queued");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resolutions_race_once_refuse_known_outcomes_and_never_move_a_published_report() {
    let lab = Lab::start().await;
    let unknown = lab.lose_answers().await;
    // Two weeks later, the week of the lost answers is published.
    lab.clock.advance_to(utc(2027, 2, 1, 12, 0));
    let report = "/api/v1/campaigns/demo/report?period=week";
    let (status, published) = lab.call("GET", report, Some("eve"), None).await;
    assert_eq!(status, 200, "{published}");

    // Two schedulers resolve the same job at once: one wins, the other gets 409.
    let path = format!("/api/v1/unknown-outcomes/{}/resolve", unknown[0]);
    let delivered = json!({"outcome": "delivered"});
    let not_delivered = json!({"outcome": "not_delivered"});
    let (first, second) = tokio::join!(
        lab.call("POST", &path, Some("sam"), Some(delivered.clone())),
        lab.call("POST", &path, Some("sam"), Some(not_delivered)),
    );
    let mut statuses = [first.0, second.0];
    statuses.sort();
    assert_eq!(statuses, [200, 409], "{first:?} {second:?}");
    let winner = if first.0 == 200 { &first.1 } else { &second.1 };
    assert_eq!(winner["by"], "sam");
    assert_eq!(winner["counted_on"], "2027-02-01", "{winner}");
    let loser = if first.0 == 409 { &first.1 } else { &second.1 };
    assert_eq!(loser["error"]["code"], "already_resolved");

    // The published week reads exactly as before: the resolution counts on its own day.
    let (status, again) = lab.call("GET", report, Some("eve"), None).await;
    assert_eq!(status, 200);
    assert_eq!(again, published, "a published report moved");
    let counters = lab.telegram_counters().await;
    assert!(
        counters.keys().all(|(day, _)| day == "2027-02-01"),
        "{counters:?}"
    );
    assert_eq!(counters.values().sum::<i64>(), 1);

    // A job whose outcome is known cannot be resolved; nor can one that does not exist.
    let version = lab.store.versions("demo").await.unwrap()[0].hash.clone();
    let known = lab
        .store
        .jobs_for_version(&version)
        .await
        .unwrap()
        .into_iter()
        .find(|j| !unknown.contains(&j.id))
        .expect("a job that never was unknown");
    let (status, body) = lab
        .call(
            "POST",
            &format!("/api/v1/unknown-outcomes/{}/resolve", known.id),
            Some("sam"),
            Some(delivered.clone()),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("not_unknown")),
        "{body}"
    );
    for missing in ["999999", "0", "-3", "x"] {
        let (status, _) = lab
            .call(
                "POST",
                &format!("/api/v1/unknown-outcomes/{missing}/resolve"),
                Some("sam"),
                Some(delivered.clone()),
            )
            .await;
        assert_eq!(status, 404, "{missing}");
    }

    // A re-send needs its confirmation; "delivered" is never sent again.
    let path = format!("/api/v1/unknown-outcomes/{}/resolve", unknown[1]);
    for (body, field) in [
        (
            json!({"outcome": "not_delivered", "resend": true}),
            "confirm_resend",
        ),
        (
            json!({"outcome": "delivered", "resend": true, "confirm_resend": true}),
            "resend",
        ),
        (json!({"outcome": "maybe"}), "outcome"),
    ] {
        let (status, answer) = lab.call("POST", &path, Some("sam"), Some(body)).await;
        assert_eq!(status, 422, "{answer}");
        assert_eq!(answer["error"]["details"]["field"], field, "{answer}");
    }
    let (status, _) = lab
        .call(
            "POST",
            &path,
            Some("sam"),
            Some(json!({"outcome": "delivered", "by": "someone else"})),
        )
        .await;
    assert_eq!(status, 422, "unknown fields are refused");
    assert_eq!(lab.status_of(unknown[1]).await, "unknown");
    let (status, answer) = lab
        .call(
            "POST",
            &path,
            Some("sam"),
            Some(json!({"outcome": "not_delivered", "resend": true, "confirm_resend": true})),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["resolution"], "not_delivered_resent");
    assert_eq!(answer["counted_on"], Value::Null);
    assert_eq!(lab.status_of(unknown[1]).await, "queued");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_are_paged_within_bounds_and_dead_letters_are_retried_by_schedulers_only() {
    let lab = Lab::start().await;
    let unknown = lab.lose_answers().await;

    // Pages of one walk the whole list once, in id order.
    let mut walked = Vec::new();
    let mut next = Some(0);
    while let Some(after) = next {
        let (status, page) = lab
            .call(
                "GET",
                &format!("/api/v1/unknown-outcomes?limit=1&after={after}"),
                Some("sam"),
                None,
            )
            .await;
        assert_eq!(status, 200, "{page}");
        assert!(page["items"].as_array().unwrap().len() <= 1);
        walked.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["id"].as_i64().unwrap()),
        );
        next = page["next_after"].as_i64();
    }
    assert_eq!(walked, unknown);
    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("limit=99999999999", "limit"),
        ("after=-1", "after"),
        ("offset=10", "query"),
    ] {
        for list in ["unknown-outcomes", "dead-letters"] {
            let (status, body) = lab
                .call("GET", &format!("/api/v1/{list}?{query}"), Some("sam"), None)
                .await;
            assert_eq!(status, 422, "{list}?{query}: {body}");
            assert_eq!(body["error"]["details"]["field"], field);
        }
    }
    let sam = lab.login("sam").await;
    assert_eq!(sam.get("/ui/unknown-outcomes?limit=500").await.0, 422);
    let (status, page) = sam
        .get(&format!(
            "/ui/unknown-outcomes?limit=1&after={}",
            unknown[0]
        ))
        .await;
    assert_eq!(status, 200);
    assert!(page.contains(&format!("data-job=\"{}\"", unknown[1])));
    assert!(!page.contains(&format!("data-job=\"{}\"", unknown[0])));
    assert!(
        page.contains(&format!(
            "href=\"/ui/unknown-outcomes?after={}\"",
            unknown[1]
        )),
        "{page}"
    );

    // Two later posts fail for good: dead letters.
    let later = utc(2027, 2, 1, 9, 0).timestamp_millis();
    let dispatcher = lab.app.running.dispatcher();
    lab.clock.advance_to(utc(2027, 1, 31, 0, 0));
    dispatcher.plan().await.unwrap();
    let leased = lab
        .store
        .lease_due_jobs("manual", later, later + 60_000, 2, &[])
        .await
        .unwrap();
    assert_eq!(leased.len(), 2);
    let ids: Vec<i64> = leased.iter().map(|j| j.id).collect();
    lab.store
        .mark_sending("manual", &ids, later + 60_000)
        .await
        .unwrap();
    let dead = JobOutcome::Dead {
        code: "400".into(),
        text: "Bad Request: chat not found".into(),
    };
    let outcomes: Vec<(i64, JobOutcome)> = ids.iter().map(|id| (*id, dead.clone())).collect();
    lab.store
        .record_outcomes("manual", &outcomes, &[], later)
        .await
        .unwrap();

    let (status, page) = lab
        .call("GET", "/api/v1/dead-letters", Some("ada"), None)
        .await;
    assert_eq!(status, 200, "admins read the dead letters");
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    assert_eq!(page["items"][0]["text"], "Bad Request: chat not found");
    let (status, _) = lab
        .call("GET", "/api/v1/dead-letters", Some("eve"), None)
        .await;
    assert_eq!(status, 403);
    // An evaluator (and an admin, who watches but does not steer sends) cannot retry.
    for who in ["eve", "ada"] {
        let (status, _) = lab
            .call(
                "POST",
                &format!("/api/v1/dead-letters/{}/retry", ids[0]),
                Some(who),
                None,
            )
            .await;
        assert_eq!(status, 403, "{who}");
    }
    let eve = lab.login("eve").await;
    assert_eq!(
        eve.post(
            &format!("/ui/dead-letters/{}/retry", ids[0]),
            &format!("csrf={}", eve.csrf)
        )
        .await
        .0,
        403
    );
    // The scheduler retries one on the API and one in the browser.
    let (status, body) = lab
        .call(
            "POST",
            &format!("/api/v1/dead-letters/{}/retry", ids[0]),
            Some("sam"),
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = lab
        .call(
            "POST",
            &format!("/api/v1/dead-letters/{}/retry", ids[0]),
            Some("sam"),
            None,
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("not_dead_letter"))
    );
    // Two weeks went by on the service's clock: a new session.
    let sam = lab.login("sam").await;
    let (status, page) = sam.get("/ui/dead-letters").await;
    assert_eq!(status, 200);
    assert!(page.contains("chat not found") && page.contains(&format!("id=\"retry-{}\"", ids[1])));
    assert_eq!(
        sam.post(&format!("/ui/dead-letters/{}/retry", ids[1]), "csrf=forged")
            .await
            .0,
        403
    );
    let (status, _) = sam
        .post(
            &format!("/ui/dead-letters/{}/retry", ids[1]),
            &format!("csrf={}", sam.csrf),
        )
        .await;
    assert_eq!(status, 303);
    for id in &ids {
        assert_eq!(lab.status_of(*id).await, "queued");
    }
    let retried = lab.audited("deadletters.retried").await;
    assert_eq!(retried.len(), 2);
    assert!(retried.iter().all(|e| e["actor"] == "sam"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscriber_statistics_are_suppressed_exactly_as_on_the_command_line() {
    use herald::store::NewSubscriber;
    use herald::subscribers::SubscriberVault;

    let lab = Lab::start().await;
    let vault = SubscriberVault::from_hex(&"1f".repeat(32)).unwrap();
    for (locale, people) in [("ar", 40), ("fr", 25), ("en", 3)] {
        for n in 0..people {
            let who = format!("{locale}-{n}");
            lab.store
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
    let cli = common::run_in(
        lab._project.dir.path(),
        &[
            "subscribers",
            "stats",
            "--format",
            "json",
            "--k",
            "10",
            "--database-url",
            &lab.app.fresh.url,
        ],
    );
    assert_eq!(cli.code, 0, "{}", cli.stderr);
    let cli: Value = serde_json::from_str(&cli.stdout).unwrap();
    for who in ["eve", "sam"] {
        let (status, api) = lab
            .call("GET", "/api/v1/subscribers/stats?k=10", Some(who), None)
            .await;
        assert_eq!(status, 200, "{who}: {api}");
        assert_eq!(api, cli, "{who}");
    }
    let text = cli.to_string();
    assert!(
        text.contains("40") && !text.contains(":3,") && !text.contains("\"count\":3"),
        "{text}"
    );
    for who in ["ana", "ada"] {
        assert_eq!(
            lab.call("GET", "/api/v1/subscribers/stats", Some(who), None)
                .await
                .0,
            403
        );
    }
    for query in ["k=4", "k=0", "k=1001", "k=x", "k=10&by=locale"] {
        let (status, body) = lab
            .call(
                "GET",
                &format!("/api/v1/subscribers/stats?{query}"),
                Some("eve"),
                None,
            )
            .await;
        assert_eq!(status, 422, "{query}: {body}");
    }
    let eve = lab.login("eve").await;
    let (status, page) = eve.get("/ui/subscribers").await;
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("<td>40</td>") && page.contains("<td>suppressed</td>"),
        "{page}"
    );
    assert!(!page.contains("<td>3</td>"), "{page}");
    assert_eq!(eve.get("/ui/subscribers?k=2").await.0, 422);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_add_users_whose_token_is_shown_once_and_revoke_them_at_once() {
    let mut lab = Lab::start().await;
    // On the API.
    let (status, added) = lab
        .call(
            "POST",
            "/api/v1/users",
            Some("ada"),
            Some(json!({"name": "rita", "roles": ["evaluator"]})),
        )
        .await;
    assert_eq!(status, 201, "{added}");
    let token = added["token"].as_str().unwrap().to_string();
    let secret = token.split('.').nth(1).unwrap().to_string();
    lab.tokens.insert("rita".into(), token);
    let (status, me) = lab.call("GET", "/api/v1/me", Some("rita"), None).await;
    assert_eq!((status, me["name"].as_str()), (200, Some("rita")));
    let (status, listed) = lab.call("GET", "/api/v1/users", Some("ada"), None).await;
    assert_eq!(status, 200);
    assert!(
        listed
            .to_string()
            .contains(added["token_id"].as_str().unwrap())
    );
    assert!(
        !listed.to_string().contains(&secret),
        "the secret is never listed"
    );
    for (body, code) in [
        (json!({"name": "rita", "roles": ["evaluator"]}), 409),
        (json!({"name": "tom", "roles": ["wizard"]}), 422),
        (json!({"name": "tom", "roles": []}), 422),
        (json!({"name": "", "roles": ["author"]}), 422),
        (json!({"name": "x".repeat(101), "roles": ["author"]}), 422),
        (
            json!({"name": "tom", "roles": ["author"], "token": "mine.0"}),
            422,
        ),
    ] {
        let (status, answer) = lab
            .call("POST", "/api/v1/users", Some("ada"), Some(body.clone()))
            .await;
        assert_eq!(status, code, "{body}: {answer}");
    }
    assert_eq!(
        lab.call(
            "POST",
            "/api/v1/users",
            Some("sam"),
            Some(json!({"name": "tom", "roles": ["admin"]}))
        )
        .await
        .0,
        403,
        "only admins add users"
    );

    // In the browser: the token is on the answering page and never again.
    let ada = lab.login("ada").await;
    let (status, page) = ada
        .post(
            "/ui/users",
            &format!(
                "csrf={}&name=tom&role_scheduler=yes&role_approver=yes",
                ada.csrf
            ),
        )
        .await;
    assert_eq!(status, 200, "{page}");
    let tom_token = page
        .split("<code id=\"token\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .expect("the token is shown")
        .to_string();
    let tom_secret = tom_token.split('.').nth(1).unwrap().to_string();
    let (status, users_page) = ada.get("/ui/users").await;
    assert_eq!(status, 200);
    assert!(
        users_page.contains("data-user=\"tom\"") && users_page.contains("approver,scheduler"),
        "{users_page}"
    );
    assert!(!users_page.contains(&tom_secret) && !users_page.contains(&secret));
    assert_eq!(
        ada.post("/ui/users", "csrf=forged&name=eve2&role_admin=yes")
            .await
            .0,
        403
    );
    let (tom, _) = Session::login(&lab.app.base, &tom_token).await;
    assert_eq!(tom.get("/ui/unknown-outcomes").await.0, 200);

    // Revoking ends access at once: the open session and the token on the API.
    let (status, _) = ada
        .post("/ui/users/tom/revoke", &format!("csrf={}", ada.csrf))
        .await;
    assert_eq!(status, 303);
    let (status, _) = tom.get("/ui/unknown-outcomes").await;
    assert_eq!(status, 303, "the revoked user's session ends");
    lab.tokens.insert("tom".into(), tom_token);
    assert_eq!(
        lab.call("GET", "/api/v1/me", Some("tom"), None).await.0,
        401
    );
    let (status, body) = lab
        .call("POST", "/api/v1/users/rita/revoke", Some("ada"), None)
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        lab.call("GET", "/api/v1/me", Some("rita"), None).await.0,
        401
    );
    assert_eq!(
        lab.call("POST", "/api/v1/users/rita/revoke", Some("ada"), None)
            .await
            .0,
        409
    );
    assert_eq!(
        lab.call("POST", "/api/v1/users/nobody/revoke", Some("ada"), None)
            .await
            .0,
        404
    );
    let (status, body) = lab
        .call("POST", "/api/v1/users/ada/revoke", Some("ada"), None)
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("own_access"))
    );
    assert_eq!(
        lab.call("GET", "/api/v1/users", Some("sam"), None).await.0,
        403
    );

    // Audited with the admin's name; no secret in the log.
    let added = lab.audited("user.added").await;
    let names: Vec<(&str, &str)> = added
        .iter()
        .filter(|e| e["actor"] == "ada")
        .map(|e| (e["subject"].as_str().unwrap(), e["actor"].as_str().unwrap()))
        .collect();
    assert_eq!(names, [("rita", "ada"), ("tom", "ada")]);
    let revoked = lab.audited("token.revoked").await;
    assert_eq!(revoked.len(), 2);
    assert!(revoked.iter().all(|e| e["actor"] == "ada"));
    let (_, log) = lab.call("GET", "/api/v1/audit", Some("ada"), None).await;
    assert!(!log.to_string().contains(&secret) && !log.to_string().contains(&tom_secret));
}
