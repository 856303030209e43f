//! The outbox as the database holds it, read when Prometheus scrapes: how many jobs wait in
//! each status, how long the oldest due job has waited, how many partner throttles hold an
//! account or recipient, and how many dead letters wait for a WhatsApp template to be fixed. Read at scrape time rather than kept by each worker, so that the
//! figures are the database's, whichever process is asked.

use std::time::{SystemTime, UNIX_EPOCH};

use super::Metrics;
use super::labels::StatusLabels;
use crate::platforms::TEMPLATE_BLOCKED_CODES;
use crate::store::{AnyStore, Backlog, Store};

/// The statuses always reported, 0 when no job has them, so that alerts on them see a series.
const STATUSES: [&str; 8] = [
    "queued",
    "leased",
    "sending",
    "sent",
    "expanded",
    "dead",
    "unknown",
    "cancelled",
];

impl Metrics {
    /// Reads the backlog from `store` into the gauges; a failed read is counted, and the
    /// gauges keep their last values.
    pub async fn refresh_backlog(&self, store: &AnyStore) {
        let now_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64);
        match store.outbox_backlog(now_ms).await {
            Ok(backlog) => self.record_backlog(&backlog, now_ms),
            Err(error) => {
                tracing::warn!(%error, "metrics: cannot read the outbox backlog");
                self.backlog_errors.inc();
            }
        }
    }

    pub(super) fn record_backlog(&self, backlog: &Backlog, now_ms: i64) {
        for status in STATUSES {
            let jobs = backlog
                .jobs_by_status
                .iter()
                .find(|(s, _)| s == status)
                .map_or(0, |(_, n)| *n);
            self.jobs_by_status
                .get_or_create(&StatusLabels {
                    status: status.to_string(),
                })
                .set(jobs);
        }
        let age_ms = backlog
            .oldest_due_ms
            .map_or(0, |due| now_ms.saturating_sub(due).max(0));
        self.oldest_due_age.set(age_ms as f64 / 1000.0);
        self.paused_accounts.set(backlog.paused_buckets);
        self.template_blocked.set(template_blocked(backlog));
    }
}

/// Dead letters of WhatsApp channels refused because their template cannot be used.
fn template_blocked(backlog: &Backlog) -> i64 {
    backlog
        .dead_by_code
        .iter()
        .filter(|(channel, code, _)| {
            channel.starts_with("whatsapp:")
                && code
                    .as_deref()
                    .is_some_and(|code| TEMPLATE_BLOCKED_CODES.contains(&code))
        })
        .map(|(_, _, jobs)| jobs)
        .sum()
}
