//! The generic webhook's signature: `X-Herald-Signature: sha256=<hex HMAC-SHA256(secret,
//! timestamp + "." + body)>` with `X-Herald-Timestamp`, so a receiver can reject forgeries
//! (the HMAC) and replays (the timestamp). Compared in constant time, so the time a rejection
//! takes reveals nothing about how much of a forged signature was right.
//!
//! Also the signatures the sandbox itself puts on the callbacks it sends, as the platforms do:
//! Meta's `X-Hub-Signature-256` and Viber's `X-Viber-Content-Signature`.

use crate::auth::constant_time_eq;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How far a timestamp may be from the receiver's clock, either way.
pub(crate) const MAX_SKEW_SECONDS: i64 = 300;

/// The `X-Herald-Signature` value for `body` sent at `timestamp` (unix seconds as sent in
/// `X-Herald-Timestamp`). Public so that tests and senders compute exactly what the sandbox
/// checks.
pub fn webhook_signature(secret: &str, timestamp: &str, body: &[u8]) -> String {
    format!("sha256={}", hex(&mac(secret, timestamp, body)))
}

/// The `X-Hub-Signature-256` value Meta puts on WhatsApp (and Page) webhooks:
/// `sha256=<hex HMAC-SHA256(app secret, raw body)>`.
pub fn meta_signature(app_secret: &str, body: &[u8]) -> String {
    format!("sha256={}", hex(&plain_mac(app_secret, body)))
}

/// The `X-Viber-Content-Signature` value Viber puts on its callbacks: hex HMAC-SHA256 of the
/// raw body, keyed with the bot's auth token.
pub fn viber_signature(auth_token: &str, body: &[u8]) -> String {
    hex(&plain_mac(auth_token, body))
}

/// The `X-Twilio-Signature` value Twilio puts on its webhooks: base64 HMAC-SHA1, keyed with
/// the account's auth token, of the URL called followed by every POST parameter's name and
/// value, sorted by name.
pub fn twilio_signature(auth_token: &str, url: &str, params: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort();
    let mut mac = <Hmac<sha1::Sha1> as Mac>::new_from_slice(auth_token.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(url.as_bytes());
    for (name, value) in sorted {
        mac.update(name.as_bytes());
        mac.update(value.as_bytes());
    }
    crate::base64::encode(&mac.finalize().into_bytes())
}

const HEX: &[u8; 16] = b"0123456789abcdef";

pub(crate) fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(char::from(HEX[usize::from(byte >> 4)]));
        out.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    out
}

fn plain_mac(key: &str, body: &[u8]) -> Vec<u8> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(body);
    mac.finalize().into_bytes().to_vec()
}

fn mac(secret: &str, timestamp: &str, body: &[u8]) -> Vec<u8> {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.finalize().into_bytes().to_vec()
}

/// Why a webhook request's signature was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SignatureError {
    /// Missing, malformed or wrong signature or timestamp.
    Invalid,
    /// Correctly signed, but the timestamp is too far from now: a replay or a broken clock.
    Stale,
}

/// Checks the signature headers of a webhook request against `secret`.
pub(crate) fn verify(
    secret: &str,
    timestamp: Option<&str>,
    signature: Option<&str>,
    body: &[u8],
    now: DateTime<Utc>,
) -> Result<(), SignatureError> {
    let (Some(timestamp), Some(signature)) = (timestamp, signature) else {
        return Err(SignatureError::Invalid);
    };
    let given = signature
        .trim()
        .strip_prefix("sha256=")
        .and_then(decode_hex)
        .ok_or(SignatureError::Invalid)?;
    if !constant_time_eq(&given, &mac(secret, timestamp, body)) {
        return Err(SignatureError::Invalid);
    }
    let sent: i64 = timestamp
        .trim()
        .parse()
        .map_err(|_| SignatureError::Invalid)?;
    if (now.timestamp() - sent).abs() > MAX_SKEW_SECONDS {
        return Err(SignatureError::Stale);
    }
    Ok(())
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    hex::decode(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.timestamp_opt(1_800_000_000, 0).unwrap()
    }

    #[test]
    fn matches_an_independently_computed_hmac() {
        // Python: hmac.new(b"sandbox-secret", b'1800000000.{"text":"hi"}', sha256).hexdigest()
        assert_eq!(
            webhook_signature("sandbox-secret", "1800000000", br#"{"text":"hi"}"#),
            "sha256=3bd473e929729065cbae9a47aae2d1629d9014067dc3af33dbc6a3a434dfb7f1"
        );
    }

    #[test]
    fn platform_signatures_match_independently_computed_hmacs() {
        // Python: hmac.new(b"sandbox", b'{"a":1}', sha256).hexdigest()
        let expected = "9e313f6240a41bb73129a69c775dc907e2c8adc9bc1b2fafd1267c28446a4b4b";
        assert_eq!(
            meta_signature("sandbox", br#"{"a":1}"#),
            format!("sha256={expected}")
        );
        assert_eq!(viber_signature("sandbox", br#"{"a":1}"#), expected);
    }

    #[test]
    fn accepts_its_own_signature_and_rejects_changes() {
        let ts = "1800000000";
        let sig = webhook_signature("s", ts, b"{}");
        assert_eq!(verify("s", Some(ts), Some(&sig), b"{}", now()), Ok(()));
        let upper = format!("sha256={}", sig["sha256=".len()..].to_uppercase());
        assert_eq!(verify("s", Some(ts), Some(&upper), b"{}", now()), Ok(()));
        let invalid = Err(SignatureError::Invalid);
        assert_eq!(verify("s", Some(ts), Some(&sig), b"{ }", now()), invalid);
        assert_eq!(verify("t", Some(ts), Some(&sig), b"{}", now()), invalid);
        assert_eq!(
            verify("s", Some("1800000001"), Some(&sig), b"{}", now()),
            invalid
        );
        assert_eq!(verify("s", None, Some(&sig), b"{}", now()), invalid);
        assert_eq!(verify("s", Some(ts), None, b"{}", now()), invalid);
        assert_eq!(
            verify("s", Some(ts), Some("sha256=zz"), b"{}", now()),
            invalid
        );
        assert_eq!(
            verify("s", Some(ts), Some(&sig[7..]), b"{}", now()),
            invalid
        );
    }

    #[test]
    fn rejects_timestamps_more_than_five_minutes_away() {
        for (offset, ok) in [(-300, true), (300, true), (-301, false), (301, false)] {
            let ts = (now().timestamp() + offset).to_string();
            let sig = webhook_signature("s", &ts, b"x");
            let expected = if ok {
                Ok(())
            } else {
                Err(SignatureError::Stale)
            };
            assert_eq!(verify("s", Some(&ts), Some(&sig), b"x", now()), expected);
        }
    }
}
