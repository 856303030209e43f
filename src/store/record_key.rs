//! Record keys for cell-key protection of published counts.
//!
//! Every event a counter counts (a message sent, delivered, read or failed; a click) gets a
//! pseudo-random record key from 0 to 255, and the counter keeps the sum of its events' keys
//! beside the count. The counters stay aggregates, yet a published cell's key (the sum of its
//! counters' key sums, modulo 256) depends only on which events the cell holds: the same cell
//! gets the same key, and so the same noise, in every table it appears in
//! (`report::cell_key`).

use sha2::{Digest, Sha256};

/// Record keys lie in `0..KEY_SPACE`.
pub const KEY_SPACE: i64 = 256;

/// The record key of one message, from its idempotency key. Its sent, delivered, read or
/// failed events share it, so a cell whose messages were all delivered gets the same noise in
/// the sent and the delivered table and its delivery rate reads 100%, as it truly is.
/// Evaluators never see idempotency keys. (A webhook partner does, and the keys of scheduled
/// posts follow from the campaign files: keying this hash with a deployment secret is still to
/// do; see docs/PRIVACY.md.)
pub fn of_message(idempotency_key: &str) -> i64 {
    let digest = Sha256::new()
        .chain_update(b"herald record key v1\0")
        .chain_update(idempotency_key.as_bytes())
        .finalize();
    i64::from(digest[0])
}

/// A fresh random record key, for events that have no identity of their own (a click keeps
/// nothing about who clicked).
pub fn random() -> i64 {
    let mut byte = [0u8; 1];
    match getrandom::fill(&mut byte) {
        Ok(()) => i64::from(byte[0]),
        // The system's random source failing is not worth losing a click over; the time's
        // low bits still spread the keys.
        Err(_) => i64::from(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.subsec_nanos() as u8)
                .unwrap_or(0),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_keeps_its_key_and_keys_spread_over_the_space() {
        assert_eq!(of_message("job-1"), of_message("job-1"));
        let keys: std::collections::BTreeSet<i64> =
            (0..2000).map(|i| of_message(&format!("job-{i}"))).collect();
        assert!(keys.iter().all(|k| (0..KEY_SPACE).contains(k)));
        assert!(keys.len() > 200, "keys spread: {}", keys.len());
        let random: std::collections::BTreeSet<i64> = (0..2000).map(|_| random()).collect();
        assert!(random.len() > 200);
    }
}
