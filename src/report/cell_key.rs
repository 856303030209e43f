//! The cell key method: consistent perturbation of every count herald publishes from its own
//! counters (the method of ONS for Census 2021, the ABS TableBuilder and Eurostat's census
//! hypercubes).
//!
//! Each counted event carries a record key from 0 to 255 and counters keep their events' key
//! sum ([`crate::store::record_key`]). A published cell's key is the sum of its events' keys
//! modulo 256, so it depends only on which events the cell holds, never on the table, the
//! breakdown or the period it is shown in. A fixed table maps the key to a small noise that is
//! added to the count. The same cell therefore shows the same number wherever it appears, and
//! subtracting one published cell from another yields the difference of two noises plus the
//! true difference: never a person. Why not suppression audited across tables: every new
//! breakdown or period would have to be audited together with all the others ever published,
//! and hidden cells multiply until the tables say little; perturbation keeps every cell and
//! its protection holds for tables not yet imagined.
//!
//! Counts from 1 to k−1 are still never published, perturbed or not: they read "suppressed".
//! So does a count whose noise would take it below k: what is published is never below k,
//! and a suppressed cell may hold up to k−1+max_noise events. That upper bound matters. Were
//! a count of at least k kept at k whatever its noise, "suppressed" would mean exactly 1 to
//! k−1, and a total published at the top of its noise over suppressed parts would pin every
//! part to k−1. Now the top of a suppressed cell's range is a count of at least k, and a
//! suppressed cell reaches it only when its own noise is the lowest there is, so no
//! combination of published cells at the edges of their noise singles out a small group.

use crate::publication::{MIN_K, Protection};
use crate::store::record_key::KEY_SPACE;

impl Protection {
    /// How a count of `count` events whose record keys sum to `key_sum` is published.
    pub fn publish(&self, count: u64, key_sum: u64) -> Published {
        let k = self.k.max(MIN_K);
        if count == 0 {
            return Published::Count(0);
        }
        if count < k {
            return Published::Suppressed;
        }
        let noisy = count as i64 + noise(cell_key(key_sum), self.max_noise);
        if noisy < k as i64 {
            return Published::Suppressed;
        }
        let to = self.round_to.max(1);
        let mut rounded = round(noisy as u64, to);
        if rounded < k {
            rounded = k.div_ceil(to) * to;
        }
        Published::Count(rounded)
    }
}

/// A count as published.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Published {
    Count(u64),
    Suppressed,
}

/// A cell's key from the key sum of its events.
pub fn cell_key(key_sum: u64) -> u64 {
    key_sum % KEY_SPACE as u64
}

/// The noise for `cell_key`, at most `max_noise` either way: a fixed, public table. Each
/// noise j gets a share of the 256 keys proportional to `max_noise + 1 − |j|` (a triangle:
/// small changes are likelier than large ones), +j and −j exactly as many keys as each other,
/// and the keys left over by the rounding go to 0, so the mean is exactly zero for every
/// bound. Keys are laid out from noise 0 outwards (0, +1, −1, +2, −2, …).
pub fn noise(cell_key: u64, max_noise: u64) -> i64 {
    let d = max_noise as i64;
    let total_weight: i64 = (-d..=d).map(|j| d + 1 - j.abs()).sum();
    let share = |j: i64| (d + 1 - j.abs()) * KEY_SPACE / total_weight;
    let sides: i64 = (1..=d).map(|j| 2 * share(j)).sum();
    let key = (cell_key % KEY_SPACE as u64) as i64;
    let mut cumulative = KEY_SPACE - sides;
    if key < cumulative {
        return 0;
    }
    for j in 1..=d {
        for signed in [j, -j] {
            cumulative += share(j);
            if key < cumulative {
                return signed;
            }
        }
    }
    0
}

