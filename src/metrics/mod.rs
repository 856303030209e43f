//! herald's own operational metrics, served on a listener of their own (not the API's) in the
//! OpenMetrics text format that Prometheus scrapes: HTTP requests per matched route, partner
//! calls per platform and outcome, dispatch batches, job outcomes apart from the stages a job
//! passes, the outbox backlog and the build. Only counts and timings of herald's work: nothing
//! about the people in an audience, and every label value comes from a fixed set (a route
//! template, a platform, an outcome), never from what a client sends.

mod backlog;
mod labels;

use std::sync::LazyLock;
use std::time::Duration;

use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::metrics::info::Info;
use prometheus_client::registry::{Registry, Unit};

pub use backlog::BacklogFigures;
use labels::{
    HttpDurationLabels, HttpLabels, OutcomeLabels, PartnerCallLabels, ResultLabels, StatusLabels,
    status_class,
};
pub use labels::{PartnerCallOutcome, bounded_method};

/// The process's metrics.
pub static METRICS: LazyLock<Metrics> = LazyLock::new(Metrics::new);

/// The content type of the OpenMetrics text format.
pub const OPENMETRICS: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

pub struct Metrics {
    registry: Registry,
    http_requests: Family<HttpLabels, Counter>,
    http_duration: Family<HttpDurationLabels, Histogram>,
    partner_calls: Family<PartnerCallLabels, Histogram>,
    batch_duration: Histogram,
    jobs_leased: Counter,
    jobs_planned: Counter,
    job_outcomes: Family<OutcomeLabels, Counter>,
    subscribers_erased: Counter,
    store_failures: Counter,
    callbacks: Family<ResultLabels, Counter>,
    consent_events: Family<ResultLabels, Counter>,
    notification_digests: Family<ResultLabels, Counter>,
    jobs_by_status: Family<StatusLabels, Gauge>,
    oldest_due_age: Gauge<f64, std::sync::atomic::AtomicU64>,
    paused_accounts: Gauge,
    template_blocked: Gauge,
    accounts_waiting: Gauge,
    backlog_errors: Counter,
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

/// Seconds from 1 ms to about 33 s, doubling: HTTP requests and partner calls.
fn latency_buckets() -> Histogram {
    Histogram::new(exponential_buckets(0.001, 2.0, 16))
}

/// Seconds from 10 ms to about 5.5 min, doubling: a dispatch batch, which waits for its
/// paced send times.
fn batch_buckets() -> Histogram {
    Histogram::new(exponential_buckets(0.01, 2.0, 16))
}

impl Metrics {
    fn new() -> Metrics {
        let mut metrics = Metrics {
            registry: Registry::with_prefix("herald"),
            http_requests: Family::default(),
            http_duration: Family::new_with_constructor(latency_buckets),
            partner_calls: Family::new_with_constructor(latency_buckets),
            batch_duration: batch_buckets(),
            jobs_leased: Counter::default(),
            jobs_planned: Counter::default(),
            job_outcomes: Family::default(),
            subscribers_erased: Counter::default(),
            store_failures: Counter::default(),
            callbacks: Family::default(),
            consent_events: Family::default(),
            notification_digests: Family::default(),
            jobs_by_status: Family::default(),
            oldest_due_age: Gauge::default(),
            paused_accounts: Gauge::default(),
            template_blocked: Gauge::default(),
            accounts_waiting: Gauge::default(),
            backlog_errors: Counter::default(),
        };
        metrics.register_work();
        metrics.register_backlog();
        // Every outcome, result and status has a series from the start, so that alerts and
        // rates see 0 rather than nothing.
        metrics.dispatched(&JobCounts::default());
        for result in ["counted", "duplicate", "pending"] {
            metrics.callback(result, 0);
        }
        for result in ["sent", "failed"] {
            metrics
                .notification_digests
                .get_or_create(&ResultLabels { result })
                .inc_by(0);
        }
        metrics.record_backlog(&BacklogFigures::default());
        metrics
    }

    /// The build, and the counters and histograms of this process's own work.
    fn register_work(&mut self) {
        let registry = &mut self.registry;
        registry.register(
            "build",
            "The herald build this process runs.",
            Info::new(vec![("version", env!("CARGO_PKG_VERSION"))]),
        );
        registry.register(
            "http_requests",
            "HTTP requests answered, by matched route template, method and status.",
            self.http_requests.clone(),
        );
        registry.register_with_unit(
            "http_request_duration",
            "Time to answer an HTTP request, by matched route template and status class.",
            Unit::Seconds,
            self.http_duration.clone(),
        );
        registry.register_with_unit(
            "partner_call_duration",
            "Time a partner took to answer one call, by platform and outcome.",
            Unit::Seconds,
            self.partner_calls.clone(),
        );
        registry.register_with_unit(
            "dispatch_batch_duration",
            "Time one dispatch batch took, from lease to recorded outcomes (it waits for paced send times).",
            Unit::Seconds,
            self.batch_duration.clone(),
        );
        registry.register(
            "jobs_leased",
            "Outbox jobs this process leased (a stage, not an outcome).",
            self.jobs_leased.clone(),
        );
        registry.register(
            "jobs_planned",
            "Outbox jobs this process planned (a stage, not an outcome).",
            self.jobs_planned.clone(),
        );
        registry.register(
            "job_outcomes",
            "What became of outbox jobs this process handled: each handling ends in one outcome, so sum() adds up.",
            self.job_outcomes.clone(),
        );
        registry.register(
            "subscribers_erased",
            "Subscribers erased because a partner said they are gone.",
            self.subscribers_erased.clone(),
        );
        registry.register(
            "store_failures",
            "Worker passes that failed on the database and were retried.",
            self.store_failures.clone(),
        );
        registry.register(
            "status_callbacks",
            "Partner status callbacks received, by what became of them.",
            self.callbacks.clone(),
        );
        registry.register(
            "consent_events",
            "Partner opt-ins and opt-outs received, by what became of them.",
            self.consent_events.clone(),
        );
        registry.register(
            "notification_digests",
            "Attempts to send a staff notification digest, by result (a failed one is retried with backoff).",
            self.notification_digests.clone(),
        );
    }

