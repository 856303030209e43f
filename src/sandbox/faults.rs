//! Injected faults: the failures real partners produce now and then (429 storms, 5xx bursts,
//! slow answers, connections dropped after the message was taken), drawn from a seeded
//! pseudo-random sequence so that a failing test or rehearsal can be replayed exactly.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Which faults to inject and how often. All rates are probabilities from 0 to 1; the default
/// injects nothing.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FaultConfig {
    /// Probability of answering "too many requests" (Telegram: 429 with
    /// `parameters.retry_after = 1`; webhook: 429 with `Retry-After: 1`; Facebook: Graph code 4,
    /// application request limit reached, with no time to regain access; X: 429 code 88 with
    /// `x-rate-limit-reset` a second later).
    pub rate_429: f64,
    /// Probability of a 500, 502 or 503 (Facebook: with Graph code 2, service temporarily
    /// unavailable).
    pub rate_5xx: f64,
    /// Probability of delaying the answer by `slow_ms` (real time) before processing.
    pub rate_slow: f64,
    pub slow_ms: u64,
    /// Probability of accepting and recording the message and then dropping the connection
    /// without an answer, so the client cannot know whether it was delivered. The connection
    /// is really closed when the sandbox runs through [`super::Sandbox::start`]; served from
    /// another server's listener, the sandbox answers 502 with `Connection: close` instead.
    pub rate_drop: f64,
    /// Seed of the pseudo-random sequence the rolls are drawn from.
    pub seed: u64,
}

/// How many faults were injected, by kind, since the sandbox started (or was cleared), so a
/// test can state what its subject survived. Only injected faults count: a 429 because a
/// real limit was reached is not a fault.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct FaultCounts {
    /// "Too many requests" answers ([`FaultConfig::rate_429`]).
    pub too_many_requests: u64,
    /// 500, 502 and 503 answers ([`FaultConfig::rate_5xx`]).
    pub server_errors: u64,
    /// Answers held back ([`FaultConfig::rate_slow`]).
    pub slow: u64,
    /// Messages taken whose connection was then dropped ([`FaultConfig::rate_drop`]).
    pub dropped: u64,
}

/// A rejection drawn before the limits are checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Rejection {
    TooManyRequests,
    ServerError(u16),
}

/// The server errors a partner's front end answers when it is in trouble.
const SERVER_ERRORS: [u16; 3] = [500, 502, 503];

/// A splitmix64 sequence: tiny, fast and good enough to decide faults; no dependency needed.
#[derive(Debug, Clone)]
pub(crate) struct FaultDice {
    state: u64,
    counts: FaultCounts,
}

impl FaultDice {
    pub(crate) fn new(seed: u64) -> FaultDice {
        FaultDice {
            state: seed,
            counts: FaultCounts::default(),
        }
    }

    /// Restarts the sequence from `seed`, keeping the counts of faults already injected.
    pub(crate) fn reseed(&mut self, seed: u64) {
        self.state = seed;
    }

    /// The faults injected so far.
    pub(crate) fn counts(&self) -> FaultCounts {
        self.counts
    }

    /// Forgets the counts (the sequence goes on).
    pub(crate) fn clear_counts(&mut self) {
        self.counts = FaultCounts::default();
    }

    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// True with probability `rate`. Rates of 0 (or less, or NaN) and 1 (or more) draw nothing,
    /// so switching one fault fully on or off does not shift the sequence of the others.
    pub(crate) fn roll(&mut self, rate: f64) -> bool {
        if rate.is_nan() || rate <= 0.0 {
            false
        } else if rate >= 1.0 {
            true
        } else {
            self.unit() < rate
        }
    }

    /// How long to hold this request back, if the slow fault hits.
    pub(crate) fn roll_slow(&mut self, faults: &FaultConfig) -> Option<Duration> {
        let slow = faults.slow_ms > 0 && self.roll(faults.rate_slow);
        if slow {
            self.counts.slow += 1;
        }
        slow.then(|| Duration::from_millis(faults.slow_ms))
    }

    /// A 429 or 5xx, if one of them hits; 429 is rolled first.
    pub(crate) fn roll_rejection(&mut self, faults: &FaultConfig) -> Option<Rejection> {
        if self.roll(faults.rate_429) {
            self.counts.too_many_requests += 1;
            return Some(Rejection::TooManyRequests);
        }
        if self.roll(faults.rate_5xx) {
            self.counts.server_errors += 1;
            let index = (self.next_u64() % SERVER_ERRORS.len() as u64) as usize;
            return Some(Rejection::ServerError(SERVER_ERRORS[index]));
        }
        None
    }

    /// Whether to drop the connection after accepting the message.
    pub(crate) fn roll_drop(&mut self, faults: &FaultConfig) -> bool {
        let drop = self.roll(faults.rate_drop);
        if drop {
            self.counts.dropped += 1;
        }
        drop
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_faults() {
        let faults = FaultConfig {
            rate_429: 0.3,
            rate_5xx: 0.3,
            seed: 42,
            ..FaultConfig::default()
        };
        let draw = |seed| {
            let mut dice = FaultDice::new(seed);
            (0..200)
                .map(|_| dice.roll_rejection(&faults))
                .collect::<Vec<_>>()
        };
        assert_eq!(draw(42), draw(42));
        assert_ne!(draw(42), draw(43));
    }

    #[test]
    fn rates_are_roughly_honoured() {
        let mut dice = FaultDice::new(7);
        let hits = (0..10_000).filter(|_| dice.roll(0.25)).count();
        assert!((2_200..2_800).contains(&hits), "{hits}");
    }

    #[test]
    fn certain_and_impossible_rates() {
        let mut dice = FaultDice::new(1);
        assert!((0..100).all(|_| dice.roll(1.0)));
        assert!((0..100).all(|_| !dice.roll(0.0)));
        assert!(!dice.roll(f64::NAN));
        let faults = FaultConfig::default();
        assert_eq!(dice.roll_rejection(&faults), None);
        assert_eq!(dice.roll_slow(&faults), None);
        assert!(!dice.roll_drop(&faults));
    }

    #[test]
    fn injected_faults_are_counted_across_reseeds() {
        let faults = FaultConfig {
            rate_429: 0.5,
            rate_5xx: 1.0,
            rate_slow: 1.0,
            slow_ms: 1,
            rate_drop: 1.0,
            seed: 9,
        };
        let mut dice = FaultDice::new(9);
        let mut rejections = [0u64; 2];
        for _ in 0..100 {
            match dice.roll_rejection(&faults) {
                Some(Rejection::TooManyRequests) => rejections[0] += 1,
                Some(Rejection::ServerError(_)) => rejections[1] += 1,
                None => {}
            }
        }
        dice.reseed(10);
        assert!(dice.roll_slow(&faults).is_some());
        assert!(dice.roll_drop(&faults));
        assert_eq!(
            dice.counts(),
            FaultCounts {
                too_many_requests: rejections[0],
                server_errors: rejections[1],
                slow: 1,
                dropped: 1,
            }
        );
        assert_eq!(rejections.iter().sum::<u64>(), 100);
        dice.clear_counts();
        assert_eq!(dice.counts(), FaultCounts::default());
    }

    #[test]
    fn server_errors_vary() {
        let faults = FaultConfig {
            rate_5xx: 1.0,
            ..FaultConfig::default()
        };
        let mut dice = FaultDice::new(3);
        let mut seen: Vec<u16> = (0..100)
            .filter_map(|_| match dice.roll_rejection(&faults) {
                Some(Rejection::ServerError(code)) => Some(code),
                _ => None,
            })
            .collect();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen, vec![500, 502, 503]);
    }
}
