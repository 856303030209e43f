//! Every text a campaign will send: one entry per (send, segment, locale, channel, variant),
//! with the locale the words actually come from. Validation checks each one; `herald preview`
//! prints them; approvers and the web interface will look at the same list.

use serde::Serialize;

use super::limits::{measure, platform_limit};
use super::renderer::{RenderError, Renderer};
use super::tracking::{LinkDimensions, tracking_token, tracking_url};
use crate::campaign::model::{Campaign, Message, Segment, Send};
use crate::campaign::{ContentHash, Locale};
use crate::channel::{ChannelRef, Platform};
use crate::l10n::{Catalog, Translation};
use crate::sms::{SmsSegments, count_segments};

/// One (send, segment, locale, channel, variant) with the translation its words come from.
pub struct Combination<'c> {
    pub send: &'c Send,
    pub message: &'c Message,
    pub segment: &'c Segment,
    /// The audience's locale.
    pub locale: &'c Locale,
    pub variant: Option<&'c str>,
    pub fluent_id: String,
    /// The translation used: the locale's own, or the segment's fallback.
    pub translation: &'c Translation,
    pub channel: &'c ChannelRef,
}

impl Combination<'_> {
    /// What this combination's link points at and counts towards.
    pub fn link_dimensions<'a>(&'a self, campaign: &'a Campaign) -> LinkDimensions<'a> {
        LinkDimensions {
            campaign: &campaign.id,
            send: &self.send.id,
            variant: self.variant,
            locale: self.locale,
            channel: self.channel,
        }
    }

    /// The tracking link `version` (the content hash of the version these texts belong to)
    /// puts in this combination's text.
    pub fn tracking_url(
        &self,
        version: &ContentHash,
        campaign: &Campaign,
        public_url: &str,
    ) -> String {
        let token = tracking_token(version, self.link_dimensions(campaign));
        tracking_url(public_url, &token)
    }
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

/// Every combination the filter keeps that has a translation to send (gaps are validation's
/// business and reported there).
pub fn combinations<'c>(
    campaign: &'c Campaign,
    catalog: &'c Catalog,
    filter: &PreviewFilter,
) -> Vec<Combination<'c>> {
    let mut out = Vec::new();
    for send in campaign.sends.iter().filter(|s| keep(&filter.send, &s.id)) {
        let Some(message) = campaign.message(&send.message) else {
            continue;
        };
        let segments = send.segments.iter().filter(|s| keep(&filter.segment, s));
        for segment in segments.filter_map(|id| campaign.segment(id)) {
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
                        let Some(translation) = catalog
                            .source_locale(&fluent_id, &locale.value, fallback)
                            .and_then(|source| catalog.translation(source))
                        else {
                            continue;
                        };
                        out.push(Combination {
                            send,
                            message,
                            segment,
                            locale: &locale.value,
                            variant,
                            fluent_id,
                            translation,
                            channel: &channel.value,
                        });
                    }
                }
            }
        }
    }
    out
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PreviewItem {
    pub send: String,
    pub segment: String,
    pub locale: String,
    /// The locale of the words (differs from `locale` when a fallback is used).
    pub source_locale: String,
    /// `ltr` or `rtl`.
    #[schema(value_type = String)]
    pub direction: &'static str,
    pub channel: String,
    pub variant: Option<String>,
    pub message: String,
    pub text: String,
    pub length: usize,
    pub limit: Option<usize>,
    /// SMS only: the parts the text costs, and the encoding it goes in.
    pub sms_segments: Option<SmsSegments>,
}

/// Renders the selected part of the matrix, with the links of `version` (the content hash of
/// the version these texts belong to). Each distinct text is rendered once.
pub fn preview_items(
    version: &ContentHash,
    campaign: &Campaign,
    catalog: &Catalog,
    public_url: &str,
    renderer: &mut Renderer<'_>,
    filter: &PreviewFilter,
) -> Vec<PreviewItem> {
    let mut items = Vec::new();
    for combo in combinations(campaign, catalog, filter) {
        let platform = combo.channel.platform;
        let rendered = match renderer.render(
            campaign,
            combo.message,
            &combo.fluent_id,
            combo.translation,
            platform,
        ) {
            Ok(rendered) => rendered,
            Err(RenderError::MissingMessage | RenderError::Layout(_)) => continue,
        };
        let text = rendered.with_link(&combo.tracking_url(version, campaign, public_url));
        let source = &combo.translation.locale;
        items.push(PreviewItem {
            send: combo.send.id.clone(),
            segment: combo.segment.id.clone(),
            locale: combo.locale.to_string(),
            source_locale: source.to_string(),
            direction: source.direction(),
            channel: combo.channel.to_string(),
            variant: combo.variant.map(str::to_string),
            message: combo.fluent_id.clone(),
            length: measure(platform, &text),
            limit: platform_limit(platform),
            sms_segments: (platform == Platform::Sms).then(|| count_segments(&text)),
            text,
        });
    }
    items
}
