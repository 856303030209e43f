//! Which clicks are repeats: the same client following the same link again within a window
//! counts once, so a loop of requests cannot inflate a campaign's figures.
//!
//! Nothing about the person is kept in a readable form: each click is remembered only as a
//! keyed hash (HMAC-SHA-256) of (client address, token, kind) under a key drawn at random when
//! the process starts and never stored, so the memory cannot be turned back into addresses,
//! and it is forgotten after the window. The memory holds at most a fixed number of entries:
//! when full, the oldest entry is forgotten to make room, so a flood of distinct clients can at
//! worst let one of the earliest of them count again, never grow the memory.

use std::collections::{HashSet, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Repeats within this long of the first click count once.
pub const REPEAT_WINDOW: Duration = Duration::from_secs(60 * 60);

/// Clicks remembered at most (about 50 bytes each).
pub const REMEMBERED_CLICKS: usize = 200_000;

pub struct RepeatClicks {
    key: [u8; 32],
    window: Duration,
    capacity: usize,
    seen: Mutex<Seen>,
}

/// Remembered clicks, and the same in the order they arrived (each with its time) so that
/// expiry and eviction take the oldest first without a scan.
#[derive(Default)]
struct Seen {
    fingerprints: HashSet<u128>,
    arrivals: VecDeque<(Instant, u128)>,
}

impl Default for RepeatClicks {
    fn default() -> Self {
        RepeatClicks::new(REPEAT_WINDOW, REMEMBERED_CLICKS)
    }
}

impl RepeatClicks {
    pub fn new(window: Duration, capacity: usize) -> RepeatClicks {
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).expect("the operating system's random generator works");
        RepeatClicks {
            key,
            window,
            capacity: capacity.max(1),
            seen: Mutex::new(Seen::default()),
        }
    }

    /// True for the first click of `client` on `token` (as `kind`) within the window, false
    /// for a repeat. Remembers the click.
    pub fn first_in_window(&self, client: IpAddr, token: &str, kind: &str) -> bool {
        let client = crate::client_address::client_key(client);
        self.first_at(client, token, kind, Instant::now())
    }

    fn first_at(&self, client: IpAddr, token: &str, kind: &str, now: Instant) -> bool {
        let fingerprint = self.fingerprint(client, token, kind);
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        while let Some(&(at, oldest)) = seen.arrivals.front() {
            if now.saturating_duration_since(at) < self.window {
                break;
            }
            seen.arrivals.pop_front();
            seen.fingerprints.remove(&oldest);
        }
        if seen.fingerprints.contains(&fingerprint) {
            return false;
        }
        if seen.arrivals.len() >= self.capacity {
            if let Some((_, oldest)) = seen.arrivals.pop_front() {
                seen.fingerprints.remove(&oldest);
            }
        }
        seen.fingerprints.insert(fingerprint);
        seen.arrivals.push_back((now, fingerprint));
        true
    }

    /// How many clicks are remembered.
    pub fn remembered(&self) -> usize {
        self.seen
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .arrivals
            .len()
    }

    /// 128 bits of HMAC-SHA-256 under the process's key: collisions are out of reach, and
    /// the address cannot be recovered from it.
    fn fingerprint(&self, client: IpAddr, token: &str, kind: &str) -> u128 {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.key)
            .expect("HMAC takes a key of any length");
        let address = match client {
            IpAddr::V4(v4) => v4.to_ipv6_mapped().octets(),
            IpAddr::V6(v6) => v6.octets(),
        };
        mac.update(&address);
        mac.update(token.as_bytes());
        mac.update(&[0]);
        mac.update(kind.as_bytes());
        let digest = mac.finalize().into_bytes();
        let mut first = [0u8; 16];
        first.copy_from_slice(&digest[..16]);
        u128::from_be_bytes(first)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn address(n: u32) -> IpAddr {
        IpAddr::from(std::net::Ipv4Addr::from(0x0a00_0000 + n))
    }

    #[test]
    fn repeats_count_once_per_client_token_and_kind() {
        let repeats = RepeatClicks::new(Duration::from_secs(60), 100);
        let now = Instant::now();
        assert!(repeats.first_at(address(1), "t1", "person", now));
        for _ in 0..50 {
            assert!(!repeats.first_at(address(1), "t1", "person", now));
        }
        assert!(repeats.first_at(address(2), "t1", "person", now));
        assert!(repeats.first_at(address(1), "t2", "person", now));
        assert!(repeats.first_at(address(1), "t1", "preview", now));
        // After the window the same click counts again.
        let later = now + Duration::from_secs(61);
        assert!(repeats.first_at(address(1), "t1", "person", later));
    }

    #[test]
    fn the_memory_stays_bounded_and_forgets_the_oldest_when_full() {
        let repeats = RepeatClicks::new(Duration::from_secs(3600), 1_000);
        let now = Instant::now();
        for n in 0..10_000 {
            assert!(repeats.first_at(address(n), "t", "person", now));
            assert!(repeats.remembered() <= 1_000);
        }
        assert_eq!(repeats.remembered(), 1_000);
        // The newest are still remembered; the oldest were forgotten to make room.
        assert!(!repeats.first_at(address(9_999), "t", "person", now));
        assert!(repeats.first_at(address(0), "t", "person", now));
        // Expired entries go as time passes, without waiting for the memory to fill.
        let later = now + Duration::from_secs(3601);
        assert!(repeats.first_at(address(5), "u", "person", later));
        assert_eq!(repeats.remembered(), 1);
    }

    #[test]
    fn two_processes_fingerprint_the_same_click_differently() {
        let (a, b) = (RepeatClicks::default(), RepeatClicks::default());
        assert_ne!(
            a.fingerprint(address(1), "t", "person"),
            b.fingerprint(address(1), "t", "person")
        );
    }
}
