//! Reading the command line. Help is wrapped to the width of the terminal it is shown in; help
//! that goes to a pipe or a file keeps one line per option, as it always has, because scripts
//! and the reference's tests read it line by line.

use std::io::IsTerminal;

use clap::{CommandFactory, FromArgMatches};

use super::Cli;

impl Cli {
    /// The process's arguments, as [`clap::Parser::parse`] reads them (a usage error or
    /// `--help` ends the process), with help wrapped only on a terminal.
    pub fn from_command_line() -> Cli {
        let mut command = Cli::command();
        if !std::io::stdout().is_terminal() {
            // 0: never wrap, whatever `COLUMNS` says.
            command = command.term_width(0);
        }
        let matches = command.get_matches();
        Cli::from_arg_matches_mut(&mut matches.clone())
            .map_err(|error| error.format(&mut Cli::command()))
            .unwrap_or_else(|error| error.exit())
            .note_database_choice(&matches)
    }
}
