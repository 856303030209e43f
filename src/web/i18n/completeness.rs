//! The interface's catalogs are complete and consistent: every language has exactly the
//! messages English has, uses no variable English does not pass, parses cleanly, and is
//! marked a draft unless it is English; and every message id the templates and pages name
//! exists. Adding a language or a message without the rest fails here.

use std::collections::BTreeSet;
use std::path::Path;

use fluent_syntax::ast;

use super::language::UiLanguage;
use crate::campaign::VersionState;
use crate::store::StaffEventKind;

fn messages(source: &str) -> Vec<ast::Message<&str>> {
    let resource = fluent_syntax::parser::parse(source).unwrap_or_else(|(resource, _)| resource);
    resource
        .body
        .into_iter()
        .filter_map(|entry| match entry {
            ast::Entry::Message(message) => Some(message),
            _ => None,
        })
        .collect()
}

fn pattern_variables(pattern: &ast::Pattern<&str>, found: &mut BTreeSet<String>) {
    for element in &pattern.elements {
        if let ast::PatternElement::Placeable { expression } = element {
            expression_variables(expression, found);
        }
    }
}

fn expression_variables(expression: &ast::Expression<&str>, found: &mut BTreeSet<String>) {
    match expression {
        ast::Expression::Select { selector, variants } => {
            inline_variables(selector, found);
            for variant in variants {
                pattern_variables(&variant.value, found);
            }
        }
        ast::Expression::Inline(inline) => inline_variables(inline, found),
    }
}

fn inline_variables(inline: &ast::InlineExpression<&str>, found: &mut BTreeSet<String>) {
    match inline {
        ast::InlineExpression::VariableReference { id } => {
            found.insert(id.name.to_string());
        }
        ast::InlineExpression::FunctionReference { arguments, .. } => {
            for argument in &arguments.positional {
                inline_variables(argument, found);
            }
        }
        ast::InlineExpression::Placeable { expression } => expression_variables(expression, found),
        _ => {}
    }
}

/// Each message id of `source` with the variables its value uses.
fn catalog(source: &str) -> Vec<(String, BTreeSet<String>)> {
    messages(source)
        .into_iter()
        .map(|m| {
            let mut found = BTreeSet::new();
            if let Some(value) = &m.value {
                pattern_variables(value, &mut found);
            }
            (m.id.name.to_string(), found)
        })
        .collect()
}

/// What is wrong with `other` against `english`: missing, extra or duplicated ids, and
/// variables English does not pass.
fn problems(tag: &str, english: &str, other: &str) -> Vec<String> {
    let english = catalog(english);
    let other = catalog(other);
    let mut problems = Vec::new();
    let mut seen = BTreeSet::new();
    for (id, _) in &other {
        if !seen.insert(id.clone()) {
            problems.push(format!("{tag}: `{id}` is defined twice"));
        }
        if !english.iter().any(|(e, _)| e == id) {
            problems.push(format!("{tag}: `{id}` is not an English message"));
        }
    }
    for (id, variables) in &english {
        match other.iter().find(|(o, _)| o == id) {
            None => problems.push(format!("{tag}: `{id}` is missing")),
            Some((_, theirs)) => {
                for extra in theirs.difference(variables) {
                    problems.push(format!(
                        "{tag}: `{id}` uses ${extra}, which English does not"
                    ));
                }
            }
        }
    }
    problems
}

#[test]
fn every_language_has_every_english_message_and_no_other_variables() {
    let english = UiLanguage::ENGLISH.file().source;
    let mut found = Vec::new();
    for language in UiLanguage::all() {
        let source = language.file().source;
        if let Err((_, errors)) = fluent_syntax::parser::parse(source) {
            found.push(format!(
                "{}: Fluent syntax errors {errors:?}",
                language.tag()
            ));
        }
        found.extend(problems(language.tag(), english, source));
        let draft = crate::l10n::is_marked_draft(source);
        match (language == UiLanguage::ENGLISH, draft) {
            (true, true) => found.push("en: the source is not a draft".into()),
            (false, false) => found.push(format!(
                "{}: not marked `### status: draft`",
                language.tag()
            )),
            _ => {}
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn the_check_sees_a_missing_message_and_a_foreign_variable() {
    let english = "a = A\nb = B { $n }\n";
    assert_eq!(
        problems("xx", english, "a = A\nb = B { $n }\n"),
        Vec::<String>::new()
    );
    assert_eq!(
        problems("xx", english, "b = B { $n }\n"),
        ["xx: `a` is missing"]
    );
    assert_eq!(
        problems(
            "xx",
            english,
            "a = { $who }\nb = { $n ->\n   *[other] { $m }\n}\nc = C\n"
        ),
        [
            "xx: `c` is not an English message",
            "xx: `a` uses $who, which English does not",
            "xx: `b` uses $m, which English does not",
        ]
    );
}

/// Message ids a template names: `{{t "id"` and `{{ta "id"`.
fn template_ids(text: &str) -> Vec<String> {
    ["{{t \"", "{{ta \""]
        .iter()
        .flat_map(|opening| text.split(opening).skip(1))
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_string)
        .collect()
}

/// String literals in Rust `text` that look like message ids of one of `families` (the part
/// of an English id before its first `-`): `"title-users"`, `"dispatch-col-sent"`.
fn code_ids(text: &str, families: &BTreeSet<&str>) -> Vec<String> {
    text.split('"')
        .skip(1)
        .step_by(2)
        .filter(|literal| {
            literal.contains('-')
                && literal
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                && literal
                    .split('-')
                    .next()
                    .is_some_and(|family| families.contains(family))
        })
        .map(str::to_string)
        .collect()
}

fn files_under(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir)
        .expect("src/web is readable")
        .flatten()
    {
        let path = entry.path();
        if path.is_dir() {
            files_under(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs" || e == "hbs") {
            out.push(path);
        }
    }
}

#[test]
fn every_message_the_pages_name_exists_in_english() {
    let english: BTreeSet<String> = catalog(UiLanguage::ENGLISH.file().source)
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    let families: BTreeSet<&str> = english
        .iter()
        .filter_map(|id| id.split('-').next())
        .collect();
    let mut wanted: Vec<String> = Vec::new();
    let mut files = Vec::new();
    files_under(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src/web"),
        &mut files,
    );
    for file in &files {
        let text = std::fs::read_to_string(file).expect("a source file is readable");
        if file.extension().is_some_and(|e| e == "hbs") {
            wanted.extend(template_ids(&text));
        } else {
            wanted.extend(code_ids(&text, &families));
        }
    }
    assert!(wanted.len() > 100, "the scan found the ids: {wanted:?}");
    wanted.extend(
        VersionState::ALL
            .iter()
            .map(|s| format!("state-{}", s.name())),
    );
    wanted.extend(
        StaffEventKind::ALL
            .iter()
            .map(|k| format!("kind-{}", k.name().replace('_', "-"))),
    );
    wanted.extend(
        super::super::templates::NAVIGATION
            .iter()
            .map(|(_, id, _)| id.to_string()),
    );
    for n in 1..=12 {
        wanted.push(format!("month-{n}"));
    }
    for n in 1..=7 {
        wanted.push(format!("weekday-{n}"));
    }
    let missing: Vec<&String> = wanted.iter().filter(|id| !english.contains(*id)).collect();
    assert!(missing.is_empty(), "not in English: {missing:?}");
}
