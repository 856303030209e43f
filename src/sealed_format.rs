//! How a sealed value says which key sealed it: `v2:<key id>:<hex>`, the key id being a short
//! fingerprint of `HERALD_SECRET_KEY` (a keyed hash of a fixed label, never the key). A value
//! written before key ids existed is bare hex: its key is unknown, so readers try the current
//! key and then the previous one. The id lets `herald keys rotate` find what is left to
//! re-seal, and lets `herald keys status` count rows per key, without opening anything.

use hmac::{Hmac, Mac};
use sha2::Sha256;

const KEY_ID_LABEL: &[u8] = b"herald key id v1";
const VERSION_PREFIX: &str = "v2:";

/// The fingerprint of a 32-byte key: 8 hex characters, the same for the same key, revealing
/// nothing of it (4 bytes of an HMAC under the key itself).
pub fn key_id(key: &[u8; 32]) -> String {
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(KEY_ID_LABEL);
    hex::encode(&mac.finalize().into_bytes()[..4])
}

/// `body` (hex) tagged with the id of the key that sealed it.
pub fn tagged(key_id: &str, body: &str) -> String {
    format!("{VERSION_PREFIX}{key_id}:{body}")
}

/// The text a value sealed under `key_id` starts with (for `LIKE` in SQL).
pub fn prefix_of(key_id: &str) -> String {
    format!("{VERSION_PREFIX}{key_id}:")
}

/// A stored sealed value, split: the key id when it carries one, and the hex body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SealedText<'a> {
    /// `None` for a value written before key ids: try the current key, then the previous.
    pub key_id: Option<&'a str>,
    pub body: &'a str,
}

impl<'a> SealedText<'a> {
    pub fn parse(text: &'a str) -> SealedText<'a> {
        match text
            .strip_prefix(VERSION_PREFIX)
            .and_then(|rest| rest.split_once(':'))
        {
            Some((key_id, body)) => SealedText {
                key_id: Some(key_id),
                body,
            },
            None => SealedText {
                key_id: None,
                body: text,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_id_is_a_fingerprint_and_sealed_text_splits() {
        let id = key_id(&[0x11; 32]);
        assert_eq!(id.len(), 8);
        assert_eq!(id, key_id(&[0x11; 32]));
        assert_ne!(id, key_id(&[0x22; 32]));
        assert!(!"11".repeat(32).contains(&id));
        let text = tagged(&id, "abcd");
        assert_eq!(
            SealedText::parse(&text),
            SealedText {
                key_id: Some(&id),
                body: "abcd"
            }
        );
        assert!(text.starts_with(&prefix_of(&id)));
        assert_eq!(
            SealedText::parse("abcd"),
            SealedText {
                key_id: None,
                body: "abcd"
            }
        );
    }
}
