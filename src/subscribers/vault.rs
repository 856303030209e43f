//! Subscriber identifiers at rest: sealed with XChaCha20-Poly1305 (bound to their channel) and
//! found again through a keyed hash, so that the database alone reveals no phone number or
//! chat id, and a lookup never needs to open every row. Both keys derive from
//! `HERALD_SECRET_KEY`, under labels of their own, so neither can stand in for the other or for
//! the key that seals account credentials.

use std::fmt;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::sealed_format::{SealedText, key_id, tagged};
use crate::secrets::{
    SECRET_KEY_VARIABLE, SecretKeyError, decode_hex, derive_subkey as derive, encode_hex, key_bytes,
};

const SEAL_LABEL: &[u8] = b"herald subscriber identifier seal v1";
const LOOKUP_LABEL: &[u8] = b"herald subscriber identifier lookup v1";
const EVENT_LABEL: &[u8] = b"herald partner event id v1";

/// Why the vault could not be made, or an identifier sealed or opened. No message contains an
/// identifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VaultError {
    #[error(transparent)]
    Key(#[from] SecretKeyError),
    #[error("no randomness for a key: {0}")]
    NoRandomKey(getrandom::Error),
    #[error("no randomness for a nonce: {0}")]
    NoRandomNonce(getrandom::Error),
    #[error("sealing failed")]
    SealingFailed,
    /// Sealed under another key or for another channel, or tampered with.
    #[error(
        "a subscriber identifier of `{channel}` cannot be opened with this {}",
        SECRET_KEY_VARIABLE
    )]
    CannotOpen { channel: String },
}

/// The keys derived from one `HERALD_SECRET_KEY`.
struct VaultKeys {
    cipher: XChaCha20Poly1305,
    lookup_key: [u8; 32],
    /// Keys the hashes of partners' event ids, which can carry a phone number (a `wamid`).
    event_key: [u8; 32],
    key_id: String,
}

impl VaultKeys {
    fn new(key: &[u8; 32]) -> VaultKeys {
        let seal_key = derive(key, SEAL_LABEL);
        VaultKeys {
            cipher: XChaCha20Poly1305::new(Key::from_slice(&seal_key)),
            lookup_key: derive(key, LOOKUP_LABEL),
            event_key: derive(key, EVENT_LABEL),
            key_id: key_id(key),
        }
    }

    fn open(&self, channel: &str, bytes: &[u8]) -> Option<Vec<u8>> {
        let (nonce, ciphertext) = bytes.split_at(24);
        self.cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: channel.as_bytes(),
                },
            )
            .ok()
    }
}

/// Seals and looks up subscriber identifiers: under the current key, and during a rotation
/// also opens and finds what the previous key sealed and hashed.
pub struct SubscriberVault {
    current: VaultKeys,
    previous: Option<VaultKeys>,
    /// Made up for this process only (a rehearsal): sealed identifiers die with it.
    ephemeral: bool,
}

impl fmt::Debug for SubscriberVault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SubscriberVault")
            .field("ephemeral", &self.ephemeral)
            .field("rotating", &self.previous.is_some())
            .finish_non_exhaustive()
    }
}

impl SubscriberVault {
    pub fn from_hex(text: &str) -> Result<SubscriberVault, VaultError> {
        let bytes = key_bytes(text)?;
        Ok(SubscriberVault::from_key(&bytes, false))
    }

    /// This vault, also opening and finding what `previous` (64 hex characters) sealed and
    /// hashed: for the time of a key rotation.
    pub fn with_previous(mut self, previous: &str) -> Result<SubscriberVault, VaultError> {
        self.previous = Some(VaultKeys::new(&key_bytes(previous)?));
        Ok(self)
    }

    /// A vault with a random key that lives as long as this process: for rehearsals and the
    /// demo, whose databases are thrown away too.
    pub fn ephemeral() -> Result<SubscriberVault, VaultError> {
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).map_err(VaultError::NoRandomKey)?;
        Ok(SubscriberVault::from_key(&key, true))
    }

    fn from_key(key: &[u8; 32], ephemeral: bool) -> SubscriberVault {
        SubscriberVault {
            current: VaultKeys::new(key),
            previous: None,
            ephemeral,
        }
    }

    pub fn is_ephemeral(&self) -> bool {
        self.ephemeral
    }

    /// The id of the key that seals and hashes now (see `crate::sealed_format`).
    pub fn key_id(&self) -> &str {
        &self.current.key_id
    }

    /// The id of the previous key, during a rotation.
    pub fn previous_key_id(&self) -> Option<&str> {
        self.previous.as_ref().map(|keys| keys.key_id.as_str())
    }

    /// The keyed hash a subscriber is found by: the same for the same person on the same
    /// channel, useless without the key.
    pub fn lookup(&self, channel: &str, identifier: &str) -> String {
        keyed_hash(&self.current.lookup_key, channel, identifier)
    }

    /// The person's lookup hash under the previous key, during a rotation: rows not re-keyed
    /// yet are found by it.
    pub fn previous_lookup(&self, channel: &str, identifier: &str) -> Option<String> {
        self.previous
            .as_ref()
            .map(|keys| keyed_hash(&keys.lookup_key, channel, identifier))
    }

    /// The keyed hash a partner's event is remembered by, to recognise its retries and
    /// replays: the same for the same event id on the same channel, useless without the key
    /// (a WhatsApp message id encodes the sender's number), and unrelated to any lookup hash.
    pub fn event_digest(&self, channel: &str, event_id: &str) -> String {
        keyed_hash(&self.current.event_key, channel, event_id)
    }

    /// The event's digest under the previous key, during a rotation: an event first seen
    /// before the rotation is still recognised.
    pub fn previous_event_digest(&self, channel: &str, event_id: &str) -> Option<String> {
        self.previous
            .as_ref()
            .map(|keys| keyed_hash(&keys.event_key, channel, event_id))
    }

    /// The identifier sealed for `channel`: the key id, then hex of nonce and ciphertext.
    pub fn seal(&self, channel: &str, identifier: &str) -> Result<String, VaultError> {
        let mut nonce = [0u8; 24];
        getrandom::fill(&mut nonce).map_err(VaultError::NoRandomNonce)?;
        let sealed = self
            .current
            .cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: identifier.as_bytes(),
                    aad: channel.as_bytes(),
                },
            )
            .map_err(|_| VaultError::SealingFailed)?;
        let mut body = encode_hex(&nonce);
        body.push_str(&encode_hex(&sealed));
        Ok(tagged(&self.current.key_id, &body))
    }

    /// Opens a sealed identifier; fails if it was sealed under another key than the current
    /// and the previous one or for another channel, or was tampered with. One without a key
    /// id (sealed before key ids) is tried with both keys. The error never contains the
    /// identifier.
    pub fn open(&self, channel: &str, sealed: &str) -> Result<String, VaultError> {
        let refuse = || VaultError::CannotOpen {
            channel: channel.to_string(),
        };
        let text = SealedText::parse(sealed);
        let bytes = decode_hex(text.body)
            .filter(|b| b.len() > 24)
            .ok_or_else(refuse)?;
        let plain = [Some(&self.current), self.previous.as_ref()]
            .into_iter()
            .flatten()
            .filter(|keys| text.key_id.is_none_or(|id| id == keys.key_id))
            .find_map(|keys| keys.open(channel, &bytes))
            .ok_or_else(refuse)?;
        String::from_utf8(plain).map_err(|_| refuse())
    }
}

