//! The tamper-evident audit log: every state change, approval, schedule change and account
//! change, with its actor, time and version hash. Each entry carries the hash of the one
//! before, and the log's head (last sequence number and hash) is kept apart, so that
//! `herald audit verify` detects an edited, inserted or deleted row, including a cut tail.
//!
//! With `HERALD_SECRET_KEY` set, each entry's hash is an HMAC under the [`AuditKey`], so that
//! write access to the database is not enough to rebuild the chain; entries written before
//! (or without a key) keep their plain SHA-256 and are checked as such. Once one entry is
//! keyed, every later one must be too. An [`ExportedHead`] kept elsewhere catches what the
//! database alone cannot: a chain cut short, or rebuilt from its first entry.

mod exported_head;
mod key;

pub use exported_head::{ExportedHead, HeadError, HeadMismatch, MAX_HEAD_BYTES};
pub use key::AuditKey;

use serde::Serialize;
use sha2::{Digest, Sha256};

/// The action of the entry at which the chain's key changes: `herald keys rotate`'s record, or
/// the one herald writes itself when the first entry under a new key is not that record.
pub const KEYS_ROTATED: &str = "keys.rotated";

/// The field of a [`KEYS_ROTATED`] entry's details that names the audit key the entries before
/// it were signed with; a switch of key is only accepted at an entry naming the key it leaves.
pub const PREVIOUS_KEY_FIELD: &str = "previous_audit_key_id";

/// An entry to append.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAuditEntry {
    pub at_ms: i64,
    /// The user name, or `herald` for the engine's own transitions.
    pub actor: String,
    /// What happened: `version.approved`, `campaign.killed`, ...
    pub action: String,
    /// What it happened to: a campaign id, a user name, an account.
    pub subject: String,
    pub version: Option<String>,
    /// Further facts as a JSON object (never secrets).
    pub details: serde_json::Value,
}

/// A stored entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AuditEntry {
    pub seq: i64,
    pub at_ms: i64,
    pub actor: String,
    pub action: String,
    pub subject: String,
    pub version: Option<String>,
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
    /// The id of the [`AuditKey`] the hash is an HMAC under; `None` for plain SHA-256.
    pub key_id: Option<String>,
}

impl AuditEntry {
    /// What the hash covers, in order.
    fn parts(&self) -> [String; 8] {
        [
            self.prev_hash.clone(),
            self.seq.to_string(),
            self.at_ms.to_string(),
            self.actor.clone(),
            self.action.clone(),
            self.subject.clone(),
            self.version.clone().unwrap_or_default(),
            self.details.clone(),
        ]
    }

    /// The entry's hash as it should be: plain, or an HMAC under `key` covering the key id too.
    pub fn expected_hash(&self, key: Option<&AuditKey>) -> String {
        let parts = self.parts();
        let mut parts: Vec<&str> = parts.iter().map(String::as_str).collect();
        match key {
            None => plain_hash(&parts),
            Some(key) => {
                parts.push(key.id());
                key.mac(&parts)
            }
        }
    }
}

/// The plain SHA-256 hash that chains an entry to the one before it (entries written without
/// a key).
#[allow(clippy::too_many_arguments)]
pub fn entry_hash(
    prev_hash: &str,
    seq: i64,
    at_ms: i64,
    actor: &str,
    action: &str,
    subject: &str,
    version: Option<&str>,
    details: &str,
) -> String {
    plain_hash(&[
        prev_hash,
        &seq.to_string(),
        &at_ms.to_string(),
        actor,
        action,
        subject,
        version.unwrap_or(""),
        details,
    ])
}

/// SHA-256 of `parts`, each length-prefixed so that moving text between fields changes it.
fn plain_hash(parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part.as_bytes());
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What `verify` found wrong, at which entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainBreak {
    /// An entry's contents no longer match its hash.
    Edited { seq: i64 },
    /// An entry does not follow the one before it (a row was inserted or replaced).
    Inserted { seq: i64 },
    /// Sequence numbers skip: rows were deleted before this one.
    Deleted { after: i64, next: i64 },
    /// The log ends before its recorded head: its last rows were deleted.
    Truncated { last: i64, head: i64 },
    /// The log goes on past its recorded head: rows were added behind herald's back.
    Appended { last: i64, head: i64 },
    /// A plain entry after a keyed one: the chain was rebuilt from there without the key.
    Unkeyed { seq: i64, keyed_from: i64 },
    /// A keyed entry under another key than the ones given (a rebuild under a key of the
    /// attacker's own, the wrong `HERALD_SECRET_KEY`, or a retired key not given as the
    /// previous one).
    OtherKey { seq: i64, key_id: String },
    /// The key changes at an entry that is not a [`KEYS_ROTATED`] entry naming the key it
    /// leaves, or back to a key already left: entries spliced in under another key.
    KeySwitch { seq: i64, from: String, to: String },
    /// Keyed entries, and no key to check them with.
    KeyNeeded { seq: i64 },
}

