//! The audit chain's head, exported for safekeeping outside the database (`herald audit
//! export-head`): how many entries there were, the last one's hash, the key id, when, and an
//! HMAC over all of it. Whoever can write the database can delete the last entries, or rebuild
//! the chain from its first entry where it was never keyed; neither can change a head kept in
//! another system, and `herald audit verify --head FILE` finds the difference.

use serde::{Deserialize, Serialize};

use super::{AuditEntry, AuditKey, VerifiedChain};

/// What the `format` field says: a head of this shape.
const FORMAT: &str = "herald audit head v1";

/// The largest head file read: a head is a few hundred bytes.
pub const MAX_HEAD_BYTES: usize = 4096;

/// A signed head, as written to and read from its JSON file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportedHead {
    pub format: String,
    /// The number of entries, which is the last entry's sequence number.
    pub entries: i64,
    /// The last entry's hash (empty for an empty log).
    pub hash: String,
    /// The id of the key the head and the keyed entries are signed with.
    pub key_id: String,
    /// The first keyed entry, when there is one.
    pub keyed_from: Option<i64>,
    /// When the last entry was written (RFC 3339, UTC).
    pub last_entry_at: Option<String>,
    /// When the head was exported (RFC 3339, UTC).
    pub exported_at: String,
    /// HMAC-SHA256 over every field above, under the audit key.
    pub mac: String,
}

/// Why a head file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum HeadError {
    #[error("the head file is larger than {MAX_HEAD_BYTES} bytes: it is not an exported head")]
    TooLarge,
    #[error("the head file is not an exported head: {0}")]
    Json(#[from] serde_json::Error),
    #[error("the head file's `format` is `{0}`, not `{FORMAT}`")]
    Format(String),
}

/// How the chain in the database differs from an exported head.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeadMismatch {
    #[error(
        "the head was exported under key id {head}, not this key ({ours}): if it is a retired key, set HERALD_SECRET_KEY_PREVIOUS to it"
    )]
    OtherKey { head: String, ours: String },
    #[error("the head file was edited: its mac does not match its fields")]
    Forged,
    #[error(
        "the log ends at entry {last} but the exported head records {head}: the last entries were deleted"
    )]
    Truncated { last: i64, head: i64 },
    #[error("entry {seq} is not the one the exported head records: the chain was rebuilt up to it")]
    Rebuilt { seq: i64 },
    #[error(
        "the exported head has the chain keyed from entry {head:?}, the database from {now:?}: the chain was rebuilt"
    )]
    KeyedFromMoved { head: Option<i64>, now: Option<i64> },
}

impl ExportedHead {
    /// The head of a chain that verified, signed with `key`.
    pub fn sign(
        entries: &[AuditEntry],
        chain: &VerifiedChain,
        key: &AuditKey,
        now: chrono::DateTime<chrono::Utc>,
    ) -> ExportedHead {
        let last = entries.last();
        let mut head = ExportedHead {
            format: FORMAT.to_string(),
            entries: last.map_or(0, |entry| entry.seq),
            hash: last.map(|entry| entry.hash.clone()).unwrap_or_default(),
            key_id: key.id().to_string(),
            keyed_from: chain.keyed_from,
            last_entry_at: last.and_then(|entry| rfc3339(entry.at_ms)),
            exported_at: now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            mac: String::new(),
        };
        head.mac = head.mac_under(key);
        head
    }

    /// Reads a head file's text, at most [`MAX_HEAD_BYTES`] of it.
    pub fn parse(text: &str) -> Result<ExportedHead, HeadError> {
        if text.len() > MAX_HEAD_BYTES {
            return Err(HeadError::TooLarge);
        }
        let head: ExportedHead = serde_json::from_str(text)?;
        if head.format != FORMAT {
            return Err(HeadError::Format(head.format));
        }
        Ok(head)
    }

    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("a head serializes");
        text.push('\n');
        text
    }

    /// Checks a chain that verified against this head: the head is signed with `key` or, after
    /// a rotation, the previous key beside it; its
    /// last entry is still in the chain with the same hash (the entries after it chain from
    /// it, which [`super::verify`] checked), and the keyed part starts where it did.
    pub fn check(
        &self,
        entries: &[AuditEntry],
        chain: &VerifiedChain,
        key: &AuditKey,
    ) -> Result<(), HeadMismatch> {
        let Some(key) = key.named(&self.key_id) else {
            return Err(HeadMismatch::OtherKey {
                head: self.key_id.clone(),
                ours: key.id().to_string(),
            });
        };
        if !super::hashes_equal(&self.mac_under(key), &self.mac) {
            return Err(HeadMismatch::Forged);
        }
        if self.entries > 0 {
            let last = entries.last().map_or(0, |entry| entry.seq);
            let Some(entry) = entries.iter().find(|entry| entry.seq == self.entries) else {
                return Err(HeadMismatch::Truncated {
                    last,
                    head: self.entries,
                });
            };
            if !super::hashes_equal(&self.hash, &entry.hash) {
                return Err(HeadMismatch::Rebuilt { seq: self.entries });
            }
        }
        let keyed_at_head = self.keyed_from.filter(|first| *first <= self.entries);
        let keyed_now = chain.keyed_from.filter(|first| *first <= self.entries);
        if keyed_at_head != keyed_now {
            return Err(HeadMismatch::KeyedFromMoved {
                head: self.keyed_from,
                now: chain.keyed_from,
            });
        }
        Ok(())
    }

    /// Every field but the mac, in order.
    fn signed_fields(&self) -> [String; 7] {
        let optional = |value: Option<String>| value.unwrap_or_default();
        [
            self.format.clone(),
            self.entries.to_string(),
            self.hash.clone(),
            self.key_id.clone(),
            optional(self.keyed_from.map(|first| first.to_string())),
            optional(self.last_entry_at.clone()),
            self.exported_at.clone(),
        ]
    }

    fn mac_under(&self, key: &AuditKey) -> String {
        let fields = self.signed_fields();
        key.mac(&fields.iter().map(String::as_str).collect::<Vec<_>>())
    }
}

/// A time in milliseconds as RFC 3339 in UTC.
fn rfc3339(at_ms: i64) -> Option<String> {
    chrono::DateTime::from_timestamp_millis(at_ms)
        .map(|at| at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_small_well_formed_head_is_read() {
        assert!(matches!(
            ExportedHead::parse(&" ".repeat(MAX_HEAD_BYTES + 1)),
            Err(HeadError::TooLarge)
        ));
        let key = AuditKey::from_hex(&"11".repeat(32)).unwrap();
        let chain = VerifiedChain {
            entries: 0,
            keyed_from: None,
        };
        let head = ExportedHead::sign(&[], &chain, &key, chrono::Utc::now());
        let text = head.to_json();
        assert_eq!(ExportedHead::parse(&text).unwrap(), head);
        let extra = text.replacen('{', "{\"note\": 1,", 1);
        let refused = ExportedHead::parse(&extra).unwrap_err().to_string();
        assert!(refused.contains("unknown field `note`"), "{refused}");
        assert!(refused.contains("line 1 column"), "{refused}");
        let other = text.replace(FORMAT, "herald audit head v9");
        assert!(matches!(
            ExportedHead::parse(&other),
            Err(HeadError::Format(_))
        ));
        let wrong = AuditKey::from_hex(&"22".repeat(32)).unwrap();
        assert!(matches!(
            head.check(&[], &chain, &wrong),
            Err(HeadMismatch::OtherKey { .. })
        ));
        assert_eq!(head.check(&[], &chain, &key), Ok(()));
    }
}
