//! A rendered message shown as its audience will see it. Telegram texts are in Telegram's HTML
//! subset, so its few formatting tags are kept (bold, italics, links) and everything else is
//! shown as text; other platforms' texts are plain and escaped whole. Nothing from a
//! translation can become markup beyond that subset: no attribute but a web link's `href`.

use crate::channel::{ChannelRef, TextFormat};

/// Simple tags Telegram formats and the page may keep.
const SIMPLE_TAGS: &[&str] = &[
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "code", "pre",
];
/// Entities Telegram's HTML knows; any other `&` is shown as text.
const ENTITIES: &[&str] = &["&lt;", "&gt;", "&amp;", "&quot;"];

/// Safe HTML for a preview of `text` as sent on `channel`.
pub fn preview_html(channel: &str, text: &str) -> String {
    let html = ChannelRef::parse(channel)
        .map(|c| c.platform.text_format() == TextFormat::Html)
        .unwrap_or(false);
    if html {
        telegram_html(text)
    } else {
        escape(text)
    }
}

use crate::html_text::escape_html as escape;

/// Keeps Telegram's formatting tags and links, escapes everything else.
fn telegram_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if c == '<'
            && let Some(end) = rest.find('>')
            && let Some(tag) = allowed_tag(&rest[1..end])
        {
            out.push_str(&tag);
            rest = &rest[end + 1..];
            continue;
        }
        if c == '&'
            && let Some(entity) = ENTITIES.iter().find(|e| rest.starts_with(**e))
        {
            out.push_str(entity);
            rest = &rest[entity.len()..];
            continue;
        }
        if c == '&' {
            // Numeric references (`&#39;`) are kept when well formed.
            let numeric = rest[1..]
                .strip_prefix('#')
                .and_then(|r| r.find(';').map(|end| &r[..end]))
                .filter(|digits| {
                    !digits.is_empty()
                        && digits.len() <= 7
                        && digits.chars().all(|d| d.is_ascii_digit())
                });
            if let Some(digits) = numeric {
                out.push_str(&format!("&#{digits};"));
                rest = &rest[digits.len() + 3..];
                continue;
            }
        }
        out.push_str(&escape(&c.to_string()));
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// The tag to emit for `<inner>`, if Telegram formats it.
fn allowed_tag(inner: &str) -> Option<String> {
    let (closing, name_and_rest) = match inner.strip_prefix('/') {
        Some(rest) => (true, rest),
        None => (false, inner),
    };
    let name = name_and_rest.trim();
    if SIMPLE_TAGS.contains(&name) {
        return Some(if closing {
            format!("</{name}>")
        } else {
            format!("<{name}>")
        });
    }
    if closing {
        return (name == "a").then(|| "</a>".to_string());
    }
    let href = name
        .strip_prefix("a href=\"")?
        .strip_suffix('"')
        .filter(|h| !h.contains('"'))?;
    let href = href.replace("&amp;", "&");
    (href.starts_with("https://") || href.starts_with("http://"))
        .then(|| format!("<a href=\"{}\" rel=\"noopener noreferrer\">", escape(&href)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn telegram_formatting_is_kept_and_nothing_else() {
        let text = "<b>Know &amp; act</b>\n\nA &lt;b&gt; & é<script>x</script> <a href=\"https://e.org/r/1?a=1&amp;b=2\">Read</a> <a href=\"javascript:alert(1)\">x</a> <i onclick=\"x\">y</i>";
        let html = preview_html("telegram:info", text);
        assert!(html.starts_with("<b>Know &amp; act</b>"), "{html}");
        assert!(
            html.contains("A &lt;b&gt; &amp; é&lt;script&gt;x&lt;/script&gt;"),
            "{html}"
        );
        assert!(
            html.contains(
                "<a href=\"https://e.org/r/1?a=1&amp;b=2\" rel=\"noopener noreferrer\">Read</a>"
            ),
            "{html}"
        );
        assert!(!html.contains("javascript:alert(1)\">"), "{html}");
        assert!(!html.contains("onclick=\""), "{html}");
    }

    #[test]
    fn plain_platforms_are_escaped_whole() {
        assert_eq!(
            preview_html("x:updates", "<b>hi</b> & \"you\""),
            "&lt;b&gt;hi&lt;/b&gt; &amp; &quot;you&quot;"
        );
    }
}
