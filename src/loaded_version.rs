//! A stored version made ready to send: its campaign, translations and layouts rebuilt from the
//! version's own canonical bundle (never from files that may have changed since approval), and
//! every text rendered once per (message variant, locale, platform).
//!
//! It sits below both the dispatcher, which sends the texts, and the click redirector, which
//! reads the links of approved versions, so neither has to import the other.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::bounded_work::{WorkRefused, off_the_runtime};
use crate::campaign::diagnostic::{Diagnostic, Diagnostics, Severity, SourceFile};
use crate::campaign::model::Campaign;
use crate::campaign::parse::parse_campaign;
use crate::campaign::{ContentHash, Locale, LocaleError, PreparedText, VersionBundle};
use crate::channel::Platform;
use crate::config::Config;
use crate::l10n::Catalog;
use crate::render::{
    Layouts, LinkDimensions, RenderError, Rendered, render_uncached, tracking_token, tracking_url,
};

/// Why a stored version cannot be made ready to send.
#[derive(Debug, thiserror::Error)]
pub enum VersionLoadError {
    /// Its campaign or one of its layouts is refused by this herald: the first problem found
    /// (none is named when the campaign failed without a diagnostic).
    #[error(
        "version {} no longer loads: {}",
        .hash.short(),
        .first.as_ref().map(ToString::to_string).unwrap_or_default()
    )]
    NoLongerLoads {
        hash: ContentHash,
        first: Option<Diagnostic>,
    },
    /// One of its translations is filed under a tag that is not a valid locale.
    #[error("version {}: {source}", .hash.short())]
    Locale {
        hash: ContentHash,
        source: LocaleError,
    },
    /// The blocking pool did not run the load.
    #[error(transparent)]
    Refused(#[from] WorkRefused),
}

/// Why a loaded version has no text for a job: the job names something the version does not
/// have, or the text cannot be rendered.
#[derive(Debug, thiserror::Error)]
pub enum PrepareError {
    #[error("no send `{0}`")]
    NoSend(String),
    #[error("no message `{0}`")]
    NoMessage(String),
    #[error("no segment `{0}`")]
    NoSegment(String),
    #[error("segment `{segment}` has no locale `{locale}`")]
    NoLocale { segment: String, locale: String },
    #[error("message `{message}` has no variant {index}")]
    NoVariant { message: String, index: usize },
    #[error("no translation of `{fluent_id}` for `{locale}`")]
    NoTranslation { fluent_id: String, locale: String },
    #[error("no `{0}` translation")]
    NoCatalogEntry(Locale),
    #[error("`{fluent_id}` is missing in `{locale}`")]
    MissingMessage { fluent_id: String, locale: Locale },
    /// The layout failed (strict mode, a bad helper, ...).
    #[error("{0}")]
    Layout(Diagnostic),
}

/// (send, segment, locale, channel, variant index).
type PreparedKey = (String, String, String, String, usize);

pub struct LoadedVersion {
    pub hash: ContentHash,
    pub campaign: Campaign,
    pub catalog: Catalog,
    pub layouts: Layouts,
    rendered: Mutex<HashMap<(String, Locale, Platform), Arc<Rendered>>>,
    /// Final texts by (send, segment, locale, channel, variant index): what every job of that
    /// combination sends, tracking link included.
    prepared: Mutex<HashMap<PreparedKey, Arc<PreparedText>>>,
}

