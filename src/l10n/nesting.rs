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

/// Where the text first nests deeper than [`MAX_NESTING`], as a byte offset, if it does.
///
/// Counts `{` and `(` against `}` and `)` the way the parser would descend: inside placeables
/// string literals (`"…"`, with `\` escapes) do not count, and neither do comment lines (`#` in
/// the first column) outside placeables. Unbalanced closers are ignored, so the count is an
/// upper bound of the parser's recursion, never an underestimate.
pub fn too_deep(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut line_start = true;
    let mut in_comment = false;
    for (offset, byte) in text.bytes().enumerate() {
        if line_start && depth == 0 {
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
        match byte {
            b'{' => depth += 1,
            b'(' if depth > 0 => depth += 1,
            b'}' | b')' => depth = depth.saturating_sub(1),
            b'"' if depth > 0 => in_string = true,
            _ => {}
        }
        if depth > MAX_NESTING {
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
}
