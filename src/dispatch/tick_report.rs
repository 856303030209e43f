//! What one tick did, counted for the worker's log and the metrics.

use crate::metrics::JobCounts;
use crate::store::JobOutcome;

/// What one tick did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TickReport {
    pub leased: usize,
    pub sent: usize,
    /// Failed transiently (or unknown on a platform that deduplicates) and will be retried.
    pub retried: usize,
    /// Not sent yet because of pacing, a throttled account or a daily cap; no attempt used.
    pub deferred: usize,
    pub dead: usize,
    pub unknown: usize,
    /// Jobs of stopped workers: resent with their idempotency key, or marked unknown.
    pub recovered_resent: usize,
    pub recovered_unknown: usize,
    /// Delivery jobs added by fanning broadcast jobs out to subscribers.
    pub expanded: usize,
    /// Deliveries dropped because the person opted out before their turn.
    pub cancelled: usize,
    /// Subscribers erased because the partner said they are gone.
    pub erased: usize,
}

impl TickReport {
    /// What the metrics count of this tick.
    pub fn job_counts(&self) -> JobCounts {
        JobCounts {
            leased: self.leased,
            sent: self.sent,
            retried: self.retried,
            deferred: self.deferred,
            dead: self.dead,
            unknown: self.unknown + self.recovered_unknown,
            cancelled: self.cancelled,
            erased: self.erased,
        }
    }

    /// Counts one job's outcome under its heading (an expansion is counted by its deliveries,
    /// in `expanded`, by whoever expands).
    pub(super) fn count(&mut self, outcome: &JobOutcome) {
        match outcome {
            JobOutcome::Sent { .. } => self.sent += 1,
            JobOutcome::Requeue {
                counts_as_attempt: true,
                ..
            } => self.retried += 1,
            JobOutcome::Requeue { .. } => self.deferred += 1,
            JobOutcome::Resend { .. } => self.retried += 1,
            JobOutcome::Dead { .. } => self.dead += 1,
            JobOutcome::Unknown { .. } => self.unknown += 1,
            JobOutcome::Expanded { .. } => {}
            JobOutcome::Cancelled { .. } => self.cancelled += 1,
        }
    }
}
