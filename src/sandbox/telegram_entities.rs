//! What Telegram makes of a text sent with `parse_mode: "HTML"`: the text the person sees (tags
//! removed, HTML entities decoded, surrounding whitespace trimmed) and its `MessageEntity`
//! list, as the Bot API answers them in the sent `Message`. Client libraries rebuild the
//! formatting from `entities` (offsets and lengths in UTF-16 code units), so an answer that
//! echoed the raw HTML would show the tags to every bot that logs or edits what it sent.
//!
//! Runs on text that [`super::telegram_html::check`] accepted; anything it still does not
//! understand is kept as text rather than refused.

use serde_json::{Value, json};

/// One formatting span, in UTF-16 code units of the visible text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entity {
    pub(crate) kind: &'static str,
    pub(crate) offset: usize,
    pub(crate) length: usize,
    /// `url` of a `text_link`, `language` of a `pre`, `custom_emoji_id` of a `custom_emoji`.
    pub(crate) extra: Option<(&'static str, String)>,
}

impl Entity {
    /// The Bot API's `MessageEntity` object.
    pub(crate) fn to_json(&self) -> Value {
        let mut entity = json!({"type": self.kind, "offset": self.offset, "length": self.length});
        if let Some((name, value)) = &self.extra {
            entity[*name] = json!(value);
        }
        entity
    }
}

