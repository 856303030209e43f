//! A campaign's `[[sends]]`: which message goes to which segments, on which configured
//! channel accounts, on which schedule. Its references are checked against what the file
//! declares and the configuration holds, so that a typo is reported where it was made.

use std::ops::Range;

use toml::de::DeTable;

use super::{Declared, Reported};
use crate::campaign::diagnostic::{Diagnostics, SourceFile};
use crate::campaign::model::{Segment, SegmentKind, Send};
use crate::campaign::toml_reader::{Located, TableReader};
use crate::channel::{ChannelRef, is_simple_name};
use crate::cron::CronSchedule;

const SEND_KEYS: &[&str] = &["id", "message", "segments", "channels", "cron"];

pub(super) fn parse_send(
    file: &SourceFile,
    table: &DeTable<'_>,
    span: Range<usize>,
    index: usize,
    declared: &Declared<'_>,
    segments: &[Segment],
    diags: &mut Diagnostics,
) -> Option<Send> {
    let mut reader = TableReader::new(file, table, span.clone(), "send", SEND_KEYS, diags);
    let id = send_id(file, &reader, index, diags)?;
    reader.set_what(format!("send `{id}`"));
    let message = message_ref(file, &reader, &id, declared, diags);
    let segment_refs = reader.req_str_list("segments", diags);
    let refs = segment_refs.as_deref().unwrap_or_default();
    let segments_known = known_segments(file, &id, refs, declared, diags);
    let channels = channels(file, &reader, declared, refs, segments, diags);
    let cron = cron(file, &reader, diags);
    let (message, channels, cron) = (message.ok()?, channels.ok()?, cron.ok()?);
    segments_known.ok()?;
    Some(Send {
        id,
        message,
        segments: segment_refs?.into_iter().map(|s| s.value).collect(),
        channels,
        cron,
        span,
    })
}

/// The send's id, or `send-<n>` for the n-th send without one; `None` when it is malformed
/// (reported), and the send is not read further.
fn send_id(
    file: &SourceFile,
    reader: &TableReader<'_, '_>,
    index: usize,
    diags: &mut Diagnostics,
) -> Option<String> {
    match reader.opt_str("id", diags) {
        Some(id) if is_simple_name(&id.value) => Some(id.value),
        Some(id) => {
            diags.error(
                file,
                id.span,
                format!(
                    "send id `{}` may use only letters, digits, `-` and `_`",
                    id.value
                ),
            );
            None
        }
        None => Some(format!("send-{}", index + 1)),
    }
}

/// The message the send renders, which the file must declare.
fn message_ref(
    file: &SourceFile,
    reader: &TableReader<'_, '_>,
    id: &str,
    declared: &Declared<'_>,
    diags: &mut Diagnostics,
) -> Result<String, Reported> {
    let message = reader.req_str("message", diags).ok_or(Reported)?;
    if !declared.messages.contains(&message.value) {
        diags.error(
            file,
            message.span.clone(),
            format!("send `{id}` refers to unknown message `{}`", message.value),
        );
        return Err(Reported);
    }
    Ok(message.value)
}

/// Whether every segment the send refers to is declared in the file; each unknown one is
/// reported.
fn known_segments(
    file: &SourceFile,
    id: &str,
    segment_refs: &[Located<String>],
    declared: &Declared<'_>,
    diags: &mut Diagnostics,
) -> Result<(), Reported> {
    let mut ok = true;
    for segment in segment_refs {
        if !declared.segments.contains(&segment.value) {
            diags.error(
                file,
                segment.span.clone(),
                format!("send `{id}` refers to unknown segment `{}`", segment.value),
            );
            ok = false;
        }
    }
    if ok { Ok(()) } else { Err(Reported) }
}

/// The channel accounts the send goes out on: configured, each listed once, and no paid
/// Meta ads aimed at a segment in the EU.
fn channels(
    file: &SourceFile,
    reader: &TableReader<'_, '_>,
    declared: &Declared<'_>,
    segment_refs: &[Located<String>],
    segments: &[Segment],
    diags: &mut Diagnostics,
) -> Result<Vec<Located<ChannelRef>>, Reported> {
    let mut ok = true;
    let mut channels: Vec<Located<ChannelRef>> = Vec::new();
    for channel in reader.req_str_list("channels", diags).unwrap_or_default() {
        let parsed = match ChannelRef::parse(&channel.value) {
            Ok(parsed) => parsed,
            Err(message) => {
                diags.error(file, channel.span, message.to_string());
                ok = false;
                continue;
            }
        };
        ok &= account_configured(file, &channel, &parsed, declared, diags);
        if parsed.platform.is_paid_meta_ads() {
            ok &= no_ads_in_eu(file, &channel, &parsed, segment_refs, segments, diags);
        }
        if channels.iter().any(|c| c.value == parsed) {
            diags.error(
                file,
                channel.span,
                format!("channel `{parsed}` is listed twice"),
            );
            ok = false;
        } else {
            channels.push(Located::new(parsed, channel.span));
        }
    }
    if ok { Ok(channels) } else { Err(Reported) }
}

/// Whether the configuration has the channel's account; reported where it has not.
fn account_configured(
    file: &SourceFile,
    channel: &Located<String>,
    parsed: &ChannelRef,
    declared: &Declared<'_>,
    diags: &mut Diagnostics,
) -> bool {
    if declared.config.accounts.contains_key(parsed) {
        return true;
    }
    diags.error(
        file,
        channel.span.clone(),
        format!(
            "unknown channel account `{parsed}`: no such account in {}",
            declared.config_name
        ),
    );
    false
}

/// Whether a paid Meta ads channel stays clear of the send's in_eu segments; each one it
/// would target is reported.
fn no_ads_in_eu(
    file: &SourceFile,
    channel: &Located<String>,
    parsed: &ChannelRef,
    segment_refs: &[Located<String>],
    segments: &[Segment],
    diags: &mut Diagnostics,
) -> bool {
    let mut ok = true;
    for segment in segment_refs {
        if let Some(s) = segments.iter().find(|s| s.id == segment.value) {
            if s.kind == SegmentKind::InEu {
                diags.error(
                    file,
                    channel.span.clone(),
                    format!(
                        "paid Meta ads channel `{parsed}` targets in_eu segment `{}`: Meta accepts no social-issue ads (immigration is one) aimed at people in the EU since October 2025; use an organic page or a messaging channel",
                        s.id
                    ),
                );
                ok = false;
            }
        }
    }
    ok
}

/// The send's cron schedule.
fn cron(
    file: &SourceFile,
    reader: &TableReader<'_, '_>,
    diags: &mut Diagnostics,
) -> Result<CronSchedule, Reported> {
    let cron = reader.req_str("cron", diags).ok_or(Reported)?;
    CronSchedule::parse(&cron.value).map_err(|message| {
        diags.error(file, cron.span, message.to_string());
        Reported
    })
}
