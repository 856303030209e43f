//! `herald preview CAMPAIGN --segment S --locale L --channel C [--variant V]`.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use super::{Format, PreviewArgs};
use crate::campaign::VersionBundle;
use crate::project::LoadedCampaign;
use crate::render::{PreviewFilter, PreviewItem, Renderer, preview_items};
use crate::whole_file::write_whole;

pub fn preview(args: &PreviewArgs, config: Option<&Path>) -> ExitCode {
    let project = match super::load_valid_campaign(&args.campaign, config, "previewing") {
        Ok(project) => project,
        Err(code) => return code,
    };
    let loaded = &project.campaigns[0];
    let filter = PreviewFilter {
        send: args.send.clone(),
        segment: args.segment.clone(),
        locale: args.locale.clone(),
        channel: args.channel.clone(),
        variant: args.variant.clone(),
    };
    // The links of the version these files make, as `herald plan` names it: uploaded and
    // approved unchanged, it sends exactly these texts.
    let version = VersionBundle::from_loaded(&project, loaded).content_hash();
    let mut renderer = Renderer::new(&project.layouts);
    let items = preview_items(
        &version,
        &loaded.campaign,
        &loaded.catalog,
        &project.config.public_url,
        &mut renderer,
        &filter,
    );
    if items.is_empty() {
        eprintln!("error: nothing to preview: {}", why_empty(loaded, &filter));
        return ExitCode::FAILURE;
    }
    let result = match (&args.out, args.format) {
        (Some(dir), _) => write_files(dir, &loaded.campaign.id, &items).map(|count| {
            crate::say!(
                "wrote {count} preview{} to {}",
                if count == 1 { "" } else { "s" },
                dir.display()
            );
        }),
        (None, Format::Json) => serde_json::to_string_pretty(&items)
            .map_err(std::io::Error::other)
            .and_then(|json| writeln!(std::io::stdout(), "{json}")),
        (None, Format::Text) => print_items(&items),
    };
    match crate::stdout_lines::closed_pipe_is_done(result) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

/// One text alone is printed exactly; several get a header line each.
fn print_items(items: &[PreviewItem]) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    if let [item] = items {
        // The text alone goes to stdout, exactly; what an SMS costs is said beside it.
        if item.sms_segments.is_some() {
            eprintln!("── {} ──", describe(item));
        }
        return writeln!(out, "{}", item.text);
    }
    for item in items {
        writeln!(out, "── {} ──", describe(item))?;
        writeln!(out, "{}\n", item.text)?;
    }
    Ok(())
}

fn describe(item: &PreviewItem) -> String {
    let mut parts = vec![
        format!("send {}", item.send),
        format!("segment {}", item.segment),
        item.locale.clone(),
        item.channel.clone(),
    ];
    if let Some(variant) = &item.variant {
        parts.push(format!("variant {variant}"));
    }
    if item.source_locale != item.locale {
        parts.push(format!("fallback {}", item.source_locale));
    }
    match item.limit {
        Some(limit) => parts.push(format!("{}/{limit}", item.length)),
        None => parts.push(format!("{} chars", item.length)),
    }
    if let Some(sms) = &item.sms_segments {
        parts.push(format!(
            "{} SMS segment{} ({}, {} units)",
            sms.segments,
            if sms.segments == 1 { "" } else { "s" },
            sms.encoding.name(),
            sms.units
        ));
    }
    parts.join(" · ")
}

/// One file per text; each is written whole (a full disk leaves no half text), and an error
/// names the file or folder.
fn write_files(dir: &Path, campaign: &str, items: &[PreviewItem]) -> std::io::Result<usize> {
    for item in items {
        let folder = dir
            .join(campaign)
            .join(&item.send)
            .join(&item.segment)
            .join(&item.locale);
        std::fs::create_dir_all(&folder).map_err(|error| {
            std::io::Error::new(
                error.kind(),
                format!("cannot create {}: {error}", folder.display()),
            )
        })?;
        let mut name = item.channel.replace(':', "-");
        if let Some(variant) = &item.variant {
            name.push_str(&format!("--{variant}"));
        }
        write_whole(
            &folder.join(format!("{name}.txt")),
            format!("{}\n", item.text).as_bytes(),
        )
        .map_err(std::io::Error::other)?;
    }
    Ok(items.len())
}

/// Says which part of the selection matches nothing, naming what would.
fn why_empty(loaded: &LoadedCampaign, filter: &PreviewFilter) -> String {
    let campaign = &loaded.campaign;
    if let Some(segment_id) = &filter.segment {
        let Some(segment) = campaign.segment(segment_id) else {
            let known: Vec<&str> = campaign.segments.iter().map(|s| s.id.as_str()).collect();
            return format!("no segment `{segment_id}` (segments: {})", known.join(", "));
        };
        if let Some(locale) = &filter.locale {
            if !segment.locales.iter().any(|l| l.value.as_str() == locale) {
                let known: Vec<&str> = segment.locales.iter().map(|l| l.value.as_str()).collect();
                return format!(
                    "segment `{segment_id}` does not send in `{locale}` (its locales: {})",
                    known.join(", ")
                );
            }
        }
        if let Some(channel) = &filter.channel {
            let channels: Vec<String> = campaign
                .sends
                .iter()
                .filter(|s| s.segments.contains(segment_id))
                .flat_map(|s| s.channels.iter().map(|c| c.value.to_string()))
                .collect();
            if !channels.contains(channel) {
                return format!(
                    "no send reaches segment `{segment_id}` on `{channel}` (its channels: {})",
                    channels.join(", ")
                );
            }
        }
    }
    if let Some(variant) = &filter.variant {
        return format!("no message sent with this selection has a variant `{variant}`");
    }
    "no send matches this selection".to_string()
}
