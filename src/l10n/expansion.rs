//! A bound on what formatting a Fluent message can produce, worked out from the file before
//! anything is formatted.
//!
//! fluent-bundle 0.16 already stops a pattern after 100 placeables (`TooManyPlaceables`), so a
//! chain of messages each referencing the previous one twice ends there instead of doubling
//! forty times. It bounds neither the text each of those placeables brings in (a hundred
//! references to a message of a megabyte make 100 MB, for every attribute, locale and platform)
//! nor the options of `NUMBER()`: `minimumFractionDigits: 1000000000000` pads a number with a
//! trillion zeros, and the failed allocation aborts the process. A number with more than 19
//! digits after the point overflows the plural rules' arithmetic. So every message gets an
//! upper bound of its expanded size (each placeable at its largest: the longest select
//! variant, the referenced entry's own bound, a variable's longest value) and of how deep its
//! references go; a message over [`MAX_EXPANDED_BYTES`] or [`MAX_REFERENCE_DEPTH`], one that
//! reaches a reference cycle, or one that uses such numbers is refused with a diagnostic and
//! never formatted.

use std::collections::{HashMap, HashSet};

use fluent_bundle::FluentResource;
use fluent_syntax::ast::{
    Entry, Expression, InlineExpression, Pattern, PatternElement, VariantKey,
};

/// The most bytes one message's value and attributes together may expand to. The longest text
/// any platform takes (Facebook, 63,206 characters) is about this long in a Latin script.
pub const MAX_EXPANDED_BYTES: usize = 64 * 1024;
/// The deepest chain of message and term references one message may resolve through.
pub const MAX_REFERENCE_DEPTH: usize = 32;
/// The most digits after the decimal point a number may have (literal or `NUMBER()` option):
/// 10^19 is the largest power of ten the plural rules' 64-bit arithmetic holds.
pub const MAX_FRACTION_DIGITS: usize = 19;
/// Longer than any number a placeable prints: an `f64` written out in full (`1e308` has 309
/// digits), its sign, point and padding up to [`MAX_FRACTION_DIGITS`].
pub const NUMBER_TEXT_BYTES: usize = 400;

/// Why a message may not be formatted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unbounded {
    /// It may expand to more than [`MAX_EXPANDED_BYTES`] (the bound, saturated).
    TooLong(usize),
    /// Its references go deeper than [`MAX_REFERENCE_DEPTH`].
    TooDeep,
    /// It reaches a message or term that refers back to itself.
    Cyclic,
    /// It (or an entry it refers to) writes a number Fluent cannot handle; the text says how.
    Number(String),
}

/// Every message of `resource` that must not be formatted, by id, with why. `variable_bytes`
/// gives the longest value a variable can take (the campaign's arguments).
pub fn unbounded_messages(
    resource: &FluentResource,
    variable_bytes: &dyn Fn(&str) -> usize,
) -> Vec<(String, Unbounded)> {
    let mut bounder = Bounder::new(resource, variable_bytes);
    let mut found = Vec::new();
    let mut reported = HashSet::new();
    for entry in resource.entries() {
        let Entry::Message(message) = entry else {
            continue;
        };
        let id = message.id.name;
        if !reported.insert(id) {
            continue;
        }
        let parts = message.value.iter().map(|_| Key::Message(id, None)).chain(
            message
                .attributes
                .iter()
                .map(|a| Key::Message(id, Some(a.id.name))),
        );
        // Formatting a message resolves its value and every attribute, so together they must
        // stay under the bound (ten thousand attributes of 60 KB each are 600 MB).
        let mut total = Bound::default();
        let mut number = None;
        for key in parts {
            total = total.then(bounder.entry(key, 0));
            number = number.or_else(|| bounder.number_problem(key));
        }
        if let Some(problem) = total.problem(number) {
            found.push((id.to_string(), problem));
        }
    }
    found
}

/// One formattable pattern: a message's or term's value or attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Key<'r> {
    Message(&'r str, Option<&'r str>),
    Term(&'r str, Option<&'r str>),
}

/// An upper bound of one pattern's expansion.
#[derive(Debug, Clone, Copy, Default)]
struct Bound {
    bytes: usize,
    /// How many references deep it resolves.
    depth: usize,
    cyclic: bool,
    /// It or something it refers to has a number Fluent cannot handle.
    bad_number: bool,
}

impl Bound {
    fn text(bytes: usize) -> Bound {
        Bound {
            bytes,
            ..Bound::default()
        }
    }

    /// Both parts written one after the other.
    fn then(self, other: Bound) -> Bound {
        Bound {
            bytes: self.bytes.saturating_add(other.bytes),
            depth: self.depth.max(other.depth),
            cyclic: self.cyclic || other.cyclic,
            bad_number: self.bad_number || other.bad_number,
        }
    }

