//! SMS through Twilio, against the sandbox: people text START to join, a scheduled send reaches
//! each of them as one message, Twilio's signed status callbacks come back through the hook and
//! become counters, an undeliverable number and a person who texts STOP (in their language) are
//! erased, and nothing more goes to them. The hook refuses forged, tampered and foreign
//! requests; a captured START replayed after a STOP subscribes nobody, while a new one does.
//! `herald validate` and `herald preview` count each text's segments, and validation refuses a
//! text over the account's `max_segments` and an alphanumeric sender towards a country that
//! refuses one.

use crate::common;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use common::app::{AppOptions, TestApp, spawn_app};
use common::lifecycle::schedule_version;
use common::{CONFIG, Project};
use herald::app::{Partners, ServiceKeys};
use herald::campaign::VersionBundle;
use herald::clock::{Clock, SimulatedClock};
use herald::dispatch::DispatchSettings;
use herald::platforms::{Platform, PublishResult, Secret, SmsAccount, SmsAdapter};
use herald::reach::inbound::twilio_signature;
use herald::sandbox::{
    FaultConfig, PersonAction, PersonEvent, Sandbox, SandboxConfig, SandboxLimits,
};
use herald::store::{SqliteStore, Store};

/// Every credential in a rehearsal: the Twilio account SID and auth token alike.
const KEY: &str = "sandbox";

/// The test project's configuration with a Twilio account for subscribers in `in-eu`.
fn config(sender: &str, max_segments: u32) -> String {
    format!(
        r#"{CONFIG}
[[accounts]]
name = "text"
platform = "sms"
base_url = "http://127.0.0.1:8090"
credentials = {{ account_sid = "HERALD_SMS_TEXT_ACCOUNT_SID", auth_token = "HERALD_SMS_TEXT_AUTH_TOKEN" }}
sender = "{sender}"
max_segments = {max_segments}
segments = ["in-eu"]
locales = ["ar", "fr", "en"]
"#
    )
}

/// The demo project, its weekly send going by SMS only.
fn sms_project(sender: &str, max_segments: u32) -> Project {
    let project = Project::valid();
    project.write("herald.toml", &config(sender, max_segments));
    project.edit(
        "campaigns/demo.toml",
        r#"channels = ["telegram:info", "whatsapp:optin"]"#,
        r#"channels = ["sms:text"]"#,
    );
    project
}

fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
}

struct Lab {
    store: SqliteStore,
    url: String,
    clock: SimulatedClock,
    sandbox: Sandbox,
    hooks_base: String,
    _running: herald::sandbox::RunningSandbox,
    _project: Project,
    app: TestApp,
}

impl Lab {
    async fn start(undeliverable: &[&str]) -> Lab {
        let project = sms_project("+3197010250000", 5);
        let loaded = project.load();
        let clock = SimulatedClock::starting_at(utc(2027, 1, 17, 12, 0));
        let shared_clock: Arc<dyn Clock> = Arc::new(clock.clone());
        let sandbox = Sandbox::new(
            SandboxConfig {
                undeliverable: undeliverable.iter().map(|n| n.to_string()).collect(),
                ..SandboxConfig::default()
            },
            Arc::clone(&shared_clock),
        );
        let running = sandbox.start(0).await.unwrap();
        let mut options = AppOptions::new(&project.read("herald.toml"), shared_clock);
        options.keys = ServiceKeys::from_hex(&"5a".repeat(32)).unwrap();
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
        let url = app.fresh.url.clone();
        let hooks_base = app.base.clone();
        let bundle = VersionBundle::from_loaded(&loaded, &loaded.campaigns[0]);
        schedule_version(&store, &bundle, clock.now()).await;
        let lab = Lab {
            store,
            url,
            clock,
            sandbox,
            hooks_base,
            _running: running,
            _project: project,
            app,
        };
        lab.wait_for_registration().await;
        lab
    }

