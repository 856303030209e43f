//! A text of the interface named by its message id, with its arguments, to be rendered in the
//! reader's language when the page is: page titles, error and confirmation messages are made
//! by handlers that should not care which language the page ends up in.

use fluent_bundle::{FluentArgs, FluentValue};

use super::catalog::{Place, format};
use super::language::UiLanguage;

/// A message id and its arguments.
#[derive(Debug, Clone, PartialEq)]
pub struct Phrase {
    pub id: &'static str,
    args: Vec<(&'static str, Argument)>,
}

#[derive(Debug, Clone, PartialEq)]
enum Argument {
    Text(String),
    Number(f64),
}

impl Phrase {
    pub fn new(id: &'static str) -> Phrase {
        Phrase {
            id,
            args: Vec::new(),
        }
    }

    /// The phrase with variable `name` set to a text (data: a campaign id, a user name).
    pub fn text(mut self, name: &'static str, value: impl Into<String>) -> Phrase {
        self.args.push((name, Argument::Text(value.into())));
        self
    }

    /// The phrase with variable `name` set to a number (written the reader's way, and
    /// choosing plural forms).
    pub fn number(mut self, name: &'static str, value: f64) -> Phrase {
        self.args.push((name, Argument::Number(value)));
        self
    }

    /// The phrase in `language`, for `place` (not HTML-escaped).
    pub fn render(&self, language: UiLanguage, place: Place) -> String {
        let mut args = FluentArgs::new();
        for (name, value) in &self.args {
            match value {
                Argument::Text(text) => args.set(*name, FluentValue::from(text.as_str())),
                Argument::Number(n) => args.set(*name, FluentValue::from(*n)),
            }
        }
        format(language, self.id, &args, place)
    }
}