    /// One or the other (select variants).
    fn or(self, other: Bound) -> Bound {
        Bound {
            bytes: self.bytes.max(other.bytes),
            ..self.then(Bound { bytes: 0, ..other })
        }
    }

    fn problem(self, number: Option<String>) -> Option<Unbounded> {
        if self.cyclic {
            Some(Unbounded::Cyclic)
        } else if self.depth > MAX_REFERENCE_DEPTH {
            Some(Unbounded::TooDeep)
        } else if self.bad_number {
            Some(Unbounded::Number(number.unwrap_or_else(|| {
                "it refers to an entry whose numbers Fluent cannot format".into()
            })))
        } else if self.bytes > MAX_EXPANDED_BYTES {
            Some(Unbounded::TooLong(self.bytes))
        } else {
            None
        }
    }
}

struct Bounder<'r, 'v> {
    messages: HashMap<&'r str, &'r fluent_syntax::ast::Message<&'r str>>,
    terms: HashMap<&'r str, &'r fluent_syntax::ast::Term<&'r str>>,
    variable_bytes: &'v dyn Fn(&str) -> usize,
    /// Inside a term called with arguments, variables are those (literal) arguments.
    longest_literal: usize,
    memo: HashMap<Key<'r>, Bound>,
    visiting: HashSet<Key<'r>>,
    /// The first bad number found in each pattern, to name it in the diagnostic.
    numbers: HashMap<Key<'r>, String>,
}

impl<'r, 'v> Bounder<'r, 'v> {
    fn new(resource: &'r FluentResource, variable_bytes: &'v dyn Fn(&str) -> usize) -> Self {
        let mut messages = HashMap::new();
        let mut terms = HashMap::new();
        for entry in resource.entries() {
            // The bundle keeps the first definition of a duplicated id.
            match entry {
                Entry::Message(m) => {
                    messages.entry(m.id.name).or_insert(m);
                }
                Entry::Term(t) => {
                    terms.entry(t.id.name).or_insert(t);
                }
                _ => {}
            }
        }
        Bounder {
            messages,
            terms,
            variable_bytes,
            longest_literal: resource_literals(resource),
            memo: HashMap::new(),
            visiting: HashSet::new(),
            numbers: HashMap::new(),
        }
    }

    fn number_problem(&self, key: Key<'r>) -> Option<String> {
        self.numbers.get(&key).cloned()
    }

    fn pattern_of(&self, key: Key<'r>) -> Option<&'r Pattern<&'r str>> {
        match key {
            Key::Message(id, None) => self.messages.get(id)?.value.as_ref(),
            Key::Message(id, Some(attribute)) => self
                .messages
                .get(id)?
                .attributes
                .iter()
                .find(|a| a.id.name == attribute)
                .map(|a| &a.value),
            Key::Term(id, None) => Some(&self.terms.get(id)?.value),
            Key::Term(id, Some(attribute)) => self
                .terms
                .get(id)?
                .attributes
                .iter()
                .find(|a| a.id.name == attribute)
                .map(|a| &a.value),
        }
    }

    /// The bound of one entry's pattern, reached `depth` references deep.
    fn entry(&mut self, key: Key<'r>, depth: usize) -> Bound {
        if let Some(bound) = self.memo.get(&key) {
            return *bound;
        }
        if depth > MAX_REFERENCE_DEPTH {
            // Cut short, so that this walk's own recursion stays bounded. Entries on the way
            // here are remembered as too deep, which may also refuse another message that
            // shares them: only in a file that has a chain this deep anyway.
            return Bound {
                depth: MAX_REFERENCE_DEPTH + 1,
                ..Bound::default()
            };
        }
        if self.visiting.contains(&key) {
            return Bound {
                cyclic: true,
                ..Bound::default()
            };
        }
        let Some(pattern) = self.pattern_of(key) else {
            // Fluent writes `{id}` (or `{-id.attribute}`) for a missing reference.
            let (id, attribute) = match key {
                Key::Message(id, attribute) | Key::Term(id, attribute) => (id, attribute),
            };
            return Bound::text(id.len() + attribute.map_or(0, |a| a.len() + 1) + 3);
        };
        self.visiting.insert(key);
        let mut bound = self.pattern(key, pattern, depth);
        self.visiting.remove(&key);
        bound.depth = bound.depth.saturating_add(1);
        bound.bad_number |= self.numbers.contains_key(&key);
        self.memo.insert(key, bound);
        bound
    }

    fn pattern(&mut self, owner: Key<'r>, pattern: &'r Pattern<&'r str>, depth: usize) -> Bound {
        let mut bound = Bound::default();
        for element in &pattern.elements {
            let part = match element {
                PatternElement::TextElement { value } => Bound::text(value.len()),
                PatternElement::Placeable { expression } => {
                    self.expression(owner, expression, depth)
                }
            };
            bound = bound.then(part);
        }
        bound
    }

