//! Every text a campaign will send: one entry per (send, segment, locale, channel, variant),
//! with the locale the words actually come from. `herald preview` prints from it; the same
//! list is what the web interface and approvers will look at.

use serde::Serialize;

use super::limits::{measure, platform_limit};
use super::renderer::{RenderError, Renderer};
use super::tracking::{tracking_token, tracking_url};
use crate::campaign::LoadedCampaign;
use crate::config::Config;

#[derive(Debug, Clone, Serialize)]
pub struct PreviewItem {
    pub send: String,
    pub segment: String,
    pub locale: String,
    /// The locale of the words (differs from `locale` when a fallback is used).
    pub source_locale: String,
    pub direction: &'static str,
    pub channel: String,
    pub variant: Option<String>,
    pub message: String,
    pub text: String,
    pub length: usize,
    pub limit: Option<usize>,
}

/// Narrows the matrix; `None` means every value.
#[derive(Debug, Clone, Default)]
pub struct PreviewFilter {
    pub send: Option<String>,
    pub segment: Option<String>,
    pub locale: Option<String>,
    pub channel: Option<String>,
    pub variant: Option<String>,
}

fn keep(filter: &Option<String>, value: &str) -> bool {
    filter.as_deref().is_none_or(|f| f == value)
}

/// Renders the selected part of the matrix. Each distinct text is rendered once.
pub fn preview_items(
    loaded: &LoadedCampaign,
    config: &Config,
    renderer: &mut Renderer<'_>,
    filter: &PreviewFilter,
) -> Vec<PreviewItem> {
    let campaign = &loaded.campaign;
    let mut items = Vec::new();
    for send in campaign.sends.iter().filter(|s| keep(&filter.send, &s.id)) {
        let Some(message) = campaign.message(&send.message) else {
            continue;
        };
        for segment in send
            .segments
            .iter()
            .filter(|s| keep(&filter.segment, s))
            .filter_map(|id| campaign.segment(id))
        {
            for locale in segment
                .locales
                .iter()
                .filter(|l| keep(&filter.locale, l.value.as_str()))
            {
                for channel in send
                    .channels
                    .iter()
                    .filter(|c| keep(&filter.channel, &c.value.to_string()))
                {
                    for (variant, fluent_id) in message.fluent_ids() {
                        if filter.variant.is_some() && variant != filter.variant.as_deref() {
                            continue;
                        }
                        let fallback = segment.fallback.iter().map(|f| &f.value);
                        let Some(source) =
                            loaded
                                .catalog
                                .source_locale(&fluent_id, &locale.value, fallback)
                        else {
                            continue;
                        };
                        let Some(translation) = loaded.catalog.translation(source) else {
                            continue;
                        };
                        let platform = channel.value.platform;
                        let rendered = match renderer.render(
                            campaign,
                            message,
                            &fluent_id,
                            translation,
                            platform,
                        ) {
                            Ok(rendered) => rendered,
                            Err(RenderError::MissingMessage | RenderError::Layout(_)) => continue,
                        };
                        let token = tracking_token(
                            &campaign.id,
                            &send.id,
                            variant,
                            &locale.value,
                            &channel.value,
                        );
                        let text = rendered.with_link(&tracking_url(&config.public_url, &token));
                        items.push(PreviewItem {
                            send: send.id.clone(),
                            segment: segment.id.clone(),
                            locale: locale.value.to_string(),
                            source_locale: source.to_string(),
                            direction: source.direction(),
                            channel: channel.value.to_string(),
                            variant: variant.map(str::to_string),
                            message: fluent_id.clone(),
                            length: measure(platform, &text),
                            limit: platform_limit(platform),
                            text,
                        });
                    }
                }
            }
        }
    }
    items
}