    /// herald tells the sandbox (Twilio's console) where incoming messages go at start-up.
    async fn wait_for_registration(&self) {
        for _ in 0..200 {
            let probe = self
                .sandbox
                .simulate_person(PersonEvent {
                    platform: Platform::Sms,
                    key: KEY.into(),
                    user: "+15005550009".into(),
                    action: PersonAction::Text {
                        text: "hello".into(),
                    },
                })
                .await;
            if probe.is_ok() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("herald never registered its SMS webhook with the sandbox");
    }

    async fn person(&self, user: &str, action: PersonAction) {
        let status = self
            .sandbox
            .simulate_person(PersonEvent {
                platform: Platform::Sms,
                key: KEY.into(),
                user: user.into(),
                action,
            })
            .await
            .unwrap();
        assert_eq!(status, 200, "{user}");
    }

    fn hook(&self) -> String {
        format!("{}/hooks/sms/text", self.hooks_base)
    }

    /// Posts a form to herald's SMS hook with `signature` (the sandbox never hears of it).
    async fn post(&self, params: &[(String, String)], signature: Option<&str>) -> u16 {
        let mut form = form_urlencoded::Serializer::new(String::new());
        for (name, value) in params {
            form.append_pair(name, value);
        }
        let mut request = reqwest::Client::new()
            .post(self.hook())
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form.finish());
        if let Some(signature) = signature {
            request = request.header("x-twilio-signature", signature);
        }
        request.send().await.unwrap().status().as_u16()
    }

    /// An incoming message as Twilio posts it, signed with the auth token `token`.
    async fn text(&self, sid: &str, from: &str, body: &str, token: &str) -> u16 {
        let params = inbound(sid, from, body);
        let signature = twilio_signature(token, &self.hook(), &params);
        self.post(&params, Some(&signature)).await
    }

