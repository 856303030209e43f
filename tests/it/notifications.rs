//! Staff notifications as staff receive them: preferences set through the API, events made by
//! real submissions, outcomes and kill switches, digests delivered to a real SMTP server
//! (Python's aiosmtpd, which `.ci/run` starts: `HERALD_TEST_SMTP` and
//! `HERALD_TEST_SMTP_MAILDIR`) and to a local staff-chat receiver. Attacks: personal data
//! planted in partner error codes and texts must not reach an event or a message; a forged,
//! altered or replayed webhook is refused by the documented check; a user sets kinds their
//! roles never hear of, another user's preferences, or an address that would add a header;
//! the SMTP server goes away and comes back (with a new notifier, as after a restart): the
//! digest is sent once.

use crate::common;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use common::app::{AppOptions, TestApp, spawn_app};
use common::receiver::Receiver;
use common::relay::Relay;
use herald::app::ServiceKeys;
use herald::auth::{Role, issue_token};
use herald::clock::{Clock, SimulatedClock};
use herald::notify::{Notifier, SignatureProblem, verify_signature};
use herald::store::{JobOutcome, Store};
use serde_json::{Value, json};

const SECRET_VARIABLE: &str = "HERALD_NOTIFY_WEBHOOK_SECRET";
const SECRET: &str = "staff-chat-secret";

/// The test SMTP server (`host:port`) and the maildir it writes to, when `.ci/run` started
/// one; without it the e-mail tests say so and skip, unless `HERALD_REQUIRE_SMTP` is set.
fn smtp_server() -> Option<(String, PathBuf)> {
    let server = std::env::var("HERALD_TEST_SMTP").ok();
    let maildir = std::env::var("HERALD_TEST_SMTP_MAILDIR").ok();
    match (server, maildir) {
        (Some(server), Some(maildir)) => Some((server, PathBuf::from(maildir))),
        _ => {
            assert!(
                std::env::var_os("HERALD_REQUIRE_SMTP").is_none(),
                "HERALD_TEST_SMTP and HERALD_TEST_SMTP_MAILDIR must name the test SMTP server here"
            );
            eprintln!("no test SMTP server (HERALD_TEST_SMTP): e-mail not checked");
            None
        }
    }
}

/// The messages in the maildir addressed to `address`, as text with quoted-printable soft
/// line breaks joined (the body's long lines are sent that way).
fn mails_to(maildir: &std::path::Path, address: &str) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(maildir.join("new")) else {
        return Vec::new();
    };
    let header = format!("To: {address}");
    entries
        .filter_map(|entry| std::fs::read_to_string(entry.ok()?.path()).ok())
        .filter(|text| text.lines().any(|line| line.trim() == header))
        .map(|text| {
            text.replace("=\r\n", "")
                .replace("=\n", "")
                .replace("=3D", "=")
        })
        .collect()
}

struct Staff {
    app: TestApp,
    clock: SimulatedClock,
    tokens: BTreeMap<String, String>,
    client: reqwest::Client,
}

impl Staff {
    /// The app with `[notifications]` sending e-mail to `smtp` (`host:port`) and digests to
    /// `webhook`; ana writes, ben approves, sam schedules.
    async fn start(smtp: Option<&str>, webhook: &str) -> Staff {
        let smtp = smtp
            .and_then(|address| address.rsplit_once(':'))
            .map(|(host, port)| {
                format!("smtp = {{ host = \"{host}\", port = {port}, security = \"none\" }}\n")
            })
            .unwrap_or_default();
        let config = format!(
            "{}\n[notifications]\ndigest_minutes = 15\nfrom = \"herald@example.org\"\n{smtp}webhook = {{ url = \"{webhook}/staff-chat\", secret = \"{SECRET_VARIABLE}\" }}\n",
            common::CONFIG
        );
        let clock = SimulatedClock::starting_at(Utc.with_ymd_and_hms(2027, 1, 2, 9, 0, 0).unwrap());
        let mut options = AppOptions::new(&config, Arc::new(clock.clone()));
        options.keys = ServiceKeys::from_hex(&"42".repeat(32)).unwrap();
        options
            .notify_env
            .insert(SECRET_VARIABLE.into(), SECRET.into());
        let app = spawn_app(options).await;
        let mut staff = Staff {
            app,
            clock,
            tokens: BTreeMap::new(),
            client: reqwest::Client::new(),
        };
        staff.user("ana", &[Role::Author]).await;
        staff.user("ben", &[Role::Approver]).await;
        staff.user("sam", &[Role::Scheduler]).await;
        staff.user("ada", &[Role::Admin]).await;
        staff
    }

