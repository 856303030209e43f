//! A loaded project's campaign as the canonical bundle a version is made of: its campaign
//! file, every translation, the layout of every platform it sends to (the project's own file or
//! the built-in one) and the channels it names. Here, not beside the bundle's type, because
//! making it needs the loaded project with its layouts.

use crate::campaign::VersionBundle;
use crate::campaign::version::{CANONICAL_FORMAT, normalise};
use crate::channel::Platform;
use crate::render::LayoutSource;

use super::{LoadedCampaign, Project};

impl VersionBundle {
    pub fn from_loaded(project: &Project, loaded: &LoadedCampaign) -> VersionBundle {
        let campaign = &loaded.campaign;
        let translations = loaded
            .catalog
            .translations()
            .map(|t| (t.locale.to_string(), normalise(&t.file.text)))
            .collect();
        let mut platforms: Vec<Platform> = campaign
            .sends
            .iter()
            .flat_map(|s| s.channels.iter().map(|c| c.value.platform))
            .collect();
        platforms.sort();
        platforms.dedup();
        let layouts = platforms
            .into_iter()
            .map(|platform| {
                let text = match project.layouts.source(platform) {
                    LayoutSource::File(file) => normalise(&file.text),
                    LayoutSource::BuiltIn => project.layouts.built_in_text(platform).to_string(),
                };
                (platform.name().to_string(), text)
            })
            .collect();
        let mut channels: Vec<String> = campaign
            .sends
            .iter()
            .flat_map(|s| s.channels.iter().map(|c| c.value.to_string()))
            .collect();
        channels.sort();
        channels.dedup();
        VersionBundle {
            format: CANONICAL_FORMAT,
            campaign_id: campaign.id.clone(),
            campaign: normalise(&campaign.file.text),
            translations,
            layouts,
            channels,
        }
    }
}
