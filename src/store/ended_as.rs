//! The ways a job can end that need a person: it failed for good, nobody knows whether it
//! arrived, or it may have arrived twice.

/// A finished job's end that staff look at, one by one, from `herald deadletter list`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndedAs {
    /// Failed for good (a permanent refusal, or every attempt used): a dead letter, which
    /// `herald deadletter retry` can put back in the queue.
    Dead,
    /// The request left but its answer never came (a timeout, a dropped connection, a worker
    /// killed mid-send) on a partner without idempotency keys. herald never re-sends it, since
    /// the person may already have the message; staff check with the partner.
    Unknown,
    /// Sent again with the same idempotency key after a worker stopped mid-send or an answer
    /// never came, whatever its status now: the partner should have dropped the repeat, but
    /// the person may have the message twice. Staff check with the partner.
    Resent,
}

impl EndedAs {
    /// The job status the outbox stores for this end.
    pub fn status(self) -> &'static str {
        match self {
            EndedAs::Dead => "dead",
            EndedAs::Unknown => "unknown",
            // Matches no status: these are selected by their mark, whatever their status.
            EndedAs::Resent => "",
        }
    }
}
