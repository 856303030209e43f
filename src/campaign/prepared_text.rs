//! The text of one job as it leaves for a partner, with what a partner needs to know about its
//! origin. It belongs to the campaign's vocabulary so that the adapters, which take it, need
//! not import the dispatcher, which makes it.

use super::Locale;

/// A text ready for one job.
#[derive(Debug, Clone)]
pub struct PreparedText {
    pub text: String,
    /// The campaign message and the Fluent id of its variant, which a platform that sends
    /// pre-approved templates (WhatsApp) maps to a template name.
    pub message_id: String,
    pub fluent_id: String,
    pub variant: Option<String>,
    /// The locale of the words (after fallback) and its direction.
    pub source_locale: Locale,
}