    async fn user(&mut self, name: &str, roles: &[Role]) {
        let store = self.app.store();
        let user = store.create_user(name, roles, 0).await.unwrap();
        let token = issue_token();
        store
            .add_token(&token.id, &user.id, &token.secret_hash, 0)
            .await
            .unwrap();
        self.tokens.insert(name.to_string(), token.token);
    }

    async fn call(&self, method: &str, path: &str, who: &str, body: Option<Value>) -> (u16, Value) {
        let url = self.app.url(path);
        let mut request = match method {
            "GET" => self.client.get(url),
            "PUT" => self.client.put(url),
            _ => self.client.post(url),
        }
        .header("authorization", format!("Bearer {}", self.tokens[who]));
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

    async fn prefer(&self, who: &str, body: Value) {
        let (status, answer) = self
            .call("PUT", "/api/v1/me/notifications", who, Some(body))
            .await;
        assert_eq!(status, 200, "{answer}");
    }

    /// Uploads `campaign` as ana and submits it; its version.
    async fn submit(&self, campaign: &str) -> String {
        let bundle = json!({"campaign": campaign, "translations": {"en": common::EN, "ar": common::AR, "fr": common::FR}});
        let (status, body) = self
            .call("POST", "/api/v1/campaigns", "ana", Some(bundle))
            .await;
        assert_eq!(status, 201, "{body}");
        let hash = body["version"].as_str().unwrap().to_string();
        let (status, body) = self
            .call(
                "POST",
                &format!("/api/v1/versions/{hash}/submit"),
                "ana",
                None,
            )
            .await;
        assert_eq!(status, 200, "{body}");
        hash
    }

    fn notifier(&self) -> &Notifier<herald::store::AnyStore> {
        self.app
            .running
            .notifier()
            .expect("notifications are configured")
    }

    fn later(&self, minutes: i64) {
        self.clock.advance(Duration::minutes(minutes));
    }
}

/// Texts of the demo campaign that only its audience should ever read.
const AUDIENCE_TEXTS: [&str; 2] = ["Free & confidential advice", "You have options"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_approver_is_emailed_when_a_version_is_submitted() {
    let Some((smtp, maildir)) = smtp_server() else {
        return;
    };
    let receiver = Receiver::answering(axum::http::StatusCode::OK).await;
    let staff = Staff::start(Some(&smtp), &receiver.url).await;
    let address = format!(
        "ben-{}@example.org",
        herald::auth::random_id(10).to_lowercase()
    );
    staff
        .prefer(
            "ben",
            json!({"channel": "email", "kinds": ["version_submitted"], "email": address}),
        )
        .await;
    let hash = staff.submit(common::CAMPAIGN).await;

    // Gathered for the digest interval first: nothing yet.
    staff.notifier().tick().await.unwrap();
    assert!(mails_to(&maildir, &address).is_empty());
    staff.later(15);
    let report = staff.notifier().tick().await.unwrap();
    assert_eq!((report.opened, report.sent), (1, 1), "{report:?}");

    let mails = mails_to(&maildir, &address);
    assert_eq!(mails.len(), 1, "{mails:?}");
    let mail = &mails[0];
    assert!(
        mail.contains("Subject: [herald] campaign demo awaits your approval"),
        "{mail}"
    );
    assert!(
        mail.contains("https://herald.example.org/ui/campaigns/demo"),
        "a link to the approval page: {mail}"
    );
    assert!(mail.contains(&hash[..12]), "{mail}");
    for text in AUDIENCE_TEXTS {
        assert!(
            !mail.contains(text),
            "the campaign's text is not mailed: {mail}"
        );
    }
    // Sent is sent: another pass sends nothing again.
    staff.later(60);
    staff.notifier().tick().await.unwrap();
    assert_eq!(mails_to(&maildir, &address).len(), 1);
    staff.app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_digest_waits_while_smtp_is_down_and_is_sent_once_when_it_is_back() {
    let Some((smtp, maildir)) = smtp_server() else {
        return;
    };
    let server: std::net::SocketAddr = smtp.parse().expect("HERALD_TEST_SMTP is host:port");
    let relay = Relay::start(server).await;
    let receiver = Receiver::answering(axum::http::StatusCode::OK).await;
    let staff = Staff::start(Some(&format!("127.0.0.1:{}", relay.port())), &receiver.url).await;
    let address = format!(
        "sam-{}@example.org",
        herald::auth::random_id(10).to_lowercase()
    );
    staff
        .prefer(
            "sam",
            json!({"channel": "email", "kinds": ["kill_switch"], "email": address}),
        )
        .await;
    staff.submit(common::CAMPAIGN).await;
    let (status, body) = staff
        .call("POST", "/api/v1/campaigns/demo/kill", "sam", None)
        .await;
    assert_eq!(status, 200, "{body}");

    relay.cut();
    // The kill switch is urgent: its digest is opened at once, and fails.
    let report = staff.notifier().tick().await.unwrap();
    assert_eq!((report.opened, report.sent, report.failed), (1, 0, 1));
    assert_eq!(staff.app.store().digest_counts().await.unwrap(), (1, 0));
    relay.restore().await;
    // Not before its retry time.
    let report = staff.notifier().tick().await.unwrap();
    assert_eq!(report.sent + report.failed, 0, "{report:?}");
    assert!(mails_to(&maildir, &address).is_empty());

    // A new notifier on the same database, as after a restart, sends it once.
    staff.later(5);
    let settings = herald::notify::NotifierSettings::resolve(&staff.app.config, |name| {
        (name == SECRET_VARIABLE).then(|| SECRET.to_string())
    })
    .unwrap()
    .unwrap();
    let mut settings = settings;
    settings.email.as_mut().unwrap().port = relay.port();
    let restarted = Notifier::new(
        staff.app.store().clone(),
        Arc::new(settings),
        Arc::new(staff.clock.clone()),
    )
    .unwrap();
    let report = restarted.tick().await.unwrap();
    assert_eq!(report.sent, 1, "{report:?}");
    restarted.tick().await.unwrap();
    staff.notifier().tick().await.unwrap();
    let mails = mails_to(&maildir, &address);
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert!(
        mails[0].contains("the kill switch of campaign demo was pulled"),
        "{}",
        mails[0]
    );
    assert_eq!(staff.app.store().digest_counts().await.unwrap(), (0, 1));
    staff.app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_staff_chat_gets_one_signed_digest_for_several_events() {
    let receiver = Receiver::answering(axum::http::StatusCode::OK).await;
    let staff = Staff::start(None, &receiver.url).await;
    staff
        .prefer(
            "ben",
            json!({"channel": "webhook", "kinds": ["version_submitted"]}),
        )
        .await;
    let first = staff.submit(common::CAMPAIGN).await;
    staff.later(5);
    let edited = common::CAMPAIGN.replace("Demo campaign", "Demo campaign, revised");
    let second = staff.submit(&edited).await;
    staff.later(11);
    staff.notifier().tick().await.unwrap();

    let hits = receiver.hits();
    assert_eq!(hits.len(), 1, "two submissions, one digest");
    let hit = &hits[0];
    assert_eq!(hit.path, "/staff-chat");
    let events = hit.json()["events"].as_array().unwrap().clone();
    let versions: Vec<&str> = events
        .iter()
        .map(|e| e["version"].as_str().unwrap())
        .collect();
    assert_eq!(versions, [first.as_str(), second.as_str()]);
    assert_eq!(hit.json()["to"], "ben");

    // The receiver's check, as documented: the signature over timestamp and body...
    let now = staff.clock.now();
    let timestamp = Some(hit.header("x-herald-timestamp"));
    let signature = Some(hit.header("x-herald-signature"));
    assert_eq!(
        verify_signature(SECRET, timestamp, signature, &hit.body, now),
        Ok(())
    );
    // ...refuses an altered body, another key, and the same request replayed much later.
    let mut altered = hit.body.to_vec();
    altered.extend_from_slice(b" ");
    assert_eq!(
        verify_signature(SECRET, timestamp, signature, &altered, now),
        Err(SignatureProblem::Invalid)
    );
    assert_eq!(
        verify_signature("guess", timestamp, signature, &hit.body, now),
        Err(SignatureProblem::Invalid)
    );
    assert_eq!(
        verify_signature(
            SECRET,
            timestamp,
            signature,
            &hit.body,
            now + Duration::minutes(6)
        ),
        Err(SignatureProblem::Stale)
    );
    assert_eq!(hit.header("idempotency-key"), "digest-1");
    staff.app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_is_sent_to_whoever_turned_notifications_off() {
    let receiver = Receiver::answering(axum::http::StatusCode::OK).await;
    let staff = Staff::start(None, &receiver.url).await;
    staff
        .prefer(
            "ben",
            json!({"channel": "none", "kinds": ["version_submitted"]}),
        )
        .await;
    staff
        .prefer("sam", json!({"channel": "webhook", "kinds": []}))
        .await;
    staff.submit(common::CAMPAIGN).await;
    let (status, _) = staff
        .call("POST", "/api/v1/campaigns/demo/kill", "sam", None)
        .await;
    assert_eq!(status, 200);
    staff.later(60);
    let report = staff.notifier().tick().await.unwrap();
    assert_eq!(report.opened, 0);
    assert!(receiver.hits().is_empty());
    assert_eq!(staff.app.store().digest_counts().await.unwrap(), (0, 0));
    staff.app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_user_sets_only_their_own_preferences_and_only_kinds_their_roles_hear() {
    let receiver = Receiver::answering(axum::http::StatusCode::OK).await;
    let staff = Staff::start(None, &receiver.url).await;
    let refused = [
        json!({"channel": "email", "kinds": ["kill_switch"], "email": "ben@example.org"}),
        json!({"channel": "email", "kinds": ["version_submitted"]}),
        json!({"channel": "email", "kinds": [], "email": "ben@example.org\r\nBcc: all@example.org"}),
        json!({"channel": "email", "kinds": [], "email": "Ben <ben@example.org>"}),
        json!({"channel": "pigeon", "kinds": []}),
        json!({"channel": "none", "kinds": ["everything"]}),
        json!({"channel": "none", "kinds": [], "user": "sam"}),
    ];
    for body in refused {
        let (status, answer) = staff
            .call("PUT", "/api/v1/me/notifications", "ben", Some(body.clone()))
            .await;
        assert!(status == 422 || status == 400, "{body} → {status} {answer}");
    }
    staff
        .prefer(
            "ben",
            json!({"channel": "email", "kinds": ["version_submitted"], "email": "ben@example.org"}),
        )
        .await;
    let (_, mine) = staff
        .call("GET", "/api/v1/me/notifications", "sam", None)
        .await;
    assert_eq!(mine["user"], "sam");
    assert_eq!(mine["channel"], "none", "ben's choice is not sam's");
    assert!(mine["email"].is_null());
    let (status, _) = staff
        .call("GET", "/api/v1/notifications/preferences", "ben", None)
        .await;
    assert_eq!(status, 403);
    let (status, all) = staff
        .call("GET", "/api/v1/notifications/preferences", "ada", None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(all["users"][0]["user"], "ben");
    assert_eq!(all["users"][0]["email"], "ben@example.org");
    // The change is audited, without the address.
    let (_, audit) = staff.call("GET", "/api/v1/audit", "ada", None).await;
    let text = audit.to_string();
    assert!(text.contains("notifications.preferences"));
    assert!(!text.contains("ben@example.org"));
    staff.app.stop().await;
}

/// Real events from the store's own writes: a submission, dead letters and unknown outcomes
/// recorded by `record_outcomes` with partner codes and texts that quote a person, a blocked
/// WhatsApp template, and the kill switch. None of what names the person reaches an event or
/// the message composed from them.
#[tokio::test]
async fn events_hold_no_personal_data_of_the_audience() {
    let fresh = common::stores::sqlite().await;
    events_without_personal_data(&fresh.store).await;
    fresh.cleanup().await;
    if let Some(fresh) = common::stores::postgres().await {
        events_without_personal_data(&fresh.store).await;
        fresh.cleanup().await;
    }
}

async fn events_without_personal_data<S: Store>(store: &S) {
    let config = common::due_jobs::webhook_config("http://127.0.0.1:1", 10);
    let version = common::due_jobs::schedule_due_jobs(store, &config, "t", 4).await;
    let now = Utc::now().timestamp_millis();
    let jobs = store
        .lease_due_jobs("w", now, now + 60_000, 10, &[])
        .await
        .unwrap();
    assert_eq!(jobs.len(), 4);
    let phone = "+31612345678";
    let outcomes = vec![
        (
            jobs[0].id,
            JobOutcome::Dead {
                code: phone.into(),
                text: format!("recipient {phone} blocked the sender"),
            },
        ),
        (
            jobs[1].id,
            JobOutcome::Dead {
                code: "131026".into(),
                text: format!("message to {phone} undeliverable"),
            },
        ),
        (
            jobs[2].id,
            JobOutcome::Unknown {
                error: format!("timed out sending to chat {phone}"),
            },
        ),
    ];
    store
        .record_outcomes("w", &outcomes, &[], now)
        .await
        .unwrap();
    store.kill_campaign("scale", "sam", now).await.unwrap();

    let events = store.staff_events(0, None, 100).await.unwrap();
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.name()).collect();
    assert!(kinds.contains(&"dead_letters"), "{kinds:?}");
    assert!(kinds.contains(&"unknown_outcomes"), "{kinds:?}");
    assert!(kinds.contains(&"kill_switch"), "{kinds:?}");
    let dead: i64 = events
        .iter()
        .filter(|e| e.kind.name() == "dead_letters")
        .map(|e| e.count)
        .sum();
    assert_eq!(dead, 2);
    let everything = format!(
        "{}\n{}",
        serde_json::to_string(&events).unwrap(),
        herald::notify::compose(1, "sam", &events, "https://herald.example.org").text
    );
    assert!(!everything.contains("12345678"), "{everything}");
    assert!(!everything.contains("blocked the sender"), "{everything}");
    assert!(
        !everything.contains(&jobs[0].idempotency_key),
        "{everything}"
    );
    assert!(everything.contains(version.as_str()));
    assert!(
        everything.contains("code other"),
        "a code that is not a code is not kept"
    );
    assert!(everything.contains("code 131026"));
}

/// Digests on both databases: a user's mark moves once (a second sender that read the same
/// mark opens nothing), a digest is leased to one sender at a time, a failure waits for its
/// retry time, and a sender that lost its lease records nothing.
#[tokio::test]
async fn a_digest_is_opened_once_and_held_by_one_sender() {
    let fresh = common::stores::sqlite().await;
    digest_lifecycle(&fresh.store).await;
    fresh.cleanup().await;
    if let Some(fresh) = common::stores::postgres().await {
        digest_lifecycle(&fresh.store).await;
        fresh.cleanup().await;
    }
}

async fn digest_lifecycle<S: Store>(store: &S) {
    use herald::store::{
        DigestAttempt, NewStaffEvent, NotificationPreferences, NotifyChannel, StaffEventKind,
    };
    let sam = store
        .create_user("sam", &[Role::Scheduler], 0)
        .await
        .unwrap();
    store
        .record_staff_event(&NewStaffEvent::new(StaffEventKind::PartnerOutage, 1))
        .await
        .unwrap();
    let preferences = NotificationPreferences {
        channel: NotifyChannel::Webhook,
        kinds: vec![StaffEventKind::PartnerOutage],
        email: None,
    };
    store
        .set_notification_preferences(&sam, &preferences, 2)
        .await
        .unwrap();
    let seen = store.notification_recipients(None).await.unwrap()[0].seen_event;
    assert_eq!(seen, 1, "preferences never bring old news");
    let mut outage = NewStaffEvent::new(StaffEventKind::PartnerOutage, 3);
    outage.account = Some("telegram:info".into());
    store.record_staff_event(&outage).await.unwrap();
    let events = store.staff_events(seen, None, 10).await.unwrap();
    assert_eq!(events.len(), 1);
    let upto = events[0].id;
    assert!(
        store
            .open_digest(&sam.id, seen, upto, NotifyChannel::Webhook, 4)
            .await
            .unwrap()
    );
    assert!(
        !store
            .open_digest(&sam.id, seen, upto, NotifyChannel::Webhook, 4)
            .await
            .unwrap(),
        "a second sender that read the same mark opens nothing"
    );
    let held = store.lease_digests("a", 5, 100, 10).await.unwrap();
    assert_eq!(held.len(), 1);
    assert_eq!((held[0].after_event, held[0].last_event), (seen, upto));
    assert!(
        store
            .lease_digests("b", 6, 100, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let failed = DigestAttempt::Failed {
        retry_at_ms: 50,
        error: "refused".into(),
    };
    assert!(!store.finish_digest(held[0].id, "b", &failed).await.unwrap());
    assert!(store.finish_digest(held[0].id, "a", &failed).await.unwrap());
    assert!(
        store
            .lease_digests("b", 49, 100, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let again = store.lease_digests("b", 50, 200, 10).await.unwrap();
    assert_eq!((again.len(), again[0].attempts), (1, 1));
    // b's lease ran out at 200: c takes it over, and b's late answer is not recorded.
    let taken = store.lease_digests("c", 201, 300, 10).await.unwrap();
    assert_eq!(taken.len(), 1);
    let sent = DigestAttempt::Sent { at_ms: 210 };
    assert!(!store.finish_digest(held[0].id, "b", &sent).await.unwrap());
    assert!(store.finish_digest(held[0].id, "c", &sent).await.unwrap());
    assert_eq!(store.digest_counts().await.unwrap(), (0, 1));
    // Retention: the sent digest and the old events go.
    assert_eq!(store.expire_notifications(1_000).await.unwrap(), 3);
    assert!(store.staff_events(0, None, 10).await.unwrap().is_empty());
}

#[test]
fn a_blocked_whatsapp_template_is_its_own_kind() {
    assert!(herald::channel::is_template_blocked(
        "whatsapp:optin",
        "132015"
    ));
    assert!(!herald::channel::is_template_blocked(
        "webhook:sms",
        "132015"
    ));
    assert!(!herald::channel::is_template_blocked(
        "whatsapp:optin",
        "131026"
    ));
}

/// A partner that refuses connections, met by the real dispatcher: schedulers hear of the
/// outage at once (no digest interval), once however many jobs wait.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partner_outage_reaches_schedulers_at_once() {
    let chat = Receiver::answering(axum::http::StatusCode::OK).await;
    let sms = common::due_jobs::webhook_config("http://127.0.0.1:1", 50);
    let config = format!(
        "{sms}\n[notifications]\nwebhook = {{ url = \"{}/staff-chat\", secret = \"{SECRET_VARIABLE}\" }}\n",
        chat.url
    );
    let clock = SimulatedClock::starting_at(Utc::now());
    let mut options = AppOptions::new(&config, Arc::new(clock.clone()));
    options
        .notify_env
        .insert(SECRET_VARIABLE.into(), SECRET.into());
    let app = spawn_app(options).await;
    let store = app.store();
    let sam = store
        .create_user("sam", &[Role::Scheduler], 0)
        .await
        .unwrap();
    let preferences = herald::store::NotificationPreferences {
        channel: herald::store::NotifyChannel::Webhook,
        kinds: vec![herald::store::StaffEventKind::PartnerOutage],
        email: None,
    };
    store
        .set_notification_preferences(&sam, &preferences, 0)
        .await
        .unwrap();
    common::due_jobs::schedule_due_jobs(store, &sms, "outage", 6).await;

    let report = app.running.dispatcher().tick().await.unwrap();
    assert_eq!(report.leased, 6, "{report:?}");
    app.running.notifier().unwrap().tick().await.unwrap();
    let hits = chat.hits();
    assert_eq!(hits.len(), 1, "one outage, one message");
    let events = hits[0].json()["events"].clone();
    assert_eq!(events.as_array().unwrap().len(), 1, "{events}");
    assert_eq!(events[0]["kind"], "partner_outage");
    assert_eq!(events[0]["account"], "webhook:sms");
    app.stop().await;
}

/// The staff chat refuses a digest once: it is tried again after its backoff with the same
/// `Idempotency-Key`, and recorded sent once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_webhook_is_retried_with_the_same_idempotency_key() {
    let receiver = Receiver::answering(axum::http::StatusCode::OK).await;
    let staff = Staff::start(None, &receiver.url).await;
    staff
        .prefer(
            "sam",
            json!({"channel": "webhook", "kinds": ["kill_switch"]}),
        )
        .await;
    staff.submit(common::CAMPAIGN).await;
    let (status, _) = staff
        .call("POST", "/api/v1/campaigns/demo/kill", "sam", None)
        .await;
    assert_eq!(status, 200);
    receiver.refuse(1);
    let report = staff.notifier().tick().await.unwrap();
    assert_eq!((report.sent, report.failed), (0, 1));
    staff.later(5);
    let report = staff.notifier().tick().await.unwrap();
    assert_eq!((report.sent, report.failed), (1, 0));
    staff.later(60);
    staff.notifier().tick().await.unwrap();
    let keys: Vec<String> = receiver
        .hits()
        .iter()
        .map(|hit| hit.header("idempotency-key").to_string())
        .collect();
    assert_eq!(keys, ["digest-1", "digest-1"]);
    assert_eq!(staff.app.store().digest_counts().await.unwrap(), (0, 1));
    staff.app.stop().await;
}