/// A tag still open: where its text started, in UTF-16 units, and what it will become.
struct Open {
    name: String,
    start: usize,
    /// The order it was opened in, so nested entities that start together keep that order.
    order: usize,
    kind: Option<&'static str>,
    extra: Option<(&'static str, String)>,
}

/// The visible text and entities of `html`, trimmed as Telegram trims a message.
pub(crate) fn parse(html: &str) -> (String, Vec<Entity>) {
    let mut text = String::with_capacity(html.len());
    let mut units = 0;
    let mut open: Vec<Open> = Vec::new();
    let mut done: Vec<(usize, Entity)> = Vec::new();
    let mut opened = 0;
    let mut rest = html;
    while let Some(at) = rest.find(['<', '&']) {
        units += push_text(&mut text, &rest[..at]);
        rest = &rest[at..];
        if let Some(after) = rest.strip_prefix('&') {
            let (decoded, used) = decode_reference(after);
            units += push_text(&mut text, &decoded);
            rest = &after[used..];
            continue;
        }
        let Some(end) = rest.find('>') else {
            break;
        };
        let inside = &rest[1..end];
        rest = &rest[end + 1..];
        if let Some(name) = inside.strip_prefix('/') {
            close(&mut open, &mut done, name.trim(), units);
        } else {
            open.push(opening(inside, units, opened));
            opened += 1;
        }
    }
    push_text(&mut text, rest);
    done.sort_by(|(a_order, a), (b_order, b)| {
        (a.offset, std::cmp::Reverse(a.length), a_order).cmp(&(
            b.offset,
            std::cmp::Reverse(b.length),
            b_order,
        ))
    });
    trim(text, done.into_iter().map(|(_, entity)| entity).collect())
}

/// Appends `part`, answering its length in UTF-16 units.
fn push_text(text: &mut String, part: &str) -> usize {
    text.push_str(part);
    part.encode_utf16().count()
}

/// The tag opened by `inside` (what is between `<` and `>`).
fn opening(inside: &str, start: usize, order: usize) -> Open {
    let name_len = inside
        .find(|c: char| c.is_whitespace() || c == '/')
        .unwrap_or(inside.len());
    let name = inside[..name_len].to_ascii_lowercase();
    let attributes = &inside[name_len..];
    let (kind, extra) = match name.as_str() {
        "b" | "strong" => (Some("bold"), None),
        "i" | "em" => (Some("italic"), None),
        "u" | "ins" => (Some("underline"), None),
        "s" | "strike" | "del" => (Some("strikethrough"), None),
        "tg-spoiler" | "span" => (Some("spoiler"), None),
        "code" => (Some("code"), None),
        "pre" => (Some("pre"), None),
        "blockquote" if has_flag(attributes, "expandable") => (Some("expandable_blockquote"), None),
        "blockquote" => (Some("blockquote"), None),
        "a" => match attribute(attributes, "href") {
            Some(url) if !url.is_empty() => (Some("text_link"), Some(("url", url))),
            _ => (None, None),
        },
        "tg-emoji" => match attribute(attributes, "emoji-id") {
            Some(id) => (Some("custom_emoji"), Some(("custom_emoji_id", id))),
            None => (None, None),
        },
        _ => (None, None),
    };
    // `<code class="language-x">` directly in a `<pre>` names the block's language.
    let extra = match (name.as_str(), attribute(attributes, "class")) {
        ("code", Some(class)) => class
            .strip_prefix("language-")
            .map(|language| ("language", language.to_string())),
        _ => extra,
    };
    Open {
        name,
        start,
        order,
        kind,
        extra,
    }
}

/// Closes the innermost open tag called `name`, adding its entity when it covers any text.
/// A `<code>` directly inside a `<pre>` is not an entity of its own: it gives the `pre` its
/// language, as Telegram does.
fn close(open: &mut Vec<Open>, done: &mut Vec<(usize, Entity)>, name: &str, end: usize) {
    let name = name.to_ascii_lowercase();
    let Some(index) = open.iter().rposition(|tag| tag.name == name) else {
        return;
    };
    let tag = open.remove(index);
    let in_pre = index > 0
        && open
            .get(index - 1)
            .is_some_and(|parent| parent.name == "pre");
    if tag.name == "code" && in_pre {
        if let (Some(parent), Some(language)) = (open.get_mut(index - 1), tag.extra) {
            parent.extra = Some(language);
        }
        return;
    }
    let extra = if tag.name == "code" { None } else { tag.extra };
    if let Some(kind) = tag.kind.filter(|_| end > tag.start) {
        done.push((
            tag.order,
            Entity {
                kind,
                offset: tag.start,
                length: end - tag.start,
                extra,
            },
        ));
    }
}

/// The value of attribute `name` in `attributes` (quoted with `"` or `'`, or bare), decoded.
fn attribute(attributes: &str, name: &str) -> Option<String> {
    let mut rest = attributes;
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            return None;
        }
        let name_len = rest
            .find(|c: char| c == '=' || c.is_whitespace())
            .unwrap_or(rest.len());
        let found = rest[..name_len].eq_ignore_ascii_case(name);
        rest = rest[name_len..].trim_start();
        let Some(value_part) = rest.strip_prefix('=') else {
            continue;
        };
        let value_part = value_part.trim_start();
        let (value, after) = match value_part.chars().next() {
            Some(quote @ ('"' | '\'')) => {
                let inner = &value_part[1..];
                let close = inner.find(quote).unwrap_or(inner.len());
                (&inner[..close], inner.get(close + 1..).unwrap_or(""))
            }
            _ => {
                let close = value_part
                    .find(char::is_whitespace)
                    .unwrap_or(value_part.len());
                (&value_part[..close], &value_part[close..])
            }
        };
        if found {
            return Some(decode_all(value));
        }
        rest = after;
    }
}

/// Whether a bare attribute `flag` (such as `expandable`) is present.
fn has_flag(attributes: &str, flag: &str) -> bool {
    attributes
        .split(|c: char| c.is_whitespace() || c == '=')
        .any(|word| word.eq_ignore_ascii_case(flag))
}

/// `text` with every character reference decoded.
fn decode_all(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let (decoded, used) = decode_reference(&rest[at + 1..]);
        out.push_str(&decoded);
        rest = &rest[at + 1 + used..];
    }
    out.push_str(rest);
    out
}

