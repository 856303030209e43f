//! Translators as they work: a translator exports one locale's strings (XLIFF 2.0 or the
//! Fluent files), fills them in and imports them back as a new draft version, which an author
//! submits and another person approves; the completeness matrix shows each string's status
//! and who changed it. And the attacks: a translator reaching for the campaign file, a layout,
//! the default locale or a version's state; hostile XLIFF (entity expansion, external
//! entities, huge, many units, deep); placeables changed; texts too long for a platform; and
//! an import that must change nothing an approved version sends.

use crate::common;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use common::app::{AppOptions, TestApp, spawn_app};
use common::web_session::Session;
use herald::app::ServiceKeys;
use herald::auth::{Role, issue_token};
use herald::clock::{Clock, SimulatedClock};
use herald::store::Store;
use serde_json::{Value, json};

/// French lacks `intro--b` (sent in English meanwhile): what is left to translate.
const FR_PARTIAL: &str = r#"### demo — French
-iom = l’OIM
intro--a = Conseils gratuits & confidentiels de { -iom } sur le retour.
    .title = Connaître vos options
    .cta = En savoir plus
support = Un soutien jusqu’à { $months ->
    [one] un mois
   *[other] { $months } mois
}.
"#;

struct App {
    app: TestApp,
    clock: SimulatedClock,
    tokens: BTreeMap<String, String>,
    client: reqwest::Client,
}

impl App {
    /// ana (author), tia (translator), ben (approver), sam (scheduler), root (admin).
    async fn spawn() -> App {
        let clock = SimulatedClock::starting_at(Utc.with_ymd_and_hms(2027, 1, 2, 9, 0, 0).unwrap());
        let mut options = AppOptions::new(common::CONFIG, Arc::new(clock.clone()));
        options.keys = ServiceKeys::from_hex(&"42".repeat(32)).unwrap();
        let app = spawn_app(options).await;
        let mut tokens = BTreeMap::new();
        for (name, role) in [
            ("ana", Role::Author),
            ("tia", Role::Translator),
            ("ben", Role::Approver),
            ("sam", Role::Scheduler),
            ("root", Role::Admin),
        ] {
            let user = app.fresh.store.create_user(name, &[role], 0).await.unwrap();
            let token = issue_token();
            app.fresh
                .store
                .add_token(&token.id, &user.id, &token.secret_hash, 0)
                .await
                .unwrap();
            tokens.insert(name.to_string(), token.token);
        }
        App {
            app,
            clock,
            tokens,
            client: reqwest::Client::new(),
        }
    }

