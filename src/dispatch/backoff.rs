//! Exponential backoff with jitter for transient failures, so that retries after a partner's
//! outage do not arrive all at once.

use std::time::Duration;

use sha2::{Digest, Sha256};

/// The delay before attempt `attempt + 1` (attempt 1 is the first retry): `base · 2^(attempt-1)`
/// capped at `max`, then jittered into its upper half. The jitter is derived from the job's
/// key, so it differs between jobs yet is reproducible in tests.
pub fn retry_delay(attempt: u32, base: Duration, max: Duration, key: &str) -> Duration {
    let exponent = attempt.saturating_sub(1).min(30);
    let full = base.saturating_mul(1u32 << exponent).min(max);
    let digest = Sha256::digest(format!("{key}/{attempt}").as_bytes());
    let fraction = f64::from(u16::from_be_bytes([digest[0], digest[1]])) / f64::from(u16::MAX);
    full.mul_f64(0.5 + 0.5 * fraction)
}

/// The first pause after the database failed, doubling (with jitter) up to the longest.
pub(super) const STORE_RETRY_BASE: Duration = Duration::from_millis(500);
pub(super) const STORE_RETRY_MAX: Duration = Duration::from_secs(60);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_exponentially_within_jitter_and_caps() {
        let base = Duration::from_secs(10);
        let max = Duration::from_secs(3600);
        for attempt in 1..=6 {
            let full = base * (1 << (attempt - 1));
            let delay = retry_delay(attempt, base, max, "job");
            assert!(
                delay >= full / 2 && delay <= full,
                "attempt {attempt}: {delay:?}"
            );
        }
        assert!(retry_delay(20, base, max, "job") <= max);
        assert_ne!(
            retry_delay(3, base, max, "a"),
            retry_delay(3, base, max, "b")
        );
        assert_eq!(
            retry_delay(3, base, max, "a"),
            retry_delay(3, base, max, "a")
        );
    }
}
