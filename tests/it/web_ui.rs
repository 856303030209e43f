//! The web interface as people use it: the real API and `/ui` routers on port 0 with a fresh
//! database and a user per job, driven by headless Chromium through ChromeDriver (sign in,
//! submit, approve, schedule, kill switch, report), with a screenshot of each page; and the
//! security rules (CSRF, four eyes, roles, cookies) checked over plain HTTP.

use crate::common;

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use common::app::{AppOptions, TestApp, spawn_app};
use herald::auth::{Role, issue_token};
use herald::campaign::ContentHash;
use herald::clock::SimulatedClock;
use herald::config::Config;
use herald::store::{SqliteStore, Store};
use serde_json::json;

use common::web_session::Session;
use common::webdriver::Browser;

struct App {
    base: String,
    store: SqliteStore,
    /// The service's clock, to let reports settle.
    clock: SimulatedClock,
    config: Arc<Config>,
    tokens: BTreeMap<String, String>,
    _app: TestApp,
}

impl App {
    /// herald as `herald serve` assembles it. `secure_cookie` is what an https `public_url`
    /// gives; the browser test runs over plain http, so it runs with an http `public_url`.
    async fn spawn(secure_cookie: bool) -> App {
        let herald_toml = if secure_cookie {
            common::CONFIG.to_string()
        } else {
            common::CONFIG.replace("https://herald.example.org", "http://herald.example.org")
        };
        let clock = SimulatedClock::starting_at(Utc.with_ymd_and_hms(2027, 1, 2, 9, 0, 0).unwrap());
        let app = spawn_app(AppOptions::new(&herald_toml, Arc::new(clock.clone()))).await;
        App {
            base: app.base.clone(),
            store: app.fresh.store.clone(),
            clock,
            config: Arc::clone(&app.config),
            tokens: BTreeMap::new(),
            _app: app,
        }
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

    /// Uploads the demo campaign through the API as `who`; returns the version's hash.
    async fn upload(&self, who: &str) -> String {
        let body = json!({"campaign": common::CAMPAIGN, "translations": {"en": common::EN, "ar": common::AR, "fr": common::FR}});
        let response = reqwest::Client::new()
            .post(format!("{}/api/v1/campaigns", self.base))
            .header("authorization", format!("Bearer {}", self.tokens[who]))
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
        let body: serde_json::Value =
            serde_json::from_str(&response.text().await.unwrap()).unwrap();
        body["version"].as_str().unwrap().to_string()
    }
}

async fn state_of(app: &App, hash: &str) -> String {
    let hash = ContentHash::parse(hash).unwrap();
    app.store
        .version(&hash)
        .await
        .unwrap()
        .unwrap()
        .state
        .name()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csrf_four_eyes_roles_and_cookies_are_enforced() {
    let mut app = App::spawn(true).await;
    app.user("ana", &[Role::Author, Role::Approver]).await;
    app.user("eve", &[Role::Evaluator]).await;
    let hash = app.upload("ana").await;

    // No session: pages send to the login form, forms are refused.
    let anonymous = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let response = anonymous
        .get(format!("{}/ui", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/ui/login");
    let response = anonymous
        .post(format!("{}/ui/versions/{hash}/submit", app.base))
        .body("csrf=x")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);

    // A wrong token is refused like on the API, and never opens a session.
    let response = anonymous
        .post(format!("{}/ui/login", app.base))
        .body("token=abc.def")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    assert!(response.headers().get("set-cookie").is_none());

    let (ana, set_cookie) = Session::login(&app.base, &app.tokens["ana"]).await;
    assert!(
        set_cookie.starts_with("__Host-herald_session="),
        "served over https, the cookie is __Host- prefixed: {set_cookie}"
    );
    for part in ["HttpOnly", "SameSite=Strict", "Path=/;", "Secure"] {
        assert!(set_cookie.contains(part), "{set_cookie}");
    }
    assert!(!set_cookie.contains("Domain"), "{set_cookie}");
    assert!(
        !set_cookie.contains(&app.tokens["ana"]),
        "the token is not the cookie"
    );

    // CSRF: without the token, or with a wrong one, nothing happens.
    let (status, page) = ana.post(&format!("/ui/versions/{hash}/submit"), "").await;
    assert_eq!(status, 403, "{page}");
    assert!(page.contains("CSRF"), "{page}");
    let (status, _) = ana
        .post(&format!("/ui/versions/{hash}/submit"), "csrf=forged")
        .await;
    assert_eq!(status, 403);
    assert_eq!(state_of(&app, &hash).await, "draft");
    let (status, _) = ana
        .post(
            &format!("/ui/versions/{hash}/submit"),
            &format!("csrf={}", ana.csrf),
        )
        .await;
    assert_eq!(status, 303);
    assert_eq!(state_of(&app, &hash).await, "submitted");

    // Four eyes: no Approve button for the author, and a forged approval is refused.
    let (status, page) = ana.get("/ui/campaigns/demo").await;
    assert_eq!(status, 200);
    assert!(
        !page.contains("/approve\""),
        "no approve button for the author"
    );
    assert!(page.contains("four eyes"), "the page says why");
    let (status, page) = ana
        .post(
            &format!("/ui/versions/{hash}/approve"),
            &format!("csrf={}", ana.csrf),
        )
        .await;
    assert_eq!(status, 403, "{page}");
    assert!(page.contains("four eyes"), "{page}");
    assert_eq!(state_of(&app, &hash).await, "submitted");

    // Roles: an evaluator reaches reports, not scheduling or dispatch, not content.
    let (eve, _) = Session::login(&app.base, &app.tokens["eve"]).await;
    for path in [
        "/ui/campaigns/demo/schedule",
        "/ui/campaigns/demo/dispatch",
        "/ui/campaigns/demo",
    ] {
        let (status, page) = eve.get(path).await;
        assert_eq!(status, 403, "{path}");
        assert!(page.contains("needs one of the roles"), "{page}");
    }
    let (status, _) = eve
        .post(
            &format!("/ui/versions/{hash}/schedule"),
            &format!("csrf={}", eve.csrf),
        )
        .await;
    assert_eq!(status, 403);
    let (status, page) = eve.get("/ui/campaigns/demo/report").await;
    assert_eq!(status, 200, "{page}");
    // In January the whole run has not settled: the page shows the settled weeks, and says
    // when the run comes.
    assert!(
        page.contains("Showing the weeks that have settled: the whole run is published once the campaign has ended and its last day has settled, from 9 May 2027"),
        "{page}"
    );
    // The page offers the policy's periods and breakdowns, dates and campaigns to compare.
    for field in [
        "<select name=\"period\"><option value=\"run\" selected>run</option><option value=\"week\">week</option>",
        "<input type=\"date\" name=\"from\"",
        "<input type=\"text\" name=\"compare\"",
    ] {
        assert!(page.contains(field), "{field} in {page}");
    }
    let (status, page) = eve
        .get("/ui/campaigns/demo/report?period=week&from=2027-01-18&until=2027-01-31")
        .await;
    assert_eq!(status, 200, "{page}");
    assert!(
        // As the template escapes it (`=` as `&#x3D;`), which a browser reads back as is.
        page.contains("href=\"/ui/campaigns/demo/report.csv?period&#x3D;week&amp;from&#x3D;2027-01-18&amp;until&#x3D;2027-01-31\""),
        "the downloads carry the same choices: {page}"
    );
    for (query, expected) in [
        ("period=fortnight", 400),
        ("from=2027-01-18", 400),
        ("compare=nobody", 404),
        ("compare=demo", 400),
    ] {
        let (status, page) = eve.get(&format!("/ui/campaigns/demo/report?{query}")).await;
        assert_eq!(status, expected, "{query}: {page}");
    }
    let response = eve
        .client
        .get(format!("{}/ui/campaigns/demo/report.csv", app.base))
        .header("cookie", &eve.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.headers()["content-type"],
        "text/csv; charset=utf-8"
    );
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    // The download is in the audit log: who took which campaign's report, how; the page
    // views before it are not exports.
    let (log, _) = app.store.audit_log().await.unwrap();
    let exports: Vec<(String, String, String)> = log
        .iter()
        .filter(|e| e.action == "report.exported")
        .map(|e| (e.actor.clone(), e.subject.clone(), e.details.clone()))
        .collect();
    assert_eq!(exports.len(), 1, "{exports:?}");
    assert_eq!(
        (exports[0].0.as_str(), exports[0].1.as_str()),
        ("eve", "demo")
    );
    assert!(exports[0].2.contains(r#""format":"csv""#) && exports[0].2.contains(r#""via":"web""#));
    // Sessions of another user do not mix; logging out ends the session.
    let (status, _) = eve.post("/ui/logout", &format!("csrf={}", ana.csrf)).await;
    assert_eq!(status, 403, "another session's CSRF token is refused");
    let (status, _) = eve.post("/ui/logout", &format!("csrf={}", eve.csrf)).await;
    assert_eq!(status, 303);
    let (status, _) = eve.get("/ui/campaigns/demo/report").await;
    assert_eq!(status, 303, "signed out");
}

async fn sign_in(browser: &Browser, app: &App, who: &str) {
    browser.goto(&format!("{}/ui/login", app.base)).await;
    let field = browser.find("#token").await;
    browser.send_keys(&field, &app.tokens[who]).await;
    browser
        .click_and_wait(&browser.find("#sign-in").await)
        .await;
    let url = browser.current_url().await;
    assert!(
        url.ends_with("/ui"),
        "{who} is signed in: {url} {}",
        browser.source().await
    );
}

async fn sign_out(browser: &Browser) {
    browser
        .click_and_wait(&browser.find("form.logout button").await)
        .await;
    assert!(browser.current_url().await.ends_with("/ui/login"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn people_review_approve_schedule_stop_and_evaluate_in_a_browser() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let shots = common::browser::screenshot_dir();
    let mut app = App::spawn(false).await;
    app.user("ana", &[Role::Author, Role::Approver]).await;
    app.user("ben", &[Role::Approver]).await;
    app.user("sam", &[Role::Scheduler]).await;
    app.user("eve", &[Role::Evaluator]).await;
    let hash = app.upload("ana").await;
    let short = ContentHash::parse(&hash).unwrap().short().to_string();

    // Login page.
    browser.goto(&format!("{}/ui", app.base)).await;
    assert!(browser.current_url().await.ends_with("/ui/login"));
    let html = browser.find("html").await;
    assert_eq!(
        browser.attribute(&html, "lang").await.as_deref(),
        Some("en")
    );
    let label = browser.find("label[for=token]").await;
    assert_eq!(browser.text(&label).await, "API token");
    browser.screenshot(&shots.join("ui-login.png")).await;

    // The author signs in, sees the campaign list and submits the draft.
    sign_in(&browser, &app, "ana").await;
    let row = browser.find("tr.campaign[data-campaign=demo]").await;
    assert!(browser.text(&row).await.contains("draft"));
    browser.screenshot(&shots.join("ui-campaigns.png")).await;
    browser
        .goto(&format!("{}/ui/campaigns/demo", app.base))
        .await;
    browser
        .click_and_wait(&browser.find(&format!("#submit-{short}")).await)
        .await;
    assert_eq!(state_of(&app, &hash).await, "submitted");
    // Previews as the audience sees them: Arabic right to left, French left to right.
    let arabic = browser.find(".message[lang=ar]").await;
    assert_eq!(
        browser.attribute(&arabic, "dir").await.as_deref(),
        Some("rtl")
    );
    assert!(browser.text(&arabic).await.contains("اعرف خياراتك"));
    let french = browser.find(".message[lang=fr]").await;
    assert_eq!(
        browser.attribute(&french, "dir").await.as_deref(),
        Some("ltr")
    );
    assert!(
        browser
            .text(&french)
            .await
            .contains("Connaître vos options")
    );
    assert!(!browser.find_all("table.matrix td.cell.ok").await.is_empty());
    // Four eyes: the author, although an approver, gets no Approve button, and is told why.
    assert!(
        browser
            .find_all(&format!("#approve-{short}"))
            .await
            .is_empty()
    );
    let why = browser.find(&format!("#why-not-{short}")).await;
    assert!(browser.text(&why).await.contains("four eyes"));
    browser.screenshot(&shots.join("ui-campaign.png")).await;
    sign_out(&browser).await;

    // Another approver approves.
    sign_in(&browser, &app, "ben").await;
    browser
        .goto(&format!("{}/ui/campaigns/demo", app.base))
        .await;
    let note = browser.find(&format!("#note-{short}")).await;
    browser.send_keys(&note, "checked all locales").await;
    browser
        .click_and_wait(&browser.find(&format!("#approve-{short}")).await)
        .await;
    assert_eq!(state_of(&app, &hash).await, "approved");
    let decisions = browser.find(".decisions").await;
    assert!(browser.text(&decisions).await.contains("ben approved"));
    browser.screenshot(&shots.join("ui-approved.png")).await;
    sign_out(&browser).await;

    // The scheduler sees the plan in UTC and local time, and schedules.
    sign_in(&browser, &app, "sam").await;
    browser
        .goto(&format!("{}/ui/campaigns/demo/schedule", app.base))
        .await;
    let upcoming = browser.find("table.upcoming").await;
    let text = browser.text(&upcoming).await;
    assert!(text.contains("18 Jan 2027, 09:00 UTC"), "{text}");
    assert!(
        text.contains("Mon 18 Jan 2027, 10:00 (UTC+01:00)"),
        "{text}"
    );
    assert!(text.contains("Europe/Amsterdam"), "{text}");
    browser.screenshot(&shots.join("ui-schedule.png")).await;
    browser
        .click_and_wait(&browser.find(&format!("#schedule-{short}")).await)
        .await;
    assert_eq!(state_of(&app, &hash).await, "scheduled");
    assert!(browser.current_url().await.ends_with("/schedule"));

    // Jobs planned (as the service's planner does when the campaign starts).
    let version = herald::loaded_version::LoadedVersion::from_bundle(
        ContentHash::parse(&hash).unwrap(),
        &app.store
            .version(&ContentHash::parse(&hash).unwrap())
            .await
            .unwrap()
            .unwrap()
            .bundle,
        &app.config,
    )
    .unwrap();
    let pass = herald::dispatch::plan_horizon(
        &app.store,
        &version.hash,
        &version.campaign,
        Utc.with_ymd_and_hms(2027, 1, 17, 0, 0, 0).unwrap(),
        herald::dispatch::DEFAULT_HORIZON,
    )
    .await
    .unwrap();
    assert!(pass.inserted > 0);

    // Dispatch monitor and the kill switch, which needs its confirmation.
    browser
        .goto(&format!("{}/ui/campaigns/demo/dispatch", app.base))
        .await;
    let row = browser.find("tr[data-channel='telegram:info']").await;
    let queued = browser
        .find("tr[data-channel='telegram:info'] td[data-status=queued]")
        .await;
    assert_ne!(
        browser.text(&queued).await,
        "0",
        "{}",
        browser.text(&row).await
    );
    browser.screenshot(&shots.join("ui-dispatch.png")).await;
    browser.click(&browser.find("#kill").await).await;
    assert!(
        !app.store.is_killed("demo").await.unwrap(),
        "not without ticking the confirmation"
    );
    browser.click(&browser.find("#confirm-kill").await).await;
    browser.click_and_wait(&browser.find("#kill").await).await;
    assert!(app.store.is_killed("demo").await.unwrap());
    let killed = browser.find("#killed").await;
    assert!(browser.text(&killed).await.contains("Kill switch on"));
    let queued = browser
        .find("tr[data-channel='telegram:info'] td[data-status=queued]")
        .await;
    assert_eq!(browser.text(&queued).await, "0");
    browser
        .screenshot(&shots.join("ui-dispatch-killed.png"))
        .await;
    sign_out(&browser).await;

    // The evaluator reads the report once the campaign (ending 30 April) has settled, and
    // cannot reach scheduling.
    app.clock
        .advance_to(Utc.with_ymd_and_hms(2027, 5, 9, 9, 0, 0).unwrap());
    let count =
        |locale: &str, channel: &str, status: &str, count: i64| herald::store::DeliveryCount {
            campaign: "demo".into(),
            version: hash.clone(),
            send: "weekly".into(),
            segment: "in-eu".into(),
            locale: locale.into(),
            channel: channel.into(),
            variant: "a".into(),
            day: "2027-01-18".into(),
            status: status.into(),
            count,
            key_sum: 0,
        };
    app.store
        .add_delivery_counts(&[
            count("fr", "telegram:info", "sent", 60),
            count("en", "telegram:info", "sent", 70),
            count("fr", "whatsapp:optin", "sent", 50),
            count("en", "whatsapp:optin", "sent", 40),
            count("fr", "whatsapp:optin", "delivered", 45),
            count("en", "whatsapp:optin", "delivered", 35),
        ])
        .await
        .unwrap();
    sign_in(&browser, &app, "eve").await;
    browser
        .click_and_wait(&browser.find("a[href='/ui/campaigns/demo/report']").await)
        .await;
    assert!(
        !browser.find_all(".report figure svg").await.is_empty(),
        "charts"
    );
    assert!(
        !browser.find_all(".report table").await.is_empty(),
        "tables"
    );
    let csv = browser.find("#download-csv").await;
    assert_eq!(
        browser.attribute(&csv, "href").await.as_deref(),
        Some("/ui/campaigns/demo/report.csv")
    );
    browser.find("#download-html").await;
    browser.screenshot(&shots.join("ui-report.png")).await;
    browser
        .goto(&format!("{}/ui/campaigns/demo/schedule", app.base))
        .await;
    let message = browser.find("#error-message").await;
    assert!(
        browser
            .text(&message)
            .await
            .contains("needs one of the roles")
    );
    assert!(browser.title().await.starts_with("Not allowed"));
    browser.screenshot(&shots.join("ui-forbidden.png")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_allows_exactly_its_roles() {
    let mut app = App::spawn(true).await;
    for role in Role::ALL {
        app.user(role.name(), &[role]).await;
    }
    let hash = app.upload("author").await;
    let mut sessions = BTreeMap::new();
    for role in Role::ALL {
        sessions.insert(
            role,
            Session::login(&app.base, &app.tokens[role.name()]).await.0,
        );
    }
    let routes = herald::web::ui_route_table();
    assert!(routes.len() >= 15);
    let anonymous = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for route in routes.iter().filter(|r| r.path != "/ui/logout") {
        let path = route
            .path
            .replace("{campaign}", "demo")
            .replace("{hash}", &hash)
            .replace("{locale}", "ar");
        let post = route.method == axum::http::Method::POST;
        for role in Role::ALL {
            let session = &sessions[&role];
            let (status, page) = if post {
                session
                    .post(&path, &format!("csrf={}&confirm=yes", session.csrf))
                    .await
            } else {
                session.get(&path).await
            };
            if route.roles.contains(&role) {
                assert!(
                    status != 403 && status < 500,
                    "{} {path} as {role}: {status} {page}",
                    route.method
                );
            } else {
                assert_eq!(status, 403, "{} {path} as {role}", route.method);
                assert!(page.contains("needs one of the roles"), "{page}");
            }
        }
        let request = if post {
            anonymous.post(format!("{}{path}", app.base)).body("csrf=x")
        } else {
            anonymous.get(format!("{}{path}", app.base))
        };
        let status = request.send().await.unwrap().status().as_u16();
        assert_eq!(
            status,
            if post { 403 } else { 303 },
            "{path} without a session"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_needs_confirmation_revoked_tokens_end_sessions_and_logins_are_limited() {
    let mut app = App::spawn(true).await;
    app.user("ana", &[Role::Author]).await;
    app.user("sam", &[Role::Scheduler]).await;
    app.upload("ana").await;
    let (sam, _) = Session::login(&app.base, &app.tokens["sam"]).await;
    let (status, page) = sam
        .post(
            "/ui/campaigns/demo/kill",
            &format!("csrf={}&back=dispatch", sam.csrf),
        )
        .await;
    assert_eq!(status, 400, "{page}");
    assert!(page.contains("Nothing was stopped"), "{page}");
    assert!(!app.store.is_killed("demo").await.unwrap());
    let (status, _) = sam
        .post(
            "/ui/campaigns/demo/kill",
            &format!("csrf={}&back=dispatch&confirm=yes", sam.csrf),
        )
        .await;
    assert_eq!(status, 303);
    assert!(app.store.is_killed("demo").await.unwrap());
    let (status, page) = sam.get("/ui/campaigns/demo/dispatch").await;
    assert_eq!(status, 200);
    assert!(page.contains("Kill switch on"), "{page}");

    // Revoking the token the session was opened with ends the session at the next request.
    let token_id = app.tokens["sam"].split('.').next().unwrap().to_string();
    assert!(app.store.revoke_token(&token_id, "admin", 0).await.unwrap());
    let (status, _) = sam.get("/ui").await;
    assert_eq!(status, 303, "back to the login form");

    // Failed logins count against the API's limiter: past ten, a wrong token is answered 429,
    // on the web and on the API alike; a good token is never refused.
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for _ in 0..10 {
        let response = client
            .post(format!("{}/ui/login", app.base))
            .body("token=nobody.wrong")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401);
    }
    let response = client
        .post(format!("{}/ui/login", app.base))
        .body("token=nobody.wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    assert!(response.headers().contains_key("retry-after"));
    let response = client
        .get(format!("{}/api/v1/me", app.base))
        .header("authorization", "Bearer nobody.wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429, "the API shares the limiter");
    let response = client
        .post(format!("{}/ui/login", app.base))
        .body(format!("token={}", app.tokens["ana"]))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303, "a good token signs in all the same");
    let response = client
        .get(format!("{}/api/v1/me", app.base))
        .header("authorization", format!("Bearer {}", app.tokens["ana"]))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "and is served by the API");
}

/// The Notifications page over plain HTTP: each user sees only the kinds their roles hear of,
/// saves their own choice with the CSRF token, and a form without it, or with e-mail chosen
/// and no address, changes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_user_sets_their_own_notifications_on_their_page() {
    let mut app = App::spawn(true).await;
    app.user("ben", &[Role::Approver]).await;
    app.user("sam", &[Role::Scheduler]).await;
    let (ben, _) = Session::login(&app.base, &app.tokens["ben"]).await;
    let (status, page) = ben.get("/ui/notifications").await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("name=\"kind_version_submitted\""), "{page}");
    assert!(
        !page.contains("kind_kill_switch"),
        "approvers do not hear of the kill switch"
    );
    let (sam, _) = Session::login(&app.base, &app.tokens["sam"]).await;
    let (_, page) = sam.get("/ui/notifications").await;
    assert!(page.contains("name=\"kind_kill_switch\"") && !page.contains("kind_version_submitted"));

    let choice = "channel=email&kind_version_submitted=on&email=ben%40example.org";
    let (status, _) = ben.post("/ui/notifications", choice).await;
    assert_eq!(status, 403, "no CSRF token, no change");
    let (status, page) = ben
        .post(
            "/ui/notifications",
            &format!("csrf={}&channel=email&kind_version_submitted=on", ben.csrf),
        )
        .await;
    assert_eq!(status, 422, "{page}");
    assert!(
        app.store
            .notification_recipients(None)
            .await
            .unwrap()
            .is_empty()
    );

    let (status, _) = ben
        .post("/ui/notifications", &format!("csrf={}&{choice}", ben.csrf))
        .await;
    assert_eq!(status, 303);
    let saved = app.store.notification_recipients(None).await.unwrap();
    assert_eq!(saved.len(), 1);
    assert_eq!(saved[0].user.name, "ben");
    assert_eq!(
        saved[0].preferences.email.as_deref(),
        Some("ben@example.org")
    );
    let (_, page) = ben.get("/ui/notifications").await;
    assert!(page.contains("value=\"ben@example.org\""), "{page}");
    let (_, page) = sam.get("/ui/notifications").await;
    assert!(!page.contains("ben@example.org"), "sam sees only his own");
}
