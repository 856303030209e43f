//! Bounds on a layout's text, checked before handlebars sees it. Handlebars parses, compiles
//! and renders nested blocks (`{{#if}}` inside `{{#if}}`, `{{else if}}` chains), sub-expressions
//! and literal arrays recursively, so a layout of a few thousand nested blocks (75 KB, far
//! under the upload limit) overflows a thread's stack and aborts the whole process, server
//! included. Real layouts nest two or three levels and are a few hundred bytes long; anything
//! beyond the limits here is refused with a diagnostic at the place it goes too far.
//!
//! Partials and decorators (`{{> name}}`, `{{#> name}}`, `{{* name}}`) are refused too: each
//! platform's layout stands alone, and two layouts including each other would recurse without
//! end when rendered.

/// The longest layout file. The built-in layouts are under 200 bytes.
pub const MAX_LAYOUT_BYTES: usize = 64 * 1024;
/// The deepest nesting of blocks (`{{#if}}`, `{{#each}}`, …, each `{{else if …}}` of a chain
/// counting as one more level).
pub const MAX_BLOCK_DEPTH: usize = 16;
/// The deepest nesting of sub-expressions and literal arrays or objects inside one `{{ }}`.
pub const MAX_EXPRESSION_DEPTH: usize = 8;

/// Why a layout is refused, and where (a byte offset into its text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayoutRefusal {
    pub offset: usize,
    pub message: String,
}

/// Every reason to refuse `text` before registering it: its size, and the first place where it
/// nests too deep or uses a partial, by the text scan and then by handlebars' own parse
/// ([`super::compiled_layout_depth`]); empty when it may be compiled and rendered anywhere.
pub fn refuse_layout(text: &str) -> Vec<LayoutRefusal> {
    let mut refusals = Vec::new();
    if text.len() > MAX_LAYOUT_BYTES {
        refusals.push(LayoutRefusal {
            offset: 0,
            message: format!(
                "the layout is {} bytes long; a layout may be at most {MAX_LAYOUT_BYTES} bytes",
                text.len()
            ),
        });
    }
    refusals.extend(refuse_structure(text));
    if refusals.is_empty() {
        // The scan's reading of the tags is checked against handlebars' own.
        refusals.extend(super::compiled_layout_depth::refuse_compiled(text));
    }
    refusals
}

/// The first place where `text` nests too deep or uses a partial or decorator.
///
/// The scan is a single pass that follows handlebars' tokens closely enough to count depth
/// the way its parser descends: comments (`{{! }}`, `{{!-- --}}`), raw blocks (`{{{{raw}}}}`)
/// and escaped mustaches (`\{{`) do not count, and string literals inside a tag may hold any
/// bracket. Unbalanced closers are ignored, so the count never underestimates the recursion.
fn refuse_structure(text: &str) -> Option<LayoutRefusal> {
    let bytes = text.as_bytes();
    let mut blocks = BlockDepth::default();
    let mut at = 0;
    while at < bytes.len() {
        if bytes[at] == b'\\' {
            at = past_escape(bytes, at);
            continue;
        }
        if !bytes[at..].starts_with(b"{{") {
            at += 1;
            continue;
        }
        let start = at;
        match uncounted(bytes, at) {
            Uncounted::Until(end) => {
                at = end;
                continue;
            }
            Uncounted::Unclosed => return None,
            Uncounted::No => {}
        }
        at = tag_name_start(bytes, at + 2);
        if is_partial_or_decorator(&bytes[at..]) {
            return Some(LayoutRefusal {
                offset: start,
                message: "layouts may not use partials or decorators (`{{> …}}`, `{{#> …}}`, \
                          `{{* …}}`); write the text into the layout itself"
                    .into(),
            });
        }
        blocks.enter(&bytes[at..]);
        if blocks.depth > MAX_BLOCK_DEPTH {
            return Some(LayoutRefusal {
                offset: start,
                message: format!(
                    "blocks are nested more than {MAX_BLOCK_DEPTH} deep (`{{{{#…}}}}` inside \
                     `{{{{#…}}}}`, each `{{{{else if …}}}}` counting as one more); this layout is \
                     not compiled"
                ),
            });
        }
        match tag_end(bytes, at) {
            TagEnd::Closed(end) => at = end,
            TagEnd::TooDeep(offset) => {
                return Some(LayoutRefusal {
                    offset,
                    message: format!(
                        "sub-expressions, arrays or objects are nested more than \
                         {MAX_EXPRESSION_DEPTH} deep inside one `{{{{ }}}}`; this layout is not \
                         compiled"
                    ),
                });
            }
            TagEnd::Unclosed => return None,
        }
    }
    None
}

