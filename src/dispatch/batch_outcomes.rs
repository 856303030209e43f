//! What a tick has reached and not yet recorded: the jobs' outcomes, the subscribers a partner
//! said are gone, and the tick's counts. Every step of the send pipeline adds to it, and it is
//! written to the store from time to time (see `recording.rs`).

use super::TickReport;
use crate::store::JobOutcome;

#[derive(Debug, Default)]
pub(super) struct BatchOutcomes {
    /// Job outcomes not yet recorded, in the order they were reached.
    pub(super) pending: Vec<(i64, JobOutcome)>,
    /// Subscribers a partner said are gone, not yet erased.
    pub(super) gone: Vec<i64>,
    /// Accounts (`platform:account`) whose partner this batch found unreachable when it had
    /// been reachable: schedulers are told.
    pub(super) outages: Vec<String>,
    /// The tick's counts so far.
    pub(super) report: TickReport,
}

impl BatchOutcomes {
    /// Adds a job's outcome, counted in the report.
    pub(super) fn add(&mut self, job: i64, outcome: JobOutcome) {
        self.report.count(&outcome);
        self.pending.push((job, outcome));
    }

    /// Requeues a job to `run_at_ms` without using an attempt: pacing, a throttled account or
    /// a daily cap said "not yet".
    pub(super) fn defer(&mut self, job: i64, run_at_ms: i64, error: Option<String>) {
        self.add(
            job,
            JobOutcome::Requeue {
                run_at_ms,
                counts_as_attempt: false,
                error,
            },
        );
    }

    /// Sends a job to the dead letters with its reason.
    pub(super) fn dead(&mut self, job: i64, code: impl Into<String>, text: impl Into<String>) {
        self.add(
            job,
            JobOutcome::Dead {
                code: code.into(),
                text: text.into(),
            },
        );
    }
}
