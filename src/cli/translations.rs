//! `herald translations export|import`: one locale's strings of a campaign in a project
//! folder, for authors and translators who keep the project in git. Export writes XLIFF 2.0 or
//! the Fluent files with the default locale as source; import checks a translator's file as
//! the API does (size first, then every string against its source, then the whole campaign
//! with the new file, lengths on every platform included) and only then replaces
//! `locales/<locale>/<campaign>.ftl`. Git records who changed what; herald's per-string records
//! are kept by the service's imports.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Subcommand, ValueEnum};

use crate::l10n::{MAX_TRANSLATION_BYTES, translation_path};
use crate::project::{LoadedCampaign, Project, Target, load_project};
use crate::translation::{
    ExchangeFormat, ImportRequest, LocaleStrings, MAX_XLIFF_BYTES, Selection, check_import,
    to_fluent, to_xliff,
};
use crate::whole_file::write_whole;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExchangeKind {
    Xliff,
    Fluent,
}

impl ExchangeKind {
    fn format(self) -> ExchangeFormat {
        match self {
            ExchangeKind::Xliff => ExchangeFormat::Xliff,
            ExchangeKind::Fluent => ExchangeFormat::Fluent,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum TranslationsCommand {
    /// Write one locale's strings with the default locale as source: an XLIFF 2.0 file, or
    /// the two Fluent files (the locale's with its missing strings commented out at the end).
    Export {
        /// Campaign id (looked up as campaigns/<id>.toml) or the campaign file's path.
        campaign: String,
        /// The locale to translate into, for example `ar`.
        #[arg(long)]
        locale: String,
        #[arg(long, value_enum, default_value_t = ExchangeKind::Xliff)]
        format: ExchangeKind,
        /// Only the strings the locale lacks (XLIFF only).
        #[arg(long)]
        missing: bool,
        /// XLIFF: the file to write (default: standard output). Fluent: a folder that gets
        /// `<locale>/<campaign>.ftl` for the source and the target (default: the target file
        /// on standard output).
        #[arg(long, value_name = "PATH")]
        out: Option<PathBuf>,
    },
    /// Check a translator's XLIFF or Fluent file and, when the campaign stays valid with it,
    /// make it the locale's file in locales/. Nothing is written when anything is refused.
    Import {
        campaign: String,
        #[arg(long)]
        locale: String,
        #[arg(long, value_enum, default_value_t = ExchangeKind::Xliff)]
        format: ExchangeKind,
        /// The translator's file.
        file: PathBuf,
    },
}

/// Why a command refused: said once, on standard error, before exiting 1.
#[derive(Debug)]
struct Refused(String);

impl From<String> for Refused {
    fn from(message: String) -> Refused {
        Refused(message)
    }
}

pub fn translations(command: &TranslationsCommand, config: Option<&Path>) -> ExitCode {
    let result = match command {
        TranslationsCommand::Export {
            campaign,
            locale,
            format,
            missing,
            out,
        } => export(campaign, locale, *format, *missing, out.as_deref(), config),
        TranslationsCommand::Import {
            campaign,
            locale,
            format,
            file,
        } => import(campaign, locale, *format, file, config),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Refused(message)) => {
            if !message.is_empty() {
                eprintln!("error: {message}");
            }
            ExitCode::FAILURE
        }
    }
}

/// The campaign as it stands in the project, errors or not (a translation in progress makes
/// the campaign incomplete), with its default locale's file and the locale's.
struct ProjectStrings {
    project: Project,
    strings: LocaleStrings,
    target_path: PathBuf,
}

fn project_strings(
    name: &str,
    locale: &str,
    config: Option<&Path>,
) -> Result<ProjectStrings, Refused> {
    let target = Target::campaign(Path::new("."), name);
    let (project, _) = load_project(&target, config);
    let Some(loaded) = project.campaigns.first() else {
        return Err(Refused(format!(
            "campaign `{name}` could not be read (herald validate shows why)"
        )));
    };
    let (source_locale, target_locale) = locales(loaded, locale)?;
    let source_path = translation_path(&project.root, &source_locale, &loaded.campaign.id);
    let source = std::fs::read_to_string(&source_path)
        .map_err(|e| format!("cannot read the source {}: {e}", source_path.display()))?;
    let target_path = translation_path(&project.root, &target_locale, &loaded.campaign.id);
    let current = match std::fs::read_to_string(&target_path) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => {
            return Err(Refused(format!(
                "cannot read {}: {e}",
                target_path.display()
            )));
        }
    };
    let strings = LocaleStrings::new(
        &loaded.campaign.id,
        source_locale.as_str(),
        target_locale.as_str(),
        &source,
        current.as_deref(),
        &[],
    );
    Ok(ProjectStrings {
        project,
        strings,
        target_path,
    })
}

/// The default locale and the locale named, once it is one the campaign sends in.
fn locales(
    loaded: &LoadedCampaign,
    locale: &str,
) -> Result<(crate::campaign::Locale, crate::campaign::Locale), Refused> {
    let campaign = &loaded.campaign;
    let target = crate::campaign::Locale::parse(locale).map_err(|e| e.to_string())?;
    let default = campaign.default_locale.value.clone();
    if target == default {
        return Err(Refused(format!(
            "`{target}` is the default locale of `{}`: it is the source every translation is made from",
            campaign.id
        )));
    }
    if !campaign.locales().contains(&target) {
        return Err(Refused(format!(
            "campaign `{}` sends nothing in `{target}`",
            campaign.id
        )));
    }
    Ok((default, target))
}

fn export(
    name: &str,
    locale: &str,
    kind: ExchangeKind,
    missing: bool,
    out: Option<&Path>,
    config: Option<&Path>,
) -> Result<(), Refused> {
    let ProjectStrings { strings, .. } = project_strings(name, locale, config)?;
    let selection = if missing {
        Selection::Missing
    } else {
        Selection::All
    };
    match (kind, out) {
        (ExchangeKind::Xliff, Some(path)) => {
            write_whole(path, to_xliff(&strings, selection).as_bytes())
                .map_err(|e| e.to_string())?;
            crate::say!("wrote {}", path.display());
        }
        (ExchangeKind::Xliff, None) => print(&to_xliff(&strings, selection))?,
        (ExchangeKind::Fluent, Some(dir)) => {
            let files = to_fluent(&strings);
            for (tag, text) in [
                (&files.source_locale, &files.source),
                (&files.target_locale, &files.target),
            ] {
                let path = dir.join(tag).join(format!("{}.ftl", files.campaign));
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent)
                        .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
                }
                write_whole(&path, text.as_bytes()).map_err(|e| e.to_string())?;
                crate::say!("wrote {}", path.display());
            }
        }
        (ExchangeKind::Fluent, None) => print(&to_fluent(&strings).target)?,
    }
    Ok(())
}