/// Past a run of backslashes at `at`: one backslash escapes the mustache after it (which is
/// then text); two or more are text and leave the mustache a real tag (handlebars' `escape`
/// rule).
fn past_escape(bytes: &[u8], at: usize) -> usize {
    let run = bytes[at..].iter().take_while(|b| **b == b'\\').count();
    let at = at + run;
    if run == 1 && bytes[at..].starts_with(b"{{") {
        at + if bytes[at..].starts_with(b"{{{{") {
            4
        } else {
            2
        }
    } else {
        at
    }
}

/// Whether the `{{` at `at` opens text handlebars does not descend into.
enum Uncounted {
    /// A raw block or a comment, which ends at this offset.
    Until(usize),
    /// A raw block whose opening tag is never closed: nothing after it is a tag.
    Unclosed,
    /// A tag to count.
    No,
}

fn uncounted(bytes: &[u8], at: usize) -> Uncounted {
    if bytes[at..].starts_with(b"{{{{") {
        // A raw block: its content is text up to the closing `{{{{/…}}}}`.
        let Some(end) = find(bytes, at + 4, b"}}}}") else {
            return Uncounted::Unclosed;
        };
        let at = find(bytes, end + 4, b"{{{{/").unwrap_or(bytes.len());
        return Uncounted::Until(find(bytes, at, b"}}}}").map_or(bytes.len(), |end| end + 4));
    }
    if bytes[at..].starts_with(b"{{!--") {
        return Uncounted::Until(find(bytes, at + 5, b"--}}").map_or(bytes.len(), |end| end + 4));
    }
    if bytes[at..].starts_with(b"{{!") {
        return Uncounted::Until(find(bytes, at + 3, b"}}").map_or(bytes.len(), |end| end + 2));
    }
    Uncounted::No
}

/// Where a tag's content starts, after its `{{` (at `at`), a `~` and white space.
fn tag_name_start(bytes: &[u8], mut at: usize) -> usize {
    if bytes.get(at) == Some(&b'~') {
        at += 1;
    }
    while bytes.get(at).is_some_and(u8::is_ascii_whitespace) {
        at += 1;
    }
    at
}

/// `{{> …}}`, `{{#> …}}`, `{{* …}}` or `{{#* …}}`, from the tag's content.
fn is_partial_or_decorator(tag: &[u8]) -> bool {
    match tag.first() {
        Some(b'>' | b'*') => true,
        Some(b'#') => matches!(tag.get(1), Some(b'>' | b'*')),
        _ => false,
    }
}

/// How deep the blocks open so far nest, as handlebars' parser descends into them.
#[derive(Default)]
struct BlockDepth {
    /// Levels each open block adds: one, plus one per `{{else if …}}` of its chain.
    open_blocks: Vec<usize>,
    depth: usize,
}

impl BlockDepth {
    /// Counts a tag, from its content: `#` opens a block, `/` closes one (an unbalanced closer
    /// is ignored), and `else …` or `^…` adds a level to the open block's chain.
    fn enter(&mut self, tag: &[u8]) {
        match tag.first() {
            Some(b'#') => {
                self.open_blocks.push(1);
                self.depth += 1;
            }
            Some(b'/') => self.depth -= self.open_blocks.pop().unwrap_or(0),
            Some(b'e' | b'^') if is_else_chain(tag) => {
                if let Some(levels) = self.open_blocks.last_mut() {
                    *levels += 1;
                    self.depth += 1;
                }
            }
            _ => {}
        }
    }
}

/// `else` or `^` followed by an expression: one more level of the chain (`{{else}}` and
/// `{{^}}` alone are not).
fn is_else_chain(tag: &[u8]) -> bool {
    let mut rest = if let Some(rest) = tag.strip_prefix(b"^") {
        rest
    } else if let Some(rest) = tag.strip_prefix(b"else") {
        if !rest.first().is_some_and(u8::is_ascii_whitespace) {
            return false;
        }
        rest
    } else {
        return false;
    };
    while rest.first().is_some_and(u8::is_ascii_whitespace) {
        rest = &rest[1..];
    }
    !(rest.starts_with(b"}}") || rest.starts_with(b"~}}"))
}

enum TagEnd {
    /// The offset just past the tag's `}}`.
    Closed(usize),
    /// Where the nesting went too deep.
    TooDeep(usize),
    /// The text ends inside the tag (handlebars reports that itself).
    Unclosed,
}

