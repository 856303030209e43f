//! A campaign project on disk: `campaigns/*.toml`, `locales/<locale>/<id>.ftl`,
//! `campaigns/layouts/*.hbs` and the service configuration. Loading it runs every check, from
//! TOML keys to rendered lengths, and returns the problems all together.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::campaign::diagnostic::SourceFile;
use crate::campaign::diagnostic::{Diagnostics, Severity};
use crate::campaign::model::Campaign;
use crate::campaign::parse::parse_campaign;
use crate::campaign::version::{ContentHash, VersionBundle};
use crate::config::Config;
use crate::l10n::{Catalog, CompletenessMatrix};
use crate::render::{
    Layouts, MAX_RENDERED_BYTES, PreviewFilter, RenderError, Renderer, combinations, measure,
    platform_limit,
};

/// The default configuration file, looked for in the working directory, then the project.
pub const DEFAULT_CONFIG: &str = "herald.toml";

pub struct Project {
    pub root: PathBuf,
    pub config: Config,
    /// The configuration file's name as shown in messages.
    pub config_name: String,
    pub layouts: Layouts,
    pub campaigns: Vec<LoadedCampaign>,
}

/// A campaign with its translations, ready to render.
pub struct LoadedCampaign {
    pub campaign: Campaign,
    pub catalog: Catalog,
    pub completeness: CompletenessMatrix,
}

/// What to load: a project folder (all campaigns) or one campaign file.
#[derive(Debug, Clone)]
pub enum Target {
    Folder(PathBuf),
    File(PathBuf),
}

impl Target {
    /// A path given on the command line: a `.toml` file, a project folder or its `campaigns/`.
    pub fn from_path(path: &Path) -> Target {
        if path.is_file() || path.extension().is_some_and(|e| e == "toml") {
            Target::File(path.to_path_buf())
        } else {
            Target::Folder(path.to_path_buf())
        }
    }

    /// A campaign named by id (`avr-nl-2027`) in the project at `root`, or by its file path.
    pub fn campaign(root: &Path, name: &str) -> Target {
        let as_path = Path::new(name);
        if name.ends_with(".toml") || as_path.components().count() > 1 {
            Target::File(as_path.to_path_buf())
        } else {
            Target::File(root.join("campaigns").join(format!("{name}.toml")))
        }
    }

    fn root(&self) -> PathBuf {
        match self {
            Target::Folder(folder) => {
                if folder.file_name().is_some_and(|n| n == "campaigns")
                    && !folder.join("campaigns").is_dir()
                {
                    folder
                        .parent()
                        .map(Path::to_path_buf)
                        .unwrap_or_else(|| PathBuf::from("."))
                } else {
                    folder.clone()
                }
            }
            Target::File(file) => {
                let parent = file
                    .parent()
                    .filter(|p| !p.as_os_str().is_empty())
                    .unwrap_or(Path::new("."));
                if parent.file_name().is_some_and(|n| n == "campaigns") {
                    parent
                        .parent()
                        .filter(|p| !p.as_os_str().is_empty())
                        .unwrap_or(Path::new("."))
                        .to_path_buf()
                } else {
                    parent.to_path_buf()
                }
            }
        }
    }
}

/// Loads and checks everything the target covers.
pub fn load_project(target: &Target, config_path: Option<&Path>) -> (Project, Diagnostics) {
    let mut diags = Diagnostics::default();
    let root = target.root();
    // `./campaigns/x.toml` reads worse than `campaigns/x.toml` in every diagnostic.
    let root = if root == Path::new(".") {
        PathBuf::new()
    } else {
        root
    };
    let (config, config_name) = load_config(&root, config_path, &mut diags);
    load_with_config(target, root, config, config_name, diags)
}

/// Loads and checks with a configuration already in hand (the server's, for uploads).
pub fn load_project_with_config(
    target: &Target,
    config: Config,
    config_name: &str,
) -> (Project, Diagnostics) {
    let root = target.root();
    load_with_config(
        target,
        root,
        config,
        config_name.to_string(),
        Diagnostics::default(),
    )
}

