//! `herald report` on known counters: the numbers, the suppression and the metadata a reader
//! gets, in CSV, JSON and HTML.

use crate::common;

use common::Project;
use common::tidy_csv::{counted, find, published, rows, withheld};
use herald::campaign::VersionBundle;
use herald::project::{Target, load_project};
use herald::store::{ClickCount, ClickKey, DeliveryCount, SqliteStore, Store};

/// A migrated store in the project with a version of the demo campaign: (store, url, hash).
async fn stored_version(project: &Project) -> (SqliteStore, String, String) {
    let url = format!("sqlite://{}", project.path("herald.db").display());
    let store = SqliteStore::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    let (loaded, _) = load_project(
        &Target::Folder(project.path("")),
        Some(&project.path("herald.toml")),
    );
    let bundle = VersionBundle::from_loaded(&loaded, &loaded.campaigns[0]);
    let version = store
        .save_version(&bundle, chrono::Utc::now())
        .await
        .unwrap()
        .hash
        .to_string();
    (store, url, version)
}

/// A counter of the demo campaign's `weekly` send in segment `in-eu` on 18 January.
fn count(
    version: &str,
    locale: &str,
    channel: &str,
    variant: &str,
    status: &str,
    count: i64,
) -> DeliveryCount {
    DeliveryCount {
        campaign: "demo".into(),
        version: version.into(),
        send: "weekly".into(),
        segment: "in-eu".into(),
        locale: locale.into(),
        channel: channel.into(),
        variant: variant.into(),
        day: "2027-01-18".into(),
        status: status.into(),
        count,
        key_sum: 0,
    }
}

/// Sent, delivered and read for variants a and b of Arabic WhatsApp messages:
/// read rates 3.0% and 3.75% of 4,000 deliveries.
fn variant_counts(version: &str) -> Vec<DeliveryCount> {
    let mut counts = Vec::new();
    for (variant, numbers) in [("a", [4100, 4000, 120]), ("b", [4100, 4000, 150])] {
        for (status, n) in ["sent", "delivered", "read"].into_iter().zip(numbers) {
            counts.push(count(version, "ar", "whatsapp:optin", variant, status, n));
        }
    }
    counts
}

/// `herald report ARGS` as an evaluator runs it once the demo campaign (ending 30 April 2027)
/// has settled.
fn herald_report(project: &Project, args: &[&str]) -> common::Run {
    let mut all = vec!["report", "--as-of", "2027-12-31"];
    all.extend_from_slice(args);
    project.herald(&all)
}

/// Sets the deployment's publication policy: `[publication]` appended to the project's
/// herald.toml.
fn publish_under(project: &Project, policy: &str) {
    let config = std::fs::read_to_string(project.path("herald.toml")).unwrap();
    project.write(
        "herald.toml",
        &format!("{config}\n[publication]\n{policy}\n"),
    );
}

/// People's clicks in `locale` on the Telegram link of the demo's `weekly` send, 18 January.
fn clicks(locale: &str, times: i64) -> (ClickKey, ClickCount) {
    (
        ClickKey {
            campaign: "demo".into(),
            send: "weekly".into(),
            variant: "a".into(),
            locale: locale.into(),
            channel: "telegram:info".into(),
            day: "2027-01-18".into(),
            kind: "person".into(),
        },
        ClickCount {
            clicks: times,
            key_sum: 0,
        },
    )
}

