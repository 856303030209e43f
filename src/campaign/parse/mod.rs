//! From a campaign file's text to a [`Campaign`], reporting every problem on the way.
//! Elements with problems are left out of the result, but their ids are remembered so that one
//! mistake does not cascade into a page of "unknown segment" errors.
//!
//! This file reads the campaign's own fields and puts its elements together; each kind of
//! element is read in its own file (`segment`, `message`, `send`).

mod message;
mod segment;
mod send;

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use chrono::NaiveDate;
use toml::de::DeTable;

use super::diagnostic::{Diagnostics, SourceFile};
use super::locale::Locale;
use super::model::{Campaign, Message, Segment, Send};
use super::toml_reader::{Located, TableReader, parse_document};
use crate::channel::is_simple_name;
use crate::config::Config;
use message::parse_message;
use segment::parse_segment;
use send::parse_send;

const CAMPAIGN_KEYS: &[&str] = &[
    "id",
    "title",
    "authority",
    "purpose",
    "legal_basis",
    "starts",
    "ends",
    "default_locale",
    "segments",
    "messages",
    "sends",
];

/// The longest campaign id. Ids name files (`campaigns/<id>.toml`, `locales/*/<id>.ftl`) and
/// appear in every report; a longer one would fail on the file system (names are limited to 255
/// bytes) as an internal error instead of a diagnostic.
pub const MAX_CAMPAIGN_ID: usize = 64;

/// What the campaign's references may point at: ids declared in the file (valid or not) and
/// the configured channel accounts.
struct Declared<'c> {
    segments: HashSet<String>,
    messages: HashSet<String>,
    config: &'c Config,
    config_name: &'c str,
}

/// A problem already reported to the [`Diagnostics`]: the element it was found in is left
/// out of the result.
#[derive(Debug)]
struct Reported;

/// Parses one campaign file. `expected_id` is the file name's stem, which the id must match.
pub fn parse_campaign(
    file: SourceFile,
    expected_id: Option<&str>,
    config: &Config,
    config_name: &str,
    diags: &mut Diagnostics,
) -> Option<Campaign> {
    let errors_before = diags.error_count();
    let doc = parse_document(&file, diags);
    let root = TableReader::new(&file, doc.get_ref(), 0..0, "campaign", CAMPAIGN_KEYS, diags);

    let id = campaign_id(&file, &root, expected_id, diags);
    let title = root.req_str("title", diags);
    let authority = root.req_str("authority", diags);
    let purpose = root.req_str("purpose", diags);
    let legal_basis = root.req_str("legal_basis", diags);
    let starts = root.req_date("starts", diags);
    let ends = root.req_date("ends", diags);
    if let (Some(starts), Some(ends)) = (&starts, &ends) {
        check_dates(&file, starts, ends, diags);
    }
    let default_locale = root
        .req_str("default_locale", diags)
        .and_then(|l| parse_locale(&file, &l, diags));

    let segment_tables = root.tables("segments", true, diags);
    let message_tables = root.tables("messages", true, diags);
    let send_tables = root.tables("sends", false, diags);

    let declared = Declared {
        segments: declared_ids(&segment_tables),
        messages: declared_ids(&message_tables),
        config,
        config_name,
    };
    let segments = segments(&file, &segment_tables, diags);
    let messages = messages(&file, &message_tables, diags);
    let sends = sends(&file, &send_tables, &declared, &segments, diags);
    if !send_tables.is_empty() {
        warn_unused_messages(&file, &messages, &sends, diags);
    }

    if diags.error_count() > errors_before {
        return None;
    }
    Some(Campaign {
        id: id?.value,
        title: title?.value,
        authority: authority?.value,
        purpose: purpose?.value,
        legal_basis: legal_basis?.value,
        starts: starts?.value,
        ends: ends?.value,
        default_locale: default_locale?,
        segments,
        messages,
        sends,
        file,
    })
}