fn load_with_config(
    target: &Target,
    root: PathBuf,
    config: Config,
    config_name: String,
    mut diags: Diagnostics,
) -> (Project, Diagnostics) {
    let layouts = Layouts::load(&root.join("campaigns").join("layouts"), &mut diags);
    let files = campaign_files(target, &root, &mut diags);
    let mut campaigns = Vec::with_capacity(files.len());
    for path in files {
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(error) => {
                diags.file_error(&path, format!("cannot read campaign: {error}"));
                continue;
            }
        };
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .map(str::to_string);
        let Some(campaign) = parse_campaign(
            SourceFile::new(path, text),
            stem.as_deref(),
            &config,
            &config_name,
            &mut diags,
        ) else {
            continue;
        };
        let catalog = Catalog::load(&root, &campaign, &mut diags);
        check_campaign(&root, &campaign, &catalog, &mut diags);
        let completeness = CompletenessMatrix::build(&campaign, &catalog, &root, &mut diags);
        campaigns.push(LoadedCampaign {
            campaign,
            catalog,
            completeness,
        });
    }
    let project = Project {
        root,
        config,
        config_name,
        layouts,
        campaigns,
    };
    // Texts are measured with the links they will carry, which name the version these
    // files make.
    for loaded in &project.campaigns {
        let version = VersionBundle::from_loaded(&project, loaded).content_hash();
        check_rendering(&version, loaded, &project, &mut diags);
    }
    (project, diags)
}

fn load_config(root: &Path, explicit: Option<&Path>, diags: &mut Diagnostics) -> (Config, String) {
    let candidates = [PathBuf::from(DEFAULT_CONFIG), root.join(DEFAULT_CONFIG)];
    let path = match explicit {
        Some(path) => Some(path.to_path_buf()),
        None => candidates.into_iter().find(|p| p.is_file()),
    };
    match path {
        Some(path) => (Config::load(&path, diags), path.display().to_string()),
        None => (
            Config::default(),
            format!("the configuration (no {DEFAULT_CONFIG} found; pass --config)"),
        ),
    }
}

fn campaign_files(target: &Target, root: &Path, diags: &mut Diagnostics) -> Vec<PathBuf> {
    match target {
        Target::File(file) => {
            if file.is_file() {
                vec![file.clone()]
            } else {
                diags.file_error(file, "no such campaign file");
                Vec::new()
            }
        }
        Target::Folder(_) => {
            let dir = root.join("campaigns");
            let Ok(entries) = std::fs::read_dir(&dir) else {
                diags.file_error(
                    &dir,
                    "no campaigns folder here: expected campaigns/<id>.toml files",
                );
                return Vec::new();
            };
            let mut files: Vec<PathBuf> = entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "toml"))
                .collect();
            files.sort();
            if files.is_empty() {
                diags.file_error(
                    &dir,
                    "no campaign files (campaigns/<id>.toml) in this folder",
                );
            }
            files
        }
    }
}

/// Checks that need the translations: references inside messages, drafts, unused files.
fn check_campaign(root: &Path, campaign: &Campaign, catalog: &Catalog, diags: &mut Diagnostics) {
    for message in &campaign.messages {
        for (_, fluent_id) in message.fluent_ids() {
            for translation in catalog.translations() {
                translation.check_references(&fluent_id, message, diags);
            }
        }
    }
    for translation in catalog.translations().filter(|t| t.draft) {
        let line = translation
            .file
            .text
            .lines()
            .position(|l| l.starts_with("###") && l.to_ascii_lowercase().contains("draft"))
            .unwrap_or(0);
        let start = translation.file.line_start(line + 1);
        diags.push(translation.file.diagnostic(
            start..start,
            Severity::Warning,
            format!(
                "`{}` translation is marked as a draft: have it reviewed before approval",
                translation.locale
            ),
        ));
    }
    // Translation files for locales that no segment sends in or falls back to.
    let used = campaign.locales();
    if let Ok(entries) = std::fs::read_dir(root.join("locales")) {
        for entry in entries.flatten() {
            let Some(tag) = entry.file_name().to_str().map(str::to_string) else {
                continue;
            };
            let path = entry.path().join(format!("{}.ftl", campaign.id));
            if path.is_file() && !used.iter().any(|l| l.as_str() == tag) {
                diags.push(crate::campaign::diagnostic::Diagnostic {
                    path,
                    line: 1,
                    column: 1,
                    severity: Severity::Warning,
                    message: format!(
                        "no segment of `{}` sends in `{tag}`: this translation is never used",
                        campaign.id
                    ),
                });
            }
        }
    }
}

