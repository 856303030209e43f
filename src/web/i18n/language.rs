//! The languages the interface is written in, each with its Fluent file and how it writes
//! numbers. Adding a language: a file under `src/web/locales/<tag>/staff.ftl` with every
//! message English has (the catalog's completeness test fails otherwise) and a row here.

use super::numbers::NumberStyle;
use crate::campaign::locale::Locale;

/// One language of the interface.
pub(super) struct LanguageFile {
    pub tag: &'static str,
    pub source: &'static str,
    pub numbers: NumberStyle,
}

/// Every language, English first (the fallback).
pub(super) const LANGUAGES: &[LanguageFile] = &[
    LanguageFile {
        tag: "en",
        source: include_str!("../locales/en/staff.ftl"),
        numbers: NumberStyle::ENGLISH,
    },
    LanguageFile {
        tag: "fr",
        source: include_str!("../locales/fr/staff.ftl"),
        numbers: NumberStyle::FRENCH,
    },
    LanguageFile {
        tag: "de",
        source: include_str!("../locales/de/staff.ftl"),
        numbers: NumberStyle::POINT_GROUPS,
    },
    LanguageFile {
        tag: "es",
        source: include_str!("../locales/es/staff.ftl"),
        numbers: NumberStyle::SPANISH,
    },
    LanguageFile {
        tag: "it",
        source: include_str!("../locales/it/staff.ftl"),
        numbers: NumberStyle::POINT_GROUPS,
    },
    LanguageFile {
        tag: "nl",
        source: include_str!("../locales/nl/staff.ftl"),
        numbers: NumberStyle::POINT_GROUPS,
    },
    LanguageFile {
        tag: "ar",
        source: include_str!("../locales/ar/staff.ftl"),
        numbers: NumberStyle::ARABIC,
    },
];

/// A language of the interface (an index into its table, so it is `Copy` and never unknown).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UiLanguage(usize);

impl UiLanguage {
    /// The fallback, and the language the others are translated from.
    pub const ENGLISH: UiLanguage = UiLanguage(0);

    /// Every language of the interface, English first.
    pub fn all() -> impl Iterator<Item = UiLanguage> {
        (0..LANGUAGES.len()).map(UiLanguage)
    }

    /// The language with this tag exactly (`de`, `ar`), if the interface has it.
    pub fn from_tag(tag: &str) -> Option<UiLanguage> {
        LANGUAGES.iter().position(|l| l.tag == tag).map(UiLanguage)
    }

    /// Its BCP 47 tag, as HTML's `lang` attribute wants it.
    pub fn tag(self) -> &'static str {
        self.file().tag
    }

    /// `rtl` or `ltr`, as HTML's `dir` attribute wants it (the same rule as campaign texts).
    pub fn direction(self) -> &'static str {
        Locale::parse(self.tag()).map_or("ltr", |l| l.direction())
    }

    pub(super) fn is_right_to_left(self) -> bool {
        self.direction() == "rtl"
    }

    pub(super) fn index(self) -> usize {
        self.0
    }

    pub(super) fn file(self) -> &'static LanguageFile {
        &LANGUAGES[self.0]
    }

    /// How this language writes a count (digits, group and decimal separators).
    pub fn number(self, value: f64) -> String {
        self.file().numbers.format(value, &Default::default())
    }
}
