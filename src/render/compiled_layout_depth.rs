//! The authoritative depth check of a layout: handlebars' own parse, measured without
//! recursion. The text scan in [`super::layout_bounds`] reads tags the way handlebars does
//! closely enough for honest layouts and good diagnostics, but any difference between the two
//! readings (a `"` inside a `[path]` segment, say) would let deep nesting through to the
//! renderer, which recurses once per level and aborts the process when its stack runs out.
//!
//! So every layout that passes the scan is also compiled here, on a thread of its own with a
//! stack large enough for any text within [`super::layout_bounds::MAX_LAYOUT_BYTES`] (the
//! parser recurses on sub-expressions; the stack is reserved, not used, unless a hostile
//! layout needs it), its tree is measured with an explicit stack, and it is dropped on that
//! thread too (dropping a deep tree recurses as well). Only the verdict comes back.

use handlebars::template::{Parameter, Template, TemplateElement};
use serde_json::Value;

use super::layout_bounds::{LayoutRefusal, MAX_BLOCK_DEPTH, MAX_EXPRESSION_DEPTH};

/// `{{#each}}` blocks nested inside each other at most: each level multiplies the loops of
/// the ones outside it, so a few levels over the campaign's fields are millions of
/// iterations that write nothing (and so never reach the rendered-size cap).
pub const MAX_EACH_DEPTH: usize = 2;

/// Enough for handlebars to parse 64 KiB of nested sub-expressions in a debug build.
const CHECK_STACK_BYTES: usize = 512 * 1024 * 1024;

/// Why `text`, as handlebars compiles it, nests too deep (or uses a partial or decorator);
/// `None` when it may be compiled and rendered anywhere, or when it does not compile (the
/// compiler's own error is reported where the layout is registered).
pub fn refuse_compiled(text: &str) -> Option<LayoutRefusal> {
    let owned = text.to_string();
    let checked = std::thread::Builder::new()
        .name("layout-depth".into())
        .stack_size(CHECK_STACK_BYTES)
        .spawn(move || {
            let template = Template::compile(&owned).ok()?;
            measure(&template).map(|(line, column, message)| LayoutRefusal {
                offset: offset_of(&owned, line, column),
                message,
            })
        })
        .map(|thread| thread.join());
    match checked {
        Ok(Ok(verdict)) => verdict,
        // No thread, or one that failed: the layout is not let through unchecked.
        _ => Some(LayoutRefusal {
            offset: 0,
            message: "this layout could not be checked; try again".into(),
        }),
    }
}

