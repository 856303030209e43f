//! Guards in front of the Fluent parser: a cap on a file's size, and on its nesting, since
//! `fluent-syntax` parses nested placeables and call
//! arguments recursively, so a file with thousands of `{` (a broken upload, a fuzzer, a
//! malicious translator account) overflows the thread's stack and aborts the whole process,
//! server included. Real translations nest two or three levels; anything deeper than
//! [`MAX_NESTING`] is refused with a diagnostic before the parser sees it.

/// The longest translation file read. A campaign's messages in one language are a few
/// kilobytes; the cap keeps the parser's time and memory small whatever a file holds.
pub const MAX_TRANSLATION_BYTES: usize = 1024 * 1024;

/// The deepest nesting of placeables and call arguments a translation may use. Far above what
/// any message needs, far below what overflows a 2 MiB thread stack in a debug build.
pub const MAX_NESTING: usize = 32;

/// What the parser is inside at one point of a translation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Frame {
    /// `{ … }`: an expression, where `"` opens a string literal.
    Placeable,
    /// `F( … )`: call arguments, an expression too.
    Call,
    /// After `->` in a placeable: the variants, whose values are text again (`"` is a plain
    /// character there) until the `}` that closes the select expression.
    Variants,
}

/// Where the text first nests deeper than [`MAX_NESTING`], as a byte offset, if it does.
///
/// Follows the parser's two modes: in text (a message's value, a variant's value) `{` opens a
/// placeable and `"` is just a character; in an expression (inside a placeable or a call's
/// parentheses) `"…"` is a string literal (with `\` escapes) whose brackets do not count,
/// `{` and `(` descend, and `->` starts variants, which are text again. Comment lines (`#` in
/// the first column, outside any placeable) do not count. Every open placeable, call and
/// variant list is a level, and a closer that does not match the innermost one is ignored,
/// so the count is an upper bound of the parser's recursion, never an underestimate.
pub fn too_deep(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut frames: Vec<Frame> = Vec::new();
    let mut in_string = false;
    let mut escaped = false;
    let mut in_comment = false;
    let mut line_start = true;
    for (offset, &byte) in bytes.iter().enumerate() {
        if line_start && frames.is_empty() {
            in_comment = byte == b'#';
        }
        line_start = byte == b'\n';
        if in_comment {
            continue;
        }
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' | b'\n' => in_string = false,
                _ => {}
            }
            continue;
        }
        let in_text = matches!(frames.last(), None | Some(Frame::Variants));
        let innermost = frames.last().copied();
        match byte {
            b'{' => frames.push(Frame::Placeable),
            // The `}` that ends a select expression closes its variants and placeable.
            b'}' if in_text && innermost == Some(Frame::Variants) => {
                frames.pop();
                if frames.last() == Some(&Frame::Placeable) {
                    frames.pop();
                }
            }
            b'}' if !in_text && innermost == Some(Frame::Placeable) => {
                frames.pop();
            }
            _ if in_text => {}
            b'"' => in_string = true,
            b'(' => frames.push(Frame::Call),
            b')' if innermost == Some(Frame::Call) => {
                frames.pop();
            }
            b'-' if bytes.get(offset + 1) == Some(&b'>') => frames.push(Frame::Variants),
            _ => {}
        }
        if frames.len() > MAX_NESTING {
            return Some(offset);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_messages_pass() {
        let text = "# {{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{ in a comment\n\
                    -org = The Agency\n\
                    support = { $months ->\n    [one] { NUMBER($months) } month from { -org }\n   *[other] { \"{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{\" }\n}\n";
        assert_eq!(too_deep(text), None);
    }

    #[test]
    fn deep_placeables_and_calls_are_found() {
        let braces = format!("a = {}", "{ ".repeat(MAX_NESTING + 1));
        assert_eq!(too_deep(&braces), Some(4 + 2 * MAX_NESTING));
        let calls = format!("a = {{ {}", "F(".repeat(MAX_NESTING));
        assert!(too_deep(&calls).is_some());
        let balanced = "a = { { x } }\n".repeat(1_000);
        assert_eq!(too_deep(&balanced), None);
    }

    #[test]
    fn a_quote_in_a_variants_text_does_not_hide_deep_placeables() {
        // In a variant's value `"` is text: it must not start a string that swallows the
        // placeables after it.
        let bomb = format!(
            "a = {{ $x ->\n *[o] \" {}$y{}\n}}\n",
            "{".repeat(200),
            "}".repeat(200)
        );
        assert!(too_deep(&bomb).is_some());
        let selects = "a = { $x ->\n [one] { $y ->\n [a] \"quoted\" text\n *[b] { \"}\" }\n }\n *[other] x\n}\n"
            .repeat(100);
        assert_eq!(too_deep(&selects), None);
    }
}
