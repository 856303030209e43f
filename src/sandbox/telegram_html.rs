//! Telegram's HTML parse mode, as far as a sandbox needs it: only Telegram's tags are allowed
//! and they must balance, otherwise Telegram refuses the whole message with "can't parse
//! entities". Catching that here means a layout that produces bad HTML fails in rehearsal.

/// Tags Telegram accepts in `parse_mode: "HTML"`; `span` only with `class="tg-spoiler"`.
const ALLOWED_TAGS: &[&str] = &[
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "a",
    "code",
    "pre",
    "tg-spoiler",
    "span",
    "blockquote",
    "tg-emoji",
];

/// What is wrong with the tags, in Telegram's words (offsets in bytes).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum HtmlError {
    #[error("Unclosed start tag at byte offset {offset}")]
    UnclosedStartTag { offset: usize },
    #[error(
        "Unmatched end tag at byte offset {offset}, expected \"</{expected}>\", found \"</{found}>\""
    )]
    UnmatchedEndTag {
        offset: usize,
        expected: String,
        found: String,
    },
    #[error("Unexpected end tag at byte offset {offset}")]
    UnexpectedEndTag { offset: usize },
    #[error("Unsupported start tag \"{name}\" at byte offset {offset}")]
    UnsupportedStartTag { name: String, offset: usize },
    #[error("Tag \"span\" must have class \"tg-spoiler\" at byte offset {offset}")]
    SpanWithoutSpoiler { offset: usize },
    #[error("Can't find end tag corresponding to start tag \"{tag}\"")]
    MissingEndTag { tag: String },
}

/// Checks the tags of `text`; on success returns the text outside the tags (entities not
/// decoded), so the caller can tell whether anything visible is left. The error is Telegram's
/// explanation, to follow "can't parse entities: ".
pub(crate) fn check(text: &str) -> Result<String, HtmlError> {
    let mut open: Vec<String> = Vec::new();
    let mut outside = String::with_capacity(text.len());
    let mut rest = text;
    let mut offset = 0;
    while let Some(at) = rest.find('<') {
        outside.push_str(&rest[..at]);
        let tag_offset = offset + at;
        let Some(len) = rest[at..].find('>') else {
            return Err(HtmlError::UnclosedStartTag { offset: tag_offset });
        };
        let inside = &rest[at + 1..at + len];
        if let Some(name) = inside.strip_prefix('/') {
            let name = name.trim().to_ascii_lowercase();
            match open.pop() {
                Some(top) if top == name => {}
                Some(top) => {
                    return Err(HtmlError::UnmatchedEndTag {
                        offset: tag_offset,
                        expected: top,
                        found: name,
                    });
                }
                None => return Err(HtmlError::UnexpectedEndTag { offset: tag_offset }),
            }
        } else {
            let name_len = inside
                .find(|c: char| c.is_whitespace() || c == '/')
                .unwrap_or(inside.len());
            let name = inside[..name_len].to_ascii_lowercase();
            if !ALLOWED_TAGS.contains(&name.as_str()) {
                return Err(HtmlError::UnsupportedStartTag {
                    name,
                    offset: tag_offset,
                });
            }
            if name == "span" && !is_spoiler_span(&inside[name_len..]) {
                return Err(HtmlError::SpanWithoutSpoiler { offset: tag_offset });
            }
            open.push(name);
        }
        offset = tag_offset + len + 1;
        rest = &rest[at + len + 1..];
    }
    outside.push_str(rest);
    match open.pop() {
        Some(top) => Err(HtmlError::MissingEndTag { tag: top }),
        None => Ok(outside),
    }
}

/// Whether a span's attributes are `class="tg-spoiler"` (or with single quotes, or bare).
fn is_spoiler_span(attributes: &str) -> bool {
    let compact: String = attributes.chars().filter(|c| !c.is_whitespace()).collect();
    matches!(
        compact.as_str(),
        "class=\"tg-spoiler\"" | "class='tg-spoiler'" | "class=tg-spoiler"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_telegram_tags_when_balanced() {
        let text = "<b>Bold</b> <a href=\"https://example.org/?a=1&amp;b=2\">link</a> \
                    <span class=\"tg-spoiler\">x</span> <pre><code class=\"language-rust\">y</code></pre> \
                    <blockquote expandable>q</blockquote> 1 &lt; 2";
        let outside = check(text).unwrap();
        assert_eq!(outside, "Bold link x y q 1 &lt; 2");
    }

    #[test]
    fn explains_what_is_wrong() {
        assert_eq!(
            check("<b>x</i>").unwrap_err().to_string(),
            "Unmatched end tag at byte offset 4, expected \"</b>\", found \"</i>\""
        );
        assert_eq!(
            check("<b>x").unwrap_err().to_string(),
            "Can't find end tag corresponding to start tag \"b\""
        );
        assert_eq!(
            check("a <div>x</div>").unwrap_err().to_string(),
            "Unsupported start tag \"div\" at byte offset 2"
        );
        assert_eq!(
            check("x</b>").unwrap_err().to_string(),
            "Unexpected end tag at byte offset 1"
        );
        assert_eq!(
            check("1 < 2").unwrap_err().to_string(),
            "Unclosed start tag at byte offset 2"
        );
        assert_eq!(
            check("<span>x</span>").unwrap_err().to_string(),
            "Tag \"span\" must have class \"tg-spoiler\" at byte offset 0"
        );
        assert!(check("<br/>").is_err());
    }

    #[test]
    fn tag_names_ignore_case() {
        assert!(check("<B>x</b>").is_ok());
    }
}
