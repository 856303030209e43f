//! The web interface in its staff's languages. Every text the pages show lives in one Fluent
//! file per language (`src/web/locales/<lang>/staff.ftl`, compiled into the binary) and is
//! rendered by Fluent, as campaign texts are; numbers and dates are formatted for the language.
//! The language is the one the user chose (settings page, `herald user set-language`), else the
//! best match for the browser's `Accept-Language`, else English.

mod accept_language;
mod catalog;
#[cfg(test)]
mod completeness;
mod datetime;
mod helpers;
mod language;
mod numbers;
mod phrase;
mod request_language;

pub use accept_language::{MAX_ACCEPT_LANGUAGE_BYTES, MAX_LANGUAGE_RANGES, negotiate};
pub use catalog::Place;
pub use datetime::{date_text, utc_time};
pub use helpers::register_helpers;
pub use language::UiLanguage;
pub use phrase::Phrase;
pub use request_language::{choose_language, current_language, language_from_request};
