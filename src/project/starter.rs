//! The project `herald init` writes: the smallest campaign that validates and rehearses as it
//! stands (one Telegram account pointed at the partner emulator, one segment, one message with
//! two variants, one weekly send, English and Arabic drafts) and a README of its own. The
//! files are kept as files under `src/project/starter/`, so that they read as an author will
//! see them; `{campaign}`, `{chat}` (the id as a Telegram name), `{starts}` and `{ends}` are
//! filled in.

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{Duration, NaiveDate};

use crate::channel::is_simple_name;

const SERVICE_CONFIG: &str = include_str!("starter/herald.toml");
const CAMPAIGN: &str = include_str!("starter/campaign.toml");
const ENGLISH: &str = include_str!("starter/en.ftl");
const ARABIC: &str = include_str!("starter/ar.ftl");
const README: &str = include_str!("starter/README.md");

/// How long the starter campaign runs.
const RUNS_FOR: Duration = Duration::weeks(8);

/// One file of the starter project: its path inside the project folder, and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StarterFile {
    pub path: PathBuf,
    pub text: String,
}

/// Why `herald init` wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum InitError {
    #[error(
        "`{0}` is not a campaign id: use letters, digits, `-` and `_` (it names files and links)"
    )]
    CampaignId(String),
    #[error("{} already exists; herald init never overwrites a file, so nothing was written", .0.display())]
    Exists(PathBuf),
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The starter project's files for campaign `campaign`, starting on `starts`.
pub fn starter_files(campaign: &str, starts: NaiveDate) -> Result<Vec<StarterFile>, InitError> {
    if !is_simple_name(campaign) {
        return Err(InitError::CampaignId(campaign.to_string()));
    }
    let fill = |template: &str| {
        template
            .replace("{campaign}", campaign)
            .replace("{chat}", &campaign.replace('-', "_"))
            .replace("{starts}", &starts.to_string())
            .replace("{ends}", &(starts + RUNS_FOR).to_string())
    };
    Ok([
        ("herald.toml".to_string(), SERVICE_CONFIG),
        (format!("campaigns/{campaign}.toml"), CAMPAIGN),
        (format!("locales/en/{campaign}.ftl"), ENGLISH),
        (format!("locales/ar/{campaign}.ftl"), ARABIC),
        ("README.md".to_string(), README),
    ]
    .into_iter()
    .map(|(path, template)| StarterFile {
        path: PathBuf::from(path),
        text: fill(template),
    })
    .collect())
}

/// Writes `files` under `dir`, creating folders as needed. If any of them exists already,
/// nothing is written. Each file is created new (never truncated), so a file that appears
/// meanwhile is not overwritten either.
pub fn write_starter(dir: &Path, files: &[StarterFile]) -> Result<Vec<PathBuf>, InitError> {
    let targets: Vec<PathBuf> = files.iter().map(|f| dir.join(&f.path)).collect();
    if let Some(existing) = targets.iter().find(|path| path.exists()) {
        return Err(InitError::Exists(existing.clone()));
    }
    for (file, path) in files.iter().zip(&targets) {
        let io = |source| InitError::Io {
            path: path.clone(),
            source,
        };
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io)?;
        }
        let mut created = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)
            .map_err(|source| match source.kind() {
                std::io::ErrorKind::AlreadyExists => InitError::Exists(path.clone()),
                _ => io(source),
            })?;
        created.write_all(file.text.as_bytes()).map_err(io)?;
        created.sync_all().map_err(io)?;
    }
    Ok(targets)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_files_name_the_campaign_and_its_dates() {
        let starts = NaiveDate::from_ymd_opt(2027, 5, 3).unwrap();
        let files = starter_files("avr-2027", starts).unwrap();
        let paths: Vec<&str> = files.iter().map(|f| f.path.to_str().unwrap()).collect();
        assert_eq!(
            paths,
            [
                "herald.toml",
                "campaigns/avr-2027.toml",
                "locales/en/avr-2027.ftl",
                "locales/ar/avr-2027.ftl",
                "README.md"
            ]
        );
        assert!(files[1].text.contains("id = \"avr-2027\""));
        assert!(
            files[1]
                .text
                .contains("starts = 2027-05-03\nends = 2027-06-28")
        );
        assert!(
            files[0].text.contains("\"@avr_2027_ar\""),
            "{}",
            files[0].text
        );
        for placeholder in ["{campaign}", "{chat}", "{starts}", "{ends}"] {
            assert!(files.iter().all(|f| !f.text.contains(placeholder)));
        }
        assert!(matches!(
            starter_files("../etc", starts),
            Err(InitError::CampaignId(_))
        ));
    }

    #[test]
    fn an_existing_file_stops_everything_before_anything_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let files = starter_files("c", NaiveDate::from_ymd_opt(2027, 5, 3).unwrap()).unwrap();
        std::fs::create_dir_all(dir.path().join("locales/ar")).unwrap();
        std::fs::write(dir.path().join("locales/ar/c.ftl"), "mine").unwrap();
        let refused = write_starter(dir.path(), &files).unwrap_err();
        assert!(matches!(&refused, InitError::Exists(p) if p.ends_with("locales/ar/c.ftl")));
        assert!(!dir.path().join("herald.toml").exists());
        assert_eq!(
            std::fs::read_to_string(dir.path().join("locales/ar/c.ftl")).unwrap(),
            "mine"
        );
    }
}
