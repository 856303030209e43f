//! herald's own operational metrics in the Prometheus text format, served on a listener of
//! their own (not the API's): HTTP requests by method and status, and dispatch outcomes. Only
//! counts of herald's work: nothing about the people in an audience.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::LazyLock;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::routing::get;

#[derive(Default)]
pub struct Metrics {
    http_requests: Mutex<BTreeMap<(String, u16), u64>>,
    jobs_leased: AtomicU64,
    jobs_sent: AtomicU64,
    jobs_retried: AtomicU64,
    jobs_deferred: AtomicU64,
    jobs_dead: AtomicU64,
    jobs_unknown: AtomicU64,
    jobs_planned: AtomicU64,
    jobs_cancelled: AtomicU64,
    subscribers_erased: AtomicU64,
    store_failures: AtomicU64,
    callbacks_counted: AtomicU64,
    callbacks_duplicate: AtomicU64,
    callbacks_pending: AtomicU64,
    consent_applied: AtomicU64,
    consent_repeated: AtomicU64,
    consent_superseded: AtomicU64,
    consent_too_old: AtomicU64,
    consent_too_early: AtomicU64,
}

/// What became of a partner's opt-in or opt-out (see `reach::hooks`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsentEventResult {
    Applied,
    /// Its event id was seen before: a retry or a replay.
    Repeated,
    /// A later consent event of the same person was applied first.
    Superseded,
    /// Stamped longer ago than the partner retries.
    TooOld,
    /// Stamped too far in the future.
    TooEarly,
}

/// What a batch of the dispatcher did, as the metrics count it. The dispatcher fills it in
/// from its own report, so that metrics need not know the dispatcher.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JobCounts {
    pub leased: usize,
    pub sent: usize,
    pub retried: usize,
    pub deferred: usize,
    pub dead: usize,
    /// Outcome unknown, in this batch or recovered from a stopped worker.
    pub unknown: usize,
    pub cancelled: usize,
    pub erased: usize,
}

/// The request methods counted under their own name.
const KNOWN_METHODS: [&str; 7] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/// The process's metrics.
pub static METRICS: LazyLock<Metrics> = LazyLock::new(Metrics::default);

impl Metrics {
    /// Counts an API request. The method is a label value a client chooses, so any method
    /// outside HTTP's usual ones counts as `other`: a client inventing methods cannot grow the
    /// series without end.
    pub fn http_request(&self, method: &str, status: u16) {
        let method = KNOWN_METHODS
            .iter()
            .find(|known| **known == method)
            .copied()
            .unwrap_or("other");
        let mut requests = self.http_requests.lock().unwrap_or_else(|p| p.into_inner());
        *requests.entry((method.to_string(), status)).or_default() += 1;
    }

    pub fn dispatched(&self, report: &JobCounts) {
        self.jobs_leased
            .fetch_add(report.leased as u64, Ordering::Relaxed);
        self.jobs_sent
            .fetch_add(report.sent as u64, Ordering::Relaxed);
        self.jobs_retried
            .fetch_add(report.retried as u64, Ordering::Relaxed);
        self.jobs_deferred
            .fetch_add(report.deferred as u64, Ordering::Relaxed);
        self.jobs_dead
            .fetch_add(report.dead as u64, Ordering::Relaxed);
        self.jobs_unknown
            .fetch_add(report.unknown as u64, Ordering::Relaxed);
        self.jobs_cancelled
            .fetch_add(report.cancelled as u64, Ordering::Relaxed);
        self.subscribers_erased
            .fetch_add(report.erased as u64, Ordering::Relaxed);
    }

    pub fn callbacks_ingested(&self, report: &crate::store::IngestReport) {
        self.callbacks_counted
            .fetch_add(report.counted, Ordering::Relaxed);
        self.callbacks_duplicate
            .fetch_add(report.duplicates, Ordering::Relaxed);
        self.callbacks_pending
            .fetch_add(report.pending, Ordering::Relaxed);
    }

    /// Callbacks kept aside and now matched: counted (no longer pending) or found duplicate.
    pub fn callbacks_rematched(&self, report: &crate::store::IngestReport) {
        self.callbacks_counted
            .fetch_add(report.counted, Ordering::Relaxed);
        self.callbacks_duplicate
            .fetch_add(report.duplicates, Ordering::Relaxed);
    }

    /// A worker pass that failed on the database and will be retried.
    pub fn store_failed(&self) {
        self.store_failures.fetch_add(1, Ordering::Relaxed);
    }

