//! Campaign versions: the content hash that approval binds to, and the lifecycle a version
//! moves through. Any change to what would be sent (campaign file, translations, layouts,
//! referenced channels) gives a new hash, hence a new version that needs approval again.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Bumped if the canonical form itself changes, so old and new hashes never collide.
pub(crate) const CANONICAL_FORMAT: u32 = 1;

/// Everything that shapes what a campaign sends, in a canonical form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionBundle {
    pub format: u32,
    pub campaign_id: String,
    /// The campaign file's text.
    pub campaign: String,
    /// Locale → Fluent file text, for every locale the campaign may use.
    pub translations: BTreeMap<String, String>,
    /// Platform → layout template text (built-in or overridden) for every platform used.
    pub layouts: BTreeMap<String, String>,
    /// The channel accounts the sends refer to, by name (never their secrets).
    pub channels: Vec<String>,
}

/// Line endings do not change what recipients read, so they do not change the hash.
impl VersionBundle {
    /// The canonical bytes: JSON with keys in a fixed order (structs in declaration order,
    /// maps sorted), no insignificant whitespace.
    pub fn canonical_json(&self) -> String {
        serde_json::to_string(self).expect("a bundle always serialises")
    }

    /// SHA-256 of the canonical form, as lower-case hex.
    pub fn content_hash(&self) -> ContentHash {
        let digest = Sha256::digest(self.canonical_json().as_bytes());
        ContentHash(digest.iter().map(|b| format!("{b:02x}")).collect())
    }
}

/// Line endings as `\n`, so the same text hashes the same on every system.
pub(crate) fn normalise(text: &str) -> String {
    text.replace("\r\n", "\n")
}

/// Text that is not a [`ContentHash`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not a version hash (64 lower-case hex characters)")]
pub struct ContentHashError {
    pub text: String,
}

/// A version's identity: 64 hex characters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ContentHash(String);

impl ContentHash {
    pub fn parse(text: &str) -> Result<ContentHash, ContentHashError> {
        if text.len() == 64
            && text
                .chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        {
            Ok(ContentHash(text.to_string()))
        } else {
            Err(ContentHashError {
                text: text.to_string(),
            })
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The first 12 characters, enough to name a version to a person.
    pub fn short(&self) -> &str {
        &self.0[..12]
    }
}

impl fmt::Display for ContentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where a version is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum VersionState {
    Draft,
    Submitted,
    Approved,
    Scheduled,
    Running,
    Completed,
    Paused,
    Cancelled,
    Rejected,
}

impl VersionState {
    pub const ALL: [VersionState; 9] = [
        VersionState::Draft,
        VersionState::Submitted,
        VersionState::Approved,
        VersionState::Scheduled,
        VersionState::Running,
        VersionState::Completed,
        VersionState::Paused,
        VersionState::Cancelled,
        VersionState::Rejected,
    ];

    pub fn name(self) -> &'static str {
        match self {
            VersionState::Draft => "draft",
            VersionState::Submitted => "submitted",
            VersionState::Approved => "approved",
            VersionState::Scheduled => "scheduled",
            VersionState::Running => "running",
            VersionState::Completed => "completed",
            VersionState::Paused => "paused",
            VersionState::Cancelled => "cancelled",
            VersionState::Rejected => "rejected",
        }
    }

    pub fn from_name(name: &str) -> Option<VersionState> {
        VersionState::ALL.into_iter().find(|s| s.name() == name)
    }

    /// The states this one may move to. Completed, cancelled and rejected are final: a changed
    /// campaign is a new version, never a revived old one.
    pub fn next_states(self) -> &'static [VersionState] {
        use VersionState::*;
        match self {
            Draft => &[Submitted, Cancelled],
            Submitted => &[Approved, Rejected, Cancelled],
            Approved => &[Scheduled, Cancelled],
            Scheduled => &[Running, Paused, Cancelled],
            Running => &[Completed, Paused, Cancelled],
            Paused => &[Scheduled, Running, Cancelled],
            Completed | Cancelled | Rejected => &[],
        }
    }

    /// Checks a transition, explaining a refusal in terms of what is allowed.
    pub fn check_transition(self, to: VersionState) -> Result<(), TransitionError> {
        if self.next_states().contains(&to) {
            Ok(())
        } else {
            Err(TransitionError { from: self, to })
        }
    }

    /// States in which sends are planned into the outbox.
    pub fn plans_sends(self) -> bool {
        matches!(self, VersionState::Scheduled | VersionState::Running)
    }
}

impl fmt::Display for VersionState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransitionError {
    pub from: VersionState,
    pub to: VersionState,
}

impl fmt::Display for TransitionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let allowed = self.from.next_states();
        if allowed.is_empty() {
            write!(
                f,
                "cannot move a {} version to {}: {} is final; change the campaign to make a new version",
                self.from, self.to, self.from
            )
        } else {
            write!(
                f,
                "cannot move a {} version to {}; from {} it can only go to: {}",
                self.from,
                self.to,
                self.from,
                allowed
                    .iter()
                    .map(|s| s.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    }
}

impl std::error::Error for TransitionError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_happy_path_is_allowed_and_shortcuts_are_not() {
        use VersionState::*;
        for (from, to) in [
            (Draft, Submitted),
            (Submitted, Approved),
            (Approved, Scheduled),
            (Scheduled, Running),
            (Running, Completed),
            (Running, Paused),
            (Paused, Running),
        ] {
            assert!(from.check_transition(to).is_ok(), "{from} → {to}");
        }
        let refused = Draft.check_transition(Approved).unwrap_err();
        assert_eq!(
            refused.to_string(),
            "cannot move a draft version to approved; from draft it can only go to: submitted, cancelled"
        );
        assert!(
            Completed
                .check_transition(Running)
                .unwrap_err()
                .to_string()
                .contains("completed is final")
        );
        for state in VersionState::ALL {
            assert_eq!(VersionState::from_name(state.name()), Some(state));
        }
    }

    #[test]
    fn hashes_are_64_hex() {
        assert!(ContentHash::parse(&"a".repeat(64)).is_ok());
        assert!(ContentHash::parse("abc").is_err());
        assert!(ContentHash::parse(&"A".repeat(64)).is_err());
    }
}
