//! Localisation: one Fluent bundle per (campaign, locale), fallback only along a segment's own
//! list, and the completeness matrix that shows authors which translations are missing.

mod catalog;
mod completeness;
mod expansion;
mod nesting;
mod references;

pub use catalog::{
    Catalog, FormattedMessage, Translation, is_marked_draft, message_args as catalog_message_args,
    translation_path,
};
pub use completeness::{Cell, CompletenessMatrix, MatrixRow};
pub use expansion::{MAX_EXPANDED_BYTES, MAX_FRACTION_DIGITS, MAX_REFERENCE_DEPTH};
pub use nesting::{MAX_NESTING, MAX_TRANSLATION_BYTES};
