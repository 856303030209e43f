//! A partner's word on pace, kept across everything already booked, and the marks and
//! planning a scheduler relies on:
//! - a 429 with `Retry-After` holds every send of that account that was booked before it, in
//!   every worker: the partner sees no request inside the window it named;
//! - a job sent again with the same idempotency key keeps that mark through later requeues, so
//!   staff can still list the messages that may have arrived twice;
//! - a version scheduled while workers run is planned at once, not at the next minute.
//!
//! Each runs on SQLite, and on PostgreSQL when `HERALD_TEST_POSTGRES_URL` names a server.

use crate::common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use common::Project;
use common::lifecycle::schedule_version;
use herald::campaign::{ContentHash, VersionBundle};
use herald::clock::SystemClock;
use herald::config::Config;
use herald::dispatch::{DispatchSettings, Dispatcher};
use herald::schedule::planned_jobs;
use herald::store::{EndedAs, JobOutcome, Store};

/// One webhook account allowed 5 calls a second.
const CONFIG: &str = r#"public_url = "https://herald.example.org"

[[accounts]]
name = "sms"
platform = "webhook"
base_url = "https://sms.example.org/herald"
credentials = { secret = "HERALD_TEST_SMS_SECRET" }
rate = { per_second = 5 }
"#;

/// What the partner names in its `Retry-After`.
const RETRY_AFTER: Duration = Duration::from_secs(2);

/// A campaign of one segment and one locale on the webhook account, every minute between
/// `starts` and `ends`.
fn campaign(starts: &str, ends: &str) -> String {
    format!(
        r#"id = "pace"
title = "Pace"
authority = "Ministry of Examples"
purpose = "Keep to the partner's pace"
legal_basis = "public task"
starts = {starts}
ends = {ends}
default_locale = "en"

[[segments]]
id = "in-eu"
kind = "in_eu"
countries = ["NL"]
locales = ["en"]
timezone = "Europe/Amsterdam"

[[messages]]
id = "intro"

[[sends]]
id = "often"
message = "intro"
segments = ["in-eu"]
channels = ["webhook:sms"]
cron = "* * * * *"
"#
    )
}

/// The project, its configuration and the bundle of its one version.
fn project(starts: &str, ends: &str) -> (Project, Arc<Config>, VersionBundle) {
    let project = Project::with_campaign(
        CONFIG,
        "pace",
        &campaign(starts, ends),
        [("en", "intro = Free advice on your options.\n")],
    );
    let loaded = project.load();
    let bundle = VersionBundle::from_loaded(&loaded, &loaded.campaigns[0]);
    let config = Arc::new(loaded.config.clone());
    (project, config, bundle)
}

/// A scheduled version of a campaign that ended yesterday, with `count` of its jobs due now
/// (no planner adds more).
async fn due_jobs<S: Store>(store: &S, count: usize) -> (Project, Arc<Config>, ContentHash) {
    let today = Utc::now().date_naive();
    let (project, config, bundle) = project(
        &(today - chrono::Duration::days(3)).to_string(),
        &(today - chrono::Duration::days(1)).to_string(),
    );
    let version = schedule_version(store, &bundle, Utc::now()).await.hash;
    let loaded = project.load();
    let campaign = &loaded.campaigns[0].campaign;
    let until = Utc::now() - chrono::Duration::days(1);
    let mut jobs = planned_jobs(
        campaign,
        &version,
        until - chrono::Duration::hours(2),
        until,
    );
    jobs.truncate(count);
    assert_eq!(store.insert_jobs(&jobs).await.unwrap() as usize, count);
    (project, config, version)
}

/// A partner that answers one request with 429 and `Retry-After` (after `delay`, as a slow
/// partner does), and every other with 200, noting when each request arrived and what it was
/// answered, and when the 429 left.
#[derive(Clone)]
struct PacedPartner {
    arrivals: Arc<Mutex<Vec<(Instant, u16)>>>,
    throttled_at: Arc<Mutex<Option<Instant>>>,
    throttle_request: usize,
    retry_after: Duration,
    delay: Duration,
}

