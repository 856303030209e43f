//! One locale's strings as Fluent files, the format Weblate and Pontoon read natively: the
//! source (the default locale's file) and the target locale's file with every string it still
//! lacks added at its end as the source text, commented out, ready to translate and uncomment.

use serde::Serialize;

use super::locale_strings::{LocaleStrings, StringPair};
use super::strings::entry_source;

/// The two files of a Fluent export.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FluentExport {
    pub campaign: String,
    pub source_locale: String,
    /// The default locale's file, as the version holds it.
    pub source: String,
    pub target_locale: String,
    /// The locale's file, with the missing strings appended as comments.
    pub target: String,
    /// How many strings the locale lacks.
    pub missing: usize,
}

/// The marker of the commented-out block, so that a translator (or a test) finds it.
pub const MISSING_HEADING: &str = "## Not yet translated";

pub fn to_fluent(strings: &LocaleStrings) -> FluentExport {
    let mut target = match &strings.target_file {
        Some(text) => text.clone(),
        None => format!("### {} — {}\n\n", strings.campaign, strings.target_locale),
    };
    let missing: Vec<&StringPair> = strings.missing().collect();
    if !missing.is_empty() {
        if !target.ends_with('\n') {
            target.push('\n');
        }
        target.push_str(&format!(
            "\n{MISSING_HEADING} from `{}`: each entry below is the source text, commented out.\n## Translate it, then remove the `# ` in front of its lines.\n",
            strings.source_locale
        ));
        let mut entries: Vec<&str> = missing.iter().map(|p| p.entry.as_str()).collect();
        entries.dedup();
        for entry in entries {
            target.push('\n');
            target.push_str(&commented_entry(strings, entry));
        }
    }
    FluentExport {
        campaign: strings.campaign.clone(),
        source_locale: strings.source_locale.clone(),
        source: strings.source_file.clone(),
        target_locale: strings.target_locale.clone(),
        target,
        missing: missing.len(),
    }
}

/// The missing parts of one entry, from its source text, each line commented out. A message
/// whose value the locale has gets only its missing attributes, to add under it.
fn commented_entry(strings: &LocaleStrings, entry: &str) -> String {
    let parts: Vec<&StringPair> = strings.pairs.iter().filter(|p| p.entry == entry).collect();
    let value_missing = parts.iter().any(|p| p.id == entry && p.target.is_none());
    let mut source = String::new();
    if value_missing || !parts.iter().any(|p| p.id == entry) {
        if let Some(value) = parts.iter().find(|p| p.id == entry) {
            source.push_str(&entry_source(entry, &value.source, ""));
        } else {
            source.push_str(&format!("{entry} =\n"));
        }
    } else {
        source.push_str(&format!("## (attributes to add to `{entry}` above)\n"));
    }
    for part in parts.iter().filter(|p| p.id != entry && p.target.is_none()) {
        let attribute = part.id.rsplit_once('.').map_or("", |(_, a)| a);
        source.push_str(&entry_source(
            &format!(".{attribute}"),
            &part.source,
            "    ",
        ));
    }
    source
        .lines()
        .map(|line| {
            if line.starts_with("##") {
                format!("{line}\n")
            } else {
                format!("# {line}\n")
            }
        })
        .collect()
}
