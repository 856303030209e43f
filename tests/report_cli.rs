//! `herald report` on known counters: the numbers, the suppression and the metadata a reader
//! gets, in CSV, JSON and HTML.

mod common;

use common::Project;
use herald::campaign::{Target, VersionBundle, load_project};
use herald::store::{ClickKey, DeliveryCount, SqliteStore, Store};

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
    let clicks = |locale: &str, times: i64| {
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
            times,
        )
    };
    // Two batches, the second adding to the first's counter.
    store
        .add_click_counts(&[clicks("ar", 7), clicks("en", 15)])
        .await
        .unwrap();
    store.add_click_counts(&[clicks("en", 25)]).await.unwrap();
    url
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_csv_report_shows_counts_and_hides_small_or_derivable_cells() {
    let project = Project::valid();
    let url = fixture(&project).await;
    let run = project.herald(&["report", "demo", "--format", "csv", "--database-url", &url]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "metric,period_kind,row,channel,value
sent,run,in-eu / ar / a / whole run,telegram:info,suppressed
sent,run,in-eu / ar / a / whole run,whatsapp:optin,suppressed
sent,run,in-eu / ar / a / whole run,total,123
sent,run,in-eu / en / a / whole run,telegram:info,200
sent,run,in-eu / en / a / whole run,whatsapp:optin,150
sent,run,in-eu / en / a / whole run,total,350
sent,run,in-eu / fr / a / whole run,telegram:info,suppressed
sent,run,in-eu / fr / a / whole run,whatsapp:optin,suppressed
sent,run,in-eu / fr / a / whole run,total,145
sent,run,total,telegram:info,377
sent,run,total,whatsapp:optin,241
sent,run,total,total,618
clicks,run,ar / a / whole run,telegram:info,suppressed
clicks,run,ar / a / whole run,total,suppressed
clicks,run,en / a / whole run,telegram:info,suppressed
clicks,run,en / a / whole run,total,suppressed
clicks,run,total,telegram:info,47
clicks,run,total,total,47
"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_and_html_carry_their_definitions_and_protection() {
    let project = Project::valid();
    let url = fixture(&project).await;
    let run = project.herald(&[
        "report",
        "demo",
        "--format",
        "json",
        "--period",
        "week",
        "--round",
        "5",
        "--database-url",
        &url,
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        report["protection"],
        serde_json::json!({"k": 10, "round_to": 5})
    );
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
    let out = project.path("report.html");
    let run = project.herald(&[
        "report",
        "demo",
        "--format",
        "html",
        "--out",
        out.to_str().unwrap(),
        "--database-url",
        &url,
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let html = std::fs::read_to_string(out).unwrap();
    assert!(html.starts_with("<!doctype html>"));
    assert!(html.contains("<td class=\"s\">suppressed</td>") && html.contains("<td>618</td>"));
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "self-contained"
    );
    let run = project.herald(&[
        "report",
        "demo",
        "--format",
        "csv",
        "--k",
        "3",
        "--database-url",
        &url,
    ]);
    assert_eq!(run.code, 2);
    let run = project.herald(&[
        "report",
        "nobody",
        "--format",
        "csv",
        "--database-url",
        &url,
    ]);
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
    let run = project.herald(&["report", "demo", "--format", "csv", "--database-url", &url]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("delivery rate,run,in-eu / ar / a / whole run,whatsapp:optin,0.9756\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("read rate,run,in-eu / ar / a / whole run,whatsapp:optin,0.0300\n")
    );
    assert!(
        run.stdout
            .contains("read rate,run,in-eu / ar / b / whole run,whatsapp:optin,0.0375\n")
    );
    let run = project.herald(&["report", "demo", "--format", "json", "--database-url", &url]);
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
    let close = |v: &serde_json::Value, x: f64| (v.as_f64().unwrap() - x).abs() < 1e-7;
    assert!(
        close(&lift["difference"], 0.0075)
            && close(&lift["low"], -0.000_412_779)
            && close(&lift["high"], 0.015_412_779)
    );
    assert!(close(&lift["relative"], 0.25));
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
    let run = project.herald(&[
        "report",
        "demo",
        "--format",
        "html",
        "--out",
        out.to_str().unwrap(),
        "--database-url",
        &url,
    ]);
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
        html.contains("<title>+0.0075 (-0.0004 to +0.0154)</title>"),
        "the read-rate whisker"
    );
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
    let run = project.herald(&[
        "report",
        "demo",
        "--format",
        "html",
        "--out",
        out.to_str().unwrap(),
        "--database-url",
        &url,
    ]);
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn by_chooses_the_breakdowns_and_sums_over_the_rest() {
    let project = Project::valid();
    let url = fixture(&project).await;
    // By channel only: one row per period, the locales summed (ar 123, fr 145, en 350).
    let run = project.herald(&[
        "report",
        "demo",
        "--format",
        "csv",
        "--by",
        "channel",
        "--database-url",
        &url,
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let sent: Vec<&str> = run
        .stdout
        .lines()
        .filter(|l| l.starts_with("sent,"))
        .collect();
    assert_eq!(
        sent,
        [
            "sent,run,whole run,telegram:info,377",
            "sent,run,whole run,whatsapp:optin,241",
            "sent,run,whole run,total,618",
            "sent,run,total,telegram:info,377",
            "sent,run,total,whatsapp:optin,241",
            "sent,run,total,total,618",
        ]
    );
    // By locale, channels summed: the small Arabic WhatsApp count disappears into its row.
    let run = project.herald(&[
        "report",
        "demo",
        "--format",
        "json",
        "--by",
        "locale",
        "--database-url",
        &url,
    ]);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let table = &report["tables"][0];
    assert_eq!(
        table["row_dimensions"],
        serde_json::json!(["locale", "period"])
    );
    assert_eq!(table["columns"], serde_json::json!(["all channels"]));
    assert_eq!(table["cells"], serde_json::json!([[123], [350], [145]]));
    let refused = project.herald(&[
        "report",
        "demo",
        "--format",
        "csv",
        "--by",
        "person",
        "--database-url",
        &url,
    ]);
    assert_eq!(refused.code, 2);
    assert!(
        refused.stderr.contains("unknown breakdown `person`"),
        "{}",
        refused.stderr
    );
}
