//! The completeness matrix with herald's per-string records: each translated cell shows the
//! status recorded for exactly its words, and who set it when. The matrix itself is built from
//! the files alone (see `l10n::completeness`); the records live in the store, so whoever
//! shows the matrix to people adds them here.

use std::collections::{BTreeMap, HashMap};

use super::locale_strings::string_state;
use super::strings::file_strings;
use crate::l10n::{CompletenessMatrix, RecordedString, StringStatus, is_marked_draft};

/// Fills in the recorded status, changer and time of every translated cell.
pub fn annotate_matrix(
    matrix: &mut CompletenessMatrix,
    translations: &BTreeMap<String, String>,
    records: &[RecordedString],
) {
    let texts: HashMap<&str, (bool, HashMap<String, String>)> = translations
        .iter()
        .map(|(locale, ftl)| {
            let strings = file_strings(ftl)
                .into_iter()
                .map(|s| (s.id, s.text))
                .collect();
            (locale.as_str(), (is_marked_draft(ftl), strings))
        })
        .collect();
    for row in &mut matrix.rows {
        let id = row.string_id();
        for (locale, state) in matrix.locales.iter().zip(row.strings.iter_mut()) {
            if matches!(state.status, StringStatus::Missing | StringStatus::Source) {
                continue;
            }
            let Some((draft, strings)) = texts.get(locale.as_str()) else {
                continue;
            };
            *state = string_state(
                locale,
                &id,
                strings.get(&id).map(String::as_str),
                *draft,
                records,
            );
        }
    }
}
