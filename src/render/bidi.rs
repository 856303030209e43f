//! Right-to-left text on platforms that show plain text.
//!
//! The rule herald applies:
//! 1. Inside a right-to-left locale's text, Fluent wraps every placeable in FIRST STRONG
//!    ISOLATE … POP DIRECTIONAL ISOLATE (U+2068 … U+2069), so a number, a Latin name or a URL
//!    placed in Arabic text cannot reorder the words around it. Left-to-right locales get no
//!    isolation marks (they would be invisible noise).
//! 2. Messaging apps and social platforms pick each paragraph's direction from its first strong
//!    character, and none of them takes a `dir` attribute (Telegram's HTML has none either). So
//!    every line of a right-to-left message starts with RIGHT-TO-LEFT MARK (U+200F), which makes
//!    the paragraph right-to-left even when it begins with a Latin word or a number. A line that
//!    is only a URL gets no mark, so that link detection is never disturbed.
//! 3. Pages herald renders itself (previews in the web interface) set `dir` and `lang`.

use crate::campaign::locale::Locale;

use super::renderer::LINK_PLACEHOLDER;

pub const RIGHT_TO_LEFT_MARK: char = '\u{200F}';

/// Applies rule 2 to a rendered text in `locale`.
pub fn apply_direction(text: &str, locale: &Locale) -> String {
    if !locale.is_right_to_left() {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 16);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let trimmed = line.trim();
        let bare_link = !trimmed.contains(char::is_whitespace)
            && (trimmed.starts_with("http://")
                || trimmed.starts_with("https://")
                || trimmed == LINK_PLACEHOLDER);
        if !trimmed.is_empty() && !bare_link && !line.starts_with(RIGHT_TO_LEFT_MARK) {
            out.push(RIGHT_TO_LEFT_MARK);
        }
        out.push_str(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_each_right_to_left_paragraph_but_not_bare_links() {
        let ar = Locale::parse("ar").unwrap();
        let text = "IOM تساعد\n\nhttps://example.org/r/abc\nمرحبا";
        assert_eq!(
            apply_direction(text, &ar),
            "\u{200F}IOM تساعد\n\nhttps://example.org/r/abc\n\u{200F}مرحبا"
        );
        let fr = Locale::parse("fr").unwrap();
        assert_eq!(apply_direction(text, &fr), text);
    }
}
