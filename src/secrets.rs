//! Credentials kept in the database: sealed with XChaCha20-Poly1305 under a key that lives only
//! in the environment (`HERALD_SECRET_KEY`, 64 hex characters), each bound to its account and
//! name so a sealed value cannot be moved to another account. They are write-only: no route
//! returns them, and only `serve` and `worker` open them, to call the partner and check its
//! events.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};

use crate::platforms::{Secret, StoredCredentials};
use crate::sealed_format::{SealedText, key_id, tagged};

/// The environment variable holding the sealing key.
pub const SECRET_KEY_VARIABLE: &str = "HERALD_SECRET_KEY";

/// The environment variable holding the key being rotated away from: accepted for reading
/// only, until `herald keys rotate` has re-sealed everything under [`SECRET_KEY_VARIABLE`].
pub const PREVIOUS_SECRET_KEY_VARIABLE: &str = "HERALD_SECRET_KEY_PREVIOUS";

/// Why the text of [`SECRET_KEY_VARIABLE`] is not a key. Both say the same to the operator,
/// who fixes either by generating a new key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SecretKeyError {
    #[error(
        "{} must be 64 hexadecimal characters (32 random bytes)",
        SECRET_KEY_VARIABLE
    )]
    InvalidHex,
    #[error(
        "{} must be 64 hexadecimal characters (32 random bytes)",
        SECRET_KEY_VARIABLE
    )]
    WrongLength,
}

/// Why a credential could not be sealed or opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialError {
    #[error("no randomness for a nonce: {0}")]
    NoRandomness(getrandom::Error),
    #[error("sealing failed")]
    SealingFailed,
    /// Tampered with, moved to another account, or sealed under another key.
    #[error(
        "stored credential `{name}` of `{channel}` cannot be opened with this {}",
        SECRET_KEY_VARIABLE
    )]
    CannotOpen { channel: String, name: String },
}

/// One key's cipher and its id.
struct CredentialCipher {
    cipher: XChaCha20Poly1305,
    key_id: String,
}

impl CredentialCipher {
    fn new(bytes: &[u8; 32]) -> CredentialCipher {
        CredentialCipher {
            cipher: XChaCha20Poly1305::new(Key::from_slice(bytes)),
            key_id: key_id(bytes),
        }
    }

    fn open(&self, nonce: &[u8], sealed: &[u8], aad: &str) -> Option<Vec<u8>> {
        self.cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: sealed,
                    aad: aad.as_bytes(),
                },
            )
            .ok()
    }
}

/// Seals under the current key; opens under the current key or, during a rotation, the
/// previous one.
pub struct SecretKey {
    current: CredentialCipher,
    previous: Option<CredentialCipher>,
}

impl SecretKey {
    pub fn from_hex(text: &str) -> Result<SecretKey, SecretKeyError> {
        let bytes = key_bytes(text)?;
        Ok(SecretKey {
            current: CredentialCipher::new(&bytes),
            previous: None,
        })
    }

    /// This key, also opening what `previous` (64 hex characters) sealed.
    pub fn with_previous(mut self, previous: &str) -> Result<SecretKey, SecretKeyError> {
        self.previous = Some(CredentialCipher::new(&key_bytes(previous)?));
        Ok(self)
    }

    /// The id of the key that seals (see `crate::sealed_format`).
    pub fn key_id(&self) -> &str {
        &self.current.key_id
    }

    /// Seals `value` for `(channel, name)`: `(nonce, sealed)`, the nonce as hex and the
    /// sealed value as hex tagged with the key id.
    pub fn seal(
        &self,
        channel: &str,
        name: &str,
        value: &str,
    ) -> Result<(String, String), CredentialError> {
        let mut nonce = [0u8; 24];
        getrandom::fill(&mut nonce).map_err(CredentialError::NoRandomness)?;
        let aad = binding(channel, name);
        let sealed = self
            .current
            .cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: value.as_bytes(),
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| CredentialError::SealingFailed)?;
        Ok((
            encode_hex(&nonce),
            tagged(&self.current.key_id, &encode_hex(&sealed)),
        ))
    }

    /// Opens a sealed value; fails if it was tampered with, moved, or sealed under another key
    /// than the current and the previous one. A value without a key id is tried with both.
    pub fn open(
        &self,
        channel: &str,
        name: &str,
        nonce: &str,
        sealed: &str,
    ) -> Result<Secret, CredentialError> {
        let refuse = || CredentialError::CannotOpen {
            channel: channel.to_string(),
            name: name.to_string(),
        };
        let nonce = decode_hex(nonce)
            .filter(|n| n.len() == 24)
            .ok_or_else(refuse)?;
        let text = SealedText::parse(sealed);
        let sealed = decode_hex(text.body).ok_or_else(refuse)?;
        let aad = binding(channel, name);
        let plain = [Some(&self.current), self.previous.as_ref()]
            .into_iter()
            .flatten()
            .filter(|key| text.key_id.is_none_or(|id| id == key.key_id))
            .find_map(|key| key.open(&nonce, &sealed, &aad))
            .ok_or_else(refuse)?;
        String::from_utf8(plain)
            .map(Secret::new)
            .map_err(|_| refuse())
    }
}

fn binding(channel: &str, name: &str) -> String {
    format!("herald-account-secret\0{channel}\0{name}")
}

/// The 32 bytes of a key written as 64 hex characters (surrounding whitespace ignored).
pub(crate) fn key_bytes(text: &str) -> Result<[u8; 32], SecretKeyError> {
    let bytes = hex::decode(text.trim()).map_err(|_| SecretKeyError::InvalidHex)?;
    <[u8; 32]>::try_from(bytes).map_err(|_| SecretKeyError::WrongLength)
}