/// The campaign's id: short enough for a file name, a simple name, and the file's own
/// name where one is expected.
fn campaign_id(
    file: &SourceFile,
    root: &TableReader<'_, '_>,
    expected_id: Option<&str>,
    diags: &mut Diagnostics,
) -> Option<Located<String>> {
    let id = root.req_str("id", diags)?;
    let problem = if id.value.len() > MAX_CAMPAIGN_ID {
        format!("a campaign id may be at most {MAX_CAMPAIGN_ID} characters long")
    } else if !is_simple_name(&id.value) {
        format!(
            "campaign id `{}` may use only letters, digits, `-` and `_`",
            id.value
        )
    } else if let Some(stem) = expected_id.filter(|stem| *stem != id.value) {
        format!(
            "campaign id `{}` must match its file name `{stem}.toml`",
            id.value
        )
    } else {
        return Some(id);
    };
    diags.error(file, id.span.clone(), problem);
    None
}

/// Reports a campaign that ends before it starts.
fn check_dates(
    file: &SourceFile,
    starts: &Located<NaiveDate>,
    ends: &Located<NaiveDate>,
    diags: &mut Diagnostics,
) {
    if ends.value < starts.value {
        diags.error(
            file,
            ends.span.clone(),
            format!(
                "the campaign ends ({}) before it starts ({})",
                ends.value, starts.value
            ),
        );
    }
}

/// The valid segments, each id once.
fn segments(
    file: &SourceFile,
    tables: &[(&DeTable<'_>, Range<usize>)],
    diags: &mut Diagnostics,
) -> Vec<Segment> {
    let mut seen = HashMap::new();
    tables
        .iter()
        .filter_map(|(table, span)| {
            let segment = parse_segment(file, table, span.clone(), diags)?;
            unique(file, "segment", &segment.id, span, &mut seen, diags).then_some(segment)
        })
        .collect()
}

/// The valid messages, each id once.
fn messages(
    file: &SourceFile,
    tables: &[(&DeTable<'_>, Range<usize>)],
    diags: &mut Diagnostics,
) -> Vec<Message> {
    let mut seen = HashMap::new();
    tables
        .iter()
        .filter_map(|(table, span)| {
            let message = parse_message(file, table, span.clone(), diags)?;
            unique(file, "message", &message.id.value, span, &mut seen, diags).then_some(message)
        })
        .collect()
}

/// The valid sends, each id once (a send without an id is named after its place).
fn sends(
    file: &SourceFile,
    tables: &[(&DeTable<'_>, Range<usize>)],
    declared: &Declared<'_>,
    segments: &[Segment],
    diags: &mut Diagnostics,
) -> Vec<Send> {
    let mut seen = HashMap::new();
    tables
        .iter()
        .enumerate()
        .filter_map(|(index, (table, span))| {
            let send = parse_send(file, table, span.clone(), index, declared, segments, diags)?;
            unique(file, "send", &send.id, span, &mut seen, diags).then_some(send)
        })
        .collect()
}

/// Warns of each message no send uses.
fn warn_unused_messages(
    file: &SourceFile,
    messages: &[Message],
    sends: &[Send],
    diags: &mut Diagnostics,
) {
    for message in messages {
        if !sends.iter().any(|s| s.message == message.id.value) {
            diags.warning(
                file,
                message.id.span.clone(),
                format!("message `{}` is not used by any send", message.id.value),
            );
        }
    }
}

fn declared_ids(tables: &[(&DeTable<'_>, Range<usize>)]) -> HashSet<String> {
    tables
        .iter()
        .filter_map(|(table, _)| table.get("id")?.get_ref().as_str().map(str::to_string))
        .collect()
}

/// Records an id, reporting a duplicate at its second definition.
fn unique(
    file: &SourceFile,
    what: &str,
    id: &str,
    span: &Range<usize>,
    seen: &mut HashMap<String, usize>,
    diags: &mut Diagnostics,
) -> bool {
    if let Some(first_line) = seen.get(id) {
        diags.error(
            file,
            span.clone(),
            format!("duplicate {what} id `{id}` (first defined on line {first_line})"),
        );
        return false;
    }
    seen.insert(id.to_string(), file.line_col(span.start).0);
    true
}

fn parse_locale(
    file: &SourceFile,
    tag: &Located<String>,
    diags: &mut Diagnostics,
) -> Option<Located<Locale>> {
    match Locale::parse(&tag.value) {
        Ok(locale) => Some(Located::new(locale, tag.span.clone())),
        Err(message) => {
            diags.error(file, tag.span.clone(), message.to_string());
            None
        }
    }
}

/// Fluent's identifier grammar: `[a-zA-Z][a-zA-Z0-9_-]*`.
pub fn is_fluent_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}
