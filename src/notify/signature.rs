//! How a staff-chat receiver checks a digest webhook: the same scheme as herald's partner
//! webhooks. herald sends `X-Herald-Timestamp` (Unix seconds) and
//! `X-Herald-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>`. A receiver
//! recomputes the HMAC over the raw body, compares it in constant time (so the time a refusal
//! takes says nothing about how much of a forged signature was right), and refuses timestamps
//! more than [`MAX_SKEW_SECONDS`] from its clock (a replayed request). Digests also carry an
//! `Idempotency-Key` (`digest-<id>`): delivery is at least once, so a receiver that keeps the
//! keys it saw within the skew window shows each digest once.

use chrono::{DateTime, Utc};

use crate::auth::constant_time_eq;

pub const TIMESTAMP_HEADER: &str = "x-herald-timestamp";
pub const SIGNATURE_HEADER: &str = "x-herald-signature";
/// How far a timestamp may be from the receiver's clock, either way.
pub const MAX_SKEW_SECONDS: i64 = 300;

/// Why a receiver refuses a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureProblem {
    /// Missing, malformed or wrong signature or timestamp.
    Invalid,
    /// Correctly signed, but too old or too far ahead: a replay or a broken clock.
    Stale,
}

/// Checks a digest webhook as a receiver would.
pub fn verify_signature(
    secret: &str,
    timestamp: Option<&str>,
    signature: Option<&str>,
    body: &[u8],
    now: DateTime<Utc>,
) -> Result<(), SignatureProblem> {
    let (Some(timestamp), Some(signature)) = (timestamp, signature) else {
        return Err(SignatureProblem::Invalid);
    };
    let sent: i64 = timestamp
        .trim()
        .parse()
        .map_err(|_| SignatureProblem::Invalid)?;
    let expected = crate::platforms::sign_webhook(secret, sent, body);
    if !constant_time_eq(signature.trim().as_bytes(), expected.as_bytes()) {
        return Err(SignatureProblem::Invalid);
    }
    if (now.timestamp() - sent).abs() > MAX_SKEW_SECONDS {
        return Err(SignatureProblem::Stale);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_forged_body_a_wrong_key_and_an_old_timestamp_are_refused() {
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let body = br#"{"digest":1}"#;
        let good = crate::platforms::sign_webhook("key", 1_800_000_000, body);
        assert_eq!(
            verify_signature("key", Some("1800000000"), Some(&good), body, now),
            Ok(())
        );
        assert_eq!(
            verify_signature("key", Some("1800000000"), Some(&good), b"{}", now),
            Err(SignatureProblem::Invalid)
        );
        assert_eq!(
            verify_signature("other", Some("1800000000"), Some(&good), body, now),
            Err(SignatureProblem::Invalid)
        );
        let old = crate::platforms::sign_webhook("key", 1_800_000_000 - 301, body);
        assert_eq!(
            verify_signature("key", Some("1799999699"), Some(&old), body, now),
            Err(SignatureProblem::Stale)
        );
        assert_eq!(
            verify_signature("key", None, Some(&good), body, now),
            Err(SignatureProblem::Invalid)
        );
    }
}