    /// The gauges of the outbox as the database holds it, read when scraped.
    fn register_backlog(&mut self) {
        let registry = &mut self.registry;
        registry.register(
            "outbox_jobs",
            "Outbox jobs in the database by status, read when scraped (every process reports the same database: use max()).",
            self.jobs_by_status.clone(),
        );
        registry.register_with_unit(
            "outbox_oldest_due_age",
            "How long the oldest queued job has been due, read when scraped (0 when none is due).",
            Unit::Seconds,
            self.oldest_due_age.clone(),
        );
        registry.register(
            "paused_accounts",
            "Partner accounts and recipients a partner's throttle holds right now, read when scraped.",
            self.paused_accounts.clone(),
        );
        registry.register(
            "dead_jobs_template_blocked",
            "Dead letters a partner refused because their WhatsApp template cannot be used (paused, disabled, missing or mismatched), read when scraped.",
            self.template_blocked.clone(),
        );
        registry.register(
            "accounts_waiting_for_credentials",
            "Partner accounts that cannot send until a credential is stored; their jobs wait (and are left out of the oldest due age).",
            self.accounts_waiting.clone(),
        );
        registry.register(
            "backlog_read_failures",
            "Scrapes that could not read the outbox from the database.",
            self.backlog_errors.clone(),
        );
    }

    /// Counts and times an HTTP request. `route` is the matched route template (or
    /// `unmatched`), never the raw path, and the method is bounded (see [`bounded_method`]).
    pub fn http_request(&self, route: &str, method: &str, status: u16, elapsed: Duration) {
        let labels = HttpLabels {
            route: route.to_string(),
            method: bounded_method(method),
            status,
        };
        self.http_requests.get_or_create(&labels).inc();
        self.http_duration
            .get_or_create(&HttpDurationLabels {
                route: labels.route,
                status: status_class(status),
            })
            .observe(elapsed.as_secs_f64());
    }

    /// Times one call to a partner.
    pub fn partner_call(
        &self,
        platform: &'static str,
        outcome: PartnerCallOutcome,
        elapsed: Duration,
    ) {
        self.partner_calls
            .get_or_create(&PartnerCallLabels {
                platform,
                outcome: outcome.label(),
            })
            .observe(elapsed.as_secs_f64());
    }

    /// Times one dispatch batch that leased jobs.
    pub fn batch_finished(&self, elapsed: Duration) {
        self.batch_duration.observe(elapsed.as_secs_f64());
    }

    pub fn dispatched(&self, report: &JobCounts) {
        self.jobs_leased.inc_by(report.leased as u64);
        for (outcome, count) in [
            ("sent", report.sent),
            ("retried", report.retried),
            ("deferred", report.deferred),
            ("dead", report.dead),
            ("unknown", report.unknown),
            ("cancelled", report.cancelled),
        ] {
            self.job_outcomes
                .get_or_create(&OutcomeLabels { outcome })
                .inc_by(count as u64);
        }
        self.subscribers_erased.inc_by(report.erased as u64);
    }

    pub fn callbacks_ingested(&self, report: &crate::store::IngestReport) {
        self.callback("counted", report.counted);
        self.callback("duplicate", report.duplicates);
        self.callback("pending", report.pending);
    }

    /// Callbacks kept aside and now matched: counted (no longer pending) or found duplicate.
    pub fn callbacks_rematched(&self, report: &crate::store::IngestReport) {
        self.callback("counted", report.counted);
        self.callback("duplicate", report.duplicates);
    }

    fn callback(&self, result: &'static str, count: u64) {
        self.callbacks
            .get_or_create(&ResultLabels { result })
            .inc_by(count);
    }

    /// A worker pass that failed on the database and will be retried.
    pub fn store_failed(&self) {
        self.store_failures.inc();
    }

    pub fn consent_event(&self, result: ConsentEventResult) {
        let result = match result {
            ConsentEventResult::Applied => "applied",
            ConsentEventResult::Repeated => "repeated",
            ConsentEventResult::Superseded => "superseded",
            ConsentEventResult::TooOld => "too_old",
            ConsentEventResult::TooEarly => "too_early",
        };
        self.consent_events
            .get_or_create(&ResultLabels { result })
            .inc();
    }

    /// One attempt to send a staff notification digest.
    pub fn digest_attempt(&self, sent: bool) {
        let result = if sent { "sent" } else { "failed" };
        self.notification_digests
            .get_or_create(&ResultLabels { result })
            .inc();
    }

    pub fn planned(&self, jobs: u64) {
        self.jobs_planned.inc_by(jobs);
    }

    /// The exposition text, in the OpenMetrics text format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = encode(&mut out, &self.registry);
        out
    }
}

#[cfg(test)]
mod tests;