/// Rounds to the nearest multiple of `to` (halves up); 0 stays 0, as Eurostat publishes.
pub(super) fn round(value: u64, to: u64) -> u64 {
    if to <= 1 {
        return value;
    }
    (value + to / 2) / to * to
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::publication::MAX_MAX_NOISE;

    #[test]
    fn the_noise_table_is_a_symmetric_triangle_within_its_bound() {
        let mut shares = std::collections::BTreeMap::new();
        for key in 0..256 {
            *shares.entry(noise(key, 3)).or_insert(0) += 1;
        }
        // Weights 4, 3, 3, 2, 2, 1, 1 of 16, over 256 keys.
        assert_eq!(
            shares.keys().copied().collect::<Vec<_>>(),
            vec![-3, -2, -1, 0, 1, 2, 3]
        );
        assert_eq!(shares[&0], 64);
        assert_eq!(shares[&1], 48);
        assert_eq!(shares[&-1], 48);
        assert_eq!(shares[&2], 32);
        assert_eq!(shares[&-2], 32);
        assert_eq!(shares[&3], 16);
        assert_eq!(shares[&-3], 16);
        for bound in 1..=MAX_MAX_NOISE {
            let sum: i64 = (0..256).map(|key| noise(key, bound)).sum();
            assert_eq!(sum, 0, "the mean is zero with max_noise {bound}");
            assert!((0..256).all(|key| noise(key, bound).abs() <= bound as i64));
        }
    }

    #[test]
    fn the_same_events_get_the_same_number_and_small_counts_none() {
        let protection = Protection::DEFAULT;
        assert_eq!(protection.publish(0, 0), Published::Count(0));
        for small in 1..10 {
            assert_eq!(protection.publish(small, 77), Published::Suppressed);
        }
        assert_eq!(protection.publish(359, 1234), protection.publish(359, 1234));
        // A key sum differing by a multiple of 256 is the same cell key.
        assert_eq!(
            protection.publish(359, 1234),
            protection.publish(359, 1234 + 512)
        );
        for key in 0..256 {
            match protection.publish(10, key) {
                Published::Count(n) => assert!((10..=13).contains(&n), "{n}"),
                Published::Suppressed => assert!(noise(cell_key(key), 3) < 0),
            }
            let Published::Count(n) = protection.publish(359, key) else {
                panic!("359 is published");
            };
            assert!((356..=362).contains(&n), "within the noise bound: {n}");
        }
    }

    #[test]
    fn a_count_the_noise_takes_below_k_is_suppressed_and_nothing_published_is_below_k() {
        let protection = Protection::DEFAULT;
        let mut suppressed_from_k = 0;
        for count in 10..=12 {
            for key in 0..256 {
                let published = protection.publish(count, key);
                let noisy = count as i64 + noise(key, 3);
                match published {
                    Published::Suppressed => {
                        assert!(noisy < 10, "{count} with noise to {noisy}");
                        suppressed_from_k += 1;
                    }
                    Published::Count(n) => {
                        assert!(n >= 10 && noisy >= 10, "{count} published as {n}")
                    }
                }
            }
        }
        // 10 with noise −1, −2 or −3 (96 keys), 11 with −2 or −3 (48), 12 with −3 (16).
        assert_eq!(suppressed_from_k, 96 + 48 + 16);
        assert_eq!(protection.publish(13, 0), protection.publish(13, 0));
        assert!((0..256).all(|key| protection.publish(13, key) != Published::Suppressed));
    }

    #[test]
    fn rounding_never_brings_a_count_below_k() {
        let protection = Protection {
            round_to: 5,
            ..Protection::DEFAULT
        };
        for key in 0..256 {
            match protection.publish(11, key) {
                Published::Count(n) => assert!(n >= 10 && n % 5 == 0, "{n}"),
                Published::Suppressed => assert!(noise(cell_key(key), 3) < -1),
            }
        }
        let odd = Protection {
            k: 7,
            round_to: 5,
            ..Protection::DEFAULT
        };
        for key in 0..256 {
            match odd.publish(7, key) {
                Published::Count(n) => assert!(n >= 7 && n % 5 == 0, "{n}"),
                Published::Suppressed => assert!(noise(cell_key(key), 3) < 0),
            }
        }
    }
}
