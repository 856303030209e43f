//! `herald plan CAMPAIGN [--from T] [--until T] [--format table|json]`.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use chrono::{DateTime, NaiveDate, Utc};

use super::{PlanArgs, PlanFormat};
use crate::campaign::VersionBundle;
use crate::schedule::{campaign_window, slots};

pub fn plan(args: &PlanArgs, config: Option<&Path>) -> ExitCode {
    let project = match super::load_valid_campaign(&args.campaign, config, "planning") {
        Ok(project) => project,
        Err(code) => return code,
    };
    let loaded = &project.campaigns[0];
    let campaign = &loaded.campaign;
    let windows: Vec<_> = campaign
        .segments
        .iter()
        .map(|s| campaign_window(campaign, s))
        .collect();
    let earliest = windows.iter().map(|w| w.0).min().unwrap_or_else(Utc::now);
    let latest = windows.iter().map(|w| w.1).max().unwrap_or_else(Utc::now);
    let from = match args.from.as_deref().map(parse_time).transpose() {
        Ok(from) => from.unwrap_or(earliest),
        Err(message) => return usage_error("--from", &message),
    };
    let until = match args.until.as_deref().map(parse_time).transpose() {
        Ok(until) => until.unwrap_or(latest),
        Err(message) => return usage_error("--until", &message),
    };
    if until <= from {
        eprintln!("error: --until ({until}) must be after --from ({from})");
        return ExitCode::from(2);
    }
    let slots = slots(campaign, from, until);
    let mut out = std::io::stdout().lock();
    let written = match args.format {
        PlanFormat::Json => serde_json::to_string_pretty(&slots)
            .map_err(std::io::Error::other)
            .and_then(|json| writeln!(out, "{json}")),
        PlanFormat::Table => (|| {
            let hash = VersionBundle::from_loaded(&project, loaded).content_hash();
            writeln!(
                out,
                "campaign {} · version {} (content hash of these files)",
                campaign.id,
                hash.short()
            )?;
            writeln!(
                out,
                "{:<20}  {:<25}  {:<20}  {:<22}  {:<22}  channels",
                "UTC", "local time", "time zone", "segment", "send"
            )?;
            for slot in &slots {
                let send = campaign.sends.iter().find(|s| s.id == slot.send);
                let channels: Vec<String> = send
                    .map(|s| s.channels.iter().map(|c| c.value.to_string()).collect())
                    .unwrap_or_default();
                writeln!(
                    out,
                    "{:<20}  {:<25}  {:<20}  {:<22}  {:<22}  {}",
                    slot.utc.format("%Y-%m-%d %H:%M UTC"),
                    slot.local.format("%a %Y-%m-%d %H:%M %:z"),
                    slot.timezone,
                    slot.segment,
                    slot.send,
                    channels.join(", ")
                )?;
            }
            writeln!(
                out,
                "{} slot{} from {} until {}",
                slots.len(),
                if slots.len() == 1 { "" } else { "s" },
                from.format("%Y-%m-%d %H:%M UTC"),
                until.format("%Y-%m-%d %H:%M UTC")
            )
        })(),
    };
    match crate::stdout_lines::closed_pipe_is_done(written) {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => ExitCode::FAILURE,
    }
}

/// RFC 3339, or a plain date taken as midnight UTC.
fn parse_time(text: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Ok(time.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map(|date| date.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc())
        .map_err(|_| format!("`{text}` is neither an RFC 3339 time (2027-01-15T09:00:00Z) nor a date (2027-01-15)"))
}

fn usage_error(option: &str, message: &str) -> ExitCode {
    eprintln!("error: {option}: {message}");
    ExitCode::from(2)
}
