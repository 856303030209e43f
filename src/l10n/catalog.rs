//! The Fluent translations of one campaign, one bundle per locale, and the rule that picks
//! which locale a segment's recipients get each message in.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentError, FluentResource, FluentValue};
use fluent_syntax::ast;

use crate::campaign::diagnostic::{Diagnostics, SourceFile};
use crate::campaign::locale::Locale;
use crate::campaign::model::{ArgValue, Campaign, Message};

use super::expansion::{
    MAX_EXPANDED_BYTES, MAX_REFERENCE_DEPTH, NUMBER_TEXT_BYTES, Unbounded, unbounded_messages,
};
use super::nesting::{MAX_NESTING, MAX_TRANSLATION_BYTES, too_deep};

/// `locales/<locale>/<campaign-id>.ftl` under the project root.
pub fn translation_path(root: &Path, locale: &Locale, campaign_id: &str) -> PathBuf {
    root.join("locales")
        .join(locale.as_str())
        .join(format!("{campaign_id}.ftl"))
}

/// What one translation file says about one message.
#[derive(Debug, Clone)]
struct EntryInfo {
    has_value: bool,
    attributes: Vec<String>,
    /// Byte offset of the entry's first line in the file.
    offset: usize,
}

/// One locale's translation of one campaign.
pub struct Translation {
    pub locale: Locale,
    pub file: SourceFile,
    pub resource: Arc<FluentResource>,
    pub bundle: FluentBundle<Arc<FluentResource>>,
    /// Marked `### status: draft` by its translator: usable, but shown as needing review.
    pub draft: bool,
    entries: HashMap<String, EntryInfo>,
    /// Messages whose expansion has no safe bound: reported, and never formatted.
    unbounded: HashSet<String>,
}

/// A message's words in one locale: the value and each attribute, already resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormattedMessage {
    pub value: Option<String>,
    pub attributes: Vec<(String, String)>,
}

impl Translation {
    fn load(locale: Locale, file: SourceFile, diags: &mut Diagnostics) -> Translation {
        // Nesting deep enough to overflow the parser's stack is refused before parsing; the
        // translation is then empty, so every message it should hold is reported missing too.
        let parsed = match too_deep(&file.text) {
            _ if file.text.len() > MAX_TRANSLATION_BYTES => {
                diags.error(
                    &file,
                    0..0,
                    format!(
                        "the translation is {} bytes long; a translation file may be at most {MAX_TRANSLATION_BYTES} bytes, so it is not read",
                        file.text.len()
                    ),
                );
                FluentResource::try_new(String::new())
            }
            Some(offset) => {
                diags.error(
                    &file,
                    offset..offset,
                    format!(
                        "placeables are nested more than {MAX_NESTING} deep; this translation is not read"
                    ),
                );
                FluentResource::try_new(String::new())
            }
            None => FluentResource::try_new(file.text.clone()),
        };
        let resource = match parsed {
            Ok(resource) => resource,
            Err((resource, errors)) => {
                for error in errors {
                    diags.error(
                        &file,
                        error.pos.clone(),
                        format!("Fluent syntax error: {error}"),
                    );
                }
                resource
            }
        };
        let resource = Arc::new(resource);
        let offsets = entry_offsets(&file.text);
        let mut entries = HashMap::new();
        let mut seen_count: HashMap<String, usize> = HashMap::new();
        for entry in resource.entries() {
            let (key, info) = match entry {
                ast::Entry::Message(m) => (
                    m.id.name.to_string(),
                    EntryInfo {
                        has_value: m.value.is_some(),
                        attributes: m.attributes.iter().map(|a| a.id.name.to_string()).collect(),
                        offset: 0,
                    },
                ),
                ast::Entry::Term(t) => (
                    format!("-{}", t.id.name),
                    EntryInfo {
                        has_value: true,
                        attributes: Vec::new(),
                        offset: 0,
                    },
                ),
                _ => continue,
            };
            let nth = seen_count.entry(key.clone()).or_default();
            let offset = offsets
                .get(&key)
                .and_then(|all| all.get(*nth))
                .copied()
                .unwrap_or(0);
            *nth += 1;
            if *nth > 1 {
                diags.error(
                    &file,
                    offset..offset,
                    format!("`{key}` is defined more than once in this file"),
                );
                continue;
            }
            entries.insert(key, EntryInfo { offset, ..info });
        }
        let mut bundle = FluentBundle::new_concurrent(vec![locale.language_identifier().clone()]);
        // Isolation marks keep a Latin number or URL from reordering right-to-left text; in
        // left-to-right text they would only be invisible noise for recipients' clients.
        bundle.set_use_isolating(locale.is_right_to_left());
        // Duplicates were reported above; the bundle keeps the first definition.
        let _ = bundle.add_resource(Arc::clone(&resource));
        let _ = bundle.add_builtins();
        let draft = is_marked_draft(&file.text);
        Translation {
            locale,
            file,
            resource,
            bundle,
            draft,
            entries,
            unbounded: HashSet::new(),
        }
    }

