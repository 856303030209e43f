//! The tamper-evident audit log: every state change, approval, schedule change and account
//! change, with its actor, time and version hash. Each entry carries the hash of the one
//! before, and the log's head (last sequence number and hash) is kept apart, so that
//! `herald audit verify` detects an edited, inserted or deleted row, including a cut tail.

use serde::Serialize;
use sha2::{Digest, Sha256};

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
}

/// The hash that chains an entry to the one before it.
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
    let mut hasher = Sha256::new();
    for part in [
        prev_hash,
        &seq.to_string(),
        &at_ms.to_string(),
        actor,
        action,
        subject,
        version.unwrap_or(""),
        details,
    ] {
        // Length-prefixed, so that moving text between fields changes the hash.
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
        }
    }
}

/// Checks the whole chain against its head `(seq, hash)`.
pub fn verify(entries: &[AuditEntry], head: (i64, &str)) -> Result<usize, ChainBreak> {
    let mut prev_seq = 0;
    let mut prev_hash = String::new();
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
        let expected = entry_hash(
            &entry.prev_hash,
            entry.seq,
            entry.at_ms,
            &entry.actor,
            &entry.action,
            &entry.subject,
            entry.version.as_deref(),
            &entry.details,
        );
        if expected != entry.hash {
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
    Ok(entries.len())
}