    fn expression(
        &mut self,
        owner: Key<'r>,
        expression: &'r Expression<&'r str>,
        depth: usize,
    ) -> Bound {
        // Two isolation marks of three bytes each around every placeable.
        let marks = Bound::text(6);
        match expression {
            Expression::Inline(inline) => marks.then(self.inline(owner, inline, depth)),
            Expression::Select { selector, variants } => {
                let mut chosen = Bound::default();
                for variant in variants {
                    if let VariantKey::NumberLiteral { value } = &variant.key {
                        self.check_number(owner, value);
                    }
                    chosen = chosen.or(self.pattern(owner, &variant.value, depth));
                }
                // The selector is resolved (not written), which takes as much work.
                marks.then(self.inline(owner, selector, depth)).then(chosen)
            }
        }
    }

    fn inline(
        &mut self,
        owner: Key<'r>,
        inline: &'r InlineExpression<&'r str>,
        depth: usize,
    ) -> Bound {
        match inline {
            InlineExpression::StringLiteral { value } => Bound::text(value.len()),
            InlineExpression::NumberLiteral { value } => {
                self.check_number(owner, value);
                Bound::text(value.len() + NUMBER_TEXT_BYTES)
            }
            InlineExpression::VariableReference { id } => Bound::text(
                (self.variable_bytes)(id.name)
                    .max(self.longest_literal)
                    .max(id.name.len() + 3),
            ),
            InlineExpression::Placeable { expression } => self.expression(owner, expression, depth),
            InlineExpression::MessageReference { id, attribute } => self.entry(
                Key::Message(id.name, attribute.as_ref().map(|a| a.name)),
                depth + 1,
            ),
            InlineExpression::TermReference {
                id,
                attribute,
                arguments,
            } => {
                let mut bound = self.entry(
                    Key::Term(id.name, attribute.as_ref().map(|a| a.name)),
                    depth + 1,
                );
                if let Some(arguments) = arguments {
                    for argument in &arguments.positional {
                        bound = bound.then(self.inline(owner, argument, depth));
                    }
                    for argument in &arguments.named {
                        bound = bound.then(self.inline(owner, &argument.value, depth));
                    }
                }
                bound
            }
            InlineExpression::FunctionReference { id, arguments } => {
                // Arguments are resolved in full before the function sees them.
                let mut bound = Bound::text(NUMBER_TEXT_BYTES + id.name.len());
                for argument in &arguments.positional {
                    bound = bound.then(self.inline(owner, argument, depth));
                }
                for argument in &arguments.named {
                    bound = bound.then(self.inline(owner, &argument.value, depth));
                    if argument.name.name.ends_with("Digits")
                        && let InlineExpression::NumberLiteral { value } = &argument.value
                        && !value
                            .parse::<usize>()
                            .is_ok_and(|digits| digits <= MAX_FRACTION_DIGITS)
                    {
                        self.numbers.entry(owner).or_insert_with(|| {
                            format!(
                                "`{}(…, {}: {value})`: a digits option must be a whole number from 0 to {MAX_FRACTION_DIGITS}",
                                id.name, argument.name.name
                            )
                        });
                    }
                }
                bound
            }
        }
    }

    /// Records a number literal with too many digits after the point.
    fn check_number(&mut self, owner: Key<'r>, value: &str) {
        let fraction = value.split_once('.').map_or(0, |(_, f)| f.len());
        if fraction <= MAX_FRACTION_DIGITS {
            return;
        }
        self.numbers.entry(owner).or_insert_with(|| {
            format!(
                "the number `{}…` has {fraction} digits after the point; at most {MAX_FRACTION_DIGITS} can be formatted",
                value.chars().take(24).collect::<String>()
            )
        });
    }
}