    /// Reports, and keeps from ever being formatted, every message whose expansion is not
    /// safely bounded (see [`super::expansion`]). `variable_bytes` is the longest value each
    /// variable can take.
    fn refuse_unbounded(
        &mut self,
        variable_bytes: &dyn Fn(&str) -> usize,
        diags: &mut Diagnostics,
    ) {
        for (id, why) in unbounded_messages(&self.resource, variable_bytes) {
            let text = match why {
                Unbounded::TooLong(bytes) => format!(
                    "message `{id}` can expand to {} bytes through its references and variables; a message may expand to at most {MAX_EXPANDED_BYTES} bytes, so it is not formatted",
                    if bytes == usize::MAX {
                        "unboundedly many".to_string()
                    } else {
                        format!("up to {bytes}")
                    }
                ),
                Unbounded::TooDeep => format!(
                    "message `{id}` resolves through more than {MAX_REFERENCE_DEPTH} levels of message and term references, so it is not formatted"
                ),
                Unbounded::Cyclic => {
                    format!("message `{id}` refers to itself through a cycle of references")
                }
                Unbounded::Number(why) => {
                    format!("message `{id}` cannot be formatted: {why}")
                }
            };
            let start = self.entries.get(&id).map_or(0, |e| e.offset);
            diags.error(&self.file, start..start, text);
            self.unbounded.insert(id);
        }
    }

    pub fn has_message(&self, id: &str) -> bool {
        self.entries.contains_key(id)
    }

    pub fn has_term(&self, id: &str) -> bool {
        self.entries.contains_key(&format!("-{id}"))
    }

    /// The attribute names of a message, as written in this file.
    pub fn attributes(&self, id: &str) -> Option<&[String]> {
        self.entries.get(id).map(|e| e.attributes.as_slice())
    }

    pub fn message_has_value(&self, id: &str) -> bool {
        self.entries.get(id).is_some_and(|e| e.has_value)
    }

    /// The byte range of a message's definition (its first line to the next entry).
    pub fn message_span(&self, id: &str) -> Option<Range<usize>> {
        let start = self.entries.get(id)?.offset;
        Some(start..entry_end(&self.file.text, start))
    }

    /// Resolves a message's value and attributes with the campaign's fixed arguments.
    pub fn format(
        &self,
        id: &str,
        args: &FluentArgs<'_>,
    ) -> (Option<FormattedMessage>, Vec<FluentError>) {
        let mut errors = Vec::new();
        if self.unbounded.contains(id) {
            return (None, errors);
        }
        let Some(message) = self.bundle.get_message(id) else {
            return (None, errors);
        };
        let value = message.value().map(|p| {
            self.bundle
                .format_pattern(p, Some(args), &mut errors)
                .into_owned()
        });
        let attributes = message
            .attributes()
            .map(|a| {
                (
                    a.id().to_string(),
                    self.bundle
                        .format_pattern(a.value(), Some(args), &mut errors)
                        .into_owned(),
                )
            })
            .collect();
        (Some(FormattedMessage { value, attributes }), errors)
    }

    pub fn message_ast(&self, id: &str) -> Option<&ast::Message<&str>> {
        self.resource.entries().find_map(|e| match e {
            ast::Entry::Message(m) if m.id.name == id => Some(m),
            _ => None,
        })
    }
}

/// All translations of one campaign.
pub struct Catalog {
    translations: BTreeMap<Locale, Translation>,
    /// Attribute names of each message in the default locale: the parts every locale must have.
    reference_attributes: HashMap<String, Vec<String>>,
    default_locale: Locale,
}

