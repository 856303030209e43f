//! A campaign project as authors keep it: loading `campaigns/`, `locales/`, the layouts and
//! `herald.toml`, running every check at once (the campaign model, the translations, the
//! layouts, each rendered text against its platform's limit), and making a version's bundle
//! from what was loaded. It sits above the campaign model, localisation, rendering and the
//! configuration, and uses all four, so none of them needs another.

mod bundle;
mod loading;
mod sms_checks;
mod starter;

pub use loading::{
    DEFAULT_CONFIG, LoadedCampaign, MAX_TEXTS, Project, Target, load_project,
    load_project_with_config,
};
pub use starter::{InitError, StarterFile, starter_files, write_starter};