    async fn run_until(&self, until: DateTime<Utc>) {
        self.app.running.dispatcher().plan().await.unwrap();
        while self.clock.now() < until {
            let report = self.app.running.dispatcher().tick().await.unwrap();
            if report.leased == 0 {
                let due = self
                    .store
                    .next_due_ms()
                    .await
                    .unwrap()
                    .and_then(DateTime::from_timestamp_millis);
                let next_plan = self.clock.now() + chrono::Duration::hours(6);
                let target = due.map_or(next_plan, |due| due.min(next_plan)).min(until);
                self.clock
                    .advance_to(target.max(self.clock.now() + chrono::Duration::seconds(1)));
                self.app.running.dispatcher().plan().await.unwrap();
            }
        }
        self.sandbox.flush_callbacks().await;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    async fn count(&self, status: &str) -> i64 {
        self.store
            .delivery_counts("demo")
            .await
            .unwrap()
            .iter()
            .filter(|c| c.channel == "sms:text" && c.status == status)
            .map(|c| c.count)
            .sum()
    }

    fn received_by(&self, number: &str) -> usize {
        self.sandbox
            .delivered()
            .iter()
            .filter(|r| r.platform == "sms" && r.recipient == number)
            .count()
    }

    async fn subscriber_rows(&self) -> Vec<(String, String, String)> {
        sqlx::query_as("SELECT channel, lookup, sealed FROM subscribers")
            .fetch_all(&sqlx::SqlitePool::connect(&self.url).await.unwrap())
            .await
            .unwrap()
    }
}

fn inbound(sid: &str, from: &str, body: &str) -> Vec<(String, String)> {
    [
        ("MessageSid", sid),
        ("SmsSid", sid),
        ("AccountSid", KEY),
        ("From", from),
        ("To", "+15005550006"),
        ("Body", body),
        ("NumMedia", "0"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sms_subscribers_get_each_send_and_stop_in_their_language_erases_them() {
    let lab = Lab::start(&["+31600000004"]).await;
    for (n, locale) in ["ar", "ar", "fr", "en", "fr"].iter().enumerate() {
        lab.person(
            &format!("+3160000000{n}"),
            PersonAction::Subscribe {
                language: None,
                payload: Some(locale.to_string()),
            },
        )
        .await;
    }
    assert_eq!(lab.subscriber_rows().await.len(), 5);

    lab.run_until(utc(2027, 1, 18, 12, 0)).await;
    assert_eq!(lab.count("sent").await, 5);
    assert_eq!(lab.count("delivered").await, 4);
    assert_eq!(lab.count("failed").await, 1, "the undeliverable number");
    let arabic = lab
        .sandbox
        .delivered()
        .into_iter()
        .find(|r| r.recipient == "+31600000000")
        .unwrap();
    assert_eq!(arabic.body["From"], "+3197010250000");
    assert_eq!(arabic.account, KEY);
    assert!(arabic.text.contains("خيارات"), "{}", arabic.text);
    assert!(
        arabic.body.get("StatusCallback").is_none(),
        "a rehearsal reports to the registered hook"
    );
    // The undeliverable number (30006) is gone, like a person who left.
    assert_eq!(lab.subscriber_rows().await.len(), 4);

    // One person writes STOP in Arabic; another in French.
    lab.person(
        "+31600000001",
        PersonAction::Text {
            text: "إيقاف".into(),
        },
    )
    .await;
    lab.person(
        "+31600000002",
        PersonAction::Text {
            text: "ARRÊT".into(),
        },
    )
    .await;
    assert_eq!(lab.subscriber_rows().await.len(), 2);
    lab.run_until(utc(2027, 1, 25, 12, 0)).await;
    assert_eq!(lab.received_by("+31600000000"), 2);
    assert_eq!(lab.received_by("+31600000001"), 1, "nothing after إيقاف");
    assert_eq!(lab.received_by("+31600000002"), 1, "nothing after ARRÊT");
    assert_eq!(lab.received_by("+31600000004"), 1, "nothing after 30006");
    assert_eq!(lab.count("sent").await, 5 + 2);
    let rows = lab.subscriber_rows().await;
    let dump = format!("{rows:?}");
    assert!(!dump.contains("3160000000"), "numbers stored in the clear");
    assert!(rows.iter().all(|(channel, _, _)| channel == "sms:text"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hook_refuses_forgeries_and_a_replayed_start_subscribes_nobody() {
    let lab = Lab::start(&[]).await;
    // Someone else joins, so that the send really happens.
    lab.person(
        "+31611111111",
        PersonAction::Subscribe {
            language: None,
            payload: None,
        },
    )
    .await;

    // Forgeries: no signature, another token, a body changed after signing, another account.
    let person = "+31622222222";
    let params = inbound("SM00000000000000000000000000000001", person, "START");
    assert_eq!(lab.post(&params, None).await, 401);
    let wrong = twilio_signature("not-the-token", &lab.hook(), &params);
    assert_eq!(lab.post(&params, Some(&wrong)).await, 401);
    let signed = twilio_signature(KEY, &lab.hook(), &params);
    let mut tampered = params.clone();
    tampered[3].1 = "+31699999999".into();
    assert_eq!(lab.post(&tampered, Some(&signed)).await, 401);
    let other_url = twilio_signature(KEY, "https://attacker.example/hooks/sms/text", &params);
    assert_eq!(lab.post(&params, Some(&other_url)).await, 401);
    let mut foreign = params.clone();
    foreign[2].1 = "AC-someone-else".into();
    let foreign_signature = twilio_signature(KEY, &lab.hook(), &foreign);
    assert_eq!(lab.post(&foreign, Some(&foreign_signature)).await, 400);
    assert_eq!(
        lab.subscriber_rows().await.len(),
        1,
        "no forgery subscribed anyone"
    );

    // The person joins and, a minute later, leaves; the captured START is then replayed.
    assert_eq!(lab.post(&params, Some(&signed)).await, 200);
    assert_eq!(lab.subscriber_rows().await.len(), 2);
    lab.clock.advance(chrono::Duration::minutes(1));
    assert_eq!(
        lab.text("SM00000000000000000000000000000002", person, "stop", KEY)
            .await,
        200
    );
    assert_eq!(lab.subscriber_rows().await.len(), 1);
    lab.clock.advance(chrono::Duration::minutes(10));
    assert_eq!(lab.post(&params, Some(&signed)).await, 200);
    lab.run_until(utc(2027, 1, 18, 12, 0)).await;
    assert_eq!(lab.received_by("+31611111111"), 1, "the send happened");
    assert_eq!(lab.received_by(person), 0, "the replay subscribed nobody");

    // A new START (a new message) is honoured.
    assert_eq!(
        lab.text("SM00000000000000000000000000000003", person, "Start", KEY)
            .await,
        200
    );
    lab.run_until(utc(2027, 1, 25, 12, 0)).await;
    assert_eq!(
        lab.received_by(person),
        1,
        "the new subscription is honoured"
    );

    // A status callback is counted once however often it is replayed, and a forged one not.
    let sid = lab
        .sandbox
        .delivered()
        .into_iter()
        .rev()
        .find(|r| r.recipient == person)
        .and_then(|r| r.platform_id)
        .unwrap();
    let delivered_before = lab.count("delivered").await;
    let status: Vec<(String, String)> = [
        ("MessageSid", sid.as_str()),
        ("MessageStatus", "delivered"),
        ("AccountSid", KEY),
        ("To", person),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let signature = twilio_signature(KEY, &lab.hook(), &status);
    for _ in 0..3 {
        assert_eq!(lab.post(&status, Some(&signature)).await, 200);
    }
    let forged = twilio_signature("guess", &lab.hook(), &status);
    assert_eq!(lab.post(&status, Some(&forged)).await, 401);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(lab.count("delivered").await, delivered_before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sandbox_refuses_like_twilio_and_herald_erases_a_number_that_said_stop_to_twilio() {
    let lab = Lab::start(&[]).await;
    for number in ["+31633333333", "+31644444444"] {
        lab.person(
            number,
            PersonAction::Subscribe {
                language: None,
                payload: Some("en".into()),
            },
        )
        .await;
    }
    // Twilio blocked the first number after a STOP that never reached herald.
    lab.sandbox
        .set_sms_opted_out(["+31633333333".to_string()].into());
    lab.run_until(utc(2027, 1, 18, 12, 0)).await;
    let refused: Vec<_> = lab
        .sandbox
        .received()
        .into_iter()
        .filter(|r| r.platform == "sms" && r.recipient == "+31633333333")
        .collect();
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0].status, 400);
    assert_eq!(lab.received_by("+31644444444"), 1);
    // 21610 means the person left: their number is erased; the dead letter says why, without
    // the number.
    assert_eq!(lab.subscriber_rows().await.len(), 1);
    let dead = lab.store.dead_letters(100).await.unwrap();
    assert_eq!(dead.len(), 1, "{dead:?}");
    assert_eq!(dead[0].code.as_deref(), Some("21610"));
    assert!(!format!("{dead:?}").contains("3163333"), "{dead:?}");
}

#[test]
fn validate_counts_segments_and_refuses_what_the_account_does_not_allow() {
    // With its link, an Arabic text takes more than one UCS-2 part; an English one fits one.
    let project = sms_project("+3197010250000", 1);
    let run = project.herald(&["validate"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    let errors = run.errors();
    assert!(
        errors.iter().any(|e| e
            .starts_with("locales/ar/demo.ftl:4:1: error: message `intro--a` costs ")
            && e.contains(" SMS segments on `sms:text` (ar UCS-2, ")
            && e.contains("max_segments of 1")),
        "{errors:#?}"
    );
    assert!(
        !errors.iter().any(|e| e.contains("locales/en/demo.ftl")),
        "English fits in one part: {errors:#?}"
    );
    let valid = sms_project("+3197010250000", 5);
    let run = valid.herald(&["validate"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("sms segments:"))
        .collect();
    assert!(
        lines
            .iter()
            .any(|l| l.contains("intro--a · ar · sms:text: ")
                && l.contains(" × UCS-2 (")
                && l.ends_with("of 5 allowed)")),
        "{lines:#?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("intro--b · en · sms:text: 1 × GSM-7")),
        "{lines:#?}"
    );
    let json = valid.herald(&["validate", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let texts = report["campaigns"][0]["sms_segments"].as_array().unwrap();
    assert!(
        texts.iter().any(|t| t["locale"] == "ar"
            && t["segments"]["encoding"] == "UCS-2"
            && t["segments"]["segments"].as_u64() >= Some(2)),
        "{texts:#?}"
    );
}

#[test]
fn validate_refuses_an_alphanumeric_sender_where_networks_refuse_it() {
    let project = sms_project("NLINFO", 5);
    // The segment moves to the United States.
    project.edit(
        "campaigns/demo.toml",
        r#"countries = ["NL"]"#,
        r#"countries = ["NL", "US"]"#,
    );
    let run = project.herald(&["validate"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let errors = run.errors();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert!(
        errors[0].starts_with("campaigns/demo.toml:")
            && errors[0].contains("send `weekly` reaches segment `in-eu` in US through `sms:text`, whose sender `NLINFO` is an alphanumeric sender id"),
        "{errors:#?}"
    );
    // A number is allowed there; and the alphanumeric sender stays fine for the Netherlands.
    let number = sms_project("+15005550006", 5);
    number.edit(
        "campaigns/demo.toml",
        r#"countries = ["NL"]"#,
        r#"countries = ["NL", "US"]"#,
    );
    let run = number.herald(&["validate"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let dutch = sms_project("NLINFO", 5);
    let run = dutch.herald(&["validate"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn the_configuration_refuses_bad_senders_and_segment_limits() {
    for (sender, max, expected) in [
        (
            "TWELVELETTER",
            5,
            "`sender`: `TWELVELETTER` is not a sender",
        ),
        ("+31", 5, "`sender`: `+31` is not a sender"),
        (
            "+3197010250000",
            0,
            "`max_segments` must be a whole number from 1 to 10",
        ),
        (
            "+3197010250000",
            11,
            "`max_segments` must be a whole number from 1 to 10",
        ),
    ] {
        let project = sms_project(sender, max);
        let run = project.herald(&["validate"]);
        assert_eq!(run.code, 1, "{sender} {max}");
        assert!(
            run.errors()
                .iter()
                .any(|e| e.starts_with("herald.toml:") && e.contains(expected)),
            "{sender} {max}: {:#?}",
            run.errors()
        );
    }
    // `sender` on another platform is a mistake, and an sms account needs one.
    let project = Project::valid();
    project.write(
        "herald.toml",
        &CONFIG.replacen(
            "platform = \"whatsapp\"",
            "platform = \"whatsapp\"\nsender = \"+3197010250000\"",
            1,
        ),
    );
    let run = project.herald(&["validate"]);
    assert!(
        run.errors()
            .iter()
            .any(|e| e.contains("`sender` is only for accounts with platform = \"sms\"")),
        "{:#?}",
        run.errors()
    );
    let project = sms_project("+3197010250000", 5);
    project.edit("herald.toml", "sender = \"+3197010250000\"\n", "");
    let run = project.herald(&["validate"]);
    assert!(
        run.errors()
            .iter()
            .any(|e| e.contains("an sms account needs `sender`")),
        "{:#?}",
        run.errors()
    );
}

#[test]
fn preview_shows_what_each_sms_costs() {
    let project = sms_project("+3197010250000", 5);
    let preview = |locale: &str, variant: Option<&str>| {
        let mut args = vec![
            "preview",
            "demo",
            "--segment",
            "in-eu",
            "--channel",
            "sms:text",
            "--locale",
            locale,
        ];
        if let Some(variant) = variant {
            args.extend(["--variant", variant]);
        }
        let run = project.herald(&args);
        assert_eq!(run.code, 0, "{}", run.stderr);
        run
    };
    let arabic = preview("ar", None);
    let headers: Vec<&str> = arabic
        .stdout
        .lines()
        .filter(|l| l.starts_with("── "))
        .collect();
    assert_eq!(headers.len(), 2, "{}", arabic.stdout);
    assert!(
        headers
            .iter()
            .all(|h| h.contains(" · ar · sms:text · ") && h.contains(" SMS segments (UCS-2, ")),
        "{headers:#?}"
    );
    // One text alone is printed exactly; what it costs goes beside it, to standard error.
    let english = preview("en", Some("b"));
    assert!(
        english.stdout.starts_with("Know your options"),
        "{}",
        english.stdout
    );
    assert!(
        english.stderr.contains(" · en · sms:text · variant b · ")
            && english.stderr.contains("1 SMS segment (GSM-7, "),
        "{}",
        english.stderr
    );
}

/// The adapter as herald builds it for the sandbox's Twilio.
fn twilio(base_url: &str, account_sid: &str, auth_token: &str, sender: &str) -> SmsAdapter {
    SmsAdapter::new(
        reqwest::Client::new(),
        SmsAccount {
            base_url: base_url.to_string(),
            account_sid: Secret::new(account_sid),
            auth_token: Secret::new(auth_token),
            sender: sender.to_string(),
            status_callback: None,
            timeout: Duration::from_secs(5),
        },
    )
}

#[tokio::test]
async fn every_class_of_twilio_answer_and_its_rate_limit() {
    let (sandbox, running, _clock) = common::partner_sandbox::start(SandboxConfig {
        limits: SandboxLimits {
            sms_per_second: Some(2),
            ..SandboxLimits::default()
        },
        ..SandboxConfig::default()
    })
    .await;
    let base = running.base_url();
    let adapter = twilio(&base, "AC01", "token", "+3197010250000");
    let sent = adapter.send("+31612345678", "Hallo").await;
    assert!(
        matches!(&sent, PublishResult::Published { platform_id: Some(sid) } if sid.starts_with("SM") && sid.len() == 34),
        "{sent:?}"
    );
    assert!(matches!(
        adapter.send("+31612345679", "Hallo").await,
        PublishResult::Published { .. }
    ));
    // The third in the same second is over the account's rate: the whole account waits.
    assert_eq!(
        adapter.send("+31612345670", "Hallo").await,
        PublishResult::Throttled {
            wait: Duration::from_secs(1),
            text: "Too Many Requests".into()
        }
    );
    sandbox.set_limits(SandboxLimits::off());
    let refusal = |result: PublishResult| match result {
        PublishResult::Permanent { code, .. } => ("permanent", code),
        PublishResult::RecipientGone { code, text } => {
            assert!(!text.contains("0031"), "{text}");
            ("gone", code)
        }
        other => panic!("{other:?}"),
    };
    // Not a number: the person cannot be reached, and the number is not quoted back.
    assert_eq!(
        refusal(adapter.send("0031612345678", "Hallo").await),
        ("gone", "21211".into())
    );
    assert_eq!(
        refusal(adapter.send("+31612345678", &"a".repeat(1601)).await),
        ("permanent", "21617".into())
    );
    let named = twilio(&base, "AC01", "token", "NLINFO");
    assert_eq!(
        refusal(named.send("+15005550010", "Hello").await),
        ("permanent", "21612".into())
    );
    assert!(matches!(
        named.send("+31612345678", "Hallo").await,
        PublishResult::Published { .. }
    ));
    let no_token = twilio(&base, "AC01", "", "+3197010250000");
    assert_eq!(
        refusal(no_token.send("+31612345678", "Hallo").await),
        ("permanent", "20003".into())
    );
    sandbox.set_sms_opted_out(["+31687654321".to_string()].into());
    assert_eq!(
        refusal(adapter.send("+31687654321", "Hallo").await),
        ("gone", "21610".into())
    );
    sandbox.set_faults(FaultConfig {
        rate_5xx: 1.0,
        ..FaultConfig::default()
    });
    assert!(matches!(
        adapter.send("+31612345678", "Hallo").await,
        PublishResult::Transient { .. }
    ));
    sandbox.set_faults(FaultConfig {
        rate_429: 1.0,
        ..FaultConfig::default()
    });
    assert!(matches!(
        adapter.send("+31612345678", "Hallo").await,
        PublishResult::Throttled { .. }
    ));
    sandbox.set_faults(FaultConfig {
        rate_drop: 1.0,
        ..FaultConfig::default()
    });
    assert!(matches!(
        adapter.send("+31612345678", "Hallo").await,
        PublishResult::Unknown { .. }
    ));
    // What Twilio would have seen: a form with Basic auth, and segments counted as herald does.
    let first = &sandbox.received()[0];
    assert_eq!(first.platform, "sms");
    assert_eq!(first.account, "AC01");
    assert_eq!(first.body["To"], "+31612345678");
    assert_eq!(first.body["From"], "+3197010250000");
}