impl Catalog {
    /// Loads every translation the campaign may use. Missing files are not errors here:
    /// completeness decides whether a gap is covered by a fallback.
    pub fn load(root: &Path, campaign: &Campaign, diags: &mut Diagnostics) -> Catalog {
        let mut translations = BTreeMap::new();
        for locale in campaign.locales() {
            let path = translation_path(root, &locale, &campaign.id);
            match std::fs::read_to_string(&path) {
                Ok(text) => {
                    let mut translation =
                        Translation::load(locale.clone(), SourceFile::new(path, text), diags);
                    translation.refuse_unbounded(&|name| variable_bytes(campaign, name), diags);
                    translations.insert(locale, translation);
                }
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
                Err(error) => diags.file_error(&path, format!("cannot read translation: {error}")),
            }
        }
        Catalog::from_translations(campaign, translations)
    }

    /// Builds a catalog from already-read files (used by tests and the API's uploads).
    pub fn from_sources(
        campaign: &Campaign,
        files: Vec<(Locale, SourceFile)>,
        diags: &mut Diagnostics,
    ) -> Catalog {
        let translations = files
            .into_iter()
            .map(|(locale, file)| {
                let mut translation = Translation::load(locale.clone(), file, diags);
                translation.refuse_unbounded(&|name| variable_bytes(campaign, name), diags);
                (locale, translation)
            })
            .collect();
        Catalog::from_translations(campaign, translations)
    }

    fn from_translations(
        campaign: &Campaign,
        translations: BTreeMap<Locale, Translation>,
    ) -> Catalog {
        let default_locale = campaign.default_locale.value.clone();
        let mut reference_attributes = HashMap::new();
        if let Some(default) = translations.get(&default_locale) {
            for message in &campaign.messages {
                for (_, fluent_id) in message.fluent_ids() {
                    if let Some(attributes) = default.attributes(&fluent_id) {
                        reference_attributes.insert(fluent_id, attributes.to_vec());
                    }
                }
            }
        }
        Catalog {
            translations,
            reference_attributes,
            default_locale,
        }
    }

    pub fn translation(&self, locale: &Locale) -> Option<&Translation> {
        self.translations.get(locale)
    }

    pub fn translations(&self) -> impl Iterator<Item = &Translation> {
        self.translations.values()
    }

    pub fn default_locale(&self) -> &Locale {
        &self.default_locale
    }

    /// The attributes every translation of this message must have (those of the default locale).
    pub fn reference_attributes(&self, fluent_id: &str) -> &[String] {
        self.reference_attributes
            .get(fluent_id)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Whether `locale` has the whole message: its value and every reference attribute.
    /// A message is sent whole from one locale, never half in one language and half in another.
    pub fn is_complete(&self, fluent_id: &str, locale: &Locale) -> bool {
        let Some(translation) = self.translations.get(locale) else {
            return false;
        };
        let Some(attributes) = translation.attributes(fluent_id) else {
            return false;
        };
        translation.message_has_value(fluent_id)
            && self
                .reference_attributes(fluent_id)
                .iter()
                .all(|a| attributes.contains(a))
    }

    /// The locale a recipient who reads `locale` gets this message in: the locale itself when
    /// complete, else the first complete locale of the segment's fallback list, else none.
    pub fn source_locale<'a>(
        &self,
        fluent_id: &str,
        locale: &'a Locale,
        fallback: impl IntoIterator<Item = &'a Locale>,
    ) -> Option<&'a Locale> {
        std::iter::once(locale)
            .chain(fallback)
            .find(|candidate| self.is_complete(fluent_id, candidate))
    }
}

/// The Fluent arguments of a message: its fixed values from the campaign file.
pub fn message_args(message: &Message) -> FluentArgs<'static> {
    let mut args = FluentArgs::new();
    for (name, value) in &message.args {
        match value {
            ArgValue::Number(n) => args.set(name.clone(), FluentValue::from(*n)),
            ArgValue::Text(s) => args.set(name.clone(), FluentValue::from(s.clone())),
        }
    }
    args
}

/// The longest value variable `name` takes in any of the campaign's messages (a referenced
/// message resolves with the arguments of the message that refers to it).
fn variable_bytes(campaign: &Campaign, name: &str) -> usize {
    campaign
        .messages
        .iter()
        .flat_map(|m| m.args.iter())
        .filter(|(arg, _)| arg == name)
        .map(|(_, value)| match value {
            ArgValue::Number(_) => NUMBER_TEXT_BYTES,
            ArgValue::Text(text) => text.len(),
        })
        .max()
        .unwrap_or(0)
}

/// A file is a draft when a resource comment (`###`) says `status: draft`.
pub fn is_marked_draft(text: &str) -> bool {
    text.lines()
        .filter_map(|line| line.strip_prefix("###"))
        .any(|comment| {
            let comment = comment.trim().to_ascii_lowercase();
            comment.starts_with("status:") && comment.contains("draft")
        })
}

