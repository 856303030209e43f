//! The platform-reported part of a reach report on known observations and estimates: reach
//! per post and window (a sum only as an upper bound), frequency, CTR, penetration as an
//! interval capped at 1, small reach suppressed and the rates built on it withheld, and the
//! metadata (estimates, API versions) in every format.

use crate::common;

use chrono::{TimeZone, Utc};
use common::Project;
use common::tidy_csv::{find, post_key, published, rows, withheld};
use herald::report::{
    Cell, NO_SPEND_DATA, Period, Protection, RateCell, SUM_OF_REACH, build_report, to_csv, to_html,
    to_json,
};
use herald::store::{
    AudienceEstimateRecord, InsightObservation, NewInsightPoll, PollOutcome, PollRecord,
    SqliteStore, Store,
};

const VERSION: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const AT: i64 = 1_804_000_000_000;

/// One observation of the demo campaign's `weekly` send, of the post `[segment, locale,
/// variant, channel, post id]`.
fn seen(post: [&str; 5], window: &str, metric: &str, value: i64) -> InsightObservation {
    let [segment, locale, variant, channel, post_id] = post;
    InsightObservation {
        campaign: "demo".into(),
        version: VERSION.into(),
        send: "weekly".into(),
        segment: segment.into(),
        locale: locale.into(),
        channel: channel.into(),
        variant: variant.into(),
        post_id: post_id.into(),
        window: window.into(),
        metric: metric.into(),
        value,
        api_version: if channel.starts_with("x:") {
            "2".into()
        } else {
            "v21.0".into()
        },
        observed_at_ms: AT,
    }
}

/// Four Facebook posts read after seven days (one with a reach of 7), one read after an hour
/// and one at the end, and an X post. Facebook reports impressions here too, so that frequency
/// and CTR have both parts.
fn observations() -> Vec<InsightObservation> {
    let fb = "facebook:page";
    let mut out = Vec::new();
    for (segment, locale, variant, post, reach, impressions, clicks) in [
        ("in-eu", "ar", "a", "111_1", 2000, 5000, 60),
        ("in-eu", "fr", "a", "111_2", 800, 1000, 16),
        ("tc", "en", "b", "111_3", 7, 50, 2),
        ("in-eu", "ar", "b", "111_4", 300, 400, 3),
    ] {
        let post = [segment, locale, variant, fb, post];
        out.push(seen(post, "7d", "reach", reach));
        out.push(seen(post, "7d", "impressions", impressions));
        out.push(seen(post, "7d", "clicks", clicks));
    }
    out.push(seen(["in-eu", "ar", "a", fb, "111_1"], "1h", "reach", 500));
    out.push(seen(
        ["diaspora", "en", "a", fb, "111_5"],
        "end",
        "reach",
        1200,
    ));
    let tweet = ["in-eu", "en", "a", "x:updates", "1880000000000000001"];
    out.push(seen(tweet, "7d", "impressions", 3000));
    out.push(seen(tweet, "7d", "engagements", 90));
    out
}

fn estimate(segment: &str, channel: &str, lower: i64, upper: i64) -> AudienceEstimateRecord {
    AudienceEstimateRecord {
        campaign: "demo".into(),
        version: VERSION.into(),
        segment: segment.into(),
        channel: channel.into(),
        lower,
        upper,
        daily: Some(lower / 2),
        api_version: "v21.0".into(),
        estimated_at_ms: AT - 86_400_000,
    }
}

fn estimates() -> Vec<AudienceEstimateRecord> {
    vec![
        estimate("in-eu", "facebook:page", 1500, 4000),
        estimate("diaspora", "facebook:page", 8000, 12000),
        estimate("tc", "facebook:page", 100, 200),
        estimate("in-eu", "meta_ads:ads", 1_000_000, 1_400_000),
    ]
}

