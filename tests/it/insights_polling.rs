//! Insights polling and audience estimates end to end, on the simulated clock against the
//! sandbox: posts published on Facebook and X are read 1 hour, 24 hours and 7 days later and
//! at the campaign's end (windows after the end skipped), with values that never decrease;
//! each (segment, channel) with an ad account gets one estimate at launch; throttling leaves
//! polls due and a deleted post ends its poll.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use common::Project;
use common::lifecycle::schedule_version;
use common::simulated_dispatch::run_until;
use herald::campaign::{ContentHash, VersionBundle};
use herald::clock::{Clock, SimulatedClock};
use herald::config::Config;
use herald::dispatch::{DispatchSettings, Dispatcher};
use herald::report::Cell;
use herald::sandbox::{FaultConfig, Sandbox, SandboxConfig};
use herald::store::{InsightPoll, NewInsightPoll, Store};

const CONFIG: &str = r#"public_url = "https://herald.example.org"

[[accounts]]
name = "page"
platform = "facebook"
base_url = "https://graph.facebook.com"
credentials = { page_token = "HERALD_TEST_FB_PAGE_TOKEN", page_id = "HERALD_TEST_FB_PAGE_ID", ad_account_id = "HERALD_TEST_FB_AD_ACCOUNT" }

[[accounts]]
name = "updates"
platform = "x"
base_url = "https://api.x.com"
credentials = { consumer_key = "HERALD_TEST_X_CONSUMER_KEY", consumer_secret = "HERALD_TEST_X_CONSUMER_SECRET", access_token = "HERALD_TEST_X_ACCESS_TOKEN", access_token_secret = "HERALD_TEST_X_ACCESS_TOKEN_SECRET" }

[[accounts]]
name = "ads"
platform = "meta_ads"
base_url = "https://graph.facebook.com"
credentials = { token = "HERALD_TEST_META_TOKEN", ad_account_id = "HERALD_TEST_META_ACCOUNT" }
"#;

/// Posts on Mondays 1 and 8 March, 10:00 in Niamey (09:00 UTC); the campaign ends on
/// 10 March, so the posts of the 8th have no 7-day window.
const CAMPAIGN: &str = r#"id = "sahel"
title = "Safe migration"
authority = "Ministry of Examples"
purpose = "Exercise insights polling"
legal_basis = "public task"
starts = 2027-03-01
ends = 2027-03-10
default_locale = "en"

[[segments]]
id = "sahel"
kind = "third_country"
countries = ["NE", "ML"]
locales = ["fr", "ar", "en"]
timezone = "Africa/Niamey"
age = [16, 70]

[[messages]]
id = "intro"
link = "https://example.org/safe"

[[sends]]
id = "weekly"
message = "intro"
segments = ["sahel"]
channels = ["facebook:page", "x:updates", "meta_ads:ads"]
cron = "0 10 * * MON"
"#;

fn utc(m: u32, d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, m, d, h, 0, 0).unwrap()
}

struct Rig {
    store: herald::store::SqliteStore,
    clock: SimulatedClock,
    sandbox: Sandbox,
    dispatcher: Dispatcher<herald::store::SqliteStore>,
    version: ContentHash,
    _fresh: common::stores::Fresh<herald::store::SqliteStore>,
    _running: herald::sandbox::RunningSandbox,
    _project: Project,
}

/// A scheduled version of the campaign, the sandbox on a simulated clock from 28 February,
/// and a worker rehearsing against it.
async fn rig() -> Rig {
    let project = Project::with_campaign(
        CONFIG,
        "sahel",
        CAMPAIGN,
        [
            ("en", "intro = Know the risks before you leave.\n"),
            ("fr", "intro = Connaissez les risques avant de partir.\n"),
            ("ar", "intro = اعرف المخاطر قبل أن تغادر.\n"),
        ],
    );
    let loaded = project.load();
    let bundle = VersionBundle::from_loaded(&loaded, &loaded.campaigns[0]);
    let config: Arc<Config> = Arc::new(loaded.config.clone());
    let fresh = common::stores::sqlite().await;
    let store = fresh.store.clone();
    let clock = SimulatedClock::starting_at(utc(2, 28, 0));
    let sandbox = Sandbox::new(SandboxConfig::default(), Arc::new(clock.clone()));
    let running = sandbox.start(0).await.expect("sandbox");
    let version = schedule_version(&store, &bundle, clock.now()).await;
    let settings = DispatchSettings {
        worker_id: "worker-a".into(),
        sandbox_url: Some(running.base_url()),
        sequential: true,
        retention: chrono::Duration::days(365),
        ..DispatchSettings::default()
    };
    let dispatcher = Dispatcher::new(store.clone(), Arc::new(clock.clone()), config, settings)
        .expect("dispatcher");
    Rig {
        store,
        clock,
        sandbox,
        dispatcher,
        version: version.hash,
        _fresh: fresh,
        _running: running,
        _project: project,
    }
}

