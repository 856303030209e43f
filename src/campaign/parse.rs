//! From a campaign file's text to a [`Campaign`], reporting every problem on the way.
//! Elements with problems are left out of the result, but their ids are remembered so that one
//! mistake does not cascade into a page of "unknown segment" errors.

use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::str::FromStr;

use chrono_tz::Tz;
use toml::de::{DeTable, DeValue};

use super::codes;
use super::diagnostic::{Diagnostics, SourceFile};
use super::locale::Locale;
use super::model::{ArgValue, Campaign, Message, Segment, SegmentKind, Send, VARIANT_SEPARATOR};
use super::toml_reader::{Located, TableReader, as_i64, edit_distance, parse_document};
use crate::config::Config;
use crate::platforms::ChannelRef;
use crate::platforms::is_simple_name;
use crate::schedule::CronSchedule;

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
const SEGMENT_KEYS: &[&str] = &[
    "id",
    "kind",
    "countries",
    "locales",
    "fallback",
    "timezone",
    "age",
];
const MESSAGE_KEYS: &[&str] = &["id", "variants", "link", "args"];
const SEND_KEYS: &[&str] = &["id", "message", "segments", "channels", "cron"];

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

    let id = root.req_str("id", diags).filter(|id| {
        let mut ok = true;
        if id.value.len() > MAX_CAMPAIGN_ID {
            diags.error(
                &file,
                id.span.clone(),
                format!("a campaign id may be at most {MAX_CAMPAIGN_ID} characters long"),
            );
            ok = false;
        } else if !is_simple_name(&id.value) {
            diags.error(
                &file,
                id.span.clone(),
                format!(
                    "campaign id `{}` may use only letters, digits, `-` and `_`",
                    id.value
                ),
            );
            ok = false;
        } else if let Some(stem) = expected_id.filter(|stem| *stem != id.value) {
            diags.error(
                &file,
                id.span.clone(),
                format!(
                    "campaign id `{}` must match its file name `{stem}.toml`",
                    id.value
                ),
            );
            ok = false;
        }
        ok
    });
    let title = root.req_str("title", diags);
    let authority = root.req_str("authority", diags);
    let purpose = root.req_str("purpose", diags);
    let legal_basis = root.req_str("legal_basis", diags);
    let starts = root.req_date("starts", diags);
    let ends = root.req_date("ends", diags);
    if let (Some(starts), Some(ends)) = (&starts, &ends) {
        if ends.value < starts.value {
            diags.error(
                &file,
                ends.span.clone(),
                format!(
                    "the campaign ends ({}) before it starts ({})",
                    ends.value, starts.value
                ),
            );
        }
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

    let mut seen = HashMap::new();
    let segments: Vec<Segment> = segment_tables
        .iter()
        .filter_map(|(table, span)| {
            let segment = parse_segment(&file, table, span.clone(), diags)?;
            unique(&file, "segment", &segment.id, span, &mut seen, diags).then_some(segment)
        })
        .collect();
    let mut seen = HashMap::new();
    let messages: Vec<Message> = message_tables
        .iter()
        .filter_map(|(table, span)| {
            let message = parse_message(&file, table, span.clone(), diags)?;
            unique(&file, "message", &message.id.value, span, &mut seen, diags).then_some(message)
        })
        .collect();
    let mut seen = HashMap::new();
    let sends: Vec<Send> = send_tables
        .iter()
        .enumerate()
        .filter_map(|(index, (table, span))| {
            let send = parse_send(
                &file,
                table,
                span.clone(),
                index,
                &declared,
                &segments,
                diags,
            )?;
            unique(&file, "send", &send.id, span, &mut seen, diags).then_some(send)
        })
        .collect();

    for message in &messages {
        if !sends.iter().any(|s| s.message == message.id.value) && !send_tables.is_empty() {
            diags.warning(
                &file,
                message.id.span.clone(),
                format!("message `{}` is not used by any send", message.id.value),
            );
        }
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

fn parse_segment(
    file: &SourceFile,
    table: &DeTable<'_>,
    span: Range<usize>,
    diags: &mut Diagnostics,
) -> Option<Segment> {
    let mut reader = TableReader::new(file, table, span.clone(), "segment", SEGMENT_KEYS, diags);
    let id = reader.req_str("id", diags);
    if let Some(id) = &id {
        reader.set_what(format!("segment `{}`", id.value));
        if !is_simple_name(&id.value) {
            diags.error(
                file,
                id.span.clone(),
                format!(
                    "segment id `{}` may use only letters, digits, `-` and `_`",
                    id.value
                ),
            );
        }
    }
    let kind = reader.req_str("kind", diags).and_then(|k| {
        let kind = SegmentKind::from_name(&k.value);
        if kind.is_none() {
            diags.error(
                file,
                k.span,
                format!(
                    "unknown segment kind `{}`; expected one of: third_country, in_eu, diaspora",
                    k.value
                ),
            );
        }
        kind
    });
    let countries = reader.req_str_list("countries", diags).map(|list| {
        list.into_iter()
            .filter(|c| {
                let ok = codes::is_country(&c.value);
                if !ok {
                    let hint = if codes::is_country(&c.value.to_uppercase()) {
                        format!("; write `{}`", c.value.to_uppercase())
                    } else {
                        String::new()
                    };
                    diags.error(
                        file,
                        c.span.clone(),
                        format!(
                            "unknown country code `{}` (expected ISO 3166-1 alpha-2){hint}",
                            c.value
                        ),
                    );
                }
                ok
            })
            .map(|c| c.value)
            .collect::<Vec<_>>()
    });
    let locales = reader
        .req_str_list("locales", diags)
        .map(|list| locale_list(file, &list, "locales", diags));
    let fallback = reader
        .opt_str_list("fallback", diags)
        .map(|list| locale_list(file, &list, "fallback", diags))
        .unwrap_or_default();
    let timezone = reader.req_str("timezone", diags).and_then(|tz| {
        match Tz::from_str(&tz.value) {
            Ok(zone) => Some(zone),
            Err(_) => {
                let hint = closest_time_zone(&tz.value)
                    .map(|best| format!("; did you mean `{best}`?"))
                    .unwrap_or_default();
                diags.error(
                    file,
                    tz.span,
                    format!("unknown time zone `{}` (expected an IANA name such as Europe/Amsterdam){hint}", tz.value),
                );
                None
            }
        }
    });
    let age = reader.opt_int_list("age", diags).and_then(|range| {
        let span = reader.span_of("age");
        match range.as_slice() {
            [min, max]
                if (0..=120).contains(&min.value)
                    && (0..=120).contains(&max.value)
                    && min.value <= max.value =>
            {
                Some((min.value as u8, max.value as u8))
            }
            _ => {
                diags.error(
                    file,
                    span,
                    "`age` must be [minimum, maximum] with 0 <= minimum <= maximum <= 120",
                );
                None
            }
        }
    });
    let locales = locales?;
    Some(Segment {
        id: id?.value,
        kind: kind?,
        countries: countries?,
        locales,
        fallback,
        timezone: timezone?,
        age: if reader.get("age").is_some() {
            Some(age?)
        } else {
            None
        },
        span,
    })
}

/// Parses a list of locales, reporting bad and repeated entries.
fn locale_list(
    file: &SourceFile,
    list: &[Located<String>],
    key: &str,
    diags: &mut Diagnostics,
) -> Vec<Located<Locale>> {
    let mut out: Vec<Located<Locale>> = Vec::with_capacity(list.len());
    for tag in list {
        if let Some(locale) = parse_locale(file, tag, diags) {
            if out.iter().any(|l| l.value == locale.value) {
                diags.error(
                    file,
                    tag.span.clone(),
                    format!("locale `{}` is listed twice in `{key}`", tag.value),
                );
            } else {
                out.push(locale);
            }
        }
    }
    out
}

fn closest_time_zone(name: &str) -> Option<&'static str> {
    let lower = name.to_lowercase();
    chrono_tz::TZ_VARIANTS
        .iter()
        .map(|tz| tz.name())
        .filter(|candidate| {
            let c = candidate.to_lowercase();
            c == lower || edit_distance(&c, &lower) <= 2
        })
        .min_by_key(|candidate| edit_distance(&candidate.to_lowercase(), &lower))
}

fn parse_message(
    file: &SourceFile,
    table: &DeTable<'_>,
    span: Range<usize>,
    diags: &mut Diagnostics,
) -> Option<Message> {
    let mut reader = TableReader::new(file, table, span, "message", MESSAGE_KEYS, diags);
    let id = reader.req_str("id", diags);
    let mut ok = true;
    if let Some(id) = &id {
        reader.set_what(format!("message `{}`", id.value));
        if !is_fluent_identifier(&id.value) || id.value.contains(VARIANT_SEPARATOR) {
            diags.error(
                file,
                id.span.clone(),
                format!(
                    "message id `{}` must be a Fluent identifier (a letter, then letters, digits, `-` or `_`) without `{VARIANT_SEPARATOR}`",
                    id.value
                ),
            );
            ok = false;
        }
    }
    let mut variants = Vec::new();
    for variant in reader.opt_str_list("variants", diags).unwrap_or_default() {
        if !variant
            .value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
            || variant.value.is_empty()
        {
            diags.error(
                file,
                variant.span,
                format!(
                    "variant `{}` may use only letters, digits and `_`",
                    variant.value
                ),
            );
            ok = false;
        } else if variants.contains(&variant.value) {
            diags.error(
                file,
                variant.span,
                format!("variant `{}` is listed twice", variant.value),
            );
            ok = false;
        } else {
            variants.push(variant.value);
        }
    }
    let link = reader.opt_str("link", diags).and_then(|link| {
        let valid = link.value.starts_with("https://") || link.value.starts_with("http://");
        if !valid || link.value.chars().any(char::is_whitespace) {
            diags.error(
                file,
                link.span,
                format!(
                    "link `{}` must be an http:// or https:// URL without spaces",
                    link.value
                ),
            );
            ok = false;
            None
        } else {
            Some(link.value)
        }
    });
    let mut args = Vec::new();
    if let Some((args_table, _)) = reader.opt_table("args", diags) {
        for (key, value) in args_table.iter() {
            let name: &str = key.get_ref();
            if !is_fluent_identifier(name) {
                diags.error(
                    file,
                    key.span(),
                    format!("argument name `{name}` must be a Fluent identifier"),
                );
                ok = false;
                continue;
            }
            let arg = match value.get_ref() {
                DeValue::String(s) => Some(ArgValue::Text(s.to_string())),
                DeValue::Float(f) => f.as_str().parse().ok().map(ArgValue::Number),
                other => as_i64(other).map(|n| ArgValue::Number(n as f64)),
            };
            match arg {
                Some(arg) => args.push((name.to_string(), arg)),
                None => {
                    diags.error(
                        file,
                        value.span(),
                        format!(
                            "argument `{name}` must be a number or a string, found {}",
                            value.get_ref().type_str()
                        ),
                    );
                    ok = false;
                }
            }
        }
    }
    let id = id?;
    ok.then_some(Message {
        id,
        variants,
        link,
        args,
    })
}

fn parse_send(
    file: &SourceFile,
    table: &DeTable<'_>,
    span: Range<usize>,
    index: usize,
    declared: &Declared<'_>,
    segments: &[Segment],
    diags: &mut Diagnostics,
) -> Option<Send> {
    let mut reader = TableReader::new(file, table, span.clone(), "send", SEND_KEYS, diags);
    let id = match reader.opt_str("id", diags) {
        Some(id) if is_simple_name(&id.value) => id.value,
        Some(id) => {
            diags.error(
                file,
                id.span,
                format!(
                    "send id `{}` may use only letters, digits, `-` and `_`",
                    id.value
                ),
            );
            return None;
        }
        None => format!("send-{}", index + 1),
    };
    reader.set_what(format!("send `{id}`"));
    let mut ok = true;
    let message = reader.req_str("message", diags);
    if let Some(message) = &message {
        if !declared.messages.contains(&message.value) {
            diags.error(
                file,
                message.span.clone(),
                format!("send `{id}` refers to unknown message `{}`", message.value),
            );
            ok = false;
        }
    }
    let segment_refs = reader.req_str_list("segments", diags);
    for segment in segment_refs.iter().flatten() {
        if !declared.segments.contains(&segment.value) {
            diags.error(
                file,
                segment.span.clone(),
                format!("send `{id}` refers to unknown segment `{}`", segment.value),
            );
            ok = false;
        }
    }
    let mut channels = Vec::new();
    for channel in reader.req_str_list("channels", diags).unwrap_or_default() {
        match ChannelRef::parse(&channel.value) {
            Err(message) => {
                diags.error(file, channel.span, message.to_string());
                ok = false;
            }
            Ok(parsed) => {
                if !declared.config.accounts.contains_key(&parsed) {
                    diags.error(
                        file,
                        channel.span.clone(),
                        format!(
                            "unknown channel account `{parsed}`: no such account in {}",
                            declared.config_name
                        ),
                    );
                    ok = false;
                }
                if parsed.platform.is_paid_meta_ads() {
                    for segment in segment_refs.iter().flatten() {
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
                }
                if channels
                    .iter()
                    .any(|c: &Located<ChannelRef>| c.value == parsed)
                {
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
        }
    }
    let cron =
        reader
            .req_str("cron", diags)
            .and_then(|cron| match CronSchedule::parse(&cron.value) {
                Ok(schedule) => Some(schedule),
                Err(message) => {
                    diags.error(file, cron.span, message.to_string());
                    None
                }
            });
    let message = message?;
    let segments = segment_refs?;
    let cron = cron?;
    ok.then(|| Send {
        id,
        message: message.value,
        segments: segments.into_iter().map(|s| s.value).collect(),
        channels,
        cron,
        span,
    })
}

/// Fluent's identifier grammar: `[a-zA-Z][a-zA-Z0-9_-]*`.
pub fn is_fluent_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}
