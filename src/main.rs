use std::process::ExitCode;

use herald::cli::{Cli, run};

fn main() -> ExitCode {
    let cli = Cli::from_command_line();
    herald::telemetry::init(cli.verbose, cli.runs_a_service(), cli.log_format);
    run(cli)
}
