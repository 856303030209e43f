//! A translator's file taken back: an XLIFF 2.0 document or a Fluent file for one locale,
//! checked string by string against the default locale's file (known strings only, one Fluent
//! pattern each, the source's variables and terms kept) and turned into the locale's new
//! Fluent file. The whole campaign is then checked as any upload is (lengths on every
//! platform included) by the caller; [`ImportedTranslation::relocate`] points what that finds
//! back at the translator's own file and unit.

use std::collections::{BTreeMap, HashMap};

use super::string_checks::{ReadPattern, compare_references, read_pattern};
use super::strings::{entry_source, file_strings};
use crate::l10n::{MAX_TRANSLATION_BYTES, StringStatus, is_marked_draft};
use crate::source::diagnostic::{Diagnostic, Severity, SourceFile};

/// The two formats a translation comes back in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExchangeFormat {
    Xliff,
    Fluent,
}

impl ExchangeFormat {
    pub fn from_name(name: &str) -> Option<ExchangeFormat> {
        match name {
            "xliff" => Some(ExchangeFormat::Xliff),
            "fluent" => Some(ExchangeFormat::Fluent),
            _ => None,
        }
    }
}

/// What is imported, and what it is checked against.
pub struct ImportRequest<'a> {
    pub campaign: &'a str,
    pub source_locale: &'a str,
    pub target_locale: &'a str,
    /// The default locale's file.
    pub source_file: &'a str,
    /// The locale's file before the import, if it had one.
    pub base_target: Option<&'a str>,
    /// The uploaded file: its name (as messages show it) and text.
    pub file_name: &'a str,
    pub text: &'a str,
    pub format: ExchangeFormat,
}

/// One string as the import leaves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedString {
    pub id: String,
    /// Its canonical text.
    pub text: String,
    pub status: StringStatus,
    /// Whether the words differ from the locale's file before the import.
    pub changed: bool,
}

/// A checked import: the locale's new Fluent file and what became of each string.
#[derive(Debug, Clone)]
pub struct ImportedTranslation {
    pub ftl: String,
    pub strings: Vec<ImportedString>,
    file_name: String,
    /// Where each entry of the new file came from in the uploaded file (1-based line, column).
    places: HashMap<String, (usize, usize)>,
    format: ExchangeFormat,
}

/// Checks an import; every problem found, each at its place in the uploaded file.
pub fn check_import(request: &ImportRequest<'_>) -> Result<ImportedTranslation, Vec<Diagnostic>> {
    let file = SourceFile::new(request.file_name, request.text.replace("\r\n", "\n"));
    let sources: BTreeMap<String, ReadPattern> = file_strings(request.source_file)
        .into_iter()
        .filter_map(|s| read_pattern(&s.text).ok().map(|p| (s.id, p)))
        .collect();
    let base: HashMap<String, String> = request
        .base_target
        .map(file_strings)
        .unwrap_or_default()
        .into_iter()
        .map(|s| (s.id, s.text))
        .collect();
    let mut imported = match request.format {
        ExchangeFormat::Xliff => super::xliff_import::strings_from_xliff(request, &file, &sources)?,
        ExchangeFormat::Fluent => strings_from_fluent(request, &file, &sources)?,
    };
    for string in &mut imported.strings {
        string.changed = base.get(&string.id) != Some(&string.text);
    }
    Ok(imported)
}

impl ImportedTranslation {
    pub(super) fn new(
        format: ExchangeFormat,
        file_name: &str,
        ftl: String,
        strings: Vec<ImportedString>,
        places: HashMap<String, (usize, usize)>,
    ) -> ImportedTranslation {
        ImportedTranslation {
            ftl,
            strings,
            file_name: file_name.to_string(),
            places,
            format,
        }
    }