/// Byte offsets of every entry definition (`id =` or `-id =` at the start of a line), by id.
fn entry_offsets(text: &str) -> HashMap<String, Vec<usize>> {
    let mut out: HashMap<String, Vec<usize>> = HashMap::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let (prefix, rest) = match line.strip_prefix('-') {
            Some(rest) => ("-", rest),
            None => ("", line),
        };
        let name_len = rest
            .char_indices()
            .take_while(|(i, c)| {
                if *i == 0 {
                    c.is_ascii_alphabetic()
                } else {
                    c.is_ascii_alphanumeric() || *c == '_' || *c == '-'
                }
            })
            .count();
        if name_len > 0
            && rest[name_len..]
                .trim_start_matches([' ', '\t'])
                .starts_with('=')
        {
            out.entry(format!("{prefix}{}", &rest[..name_len]))
                .or_default()
                .push(offset);
        }
        offset += line.len();
    }
    out
}

/// Where the entry starting at `start` ends: the next line that starts a new entry or comment.
fn entry_end(text: &str, start: usize) -> usize {
    let mut offset = start;
    let mut first = true;
    for line in text[start..].split_inclusive('\n') {
        if !first
            && line.starts_with(|c: char| {
                !c.is_whitespace() && c != '}' && c != '[' && c != '*' && c != '.'
            })
        {
            return offset;
        }
        first = false;
        offset += line.len();
    }
    text.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn translation(tag: &str, text: &str) -> (Translation, Vec<String>) {
        let mut diags = Diagnostics::default();
        let locale = Locale::parse(tag).unwrap();
        let t = Translation::load(
            locale,
            SourceFile::new(format!("locales/{tag}/c.ftl"), text.to_string()),
            &mut diags,
        );
        (
            t,
            diags
                .into_sorted()
                .iter()
                .map(ToString::to_string)
                .collect(),
        )
    }

    fn format_with(t: &Translation, id: &str, name: &str, n: f64) -> String {
        let mut args = FluentArgs::new();
        args.set(name, FluentValue::from(n));
        let (message, errors) = t.format(id, &args);
        assert!(errors.is_empty(), "{errors:?}");
        message.unwrap().value.unwrap()
    }

    #[test]
    fn arabic_has_six_plural_categories() {
        let (t, problems) = translation(
            "ar",
            "months = { $n ->\n    [zero] zero\n    [one] one\n    [two] two\n    [few] few\n    [many] many\n   *[other] other\n}\n",
        );
        assert!(problems.is_empty(), "{problems:?}");
        let got: Vec<String> = [0.0, 1.0, 2.0, 3.0, 11.0, 100.0]
            .iter()
            .map(|n| format_with(&t, "months", "n", *n))
            .collect();
        assert_eq!(got, ["zero", "one", "two", "few", "many", "other"]);
    }

    #[test]
    fn english_plurals_and_no_isolation_marks() {
        let (t, _) = translation(
            "en",
            "m = { $n ->\n    [one] one month\n   *[other] { $n } months\n}\n",
        );
        assert_eq!(format_with(&t, "m", "n", 1.0), "one month");
        assert_eq!(format_with(&t, "m", "n", 12.0), "12 months");
    }

    #[test]
    fn right_to_left_placeables_are_isolated() {
        let (t, _) = translation("ar", "m = لمدة { $n } شهرا\n");
        assert_eq!(
            format_with(&t, "m", "n", 12.0),
            "لمدة \u{2068}12\u{2069} شهرا"
        );
    }

    #[test]
    fn syntax_errors_point_at_the_line() {
        let (_, problems) = translation("en", "ok = fine\nbroken = { $x\nlater = fine\n");
        assert_eq!(problems.len(), 1, "{problems:?}");
        // The parser notices the unclosed placeable where the next line starts.
        assert_eq!(
            problems,
            [
                "locales/en/c.ftl:3:1: error: Fluent syntax error: Expected a token starting with \"}\""
            ]
        );
    }

    #[test]
    fn finds_drafts_duplicates_and_spans() {
        let (t, problems) = translation(
            "ti",
            "### c — Tigrinya\n### status: draft\n\na = one\n    .cta = go\nb = two\na = again\n",
        );
        assert!(t.draft);
        assert_eq!(
            problems,
            ["locales/ti/c.ftl:7:1: error: `a` is defined more than once in this file"]
        );
        let span = t.message_span("a").unwrap();
        assert_eq!(&t.file.text[span], "a = one\n    .cta = go\n");
    }
}