fn report() -> herald::report::Report {
    let mut report = build_report(
        "demo",
        &[],
        &[],
        Period::Run,
        Protection::DEFAULT,
        Utc.timestamp_millis_opt(AT).unwrap(),
    );
    report.add_post_metrics(&observations(), &estimates());
    report
}

fn row(segment: &str, locale: &str, variant: &str, post: &str) -> Vec<String> {
    [segment, locale, variant, "weekly", post]
        .map(str::to_string)
        .to_vec()
}

#[test]
fn reach_is_per_post_and_window_and_its_sum_is_an_upper_bound() {
    let report = report();
    let metrics = &report.post_metrics;
    let reach = metrics
        .tables
        .iter()
        .find(|t| t.metric == "reach" && t.period == "7d")
        .unwrap();
    assert_eq!(reach.columns, ["facebook:page"]);
    let published = |post: &[String]| reach.cell(post, "facebook:page").unwrap();
    assert_eq!(
        published(&row("in-eu", "ar", "a", "111_1")),
        Cell::Count(2000)
    );
    assert_eq!(
        published(&row("in-eu", "fr", "a", "111_2")),
        Cell::Count(800)
    );
    // 7 is below k; 300 is hidden too, so 7 cannot be worked out from the sum.
    assert!(matches!(
        published(&row("tc", "en", "b", "111_3")),
        Cell::Suppressed(_)
    ));
    assert!(matches!(
        published(&row("in-eu", "ar", "b", "111_4")),
        Cell::Suppressed(_)
    ));
    assert_eq!(reach.total_label, SUM_OF_REACH);
    assert_eq!(reach.column_totals, [Cell::Count(3107)]);
    // Each window has its own table; reach is never added across windows.
    let hour = metrics
        .tables
        .iter()
        .find(|t| t.metric == "reach" && t.period == "1h")
        .unwrap();
    assert_eq!(hour.cells, [[Cell::Count(500)]]);
    // One table per channel: a post appears only where it was published, never as a zero
    // on another channel.
    let impressions: Vec<_> = metrics
        .tables
        .iter()
        .filter(|t| t.metric == "impressions" && t.period == "7d")
        .collect();
    assert_eq!(impressions.len(), 2);
    let (facebook, x) = (impressions[0], impressions[1]);
    assert_eq!(
        (facebook.columns.as_slice(), x.columns.as_slice()),
        (
            ["facebook:page".to_string()].as_slice(),
            ["x:updates".to_string()].as_slice()
        )
    );
    assert_eq!(facebook.rows.len(), 4);
    assert_eq!(facebook.column_totals, [Cell::Count(6450)]);
    assert_eq!(x.total_label, "total");
    assert_eq!(x.cells, [[Cell::Count(3000)]], "{:?}", x.rows);
    assert_eq!(x.rows, [row("in-eu", "en", "a", "1880000000000000001")]);
}

#[test]
fn frequency_and_ctr_follow_the_definitions_and_are_withheld_on_suppressed_counts() {
    let report = report();
    let rates = |name: &str| {
        report
            .post_metrics
            .rates
            .iter()
            .find(|r| r.rate == name && r.window == "7d")
            .unwrap()
    };
    let value = |table: &herald::report::PostRateTable, post: Vec<String>| {
        let r = table.rows.iter().position(|x| *x == post).unwrap();
        table.cells[r][0].clone()
    };
    let frequency = rates("frequency");
    assert_eq!(frequency.columns, ["facebook:page"]);
    // The X post has impressions but no reach: no frequency is made up for it.
    assert_eq!(frequency.rows.len(), 4);
    assert_eq!(
        value(frequency, row("in-eu", "ar", "a", "111_1")),
        RateCell::Rate(2.5)
    );
    assert_eq!(
        value(frequency, row("in-eu", "fr", "a", "111_2")),
        RateCell::Rate(1.25)
    );
    assert_eq!(
        value(frequency, row("tc", "en", "b", "111_3")),
        RateCell::Withheld("suppressed")
    );
    assert_eq!(
        value(frequency, row("in-eu", "ar", "b", "111_4")),
        RateCell::Withheld("suppressed")
    );
    let ctr = rates("CTR");
    assert_eq!(
        value(ctr, row("in-eu", "ar", "a", "111_1")),
        RateCell::Rate(0.012)
    );
    assert_eq!(
        value(ctr, row("in-eu", "fr", "a", "111_2")),
        RateCell::Rate(0.016)
    );
    // 3 post clicks are below k.
    assert_eq!(
        value(ctr, row("in-eu", "ar", "b", "111_4")),
        RateCell::Withheld("suppressed")
    );
    assert!(
        !report
            .post_metrics
            .rates
            .iter()
            .any(|r| r.window == "1h" || r.window == "end"),
        "only reach was read for those windows"
    );
}