impl LoadedVersion {
    pub fn from_bundle(
        hash: ContentHash,
        bundle: &VersionBundle,
        config: &Config,
    ) -> Result<LoadedVersion, VersionLoadError> {
        let mut diags = Diagnostics::default();
        let file = SourceFile::new(
            format!("campaigns/{}.toml", bundle.campaign_id),
            bundle.campaign.clone(),
        );
        let campaign = parse_campaign(
            file,
            Some(&bundle.campaign_id),
            config,
            "the configuration",
            &mut diags,
        );
        let Some(campaign) = campaign else {
            let first = diags.into_sorted().into_iter().next();
            return Err(VersionLoadError::NoLongerLoads { hash, first });
        };
        let mut files = Vec::new();
        for (tag, text) in &bundle.translations {
            let locale = Locale::parse(tag).map_err(|source| VersionLoadError::Locale {
                hash: hash.clone(),
                source,
            })?;
            let path = format!("locales/{tag}/{}.ftl", bundle.campaign_id);
            files.push((locale, SourceFile::new(path, text.clone())));
        }
        let catalog = Catalog::from_sources(&campaign, files, &mut diags);
        let overrides = bundle
            .layouts
            .iter()
            .filter_map(|(name, text)| {
                Platform::from_name(name).map(|p| {
                    (
                        p,
                        SourceFile::new(format!("campaigns/layouts/{name}.hbs"), text.clone()),
                    )
                })
            })
            .collect();
        let mut layout_problems = Diagnostics::default();
        let layouts = Layouts::with_overrides(overrides, &mut layout_problems);
        // A layout refused now (one stored before its bounds existed) would otherwise be
        // replaced by the built-in one: never send anything but what was approved.
        if let Some(first) = layout_problems
            .into_sorted()
            .into_iter()
            .find(|d| d.severity == Severity::Error)
        {
            return Err(VersionLoadError::NoLongerLoads {
                hash,
                first: Some(first),
            });
        }
        Ok(LoadedVersion {
            hash,
            campaign,
            catalog,
            layouts,
            rendered: Mutex::new(HashMap::new()),
            prepared: Mutex::new(HashMap::new()),
        })
    }

    /// [`LoadedVersion::from_bundle`] on the blocking pool: parsing and compiling a version's
    /// translations and layouts must not stall the async threads that send, count clicks and
    /// answer partners. Never refused for being busy (unlike uploads), since a refusal here
    /// would fail a job: the version's size was bounded when it was uploaded.
    pub async fn load_off_the_runtime(
        hash: ContentHash,
        bundle: VersionBundle,
        config: Arc<Config>,
    ) -> Result<LoadedVersion, VersionLoadError> {
        off_the_runtime(move || LoadedVersion::from_bundle(hash, &bundle, &config)).await?
    }

