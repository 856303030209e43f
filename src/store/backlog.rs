//! The outbox's backlog at one moment, as operators watch it (see `crate::metrics`).

/// Jobs per status, the earliest due job, and the partner throttles holding now.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Backlog {
    /// `(status, jobs)` for every status that has jobs.
    pub jobs_by_status: Vec<(String, i64)>,
    /// When the earliest queued job that is due now became due (ms since the epoch).
    pub oldest_due_ms: Option<i64>,
    /// Rate buckets (accounts and recipients) a partner's throttle holds now.
    pub paused_buckets: i64,
    /// `(channel, partner error code, jobs)` of the dead letters.
    pub dead_by_code: Vec<(String, Option<String>, i64)>,
}
