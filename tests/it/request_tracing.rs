//! Every route of the front door (probes, API, web pages, tracking links, partner hooks, and
//! paths no route matches) answers with a request id and is counted and timed under its
//! route template. Attacks: a path full of ids a stranger invents must not become a label
//! value, a request id that is too long or carries other characters is replaced, not echoed.

use crate::common;

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use common::app::{AppOptions, spawn_app};
use herald::clock::SimulatedClock;

/// The count of the series `name{labels}` in this process's metrics, 0 when absent.
fn series(name_and_labels: &str) -> u64 {
    herald::metrics::METRICS
        .render()
        .lines()
        .find_map(|line| line.strip_prefix(&format!("{name_and_labels} ")))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or(0)
}

fn requests(route: &str, method: &str, status: u16) -> u64 {
    series(&format!(
        "herald_http_requests_total{{route=\"{route}\",method=\"{method}\",status=\"{status}\"}}"
    ))
}

#[tokio::test]
async fn every_route_gets_a_request_id_and_its_template_in_the_metrics() {
    let clock = SimulatedClock::starting_at(Utc.with_ymd_and_hms(2027, 1, 2, 9, 0, 0).unwrap());
    let app = spawn_app(AppOptions::new(common::CONFIG, Arc::new(clock))).await;
    let client = reqwest::Client::new();
    // Each request, by route template, with the status it must get.
    let cases: [(&str, &str, &str, u16); 5] = [
        ("GET", "/healthz", "/healthz", 200),
        ("GET", "/ui/static/herald.css", "/ui/static/herald.css", 200),
        ("GET", "/r/not-a-link-7f3a9", "/r/{token}", 404),
        ("GET", "/api/v1/me", "/api/v1/me", 401),
        ("GET", "/no/such/page-5e1b2", "unmatched", 404),
    ];
    let before: Vec<u64> = cases
        .iter()
        .map(|(method, _, route, status)| requests(route, method, *status))
        .collect();
    for (method, path, route, status) in cases {
        let answer = client
            .request(method.parse().unwrap(), app.url(path))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status().as_u16(), status, "{path} ({route})");
        let id = answer
            .headers()
            .get("x-request-id")
            .unwrap_or_else(|| panic!("{path} answered without x-request-id"))
            .to_str()
            .unwrap();
        assert_eq!(id.len(), 16, "{path}: {id}");
    }
    for ((method, path, route, status), before) in cases.iter().zip(before) {
        assert!(
            requests(route, method, *status) > before,
            "{path} not counted under {route}"
        );
    }
    let text = herald::metrics::METRICS.render();
    for invented in ["not-a-link-7f3a9", "page-5e1b2"] {
        assert!(
            !text.contains(invented),
            "a raw path became a label: {invented}"
        );
    }
    assert!(
        text.contains("herald_http_request_duration_seconds_count{route=\"/r/{token}\",method=\"GET\",status=\"404\"}"),
        "{text}"
    );
    // A caller's plain id comes back; a long or odd one is replaced.
    for (sent, kept) in [
        ("proxy-req-0042", true),
        (&*"a".repeat(65), false),
        ("id with spaces", false),
    ] {
        let answer = client
            .get(app.url("/healthz"))
            .header("x-request-id", sent)
            .send()
            .await
            .unwrap();
        let id = answer.headers()["x-request-id"].to_str().unwrap();
        assert_eq!(id == sent, kept, "{sent:?} answered with {id:?}");
    }
    app.stop().await;
}