/// A key of its own for one use, derived from the secret key under `label`: HMAC-SHA256 of the
/// label, so that no derived key can stand in for another or for the secret key itself.
pub(crate) fn derive_subkey(key: &[u8; 32], label: &[u8]) -> [u8; 32] {
    use hmac::{Hmac, Mac};
    let mut mac =
        <Hmac<sha2::Sha256> as Mac>::new_from_slice(key).expect("HMAC takes a key of any length");
    mac.update(label);
    mac.finalize().into_bytes().into()
}

pub(crate) fn encode_hex(bytes: &[u8]) -> String {
    hex::encode(bytes)
}

pub(crate) fn decode_hex(text: &str) -> Option<Vec<u8>> {
    hex::decode(text).ok()
}

/// Why stored credentials could not be opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealedCredentialsError {
    #[error("credentials are stored in the database; set {SECRET_KEY_VARIABLE} to open them")]
    NoKey,
    #[error(transparent)]
    CannotOpen(#[from] CredentialError),
}

/// Opens the rows of `Store::account_secrets` (`(channel, name, nonce, sealed)`) with `key`.
/// No rows need no key.
pub fn open_sealed_credentials(
    rows: &[(String, String, String, String)],
    key: Option<&SecretKey>,
) -> Result<StoredCredentials, SealedCredentialsError> {
    let mut opened = StoredCredentials::new();
    if rows.is_empty() {
        return Ok(opened);
    }
    let key = key.ok_or(SealedCredentialsError::NoKey)?;
    for (channel, name, nonce, sealed) in rows {
        let secret = key.open(channel, name, nonce, sealed)?;
        opened.insert((channel.clone(), name.clone()), secret);
    }
    Ok(opened)
}

/// Which version of each stored credential the rows hold: `(channel, name, nonce)`. The nonce
/// is new at every write, so a changed value shows without opening anything.
pub type StoredVersions = Vec<(String, String, String)>;

/// The [`StoredVersions`] of the rows of `Store::account_secrets`. A credential herald
/// rotates itself (an X refresh token) counts by its presence only: its adapter reads it
/// afresh at every refresh, so a rotation must not rebuild the account (and drop its
/// throttle holds) every two hours.
pub fn stored_versions(rows: &[(String, String, String, String)]) -> StoredVersions {
    rows.iter()
        .map(|(channel, name, nonce, _)| {
            let version = if crate::channel::ROTATED_CREDENTIALS.contains(&name.as_str()) {
                "rotating".to_string()
            } else {
                nonce.clone()
            };
            (channel.clone(), name.clone(), version)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_only_for_their_account_and_key() {
        let key = SecretKey::from_hex(&"11".repeat(32)).unwrap();
        let (nonce, sealed) = key.seal("telegram:info", "token", "123:ABC").unwrap();
        // The sealed hex never holds the value, as text or as hex (a 14-digit run: a chance
        // match is negligible, unlike the three digits "123" in random hex).
        assert!(!sealed.contains("123:ABC"));
        assert!(!sealed.contains(&hex::encode("123:ABC")));
        assert_eq!(
            key.open("telegram:info", "token", &nonce, &sealed)
                .unwrap()
                .expose(),
            "123:ABC"
        );
        assert!(
            key.open("telegram:other", "token", &nonce, &sealed)
                .is_err(),
            "moved to another account"
        );
        let other = SecretKey::from_hex(&"22".repeat(32)).unwrap();
        assert!(
            other
                .open("telegram:info", "token", &nonce, &sealed)
                .is_err(),
            "another key"
        );
        // During a rotation, what the previous key sealed opens, and a value of the previous
        // key's format without a key id too; the new key seals under its own id.
        let rotating = SecretKey::from_hex(&"22".repeat(32))
            .unwrap()
            .with_previous(&"11".repeat(32))
            .unwrap();
        assert_eq!(
            rotating
                .open("telegram:info", "token", &nonce, &sealed)
                .unwrap()
                .expose(),
            "123:ABC"
        );
        let legacy = sealed.rsplit(':').next().unwrap();
        assert_eq!(
            rotating
                .open("telegram:info", "token", &nonce, legacy)
                .unwrap()
                .expose(),
            "123:ABC"
        );
        assert!(sealed.starts_with(&format!("v2:{}:", key.key_id())));
        let (_, resealed) = rotating.seal("telegram:info", "token", "123:ABC").unwrap();
        assert!(resealed.starts_with(&format!("v2:{}:", rotating.key_id())));
        assert!(
            key.open("telegram:info", "token", &nonce, &resealed)
                .is_err()
        );
        // A value claiming the other key's id is not tried with this one.
        let relabelled = format!("v2:{}:{legacy}", rotating.key_id());
        assert!(
            rotating
                .open("telegram:info", "token", &nonce, &relabelled)
                .is_err()
        );
        assert_eq!(
            SecretKey::from_hex("abc").err(),
            Some(SecretKeyError::InvalidHex)
        );
        assert_eq!(
            SecretKey::from_hex(&"11".repeat(31)).err(),
            Some(SecretKeyError::WrongLength)
        );
        assert_eq!(
            SecretKeyError::WrongLength.to_string(),
            "HERALD_SECRET_KEY must be 64 hexadecimal characters (32 random bytes)"
        );
        assert_eq!(
            key.open("telegram:other", "token", &nonce, &sealed)
                .unwrap_err()
                .to_string(),
            "stored credential `token` of `telegram:other` cannot be opened with this HERALD_SECRET_KEY"
        );
    }
}
