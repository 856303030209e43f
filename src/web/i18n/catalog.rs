//! The interface's Fluent bundles, built once from the files compiled into the binary: two per
//! language, because Fluent's bidi isolation marks (U+2068 … U+2069 around each placeable) belong
//! in right-to-left running text, where they keep a Latin campaign id or number from
//! reordering the sentence, but not in attribute values (a placeholder, a label read by a
//! screen reader), where they are invisible characters in what a browser fills in or reads
//! out. Templates choose with `t` (text) or `ta` (attribute); nothing from Fluent is ever
//! put in an `id`, `href`, `name` or `value`.

use std::sync::{Arc, OnceLock};

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};

use super::language::UiLanguage;

/// Where a formatted text goes in the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// Element content: placeables isolated in right-to-left languages.
    Text,
    /// An attribute value or the page title: never isolated.
    Attribute,
}

struct Bundles {
    text: FluentBundle<Arc<FluentResource>>,
    attribute: FluentBundle<Arc<FluentResource>>,
}

fn bundle(
    language: UiLanguage,
    resource: &Arc<FluentResource>,
    isolate: bool,
) -> FluentBundle<Arc<FluentResource>> {
    let file = language.file();
    let id = file
        .tag
        .parse()
        .unwrap_or_else(|_| unic_langid::LanguageIdentifier::default());
    let mut bundle = FluentBundle::new_concurrent(vec![id]);
    bundle.set_use_isolating(isolate && language.is_right_to_left());
    bundle.set_formatter(Some(file.numbers.formatter()));
    // The files are checked by the catalog's tests; a duplicate keeps its first definition.
    let _ = bundle.add_resource(Arc::clone(resource));
    let _ = bundle.add_builtins();
    bundle
}

fn resource(language: UiLanguage) -> FluentResource {
    match FluentResource::try_new(language.file().source.to_string()) {
        Ok(resource) => resource,
        Err((resource, errors)) => {
            tracing::error!(
                language = language.tag(),
                ?errors,
                "the interface's own translation has syntax errors"
            );
            resource
        }
    }
}

fn catalog() -> &'static [Bundles] {
    static CATALOG: OnceLock<Vec<Bundles>> = OnceLock::new();
    CATALOG.get_or_init(|| {
        UiLanguage::all()
            .map(|language| {
                let resource = Arc::new(resource(language));
                Bundles {
                    text: bundle(language, &resource, true),
                    attribute: bundle(language, &resource, false),
                }
            })
            .collect()
    })
}

/// Message `id` in `language`, formatted with `args` for `place` (not HTML-escaped: the
/// caller escapes). A message the language lacks comes from English; one English lacks is
/// shown as its id, and logged.
pub fn format(language: UiLanguage, id: &str, args: &FluentArgs<'_>, place: Place) -> String {
    for language in [language, UiLanguage::ENGLISH] {
        let bundles = &catalog()[language.index()];
        let bundle = match place {
            Place::Text => &bundles.text,
            Place::Attribute => &bundles.attribute,
        };
        let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
            continue;
        };
        let mut errors = Vec::new();
        let text = bundle.format_pattern(pattern, Some(args), &mut errors);
        if !errors.is_empty() {
            tracing::warn!(
                id,
                language = language.tag(),
                ?errors,
                "an interface text lacks an argument"
            );
        }
        return text.into_owned();
    }
    tracing::error!(id, "the interface has no text with this id");
    id.to_string()
}
