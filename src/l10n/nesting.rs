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

/// Readings followed at once; a text that keeps more apart than this is refused as too
/// tangled (honest translations converge to one reading at every entry).
const MAX_READINGS: usize = 8;

/// One reading of the text: where the parser would be if it took this path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Reading {
    frames: Vec<Frame>,
    in_string: bool,
    escaped: bool,
    in_comment: bool,
}

impl Reading {
    /// Reads one byte (`line_start`: it is the first of its line); the depth after it.
    fn step(&mut self, byte: u8, next: Option<u8>, line_start: bool) -> usize {
        if line_start && self.frames.is_empty() {
            self.in_comment = byte == b'#';
        }
        if self.in_comment {
            return 0;
        }
        if byte == b'\n' {
            // A string literal never spans lines, and no escape takes the line end.
            self.in_string = false;
            self.escaped = false;
            return self.frames.len();
        }
        if self.in_string {
            match byte {
                _ if self.escaped => self.escaped = false,
                b'\\' => self.escaped = true,
                b'"' => self.in_string = false,
                _ => {}
            }
            return self.frames.len();
        }
        let innermost = self.frames.last().copied();
        let in_text = matches!(innermost, None | Some(Frame::Variants));
        match byte {
            b'{' => self.frames.push(Frame::Placeable),
            // The `}` that ends a select expression closes its variants and placeable.
            b'}' if in_text && innermost == Some(Frame::Variants) => {
                self.frames.pop();
                if self.frames.last() == Some(&Frame::Placeable) {
                    self.frames.pop();
                }
            }
            b'}' if !in_text && innermost == Some(Frame::Placeable) => {
                self.frames.pop();
            }
            _ if in_text => {}
            b'"' => self.in_string = true,
            b'(' => self.frames.push(Frame::Call),
            b')' if innermost == Some(Frame::Call) => {
                self.frames.pop();
            }
            b'-' if next == Some(b'>') => self.frames.push(Frame::Variants),
            _ => {}
        }
        self.frames.len()
    }
}

/// Where the text first nests deeper than [`MAX_NESTING`], as a byte offset, if it does.
///
/// Follows the parser's two modes: in text (a message's value, a variant's value) `{` opens a
/// placeable and `"` is just a character; in an expression (inside a placeable or a call's
/// parentheses) `"…"` is a string literal (with `\` escapes, ending at the latest at the line
/// end) whose brackets do not count, `{` and `(` descend, and `->` starts variants, which are
/// text again. Comment lines (`#` in the first column, outside any placeable) do not count.
/// Every open placeable, call and variant list is a level, and a closer that does not match
/// the innermost one is ignored.
///
/// The parser gives up on a broken entry and starts again at the next line that begins with
/// a letter, `-` or `#`, in text, whatever was open. A line like that may also just continue
/// an open placeable, so where one comes while something is open both readings are followed
/// from there (the deepest counts), and a text whose readings will not converge is refused.
/// The count is therefore an upper bound of the parser's recursion, never an underestimate.
pub fn too_deep(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut readings = vec![Reading::default()];
    let mut line_start = true;
    for (offset, &byte) in bytes.iter().enumerate() {
        if line_start
            && (byte.is_ascii_alphabetic() || byte == b'-' || byte == b'#')
            && !readings.contains(&Reading::default())
        {
            // The parser may start a new entry here, in text with nothing open.
            readings.push(Reading::default());
            if readings.len() > MAX_READINGS {
                return Some(offset);
            }
        }
        let next = bytes.get(offset + 1).copied();
        for reading in &mut readings {
            if reading.step(byte, next, line_start) > MAX_NESTING {
                return Some(offset);
            }
        }
        line_start = byte == b'\n';
        if line_start {
            // Readings that have come to the same place are one.
            let mut distinct: Vec<Reading> = Vec::with_capacity(readings.len());
            for reading in readings.drain(..) {
                if !distinct.contains(&reading) {
                    distinct.push(reading);
                }
            }
            readings = distinct;
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
    fn where_the_parser_starts_again_after_an_error_is_followed_too() {
        // A broken entry leaves a placeable and a call open; the parser starts again at
        // `a = …`, in text, where `"` is a plain character.
        let junk = format!("b = {{(\na = \"{}\n", "{".repeat(1_000));
        assert!(too_deep(&junk).is_some());
        // A backslash at a line end escapes nothing: the string ends with the line.
        let escaped = format!("b = {{ \"\\\na = {}\n", "{".repeat(1_000));
        assert!(too_deep(&escaped).is_some());
        // An identifier in the first column that continues an open placeable is fine.
        let continued = "a = {\nFUNC($x)\n}\nb = { $y }\n".repeat(200);
        assert_eq!(too_deep(&continued), None);
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
