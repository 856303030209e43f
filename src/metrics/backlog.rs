//! The outbox as the database holds it, as the gauges show it: how many jobs wait in each
//! status, how long the oldest due job has waited, how many partner throttles hold an account
//! or recipient, and how many dead letters wait for a WhatsApp template to be fixed. The app
//! reads these from the database when Prometheus scrapes (`crate::app`), so that the figures
//! are the database's, whichever process is asked; metrics only keeps them.

use super::Metrics;
use super::labels::StatusLabels;

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

/// The backlog's figures at one moment.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BacklogFigures {
    /// `(status, jobs)` for every status that has jobs.
    pub jobs_by_status: Vec<(String, i64)>,
    /// How long the oldest job that could be sent now has been due (0 when none).
    pub oldest_due_age_seconds: f64,
    /// Rate buckets (accounts and recipients) a partner's throttle holds now.
    pub paused_buckets: i64,
    /// Dead letters refused because their WhatsApp template cannot be used.
    pub template_blocked: i64,
    /// Accounts that cannot send until a credential is stored.
    pub accounts_waiting: i64,
}

impl Metrics {
    /// Sets the backlog gauges.
    pub fn record_backlog(&self, figures: &BacklogFigures) {
        for status in STATUSES {
            let jobs = figures
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
        self.oldest_due_age.set(figures.oldest_due_age_seconds);
        self.paused_accounts.set(figures.paused_buckets);
        self.template_blocked.set(figures.template_blocked);
        self.accounts_waiting.set(figures.accounts_waiting);
    }

    /// A scrape could not read the backlog; the gauges keep their last values.
    pub fn backlog_read_failed(&self) {
        self.backlog_errors.inc();
    }
}