async fn answer(State(partner): State<PacedPartner>) -> Response {
    let number = {
        let mut arrivals = partner.arrivals.lock().unwrap();
        let number = arrivals.len() + 1;
        let status = if number == partner.throttle_request {
            429
        } else {
            200
        };
        arrivals.push((Instant::now(), status));
        number
    };
    if number != partner.throttle_request {
        return (StatusCode::OK, format!(r#"{{"id":"delivery-{number}"}}"#)).into_response();
    }
    tokio::time::sleep(partner.delay).await;
    *partner.throttled_at.lock().unwrap() = Some(Instant::now());
    let wait = partner.retry_after.as_secs().to_string();
    (
        StatusCode::TOO_MANY_REQUESTS,
        [("retry-after", wait)],
        "slow down",
    )
        .into_response()
}

impl PacedPartner {
    async fn start(
        throttle_request: usize,
        retry_after: Duration,
        delay: Duration,
    ) -> (PacedPartner, String) {
        let partner = PacedPartner {
            arrivals: Arc::default(),
            throttled_at: Arc::default(),
            throttle_request,
            retry_after,
            delay,
        };
        let app = Router::new().fallback(answer).with_state(partner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        (partner, url)
    }

    /// How long after the 429 left each later request arrived, in order.
    fn after_throttle(&self) -> Vec<Duration> {
        let throttled_at = self
            .throttled_at
            .lock()
            .unwrap()
            .expect("the partner throttled one request");
        let mut after: Vec<Duration> = self
            .arrivals
            .lock()
            .unwrap()
            .iter()
            .filter(|(at, _)| *at > throttled_at)
            .map(|(at, _)| *at - throttled_at)
            .collect();
        after.sort();
        after
    }

    /// How long after the 429 left each request that came inside its window arrived.
    fn inside_window(&self) -> Vec<Duration> {
        let mut after = self.after_throttle();
        after.retain(|since| *since < self.retry_after);
        after
    }

    /// How long after the 429 left the next request arrived.
    fn next_after_window(&self) -> Duration {
        *self
            .after_throttle()
            .first()
            .expect("requests after the window")
    }
}

/// A worker that sends to `partner_url` in rehearsal, five jobs a batch so that two workers
/// share the account's traffic.
fn worker<S: Store>(store: &S, config: &Arc<Config>, id: &str, partner_url: &str) -> Dispatcher<S> {
    let settings = DispatchSettings {
        worker_id: id.into(),
        sandbox_url: Some(partner_url.to_string()),
        batch_size: 5,
        ..DispatchSettings::default()
    };
    Dispatcher::new(
        store.clone(),
        Arc::new(SystemClock),
        Arc::clone(config),
        settings,
    )
    .unwrap()
}

/// Whether any job of the version is still to be sent.
async fn unfinished<S: Store>(store: &S, version: &ContentHash) -> bool {
    store
        .jobs_for_version(version)
        .await
        .unwrap()
        .iter()
        .any(|job| matches!(job.status.as_str(), "queued" | "leased" | "sending"))
}

/// Runs `workers` workers until every job of the version is sent or a minute has passed.
async fn dispatch_all<S: Store>(
    store: &S,
    config: &Arc<Config>,
    version: &ContentHash,
    url: &str,
    workers: &[&str],
) {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut tasks = Vec::new();
    for id in workers {
        let dispatcher = worker(store, config, id, url);
        let store = store.clone();
        let version = version.clone();
        tasks.push(tokio::spawn(async move {
            while unfinished(&store, &version).await && Instant::now() < deadline {
                let report = dispatcher.tick().await.unwrap();
                if report.leased == 0 {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let jobs = store.jobs_for_version(version).await.unwrap();
    assert!(
        jobs.iter().all(|job| job.status == "sent"),
        "every job is sent in the end: {:?}",
        jobs.iter().map(|j| &j.status).collect::<Vec<_>>()
    );
}

async fn a_retry_after_holds_every_send_already_booked<S: Store>(store: S, _url: &str) {
    const JOBS: usize = 30;
    let (_project, config, version) = due_jobs(&store, JOBS).await;
    let (partner, url) = PacedPartner::start(6, RETRY_AFTER, Duration::ZERO).await;
    dispatch_all(&store, &config, &version, &url, &["worker-a", "worker-b"]).await;
    assert_eq!(
        partner.arrivals.lock().unwrap().len(),
        JOBS + 1,
        "each job once, and the throttled one again"
    );
    let inside = partner.inside_window();
    assert!(
        inside.is_empty(),
        "{} requests came inside the partner's Retry-After, at {inside:?} after the 429",
        inside.len()
    );
    println!(
        "{JOBS} jobs through two workers at 5/s: the 429's Retry-After of {} s held every booked send; the next request came {} ms after the 429",
        RETRY_AFTER.as_secs(),
        partner.next_after_window().as_millis()
    );
}

/// A partner slow to say "wait 1 s" (it answers after 1.5 s): the wait counts from its answer,
/// not from when the request left, or the hold would be over before it began.
async fn a_slow_throttling_answer_holds_from_when_it_came<S: Store>(store: S, _url: &str) {
    const JOBS: usize = 20;
    let (_project, config, version) = due_jobs(&store, JOBS).await;
    let retry_after = Duration::from_secs(1);
    let (partner, url) = PacedPartner::start(3, retry_after, Duration::from_millis(1_500)).await;
    dispatch_all(&store, &config, &version, &url, &["worker-a"]).await;
    let inside = partner.inside_window();
    assert!(
        inside.is_empty(),
        "{} requests came inside the partner's Retry-After, at {inside:?} after the 429 left",
        inside.len()
    );
}

async fn repeat_marks_survive_later_requeues<S: Store>(store: S, _url: &str) {
    let (_project, _config, version) = due_jobs(&store, 2).await;
    let now_ms = Utc::now().timestamp_millis();
    let leased = store
        .lease_due_jobs("worker-a", now_ms, now_ms + 60_000, 10, &[])
        .await
        .unwrap();
    let [unanswered, abandoned] = [leased[0].id, leased[1].id];
    // The first job's answer never came on a partner that drops repeats: sent again.
    let resend = JobOutcome::Resend {
        run_at_ms: now_ms,
        error: "unknown: the connection closed before the answer".into(),
    };
    store
        .record_outcomes("worker-a", &[(unanswered, resend)], &[], now_ms)
        .await
        .unwrap();
    // The second job's worker stopped mid-send; a later worker sends it again.
    store
        .mark_sending("worker-a", &[abandoned], now_ms + 1)
        .await
        .unwrap();
    assert!(
        store
            .resolve_abandoned(abandoned, true, now_ms + 2)
            .await
            .unwrap()
    );
    // Both are then throttled (a requeue that rewrites the last error), and finally sent.
    for (outcome, at) in [
        (
            JobOutcome::Requeue {
                run_at_ms: now_ms + 3,
                counts_as_attempt: false,
                error: Some("throttled: 429".into()),
            },
            now_ms + 3,
        ),
        (
            JobOutcome::Sent {
                platform_id: Some("delivery".into()),
                variant: None,
            },
            now_ms + 4,
        ),
    ] {
        let leased = store
            .lease_due_jobs("worker-b", at, at + 60_000, 10, &[])
            .await
            .unwrap();
        assert_eq!(leased.len(), 2);
        let outcomes: Vec<_> = leased.iter().map(|j| (j.id, outcome.clone())).collect();
        store
            .record_outcomes("worker-b", &outcomes, &[], at)
            .await
            .unwrap();
    }
    let jobs = store.jobs_for_version(&version).await.unwrap();
    for job in &jobs {
        assert_eq!(job.status, "sent");
        let mark = job.may_repeat.as_deref().unwrap_or_default();
        assert!(
            mark.contains("same idempotency key"),
            "job {} lost its mark: {mark:?} (last error {:?})",
            job.id,
            job.last_error
        );
    }
    let listed = store.jobs_ended_as(EndedAs::Resent, 10).await.unwrap();
    let mut ids: Vec<i64> = listed.iter().map(|letter| letter.id).collect();
    ids.sort();
    assert_eq!(
        ids,
        vec![unanswered.min(abandoned), unanswered.max(abandoned)]
    );
    assert!(store.dead_letters(10).await.unwrap().is_empty());
}

async fn a_version_scheduled_while_workers_run_is_planned_at_once<S: Store>(store: S, _url: &str) {
    let today = Utc::now().date_naive();
    let (_project, config, bundle) = project(
        &today.to_string(),
        &(today + chrono::Duration::days(10)).to_string(),
    );
    let dispatcher = Arc::new(worker(&store, &config, "worker-a", "http://127.0.0.1:1"));
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let running = tokio::spawn({
        let dispatcher = Arc::clone(&dispatcher);
        async move { dispatcher.run(stopped).await }
    });
    // The worker has planned once, with nothing to plan, before the version is scheduled.
    tokio::time::sleep(Duration::from_millis(700)).await;
    let scheduled_at = Instant::now();
    let version = schedule_version(&store, &bundle, Utc::now()).await.hash;
    let mut planned = 0;
    while planned == 0 && scheduled_at.elapsed() < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(50)).await;
        planned = store.jobs_for_version(&version).await.unwrap().len();
    }
    let took = scheduled_at.elapsed();
    stop.send(true).unwrap();
    running.await.unwrap().unwrap();
    assert!(planned > 0, "no job planned within {took:?} of scheduling");
    assert!(
        took < Duration::from_secs(5),
        "planning took {took:?}, not at once"
    );
}

on_both_stores!(
    a_retry_after_holds_every_send_already_booked,
    a_slow_throttling_answer_holds_from_when_it_came,
    repeat_marks_survive_later_requeues,
    a_version_scheduled_while_workers_run_is_planned_at_once,
);
