//! Where herald reads the time. Every stage takes a [`Clock`], so a three-month campaign can
//! run in seconds on a simulated clock in tests and in the demo, and behave exactly as it
//! would in real time.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};

/// A future that completes when a clock reaches a time.
pub type Wait = Pin<Box<dyn Future<Output = ()> + Send>>;

pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now(&self) -> DateTime<Utc>;

    /// Waits until `at`: real time passes on a system clock; a simulated clock simply moves
    /// there, so paced sends take no real time in tests and the demo.
    fn sleep_until(&self, at: DateTime<Utc>) -> Wait;
}

/// The machine's clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }

    fn sleep_until(&self, at: DateTime<Utc>) -> Wait {
        let wait = (at - Utc::now()).to_std().unwrap_or_default();
        Box::pin(tokio::time::sleep(wait))
    }
}

/// A clock that only moves when told to. Clones share the same time.
#[derive(Debug, Clone)]
pub struct SimulatedClock {
    now: Arc<Mutex<DateTime<Utc>>>,
}

impl SimulatedClock {
    pub fn starting_at(start: DateTime<Utc>) -> Self {
        SimulatedClock {
            now: Arc::new(Mutex::new(start)),
        }
    }

    pub fn advance(&self, by: Duration) {
        let mut now = self
            .now
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *now += by;
    }

    /// Moves to `to`; a simulated clock never goes backwards.
    pub fn advance_to(&self, to: DateTime<Utc>) {
        let mut now = self
            .now
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if to > *now {
            *now = to;
        }
    }
}

impl Clock for SimulatedClock {
    fn now(&self) -> DateTime<Utc> {
        *self
            .now
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn sleep_until(&self, at: DateTime<Utc>) -> Wait {
        self.advance_to(at);
        Box::pin(std::future::ready(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn simulated_time_moves_only_forward_and_is_shared() {
        let start = Utc.with_ymd_and_hms(2027, 1, 15, 0, 0, 0).unwrap();
        let clock = SimulatedClock::starting_at(start);
        let shared = clock.clone();
        clock.advance(Duration::hours(3));
        assert_eq!(shared.now(), start + Duration::hours(3));
        clock.advance_to(start);
        assert_eq!(shared.now(), start + Duration::hours(3));
    }
}
