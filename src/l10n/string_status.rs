//! Where each translatable string of a locale stands: missing, a draft, translated or
//! reviewed, and who last changed it. The completeness matrix says whether a text reaches its
//! audience; this says how far the translator's work on it has come, so that reviewers know
//! what to look at and translators what is left.

use serde::{Deserialize, Serialize};

/// The state of one string (a message's value or one attribute) in one locale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum StringStatus {
    /// The locale has no text for it.
    Missing,
    /// Written, but marked as needing review (a machine draft, an unfinished translation).
    Draft,
    /// Translated, not yet reviewed by a second person.
    Translated,
    /// Translated and reviewed.
    Reviewed,
    /// The default locale: the text every translation is made from.
    Source,
}

impl StringStatus {
    pub const ALL: [StringStatus; 5] = [
        StringStatus::Missing,
        StringStatus::Draft,
        StringStatus::Translated,
        StringStatus::Reviewed,
        StringStatus::Source,
    ];

    pub fn name(self) -> &'static str {
        match self {
            StringStatus::Missing => "missing",
            StringStatus::Draft => "draft",
            StringStatus::Translated => "translated",
            StringStatus::Reviewed => "reviewed",
            StringStatus::Source => "source",
        }
    }

    pub fn from_name(name: &str) -> Option<StringStatus> {
        StringStatus::ALL.into_iter().find(|s| s.name() == name)
    }
}

/// One cell's translation state: its status and, when herald recorded the change (an import
/// through the API), who made it and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct StringState {
    pub status: StringStatus,
    /// The user who last changed this text or its status; absent when the text came in with a
    /// whole uploaded bundle (the version's authors wrote it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub changed_by: Option<String>,
    /// When, in milliseconds since the epoch (UTC).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub changed_at_ms: Option<i64>,
}

impl StringState {
    pub fn unrecorded(status: StringStatus) -> StringState {
        StringState {
            status,
            changed_by: None,
            changed_at_ms: None,
        }
    }
}

/// A recorded change of one string: the text it applies to (by digest), its status, and who
/// set it when. Kept by the store; the text's digest ties the record to the words, so every
/// version holding the same words shows it, and changed words show as unrecorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedString {
    pub locale: String,
    /// `message`, `message.attribute`, or `-term`.
    pub string_id: String,
    pub text_sha256: String,
    pub status: StringStatus,
    /// The user's name.
    pub changed_by: String,
    pub changed_ms: i64,
}