impl Rig {
    /// Drives the clock to `until`: plans (and polls) every simulated hour, dispatches
    /// whatever is due in between.
    async fn run_until(&self, until: DateTime<Utc>) {
        run_until(&self.dispatcher, &self.store, &self.clock, until).await;
    }

    async fn polls(&self) -> Vec<InsightPoll> {
        self.store.insight_polls("sahel").await.unwrap()
    }
}

const WINDOW_ORDER: [&str; 4] = ["1h", "24h", "7d", "end"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn posts_are_read_per_window_until_the_end_and_audiences_estimated_once() {
    let rig = rig().await;
    rig.run_until(utc(3, 12, 0)).await;

    let jobs = rig.store.jobs_for_version(&rig.version).await.unwrap();
    let sent = jobs.iter().filter(|j| j.status == "sent").count();
    assert_eq!(sent, 12, "2 Mondays × 3 locales × Facebook and X");
    // herald buys no ads: the paid-ads account's jobs end cancelled, never in the dead letters.
    let ads: BTreeSet<&str> = jobs
        .iter()
        .filter(|j| j.channel == "meta_ads:ads")
        .map(|j| j.status.as_str())
        .collect();
    assert_eq!(ads, BTreeSet::from(["cancelled"]));

    // Every post was registered once and polled to its end.
    let polls = rig.polls().await;
    assert_eq!(polls.len(), 12);
    for poll in &polls {
        assert_eq!(poll.window, None, "{poll:?}");
        assert_eq!(poll.last_error, None, "{poll:?}");
    }
    let posts: BTreeMap<String, &InsightPoll> =
        polls.iter().map(|p| (p.post_id.clone(), p)).collect();

    // Windows per post: 1 March posts have all four, 8 March posts skip 7d (past the end).
    let observations = rig.store.insight_observations("sahel").await.unwrap();
    let mut windows: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for o in &observations {
        windows
            .entry(o.post_id.clone())
            .or_default()
            .insert(o.window.clone());
    }
    let end = Utc.with_ymd_and_hms(2027, 3, 10, 23, 59, 0).unwrap();
    for (post, poll) in &posts {
        let published = DateTime::from_timestamp_millis(poll.published_at_ms).unwrap();
        let expected: &[&str] = if published < utc(3, 2, 0) {
            &["1h", "24h", "7d", "end"]
        } else {
            &["1h", "24h", "end"]
        };
        let expected: BTreeSet<String> = expected.iter().map(|w| w.to_string()).collect();
        assert_eq!(windows[post], expected, "{post}");
        assert_eq!(poll.ends_at_ms, end.timestamp_millis());
    }

    // Each window read at its time (within the hourly pass), never before.
    for o in &observations {
        let poll = posts[&o.post_id];
        let due = match o.window.as_str() {
            "1h" => poll.published_at_ms + 3_600_000,
            "24h" => poll.published_at_ms + 86_400_000,
            "7d" => poll.published_at_ms + 7 * 86_400_000,
            _ => end.timestamp_millis(),
        };
        assert!(
            o.observed_at_ms >= due && o.observed_at_ms <= due + 3_600_000 + 60_000,
            "{o:?}"
        );
    }

    // Metrics and API versions per platform; values never decrease from window to window.
    let mut series: BTreeMap<(String, String), Vec<(usize, i64)>> = BTreeMap::new();
    for o in &observations {
        let expected = if o.channel == "facebook:page" {
            (
                ["reach", "views", "clicks"].contains(&o.metric.as_str()),
                "v21.0",
            )
        } else {
            (
                ["impressions", "engagements"].contains(&o.metric.as_str()),
                "2",
            )
        };
        assert!(expected.0, "{o:?}");
        assert_eq!(o.api_version, expected.1);
        let rank = WINDOW_ORDER.iter().position(|w| *w == o.window).unwrap();
        series
            .entry((o.post_id.clone(), o.metric.clone()))
            .or_default()
            .push((rank, o.value));
    }
    assert_eq!(
        series.len(),
        30,
        "reach, views and clicks for each of 6 Facebook posts, two metrics for 6 X posts"
    );
    // Views count repeat views: never fewer than the accounts reached, in every window.
    let value = |post: &str, window: &str, metric: &str| {
        observations
            .iter()
            .find(|o| o.post_id == post && o.window == window && o.metric == metric)
            .map(|o| o.value)
    };
    for o in observations.iter().filter(|o| o.metric == "reach") {
        let views = value(&o.post_id, &o.window, "views").expect("views beside reach");
        assert!(views >= o.value, "{o:?}: views {views}");
    }
    for ((post, metric), mut values) in series {
        values.sort();
        assert!(
            values.windows(2).all(|w| w[0].1 <= w[1].1),
            "{post} {metric}: {values:?}"
        );
        if metric == "reach" || metric == "impressions" {
            assert!(values.last().unwrap().1 > 0, "{post} {metric}: {values:?}");
        }
    }

    // One estimate per (segment, channel) with an ad account, taken at launch.
    let estimates = rig.store.audience_estimates("sahel").await.unwrap();
    let channels: BTreeSet<&str> = estimates.iter().map(|e| e.channel.as_str()).collect();
    assert_eq!(channels, BTreeSet::from(["facebook:page", "meta_ads:ads"]));
    let first_post = polls.iter().map(|p| p.published_at_ms).min().unwrap();
    for e in &estimates {
        assert_eq!(e.segment, "sahel");
        assert_eq!(e.version, rig.version.as_str());
        assert!(0 < e.lower && e.lower <= e.upper, "{e:?}");
        assert_eq!(e.api_version, "v21.0");
        assert!(e.estimated_at_ms < first_post, "at launch: {e:?}");
    }
    // Asked once each, for Niger and Mali, ages clamped to Meta's 18 to 65.
    let asked: Vec<_> = rig
        .sandbox
        .received()
        .into_iter()
        .filter(|r| r.recipient.ends_with("/delivery_estimate"))
        .collect();
    assert_eq!(asked.len(), 2, "{asked:?}");
    for request in &asked {
        let spec: serde_json::Value =
            serde_json::from_str(request.body["targeting_spec"].as_str().unwrap()).unwrap();
        assert_eq!(
            spec,
            serde_json::json!({"geo_locations": {"countries": ["NE", "ML"]}, "age_min": 18, "age_max": 65})
        );
    }

    // The report shows them: reach per post for each window, penetration per estimate.
    let mut report = herald::report::build_report(
        "sahel",
        &[],
        &[],
        herald::report::Period::Run,
        herald::report::Protection::DEFAULT,
        rig.clock.now(),
    );
    report.add_post_metrics(&observations, &estimates);
    let reach_windows: Vec<&str> = report
        .post_metrics
        .tables
        .iter()
        .filter(|t| t.metric == "reach")
        .map(|t| t.period.as_str())
        .collect();
    assert_eq!(reach_windows, ["1h", "24h", "7d", "end"]);
    // Frequency = views / reach for every Facebook post and window where both are published.
    let csv = herald::report::to_csv(&report);
    let rows = common::tidy_csv::rows(&csv);
    let table = |metric: &str, window: &str| {
        report
            .post_metrics
            .tables
            .iter()
            .find(|t| t.metric == metric && t.period == window && t.columns == ["facebook:page"])
            .unwrap_or_else(|| panic!("{metric} {window}"))
    };
    let mut checked = 0;
    for window in WINDOW_ORDER {
        let (reach, views) = (table("reach", window), table("views", window));
        for row in &reach.rows {
            let published = (
                reach.cell(row, "facebook:page"),
                views.cell(row, "facebook:page"),
            );
            if let (Some(Cell::Count(r)), Some(Cell::Count(v))) = published
                && r > 0
            {
                let key = [
                    ("segment", row[0].as_str()),
                    ("locale", &row[1]),
                    ("variant", &row[2]),
                    ("send", &row[3]),
                    ("post", &row[4]),
                    ("channel", "facebook:page"),
                    ("window", window),
                ];
                assert_eq!(
                    common::tidy_csv::find(&rows, "frequency", &key),
                    common::tidy_csv::published(&format!("{:.2}", v as f64 / r as f64)),
                    "{csv}"
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 0, "{csv}");
    let page = report
        .post_metrics
        .penetration
        .iter()
        .find(|p| p.channel == "facebook:page")
        .unwrap();
    assert_eq!(page.window.as_deref(), Some("end"));
    assert!(page.low.unwrap() <= page.high.unwrap() && page.high.unwrap() <= 1.0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttled_reads_wait_and_deleted_posts_end_their_poll() {
    let rig = rig().await;
    // The first Monday's posts are out at 09:00 UTC; nothing is read yet.
    rig.run_until(utc(3, 1, 9) + chrono::Duration::minutes(30))
        .await;
    assert_eq!(rig.polls().await.len(), 6);
    // A post X does not know (deleted since), due now.
    let poll = NewInsightPoll {
        channel: "x:updates".into(),
        post_id: "1234567890123456789".into(),
        campaign: "sahel".into(),
        version: rig.version.to_string(),
        send: "weekly".into(),
        segment: "sahel".into(),
        locale: "en".into(),
        variant: String::new(),
        published_at_ms: utc(2, 28, 9).timestamp_millis(),
        ends_at_ms: utc(3, 10, 23).timestamp_millis(),
        window: "24h".into(),
        due_at_ms: utc(3, 1, 9).timestamp_millis(),
    };
    assert_eq!(rig.store.add_insight_polls(&[poll]).await.unwrap(), 1);

    // Every read is throttled: polls stay due, nothing is observed.
    rig.sandbox.set_faults(FaultConfig {
        rate_429: 1.0,
        seed: 7,
        ..FaultConfig::default()
    });
    rig.clock
        .advance_to(utc(3, 1, 10) + chrono::Duration::minutes(30));
    rig.dispatcher.plan().await.unwrap();
    assert!(
        rig.store
            .insight_observations("sahel")
            .await
            .unwrap()
            .is_empty()
    );
    let polls = rig.polls().await;
    assert_eq!(polls.len(), 7);
    for poll in &polls {
        assert!(poll.window.is_some(), "still polled: {poll:?}");
        assert_eq!(poll.attempts, 1, "{poll:?}");
        let error = poll.last_error.as_deref().unwrap_or_default();
        assert!(error.starts_with("throttled"), "{poll:?}");
        // Due again after the wait the platform gave, not at once.
        assert!(
            poll.due_at_ms.unwrap() > rig.clock.now().timestamp_millis(),
            "{poll:?}"
        );
    }
    let reads = rig.sandbox.received().len();
    // Within the wait, a second pass sends nothing to the throttled accounts.
    rig.dispatcher.plan().await.unwrap();
    let again: Vec<_> = rig.sandbox.received().into_iter().skip(reads).collect();
    assert!(again.is_empty(), "{again:?}");

    // Faults gone and the wait over: the 1h window is read, and the unknown post ends.
    rig.sandbox.set_faults(FaultConfig::default());
    rig.clock
        .advance_to(utc(3, 1, 11) + chrono::Duration::minutes(30));
    rig.dispatcher.plan().await.unwrap();
    let polls = rig.polls().await;
    let deleted = polls
        .iter()
        .find(|p| p.post_id == "1234567890123456789")
        .unwrap();
    assert_eq!(deleted.window, None);
    assert!(
        deleted
            .last_error
            .as_deref()
            .unwrap_or_default()
            .contains("X no longer has the post"),
        "{deleted:?}"
    );
    for poll in polls.iter().filter(|p| p.post_id != "1234567890123456789") {
        assert_eq!(poll.window.as_deref(), Some("24h"), "{poll:?}");
        assert_eq!((poll.attempts, poll.last_error.as_deref()), (0, None));
    }
    let observations = rig.store.insight_observations("sahel").await.unwrap();
    assert_eq!(
        observations.len(),
        15,
        "reach, views and clicks of three Facebook posts, two metrics of three X posts"
    );
    assert!(observations.iter().all(|o| o.window == "1h"));
}