    /// The text one job sends: its variant (chosen from the job's key, so A and B alternate
    /// evenly across jobs and a retry keeps its variant), in the segment's locale or allowed
    /// fallback, with the tracking link for (send, variant, locale, channel).
    pub fn prepare(
        &self,
        send_id: &str,
        segment_id: &str,
        locale_tag: &str,
        channel: &crate::platforms::ChannelRef,
        job_key: &str,
        public_url: &str,
    ) -> Result<Arc<PreparedText>, PrepareError> {
        let variants = self
            .campaign
            .sends
            .iter()
            .find(|s| s.id == send_id)
            .and_then(|send| self.campaign.message(&send.message))
            .map(|m| m.fluent_ids().len())
            .unwrap_or(1)
            .max(1);
        let index = usize::from(job_key.bytes().fold(0u16, |acc, b| {
            acc.wrapping_mul(31).wrapping_add(u16::from(b))
        })) % variants;
        let key = (
            send_id.to_string(),
            segment_id.to_string(),
            locale_tag.to_string(),
            channel.to_string(),
            index,
        );
        if let Some(hit) = self
            .prepared
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&key)
        {
            return Ok(Arc::clone(hit));
        }
        let prepared = Arc::new(
            self.prepare_uncached(send_id, segment_id, locale_tag, channel, index, public_url)?,
        );
        self.prepared
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key, Arc::clone(&prepared));
        Ok(prepared)
    }

    fn prepare_uncached(
        &self,
        send_id: &str,
        segment_id: &str,
        locale_tag: &str,
        channel: &crate::platforms::ChannelRef,
        index: usize,
        public_url: &str,
    ) -> Result<PreparedText, PrepareError> {
        let campaign = &self.campaign;
        let send = campaign
            .sends
            .iter()
            .find(|s| s.id == send_id)
            .ok_or_else(|| PrepareError::NoSend(send_id.to_string()))?;
        let message = campaign
            .message(&send.message)
            .ok_or_else(|| PrepareError::NoMessage(send.message.clone()))?;
        let segment = campaign
            .segment(segment_id)
            .ok_or_else(|| PrepareError::NoSegment(segment_id.to_string()))?;
        let locale = segment
            .locales
            .iter()
            .map(|l| &l.value)
            .find(|l| l.as_str() == locale_tag)
            .ok_or_else(|| PrepareError::NoLocale {
                segment: segment_id.to_string(),
                locale: locale_tag.to_string(),
            })?;
        let ids = message.fluent_ids();
        let (variant, fluent_id) = ids.get(index).ok_or_else(|| PrepareError::NoVariant {
            message: message.id.value.clone(),
            index,
        })?;
        let source = self
            .catalog
            .source_locale(fluent_id, locale, segment.fallback.iter().map(|f| &f.value))
            .ok_or_else(|| PrepareError::NoTranslation {
                fluent_id: fluent_id.clone(),
                locale: locale_tag.to_string(),
            })?;
        let translation = self
            .catalog
            .translation(source)
            .ok_or_else(|| PrepareError::NoCatalogEntry(source.clone()))?;
        let key = (fluent_id.clone(), source.clone(), channel.platform);
        let cached = self
            .rendered
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&key)
            .cloned();
        let rendered = match cached {
            Some(rendered) => rendered,
            None => {
                let rendered = render_uncached(
                    &self.layouts,
                    campaign,
                    message,
                    fluent_id,
                    translation,
                    channel.platform,
                )
                .map_err(|e| match e {
                    RenderError::MissingMessage => PrepareError::MissingMessage {
                        fluent_id: fluent_id.clone(),
                        locale: source.clone(),
                    },
                    RenderError::Layout(d) => PrepareError::Layout(d),
                })?;
                let rendered = Arc::new(rendered);
                self.rendered
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(key, Arc::clone(&rendered));
                rendered
            }
        };
        // This version's own token: the link leads where this version says, whatever is
        // uploaded later.
        let token = tracking_token(
            &self.hash,
            LinkDimensions {
                campaign: &campaign.id,
                send: send_id,
                variant: *variant,
                locale,
                channel,
            },
        );
        Ok(PreparedText {
            text: rendered.with_link(&tracking_url(public_url, &token)),
            message_id: message.id.value.clone(),
            fluent_id: fluent_id.clone(),
            variant: variant.map(str::to_string),
            source_locale: source.clone(),
        })
    }
}

/// Loaded versions by hash, shared by a worker's tasks.
#[derive(Default)]
pub struct VersionCache {
    versions: Mutex<HashMap<ContentHash, Arc<LoadedVersion>>>,
}

impl VersionCache {
    pub fn get(&self, hash: &ContentHash) -> Option<Arc<LoadedVersion>> {
        self.versions
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(hash)
            .cloned()
    }

    pub fn insert(&self, version: LoadedVersion) -> Arc<LoadedVersion> {
        let version = Arc::new(version);
        self.versions
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(version.hash.clone(), Arc::clone(&version));
        version
    }

    /// The version from the cache, or loaded off the runtime and kept.
    pub async fn get_or_load(
        &self,
        hash: &ContentHash,
        bundle: &VersionBundle,
        config: &Arc<Config>,
    ) -> Result<Arc<LoadedVersion>, VersionLoadError> {
        if let Some(version) = self.get(hash) {
            return Ok(version);
        }
        let loaded =
            LoadedVersion::load_off_the_runtime(hash.clone(), bundle.clone(), Arc::clone(config))
                .await?;
        Ok(self.insert(loaded))
    }
}
