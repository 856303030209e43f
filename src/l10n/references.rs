//! Finds Fluent references that would resolve to nothing when a message is sent: variables the
//! campaign gives no value, terms and messages the file does not define, unknown functions.
//! Formatting never fails by itself (it prints `{$x}` instead), so this walks every branch of
//! every selector, and also formats the message to catch what only resolution shows (cycles).

use std::collections::BTreeSet;

use fluent_bundle::FluentError;
use fluent_bundle::resolver::ResolverError;
use fluent_bundle::resolver::errors::ReferenceKind;
use fluent_syntax::ast::{Expression, InlineExpression, Pattern, PatternElement};

use super::catalog::{Translation, message_args};
use crate::campaign::diagnostic::Diagnostics;
use crate::campaign::model::Message;

/// Functions a bundle provides (fluent-bundle's built-ins).
const FUNCTIONS: &[&str] = &["NUMBER"];

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Reference {
    Variable(String),
    Term(String),
    Message(String, Option<String>),
    Function(String),
}

impl Translation {
    /// Reports every unresolvable reference in `fluent_id` at its place in the file.
    pub fn check_references(&self, fluent_id: &str, message: &Message, diags: &mut Diagnostics) {
        let Some(ast) = self.message_ast(fluent_id) else {
            return;
        };
        let mut found = BTreeSet::new();
        if let Some(value) = &ast.value {
            collect_pattern(value, &mut found);
        }
        for attribute in &ast.attributes {
            collect_pattern(&attribute.value, &mut found);
        }
        let given: Vec<&str> = message.args.iter().map(|(n, _)| n.as_str()).collect();
        let mut reported = false;
        for reference in found {
            let problem = match &reference {
                Reference::Variable(name) if !given.contains(&name.as_str()) => Some(format!(
                    "message `{fluent_id}` uses variable `${name}`, but message `{}` in the campaign gives no value for it ({})",
                    message.id.value,
                    if given.is_empty() {
                        "add it under `args`".to_string()
                    } else {
                        format!("it gives: {}", given.join(", "))
                    }
                )),
                Reference::Term(name) if !self.has_term(name) => Some(format!(
                    "message `{fluent_id}` refers to undefined term `-{name}`"
                )),
                Reference::Message(name, attribute) => match self.attributes(name) {
                    None => Some(format!(
                        "message `{fluent_id}` refers to undefined message `{name}`"
                    )),
                    Some(attrs) => attribute.as_ref().filter(|a| !attrs.contains(a)).map(|a| {
                        format!("message `{fluent_id}` refers to undefined attribute `{name}.{a}`")
                    }),
                },
                Reference::Function(name) if !FUNCTIONS.contains(&name.as_str()) => Some(format!(
                    "message `{fluent_id}` calls unknown function `{name}`"
                )),
                _ => None,
            };
            if let Some(problem) = problem {
                let span = self.reference_span(fluent_id, &reference);
                diags.error(&self.file, span, problem);
                reported = true;
            }
        }
        if reported {
            return;
        }
        let (_, errors) = self.format(fluent_id, &message_args(message));
        for error in errors {
            let text = match &error {
                FluentError::ResolverError(ResolverError::Cyclic) => {
                    format!("message `{fluent_id}` refers to itself through a cycle of references")
                }
                FluentError::ResolverError(ResolverError::TooManyPlaceables) => {
                    format!("message `{fluent_id}` expands to too many placeables")
                }
                FluentError::ResolverError(ResolverError::Reference(ReferenceKind::Variable {
                    id,
                })) => {
                    format!("message `{fluent_id}` uses variable `${id}`, which has no value")
                }
                other => format!("message `{fluent_id}` cannot be formatted: {other}"),
            };
            let span = self.message_span(fluent_id).unwrap_or(0..0);
            diags.error(&self.file, span, text);
        }
    }

    /// Where a reference is written inside a message, or the message's start when not found.
    fn reference_span(&self, fluent_id: &str, reference: &Reference) -> std::ops::Range<usize> {
        let Some(span) = self.message_span(fluent_id) else {
            return 0..0;
        };
        let region = &self.file.text[span.clone()];
        let needle = match reference {
            Reference::Variable(name) => format!("${name}"),
            Reference::Term(name) => format!("-{name}"),
            Reference::Message(name, _) => name.clone(),
            Reference::Function(name) => format!("{name}("),
        };
        // Skip the entry's own `id =` so a message named like its reference is not matched.
        let body_start = region.find('=').map(|i| i + 1).unwrap_or(0);
        let mut search_from = body_start;
        while let Some(found) = region[search_from..].find(&needle) {
            let at = search_from + found;
            let end = at + needle.len();
            let bounded = region[end..]
                .chars()
                .next()
                .is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'));
            if bounded || matches!(reference, Reference::Function(_)) {
                return span.start + at..span.start + end;
            }
            search_from = end;
        }
        span.start..span.start
    }
}

fn collect_pattern(pattern: &Pattern<&str>, found: &mut BTreeSet<Reference>) {
    for element in &pattern.elements {
        if let PatternElement::Placeable { expression } = element {
            collect_expression(expression, found);
        }
    }
}

fn collect_expression(expression: &Expression<&str>, found: &mut BTreeSet<Reference>) {
    match expression {
        Expression::Select { selector, variants } => {
            collect_inline(selector, found);
            for variant in variants {
                collect_pattern(&variant.value, found);
            }
        }
        Expression::Inline(inline) => collect_inline(inline, found),
    }
}

fn collect_inline(inline: &InlineExpression<&str>, found: &mut BTreeSet<Reference>) {
    match inline {
        InlineExpression::VariableReference { id } => {
            found.insert(Reference::Variable(id.name.to_string()));
        }
        InlineExpression::TermReference { id, arguments, .. } => {
            found.insert(Reference::Term(id.name.to_string()));
            // Term arguments are evaluated in the message's scope.
            if let Some(arguments) = arguments {
                for argument in &arguments.positional {
                    collect_inline(argument, found);
                }
                for argument in &arguments.named {
                    collect_inline(&argument.value, found);
                }
            }
        }
        InlineExpression::MessageReference { id, attribute } => {
            found.insert(Reference::Message(
                id.name.to_string(),
                attribute.as_ref().map(|a| a.name.to_string()),
            ));
        }
        InlineExpression::FunctionReference { id, arguments } => {
            found.insert(Reference::Function(id.name.to_string()));
            for argument in &arguments.positional {
                collect_inline(argument, found);
            }
            for argument in &arguments.named {
                collect_inline(&argument.value, found);
            }
        }
        InlineExpression::Placeable { expression } => collect_expression(expression, found),
        InlineExpression::StringLiteral { .. } | InlineExpression::NumberLiteral { .. } => {}
    }
}

/// The variables (`$name`, without the `$`) and terms (`-name`, without the `-`) a pattern
/// uses, over every branch of every selector: what a translation must keep of its source.
pub fn variables_and_terms(pattern: &Pattern<&str>) -> (BTreeSet<String>, BTreeSet<String>) {
    let mut found = BTreeSet::new();
    collect_pattern(pattern, &mut found);
    let mut variables = BTreeSet::new();
    let mut terms = BTreeSet::new();
    for reference in found {
        match reference {
            Reference::Variable(name) => {
                variables.insert(name);
            }
            Reference::Term(name) => {
                terms.insert(name);
            }
            Reference::Message(..) | Reference::Function(_) => {}
        }
    }
    (variables, terms)
}