impl std::fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChainBreak::Edited { seq } => write!(
                f,
                "entry {seq} was edited: its contents no longer match its hash"
            ),
            ChainBreak::Inserted { seq } => write!(
                f,
                "entry {seq} does not follow the entry before it: a row was inserted or replaced"
            ),
            ChainBreak::Deleted { after, next } => {
                write!(f, "entries between {after} and {next} were deleted")
            }
            ChainBreak::Truncated { last, head } => write!(
                f,
                "the log ends at entry {last} but its head records {head}: the last entries were deleted"
            ),
            ChainBreak::Appended { last, head } => write!(
                f,
                "the log goes on to entry {last} but its head records {head}: entries were added outside herald"
            ),
            ChainBreak::Unkeyed { seq, keyed_from } => write!(
                f,
                "entry {seq} is plain SHA-256 though the chain is keyed from entry {keyed_from}: it was rebuilt without the key"
            ),
            ChainBreak::OtherKey { seq, key_id } => write!(
                f,
                "entry {seq} is signed with key id {key_id}, not with this {} nor {}: if key id {key_id} is a retired key, set {} to it to check the entries it signed",
                crate::secrets::SECRET_KEY_VARIABLE,
                crate::secrets::PREVIOUS_SECRET_KEY_VARIABLE,
                crate::secrets::PREVIOUS_SECRET_KEY_VARIABLE
            ),
            ChainBreak::KeySwitch { seq, from, to } => write!(
                f,
                "entry {seq} changes the chain's key from key id {from} to {to} without a {KEYS_ROTATED} entry naming {from}: entries were spliced in under another key"
            ),
            ChainBreak::KeyNeeded { seq } => write!(
                f,
                "entries from {seq} on are keyed; set {} to check them",
                crate::secrets::SECRET_KEY_VARIABLE
            ),
        }
    }
}

/// What a chain that verified is made of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedChain {
    pub entries: usize,
    /// The first keyed entry; the ones before it are plain SHA-256.
    pub keyed_from: Option<i64>,
}

impl VerifiedChain {
    /// What an operator is told about the chain's keys, or nothing when every entry is keyed.
    pub fn keying(&self, key: Option<&AuditKey>) -> Option<String> {
        let plain_to = match self.keyed_from {
            Some(1) => return None,
            Some(first) => first - 1,
            None => self.entries as i64,
        };
        if plain_to == 0 {
            return None;
        }
        let unkeyed = format!("entries 1 to {plain_to} are plain SHA-256");
        Some(match (self.keyed_from, key) {
            (Some(first), Some(key)) => format!(
                "{unkeyed}: entry {first}, the first keyed (key id {}), seals them as they were when it was written, but until then anyone who could write the database could have rebuilt them",
                key.id()
            ),
            (_, None) => format!(
                "{unkeyed}: anyone who could write the database could have rebuilt them; set {} so that new entries are keyed",
                crate::secrets::SECRET_KEY_VARIABLE
            ),
            (None, Some(_)) => format!(
                "{unkeyed}: anyone who could write the database could have rebuilt them; the next entry herald writes will be keyed"
            ),
        })
    }
}

/// Checks the whole chain against its head `(seq, hash)`: plain entries by SHA-256, keyed
/// ones by HMAC under the key they name, `key` or the previous key beside it; the key may only
/// change at a [`KEYS_ROTATED`] entry.
pub fn verify(
    entries: &[AuditEntry],
    head: (i64, &str),
    key: Option<&AuditKey>,
) -> Result<VerifiedChain, ChainBreak> {
    let mut prev_seq = 0;
    let mut prev_hash = String::new();
    let mut keyed_from = None;
    let mut keys_used: Vec<String> = Vec::new();
    for entry in entries {
        if entry.seq != prev_seq + 1 {
            if entry.seq <= prev_seq {
                return Err(ChainBreak::Inserted { seq: entry.seq });
            }
            return Err(ChainBreak::Deleted {
                after: prev_seq,
                next: entry.seq,
            });
        }
        if entry.prev_hash != prev_hash {
            return Err(ChainBreak::Inserted { seq: entry.seq });
        }
        let signed_with = match (&entry.key_id, keyed_from) {
            (None, Some(keyed_from)) => {
                return Err(ChainBreak::Unkeyed {
                    seq: entry.seq,
                    keyed_from,
                });
            }
            (None, None) => None,
            (Some(key_id), _) => {
                keyed_from.get_or_insert(entry.seq);
                let key = key.ok_or(ChainBreak::KeyNeeded { seq: entry.seq })?;
                let signer = key.named(key_id).ok_or_else(|| ChainBreak::OtherKey {
                    seq: entry.seq,
                    key_id: key_id.clone(),
                })?;
                check_key_switch(entry, &mut keys_used)?;
                Some(signer)
            }
        };
        if !hashes_equal(&entry.expected_hash(signed_with), &entry.hash) {
            return Err(ChainBreak::Edited { seq: entry.seq });
        }
        prev_seq = entry.seq;
        prev_hash = entry.hash.clone();
    }
    if prev_seq > head.0 {
        return Err(ChainBreak::Appended {
            last: prev_seq,
            head: head.0,
        });
    }
    if head.0 != prev_seq || head.1 != prev_hash {
        return Err(ChainBreak::Truncated {
            last: prev_seq,
            head: head.0,
        });
    }
    Ok(VerifiedChain {
        entries: entries.len(),
        keyed_from,
    })
}