/// The longest string or number literal in the file (what a term's variable can be given).
fn resource_literals(resource: &FluentResource) -> usize {
    fn pattern(pattern: &Pattern<&str>, longest: &mut usize) {
        for element in &pattern.elements {
            if let PatternElement::Placeable { expression } = element {
                expression_literals(expression, longest);
            }
        }
    }
    fn expression_literals(expression: &Expression<&str>, longest: &mut usize) {
        match expression {
            Expression::Inline(inline) => inline_literals(inline, longest),
            Expression::Select { selector, variants } => {
                inline_literals(selector, longest);
                for variant in variants {
                    pattern(&variant.value, longest);
                }
            }
        }
    }
    fn inline_literals(inline: &InlineExpression<&str>, longest: &mut usize) {
        match inline {
            InlineExpression::StringLiteral { value } => *longest = (*longest).max(value.len()),
            InlineExpression::NumberLiteral { value } => {
                *longest = (*longest).max(value.len() + NUMBER_TEXT_BYTES);
            }
            InlineExpression::Placeable { expression } => expression_literals(expression, longest),
            InlineExpression::TermReference {
                arguments: Some(arguments),
                ..
            } => {
                for argument in &arguments.positional {
                    inline_literals(argument, longest);
                }
                for argument in &arguments.named {
                    inline_literals(&argument.value, longest);
                }
            }
            InlineExpression::FunctionReference { arguments, .. } => {
                for argument in &arguments.positional {
                    inline_literals(argument, longest);
                }
                for argument in &arguments.named {
                    inline_literals(&argument.value, longest);
                }
            }
            _ => {}
        }
    }
    let mut longest = 0;
    for entry in resource.entries() {
        match entry {
            Entry::Message(m) => {
                for p in m.value.iter().chain(m.attributes.iter().map(|a| &a.value)) {
                    pattern(p, &mut longest);
                }
            }
            Entry::Term(t) => {
                for p in std::iter::once(&t.value).chain(t.attributes.iter().map(|a| &a.value)) {
                    pattern(p, &mut longest);
                }
            }
            _ => {}
        }
    }
    longest
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(text: &str) -> Vec<(String, Unbounded)> {
        let resource = FluentResource::try_new(text.to_string()).unwrap();
        unbounded_messages(&resource, &|name| if name == "months" { 400 } else { 0 })
    }

    #[test]
    fn ordinary_messages_are_bounded() {
        let text = "-org = The Agency\nsupport = { $months ->\n    [one] { NUMBER($months, minimumFractionDigits: 2) } month from { -org }\n   *[other] { $months } months\n}\n    .title = From { -org }\nintro = { support } and { support.title }\n";
        assert_eq!(refused(text), []);
    }

    #[test]
    fn doubling_chains_and_long_texts_are_refused() {
        // Each message refers to the previous one twice: 2^40 copies if nothing stopped it.
        let mut chain = format!("m0 = {}\n", "x".repeat(100));
        for i in 1..=40 {
            chain.push_str(&format!("m{i} = {{ m{} }}{{ m{} }}\n", i - 1, i - 1));
        }
        let found = refused(&chain);
        assert!(
            found
                .iter()
                .any(|(id, why)| id == "m20" && matches!(why, Unbounded::TooLong(_))),
            "{found:?}"
        );
        assert!(found.iter().any(|(id, _)| id == "m40"), "{found:?}");
        assert!(
            !found.iter().any(|(id, _)| id == "m0" || id == "m5"),
            "{found:?}"
        );
        let wide = format!(
            "big = {}\nbomb = {}\n",
            "y".repeat(1_000),
            "{ big }".repeat(100)
        );
        assert!(matches!(refused(&wide).as_slice(), [(id, Unbounded::TooLong(_))] if id == "bomb"));
        // Each attribute is small; a hundred of them together are not.
        let many: String = (0..100)
            .map(|i| format!("    .a{i} = {{ big }}\n"))
            .collect();
        let attributes = format!("big = {}\nmany = x\n{many}", "y".repeat(1_000));
        assert!(
            matches!(refused(&attributes).as_slice(), [(id, Unbounded::TooLong(_))] if id == "many"),
            "{attributes}"
        );
    }

    #[test]
    fn deep_chains_cycles_and_numbers_are_refused() {
        let mut deep = "m0 = x\n".to_string();
        for i in 1..=2_000 {
            deep.push_str(&format!("m{i} = {{ m{} }}\n", i - 1));
        }
        let found = refused(&deep);
        assert!(
            found.contains(&("m2000".to_string(), Unbounded::TooDeep)),
            "{found:?}"
        );
        assert!(!found.iter().any(|(id, _)| id == "m10"), "{found:?}");
        let cycle = "a = { b }\nb = { a }\nc = { b }\nd = fine\n";
        let found = refused(cycle);
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(found.iter().all(|(_, why)| *why == Unbounded::Cyclic));
        let zeros = "n = { NUMBER($months, minimumFractionDigits: 1000000000000) }\n";
        assert!(
            matches!(refused(zeros).as_slice(), [(_, Unbounded::Number(why))] if why.contains("minimumFractionDigits"))
        );
        let digits = format!("p = {{ 1.{} ->\n   *[other] x\n}}\n", "0".repeat(25));
        assert!(matches!(
            refused(&digits).as_slice(),
            [(_, Unbounded::Number(_))]
        ));
        let via_term = "-t = { NUMBER(1, minimumFractionDigits: 99) }\nq = { -t }\n";
        assert!(matches!(refused(via_term).as_slice(), [(id, Unbounded::Number(_))] if id == "q"));
    }
}
