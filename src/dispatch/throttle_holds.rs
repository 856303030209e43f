//! Holding back calls that were booked before a partner throttled.
//!
//! Pacing books send times up to a pacing window ahead, so when a partner answers "too many
//! requests, come back in 10 s", the rest of the batch is already booked inside those 10 s,
//! and other workers hold bookings of their own. A partner that is sent to inside its
//! `Retry-After` may ban the account, so every call checks, just before it goes, whether its
//! account (or, for a per-recipient limit, its recipient) is held:
//! - a throttle this worker met is seen by its next call at once (in memory);
//! - a throttle another worker or process met is shared through the account's rate bucket in
//!   the database. An account with a per-second limit reads it before every call (a few reads
//!   a second at most, and as many as its calls); an unlimited one at most every
//!   [`SHARED_HOLD_FRESHNESS_MS`], so thousands of calls a second cost the database twenty
//!   reads, not thousands.
//!
//! A held call goes back to the queue for the time the partner named, without using an
//! attempt.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, Ordering};

use crate::store::Store;

/// How old the database's word on another worker's throttle may be when a call goes.
pub const SHARED_HOLD_FRESHNESS_MS: i64 = 50;

/// Past this many held recipients, expired holds are swept before another is added.
const RECIPIENT_SWEEP_AT: usize = 4_096;

/// The holds of one account, in one worker.
#[derive(Default)]
pub(super) struct ThrottleHolds {
    /// The account is held until this time (ms); 0 when it never was.
    account_until_ms: AtomicI64,
    /// When this worker last read the account's shared pause from the database (ms).
    shared_read_at_ms: AtomicI64,
    /// Recipients held after a per-recipient throttle, until a time (ms).
    recipients: Mutex<HashMap<String, i64>>,
}

impl ThrottleHolds {
    /// Holds the whole account until `until_ms` (a throttle never shortens a hold).
    pub(super) fn hold_account(&self, until_ms: i64) {
        self.account_until_ms.fetch_max(until_ms, Ordering::Relaxed);
    }

    /// Holds one recipient of the account until `until_ms`.
    pub(super) fn hold_recipient(&self, recipient: &str, until_ms: i64, now_ms: i64) {
        let mut recipients = self.recipients.lock().unwrap_or_else(|p| p.into_inner());
        if recipients.len() >= RECIPIENT_SWEEP_AT {
            recipients.retain(|_, until| *until > now_ms);
        }
        let until = recipients.entry(recipient.to_string()).or_insert(until_ms);
        *until = (*until).max(until_ms);
    }

    /// Until when a call to `recipient` (if it has one) on this account must wait, if it must.
    /// `bucket` is the account's rate bucket, where workers share their throttles; what the
    /// database said is trusted for `freshness_ms` (0: read it for every call).
    pub(super) async fn held_until<S: Store>(
        &self,
        store: &S,
        bucket: &str,
        recipient: Option<&str>,
        now_ms: i64,
        freshness_ms: i64,
    ) -> Option<i64> {
        let mut until = self.account_until_ms.load(Ordering::Relaxed);
        if until <= now_ms {
            self.read_shared(store, bucket, now_ms, freshness_ms).await;
            until = self.account_until_ms.load(Ordering::Relaxed);
        }
        if let Some(recipient) = recipient {
            let recipients = self.recipients.lock().unwrap_or_else(|p| p.into_inner());
            until = until.max(recipients.get(recipient).copied().unwrap_or(0));
        }
        (until > now_ms).then_some(until)
    }

    /// Reads the account's shared pause unless the last read is younger than `freshness_ms`.
    /// Concurrent calls may each read: none of them goes on a read older than that.
    async fn read_shared<S: Store>(&self, store: &S, bucket: &str, now_ms: i64, freshness_ms: i64) {
        let read_at = self.shared_read_at_ms.load(Ordering::Relaxed);
        if freshness_ms > 0 && (0..freshness_ms).contains(&(now_ms - read_at)) {
            return;
        }
        match store.bucket_paused_until(bucket).await {
            Ok(until_ms) => {
                self.hold_account(until_ms);
                self.shared_read_at_ms.fetch_max(now_ms, Ordering::Relaxed);
            }
            // The call goes on what this worker knows; the partner's next throttle, if any,
            // is still honoured for the calls after it.
            Err(error) => {
                tracing::warn!(%error, bucket, "cannot read other workers' throttles")
            }
        }
    }
}

/// How long an account's calls may trust the database's word on other workers' throttles:
/// not at all for an account with a per-second limit (its calls are few), else
/// [`SHARED_HOLD_FRESHNESS_MS`].
pub(super) fn shared_hold_freshness_ms(per_second: Option<f64>) -> i64 {
    match per_second {
        Some(_) => 0,
        None => SHARED_HOLD_FRESHNESS_MS,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hold_is_never_shortened() {
        let holds = ThrottleHolds::default();
        holds.hold_account(10_000);
        holds.hold_account(5_000);
        assert_eq!(holds.account_until_ms.load(Ordering::Relaxed), 10_000);
        holds.hold_recipient("a", 9_000, 0);
        holds.hold_recipient("a", 1_000, 0);
        assert_eq!(holds.recipients.lock().unwrap()["a"], 9_000);
    }

    #[test]
    fn expired_recipient_holds_are_swept_before_the_map_grows() {
        let holds = ThrottleHolds::default();
        for index in 0..RECIPIENT_SWEEP_AT {
            holds.hold_recipient(&index.to_string(), 100, 0);
        }
        holds.hold_recipient("late", 5_000, 1_000);
        let recipients = holds.recipients.lock().unwrap();
        assert_eq!(recipients.len(), 1);
        assert_eq!(recipients["late"], 5_000);
    }
}
