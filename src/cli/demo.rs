//! `herald demo`: the example campaigns from approval to report, in under a minute, on a
//! temporary database, a simulated clock and the in-process sandbox.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use super::runtime::runtime;
use crate::demo::{DemoOptions, run_demo, summary_table};

pub fn demo(
    project: &Path,
    out: &Path,
    weeks: Option<u32>,
    subscribers: usize,
    seed: u64,
    keep_database: Option<PathBuf>,
) -> ExitCode {
    let runtime = match runtime() {
        Ok(runtime) => runtime,
        Err(code) => return code,
    };
    let started = Instant::now();
    eprintln!(
        "herald demo: the example campaigns, approved by demo users, dispatched on a simulated clock through emulated partners, then reported"
    );
    let options = DemoOptions {
        project: project.to_path_buf(),
        out: out.to_path_buf(),
        weeks,
        subscribers,
        seed,
        keep_database,
    };
    match runtime.block_on(run_demo(&options)) {
        Ok(outcome) => {
            crate::say!(
                "{} simulated days in {:.1} s\n",
                outcome.simulated_days,
                started.elapsed().as_secs_f64()
            );
            crate::stdout_lines::say_text(&summary_table(&outcome.campaigns));
            crate::say!("\nreports (counts below 10 suppressed):");
            for path in &outcome.reports {
                crate::say!("  {}", path.display());
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
