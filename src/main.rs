use std::process::ExitCode;

use clap::Parser;
use herald::cli::{Cli, run};

fn main() -> ExitCode {
    let cli = Cli::parse();
    herald::telemetry::init(cli.verbose);
    run(cli)
}
