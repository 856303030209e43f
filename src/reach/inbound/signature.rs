//! Why a callback was not accepted as coming from its platform, and the HMAC-SHA256 check that
//! Meta (`X-Hub-Signature-256`) and Viber (`X-Viber-Content-Signature`) share. Comparisons run
//! in constant time, so the time a rejection takes says nothing about how close a forgery was.

use std::fmt;

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Why a callback's proof of origin was refused. Deliberately vague in what it shows: an
/// attacker learns only that the request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureError {
    /// The header (or the handshake's parameter) is absent or empty.
    Missing,
    /// It is present but not of the expected form (not `sha256=<hex>`, odd hex, ...).
    Malformed,
    /// It is well formed but does not match.
    Mismatch,
    /// herald has no secret configured to check against: nothing can be accepted.
    NotConfigured,
}

impl fmt::Display for SignatureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SignatureError::Missing => "the signature is missing",
            SignatureError::Malformed => "the signature is malformed",
            SignatureError::Mismatch => "the signature does not match",
            SignatureError::NotConfigured => "no secret is configured to check the signature",
        })
    }
}

impl std::error::Error for SignatureError {}

/// Checks that `hex_signature` is the hex HMAC-SHA256 of `body` under `key`.
pub(super) fn verify_hmac_sha256_hex(
    key: &str,
    body: &[u8],
    hex_signature: &str,
) -> Result<(), SignatureError> {
    if key.is_empty() {
        return Err(SignatureError::NotConfigured);
    }
    let given = decode_hex(hex_signature.trim()).ok_or(SignatureError::Malformed)?;
    if given.len() != 32 {
        return Err(SignatureError::Malformed);
    }
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key.as_bytes())
        .map_err(|_| SignatureError::NotConfigured)?;
    mac.update(body);
    // `verify_slice` compares in constant time.
    mac.verify_slice(&given)
        .map_err(|_| SignatureError::Mismatch)
}

/// The value of header `name`, if present, readable and not blank.
pub(super) fn header<'a>(
    headers: &'a axum::http::HeaderMap,
    name: &str,
) -> Result<&'a str, SignatureError> {
    let value = headers.get(name).ok_or(SignatureError::Missing)?;
    let value = value.to_str().map_err(|_| SignatureError::Malformed)?;
    if value.trim().is_empty() {
        return Err(SignatureError::Missing);
    }
    Ok(value)
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    hex::decode(text).ok()
}

/// The lower-case hex HMAC-SHA256 of `body` under `key`, as the platforms send it. For tests
/// and for the sandbox, which must sign exactly what these checks verify.
pub fn hmac_sha256_hex(key: &str, body: &[u8]) -> String {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(body);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_a_published_vector() {
        // RFC 4231 test case 2.
        assert_eq!(
            hmac_sha256_hex("Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn verifies_hex_in_either_case_and_rejects_the_rest() {
        let signature = hmac_sha256_hex("key", b"body");
        assert_eq!(verify_hmac_sha256_hex("key", b"body", &signature), Ok(()));
        assert_eq!(
            verify_hmac_sha256_hex("key", b"body", &signature.to_uppercase()),
            Ok(())
        );
        assert_eq!(
            verify_hmac_sha256_hex("key", b"bodY", &signature),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify_hmac_sha256_hex("other", b"body", &signature),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify_hmac_sha256_hex("key", b"body", &signature[1..]),
            Err(SignatureError::Malformed)
        );
        assert_eq!(
            verify_hmac_sha256_hex("key", b"body", "zz"),
            Err(SignatureError::Malformed)
        );
        assert_eq!(
            verify_hmac_sha256_hex("key", b"body", &signature[..32]),
            Err(SignatureError::Malformed)
        );
        assert_eq!(
            verify_hmac_sha256_hex("", b"body", &signature),
            Err(SignatureError::NotConfigured)
        );
    }
}
