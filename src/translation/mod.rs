//! Translation exchange: one locale's strings exported with the default locale as source, as
//! Fluent files (which Weblate and Pontoon read natively) or as XLIFF 2.0 (for CAT tools), and
//! a translator's file imported back, checked string by string and then as a whole campaign.
//!
//! An import never changes a stored version: it makes the locale's new Fluent file, which the
//! caller puts into a new bundle with the base version's campaign file and layouts unchanged.
//! That bundle is a new version, a draft, which goes through submission and four-eyes
//! approval like any other before anything it says is sent.

mod fluent_export;
mod import;
mod locale_strings;
mod matrix_states;
mod string_checks;
mod strings;
mod xliff_import;
mod xliff_read;
mod xliff_write;

pub use fluent_export::{FluentExport, MISSING_HEADING, to_fluent};
pub use import::{
    ExchangeFormat, ImportRequest, ImportedString, ImportedTranslation, check_import,
};
pub use locale_strings::{LocaleStrings, StringPair, string_state};
pub use matrix_states::annotate_matrix;
pub use strings::{FileString, file_strings, text_digest};
pub use xliff_import::status_of_state;
pub use xliff_read::{MAX_DEPTH, MAX_UNITS, MAX_XLIFF_BYTES, XliffDocument, read_xliff};
pub use xliff_write::{Selection, XLIFF_NAMESPACE, to_xliff};