    /// A diagnostic about the new Fluent file (from checking the whole campaign), pointed at
    /// the uploaded file: the same line of a Fluent import; the unit of an XLIFF one.
    pub fn relocate(&self, diagnostic: Diagnostic) -> Diagnostic {
        let entry = entry_at_line(&self.ftl, diagnostic.line);
        match self.format {
            ExchangeFormat::Fluent => Diagnostic {
                path: self.file_name.clone().into(),
                ..diagnostic
            },
            ExchangeFormat::Xliff => {
                let (line, column) = entry
                    .as_ref()
                    .and_then(|e| self.places.get(e))
                    .copied()
                    .unwrap_or((1, 1));
                let message = match &entry {
                    Some(entry) => format!("unit `{entry}`: {}", diagnostic.message),
                    None => diagnostic.message,
                };
                Diagnostic {
                    path: self.file_name.clone().into(),
                    line,
                    column,
                    message,
                    ..diagnostic
                }
            }
        }
    }

    /// The strings whose words changed.
    pub fn changed(&self) -> usize {
        self.strings.iter().filter(|s| s.changed).count()
    }
}

/// The entry (`message` or `-term`) whose definition covers a 1-based line of a Fluent file.
fn entry_at_line(ftl: &str, line: usize) -> Option<String> {
    let mut current = None;
    for (index, text) in ftl.lines().enumerate() {
        if index + 1 > line {
            break;
        }
        if let Some(name) = entry_name(text) {
            current = Some(name);
        }
    }
    current
}

/// `name` when a line starts an entry `name =` (or `-name =`).
pub(super) fn entry_name(line: &str) -> Option<String> {
    let (name, _) = line.split_once('=')?;
    let name = name.trim_end();
    let bare = name.strip_prefix('-').unwrap_or(name);
    let valid = bare.starts_with(|c: char| c.is_ascii_alphabetic())
        && bare
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    valid.then(|| name.to_string())
}