/// The most texts (send × segment × locale × channel × variant) one campaign may send. Each is
/// rendered or taken from the cache, and measured, whenever the campaign is checked; a
/// campaign far past this would hold a validation slot for minutes, and the list of its texts
/// alone could fill memory.
pub const MAX_TEXTS: usize = 20_000;

/// How many texts the campaign sends, counted without listing them.
fn text_count(campaign: &Campaign) -> usize {
    let locales: HashMap<&str, usize> = campaign
        .segments
        .iter()
        .map(|s| (s.id.as_str(), s.locales.len()))
        .collect();
    campaign
        .sends
        .iter()
        .map(|send| {
            let variants = campaign
                .message(&send.message)
                .map_or(0, |m| m.fluent_ids().len());
            let audiences: usize = send
                .segments
                .iter()
                .filter_map(|id| locales.get(id.as_str()))
                .sum();
            audiences
                .saturating_mul(send.channels.len())
                .saturating_mul(variants)
        })
        .fold(0, usize::saturating_add)
}

/// Renders every combination that will be sent and checks layouts and platform limits.
fn check_rendering(
    version: &ContentHash,
    loaded: &LoadedCampaign,
    project: &Project,
    diags: &mut Diagnostics,
) {
    let (campaign, catalog) = (&loaded.campaign, &loaded.catalog);
    let config = &project.config;
    let texts = text_count(campaign);
    if texts > MAX_TEXTS {
        diags.error(
            &campaign.file,
            0..0,
            format!(
                "the campaign sends {texts} distinct texts (send × segment × locale × channel × variant); at most {MAX_TEXTS} are checked and sent, so split it into several campaigns"
            ),
        );
        return;
    }
    super::sms_checks::check_senders(campaign, config, diags);
    let mut renderer = Renderer::new(&project.layouts);
    for combo in combinations(campaign, catalog, &PreviewFilter::default()) {
        let platform = combo.channel.platform;
        let rendered = match renderer.render(
            campaign,
            combo.message,
            &combo.fluent_id,
            combo.translation,
            platform,
        ) {
            Ok(rendered) => rendered,
            Err(RenderError::Layout(diagnostic)) => {
                diags.push(diagnostic);
                continue;
            }
            Err(RenderError::MissingMessage) => continue,
        };
        let text = rendered.with_link(&combo.tracking_url(version, campaign, &config.public_url));
        if text.len() > MAX_RENDERED_BYTES {
            let translation = combo.translation;
            let start = translation
                .message_span(&combo.fluent_id)
                .map_or(0, |span| span.start);
            diags.error(
                &translation.file,
                start..start,
                format!(
                    "message `{}` renders to {} bytes on {platform}; no platform is sent more than {MAX_RENDERED_BYTES} bytes (send `{}` on `{}`)",
                    combo.fluent_id,
                    text.len(),
                    combo.send.id,
                    combo.channel
                ),
            );
            continue;
        }
        if platform == crate::channel::Platform::Sms {
            super::sms_checks::check_segments(&combo, &text, config, diags);
        }
        let account_limit = config.accounts.get(combo.channel).and_then(|a| a.max_chars);
        let limit = match (platform_limit(platform), account_limit) {
            (Some(p), Some(a)) => Some(p.min(a)),
            (p, a) => p.or(a),
        };
        let Some(limit) = limit else { continue };
        let length = measure(platform, &text);
        if length > limit {
            let translation = combo.translation;
            let span = translation
                .message_span(&combo.fluent_id)
                .map(|s| s.start..s.start)
                .unwrap_or(0..0);
            diags.error(
                &translation.file,
                span,
                format!(
                    "message `{}` renders to {length} characters on {platform} (limit {limit}{}) for send `{}` on `{}`",
                    combo.fluent_id,
                    if account_limit.is_some() { ", set for this account" } else { "" },
                    combo.send.id,
                    combo.channel
                ),
            );
        }
    }
}