/// Scans one tag from `at` (just after `{{`) to its closing `}}`, counting brackets outside
/// string literals.
fn tag_end(bytes: &[u8], mut at: usize) -> TagEnd {
    let mut nesting = 0usize;
    let mut quote: Option<u8> = None;
    while at < bytes.len() {
        let byte = bytes[at];
        if let Some(q) = quote {
            match byte {
                b'\\' => at += 1,
                _ if byte == q => quote = None,
                _ => {}
            }
            at += 1;
            continue;
        }
        match byte {
            b'"' | b'\'' => quote = Some(byte),
            b'}' if nesting == 0 && bytes.get(at + 1) == Some(&b'}') => {
                return TagEnd::Closed(at + 2);
            }
            b'(' | b'[' | b'{' => {
                nesting += 1;
                if nesting > MAX_EXPRESSION_DEPTH {
                    return TagEnd::TooDeep(at);
                }
            }
            b')' | b']' | b'}' => nesting = nesting.saturating_sub(1),
            _ => {}
        }
        at += 1;
    }
    TagEnd::Unclosed
}

fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    bytes
        .get(from..)?
        .windows(needle.len())
        .position(|window| window == needle)
        .map(|position| from + position)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_layouts_pass() {
        for layout in [
            "{{#if title}}<b>{{title}}</b>\n\n{{/if}}{{body}}{{#if link}}\n\n{{#if cta}}<a href=\"{{link}}\">{{cta}}</a>{{else}}{{link}}{{/if}}{{/if}}",
            "{{{body}}} {{! a comment with {{#if}} }} {{!-- {{#each}} --}} \\{{#if}}",
            "{{#each campaign}}{{@key}}={{this}} {{/each}}{{lookup campaign \"id\"}}",
            "{{#if a}}x{{else if b}}y{{else if c}}z{{else}}w{{/if}}",
        ] {
            assert_eq!(refuse_layout(layout), [], "{layout}");
        }
        let balanced = "{{#if title}}{{title}}{{/if}}".repeat(2_000);
        assert_eq!(refuse_layout(&balanced), []);
        let escaped = "\\{{#if a}}".repeat(100);
        assert_eq!(refuse_layout(&escaped), []);
        let not_escaped = "\\\\{{#if a}}".repeat(100);
        assert!(!refuse_layout(&not_escaped).is_empty());
    }

    #[test]
    fn deep_blocks_are_refused_where_they_go_too_deep() {
        let nested = "{{#if title}}".repeat(2_000) + &"{{/if}}".repeat(2_000);
        let refusal = refuse_layout(&nested).remove(0);
        assert_eq!(refusal.offset, "{{#if title}}".len() * MAX_BLOCK_DEPTH);
        assert!(refusal.message.contains("nested more than 16 deep"));
        let just_enough = "{{#if title}}".repeat(MAX_BLOCK_DEPTH) + &"{{/if}}".repeat(16);
        assert_eq!(refuse_layout(&just_enough), []);
        let chain = format!("{{{{#if a}}}}{}{{{{/if}}}}", "{{else if b}}".repeat(40));
        assert!(!refuse_layout(&chain).is_empty());
        let caret = format!("{{{{#if a}}}}{}{{{{/if}}}}", "{{^b}}".repeat(40));
        assert!(!refuse_layout(&caret).is_empty());
        let inverses = format!("{{{{#if a}}}}x{}{{{{/if}}}}", "{{^}}y".repeat(40));
        assert_eq!(refuse_layout(&inverses), []);
    }

    #[test]
    fn deep_expressions_partials_and_size_are_refused() {
        let deep = format!("{{{{x {}1{}}}}}", "(f ".repeat(50), ")".repeat(50));
        assert!(refuse_layout(&deep)[0].message.contains("sub-expressions"));
        let arrays = format!("{{{{x {}}}}}", "[".repeat(500));
        assert!(!refuse_layout(&arrays).is_empty());
        let quoted = format!("{{{{x \"{}\"}}}}", "(".repeat(500));
        assert_eq!(refuse_layout(&quoted), []);
        for partial in [
            "{{> telegram}}",
            "{{#> x}}{{/x}}",
            "{{~> y}}",
            "{{#*inline \"p\"}}{{/inline}}",
        ] {
            assert!(!refuse_layout(partial).is_empty(), "{partial}");
        }
        assert_eq!(refuse_layout(&"a".repeat(MAX_LAYOUT_BYTES + 1)).len(), 1);
        // Too long and too deep: both are said, the depth where it happens.
        let both = "{{#if title}}<b>{{title}}</b>\n".repeat(2_000) + &"{{/if}}".repeat(2_000);
        let refusals = refuse_layout(&both);
        assert_eq!(refusals.len(), 2, "{refusals:?}");
        assert_eq!(refusals[1].offset, 30 * MAX_BLOCK_DEPTH);
    }
}