/// Accepts a keyed entry's key after the keys used before it (`keys_used`, in order, which it
/// extends): the same key as the last keyed entry, the first key of the chain, or a new key at a
/// [`KEYS_ROTATED`] entry that names the key it leaves, so that whoever holds one key cannot
/// splice entries under another into the chain, nor go back to a retired key.
fn check_key_switch(entry: &AuditEntry, keys_used: &mut Vec<String>) -> Result<(), ChainBreak> {
    let Some(key_id) = entry.key_id.as_deref() else {
        return Ok(());
    };
    let Some(last) = keys_used.last() else {
        keys_used.push(key_id.to_string());
        return Ok(());
    };
    if last == key_id {
        return Ok(());
    }
    let names_last = entry.action == KEYS_ROTATED
        && serde_json::from_str::<serde_json::Value>(&entry.details)
            .ok()
            .and_then(|details| {
                details
                    .get(PREVIOUS_KEY_FIELD)
                    .and_then(|id| id.as_str().map(str::to_string))
            })
            .as_deref()
            == Some(last.as_str());
    if !names_last || keys_used.iter().any(|used| used == key_id) {
        return Err(ChainBreak::KeySwitch {
            seq: entry.seq,
            from: last.clone(),
            to: key_id.to_string(),
        });
    }
    keys_used.push(key_id.to_string());
    Ok(())
}

/// Hashes compared in constant time: a keyed hash is a MAC.
fn hashes_equal(expected: &str, stored: &str) -> bool {
    use subtle::ConstantTimeEq;
    expected.len() == stored.len() && bool::from(expected.as_bytes().ct_eq(stored.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A chain of `(action, details, key)` entries, hashed as herald writes them.
    fn chain(entries: &[(&str, serde_json::Value, Option<&AuditKey>)]) -> Vec<AuditEntry> {
        let mut prev_hash = String::new();
        let mut chained = Vec::new();
        for (n, (action, details, key)) in entries.iter().enumerate() {
            let mut entry = AuditEntry {
                seq: n as i64 + 1,
                at_ms: 0,
                actor: "herald".into(),
                action: action.to_string(),
                subject: "s".into(),
                version: None,
                details: details.to_string(),
                prev_hash: prev_hash.clone(),
                hash: String::new(),
                key_id: key.map(|key| key.id().to_string()),
            };
            entry.hash = entry.expected_hash(*key);
            prev_hash = entry.hash.clone();
            chained.push(entry);
        }
        chained
    }

    fn verified(entries: &[AuditEntry], key: &AuditKey) -> Result<VerifiedChain, ChainBreak> {
        let last = entries.last().unwrap();
        verify(entries, (last.seq, &last.hash), Some(key))
    }

    #[test]
    fn the_key_changes_only_at_a_rotation_entry_naming_the_key_it_leaves() {
        let old = AuditKey::from_hex(&"11".repeat(32)).unwrap();
        let new = AuditKey::from_hex(&"22".repeat(32)).unwrap();
        let both = AuditKey::from_hex(&"22".repeat(32))
            .unwrap()
            .with_previous(&"11".repeat(32))
            .unwrap();
        let none = serde_json::json!({});
        let names_old = serde_json::json!({ PREVIOUS_KEY_FIELD: old.id() });
        let rotated = chain(&[
            ("user.added", none.clone(), None),
            ("user.added", none.clone(), Some(&old)),
            (KEYS_ROTATED, names_old.clone(), Some(&new)),
            ("user.added", none.clone(), Some(&new)),
        ]);
        assert!(verified(&rotated, &both).is_ok());
        assert!(matches!(
            verified(&rotated, &new),
            Err(ChainBreak::OtherKey { seq: 2, .. })
        ));
        let spliced = chain(&[
            ("user.added", none.clone(), Some(&old)),
            ("user.added", none.clone(), Some(&new)),
        ]);
        assert!(matches!(
            verified(&spliced, &both),
            Err(ChainBreak::KeySwitch { seq: 2, .. })
        ));
        let names_new = serde_json::json!({ PREVIOUS_KEY_FIELD: new.id() });
        let back = chain(&[
            ("user.added", none.clone(), Some(&old)),
            (KEYS_ROTATED, names_old, Some(&new)),
            (KEYS_ROTATED, names_new, Some(&old)),
        ]);
        assert!(matches!(
            verified(&back, &both),
            Err(ChainBreak::KeySwitch { seq: 3, .. })
        ));
    }
}
