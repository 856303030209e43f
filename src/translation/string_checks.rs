//! The checks each translated string passes before it is taken: it is one Fluent pattern,
//! nested no deeper than the catalog reads, and it uses exactly the variables and terms of its
//! source string (a translation that drops `{ $months }` or invents `{ $name }` would send
//! different facts, or a raw `{$name}`, to the audience).

use std::collections::BTreeSet;

use fluent_syntax::ast::Entry;
use fluent_syntax::parser;

use super::strings::{entry_source, pattern_text};
use crate::l10n::{MAX_NESTING, too_deep, variables_and_terms};

/// A string that is not acceptable, and where in its text (0-based line, byte column).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StringProblem {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// What a string's text holds once read as a Fluent pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadPattern {
    /// Its canonical text.
    pub text: String,
    pub variables: BTreeSet<String>,
    pub terms: BTreeSet<String>,
}

/// Reads one string's text as a single Fluent pattern.
pub fn read_pattern(text: &str) -> Result<ReadPattern, StringProblem> {
    if let Some(offset) = too_deep(text) {
        let (line, column) = line_column(text, offset);
        return Err(StringProblem {
            line,
            column,
            message: format!("placeables are nested more than {MAX_NESTING} deep"),
        });
    }
    // `entry_source` indents every further line by four spaces under `x =`.
    let wrapped = entry_source("x", text.trim(), "");
    let first_line_shift = if text.trim().contains('\n') { 0 } else { 4 };
    let resource = match parser::parse(wrapped.as_str()) {
        Ok(resource) => resource,
        Err((_, errors)) => {
            let error = &errors[0];
            // An unclosed placeable is noticed at the end: point at the text's last character.
            let at = error.pos.start.min(wrapped.trim_end().len());
            let (line, column) = line_column(&wrapped, at);
            let (line, column) = if text.trim().contains('\n') {
                (line.saturating_sub(1), column.saturating_sub(4))
            } else {
                (line, column.saturating_sub(first_line_shift))
            };
            return Err(StringProblem {
                line,
                column,
                message: format!("Fluent syntax error: {error}"),
            });
        }
    };
    match resource.body.as_slice() {
        [Entry::Message(message)] if message.attributes.is_empty() => {
            let Some(value) = &message.value else {
                return Err(not_one_pattern());
            };
            let (variables, terms) = variables_and_terms(value);
            Ok(ReadPattern {
                text: pattern_text(value),
                variables,
                terms,
            })
        }
        _ => Err(not_one_pattern()),
    }
}

fn not_one_pattern() -> StringProblem {
    StringProblem {
        line: 0,
        column: 0,
        message: "the text is not one Fluent pattern (a line starting with `.`, `[` or `*` starts an attribute or variant; write it as { \".\" })".into(),
    }
}

/// Whether a translation keeps its source's variables and terms; the difference if not.
pub fn compare_references(source: &ReadPattern, target: &ReadPattern) -> Option<String> {
    let mut differences = Vec::new();
    let list = |names: Vec<&String>, sigil: &str| {
        names
            .iter()
            .map(|n| format!("`{sigil}{n}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let lost: Vec<&String> = source.variables.difference(&target.variables).collect();
    let added: Vec<&String> = target.variables.difference(&source.variables).collect();
    if !lost.is_empty() {
        differences.push(format!("lacks variable {} of the source", list(lost, "$")));
    }
    if !added.is_empty() {
        differences.push(format!(
            "uses variable {} that the source does not",
            list(added, "$")
        ));
    }
    let lost: Vec<&String> = source.terms.difference(&target.terms).collect();
    let added: Vec<&String> = target.terms.difference(&source.terms).collect();
    if !lost.is_empty() {
        differences.push(format!("lacks term {} of the source", list(lost, "-")));
    }
    if !added.is_empty() {
        differences.push(format!(
            "uses term {} that the source does not",
            list(added, "-")
        ));
    }
    (!differences.is_empty()).then(|| {
        format!(
            "the translation {}; keep the source's placeables as they are",
            differences.join(" and ")
        )
    })
}

/// 0-based line and character column of a byte offset.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[start..].chars().count())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variables_and_terms_must_match_the_source() {
        let source = read_pattern("For { $months } months with { -org }").unwrap();
        let same = read_pattern("لمدة { $months } شهرا مع { -org }").unwrap();
        assert_eq!(compare_references(&source, &same), None);
        let other = read_pattern("For { $weeks } weeks").unwrap();
        let why = compare_references(&source, &other).unwrap();
        assert!(why.contains("lacks variable `$months`"), "{why}");
        assert!(why.contains("uses variable `$weeks`"), "{why}");
        assert!(why.contains("lacks term `-org`"), "{why}");
    }

    #[test]
    fn a_string_is_one_pattern() {
        assert!(read_pattern("Hello { $name").is_err());
        let problem = read_pattern("Hello\n.title = x").unwrap_err();
        assert!(
            problem.message.contains("not one Fluent pattern"),
            "{problem:?}"
        );
        let deep = format!("{}x{}", "{ ".repeat(40), " }".repeat(40));
        assert!(read_pattern(&deep).unwrap_err().message.contains("nested"));
        let plural = read_pattern("{ $n ->\n    [one] one\n   *[other] { $n }\n}").unwrap();
        assert_eq!(plural.variables.len(), 1);
    }
}