fn print(text: &str) -> Result<(), Refused> {
    let result = std::io::stdout().lock().write_all(text.as_bytes());
    Ok(crate::stdout_lines::closed_pipe_is_done(result).map_err(|e| e.to_string())?)
}

/// The file's text, refused before it is read when it is longer than the format allows.
fn read_bounded(path: &Path, kind: ExchangeKind) -> Result<String, Refused> {
    let limit = match kind {
        ExchangeKind::Xliff => MAX_XLIFF_BYTES,
        ExchangeKind::Fluent => MAX_TRANSLATION_BYTES,
    };
    let file =
        std::fs::File::open(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut bytes = Vec::new();
    file.take(limit as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if bytes.len() > limit {
        return Err(Refused(format!(
            "{}: the file is longer than {limit} bytes, the most a translation file of this format may be; nothing was read",
            path.display()
        )));
    }
    Ok(String::from_utf8(bytes).map_err(|e| format!("{}: not UTF-8 text: {e}", path.display()))?)
}

fn import(
    name: &str,
    locale: &str,
    kind: ExchangeKind,
    file: &Path,
    config: Option<&Path>,
) -> Result<(), Refused> {
    let text = read_bounded(file, kind)?;
    let ProjectStrings {
        project,
        strings,
        target_path,
    } = project_strings(name, locale, config)?;
    let file_name = file.display().to_string();
    let request = ImportRequest {
        campaign: &strings.campaign,
        source_locale: &strings.source_locale,
        target_locale: &strings.target_locale,
        source_file: &strings.source_file,
        base_target: strings.target_file.as_deref(),
        file_name: &file_name,
        text: &text,
        format: kind.format(),
    };
    let imported = check_import(&request).map_err(|problems| {
        for problem in problems {
            eprintln!("{problem}");
        }
        Refused("the translation is refused; nothing was written".to_string())
    })?;
    write_whole(&target_path, imported.ftl.as_bytes()).map_err(|e| e.to_string())?;
    let target = Target::campaign(&project.root, &strings.campaign);
    let (_, diags) = load_project(&target, config);
    let problems: Vec<_> = diags
        .into_sorted()
        .into_iter()
        .filter(|d| d.path == target_path && d.severity == crate::source::Severity::Error)
        .collect();
    if !problems.is_empty() {
        restore(&target_path, strings.target_file.as_deref())?;
        for problem in problems {
            eprintln!("{}", imported.relocate(problem));
        }
        return Err(Refused(
            "the campaign would have errors with this translation; nothing was changed".into(),
        ));
    }
    crate::say!(
        "imported {} into {}: {} string{} changed",
        file.display(),
        target_path.display(),
        imported.changed(),
        if imported.changed() == 1 { "" } else { "s" }
    );
    Ok(())
}

/// Puts the locale's file back as it was (or removes it when there was none).
fn restore(path: &Path, before: Option<&str>) -> Result<(), Refused> {
    match before {
        Some(text) => write_whole(path, text.as_bytes()).map_err(|e| e.to_string())?,
        None => std::fs::remove_file(path)
            .map_err(|e| format!("cannot remove {}: {e}", path.display()))?,
    }
    Ok(())
}
