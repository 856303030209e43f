//! A BCP 47 locale that is known to be well-formed, canonical and of a known language, so the
//! rest of herald can use it as a directory name, a Fluent bundle key and a report dimension.

use std::fmt;
use std::str::FromStr;

use unic_langid::LanguageIdentifier;

use super::codes;

/// Languages written right to left (by primary language subtag).
const RIGHT_TO_LEFT: &[&str] = &[
    "ar", "fa", "ps", "ur", "ckb", "he", "prs", "sd", "ug", "yi", "dv", "arz", "ary", "apc", "aeb",
    "apd", "arq", "haz", "sdh", "skr",
];

/// Why a tag is not a [`Locale`], in words an author can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LocaleError {
    #[error("`{tag}` is not a valid BCP 47 locale")]
    Malformed { tag: String },
    #[error("locale `{tag}` is not in canonical BCP 47 form; write `{canonical}`")]
    NotCanonical { tag: String, canonical: String },
    #[error("unknown language `{language}` in locale `{tag}` (not an ISO 639 code)")]
    UnknownLanguage { language: String, tag: String },
    #[error("unknown region `{region}` in locale `{tag}` (not an ISO 3166-1 code)")]
    UnknownRegion { region: String, tag: String },
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Locale {
    tag: String,
    id: LanguageIdentifier,
}

impl Locale {
    /// Parses a tag, insisting on its canonical spelling (`fa-AF`, not `fa_af`), so that file
    /// names and database keys never disagree about the same locale.
    pub fn parse(tag: &str) -> Result<Locale, LocaleError> {
        let id = LanguageIdentifier::from_str(tag).map_err(|_| LocaleError::Malformed {
            tag: tag.to_string(),
        })?;
        let canonical = id.to_string();
        if canonical != tag {
            return Err(LocaleError::NotCanonical {
                tag: tag.to_string(),
                canonical,
            });
        }
        let language = id.language.as_str();
        if !codes::is_language(language) {
            return Err(LocaleError::UnknownLanguage {
                language: language.to_string(),
                tag: tag.to_string(),
            });
        }
        if let Some(region) = id.region {
            if region.as_str().len() == 2 && !codes::is_country(region.as_str()) {
                return Err(LocaleError::UnknownRegion {
                    region: region.as_str().to_string(),
                    tag: tag.to_string(),
                });
            }
        }
        Ok(Locale { tag: canonical, id })
    }

    pub fn as_str(&self) -> &str {
        &self.tag
    }

    pub fn language_identifier(&self) -> &LanguageIdentifier {
        &self.id
    }

    /// Whether text in this locale runs right to left.
    pub fn is_right_to_left(&self) -> bool {
        RIGHT_TO_LEFT.contains(&self.id.language.as_str())
    }

    /// `rtl` or `ltr`, as HTML's `dir` attribute wants it.
    pub fn direction(&self) -> &'static str {
        if self.is_right_to_left() {
            "rtl"
        } else {
            "ltr"
        }
    }
}

impl fmt::Display for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.tag)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_canonical_known_locales() {
        for tag in ["en", "ar", "fa-AF", "ps", "ti", "so", "prs", "sr-Latn"] {
            assert_eq!(Locale::parse(tag).unwrap().as_str(), tag);
        }
        assert!(Locale::parse("ar").unwrap().is_right_to_left());
        assert!(Locale::parse("fa-AF").unwrap().is_right_to_left());
        assert!(!Locale::parse("ti").unwrap().is_right_to_left());
    }

    #[test]
    fn rejects_bad_locales_with_reasons() {
        assert_eq!(
            Locale::parse("fa_af").unwrap_err().to_string(),
            "locale `fa_af` is not in canonical BCP 47 form; write `fa-AF`"
        );
        assert_eq!(
            Locale::parse("xx").unwrap_err().to_string(),
            "unknown language `xx` in locale `xx` (not an ISO 639 code)"
        );
        assert_eq!(
            Locale::parse("en-QQ").unwrap_err().to_string(),
            "unknown region `QQ` in locale `en-QQ` (not an ISO 3166-1 code)"
        );
        assert_eq!(
            Locale::parse("not a locale").unwrap_err().to_string(),
            "`not a locale` is not a valid BCP 47 locale"
        );
    }
}
