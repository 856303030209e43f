//! Saying which database a command uses when nobody chose one. Without `--database-url` or
//! `HERALD_DATABASE_URL`, herald uses (and creates) `herald.db` in the working directory: right
//! for a first try on a laptop, a surprise on a server, where `herald migrate` would create an
//! empty file that the service started elsewhere never sees. So every command that works on
//! the database names that file on standard error.

use std::path::PathBuf;

use clap::ArgMatches;
use clap::parser::ValueSource;

use super::{Cli, Command};

impl Cli {
    /// Notes whether the database URL is the built-in default, from the parsed `matches`.
    pub(super) fn note_database_choice(mut self, matches: &ArgMatches) -> Cli {
        self.database_url_is_default =
            matches.value_source("database_url") == Some(ValueSource::DefaultValue);
        self
    }

    /// The warning for a command that uses the database nobody chose, if this is one.
    pub fn implicit_database_warning(&self) -> Option<String> {
        if !self.database_url_is_default || !self.command.uses_database() {
            return None;
        }
        let file = self
            .database_url
            .strip_prefix("sqlite://")
            .unwrap_or(&self.database_url);
        let path = std::env::current_dir()
            .map(|dir| dir.join(file))
            .unwrap_or_else(|_| PathBuf::from(file));
        Some(format!(
            "warning: no --database-url or HERALD_DATABASE_URL given; using the SQLite file {} (created if missing)",
            path.display()
        ))
    }
}

impl Command {
    /// Whether the command reads or writes the database.
    fn uses_database(&self) -> bool {
        !matches!(
            self,
            Command::Init { .. }
                | Command::Validate { .. }
                | Command::Preview(_)
                | Command::Translations(_)
                | Command::Plan(_)
                | Command::Demo(_)
                | Command::Sandbox { .. }
        )
    }
}
