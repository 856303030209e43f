//! One locale's strings side by side with the default locale's: what an export holds. Each
//! string of the source file, its translation if the locale has one, and its status (the
//! recorded one when herald recorded a change to exactly these words, else what the file says).

use std::collections::HashMap;

use super::strings::{FileString, file_strings, text_digest};
use crate::l10n::{RecordedString, StringState, StringStatus, is_marked_draft};

/// A source string and its translation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StringPair {
    pub id: String,
    pub entry: String,
    pub source: String,
    pub target: Option<String>,
    pub state: StringState,
}

/// Everything an export of one locale needs.
#[derive(Debug, Clone)]
pub struct LocaleStrings {
    pub campaign: String,
    pub source_locale: String,
    pub target_locale: String,
    /// The default locale's file, as stored.
    pub source_file: String,
    /// The target locale's file, as stored (`None` when it has none yet).
    pub target_file: Option<String>,
    pub pairs: Vec<StringPair>,
}

impl LocaleStrings {
    /// Pairs every string of `source_file` with its translation in `target_file`.
    pub fn new(
        campaign: &str,
        source_locale: &str,
        target_locale: &str,
        source_file: &str,
        target_file: Option<&str>,
        records: &[RecordedString],
    ) -> LocaleStrings {
        let draft = target_file.is_some_and(is_marked_draft);
        let targets: HashMap<String, String> = target_file
            .map(file_strings)
            .unwrap_or_default()
            .into_iter()
            .map(|s| (s.id, s.text))
            .collect();
        let pairs = file_strings(source_file)
            .into_iter()
            .map(|FileString { id, entry, text }| {
                let target = targets.get(&id).cloned();
                let state = string_state(target_locale, &id, target.as_deref(), draft, records);
                StringPair {
                    id,
                    entry,
                    source: text,
                    target,
                    state,
                }
            })
            .collect();
        LocaleStrings {
            campaign: campaign.to_string(),
            source_locale: source_locale.to_string(),
            target_locale: target_locale.to_string(),
            source_file: source_file.to_string(),
            target_file: target_file.map(str::to_string),
            pairs,
        }
    }

    pub fn missing(&self) -> impl Iterator<Item = &StringPair> {
        self.pairs.iter().filter(|p| p.target.is_none())
    }
}

/// The state of one string: missing without words; else the record made for exactly these
/// words; else a draft or translated by the file's `### status: draft` marker.
pub fn string_state(
    locale: &str,
    id: &str,
    target: Option<&str>,
    file_is_draft: bool,
    records: &[RecordedString],
) -> StringState {
    let Some(target) = target else {
        return StringState::unrecorded(StringStatus::Missing);
    };
    let digest = text_digest(target);
    records
        .iter()
        .find(|r| r.locale == locale && r.string_id == id && r.text_sha256 == digest)
        .map(|r| StringState {
            status: r.status,
            changed_by: Some(r.changed_by.clone()),
            changed_at_ms: Some(r.changed_ms),
        })
        .unwrap_or_else(|| {
            StringState::unrecorded(if file_is_draft {
                StringStatus::Draft
            } else {
                StringStatus::Translated
            })
        })
}
