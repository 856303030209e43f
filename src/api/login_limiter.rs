//! Failed authentications per client: a client that keeps sending wrong tokens is answered
//! 429 with `Retry-After` for the rest of the window, which tells a misconfigured script to
//! back off and marks a guesser. It does not stop guessing: a token's secret is 256 random
//! bits, and that is what makes guessing hopeless, not this limit.
//!
//! Three rules make it safe to run in front of staff:
//! - a valid token is never refused: the limiter only decides how a *failed* attempt is
//!   answered, so a stranger cannot lock staff out by failing from the same address (behind a
//!   proxy every client would share one);
//! - the client is the real one behind the trusted proxies
//!   ([`crate::client_address::TrustedProxies`]), never the proxy, and an IPv6 client is
//!   counted by its /64 ([`crate::client_address::client_key`]);
//! - memory is bounded: entries expire after the window, and at capacity the stalest entry
//!   makes room, so a flood of addresses cannot grow the map without end.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures counted for one client within one window.
#[derive(Debug, Clone, Copy)]
struct FailureWindow {
    count: u32,
    since: Instant,
}

/// How often failed authentications may come from one client.
pub struct LoginLimiter {
    failures: Mutex<HashMap<IpAddr, FailureWindow>>,
    limit: u32,
    window: Duration,
    capacity: usize,
}

/// Clients tracked at once by default: far more than the staff of any deployment.
pub const DEFAULT_TRACKED_CLIENTS: usize = 10_000;

impl LoginLimiter {
    pub fn new(limit: u32, window: Duration, capacity: usize) -> Self {
        LoginLimiter {
            failures: Mutex::new(HashMap::new()),
            limit,
            window,
            capacity: capacity.max(1),
        }
    }

    /// Counts a failed authentication from `client` and says how long it must now wait
    /// before another failure is answered as anything but 429 (`None`: not limited yet).
    pub fn failed(&self, client: IpAddr) -> Option<Duration> {
        let client = crate::client_address::client_key(client);
        let now = Instant::now();
        let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
        if !failures.contains_key(&client) && failures.len() >= self.capacity {
            self.make_room(&mut failures, now);
        }
        let entry = failures.entry(client).or_insert(FailureWindow {
            count: 0,
            since: now,
        });
        if now.duration_since(entry.since) >= self.window {
            *entry = FailureWindow {
                count: 0,
                since: now,
            };
        }
        entry.count = entry.count.saturating_add(1);
        let elapsed = now.duration_since(entry.since);
        (entry.count > self.limit).then(|| self.window.saturating_sub(elapsed))
    }

    /// How many clients are tracked now (for tests and metrics).
    pub fn tracked(&self) -> usize {
        self.failures
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .len()
    }

    /// Drops expired windows; if none had expired, drops the oldest one.
    fn make_room(&self, failures: &mut HashMap<IpAddr, FailureWindow>, now: Instant) {
        failures.retain(|_, window| now.duration_since(window.since) < self.window);
        if failures.len() < self.capacity {
            return;
        }
        if let Some(oldest) = failures
            .iter()
            .min_by_key(|(_, window)| window.since)
            .map(|(client, _)| *client)
        {
            failures.remove(&oldest);
        }
    }
}

impl Default for LoginLimiter {
    /// Ten failures a minute per client.
    fn default() -> Self {
        LoginLimiter::new(10, Duration::from_secs(60), DEFAULT_TRACKED_CLIENTS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(n: u32) -> IpAddr {
        IpAddr::from(n.to_be_bytes())
    }

    #[test]
    fn the_eleventh_failure_within_the_window_is_limited() {
        let limiter = LoginLimiter::default();
        for _ in 0..10 {
            assert_eq!(limiter.failed(ip(1)), None);
        }
        let wait = limiter.failed(ip(1)).expect("limited");
        assert!(wait <= Duration::from_secs(60) && wait > Duration::from_secs(50));
        assert_eq!(limiter.failed(ip(2)), None, "another client is not");
    }

    #[test]
    fn a_window_expires() {
        let limiter = LoginLimiter::new(1, Duration::from_millis(20), 10);
        assert_eq!(limiter.failed(ip(1)), None);
        assert!(limiter.failed(ip(1)).is_some());
        std::thread::sleep(Duration::from_millis(30));
        assert_eq!(limiter.failed(ip(1)), None);
    }

    #[test]
    fn memory_stays_bounded_under_a_flood_of_addresses() {
        let limiter = LoginLimiter::new(3, Duration::from_secs(60), 1_000);
        for n in 0..50_000 {
            limiter.failed(ip(n));
        }
        assert!(limiter.tracked() <= 1_000, "{}", limiter.tracked());
        // The newest clients are still tracked.
        for _ in 0..3 {
            limiter.failed(ip(49_999));
        }
        assert!(limiter.failed(ip(49_999)).is_some());
    }
}
