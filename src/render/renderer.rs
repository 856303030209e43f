//! Renders a message variant for a locale and platform once, and hands the same text to every
//! recipient. The tracking link differs per send and channel, so layouts see a placeholder that
//! is replaced at the very end, which keeps the expensive part (Fluent and the layout) shared.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::bidi::apply_direction;
use super::layout::Layouts;
use crate::campaign::diagnostic::Diagnostic;
use crate::campaign::locale::Locale;
use crate::campaign::model::{Campaign, Message};
use crate::channel::Platform;
use crate::l10n::FormattedMessage;
use crate::l10n::Translation;

/// Stands for the tracking link until a send's own link is known. Private-use characters,
/// which no translation contains and no escaping changes.
pub const LINK_PLACEHOLDER: &str = "\u{E000}link\u{E001}";

/// Names a layout may use that are not Fluent attributes.
const RESERVED: &[&str] = &["body", "link", "locale", "dir", "campaign"];

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RenderKey {
    pub fluent_id: String,
    /// The locale the words are in (after fallback).
    pub locale: Locale,
    pub platform: Platform,
}

/// A rendered text, shared by all recipients of the same key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    text: String,
}

impl Rendered {
    /// The final text with the send's tracking link in place.
    pub fn with_link(&self, url: &str) -> String {
        self.text.replace(LINK_PLACEHOLDER, url)
    }

    pub fn has_link(&self) -> bool {
        self.text.contains(LINK_PLACEHOLDER)
    }
}

#[derive(Debug, Clone)]
pub enum RenderError {
    /// The translation has no such message.
    MissingMessage,
    /// The layout failed (strict mode, bad helper, ...).
    Layout(Diagnostic),
}

/// Renders and caches by [`RenderKey`].
pub struct Renderer<'l> {
    layouts: &'l Layouts,
    cache: HashMap<RenderKey, Arc<Rendered>>,
    renders: usize,
}

impl<'l> Renderer<'l> {
    pub fn new(layouts: &'l Layouts) -> Self {
        Renderer {
            layouts,
            cache: HashMap::new(),
            renders: 0,
        }
    }

    /// How many times Fluent and a layout actually ran (cache misses).
    pub fn render_count(&self) -> usize {
        self.renders
    }

    pub fn render(
        &mut self,
        campaign: &Campaign,
        message: &Message,
        fluent_id: &str,
        translation: &Translation,
        platform: Platform,
    ) -> Result<Arc<Rendered>, RenderError> {
        let key = RenderKey {
            fluent_id: fluent_id.to_string(),
            locale: translation.locale.clone(),
            platform,
        };
        if let Some(hit) = self.cache.get(&key) {
            return Ok(Arc::clone(hit));
        }
        let rendered = Arc::new(render_uncached(
            self.layouts,
            campaign,
            message,
            fluent_id,
            translation,
            platform,
        )?);
        self.renders += 1;
        self.cache.insert(key, Arc::clone(&rendered));
        Ok(rendered)
    }
}

/// Fluent, then the layout, then the direction rule: the whole work for one key.
pub fn render_uncached(
    layouts: &Layouts,
    campaign: &Campaign,
    message: &Message,
    fluent_id: &str,
    translation: &Translation,
    platform: Platform,
) -> Result<Rendered, RenderError> {
    let args = crate::l10n::catalog_message_args(message);
    let (formatted, _) = translation.format(fluent_id, &args);
    let formatted = formatted.ok_or(RenderError::MissingMessage)?;
    let data = layout_data(campaign, message, &formatted, &translation.locale);
    let text = layouts
        .render(platform, &data)
        .map_err(RenderError::Layout)?;
    let text = text.trim_end().to_string();
    Ok(Rendered {
        text: apply_direction(&text, &translation.locale),
    })
}

fn layout_data(
    campaign: &Campaign,
    message: &Message,
    formatted: &FormattedMessage,
    locale: &Locale,
) -> Value {
    let mut data = Map::new();
    for (name, value) in &formatted.attributes {
        if !RESERVED.contains(&name.as_str()) {
            data.insert(name.clone(), Value::String(value.clone()));
        }
    }
    if let Some(body) = &formatted.value {
        data.insert("body".into(), Value::String(body.clone()));
    }
    if message.link.is_some() {
        data.insert("link".into(), Value::String(LINK_PLACEHOLDER.into()));
    }
    data.insert("locale".into(), Value::String(locale.to_string()));
    data.insert("dir".into(), Value::String(locale.direction().into()));
    data.insert(
        "campaign".into(),
        json!({"id": campaign.id, "title": campaign.title, "authority": campaign.authority}),
    );
    Value::Object(data)
}
