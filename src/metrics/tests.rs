use std::time::Duration;

use super::*;

#[test]
fn requests_are_counted_and_timed_by_route_template_with_bounded_methods() {
    let metrics = Metrics::new();
    metrics.http_request(
        "/api/v1/campaigns/{id}",
        "GET",
        200,
        Duration::from_millis(3),
    );
    metrics.http_request(
        "/api/v1/campaigns/{id}",
        "GET",
        200,
        Duration::from_millis(5),
    );
    for invented in ["BREW", "X1", "X2"] {
        metrics.http_request("unmatched", invented, 405, Duration::from_millis(1));
    }
    let text = metrics.render();
    assert!(
        text.contains(
            "herald_http_requests_total{route=\"/api/v1/campaigns/{id}\",method=\"GET\",status=\"200\"} 2\n"
        ),
        "{text}"
    );
    // Methods a client invents share one series.
    assert!(
        text.contains(
            "herald_http_requests_total{route=\"unmatched\",method=\"other\",status=\"405\"} 3\n"
        ),
        "{text}"
    );
    assert!(!text.contains("BREW"), "{text}");
    assert!(
        text.contains("herald_http_request_duration_seconds_count{route=\"/api/v1/campaigns/{id}\",status=\"2xx\"} 2\n"),
        "{text}"
    );
    // Both requests took under 8 ms.
    assert!(
        text.contains("herald_http_request_duration_seconds_bucket{le=\"0.008\",route=\"/api/v1/campaigns/{id}\",status=\"2xx\"} 2\n"),
        "{text}"
    );
}

#[test]
fn outcomes_are_apart_from_stages_so_their_sum_counts_each_job_once() {
    let metrics = Metrics::new();
    metrics.dispatched(&JobCounts {
        leased: 3,
        sent: 2,
        dead: 1,
        ..Default::default()
    });
    metrics.planned(5);
    let text = metrics.render();
    assert!(text.contains("herald_jobs_leased_total 3\n"), "{text}");
    assert!(text.contains("herald_jobs_planned_total 5\n"), "{text}");
    let outcomes: u64 = text
        .lines()
        .filter(|l| l.starts_with("herald_job_outcomes_total{"))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
        .sum();
    assert_eq!(outcomes, 3, "{text}");
    assert!(text.contains("herald_job_outcomes_total{outcome=\"sent\"} 2\n"));
    assert!(text.contains("herald_job_outcomes_total{outcome=\"dead\"} 1\n"));
    metrics.store_failed();
    assert!(metrics.render().contains("herald_store_failures_total 1\n"));
}

#[test]
fn partner_calls_batches_and_the_build_are_reported() {
    let metrics = Metrics::new();
    metrics.partner_call(
        "whatsapp",
        PartnerCallOutcome::Throttled,
        Duration::from_millis(40),
    );
    metrics.batch_finished(Duration::from_millis(250));
    let text = metrics.render();
    assert!(
        text.contains("herald_partner_call_duration_seconds_count{platform=\"whatsapp\",outcome=\"throttled\"} 1\n"),
        "{text}"
    );
    assert!(
        text.contains("herald_dispatch_batch_duration_seconds_count 1\n"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "herald_build_info{{version=\"{}\"}} 1\n",
            env!("CARGO_PKG_VERSION")
        )),
        "{text}"
    );
    assert!(text.ends_with("# EOF\n"), "{text}");
}

#[test]
fn the_backlog_reports_every_status_and_the_age_of_the_oldest_due_job() {
    let metrics = Metrics::new();
    metrics.record_backlog(&BacklogFigures {
        jobs_by_status: vec![("queued".into(), 7), ("dead".into(), 2)],
        oldest_due_age_seconds: 90.0,
        paused_buckets: 1,
        template_blocked: 3,
        accounts_waiting: 2,
    });
    let text = metrics.render();
    assert!(
        text.contains("herald_outbox_jobs{status=\"queued\"} 7\n"),
        "{text}"
    );
    assert!(
        text.contains("herald_outbox_jobs{status=\"dead\"} 2\n"),
        "{text}"
    );
    // A status with no job still has a series, at 0.
    assert!(
        text.contains("herald_outbox_jobs{status=\"unknown\"} 0\n"),
        "{text}"
    );
    assert!(
        text.contains("herald_outbox_oldest_due_age_seconds 90.0\n"),
        "{text}"
    );
    assert!(text.contains("herald_paused_accounts 1\n"), "{text}");
    assert!(
        text.contains("herald_dead_jobs_template_blocked 3\n"),
        "{text}"
    );
    assert!(
        text.contains("herald_accounts_waiting_for_credentials 2\n"),
        "{text}"
    );
}