/// One thing to look at: a template at a block depth, or a parameter at an expression depth
/// (inside the element at `place`).
enum Node<'a> {
    /// A template at a block depth and an `{{#each}}` depth.
    Template(&'a Template, usize, usize),
    Parameter(&'a Parameter, usize, (usize, usize)),
    Json(&'a Value, usize, (usize, usize)),
}

/// The first element that goes too deep: its line, column and the reason.
fn measure(template: &Template) -> Option<(usize, usize, String)> {
    let mut pending = vec![Node::Template(template, 0, 0)];
    while let Some(node) = pending.pop() {
        match node {
            Node::Template(template, depth, loops) => {
                for (index, element) in template.elements.iter().enumerate() {
                    let place = template
                        .mapping
                        .get(index)
                        .map_or((1, 1), |mapping| (mapping.0, mapping.1));
                    let helper = match element {
                        TemplateElement::RawString(_) | TemplateElement::Comment(_) => continue,
                        TemplateElement::HtmlExpression(helper)
                        | TemplateElement::Expression(helper) => helper,
                        TemplateElement::HelperBlock(helper) => {
                            if depth + 1 > MAX_BLOCK_DEPTH {
                                return Some((place.0, place.1, too_deep_blocks()));
                            }
                            let is_loop =
                                matches!(&helper.name, Parameter::Name(name) if name == "each");
                            let loops = loops + usize::from(is_loop);
                            if loops > MAX_EACH_DEPTH {
                                return Some((place.0, place.1, too_many_loops()));
                            }
                            for inner in [&helper.template, &helper.inverse].into_iter().flatten() {
                                pending.push(Node::Template(inner, depth + 1, loops));
                            }
                            helper
                        }
                        _ => {
                            return Some((
                                place.0,
                                place.1,
                                "layouts may not use partials or decorators".into(),
                            ));
                        }
                    };
                    pending.push(Node::Parameter(&helper.name, 1, place));
                    for parameter in helper.params.iter().chain(helper.hash.values()) {
                        pending.push(Node::Parameter(parameter, 1, place));
                    }
                }
            }
            Node::Parameter(parameter, depth, place) => {
                if depth > MAX_EXPRESSION_DEPTH {
                    return Some((place.0, place.1, too_deep_expressions()));
                }
                match parameter {
                    Parameter::Subexpression(subexpression) => {
                        let inner = subexpression.as_element();
                        let helper = match inner {
                            TemplateElement::Expression(helper)
                            | TemplateElement::HtmlExpression(helper)
                            | TemplateElement::HelperBlock(helper) => helper,
                            _ => continue,
                        };
                        pending.push(Node::Parameter(&helper.name, depth + 1, place));
                        for parameter in helper.params.iter().chain(helper.hash.values()) {
                            pending.push(Node::Parameter(parameter, depth + 1, place));
                        }
                    }
                    Parameter::Literal(value) => pending.push(Node::Json(value, depth, place)),
                    _ => {}
                }
            }
            Node::Json(value, depth, place) => {
                if depth > MAX_EXPRESSION_DEPTH {
                    return Some((place.0, place.1, too_deep_expressions()));
                }
                match value {
                    Value::Array(items) => {
                        pending.extend(items.iter().map(|item| Node::Json(item, depth + 1, place)))
                    }
                    Value::Object(fields) => pending.extend(
                        fields
                            .values()
                            .map(|item| Node::Json(item, depth + 1, place)),
                    ),
                    _ => {}
                }
            }
        }
    }
    None
}

fn too_deep_blocks() -> String {
    format!("blocks are nested more than {MAX_BLOCK_DEPTH} deep; this layout is not compiled")
}

fn too_many_loops() -> String {
    format!(
        "`{{{{#each}}}}` blocks are nested more than {MAX_EACH_DEPTH} deep; this layout is not \
         compiled"
    )
}

fn too_deep_expressions() -> String {
    format!(
        "sub-expressions, arrays or objects are nested more than {MAX_EXPRESSION_DEPTH} deep \
         inside one `{{{{ }}}}`; this layout is not compiled"
    )
}

/// The byte offset of a 1-based line and column (in characters).
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    text[line_start..]
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(line_start, |(at, _)| line_start + at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_segment_with_a_quote_does_not_hide_deep_blocks() {
        // The text scan reads `"` in `[a"]` as a string and would see no block at all.
        let n = 300;
        let layout = format!(
            "{{{{[a\"]}}}}{}{{{{[b\"]}}}}{}",
            "{{#if x}}".repeat(n),
            "{{/if}}".repeat(n)
        );
        let refusal = refuse_compiled(&layout).expect("refused");
        assert!(refusal.message.contains("nested more than 16 deep"));
        assert_eq!(
            &layout[refusal.offset..refusal.offset + 9],
            "{{#if x}}",
            "{refusal:?}"
        );
    }

    #[test]
    fn deep_sub_expressions_are_refused_after_handlebars_parses_them() {
        let deep = format!("{{{{x {}1{}}}}}", "(f ".repeat(20), ")".repeat(20));
        assert!(
            refuse_compiled(&deep)
                .expect("refused")
                .message
                .contains("sub-expressions")
        );
        let bomb = format!("{{{{x {}{}}}}}", "(a ".repeat(16_000), ")".repeat(16_000));
        assert!(refuse_compiled(&bomb).is_some());
    }

    #[test]
    fn loops_inside_loops_are_refused() {
        let nested = "{{#each @root.campaign}}".repeat(16) + &"{{/each}}".repeat(16);
        let refusal = refuse_compiled(&nested).expect("refused");
        assert!(
            refusal.message.contains("`{{#each}}` blocks"),
            "{refusal:?}"
        );
        assert_eq!(
            refusal.offset,
            "{{#each @root.campaign}}".len() * MAX_EACH_DEPTH
        );
        let two = "{{#each campaign}}{{#each ../campaign}}{{this}}{{/each}}{{/each}}";
        assert_eq!(refuse_compiled(two), None);
    }

    #[test]
    fn ordinary_and_broken_layouts_pass_to_the_compiler() {
        for layout in [
            "{{#if title}}<b>{{title}}</b>\n\n{{/if}}{{body}}",
            "{{#if a}}x{{else if b}}y{{else}}z{{/if}}",
            "{{lookup campaign \"id\"}} {{x (f (g 1))}}",
            "{{#if a}}unclosed",
        ] {
            assert_eq!(refuse_compiled(layout), None, "{layout}");
        }
        let just_enough = "{{#if t}}".repeat(MAX_BLOCK_DEPTH) + &"{{/if}}".repeat(16);
        assert_eq!(refuse_compiled(&just_enough), None);
        let one_more = "{{#if t}}".repeat(MAX_BLOCK_DEPTH + 1) + &"{{/if}}".repeat(17);
        assert!(refuse_compiled(&one_more).is_some());
    }
}