/// Hex HMAC-SHA256 of `channel`, a zero byte and `value` under `key`.
fn keyed_hash(key: &[u8; 32], channel: &str, value: &str) -> String {
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(channel.as_bytes());
    mac.update(&[0]);
    mac.update(value.as_bytes());
    encode_hex(&mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_sealed_per_channel_and_found_by_keyed_hash() {
        let vault = SubscriberVault::from_hex(&"11".repeat(32)).unwrap();
        let sealed = vault.seal("whatsapp:nl", "31612345678").unwrap();
        assert!(!sealed.contains("31612345678"));
        assert_eq!(vault.open("whatsapp:nl", &sealed).unwrap(), "31612345678");
        assert_eq!(
            vault
                .open("whatsapp:other", &sealed)
                .unwrap_err()
                .to_string(),
            "a subscriber identifier of `whatsapp:other` cannot be opened with this HERALD_SECRET_KEY",
            "moved"
        );
        assert_eq!(
            SubscriberVault::from_hex("xyz").unwrap_err().to_string(),
            "HERALD_SECRET_KEY must be 64 hexadecimal characters (32 random bytes)"
        );
        let mut tampered = sealed.clone();
        tampered.replace_range(60..62, if &sealed[60..62] == "00" { "01" } else { "00" });
        assert!(vault.open("whatsapp:nl", &tampered).is_err(), "tampered");
        let other = SubscriberVault::from_hex(&"22".repeat(32)).unwrap();
        assert!(other.open("whatsapp:nl", &sealed).is_err(), "another key");

        let lookup = vault.lookup("whatsapp:nl", "31612345678");
        assert_eq!(lookup, vault.lookup("whatsapp:nl", "31612345678"));
        assert_ne!(lookup, vault.lookup("viber:nl", "31612345678"));
        assert_ne!(lookup, other.lookup("whatsapp:nl", "31612345678"));
        assert!(!lookup.contains("31612345678"));
        assert!(!format!("{vault:?}").contains("11"));

        // During a rotation: what the old key sealed opens (tagged or from before key ids),
        // the person is found by either hash, and new seals carry the new key's id.
        let rotating = SubscriberVault::from_hex(&"22".repeat(32))
            .unwrap()
            .with_previous(&"11".repeat(32))
            .unwrap();
        assert_eq!(
            rotating.open("whatsapp:nl", &sealed).unwrap(),
            "31612345678"
        );
        let legacy = sealed.rsplit(':').next().unwrap();
        assert_eq!(rotating.open("whatsapp:nl", legacy).unwrap(), "31612345678");
        assert_eq!(
            rotating.previous_lookup("whatsapp:nl", "31612345678"),
            Some(lookup.clone())
        );
        assert_eq!(rotating.previous_key_id(), Some(vault.key_id()));
        let resealed = rotating.seal("whatsapp:nl", "31612345678").unwrap();
        assert!(resealed.starts_with(&format!("v2:{}:", rotating.key_id())));
        assert!(vault.open("whatsapp:nl", &resealed).is_err());
        assert!(other.open("whatsapp:nl", &resealed).is_ok());

        let event = vault.event_digest("whatsapp:nl", "wamid.HBgLMzE2MTIzNDU2Nzg");
        assert_eq!(
            event,
            vault.event_digest("whatsapp:nl", "wamid.HBgLMzE2MTIzNDU2Nzg")
        );
        assert_ne!(
            event,
            vault.event_digest("whatsapp:other", "wamid.HBgLMzE2MTIzNDU2Nzg")
        );
        assert_ne!(
            event,
            other.event_digest("whatsapp:nl", "wamid.HBgLMzE2MTIzNDU2Nzg")
        );
        assert_ne!(
            vault.event_digest("whatsapp:nl", "31612345678"),
            lookup,
            "an event digest is never a lookup hash"
        );
    }
}