/// Decodes the reference after a `&`: the four named ones Telegram supports (`lt`, `gt`,
/// `amp`, `quot`) and every numeric one. Answers the text and how many bytes after the `&`
/// it used; anything else is a literal `&`.
fn decode_reference(after: &str) -> (String, usize) {
    let literal = ("&".to_string(), 0);
    let Some(end) = after.find(';').filter(|end| *end <= 10) else {
        return literal;
    };
    let name = &after[..end];
    let decoded = match name {
        "lt" => Some('<'),
        "gt" => Some('>'),
        "amp" => Some('&'),
        "quot" => Some('"'),
        _ => name.strip_prefix('#').and_then(|number| {
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => number.parse().ok()?,
            };
            char::from_u32(code)
        }),
    };
    match decoded {
        Some(c) => (c.to_string(), end + 1),
        None => literal,
    }
}

/// Trims surrounding whitespace, as Telegram does, moving and cutting the entities with it;
/// an entity left empty is dropped.
pub(crate) fn trim(text: String, entities: Vec<Entity>) -> (String, Vec<Entity>) {
    let trimmed_start = text.trim_start();
    let lead = text[..text.len() - trimmed_start.len()]
        .encode_utf16()
        .count();
    let kept = trimmed_start.trim_end().to_string();
    let kept_len = kept.encode_utf16().count();
    let entities = entities
        .into_iter()
        .filter_map(|entity| {
            let start = entity.offset.clamp(lead, lead + kept_len);
            let end = (entity.offset + entity.length).clamp(lead, lead + kept_len);
            (end > start).then(|| Entity {
                offset: start - lead,
                length: end - start,
                ..entity
            })
        })
        .collect();
    (kept, entities)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entities(html: &str) -> (String, Vec<Value>) {
        let (text, entities) = parse(html);
        (text, entities.iter().map(Entity::to_json).collect())
    }

    #[test]
    fn tags_become_entities_in_utf16_units() {
        let (text, found) =
            entities("😀 <b>Bold</b> and <a href=\"https://e.org/?a=1&amp;b=2\">link</a>");
        assert_eq!(text, "😀 Bold and link");
        assert_eq!(
            found,
            vec![
                json!({"type": "bold", "offset": 3, "length": 4}),
                json!({"type": "text_link", "offset": 12, "length": 4, "url": "https://e.org/?a=1&b=2"}),
            ]
        );
    }

    #[test]
    fn references_are_decoded_and_whitespace_trimmed() {
        let (text, found) = entities("\n  <i>1 &lt; 2 &amp;&#33;&#x41;</i> &copy; \n");
        assert_eq!(text, "1 < 2 &!A &copy;");
        assert_eq!(
            found,
            vec![json!({"type": "italic", "offset": 0, "length": 9})]
        );
    }

    #[test]
    fn nested_pre_code_spoilers_quotes_and_emoji() {
        let html = "<b><i>x</i></b><pre><code class=\"language-rust\">fn</code></pre>\
                    <span class=\"tg-spoiler\">s</span><blockquote expandable>q</blockquote>\
                    <tg-emoji emoji-id=\"5368324170671202286\">👍</tg-emoji><code>c</code>";
        let (text, found) = entities(html);
        assert_eq!(text, "xfnsq👍c");
        assert_eq!(
            found,
            vec![
                json!({"type": "bold", "offset": 0, "length": 1}),
                json!({"type": "italic", "offset": 0, "length": 1}),
                json!({"type": "pre", "offset": 1, "length": 2, "language": "rust"}),
                json!({"type": "spoiler", "offset": 3, "length": 1}),
                json!({"type": "expandable_blockquote", "offset": 4, "length": 1}),
                json!({"type": "custom_emoji", "offset": 5, "length": 2, "custom_emoji_id": "5368324170671202286"}),
                json!({"type": "code", "offset": 7, "length": 1}),
            ]
        );
    }

    #[test]
    fn empty_entities_and_unknown_references_are_left_out() {
        let (text, found) = entities("<b></b>a&nbsp;b<u> </u>");
        assert_eq!(text, "a&nbsp;b");
        assert!(found.is_empty(), "{found:?}");
    }
}