    /// `method path` as `who`, with a body of `content_type`; the status and the answer (JSON
    /// when it is JSON, else its text).
    async fn send(
        &self,
        method: &str,
        path: &str,
        who: &str,
        body: Option<(&str, String)>,
    ) -> (u16, Value) {
        let mut request = self
            .client
            .request(method.parse().unwrap(), self.app.url(path))
            .bearer_auth(&self.tokens[who]);
        if let Some((content_type, body)) = body {
            request = request.header("content-type", content_type).body(body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    async fn get(&self, path: &str, who: &str) -> (u16, Value) {
        self.send("GET", path, who, None).await
    }

    async fn post_json(&self, path: &str, who: &str, body: Value) -> (u16, Value) {
        self.send(
            "POST",
            path,
            who,
            Some(("application/json", body.to_string())),
        )
        .await
    }

    /// The translator's file for `locale` of `hash`, as `who`.
    async fn import(
        &self,
        hash: &str,
        locale: &str,
        format: &str,
        who: &str,
        file: String,
    ) -> (u16, Value) {
        let path = format!("/api/v1/versions/{hash}/translations/{locale}?format={format}");
        self.send("POST", &path, who, Some(("text/plain", file)))
            .await
    }

    async fn upload(&self, who: &str, translations: Value) -> (u16, Value) {
        let campaign = common::CAMPAIGN.replace("fallback = []", "fallback = [\"en\"]");
        self.post_json(
            "/api/v1/campaigns",
            who,
            json!({"campaign": campaign, "translations": translations}),
        )
        .await
    }

    /// ana's upload of the demo campaign with French partly translated.
    async fn base_version(&self) -> String {
        let (status, body) = self
            .upload(
                "ana",
                json!({"en": common::EN, "ar": common::AR, "fr": FR_PARTIAL}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        body["version"].as_str().unwrap().to_string()
    }

    async fn step(&self, hash: &str, step: &str, who: &str) -> (u16, Value) {
        self.send(
            "POST",
            &format!("/api/v1/versions/{hash}/{step}"),
            who,
            None,
        )
        .await
    }

    async fn audit_actions(&self) -> Vec<(String, String)> {
        let (entries, _) = self.app.fresh.store.audit_log().await.unwrap();
        entries.into_iter().map(|e| (e.actor, e.action)).collect()
    }
}

/// `xliff` with the targets (and segment states) of the units named in `fill` set.
fn filled(xliff: &str, fill: &[(&str, &str, &str)]) -> String {
    let mut out = String::new();
    let mut parts = xliff.split("<unit id=\"");
    out.push_str(parts.next().unwrap());
    for part in parts {
        let id = part.split('"').next().unwrap();
        let Some((_, target, state)) = fill.iter().find(|(unit, _, _)| *unit == id) else {
            out.push_str("<unit id=\"");
            out.push_str(part);
            continue;
        };
        let (head, rest) = part.split_once("<segment state=\"").unwrap();
        let (_, rest) = rest.split_once('"').unwrap();
        let rest = match rest.split_once("<target>") {
            Some((before, after)) => {
                format!("{before}{}", after.split_once("</target>").unwrap().1)
            }
            None => rest.to_string(),
        };
        let rest = rest.replacen(
            "</source>",
            &format!("</source>\n        <target>{target}</target>"),
            1,
        );
        out.push_str(&format!(
            "<unit id=\"{head}<segment state=\"{state}\"{rest}"
        ));
    }
    out
}

/// The matrix row of `string` and its cell for `locale` in the completeness answer.
fn string_cell<'a>(matrix: &'a Value, string: &str, locale: &str) -> &'a Value {
    let column = matrix["locales"]
        .as_array()
        .unwrap()
        .iter()
        .position(|l| l == locale)
        .unwrap();
    let row = matrix["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| {
            let id = match r["part"].as_str() {
                Some(part) => format!("{}.{part}", r["message"].as_str().unwrap()),
                None => r["message"].as_str().unwrap().to_string(),
            };
            id == string
        })
        .unwrap_or_else(|| panic!("no row {string}: {matrix}"));
    &row["strings"][column]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_translator_exports_xliff_fills_it_imports_it_and_four_eyes_still_hold() {
    let app = App::spawn().await;
    let base = app.base_version().await;
    let export = format!("/api/v1/versions/{base}/translations/fr?format=xliff&only=missing");
    let (status, xliff) = app.get(&export, "tia").await;
    assert_eq!(status, 200, "{xliff}");
    let xliff = xliff.as_str().unwrap().to_string();
    assert!(
        xliff.contains("urn:oasis:names:tc:xliff:document:2.0"),
        "{xliff}"
    );
    assert!(xliff.contains("srcLang=\"en\" trgLang=\"fr\""), "{xliff}");
    for unit in ["intro--b", "intro--b.title", "intro--b.cta"] {
        assert!(xliff.contains(&format!("<unit id=\"{unit}\">")), "{xliff}");
    }
    assert!(
        !xliff.contains("<unit id=\"intro--a\">"),
        "only the missing strings: {xliff}"
    );
    assert!(
        xliff.contains("<source>You have options.</source>"),
        "{xliff}"
    );

    let translated = filled(
        &xliff,
        &[
            ("intro--b", "Vous avez le choix.", "translated"),
            ("intro--b.title", "Connaître vos options", "translated"),
            ("intro--b.cta", "En savoir plus", "initial"),
        ],
    );
    let (status, imported) = app.import(&base, "fr", "xliff", "tia", translated).await;
    assert_eq!(status, 201, "{imported}");
    assert_eq!(imported["state"], "draft");
    assert_eq!(imported["base"], base.as_str());
    assert_eq!(imported["changed"], 3);
    let draft = imported["version"].as_str().unwrap().to_string();
    assert_ne!(draft, base);

    // The new version holds the words, with the campaign file of the base unchanged.
    let (_, old) = app.get(&format!("/api/v1/versions/{base}"), "ana").await;
    let (_, new) = app.get(&format!("/api/v1/versions/{draft}"), "ana").await;
    assert_eq!(new["bundle"]["campaign"], old["bundle"]["campaign"]);
    assert_eq!(new["bundle"]["layouts"], old["bundle"]["layouts"]);
    assert_eq!(
        new["bundle"]["translations"]["en"],
        old["bundle"]["translations"]["en"]
    );
    let french = new["bundle"]["translations"]["fr"].as_str().unwrap();
    assert!(
        french.contains("intro--b = Vous avez le choix."),
        "{french}"
    );
    assert!(
        french.contains("intro--a = Conseils gratuits"),
        "kept: {french}"
    );
    assert_eq!(new["authors"], json!(["tia"]));

    // Statuses and who changed them, in the matrix.
    let (status, matrix) = app
        .get(&format!("/api/v1/versions/{draft}/completeness"), "ana")
        .await;
    assert_eq!(status, 200, "{matrix}");
    let cell = string_cell(&matrix, "intro--b", "fr");
    assert_eq!(cell["status"], "translated", "{cell}");
    assert_eq!(cell["changed_by"], "tia", "{cell}");
    assert!(cell["changed_at_ms"].as_i64().unwrap() > 0);
    assert_eq!(
        string_cell(&matrix, "intro--b.cta", "fr")["status"],
        "draft"
    );
    assert_eq!(
        string_cell(&matrix, "intro--a", "fr")["status"],
        "translated"
    );
    assert!(string_cell(&matrix, "intro--a", "fr")["changed_by"].is_null());
    assert_eq!(string_cell(&matrix, "intro--a", "en")["status"], "source");
    assert_eq!(
        string_cell(&matrix, "intro--b", "fr")["status"],
        "translated"
    );

    // A reviewer marks the same words reviewed: no new version, the record changes.
    let (_, full) = app
        .get(&format!("/api/v1/versions/{draft}/translations/fr"), "tia")
        .await;
    let reviewed = filled(
        full.as_str().unwrap(),
        &[("intro--b", "Vous avez le choix.", "reviewed")],
    );
    let (status, again) = app.import(&draft, "fr", "xliff", "tia", reviewed).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(
        (again["version"].as_str(), again["changed"].as_i64()),
        (Some(draft.as_str()), Some(0))
    );
    let (_, matrix) = app
        .get(&format!("/api/v1/versions/{draft}/completeness"), "ben")
        .await;
    assert_eq!(string_cell(&matrix, "intro--b", "fr")["status"], "reviewed");

    // The import is audited; the translator can neither submit nor approve it.
    assert!(
        app.audit_actions()
            .await
            .contains(&("tia".into(), "translation.imported".into()))
    );
    assert_eq!(app.step(&draft, "submit", "tia").await.0, 403);
    assert_eq!(app.step(&draft, "submit", "ana").await.0, 200);
    assert_eq!(app.step(&draft, "approve", "tia").await.0, 403);
    let (status, approved) = app.step(&draft, "approve", "ben").await;
    assert_eq!(
        (status, approved["state"].as_str()),
        (200, Some("approved")),
        "{approved}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_translator_imports_a_fluent_file_as_weblate_would_write_it() {
    let app = App::spawn().await;
    let base = app.base_version().await;
    let (status, files) = app
        .get(
            &format!("/api/v1/versions/{base}/translations/fr?format=fluent"),
            "tia",
        )
        .await;
    assert_eq!(status, 200, "{files}");
    assert_eq!(files["source_locale"], "en");
    assert_eq!(files["source"], common::EN);
    assert_eq!(files["missing"], 3);
    let target = files["target"].as_str().unwrap();
    assert!(target.starts_with(FR_PARTIAL), "{target}");
    assert!(
        target.contains("## Not yet translated from `en`"),
        "{target}"
    );
    assert!(target.contains("# intro--b = You have options.\n#     .title = Know your options\n#     .cta = Read more\n"), "{target}");

    // The translator uncomments and translates, and marks the file a draft.
    let translated = target
        .replace(
            "### demo — French\n",
            "### demo — French\n### status: draft\n",
        )
        .replace(
            "# intro--b = You have options.",
            "intro--b = Vous avez des options.",
        )
        .replace(
            "#     .title = Know your options",
            "    .title = Connaître vos options",
        )
        .replace("#     .cta = Read more", "    .cta = En savoir plus");
    let (status, imported) = app.import(&base, "fr", "fluent", "tia", translated).await;
    assert_eq!(status, 201, "{imported}");
    assert_eq!(imported["changed"], 3);
    let draft = imported["version"].as_str().unwrap();
    let (_, matrix) = app
        .get(&format!("/api/v1/versions/{draft}/completeness"), "ana")
        .await;
    let cell = string_cell(&matrix, "intro--b.title", "fr");
    assert_eq!(
        (cell["status"].as_str(), cell["changed_by"].as_str()),
        (Some("draft"), Some("tia")),
        "{cell}"
    );
    // Unchanged words keep no record: nobody is named for what they did not touch.
    assert!(string_cell(&matrix, "intro--a", "fr")["changed_by"].is_null());
    assert_eq!(matrix["rows"][2]["cells"][1]["status"], "ok", "{matrix}");

    // A Fluent file with a syntax error or a message the source lacks is refused, by line.
    let (status, refused) = app
        .import(
            &base,
            "fr",
            "fluent",
            "tia",
            format!("{FR_PARTIAL}intro--b = {{ $x\n"),
        )
        .await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(refused["error"]["code"], "invalid_translation");
    let first = &refused["error"]["details"]["diagnostics"][0];
    assert_eq!(first["path"], "locales/fr/demo.ftl", "{refused}");
    assert!(first["line"].as_u64().unwrap() >= 10, "{refused}");
    let (status, refused) = app
        .import(
            &base,
            "fr",
            "fluent",
            "tia",
            format!("{FR_PARTIAL}made-up = Bonjour\n"),
        )
        .await;
    assert_eq!(status, 422, "{refused}");
    let first = &refused["error"]["details"]["diagnostics"][0];
    assert_eq!(
        (first["line"].as_u64(), first["column"].as_u64()),
        (Some(10), Some(1)),
        "{refused}"
    );
    assert!(
        first["message"]
            .as_str()
            .unwrap()
            .contains("`made-up` is not a string of the `en` file"),
        "{refused}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_translator_changes_words_only_never_the_campaign_layouts_the_source_or_states() {
    let app = App::spawn().await;
    let base = app.base_version().await;
    let before_audit = app.audit_actions().await;
    let (_, before_versions) = app.get("/api/v1/campaigns/demo/versions", "ana").await;

    // The campaign file and layouts come only with a whole upload, which is the author's.
    let mut layout = BTreeMap::new();
    layout.insert("telegram", "{{body}} {{link}} injected");
    let campaign = common::CAMPAIGN.replace("https://example.org/return", "https://evil.example");
    let (status, body) = app
        .post_json(
            "/api/v1/campaigns",
            "tia",
            json!({"campaign": campaign, "translations": {"en": common::EN}, "layouts": layout}),
        )
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (403, Some("forbidden")),
        "{body}"
    );
    // The default locale is the campaign's own text.
    let english = common::EN.replace("You have options.", "Click https://evil.example");
    for format in ["fluent", "xliff"] {
        let (status, body) = app
            .import(&base, "en", format, "tia", english.clone())
            .await;
        assert_eq!(status, 403, "{body}");
        assert_eq!(body["error"]["code"], "default_locale", "{body}");
    }
    // No state changes, whatever the version.
    for step in [
        "submit", "approve", "reject", "schedule", "pause", "resume", "cancel",
    ] {
        let (status, body) = app.step(&base, step, "tia").await;
        assert_eq!(status, 403, "{step}: {body}");
    }
    let (status, _) = app
        .send("POST", "/api/v1/campaigns/demo/kill", "tia", None)
        .await;
    assert_eq!(status, 403);

    // A Fluent import holds one locale's file: campaign keys in it are no Fluent, and are
    // refused with the line they are on.
    let smuggled = format!("{FR_PARTIAL}[[sends]]\nmessage = \"intro\"\n");
    let (status, body) = app.import(&base, "fr", "fluent", "tia", smuggled).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        body["error"]["details"]["diagnostics"][0]["line"], 10,
        "{body}"
    );

    // Nothing changed: no version, no audit entry.
    let (_, after_versions) = app.get("/api/v1/campaigns/demo/versions", "ana").await;
    assert_eq!(before_versions, after_versions);
    assert_eq!(app.audit_actions().await, before_audit);
}

/// A unit of the XLIFF document for French, repeated.
fn xliff_with(body: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?>\n<xliff xmlns=\"urn:oasis:names:tc:xliff:document:2.0\" version=\"2.0\" srcLang=\"en\" trgLang=\"fr\">\n<file id=\"demo\">\n{body}\n</file>\n</xliff>\n"
    )
}

/// Announces a body of `bytes` and reads the answer without sending it.
async fn announced_status(app: &App, path: &str, bytes: usize) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = app.app.base.trim_start_matches("http://").to_string();
    let mut stream = tokio::net::TcpStream::connect(&address).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nhost: {address}\r\nauthorization: Bearer {}\r\ncontent-type: application/xliff+xml\r\ncontent-length: {bytes}\r\n\r\n<",
        app.tokens["tia"]
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = vec![0u8; 1024];
    let read = stream.read(&mut answer).await.unwrap();
    String::from_utf8_lossy(&answer[..read])
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_xliff_is_refused_quickly_with_a_clear_error() {
    let app = App::spawn().await;
    let base = app.base_version().await;
    let laughs = format!(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n<!ENTITY lol \"lol\">\n{}]>\n{}",
        (1..10)
            .map(|i| format!("<!ENTITY lol{i} \"{}\">\n", format!("&lol{};", i - 1).repeat(10)))
            .collect::<String>()
            .replace("&lol0;", "&lol;"),
        xliff_with("<unit id=\"intro--b\"><segment><source>x</source><target>&lol9;</target></segment></unit>")
            .split_once('\n')
            .unwrap()
            .1
    );
    let external =
        xliff_with("<unit id=\"intro--b\"><segment><target>&xxe;</target></segment></unit>")
            .replacen(
                "?>\n",
                "?>\n<!DOCTYPE xliff [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n",
                1,
            );
    let undeclared =
        xliff_with("<unit id=\"intro--b\"><segment><target>&xxe;</target></segment></unit>");
    let many = xliff_with(&"<unit id=\"u\"/>\n".repeat(100_000));
    let deep = xliff_with(&format!(
        "{}{}",
        "<g>".repeat(100_000),
        "</g>".repeat(100_000)
    ));
    let cases = [
        ("billion laughs", laughs, "DOCTYPE is not accepted"),
        ("external entity", external, "DOCTYPE is not accepted"),
        (
            "undeclared entity",
            undeclared,
            "entity `&xxe;` is not defined",
        ),
        ("100,000 units", many, "more than 10000 units"),
        ("deep nesting", deep, "nest more than 16 deep"),
        (
            "not XLIFF",
            "<html><body/></html>".to_string(),
            "not XLIFF's <xliff>",
        ),
    ];
    for (name, file, expected) in cases {
        let started = Instant::now();
        let (status, body) = app.import(&base, "fr", "xliff", "tia", file).await;
        assert_eq!(status, 422, "{name}: {body}");
        assert_eq!(
            body["error"]["code"], "invalid_translation",
            "{name}: {body}"
        );
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains(expected), "{name}: {message}");
        assert!(
            message.contains(".xlf:"),
            "{name} names the file, line and column: {message}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{name} took {:?}",
            started.elapsed()
        );
    }
    // 100 MB is refused from its announced length, before a byte of it is read.
    let started = Instant::now();
    let path = format!("/api/v1/versions/{base}/translations/fr");
    assert_eq!(announced_status(&app, &path, 100 * 1024 * 1024).await, 413);
    assert!(started.elapsed() < Duration::from_secs(5));

    // Placeables that differ from the source are refused, naming the unit.
    let unit = |id: &str, target: &str| {
        format!(
            "<unit id=\"{id}\"><segment state=\"translated\"><source>x</source><target>{target}</target></segment></unit>"
        )
    };
    let cases = [
        (
            unit("support", "Un soutien de { $weeks } semaines."),
            "unit `support`",
            "lacks variable `$months`",
        ),
        (
            unit("intro--a", "Conseils de l’OIM."),
            "unit `intro--a`",
            "lacks term `-iom`",
        ),
        (
            unit("intro--b", "Bonjour { $name"),
            "unit `intro--b`",
            "Fluent syntax error",
        ),
        (
            unit("nothing", "Bonjour"),
            "unit `nothing`",
            "no such string",
        ),
    ];
    for (body, unit, expected) in cases {
        let (status, answer) = app
            .import(&base, "fr", "xliff", "tia", xliff_with(&body))
            .await;
        assert_eq!(status, 422, "{answer}");
        let message = answer["error"]["details"]["diagnostics"][0]["message"]
            .as_str()
            .unwrap();
        assert!(
            message.contains(unit) && message.contains(expected),
            "{message}"
        );
        assert_eq!(
            answer["error"]["details"]["diagnostics"][0]["line"], 4,
            "{answer}"
        );
    }
    // A translation too long for a platform it is sent on: `support` goes to X (280).
    let long = format!("{} {{ $months }}.", "Un soutien très long ".repeat(20));
    let (status, answer) = app
        .import(
            &base,
            "fr",
            "xliff",
            "tia",
            xliff_with(&unit("support", &long)),
        )
        .await;
    assert_eq!(status, 422, "{answer}");
    let diagnostics = answer["error"]["details"]["diagnostics"].to_string();
    assert!(
        diagnostics.contains("unit `support`") && diagnostics.contains("on x"),
        "{diagnostics}"
    );
    assert!(diagnostics.contains("demo.fr.xlf"), "{diagnostics}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unsubmitted_import_changes_nothing_an_approved_version_sends() {
    use herald::dispatch::{DispatchSettings, Dispatcher};
    let app = App::spawn().await;
    let approved = app.base_version().await;
    assert_eq!(app.step(&approved, "submit", "ana").await.0, 200);
    assert_eq!(app.step(&approved, "approve", "ben").await.0, 200);
    assert_eq!(app.step(&approved, "schedule", "sam").await.0, 200);
    // The translator rewrites the French the approved version sends, and adds what it lacks.
    let (_, xliff) = app
        .get(
            &format!("/api/v1/versions/{approved}/translations/fr"),
            "tia",
        )
        .await;
    let rewritten = filled(
        xliff.as_str().unwrap(),
        &[
            ("intro--a", "NOUVEAU { -iom } texte.", "translated"),
            ("intro--b", "NOUVEAU aussi.", "translated"),
        ],
    );
    let (status, imported) = app.import(&approved, "fr", "xliff", "tia", rewritten).await;
    assert_eq!(status, 201, "{imported}");
    let draft = imported["version"].as_str().unwrap().to_string();

    let sandbox = herald::sandbox::Sandbox::new(
        herald::sandbox::SandboxConfig::default(),
        Arc::new(app.clock.clone()),
    );
    let running = sandbox.start(0).await.unwrap();
    let settings = DispatchSettings {
        sandbox_url: Some(running.base_url()),
        sequential: true,
        ..DispatchSettings::default()
    };
    let dispatcher = Dispatcher::new(
        app.app.fresh.store.clone(),
        Arc::new(app.clock.clone()),
        Arc::clone(&app.app.config),
        settings,
    )
    .unwrap();
    let until = Utc.with_ymd_and_hms(2027, 1, 26, 12, 0, 0).unwrap();
    while app.clock.now() < until {
        dispatcher.plan().await.unwrap();
        if dispatcher.tick().await.unwrap().leased == 0 {
            app.clock.advance(chrono::Duration::minutes(30));
        }
    }
    let posts: Vec<String> = sandbox
        .delivered()
        .into_iter()
        .filter(|r| r.platform == "telegram")
        .map(|r| r.text)
        .collect();
    assert!(posts.len() >= 6, "two Mondays in three locales: {posts:?}");
    assert!(posts.iter().all(|p| !p.contains("NOUVEAU")), "{posts:?}");
    assert!(
        posts.iter().any(|p| p.contains("Conseils gratuits")),
        "{posts:?}"
    );
    // Every link sent names the approved version, never the translator's draft.
    let token = |hash: &str, variant: &str, locale: &str| {
        herald::render::tracking_token(
            &herald::campaign::ContentHash::parse(hash).unwrap(),
            herald::render::LinkDimensions {
                campaign: "demo",
                send: "weekly",
                variant: Some(variant),
                locale: &herald::campaign::Locale::parse(locale).unwrap(),
                channel: &herald::platforms::ChannelRef::parse("telegram:info").unwrap(),
            },
        )
    };
    for post in &posts {
        let mine = ["a", "b"].iter().any(|v| {
            ["ar", "fr", "en"]
                .iter()
                .any(|l| post.contains(&token(&approved, v, l)))
        });
        let drafts = ["a", "b"]
            .iter()
            .any(|v| post.contains(&token(&draft, v, "fr")));
        assert!(mine && !drafts, "{post}");
    }
    let (_, draft_record) = app.get(&format!("/api/v1/versions/{draft}"), "ana").await;
    assert_eq!(draft_record["state"], "draft");
    running.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_review_page_shows_statuses_and_links_to_the_missing_strings() {
    let app = App::spawn().await;
    let base = app.base_version().await;
    let (_, xliff) = app
        .get(
            &format!("/api/v1/versions/{base}/translations/fr?only=missing"),
            "tia",
        )
        .await;
    let partial = filled(
        xliff.as_str().unwrap(),
        &[("intro--b", "Vous avez le choix.", "translated")],
    );
    let (status, imported) = app.import(&base, "fr", "xliff", "tia", partial).await;
    assert_eq!(status, 201, "{imported}");
    let draft = imported["version"].as_str().unwrap();

    let (session, _) = Session::login(&app.app.base, &app.tokens["tia"]).await;
    let (status, page) = session
        .get(&format!("/ui/campaigns/demo?version={draft}"))
        .await;
    // Handlebars writes `=` in attributes as `&#x3D;`, which browsers read as `=`.
    let page = page.replace("&#x3D;", "=");
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("id=\"string-intro--b\""), "{page}");
    assert!(
        page.contains("data-locale=\"fr\" data-status=\"translated\""),
        "{page}"
    );
    assert!(
        page.contains("<span class=\"changed-by\"><bdi>tia</bdi></span>"),
        "{page}"
    );
    // intro--b.cta is still missing in French: its cell links to the missing strings.
    let link = format!("/ui/versions/{draft}/translations/fr?only=missing");
    assert!(
        page.contains(&format!("href=\"{link}\" class=\"missing-link\"")),
        "{page}"
    );
    // The translator sees no Submit or Approve button.
    assert!(
        !page.contains("Submit for approval") && !page.contains(">Approve<"),
        "{page}"
    );
    let (status, download) = session.get(&link).await;
    assert_eq!(status, 200, "{download}");
    assert!(
        download.contains("<unit id=\"intro--b.cta\">"),
        "{download}"
    );
    assert!(
        !download.contains("<unit id=\"intro--b\">"),
        "translated now: {download}"
    );
    let (status, fluent) = session
        .get(&format!(
            "/ui/versions/{draft}/translations/fr?format=fluent"
        ))
        .await;
    assert_eq!(status, 200);
    assert!(
        fluent.contains("intro--b = Vous avez le choix.")
            && fluent.contains("#     .cta = Read more"),
        "{fluent}"
    );
}
