//! One locale's strings as an XLIFF 2.0 document for CAT tools: `srcLang` the default locale,
//! `trgLang` the locale, one `<unit>` per string named by its string id, and each segment's
//! `state` from the string's status. Placeables stay as Fluent writes them (`{ $months }`),
//! to be kept as they are; the import checks that they were.

use quick_xml::escape::escape;

use super::locale_strings::{LocaleStrings, StringPair};
use crate::l10n::StringStatus;

/// The XLIFF 2.0 namespace.
pub const XLIFF_NAMESPACE: &str = "urn:oasis:names:tc:xliff:document:2.0";

/// Which strings an export holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Selection {
    All,
    /// Only the strings the locale lacks.
    Missing,
}

impl Selection {
    pub fn keeps(self, pair: &StringPair) -> bool {
        self == Selection::All || pair.target.is_none()
    }
}

/// The XLIFF segment state a status is exported as (a missing string has no target).
pub fn segment_state(status: StringStatus) -> &'static str {
    match status {
        StringStatus::Missing | StringStatus::Draft => "initial",
        StringStatus::Translated => "translated",
        StringStatus::Reviewed => "reviewed",
        StringStatus::Source => "final",
    }
}

/// The document, as text.
pub fn to_xliff(strings: &LocaleStrings, selection: Selection) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<xliff xmlns=\"{XLIFF_NAMESPACE}\" version=\"2.0\" srcLang=\"{}\" trgLang=\"{}\">\n",
        escape(strings.source_locale.as_str()),
        escape(strings.target_locale.as_str())
    ));
    out.push_str(&format!(
        "  <file id=\"{}\" original=\"locales/{}/{}.ftl\">\n",
        escape(strings.campaign.as_str()),
        escape(strings.source_locale.as_str()),
        escape(strings.campaign.as_str())
    ));
    for pair in strings.pairs.iter().filter(|p| selection.keeps(p)) {
        out.push_str(&unit(pair));
    }
    out.push_str("  </file>\n</xliff>\n");
    out
}

fn unit(pair: &StringPair) -> String {
    let mut out = format!("    <unit id=\"{}\">\n", escape(pair.id.as_str()));
    if let Some(by) = &pair.state.changed_by {
        out.push_str(&format!(
            "      <notes><note category=\"last-changed-by\">{}</note></notes>\n",
            escape(by.as_str())
        ));
    }
    out.push_str(&format!(
        "      <segment state=\"{}\">\n        <source>{}</source>\n",
        segment_state(pair.state.status),
        escape(pair.source.as_str())
    ));
    if let Some(target) = &pair.target {
        out.push_str(&format!(
            "        <target>{}</target>\n",
            escape(target.as_str())
        ));
    }
    out.push_str("      </segment>\n    </unit>\n");
    out
}
