//! `herald validate [PATH]`.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use serde_json::json;

use super::Format;
use crate::campaign::VersionBundle;
use crate::channel::Platform;
use crate::project::{Project, Target, load_project};
use crate::render::{PreviewFilter, PreviewItem, Renderer, preview_items};

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
                "campaigns": project.campaigns.iter().enumerate().map(|(index, c)| json!({
                    "id": c.campaign.id,
                    "completeness": c.completeness,
                    "sms_segments": sms_texts(&project, index).iter().map(|item| json!({
                        "send": item.send,
                        "message": item.message,
                        "locale": item.locale,
                        "channel": item.channel,
                        "segments": item.sms_segments,
                    })).collect::<Vec<_>>(),
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
            for (index, loaded) in project.campaigns.iter().enumerate() {
                result = result
                    .and_then(|_| writeln!(stdout, "{}", loaded.completeness.to_table(colour)));
                for line in sms_lines(&project, index) {
                    result = result.and_then(|_| writeln!(stdout, "{line}"));
                }
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

/// The texts campaign `index` sends by SMS, with what each costs; none when it sends no SMS
/// (or did not load well enough to render).
fn sms_texts(project: &Project, index: usize) -> Vec<PreviewItem> {
    let loaded = &project.campaigns[index];
    let sends_sms = loaded.campaign.sends.iter().any(|send| {
        send.channels
            .iter()
            .any(|c| c.value.platform == Platform::Sms)
    });
    if !sends_sms {
        return Vec::new();
    }
    let version = VersionBundle::from_loaded(project, loaded).content_hash();
    let mut renderer = Renderer::new(&project.layouts);
    let mut items = preview_items(
        &version,
        &loaded.campaign,
        &loaded.catalog,
        &project.config.public_url,
        &mut renderer,
        &PreviewFilter::default(),
    );
    items.retain(|item| item.sms_segments.is_some());
    items
}

/// One line per SMS text: `sms segments: send · message · locale · channel: 2 × UCS-2 (of 5)`.
fn sms_lines(project: &Project, index: usize) -> Vec<String> {
    sms_texts(project, index)
        .iter()
        .filter_map(|item| {
            let counted = item.sms_segments?;
            let allowed = crate::channel::ChannelRef::parse(&item.channel)
                .ok()
                .and_then(|channel| project.config.accounts.get(&channel))
                .and_then(|account| account.sms.as_ref())
                .map(|sms| format!(" of {} allowed", sms.max_segments))
                .unwrap_or_default();
            Some(format!(
                "sms segments: send {} · {} · {} · {}: {} × {} ({} units{allowed})",
                item.send,
                item.message,
                item.locale,
                item.channel,
                counted.segments,
                counted.encoding.name(),
                counted.units,
            ))
        })
        .collect()
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