#[test]
fn penetration_is_an_interval_capped_at_one() {
    let report = report();
    let penetration = |segment: &str, channel: &str| {
        report
            .post_metrics
            .penetration
            .iter()
            .find(|p| p.segment == segment && p.channel == channel)
            .unwrap()
    };
    // R = 2000 (the largest single post in the latest window, 7d), A = 1,500 to 4,000:
    // [2000 / 4000, 2000 / 1500] = [0.5, 1.33], capped at 1.
    let in_eu = penetration("in-eu", "facebook:page");
    assert_eq!(
        (in_eu.window.as_deref(), in_eu.reach),
        (Some("7d"), Some(2000))
    );
    assert_eq!((in_eu.low, in_eu.high), (Some(0.5), Some(1.0)));
    assert_eq!(in_eu.version, &VERSION[..12]);
    // R = 1200 at the end, A = 8,000 to 12,000: [0.1, 0.15].
    let diaspora = penetration("diaspora", "facebook:page");
    assert_eq!(diaspora.window.as_deref(), Some("end"));
    assert_eq!(diaspora.low, Some(0.1));
    assert_eq!(diaspora.high, Some(0.15));
    // R = 7 is suppressed: so is the penetration built on it.
    let small = penetration("tc", "facebook:page");
    assert_eq!((small.low, small.high, small.reach), (None, None, None));
    assert_eq!(small.withheld, Some("suppressed"));
    // herald publishes no ads: nothing reached through the ads account.
    let ads = penetration("in-eu", "meta_ads:ads");
    assert_eq!(ads.withheld, Some("no reach observed"));
    assert_eq!(report.post_metrics.cost_per_1000_reached, NO_SPEND_DATA);
}