async fn fixture(project: &Project) -> String {
    let (store, url, version) = stored_version(project).await;
    let sent =
        |locale: &str, channel: &str, n: i64| count(&version, locale, channel, "a", "sent", n);
    store
        .add_delivery_counts(&[
            sent("ar", "telegram:info", 120),
            sent("ar", "whatsapp:optin", 3),
            sent("fr", "telegram:info", 57),
            sent("fr", "whatsapp:optin", 88),
            sent("en", "telegram:info", 200),
            sent("en", "whatsapp:optin", 150),
        ])
        .await
        .unwrap();
    // Two batches, the second adding to the first's counter.
    store
        .add_click_counts(&[clicks("ar", 7), clicks("en", 15)])
        .await
        .unwrap();
    store.add_click_counts(&[clicks("en", 25)]).await.unwrap();
    url
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_csv_report_shows_counts_and_hides_small_ones() {
    let project = Project::valid();
    let url = fixture(&project).await;
    let run = herald_report(
        &project,
        &["demo", "--format", "csv", "--database-url", &url],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    // One row per published value; a suppressed one has no value; totals say (all).
    assert_eq!(
        run.stdout,
        "campaign,metric,segment,locale,variant,send,post,version,channel,period,window,value,status
demo,sent,in-eu,ar,a,,,,telegram:info,whole run,,120,published
demo,sent,in-eu,ar,a,,,,whatsapp:optin,whole run,,,suppressed
demo,sent,in-eu,ar,a,,,,(all),whole run,,123,published
demo,sent,in-eu,en,a,,,,telegram:info,whole run,,200,published
demo,sent,in-eu,en,a,,,,whatsapp:optin,whole run,,150,published
demo,sent,in-eu,en,a,,,,(all),whole run,,350,published
demo,sent,in-eu,fr,a,,,,telegram:info,whole run,,57,published
demo,sent,in-eu,fr,a,,,,whatsapp:optin,whole run,,88,published
demo,sent,in-eu,fr,a,,,,(all),whole run,,145,published
demo,sent,(all),(all),(all),,,,telegram:info,(all),,377,published
demo,sent,(all),(all),(all),,,,whatsapp:optin,(all),,241,published
demo,sent,(all),(all),(all),,,,(all),(all),,618,published
demo,clicks,,ar,a,,,,telegram:info,whole run,,,suppressed
demo,clicks,,ar,a,,,,(all),whole run,,,suppressed
demo,clicks,,en,a,,,,telegram:info,whole run,,40,published
demo,clicks,,en,a,,,,(all),whole run,,40,published
demo,clicks,,(all),(all),,,,telegram:info,(all),,47,published
demo,clicks,,(all),(all),,,,(all),(all),,47,published
demo,delivery_rate,in-eu,ar,a,,,,telegram:info,whole run,,,not reported
demo,delivery_rate,in-eu,ar,a,,,,whatsapp:optin,whole run,,,suppressed
demo,delivery_rate,in-eu,en,a,,,,telegram:info,whole run,,,not reported
demo,delivery_rate,in-eu,en,a,,,,whatsapp:optin,whole run,,0.0000,published
demo,delivery_rate,in-eu,fr,a,,,,telegram:info,whole run,,,not reported
demo,delivery_rate,in-eu,fr,a,,,,whatsapp:optin,whole run,,0.0000,published
"
    );
    // Every record parses with the documented columns.
    assert_eq!(rows(&run.stdout).len(), 24);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_and_html_carry_their_definitions_and_protection() {
    let project = Project::valid();
    let url = fixture(&project).await;
    publish_under(
        &project,
        "round_to = 5\nperiods = [\"run\", \"week\"]\nbreakdowns = [\"segment,locale,channel,variant\", \"locale,channel\"]",
    );
    let run = herald_report(
        &project,
        &[
            "demo",
            "--format",
            "json",
            "--period",
            "week",
            "--database-url",
            &url,
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        report["protection"],
        serde_json::json!({"method": "cell key perturbation", "k": 10, "round_to": 5, "max_noise": 3})
    );
    // The report states every cut the deployment publishes.
    assert_eq!(
        report["policy"]["breakdowns"],
        serde_json::json!(["segment,locale,channel,variant", "locale,channel"])
    );
    assert_eq!(
        report["policy"]["periods"],
        serde_json::json!(["run", "week"])
    );
    assert_eq!(report["breakdown"], "segment,locale,channel,variant");
    assert_eq!(
        report["tables"][0]["rows"][1],
        serde_json::json!(["in-eu", "en", "a", "2027-W03"])
    );
    assert_eq!(
        report["tables"][0]["cells"][1],
        serde_json::json!([200, 150])
    );
    assert_eq!(report["tables"][0]["row_totals"][2], 145);
    assert!(
        report["definitions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d[0] == "suppressed")
    );
    // The summary leads the JSON too, from the same published (here rounded) figures.
    let summary = &report["summary"];
    assert_eq!(
        summary["sent"],
        serde_json::json!({"status": "published", "value": 620})
    );
    let platforms = summary["platforms"].as_array().unwrap();
    assert_eq!(platforms.len(), 2, "{summary}");
    assert_eq!(platforms[0]["platform"], "Telegram");
    assert_eq!(platforms[0]["sends_are"], "posts");
    assert_eq!(platforms[0]["delivery_rate"]["status"], "not_reported");
    assert_eq!(platforms[1]["platform"], "WhatsApp");
    assert_eq!(platforms[1]["sends_are"], "messages");
    assert_eq!(platforms[1]["delivery_rate"]["status"], "none_received_yet");
    assert_eq!(summary["best_variant"]["result"], "no_variants");
    let out = project.path("report.html");
    let run = herald_report(
        &project,
        &[
            "demo",
            "--format",
            "html",
            "--out",
            out.to_str().unwrap(),
            "--database-url",
            &url,
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let html = std::fs::read_to_string(out).unwrap();
    assert!(html.starts_with("<!doctype html>"));
    // The page opens with the summary, before any chart or table.
    let at = |what: &str| html.find(what).unwrap_or_else(|| panic!("no {what}"));
    assert!(at("</h1>\n<section id=\"summary\"") < at("<figure") && at("<figure") < at("<table"));
    assert!(html.contains("<li><strong>Telegram</strong>: 375 posts sent; delivery and read rates not reported by this platform.</li>"), "{html}");
    assert!(html.contains("<td class=\"s\">suppressed</td>") && html.contains("<td>620</td>"));
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "self-contained"
    );
    let run = herald_report(
        &project,
        &[
            "demo",
            "--format",
            "csv",
            "--k",
            "3",
            "--database-url",
            &url,
        ],
    );
    assert_eq!(run.code, 2, "k is the policy's, not the evaluator's");
    // A period the policy does not publish is refused, naming what it does publish.
    let run = herald_report(
        &project,
        &[
            "demo",
            "--format",
            "csv",
            "--period",
            "day",
            "--database-url",
            &url,
        ],
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains(
            "period `day` is not published by this deployment; it publishes `run`, `week`"
        ),
        "{}",
        run.stderr
    );
    let run = herald_report(
        &project,
        &["nobody", "--format", "csv", "--database-url", &url],
    );
    assert_eq!(
        (run.code, run.stderr.as_str()),
        (1, "error: no campaign `nobody` in the database\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rates_and_variant_lift_follow_the_definitions() {
    let project = Project::valid();
    let (store, url, version) = stored_version(&project).await;
    store
        .add_delivery_counts(&variant_counts(&version))
        .await
        .unwrap();
    let run = herald_report(
        &project,
        &["demo", "--format", "csv", "--database-url", &url],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let csv = rows(&run.stdout);
    let whatsapp = |variant| counted("ar", variant, "whatsapp:optin");
    assert_eq!(
        find(&csv, "delivery_rate", &whatsapp("a")),
        published("0.9756")
    );
    assert_eq!(find(&csv, "read_rate", &whatsapp("a")), published("0.0300"));
    assert_eq!(find(&csv, "read_rate", &whatsapp("b")), published("0.0375"));
    let run = herald_report(
        &project,
        &["demo", "--format", "json", "--database-url", &url],
    );
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let read = report["comparisons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["rate"] == "read rate")
        .unwrap();
    assert_eq!(
        (read["a"].as_str(), read["b"].as_str()),
        (Some("a"), Some("b"))
    );
    let lift = &read["lift"];
    assert_eq!(lift["result"], "estimate");
    let close = |v: &serde_json::Value, x: f64| (v.as_f64().unwrap() - x).abs() < 1e-8;
    // Newcombe's hybrid score interval (hand computation in src/report/statistics.rs).
    assert!(
        close(&lift["difference"], 0.0075)
            && close(&lift["low"], -0.000_430_672)
            && close(&lift["high"], 0.015_487_795),
        "{lift}"
    );
    let relative = &lift["relative"];
    assert_eq!(relative["result"], "estimate");
    assert!(close(&relative["value"], 0.25));
    assert!(close(&relative["low"], -0.012_606_637) && close(&relative["high"], 0.581_967_488));
    assert!(
        report["definitions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d[0] == "relative lift" && d[1].as_str().unwrap().contains("MOVER-R"))
    );
    // The CSV carries the comparison too, a row per figure.
    let run = herald_report(
        &project,
        &["demo", "--format", "csv", "--database-url", &url],
    );
    let csv = rows(&run.stdout);
    let compared = counted("ar", "b vs a", "whatsapp:optin");
    for (metric, value) in [
        ("read_rate_difference", "0.0075"),
        ("read_rate_difference_low95", "-0.0004"),
        ("read_rate_difference_high95", "0.0155"),
        ("read_rate_relative_lift", "0.2500"),
        ("read_rate_relative_lift_low95", "-0.0126"),
        ("read_rate_relative_lift_high95", "0.5820"),
    ] {
        assert_eq!(find(&csv, metric, &compared), published(value), "{metric}");
    }
}

/// Every message of both variants delivered: the Wald interval read "+0.0000 (+0.0000 to
/// +0.0000)", certainty no sample gives. The Newcombe interval keeps a width of ±0.00096.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_delivered_on_both_sides_still_has_an_interval() {
    let project = Project::valid();
    let (store, url, version) = stored_version(&project).await;
    let mut counts = Vec::new();
    for variant in ["a", "b"] {
        for status in ["sent", "delivered"] {
            counts.push(count(
                &version,
                "ar",
                "whatsapp:optin",
                variant,
                status,
                4000,
            ));
        }
    }
    store.add_delivery_counts(&counts).await.unwrap();
    let run = herald_report(
        &project,
        &["demo", "--format", "csv", "--database-url", &url],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let csv = rows(&run.stdout);
    let compared = counted("ar", "b vs a", "whatsapp:optin");
    for (metric, value) in [
        ("delivery_rate_difference", "0.0000"),
        ("delivery_rate_difference_low95", "-0.0010"),
        ("delivery_rate_difference_high95", "0.0010"),
        ("delivery_rate_relative_lift_low95", "-0.0010"),
        ("delivery_rate_relative_lift_high95", "0.0010"),
    ] {
        assert_eq!(find(&csv, metric, &compared), published(value), "{metric}");
    }
    let out = project.path("report.html");
    let run = herald_report(
        &project,
        &[
            "demo",
            "--format",
            "html",
            "--out",
            out.to_str().unwrap(),
            "--database-url",
            &url,
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let html = std::fs::read_to_string(out).unwrap();
    assert!(
        html.contains("<td>+0.0000 (-0.0010 to +0.0010); relative +0.0% (-0.1% to +0.1%)</td>"),
        "{html}"
    );
    assert!(!html.contains("+0.0000 (+0.0000 to +0.0000)"));
}

/// Telegram channel posts have no receipts, Facebook posts are not messages: their delivery
/// and read rates say "not reported by this platform" in every format, never 0, with the
/// reason in the definitions; WhatsApp's are numbers. Summed over channels of both kinds, no
/// rate is made up either.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rate_the_platform_does_not_report_is_never_zero() {
    let project = Project::valid();
    let (store, url, version) = stored_version(&project).await;
    let mut counts = vec![
        count(&version, "ar", "telegram:info", "a", "sent", 400),
        count(&version, "ar", "facebook:page", "a", "sent", 20),
    ];
    for (status, n) in [("sent", 400), ("delivered", 380), ("read", 190)] {
        counts.push(count(&version, "ar", "whatsapp:optin", "a", status, n));
    }
    store.add_delivery_counts(&counts).await.unwrap();
    publish_under(
        &project,
        "breakdowns = [\"segment,locale,channel,variant\", \"locale\"]",
    );
    let run = herald_report(
        &project,
        &["demo", "--format", "csv", "--database-url", &url],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let csv = rows(&run.stdout);
    let on = |channel| counted("ar", "a", channel);
    for channel in ["telegram:info", "facebook:page"] {
        assert_eq!(
            find(&csv, "delivery_rate", &on(channel)),
            withheld("not reported"),
            "{channel}"
        );
    }
    assert_eq!(
        find(&csv, "delivery_rate", &on("whatsapp:optin")),
        published("0.9500")
    );
    assert_eq!(
        find(&csv, "read_rate", &on("whatsapp:optin")),
        published("0.5000")
    );

    let run = herald_report(
        &project,
        &["demo", "--format", "json", "--database-url", &url],
    );
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let delivery = report["rates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rate"] == "delivery rate")
        .unwrap();
    let column = |name: &str| {
        delivery["columns"]
            .as_array()
            .unwrap()
            .iter()
            .position(|c| c == name)
            .unwrap()
    };
    let telegram = &delivery["cells"][0][column("telegram:info")];
    assert_eq!(telegram["value"], "not reported by this platform");
    assert!(
        telegram["reason"]
            .as_str()
            .unwrap()
            .contains("Telegram sends no delivery or read receipts"),
        "{telegram}"
    );
    assert_eq!(
        delivery["cells"][0][column("facebook:page")]["value"],
        "not reported by this platform"
    );
    assert_eq!(delivery["cells"][0][column("whatsapp:optin")], 0.95);
    let definition = report["definitions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d[0] == "not reported by this platform")
        .expect("the reason is defined");
    assert!(definition[1].as_str().unwrap().contains("Telegram"));

    let out = project.path("report.html");
    let run = herald_report(
        &project,
        &[
            "demo",
            "--format",
            "html",
            "--out",
            out.to_str().unwrap(),
            "--database-url",
            &url,
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let html = std::fs::read_to_string(out).unwrap();
    assert!(
        html.contains("<td class=\"s\" title=\"Telegram sends no delivery or read receipts for channel posts or bot messages.\">not reported by this platform</td>"),
        "{html}"
    );
    assert!(html.contains("<dt>not reported by this platform</dt>"));
    // The funnel marks the missing bars instead of drawing them as zero or suppressed.
    for stage in ["delivered", "read"] {
        assert!(html.contains(&format!(
            "<title>telegram:info: {stage} not reported by this platform</title>"
        )));
    }
    assert!(html.contains("<title>whatsapp:optin: read 190</title>"));

    // Channels summed: Telegram's sends would drag WhatsApp's rate down; there is no rate.
    let run = herald_report(
        &project,
        &[
            "demo",
            "--format",
            "csv",
            "--by",
            "locale",
            "--database-url",
            &url,
        ],
    );
    let csv = rows(&run.stdout);
    assert_eq!(
        find(
            &csv,
            "delivery_rate",
            &[("locale", "ar"), ("period", "whole run")]
        ),
        withheld("not reported"),
        "{}",
        run.stdout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_html_report_draws_its_charts_inline() {
    let project = Project::valid();
    let (store, url, version) = stored_version(&project).await;
    store
        .add_delivery_counts(&variant_counts(&version))
        .await
        .unwrap();
    let out = project.path("report.html");
    let run = herald_report(
        &project,
        &[
            "demo",
            "--format",
            "html",
            "--out",
            out.to_str().unwrap(),
            "--database-url",
            &url,
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let html = std::fs::read_to_string(out).unwrap();
    assert_eq!(
        html.matches("<svg role=\"img\"").count(),
        2,
        "the funnel and the variants"
    );
    assert!(html.contains("<title id=\"funnel-title\">Delivery funnel per channel"));
    assert!(html.contains("<title>whatsapp:optin: sent 8200</title>"));
    assert!(
        html.contains("<title>+0.0075 (-0.0004 to +0.0155)</title>"),
        "the read-rate whisker"
    );
    // Both charts have axes that read in round numbers: the funnel's counts (8,200 sent at
    // most: ticks of 2,000 up to 10,000), the whiskers' differences (ticks of 0.01).
    for tick in ["0", "2000", "4000", "6000", "8000", "10000"] {
        assert!(
            html.contains(&format!("text-anchor=\"end\">{tick}</text>")),
            "funnel tick {tick}"
        );
    }
    for tick in ["-0.02", "-0.01", "0", "+0.01", "+0.02"] {
        assert!(
            html.contains(&format!("text-anchor=\"middle\">{tick}</text>")),
            "whisker tick {tick}: {html}"
        );
    }
    assert!(html.contains("difference of rates, B − A (0 = no difference)</text>"));
    // No rounding asked for: the page does not claim "multiples of 1".
    assert!(html.contains("published counts are not rounded"));
    assert!(!html.contains("multiples of 1."));
    assert!(
        !html.contains("http://") && !html.contains("https://") && !html.contains("<script"),
        "self-contained, no script"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_html_report_opens_in_headless_chromium_with_its_charts_and_tables() {
    let Some(browser) = common::browser::chromium() else {
        return;
    };
    let project = Project::valid();
    let (store, url, version) = stored_version(&project).await;
    store
        .add_delivery_counts(&variant_counts(&version))
        .await
        .unwrap();
    let out = project.path("report.html");
    let run = herald_report(
        &project,
        &[
            "demo",
            "--format",
            "html",
            "--out",
            out.to_str().unwrap(),
            "--database-url",
            &url,
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let page = format!("file://{}", out.display());
    // The DOM as Chromium built it: the charts and tables are there after parsing.
    let dom = common::browser::headless(&browser, &page, &["--dump-dom"]);
    assert!(dom.contains("<h1>Reach report: demo</h1>"), "{dom}");
    assert!(dom.matches("<svg").count() >= 2, "charts in the DOM");
    assert!(dom.matches("<table").count() >= 3, "tables in the DOM");
    assert!(dom.contains("Delivery funnel per channel"));
    // On screen and on paper.
    let shots = common::browser::screenshot_dir();
    let png = shots.join("report.png");
    let pdf = shots.join("report.pdf");
    let _ = std::fs::remove_file(&png);
    let _ = std::fs::remove_file(&pdf);
    common::browser::headless(
        &browser,
        &page,
        &[
            "--window-size=1280,2400",
            &format!("--screenshot={}", png.display()),
        ],
    );
    common::browser::headless(
        &browser,
        &page,
        &[
            "--no-pdf-header-footer",
            &format!("--print-to-pdf={}", pdf.display()),
        ],
    );
    let png_bytes = std::fs::read(&png).expect("a screenshot");
    assert!(png_bytes.starts_with(b"\x89PNG") && png_bytes.len() > 20_000);
    let pdf_bytes = std::fs::read(&pdf).expect("a printed page");
    assert!(pdf_bytes.starts_with(b"%PDF") && pdf_bytes.len() > 5_000);
}

/// The page opens with the summary, in plain words, before any chart or table: an evaluator
/// sees the headline figures on opening it, without scrolling.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_html_report_opens_with_its_summary_above_every_table() {
    let Some(browser) = common::webdriver::Browser::start().await else {
        return;
    };
    let project = Project::valid();
    let (store, url, version) = stored_version(&project).await;
    let mut counts = vec![count(&version, "ar", "telegram:info", "a", "sent", 1250)];
    for (variant, numbers) in [("a", [4100, 4000, 120]), ("b", [4100, 4000, 200])] {
        for (status, n) in ["sent", "delivered", "read"].into_iter().zip(numbers) {
            counts.push(count(&version, "ar", "whatsapp:optin", variant, status, n));
        }
    }
    store.add_delivery_counts(&counts).await.unwrap();
    // Four people's clicks are too few to publish.
    store
        .add_click_counts(&[clicks("ar", 40), clicks("fr", 4)])
        .await
        .unwrap();
    let out = project.path("report.html");
    let run = herald_report(
        &project,
        &[
            "demo",
            "--format",
            "html",
            "--out",
            out.to_str().unwrap(),
            "--database-url",
            &url,
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    browser.goto(&format!("file://{}", out.display())).await;

    // The heading, then the summary: nothing comes between them.
    let top: Vec<_> = browser.find_all("body > *").await;
    assert!(top.len() > 3);
    assert_eq!(browser.attribute(&top[0], "id").await, None);
    assert_eq!(browser.text(&top[0]).await, "Reach report: demo");
    assert_eq!(
        browser.attribute(&top[1], "id").await.as_deref(),
        Some("summary")
    );
    let summary = browser.find("#summary").await;
    let text = browser.text(&summary).await;
    for words in [
        "Summary",
        "Telegram: 1,250 posts sent; delivery and read rates not reported by this platform.",
        "WhatsApp: 8,200 messages sent; 97.6% delivered; 4.0% of those delivered were read.",
        "Variant b did better than variant a on the read rate (segment in-eu, locale ar, whatsapp:optin): 5.0% against 3.0%.",
        "“fewer than 13” stands for a suppressed figure: counts from 1 to 9 are not published",
    ] {
        assert!(
            text.contains(words),
            "{words:?} not in the summary:\n{text}"
        );
    }
    assert!(!text.contains("0.0%"), "no rate is made up: {text}");

    // Drawn above the first chart and the first table, and within the first screen.
    let (_, y, width, height) = browser.rect(&summary).await;
    assert!(width > 300.0 && height > 100.0, "visible: {width}×{height}");
    let bottom = y + height;
    let (_, first_table, _, _) = browser.rect(&browser.find("table").await).await;
    let (_, first_chart, _, _) = browser.rect(&browser.find("figure").await).await;
    assert!(
        bottom <= first_table && bottom <= first_chart,
        "summary ends at {bottom}, first table at {first_table}, first chart at {first_chart}"
    );
    let png = common::browser::screenshot_dir().join("report-summary.png");
    let _ = std::fs::remove_file(&png);
    browser.screenshot(&png).await;
    let bytes = std::fs::read(&png).expect("a screenshot");
    // The viewport's height, from the PNG's header (IHDR: width, then height, big-endian).
    let viewport = u32::from_be_bytes([bytes[20], bytes[21], bytes[22], bytes[23]]) as f64;
    assert!(
        bottom <= viewport,
        "the summary ends at {bottom}, below the first screen ({viewport})"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn by_chooses_the_breakdowns_and_sums_over_the_rest() {
    let project = Project::valid();
    let url = fixture(&project).await;
    publish_under(
        &project,
        "breakdowns = [\"segment,locale,channel,variant\", \"channel\", \"locale\"]",
    );
    // By channel only: one row per period, the locales summed (ar 123, fr 145, en 350).
    let run = herald_report(
        &project,
        &[
            "demo",
            "--format",
            "csv",
            "--by",
            "channel",
            "--database-url",
            &url,
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let sent: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("demo,sent,"))
        .collect();
    assert_eq!(
        sent,
        [
            "demo,sent,,,,,,,telegram:info,whole run,,377,published",
            "demo,sent,,,,,,,whatsapp:optin,whole run,,241,published",
            "demo,sent,,,,,,,(all),whole run,,618,published",
            "demo,sent,,,,,,,telegram:info,(all),,377,published",
            "demo,sent,,,,,,,whatsapp:optin,(all),,241,published",
            "demo,sent,,,,,,,(all),(all),,618,published",
        ]
    );
    // By locale, channels summed: the small Arabic WhatsApp count disappears into its row.
    let run = herald_report(
        &project,
        &[
            "demo",
            "--format",
            "json",
            "--by",
            "locale",
            "--database-url",
            &url,
        ],
    );
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let table = &report["tables"][0];
    assert_eq!(
        table["row_dimensions"],
        serde_json::json!(["locale", "period"])
    );
    assert_eq!(table["columns"], serde_json::json!(["all channels"]));
    assert_eq!(table["cells"], serde_json::json!([[123], [350], [145]]));
    let refused = herald_report(
        &project,
        &[
            "demo",
            "--format",
            "csv",
            "--by",
            "person",
            "--database-url",
            &url,
        ],
    );
    assert_eq!(refused.code, 2);
    assert!(
        refused.stderr.contains(
            "breakdown `person` is not published by this deployment; it publishes `segment,locale,channel,variant`, `channel`, `locale`"
        ),
        "{}",
        refused.stderr
    );
    // A real breakdown the policy does not list is refused alike: evaluators cannot cut
    // tables their own way to subtract one from another.
    let refused = herald_report(
        &project,
        &[
            "demo",
            "--format",
            "csv",
            "--by",
            "segment,channel",
            "--database-url",
            &url,
        ],
    );
    assert_eq!(refused.code, 2);
    assert!(
        refused
            .stderr
            .contains("breakdown `segment,channel` is not published")
    );
}

/// Messages of a send without variants are written "no variants", not "-", and a page
/// rounded to 5 says so while an unrounded one does not claim "multiples of 1".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_without_variants_are_named_and_rounding_is_stated_truthfully() {
    let project = Project::valid();
    let (store, url, version) = stored_version(&project).await;
    store
        .add_delivery_counts(&[count(&version, "ar", "whatsapp:optin", "", "sent", 400)])
        .await
        .unwrap();
    let run = herald_report(
        &project,
        &["demo", "--format", "csv", "--database-url", &url],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        find(
            &rows(&run.stdout),
            "sent",
            &counted("ar", "no variants", "whatsapp:optin")
        ),
        published("400")
    );
    assert!(!run.stdout.contains(",-,"), "{}", run.stdout);
    let config = std::fs::read_to_string(project.path("herald.toml")).unwrap();
    let html_with = |round: &str| {
        let out = project.path(&format!("report-{round}.html"));
        let policy = project.path(&format!("herald-{round}.toml"));
        std::fs::write(
            &policy,
            format!("{config}\n[publication]\nround_to = {round}\n"),
        )
        .unwrap();
        let run = herald_report(
            &project,
            &[
                "demo",
                "--format",
                "html",
                "--config",
                policy.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
                "--database-url",
                &url,
            ],
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
        std::fs::read_to_string(out).unwrap()
    };
    let unrounded = html_with("1");
    assert!(unrounded.contains("published counts are not rounded"));
    assert!(!unrounded.contains("multiples of"));
    assert!(unrounded.contains("<th scope=\"row\">no variants</th>"));
    let rounded = html_with("5");
    assert!(rounded.contains("published counts are rounded to multiples of 5"));
}

/// A second campaign, `demo-b`, stored beside `demo`: the same files under another id.
async fn second_campaign(project: &Project, store: &SqliteStore) -> String {
    let campaign = std::fs::read_to_string(project.path("campaigns/demo.toml")).unwrap();
    std::fs::remove_file(project.path("campaigns/demo.toml")).unwrap();
    project.write(
        "campaigns/demo-b.toml",
        &campaign.replacen("id = \"demo\"", "id = \"demo-b\"", 1),
    );
    for locale in ["en", "ar", "fr"] {
        let text =
            std::fs::read_to_string(project.path(&format!("locales/{locale}/demo.ftl"))).unwrap();
        project.write(&format!("locales/{locale}/demo-b.ftl"), &text);
    }
    let (loaded, _) = load_project(
        &Target::Folder(project.path("")),
        Some(&project.path("herald.toml")),
    );
    let bundle = VersionBundle::from_loaded(&loaded, &loaded.campaigns[0]);
    assert_eq!(bundle.campaign_id, "demo-b");
    store
        .save_version(&bundle, chrono::Utc::now())
        .await
        .unwrap()
        .hash
        .to_string()
}

/// Campaigns side by side, and periods picked by date, under one policy: nothing is published
/// that the campaigns' own reports do not publish.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn campaigns_and_periods_side_by_side_under_one_policy() {
    let project = Project::valid();
    let (store, url, version) = stored_version(&project).await;
    let version_b = second_campaign(&project, &store).await;
    let mut counts = Vec::new();
    for (day, n) in [("2027-01-18", 300), ("2027-01-25", 200), ("2027-01-26", 4)] {
        let mut c = count(&version, "ar", "telegram:info", "a", "sent", n);
        c.day = day.into();
        c.key_sum = n * 100 + 7;
        counts.push(c);
    }
    let mut b = count(&version_b, "ar", "telegram:info", "a", "sent", 150);
    b.campaign = "demo-b".into();
    b.key_sum = 19_999;
    counts.push(b);
    store.add_delivery_counts(&counts).await.unwrap();

    let run = herald_report(
        &project,
        &[
            "--compare",
            "demo,demo-b",
            "--format",
            "json",
            "--database-url",
            &url,
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let comparison: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(comparison["reports"][0]["campaign"], "demo");
    assert_eq!(comparison["reports"][1]["campaign"], "demo-b");
    assert_eq!(comparison["protection"]["method"], "cell key perturbation");
    let headline = &comparison["headline"][0];
    assert_eq!(
        (&headline["metric"], &headline["channel"]),
        (
            &serde_json::json!("sent"),
            &serde_json::json!("telegram:info")
        )
    );
    // Each campaign's figure is the column total its own report publishes.
    assert!(headline["values"][0].as_u64().unwrap() >= 500, "{headline}");
    assert!(headline["values"][1].as_u64().unwrap() >= 147, "{headline}");
    for i in 0..2 {
        assert_eq!(
            headline["values"][i],
            comparison["reports"][i]["tables"][0]["column_totals"][0]
        );
    }
    let run = herald_report(
        &project,
        &[
            "--compare",
            "demo,demo-b",
            "--format",
            "html",
            "--database-url",
            &url,
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let html = run.stdout;
    assert!(html.contains("<h1>Reach reports compared: demo, demo-b</h1>"));
    assert!(html.contains("<section id=\"campaign-demo\">"));
    assert!(html.contains("<section id=\"campaign-demo-b\">"));

    let refused = herald_report(
        &project,
        &[
            "--compare",
            "demo",
            "--format",
            "json",
            "--database-url",
            &url,
        ],
    );
    assert_eq!(refused.code, 2);
    assert!(
        refused.stderr.contains("at least two campaign ids"),
        "{}",
        refused.stderr
    );
    let missing = herald_report(
        &project,
        &[
            "--compare",
            "demo,nobody",
            "--format",
            "json",
            "--database-url",
            &url,
        ],
    );
    assert_eq!(missing.code, 1);
    assert!(
        missing.stderr.contains("no campaign `nobody`"),
        "{}",
        missing.stderr
    );

    // The weeks from 25 January: week 4 only; its totals add up the published cells shown.
    let week = |from: &str| {
        let run = herald_report(
            &project,
            &[
                "demo",
                "--format",
                "json",
                "--period",
                "week",
                "--from",
                from,
                "--until",
                "2027-01-31",
                "--database-url",
                &url,
            ],
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
        serde_json::from_str::<serde_json::Value>(&run.stdout).unwrap()
    };
    let narrowed = week("2027-01-25");
    let table = &narrowed["tables"][0];
    assert_eq!(
        table["rows"],
        serde_json::json!([["in-eu", "ar", "a", "2027-W04"]])
    );
    assert_eq!(table["total_label"], herald::report::SUM_OF_PUBLISHED);
    assert_eq!(table["grand_total"], table["row_totals"][0]);
    assert_eq!(narrowed["range"]["from"], "2027-01-25");
    // A range that starts mid-week keeps no part of that week.
    let mid_week = week("2027-01-20");
    assert_eq!(mid_week["tables"][0]["rows"][0][3], "2027-W04");
    assert_eq!(mid_week["tables"][0]["rows"].as_array().unwrap().len(), 1);
    // Days within the range; the whole run has no periods to pick.
    let refused = herald_report(
        &project,
        &[
            "demo",
            "--format",
            "json",
            "--from",
            "2027-01-25",
            "--database-url",
            &url,
        ],
    );
    assert_eq!(refused.code, 2);
    assert!(
        refused.stderr.contains("use --period week or --period day"),
        "{}",
        refused.stderr
    );
    let refused = herald_report(
        &project,
        &[
            "demo",
            "--format",
            "json",
            "--period",
            "week",
            "--from",
            "25/01/2027",
            "--database-url",
            &url,
        ],
    );
    assert_eq!(refused.code, 2);
    assert!(
        refused.stderr.contains("--from `25/01/2027` is not a date"),
        "{}",
        refused.stderr
    );
}

/// Only settled days of closed periods are published, so a published cell reads the same on
/// every request: asking again and again, or adding clicks of one's own to a public link,
/// never shows it with another noise.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_settled_closed_periods_are_published_and_never_change() {
    let project = Project::valid();
    let (store, url, version) = stored_version(&project).await;
    let sent = |day: &str, n: i64| {
        let mut c = count(&version, "ar", "telegram:info", "a", "sent", n);
        c.day = day.into();
        c.key_sum = n * 97 + 13;
        c
    };
    store
        .add_delivery_counts(&[sent("2027-01-18", 300), sent("2027-01-25", 200)])
        .await
        .unwrap();
    let report = |period: &str, as_of: &str| {
        project.herald(&[
            "report",
            "demo",
            "--as-of",
            as_of,
            "--period",
            period,
            "--format",
            "json",
            "--database-url",
            &url,
        ])
    };
    let weeks = |as_of: &str| -> Vec<serde_json::Value> {
        let run = report("week", as_of);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        json["tables"]
            .as_array()
            .and_then(|tables| tables.first())
            .map(|table| {
                table["rows"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r[3].clone())
                    .collect()
            })
            .unwrap_or_default()
    };
    // On 30 January week 3 (18–24 January) has not settled: nothing is published yet.
    assert!(weeks("2027-01-30").is_empty());
    // On 2 February it has (its Sunday is eight days back); week 4 has not.
    assert_eq!(weeks("2027-02-02"), vec![serde_json::json!("2027-W03")]);
    // The whole run waits for the campaign's end (30 April) to settle.
    let refused = report("run", "2027-03-01");
    assert_eq!(refused.code, 1);
    assert!(
        refused
            .stderr
            .contains("once the campaign has ended and its last day has settled, from 2027-05-09"),
        "{}",
        refused.stderr
    );
    let first = report("run", "2027-05-09");
    assert_eq!(first.code, 0, "{}", first.stderr);
    // Events after the campaign (a click on an old link, a late read) never move it.
    let mut late = sent("2027-06-01", 40);
    late.status = "read".into();
    store.add_delivery_counts(&[late]).await.unwrap();
    let mut click = clicks("ar", 25);
    click.0.day = "2027-06-01".into();
    store.add_click_counts(&[click]).await.unwrap();
    let tables = |run: &common::Run| {
        let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        json["tables"].clone()
    };
    let again = report("run", "2028-01-01");
    assert_eq!(
        tables(&again),
        tables(&first),
        "the whole run reads the same"
    );
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&again.stdout).unwrap()["published_through"],
        "2027-05-01"
    );
    let html = project.herald(&[
        "report",
        "demo",
        "--as-of",
        "2028-01-01",
        "--format",
        "html",
        "--database-url",
        &url,
    ]);
    assert!(
        html.stdout.contains("Counts events through 2027-05-01"),
        "{}",
        html.stdout
    );
}
