//! An XLIFF document turned into the locale's new Fluent file: its languages must be the
//! campaign's default locale and the locale imported; every unit must name a string of the
//! source; every target must be one Fluent pattern keeping its source's variables and terms.
//! Units without a target (or with an empty one) keep the locale's current text, so a file of
//! only the missing strings adds them to what is there.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::import::{
    ExchangeFormat, ImportRequest, ImportedString, ImportedTranslation, entry_block, patch_file,
};
use super::string_checks::{ReadPattern, compare_references, read_pattern};
use super::strings::{entry_of, file_strings};
use super::xliff_read::{XliffUnit, read_xliff};
use crate::l10n::StringStatus;
use crate::source::diagnostic::{Diagnostic, Severity, SourceFile};

/// The status an XLIFF segment state stands for; the XLIFF default state is `initial`.
pub fn status_of_state(state: Option<&str>) -> Option<StringStatus> {
    match state.unwrap_or("initial") {
        "initial" => Some(StringStatus::Draft),
        "translated" => Some(StringStatus::Translated),
        "reviewed" | "final" => Some(StringStatus::Reviewed),
        _ => None,
    }
}

pub(super) fn strings_from_xliff(
    request: &ImportRequest<'_>,
    file: &SourceFile,
    sources: &BTreeMap<String, ReadPattern>,
) -> Result<ImportedTranslation, Vec<Diagnostic>> {
    let document = read_xliff(file).map_err(|d| vec![d])?;
    let error =
        |offset: usize, message: String| file.diagnostic(offset..offset, Severity::Error, message);
    let mut problems = Vec::new();
    if !document
        .src_lang
        .eq_ignore_ascii_case(request.source_locale)
    {
        problems.push(error(
            0,
            format!(
                "srcLang is `{}`, but the campaign's source (default locale) is `{}`",
                document.src_lang, request.source_locale
            ),
        ));
    }
    if !document
        .trg_lang
        .eq_ignore_ascii_case(request.target_locale)
    {
        problems.push(error(
            0,
            format!(
                "trgLang is `{}`, but this import is for `{}`",
                document.trg_lang, request.target_locale
            ),
        ));
    }
    let mut seen = HashSet::new();
    let mut imported = Vec::new();
    let mut places = HashMap::new();
    for unit in &document.units {
        if !seen.insert(unit.id.as_str()) {
            problems.push(error(
                unit.offset,
                format!("unit `{}` appears twice", unit.id),
            ));
            continue;
        }
        match check_unit(unit, file, sources, request.source_locale) {
            Ok(Some(string)) => {
                places
                    .entry(super::strings::entry_of(&string.id).to_string())
                    .or_insert(file.line_col(unit.offset));
                imported.push(string);
            }
            Ok(None) => {}
            Err(problem) => problems.push(problem),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let ftl = merged_file(request, &imported);
    Ok(ImportedTranslation::new(
        ExchangeFormat::Xliff,
        request.file_name,
        ftl,
        imported,
        places,
    ))
}

/// One unit: `None` when it has no words to take.
fn check_unit(
    unit: &XliffUnit,
    file: &SourceFile,
    sources: &BTreeMap<String, ReadPattern>,
    source_locale: &str,
) -> Result<Option<ImportedString>, Diagnostic> {
    let error = |message: String| {
        file.diagnostic(
            unit.offset..unit.offset,
            Severity::Error,
            format!("unit `{}`: {message}", unit.id),
        )
    };
    let Some(source) = sources.get(&unit.id) else {
        return Err(error(format!(
            "no such string in the `{source_locale}` file (units are named `message`, `message.attribute` or `-term`)"
        )));
    };
    let Some(status) = status_of_state(unit.state.as_deref()) else {
        return Err(error(format!(
            "segment state `{}` is not one of initial, translated, reviewed, final",
            unit.state.as_deref().unwrap_or_default()
        )));
    };
    let Some(target) = unit.target.as_deref().filter(|t| !t.trim().is_empty()) else {
        return Ok(None);
    };
    let read = read_pattern(target).map_err(|problem| {
        // The target's text starts after `<target>`; the problem's place is within it.
        let (line, column) = file.line_col(unit.offset);
        let (line, column) = if problem.line == 0 {
            (line, column + "<target>".len() + problem.column)
        } else {
            (line + problem.line, problem.column + 1)
        };
        Diagnostic {
            line,
            column,
            ..error(problem.message)
        }
    })?;
    if let Some(why) = compare_references(source, &read) {
        return Err(error(why));
    }
    Ok(Some(ImportedString {
        id: unit.id.clone(),
        text: read.text,
        status,
        changed: false,
    }))
}

/// The locale's current file with the entries whose words the import changes rewritten (and
/// those it lacked added), every other line as the translator's colleagues wrote it; a new
/// file when the locale had none.
fn merged_file(request: &ImportRequest<'_>, imported: &[ImportedString]) -> String {
    let base: BTreeMap<String, String> = request
        .base_target
        .map(file_strings)
        .unwrap_or_default()
        .into_iter()
        .map(|s| (s.id, s.text))
        .collect();
    let mut strings = base.clone();
    for string in imported {
        strings.insert(string.id.clone(), string.text.clone());
    }
    let order: Vec<String> = file_strings(request.source_file)
        .into_iter()
        .map(|s| s.id)
        .collect();
    let mut entries: Vec<String> = Vec::new();
    for string in imported {
        let entry = entry_of(&string.id).to_string();
        if base.get(&string.id) != Some(&string.text) && !entries.contains(&entry) {
            entries.push(entry);
        }
    }
    // Entries in the source's order, so that added ones land where a reader expects them.
    entries.sort_by_key(|e| order.iter().position(|id| id == e).unwrap_or(usize::MAX));
    let blocks: Vec<(String, Option<String>)> = entries
        .into_iter()
        .map(|entry| {
            let block = entry_block(&entry, &order, &strings);
            (entry, block)
        })
        .collect();
    let base_text = match request.base_target {
        Some(text) => text.to_string(),
        None => format!("### {} — {}\n", request.campaign, request.target_locale),
    };
    patch_file(&base_text, &blocks)
}
