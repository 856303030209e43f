//! Campaign definitions: the files authors write, how they are read and checked, and the typed
//! model the rest of herald works from.

pub mod codes;
pub mod locale;
pub mod model;
pub mod parse;
pub mod prepared_text;
pub mod version;

pub use crate::source::{diagnostic, toml_reader};
pub use diagnostic::{Diagnostic, Diagnostics, Severity, SourceFile};
pub use locale::{Locale, LocaleError};
pub use model::{Campaign, Message, Segment, SegmentKind, Send};
pub use prepared_text::PreparedText;
pub use version::{ContentHash, ContentHashError, TransitionError, VersionBundle, VersionState};
