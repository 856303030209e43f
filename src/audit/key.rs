//! The key the audit chain is signed with: derived from `HERALD_SECRET_KEY` under a label of its
//! own, so that whoever can write the database but does not hold the secret key cannot rebuild
//! the chain (a plain hash anyone can recompute). Each keyed entry names the key by its id, a
//! short fingerprint from which the key cannot be found, so that `herald audit verify` can say
//! which key an entry needs.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::secrets::{SecretKeyError, derive_subkey, encode_hex, key_bytes};

const CHAIN_LABEL: &[u8] = b"herald audit chain v1";
const KEY_ID_LABEL: &[u8] = b"herald audit key id v1";

/// The audit chain's HMAC-SHA256 key and its id, and during a key rotation the previous one:
/// entries are signed with the current key only, the previous one checks what it signed.
pub struct AuditKey {
    key: [u8; 32],
    id: String,
    previous: Option<Box<AuditKey>>,
}

/// The key is never printed; its id is.
impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditKey")
            .field("id", &self.id)
            .field("previous", &self.previous_id())
            .finish_non_exhaustive()
    }
}

impl AuditKey {
    /// From the secret key written as 64 hexadecimal characters.
    pub fn from_hex(text: &str) -> Result<AuditKey, SecretKeyError> {
        Ok(AuditKey::from_secret(&key_bytes(text)?))
    }

    /// With the previous secret key (64 hexadecimal characters) beside it, during a rotation.
    pub fn with_previous(mut self, previous: &str) -> Result<AuditKey, SecretKeyError> {
        self.previous = Some(Box::new(AuditKey::from_hex(previous)?));
        Ok(self)
    }

    fn from_secret(secret: &[u8; 32]) -> AuditKey {
        let key = derive_subkey(secret, CHAIN_LABEL);
        let fingerprint = derive_subkey(&key, KEY_ID_LABEL);
        AuditKey {
            key,
            id: encode_hex(&fingerprint[..8]),
            previous: None,
        }
    }

    /// The previous key's id, during a rotation.
    pub fn previous_id(&self) -> Option<&str> {
        self.previous.as_deref().map(AuditKey::id)
    }

    /// The key, current or previous, whose id is `id`.
    pub fn named(&self, id: &str) -> Option<&AuditKey> {
        if self.id == id {
            return Some(self);
        }
        self.previous
            .as_deref()
            .filter(|previous| previous.id == id)
    }

    /// The key's id: 16 hexadecimal characters, the same for the same secret key.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Hex HMAC-SHA256 of `parts`, each length-prefixed so that moving text between parts
    /// changes the result.
    pub fn mac(&self, parts: &[&str]) -> String {
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(&self.key).expect("HMAC takes any key length");
        for part in parts {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part.as_bytes());
        }
        encode_hex(&mac.finalize().into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_id_names_the_key_without_revealing_it() {
        let key = AuditKey::from_hex(&"11".repeat(32)).unwrap();
        let same = AuditKey::from_hex(&"11".repeat(32)).unwrap();
        let other = AuditKey::from_hex(&"22".repeat(32)).unwrap();
        assert_eq!(key.id(), same.id());
        assert_ne!(key.id(), other.id());
        assert_eq!(key.id().len(), 16);
        assert!(!format!("{key:?}").contains(&"11".repeat(4)));
        let mac = key.mac(&["a", "bc"]);
        assert_eq!(key.mac(&["a", "bc"]), mac);
        assert_ne!(key.mac(&["ab", "c"]), mac, "moved text between parts");
        assert_ne!(other.mac(&["a", "bc"]), mac, "another key");
    }
}
