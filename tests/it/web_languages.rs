//! The web interface in its staff's languages: every page of the navigation (and the campaign,
//! login and error pages) answered in German and Arabic from `Accept-Language` and from the
//! user's own setting, with `lang` and `dir` right and no English text of the interface left
//! over; Arabic right to left with bidi isolation marks in text and never in attributes. The
//! attacks: a hostile `Accept-Language` (10 KB, 10,000 ranges, garbage bytes) answered at once
//! in English; the settings form without or with a forged CSRF token, with an unknown or
//! injected language, and from another user's session. In a browser: a German-speaking
//! approver approves through the German interface while the four-eyes rule still holds, and
//! the Arabic interface is drawn right to left (screenshots kept with the other web tests').

use crate::common;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use common::app::{AppOptions, TestApp, spawn_app};
use common::web_session::Session;
use common::webdriver::Browser;
use herald::auth::{Role, issue_token};
use herald::campaign::ContentHash;
use herald::clock::SimulatedClock;
use herald::html_text::escape_html;
use herald::store::{SqliteStore, Store};
use serde_json::json;

struct App {
    base: String,
    store: SqliteStore,
    tokens: BTreeMap<String, String>,
    _app: TestApp,
}

impl App {
    /// herald as `herald serve` assembles it, over plain http (so a browser keeps the cookie).
    async fn spawn() -> App {
        let herald_toml =
            common::CONFIG.replace("https://herald.example.org", "http://herald.example.org");
        let clock = SimulatedClock::starting_at(Utc.with_ymd_and_hms(2027, 1, 2, 9, 0, 0).unwrap());
        let app = spawn_app(AppOptions::new(&herald_toml, Arc::new(clock))).await;
        App {
            base: app.base.clone(),
            store: app.fresh.store.clone(),
            tokens: BTreeMap::new(),
            _app: app,
        }
    }

    async fn user(&mut self, name: &str, roles: &[Role], language: Option<&str>) {
        let user = self.store.create_user(name, roles, 0).await.unwrap();
        let token = issue_token();
        self.store
            .add_token(&token.id, &user.id, &token.secret_hash, 0)
            .await
            .unwrap();
        if language.is_some() {
            assert!(
                self.store
                    .set_user_language(name, language, "admin", 0)
                    .await
                    .unwrap()
            );
        }
        self.tokens.insert(name.to_string(), token.token);
    }

