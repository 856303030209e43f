//! `herald validate [PATH]`.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use serde_json::json;

use super::Format;
use crate::project::{Target, load_project};

pub fn validate(path: &Path, config: Option<&Path>, format: Format) -> ExitCode {
    let (project, diags) = load_project(&Target::from_path(path), config);
    let errors = diags.error_count();
    let warnings = diags.warning_count();
    let diagnostics = diags.into_sorted();
    let mut stdout = std::io::stdout().lock();
    let written = match format {
        Format::Json => {
            let report = json!({
                "ok": errors == 0,
                "errors": errors,
                "warnings": warnings,
                "diagnostics": diagnostics,
                "campaigns": project.campaigns.iter().map(|c| json!({
                    "id": c.campaign.id,
                    "completeness": c.completeness,
                })).collect::<Vec<_>>(),
            });
            writeln!(stdout, "{report:#}")
        }
        Format::Text => {
            let mut stderr = std::io::stderr().lock();
            for diagnostic in &diagnostics {
                let _ = writeln!(stderr, "{diagnostic}");
            }
            let colour = stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none();
            let mut result = Ok(());
            for loaded in &project.campaigns {
                result = result
                    .and_then(|_| writeln!(stdout, "{}", loaded.completeness.to_table(colour)));
            }
            let locales: std::collections::BTreeSet<String> = project
                .campaigns
                .iter()
                .flat_map(|c| c.completeness.locales.iter().cloned())
                .collect();
            result.and_then(|_| {
                writeln!(
                    stdout,
                    "{} campaign{}, {} locale{}: {errors} error{}, {warnings} warning{}",
                    project.campaigns.len(),
                    plural(project.campaigns.len()),
                    locales.len(),
                    plural(locales.len()),
                    plural(errors),
                    plural(warnings),
                )
            })
        }
    };
    if written.is_err() {
        // The reader went away (a closed pipe); the exit code still tells the result.
        return if errors > 0 {
            ExitCode::FAILURE
        } else {
            ExitCode::SUCCESS
        };
    }
    if errors > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