    pub fn consent_event(&self, result: ConsentEventResult) {
        let counter = match result {
            ConsentEventResult::Applied => &self.consent_applied,
            ConsentEventResult::Repeated => &self.consent_repeated,
            ConsentEventResult::Superseded => &self.consent_superseded,
            ConsentEventResult::TooOld => &self.consent_too_old,
            ConsentEventResult::TooEarly => &self.consent_too_early,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub fn planned(&self, jobs: u64) {
        self.jobs_planned.fetch_add(jobs, Ordering::Relaxed);
    }

    /// The exposition text.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP herald_http_requests_total API requests answered, by method and status."
        );
        let _ = writeln!(out, "# TYPE herald_http_requests_total counter");
        for ((method, status), count) in self
            .http_requests
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
        {
            let _ = writeln!(
                out,
                "herald_http_requests_total{{method=\"{method}\",status=\"{status}\"}} {count}"
            );
        }
        let _ = writeln!(
            out,
            "# HELP herald_jobs_total Outbox jobs handled by this process, by outcome."
        );
        let _ = writeln!(out, "# TYPE herald_jobs_total counter");
        for (outcome, counter) in [
            ("leased", &self.jobs_leased),
            ("sent", &self.jobs_sent),
            ("retried", &self.jobs_retried),
            ("deferred", &self.jobs_deferred),
            ("dead", &self.jobs_dead),
            ("unknown", &self.jobs_unknown),
            ("planned", &self.jobs_planned),
            ("cancelled", &self.jobs_cancelled),
        ] {
            let _ = writeln!(
                out,
                "herald_jobs_total{{outcome=\"{outcome}\"}} {}",
                counter.load(Ordering::Relaxed)
            );
        }
        let _ = writeln!(
            out,
            "# HELP herald_status_callbacks_total Partner status callbacks received, by what became of them."
        );
        let _ = writeln!(out, "# TYPE herald_status_callbacks_total counter");
        for (result, counter) in [
            ("counted", &self.callbacks_counted),
            ("duplicate", &self.callbacks_duplicate),
            ("pending", &self.callbacks_pending),
        ] {
            let _ = writeln!(
                out,
                "herald_status_callbacks_total{{result=\"{result}\"}} {}",
                counter.load(Ordering::Relaxed)
            );
        }
        let _ = writeln!(
            out,
            "# HELP herald_consent_events_total Partner opt-ins and opt-outs received, by what became of them."
        );
        let _ = writeln!(out, "# TYPE herald_consent_events_total counter");
        for (result, counter) in [
            ("applied", &self.consent_applied),
            ("repeated", &self.consent_repeated),
            ("superseded", &self.consent_superseded),
            ("too_old", &self.consent_too_old),
            ("too_early", &self.consent_too_early),
        ] {
            let _ = writeln!(
                out,
                "herald_consent_events_total{{result=\"{result}\"}} {}",
                counter.load(Ordering::Relaxed)
            );
        }
        let _ = writeln!(
            out,
            "# HELP herald_subscribers_erased_total Subscribers erased because a partner said they are gone."
        );
        let _ = writeln!(out, "# TYPE herald_subscribers_erased_total counter");
        let _ = writeln!(
            out,
            "herald_subscribers_erased_total {}",
            self.subscribers_erased.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            out,
            "# HELP herald_store_failures_total Worker passes that failed on the database and were retried."
        );
        let _ = writeln!(out, "# TYPE herald_store_failures_total counter");
        let _ = writeln!(
            out,
            "herald_store_failures_total {}",
            self.store_failures.load(Ordering::Relaxed)
        );
        out
    }
}

/// `GET /metrics` for a Prometheus scraper.
pub fn router() -> Router {
    Router::new().route(
        "/metrics",
        get(|| async {
            (
                [("content-type", "text/plain; version=0.0.4")],
                METRICS.render(),
            )
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_in_the_exposition_format() {
        let metrics = Metrics::default();
        metrics.http_request("GET", 200);
        metrics.http_request("GET", 200);
        metrics.dispatched(&JobCounts {
            leased: 3,
            sent: 2,
            dead: 1,
            ..Default::default()
        });
        for invented in ["BREW", "X1", "X2"] {
            metrics.http_request(invented, 405);
        }
        let text = metrics.render();
        assert!(
            text.contains("herald_http_requests_total{method=\"GET\",status=\"200\"} 2\n"),
            "{text}"
        );
        // Methods a client invents share one series.
        assert!(
            text.contains("herald_http_requests_total{method=\"other\",status=\"405\"} 3\n"),
            "{text}"
        );
        assert!(!text.contains("BREW"), "{text}");
        assert!(text.contains("herald_jobs_total{outcome=\"sent\"} 2\n"));
        assert!(text.contains("herald_jobs_total{outcome=\"dead\"} 1\n"));
        metrics.store_failed();
        assert!(metrics.render().contains("herald_store_failures_total 1\n"));
    }
}