/// A Fluent file taken as the locale's new file, once every string in it passes.
fn strings_from_fluent(
    request: &ImportRequest<'_>,
    file: &SourceFile,
    sources: &BTreeMap<String, ReadPattern>,
) -> Result<ImportedTranslation, Vec<Diagnostic>> {
    let error =
        |offset: usize, message: String| file.diagnostic(offset..offset, Severity::Error, message);
    if file.text.len() > MAX_TRANSLATION_BYTES {
        return Err(vec![error(
            0,
            format!(
                "the file is {} bytes long; a translation file may be at most {MAX_TRANSLATION_BYTES} bytes",
                file.text.len()
            ),
        )]);
    }
    if let Some(offset) = crate::l10n::too_deep(&file.text) {
        return Err(vec![error(
            offset,
            format!(
                "placeables are nested more than {} deep",
                crate::l10n::MAX_NESTING
            ),
        )]);
    }
    if let Err((_, errors)) = fluent_syntax::parser::parse(file.text.as_str()) {
        return Err(errors
            .iter()
            .map(|e| error(e.pos.start, format!("Fluent syntax error: {e}")))
            .collect());
    }
    let places = entry_places(&file.text);
    let status = if is_marked_draft(&file.text) {
        StringStatus::Draft
    } else {
        StringStatus::Translated
    };
    let mut problems = Vec::new();
    let mut strings = Vec::new();
    for string in file_strings(&file.text) {
        let (line, column) = places.get(&string.entry).copied().unwrap_or((1, 1));
        let at = file.line_start(line) + column.saturating_sub(1);
        let Some(source) = sources.get(&string.id) else {
            if !string.entry.starts_with('-') {
                problems.push(error(
                    at,
                    format!(
                        "`{}` is not a string of the `{}` file: a translation holds the source's messages only",
                        string.id, request.source_locale
                    ),
                ));
            }
            continue;
        };
        match read_pattern(&string.text) {
            Ok(target) => {
                if let Some(why) = compare_references(source, &target) {
                    problems.push(error(at, format!("`{}`: {why}", string.id)));
                }
                strings.push(ImportedString {
                    id: string.id,
                    text: target.text,
                    status,
                    changed: false,
                });
            }
            Err(problem) => {
                problems.push(error(at, format!("`{}`: {}", string.id, problem.message)))
            }
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(ImportedTranslation::new(
        ExchangeFormat::Fluent,
        request.file_name,
        file.text.clone(),
        strings,
        places,
    ))
}

/// Where each entry of a Fluent file starts (1-based line, column 1).
pub(super) fn entry_places(ftl: &str) -> HashMap<String, (usize, usize)> {
    let mut places = HashMap::new();
    for (index, line) in ftl.lines().enumerate() {
        if let Some(name) = entry_name(line) {
            places.entry(name).or_insert((index + 1, 1));
        }
    }
    places
}

/// One entry's definition from its strings: its value, then its attributes in `order` (the
/// source file's order of string ids), then any the source lacks. `None` when the strings
/// hold nothing a file may define (a term needs a value; a message needs a value or an
/// attribute).
pub(super) fn entry_block(
    entry: &str,
    order: &[String],
    strings: &BTreeMap<String, String>,
) -> Option<String> {
    let prefix = format!("{entry}.");
    let mut attributes: Vec<&str> = order
        .iter()
        .filter(|id| id.starts_with(&prefix) && strings.contains_key(*id))
        .map(String::as_str)
        .collect();
    for id in strings.keys() {
        if id.starts_with(&prefix) && !attributes.contains(&id.as_str()) {
            attributes.push(id);
        }
    }
    let value = strings.get(entry);
    if value.is_none() && (attributes.is_empty() || entry.starts_with('-')) {
        return None;
    }
    let mut out = match value {
        Some(text) => entry_source(entry, text, ""),
        None => format!("{entry} =\n"),
    };
    for id in attributes {
        let attribute = &id[prefix.len()..];
        out.push_str(&entry_source(
            &format!(".{attribute}"),
            &strings[id],
            "    ",
        ));
    }
    Some(out)
}

/// `base` with the definitions of the entries in `blocks` replaced (an entry it lacks is
/// added at its end), every other line kept as it was written.
pub(super) fn patch_file(base: &str, blocks: &[(String, Option<String>)]) -> String {
    let lines: Vec<&str> = base.lines().collect();
    let mut starts: Vec<(usize, String)> = lines
        .iter()
        .enumerate()
        .filter_map(|(i, line)| entry_name(line).map(|name| (i, name)))
        .collect();
    starts.sort();
    let mut replaced: HashMap<usize, (usize, &Option<String>)> = HashMap::new();
    let mut appended = String::new();
    for (entry, block) in blocks {
        match starts.iter().find(|(_, name)| name == entry) {
            Some((start, _)) => {
                replaced.insert(*start, (definition_end(&lines, *start), block));
            }
            None => {
                if let Some(block) = block {
                    appended.push('\n');
                    appended.push_str(block);
                }
            }
        }
    }
    let mut out = String::new();
    let mut index = 0;
    while index < lines.len() {
        if let Some((end, block)) = replaced.get(&index) {
            if let Some(block) = block {
                out.push_str(block);
            }
            index = *end;
            continue;
        }
        out.push_str(lines[index]);
        out.push('\n');
        index += 1;
    }
    out.push_str(&appended);
    out
}

/// The line after an entry's definition that starts at `start`: the next line that starts
/// another entry or a comment, less the blank lines before it.
fn definition_end(lines: &[&str], start: usize) -> usize {
    let mut end = start + 1;
    while end < lines.len() {
        let line = lines[end];
        let continues = line.is_empty()
            || line.starts_with(|c: char| c.is_whitespace() || matches!(c, '}' | '[' | '*' | '.'));
        if !continues {
            break;
        }
        end += 1;
    }
    while end > start + 1 && lines[end - 1].trim().is_empty() {
        end -= 1;
    }
    end
}