    /// Uploads the demo campaign through the API as `who`; the version's hash.
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

/// A page fetched with `Accept-Language` (and a session when `session` is given).
async fn fetch(app: &App, session: Option<&Session>, path: &str, accept: &str) -> (u16, String) {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut request = client
        .get(format!("{}{path}", app.base))
        .header("accept-language", accept);
    if let Some(session) = session {
        request = request.header("cookie", &session.cookie);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// `id = value` messages of a Fluent file written on one line without placeables.
fn plain_messages(path: &str) -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    text.lines()
        .filter_map(|line| line.split_once(" = "))
        .filter(|(id, value)| {
            !id.starts_with(['#', ' ']) && !value.is_empty() && !value.contains('{')
        })
        .map(|(id, value)| (id.to_string(), value.to_string()))
        .collect()
}

/// The interface's English sentences that `language` words differently: none may appear on
/// a page shown in that language, outside the documents herald writes in English only (the
/// reach report and the subscriber tables, which end the page in an element marked
/// `lang="en"`).
fn english_left_over(language: &str, page: &str) -> Vec<String> {
    let page = ["<div class=\"report\" lang=\"en\"", "<div lang=\"en\""]
        .iter()
        .fold(page, |page, document| {
            page.split(document).next().unwrap_or(page)
        });
    let english = plain_messages("src/web/locales/en/staff.ftl");
    let translated = plain_messages(&format!("src/web/locales/{language}/staff.ftl"));
    english
        .iter()
        .filter(|(id, value)| value.len() >= 12 && translated.get(*id) != Some(*value))
        .map(|(_, value)| escape_html(value))
        .filter(|value| page.contains(value.as_str()))
        .collect()
}

/// Attribute values carrying a bidi isolation mark (FSI or PDI).
fn isolated_attributes(page: &str) -> Vec<&str> {
    page.split("=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|value| value.contains(['\u{2068}', '\u{2069}']))
        .collect()
}

/// Every page a user with every role reaches from the navigation, plus a campaign's pages.
async fn every_page(app: &App, root: &Session) -> Vec<String> {
    let (_, home) = root.get("/ui").await;
    let nav = home
        .split("class=\"main-nav\">")
        .nth(1)
        .and_then(|rest| rest.split("</nav>").next())
        .expect("the navigation");
    let mut pages: Vec<String> = nav
        .split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_string)
        .collect();
    assert_eq!(pages.len(), 7, "every page of the navigation: {pages:?}");
    for tab in ["", "/schedule", "/dispatch", "/report"] {
        pages.push(format!("/ui/campaigns/demo{tab}"));
    }
    let _ = app;
    pages
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_is_in_the_language_accept_language_asks_for() {
    let mut app = App::spawn().await;
    app.user("root", &Role::ALL, None).await;
    app.upload("root").await;
    let (root, _) = Session::login(&app.base, &app.tokens["root"]).await;
    let pages = every_page(&app, &root).await;
    for (accept, tag, dir, words) in [
        ("de-DE,de;q=0.9,en;q=0.5", "de", "ltr", "Abmelden"),
        ("ar-EG, en;q=0.2", "ar", "rtl", "تسجيل الخروج"),
    ] {
        for path in &pages {
            let (status, page) = fetch(&app, Some(&root), path, accept).await;
            assert_eq!(status, 200, "{path} in {tag}: {page}");
            assert!(
                page.contains(&format!("<html lang=\"{tag}\" dir=\"{dir}\">")),
                "{path} in {tag}: {page}"
            );
            assert!(page.contains(words), "{path} in {tag}: {page}");
            let left = english_left_over(tag, &page);
            assert!(left.is_empty(), "{path} in {tag} still says {left:?}");
            let isolated = isolated_attributes(&page);
            assert!(isolated.is_empty(), "{path} in {tag}: {isolated:?}");
        }
        // The login page and an error page, before and after sign-in.
        let (status, login) = fetch(&app, None, "/ui/login", accept).await;
        assert_eq!(status, 200);
        assert!(
            login.contains(&format!("<html lang=\"{tag}\" dir=\"{dir}\">")),
            "{login}"
        );
        assert!(english_left_over(tag, &login).is_empty(), "{login}");
        let (status, missing) = fetch(&app, Some(&root), "/ui/campaigns/nope", accept).await;
        assert_eq!(status, 404);
        assert!(
            missing.contains(&format!("<html lang=\"{tag}\" dir=\"{dir}\">")),
            "{missing}"
        );
        assert!(english_left_over(tag, &missing).is_empty(), "{missing}");
    }
    // German words and ways: the heading, a date, a state.
    let (_, campaigns) = fetch(&app, Some(&root), "/ui", "de").await;
    assert!(campaigns.contains("<h1>Kampagnen</h1>"), "{campaigns}");
    assert!(campaigns.contains(">Entwurf</span>"), "{campaigns}");
    let (_, schedule) = fetch(&app, Some(&root), "/ui/campaigns/demo/schedule", "de").await;
    assert!(
        schedule.contains("Ab 2. Jan. 2027, 09:00 UTC."),
        "{schedule}"
    );
    // Arabic isolates data inside running text, and writes figures in Arabic-Indic digits.
    let (_, campaigns) = fetch(&app, Some(&root), "/ui", "ar").await;
    assert!(campaigns.contains("\u{2068}root\u{2069}"), "{campaigns}");
    let (_, schedule) = fetch(&app, Some(&root), "/ui/campaigns/demo/schedule", "ar").await;
    assert!(schedule.contains("٢٠٢٧"), "{schedule}");
    // Nothing asked for, or nothing herald has: English.
    for accept in ["", "pt-BR, ja;q=0.8", "*"] {
        let (_, page) = fetch(&app, Some(&root), "/ui", accept).await;
        assert!(page.contains("<html lang=\"en\" dir=\"ltr\">"), "{accept}");
        assert!(page.contains("<h1>Campaigns</h1>"), "{accept}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hostile_accept_language_is_answered_at_once_in_english() {
    let mut app = App::spawn().await;
    app.user("ana", &[Role::Author], None).await;
    let (ana, _) = Session::login(&app.base, &app.tokens["ana"]).await;
    let ten_kb = format!("de,{}", "x".repeat(10 * 1024));
    let many = format!("{}de", "zz;q=0.5,".repeat(10_000));
    let garbage = "\t;q=NaN;q=;;,,,de;q=-3,ar;q=2,=;\"'<>,-,q=0.5;de".repeat(20);
    for header in [ten_kb.as_str(), many.as_str(), garbage.as_str()] {
        for session in [None, Some(&ana)] {
            let started = Instant::now();
            let path = if session.is_some() {
                "/ui"
            } else {
                "/ui/login"
            };
            let (status, page) = fetch(&app, session, path, header).await;
            assert!(
                started.elapsed() < Duration::from_secs(2),
                "answered in {:?}",
                started.elapsed()
            );
            assert_eq!(status, 200, "{page}");
            assert!(page.contains("<html lang=\"en\" dir=\"ltr\">"), "{page}");
        }
    }
    // Bytes that are not text at all.
    let response = reqwest::Client::new()
        .get(format!("{}/ui/login", app.base))
        .header(
            "accept-language",
            reqwest::header::HeaderValue::from_bytes(b"de\xff\xfe,ar").unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.text().await.unwrap().contains("<html lang=\"en\""));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_users_own_language_wins_and_only_they_set_it_through_a_checked_form() {
    let mut app = App::spawn().await;
    app.user("ana", &[Role::Author], None).await;
    app.user("eve", &[Role::Evaluator], Some("ar")).await;
    let (ana, _) = Session::login(&app.base, &app.tokens["ana"]).await;
    let (eve, _) = Session::login(&app.base, &app.tokens["eve"]).await;

    // Eve's stored Arabic wins over what her browser asks for.
    let (_, page) = fetch(&app, Some(&eve), "/ui", "fr").await;
    assert!(page.contains("<html lang=\"ar\" dir=\"rtl\">"), "{page}");

    // Ana's form: no CSRF token, a forged one, eve's token, an unknown or injected language.
    for form in [
        "language=de".to_string(),
        "language=de&csrf=forged".to_string(),
        format!("language=de&csrf={}", eve.csrf),
    ] {
        let (status, page) = ana.post("/ui/settings", &form).await;
        assert_eq!(status, 403, "{form}: {page}");
    }
    for language in ["xx", "de%22%3E%3Cscript%3E", "DE", "de-DE", ""] {
        let (status, page) = ana
            .post(
                "/ui/settings",
                &format!("language={language}&csrf={}", ana.csrf),
            )
            .await;
        assert_eq!(status, 400, "{language}: {page}");
        assert!(page.contains("no such language"), "{page}");
    }
    let (_, page) = fetch(&app, Some(&ana), "/ui", "").await;
    assert!(
        page.contains("<html lang=\"en\""),
        "nothing was stored: {page}"
    );

    // Ana chooses German: every page follows, whatever her browser asks for.
    let (status, _) = ana
        .post("/ui/settings", &format!("language=de&csrf={}", ana.csrf))
        .await;
    assert_eq!(status, 303);
    let (_, page) = fetch(&app, Some(&ana), "/ui/settings?saved=1", "fr, ar").await;
    assert!(page.contains("<html lang=\"de\" dir=\"ltr\">"), "{page}");
    assert!(
        page.contains("Ihre Einstellungen sind gespeichert."),
        "{page}"
    );
    assert!(
        page.contains("<option value=\"de\" lang=\"de\" dir=\"ltr\" selected>Deutsch</option>"),
        "{page}"
    );
    assert!(
        page.contains("<option value=\"ar\" lang=\"ar\" dir=\"rtl\">العربية</option>"),
        "each language is named in itself: {page}"
    );
    let (_, notifications) = fetch(&app, Some(&ana), "/ui/notifications", "fr").await;
    assert!(
        notifications.contains("<h1>Benachrichtigungen</h1>"),
        "{notifications}"
    );
    // Eve's language did not change; the change is in the audit log, by ana, of ana.
    let (_, page) = fetch(&app, Some(&eve), "/ui", "").await;
    assert!(page.contains("<html lang=\"ar\""), "{page}");
    let (log, _) = app.store.audit_log().await.unwrap();
    let changes: Vec<_> = log
        .iter()
        .filter(|e| e.action == "user.language")
        .map(|e| (e.actor.as_str(), e.subject.as_str(), e.details.as_str()))
        .collect();
    assert_eq!(
        changes,
        [
            ("admin", "eve", r#"{"language":"ar"}"#),
            ("ana", "ana", r#"{"language":"de"}"#)
        ]
    );

    // Back to the browser's choice.
    let (status, _) = ana
        .post(
            "/ui/settings",
            &format!("language=browser&csrf={}", ana.csrf),
        )
        .await;
    assert_eq!(status, 303);
    let (_, page) = fetch(&app, Some(&ana), "/ui", "fr-FR,fr;q=0.9").await;
    assert!(page.contains("<html lang=\"fr\" dir=\"ltr\">"), "{page}");
    assert!(page.contains("Se déconnecter"), "{page}");
}

/// The element's computed CSS `direction`.
async fn direction(browser: &Browser, css: &str) -> String {
    browser
        .css_value(&browser.find(css).await, "direction")
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_german_approver_approves_in_german_and_arabic_runs_right_to_left() {
    let Some(browser) = Browser::start().await else {
        return;
    };
    let shots = common::browser::screenshot_dir();
    let mut app = App::spawn().await;
    app.user("jonas", &[Role::Author, Role::Approver], Some("de"))
        .await;
    app.user("petra", &[Role::Approver], Some("de")).await;
    app.user("layla", &[Role::Evaluator, Role::Scheduler], None)
        .await;
    let hash = app.upload("jonas").await;
    let short = ContentHash::parse(&hash).unwrap().short().to_string();
    let sign_in = async |who: &str| {
        browser.goto(&format!("{}/ui/login", app.base)).await;
        let field = browser.find("#token").await;
        browser.send_keys(&field, &app.tokens[who]).await;
        browser
            .click_and_wait(&browser.find("#sign-in").await)
            .await;
        assert!(
            browser.current_url().await.ends_with("/ui"),
            "{who} signed in"
        );
    };
    let sign_out = async || {
        browser
            .click_and_wait(&browser.find("form.logout button").await)
            .await;
    };

    // Jonas wrote the version and submits it in German; four eyes: no Freigeben for him.
    sign_in("jonas").await;
    let html = browser.find("html").await;
    assert_eq!(
        browser.attribute(&html, "lang").await.as_deref(),
        Some("de")
    );
    browser
        .goto(&format!("{}/ui/campaigns/demo", app.base))
        .await;
    let submit = browser.find(&format!("#submit-{short}")).await;
    assert_eq!(browser.text(&submit).await, "Zur Freigabe einreichen");
    browser.click_and_wait(&submit).await;
    assert!(
        browser
            .find_all(&format!("#approve-{short}"))
            .await
            .is_empty()
    );
    let why = browser.find(&format!("#why-not-{short}")).await;
    assert!(browser.text(&why).await.contains("Vier-Augen-Prinzip"));
    sign_out().await;

    // Petra approves through the German interface.
    sign_in("petra").await;
    browser
        .goto(&format!("{}/ui/campaigns/demo", app.base))
        .await;
    let label = browser.find(&format!("label[for=note-{short}]")).await;
    assert_eq!(browser.text(&label).await, "Anmerkung (optional)");
    let note = browser.find(&format!("#note-{short}")).await;
    browser.send_keys(&note, "alle Sprachen geprüft").await;
    let approve = browser.find(&format!("#approve-{short}")).await;
    assert_eq!(browser.text(&approve).await, "Freigeben");
    browser.click_and_wait(&approve).await;
    let state = app
        .store
        .version(&ContentHash::parse(&hash).unwrap())
        .await
        .unwrap()
        .unwrap()
        .state;
    assert_eq!(state.name(), "approved");
    let decisions = browser.text(&browser.find(".decisions").await).await;
    assert!(decisions.contains("petra freigegeben"), "{decisions}");
    assert!(
        decisions.contains("Jan. 2027"),
        "a German date: {decisions}"
    );
    browser.screenshot(&shots.join("ui-de-approved.png")).await;
    sign_out().await;

    // Layla picks Arabic on her settings page; the interface then runs right to left.
    sign_in("layla").await;
    browser.goto(&format!("{}/ui/settings", app.base)).await;
    browser
        .click(&browser.find("#language option[value=ar]").await)
        .await;
    browser
        .click_and_wait(&browser.find("#save-settings").await)
        .await;
    let html = browser.find("html").await;
    assert_eq!(
        browser.attribute(&html, "lang").await.as_deref(),
        Some("ar")
    );
    assert_eq!(
        browser.attribute(&html, "dir").await.as_deref(),
        Some("rtl")
    );
    browser
        .goto(&format!("{}/ui/campaigns/demo/schedule", app.base))
        .await;
    assert_eq!(direction(&browser, "body").await, "rtl");
    assert_eq!(direction(&browser, "table.list").await, "rtl");
    // Mirrored: the brand, first in the header, is drawn at its right end.
    let (brand_x, ..) = browser.rect(&browser.find(".top .brand").await).await;
    let (who_x, ..) = browser.rect(&browser.find(".top .who").await).await;
    assert!(brand_x > who_x, "brand at {brand_x}, user at {who_x}");
    let heading = browser.text(&browser.find("h1").await).await;
    assert!(heading.starts_with("الجدولة"), "{heading}");
    browser.screenshot(&shots.join("ui-ar-schedule.png")).await;
}
