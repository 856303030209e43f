//! A report over 10 million status events, as the counters ingestion keeps them (one row per
//! dimension, day and status), on SQLite and (when `HERALD_TEST_POSTGRES_URL` is set)
//! PostgreSQL. The baseline, measured in the same run, is reading the same rows and nothing
//! else.
//!
//! `cargo bench --bench report`.

use std::time::{Duration, Instant};

use chrono::{NaiveDate, Utc};
use herald::campaign::VersionBundle;
use herald::report::{Period, Protection, build_report, to_json};
use herald::store::{AnyStore, DeliveryCount, Store, connect};

const EVENTS: i64 = 10_000_000;

fn counters(version: &str) -> Vec<DeliveryCount> {
    let segments = ["in-eu", "third-country", "diaspora"];
    let locales = ["ar", "fa-AF", "ps", "ti", "so", "en"];
    let channels = [
        "telegram:info",
        "whatsapp:optin",
        "viber:community",
        "facebook:page",
    ];
    let statuses = [("sent", 40), ("delivered", 35), ("read", 20), ("failed", 5)];
    let start = NaiveDate::from_ymd_opt(2027, 1, 15).expect("a date");
    let days = 100;
    let cells = (segments.len() * locales.len() * channels.len() * 2 * days) as i64;
    let per_cell = EVENTS / cells;
    let mut out = Vec::new();
    for day in 0..days {
        let date = (start + chrono::Duration::days(day as i64))
            .format("%Y-%m-%d")
            .to_string();
        for segment in segments {
            for locale in locales {
                for channel in channels {
                    for variant in ["a", "b"] {
                        for (status, share) in statuses {
                            out.push(DeliveryCount {
                                campaign: "bench".into(),
                                version: version.into(),
                                send: "weekly".into(),
                                segment: segment.into(),
                                locale: locale.into(),
                                channel: channel.into(),
                                variant: variant.into(),
                                day: date.clone(),
                                status: status.into(),
                                count: per_cell * share / 100,
                            });
                        }
                    }
                }
            }
        }
    }
    out
}

async fn best_of_async<T, F, Fut>(runs: usize, mut f: F) -> (Duration, T)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, herald::store::StoreError>>,
{
    let mut best = Duration::MAX;
    let mut last = None;
    for _ in 0..runs {
        let start = Instant::now();
        last = Some(f().await.expect("read"));
        best = best.min(start.elapsed());
    }
    (best, last.expect("ran"))
}

async fn measure(label: &str, store: AnyStore) {
    store.migrate().await.expect("migrate");
    let bundle = VersionBundle {
        format: 1,
        campaign_id: "bench".into(),
        campaign: format!(
            "bench {}",
            Utc::now().timestamp_nanos_opt().unwrap_or_default()
        ),
        translations: Default::default(),
        layouts: Default::default(),
        channels: vec![],
    };
    let version = store
        .save_version(&bundle, Utc::now())
        .await
        .expect("version")
        .hash
        .to_string();
    let rows = counters(&version);
    let events: i64 = rows.iter().map(|r| r.count).sum();
    for chunk in rows.chunks(5_000) {
        store.add_delivery_counts(chunk).await.expect("insert");
    }
    let (read, raw) = best_of_async(3, || store.delivery_counts("bench")).await;
    assert_eq!(raw.len(), rows.len());
    let mut report_time = Duration::MAX;
    let mut tables = 0;
    for _ in 0..3 {
        let start = Instant::now();
        let totals = store.delivery_totals("bench", true).await.expect("read");
        let report = build_report(
            "bench",
            &totals,
            &[],
            Period::Week,
            Protection { k: 10, round_to: 1 },
            Utc::now(),
        );
        let json = to_json(&report);
        report_time = report_time.min(start.elapsed());
        tables = report.tables.len();
        assert!(json.len() > 1_000);
    }
    println!(
        "weekly report over {events} events, {label:<10} {:>7.1} ms   baseline (read the {} counter rows) {:>7.1} ms   ratio {:>5.2}   ({tables} tables; target < 500 ms)",
        report_time.as_secs_f64() * 1000.0,
        rows.len(),
        read.as_secs_f64() * 1000.0,
        report_time.as_secs_f64() / read.as_secs_f64()
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let sqlite = connect(&format!(
        "sqlite://{}",
        dir.path().join("bench.db").display()
    ))
    .await
    .expect("sqlite");
    measure("SQLite", sqlite).await;
    match std::env::var("HERALD_TEST_POSTGRES_URL") {
        Ok(server) if !server.is_empty() => {
            let name = format!("herald_report_bench_{}", std::process::id());
            let admin = sqlx::PgPool::connect(&server)
                .await
                .expect("connect to PostgreSQL");
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(&admin)
                .await
                .expect("create");
            let url = match server.rsplit_once('/') {
                Some((base, _)) => format!("{base}/{name}"),
                None => server.clone(),
            };
            measure("PostgreSQL", connect(&url).await.expect("postgres")).await;
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE {name} WITH (FORCE)"
            )))
            .execute(&admin)
            .await
            .expect("drop");
        }
        _ => println!("report, PostgreSQL: skipped (set HERALD_TEST_POSTGRES_URL)"),
    }
}