#[test]
fn every_format_carries_the_post_metrics_and_their_metadata() {
    let report = report();
    let csv = rows(&to_csv(&report));
    let fb = "facebook:page";
    let post_111 = |n: &'static str, segment, locale, variant| [segment, locale, variant, fb, n];
    assert_eq!(
        find(
            &csv,
            "reach",
            &post_key(post_111("111_1", "in-eu", "ar", "a"), "7d")
        ),
        published("2000")
    );
    assert_eq!(
        find(
            &csv,
            "reach",
            &post_key(post_111("111_3", "tc", "en", "b"), "7d")
        ),
        withheld("suppressed")
    );
    assert_eq!(
        find(
            &csv,
            "reach_sum_upper_bound",
            &[
                ("segment", "(all)"),
                ("locale", "(all)"),
                ("variant", "(all)"),
                ("send", "(all)"),
                ("post", "(all)"),
                ("channel", fb),
                ("window", "7d"),
            ]
        ),
        published("3107")
    );
    assert_eq!(
        find(
            &csv,
            "frequency",
            &post_key(post_111("111_1", "in-eu", "ar", "a"), "7d")
        ),
        published("2.50")
    );
    assert_eq!(
        find(
            &csv,
            "ctr",
            &post_key(post_111("111_2", "in-eu", "fr", "a"), "7d")
        ),
        published("0.0160")
    );
    let estimate = |segment| {
        vec![
            ("segment", segment),
            ("version", "0123456789ab"),
            ("channel", fb),
            ("window", "7d"),
        ]
    };
    assert_eq!(
        find(&csv, "penetration_low", &estimate("in-eu")),
        published("0.500000")
    );
    assert_eq!(
        find(&csv, "penetration_high", &estimate("in-eu")),
        published("1.000000")
    );
    assert_eq!(
        find(&csv, "penetration_low", &estimate("tc")),
        withheld("suppressed")
    );
    assert_eq!(
        find(&csv, "cost_per_1000_reached", &[]),
        withheld("not known")
    );
    let largest = |locale| [("locale", locale), ("window", "7d")];
    assert_eq!(
        find(&csv, "largest_post_reach", &largest("ar")),
        published("2000")
    );
    assert_eq!(
        find(&csv, "largest_post_reach", &largest("en")),
        withheld("suppressed")
    );
    assert_eq!(
        find(
            &csv,
            "audience_estimate_upper",
            &[
                ("segment", "in-eu"),
                ("version", "0123456789ab"),
                ("channel", fb)
            ]
        ),
        published("4000")
    );
    assert!(
        !csv.iter()
            .any(|r| r["metric"] == "reach" && r.values().any(|v| v == "(all)")),
        "a sum of reach is always labelled as an upper bound"
    );
    let json: serde_json::Value = serde_json::from_str(&to_json(&report)).unwrap();
    assert_eq!(json["audience_estimates"][0]["lower"], 1500);
    assert_eq!(json["audience_estimates"][0]["upper"], 4000);
    assert_eq!(
        json["audience_estimates"][0]["estimated_at"],
        "2027-03-01T15:06:40Z"
    );
    assert_eq!(
        json["platform_api_versions"],
        serde_json::json!([
            {"channel": "facebook:page", "api_version": "v21.0"},
            {"channel": "meta_ads:ads", "api_version": "v21.0"},
            {"channel": "x:updates", "api_version": "2"},
        ])
    );
    assert_eq!(
        json["post_metrics"]["reach_over_time"][0],
        serde_json::json!({"locale": "ar", "points": [["1h", 500], ["24h", null], ["7d", 2000], ["end", null]]})
    );
    assert!(
        json["definitions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d[0] == "penetration")
    );
    let html = to_html(&report);
    assert!(html.contains("<title id=\"reach-title\">Reach over time per locale"));
    assert!(html.contains("<title>ar 7d: reach 2000</title>"));
    assert!(html.contains("sum of reach (upper bound on unique people)"));
    assert!(html.contains("<td>0.500000 to 1.000000</td>"));
    assert!(html.contains("<h2>Audience estimates</h2>"));
    assert!(html.contains("<li>x:updates: 2</li>"));
    assert!(
        !html.contains("http://") && !html.contains("https://") && !html.contains("<script"),
        "self-contained"
    );
}

/// A published Facebook campaign figure: reach 43,347 and views 175,569 is a frequency of
/// 4.05. herald reads views (`post_media_view`) beside reach for the same post and window,
/// and the report divides them; Meta's retired impressions are not needed.
#[test]
fn frequency_on_facebook_is_views_over_reach() {
    let fb = "facebook:page";
    let post = ["in-eu", "ar", "", fb, "222_1"];
    let mut report = build_report(
        "demo",
        &[],
        &[],
        Period::Run,
        Protection::DEFAULT,
        Utc.timestamp_millis_opt(AT).unwrap(),
    );
    report.add_post_metrics(
        &[
            seen(post, "7d", "reach", 43_347),
            seen(post, "7d", "views", 175_569),
            seen(post, "7d", "clicks", 1_734),
        ],
        &[],
    );
    let csv = rows(&to_csv(&report));
    let key = post_key(["in-eu", "ar", "no variants", fb, "222_1"], "7d");
    for (metric, value) in [
        ("reach", "43347"),
        ("views", "175569"),
        ("frequency", "4.05"),
        // CTR on Facebook: post clicks / views.
        ("ctr", "0.0099"),
    ] {
        assert_eq!(find(&csv, metric, &key), published(value), "{metric}");
    }
    let json: serde_json::Value = serde_json::from_str(&to_json(&report)).unwrap();
    let frequency = json["post_metrics"]["rates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rate"] == "frequency")
        .unwrap();
    let value = frequency["cells"][0][0].as_f64().unwrap();
    assert!((value - 4.05).abs() < 0.005, "{value}");
    assert!((value - 175_569.0 / 43_347.0).abs() < 1e-12);
    let html = to_html(&report);
    assert!(
        html.contains("<h2>frequency (window 7d; views / reach"),
        "{html}"
    );
    assert!(html.contains("<td>4.05</td>"), "{html}");
    assert!(
        json["definitions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d[0] == "views" && d[1].as_str().unwrap().contains("post_media_view"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn herald_report_reads_the_stored_observations_and_estimates() {
    let project = Project::valid();
    let url = format!("sqlite://{}", project.path("herald.db").display());
    let store = SqliteStore::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    let (loaded, _) = herald::project::load_project(
        &herald::project::Target::Folder(project.path("")),
        Some(&project.path("herald.toml")),
    );
    let bundle = herald::campaign::VersionBundle::from_loaded(&loaded, &loaded.campaigns[0]);
    store.save_version(&bundle, Utc::now()).await.unwrap();
    // Observations reach the store only through a leased poll.
    let mut polls = Vec::new();
    for o in observations() {
        if !polls
            .iter()
            .any(|p: &NewInsightPoll| p.post_id == o.post_id)
        {
            polls.push(NewInsightPoll {
                channel: o.channel.clone(),
                post_id: o.post_id.clone(),
                campaign: o.campaign.clone(),
                version: o.version.clone(),
                send: o.send.clone(),
                segment: o.segment.clone(),
                locale: o.locale.clone(),
                variant: o.variant.clone(),
                published_at_ms: AT - 1_000,
                ends_at_ms: AT + 1_000,
                window: "end".into(),
                due_at_ms: AT,
            });
        }
    }
    store.add_insight_polls(&polls).await.unwrap();
    let leased = store
        .lease_insight_polls("tester", AT, AT + 60_000, 100)
        .await
        .unwrap();
    let all = observations();
    let records: Vec<PollRecord> = leased
        .iter()
        .map(|poll| PollRecord {
            id: poll.id,
            outcome: PollOutcome::Observed { next: None },
            observations: all
                .iter()
                .filter(|o| o.post_id == poll.post_id)
                .cloned()
                .collect(),
        })
        .collect();
    assert_eq!(
        store
            .record_insight_polls("tester", &records, AT)
            .await
            .unwrap(),
        6
    );
    for e in estimates() {
        assert!(store.save_audience_estimate(&e).await.unwrap());
    }
    let run = project.herald(&[
        "report",
        "--as-of",
        "2027-12-31",
        "demo",
        "--format",
        "csv",
        "--database-url",
        &url,
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let csv = rows(&run.stdout);
    assert_eq!(
        find(
            &csv,
            "reach_sum_upper_bound",
            &[
                ("segment", "(all)"),
                ("locale", "(all)"),
                ("variant", "(all)"),
                ("send", "(all)"),
                ("post", "(all)"),
                ("channel", "facebook:page"),
                ("window", "7d"),
            ]
        ),
        published("3107"),
        "{}",
        run.stdout
    );
    assert_eq!(
        find(
            &csv,
            "penetration_low",
            &[
                ("segment", "diaspora"),
                ("version", "0123456789ab"),
                ("channel", "facebook:page"),
                ("window", "end"),
            ]
        ),
        published("0.100000")
    );
}
