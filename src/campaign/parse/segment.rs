//! A campaign's `[[segments]]`: who a message is for (kind, countries, locales, time zone, age
//! band). Each field is checked on its own, so that one mistake reports every problem of the
//! segment at once.

use std::ops::Range;
use std::str::FromStr;

use chrono_tz::Tz;
use toml::de::DeTable;

use super::parse_locale;
use crate::campaign::codes;
use crate::campaign::diagnostic::{Diagnostics, SourceFile};
use crate::campaign::locale::Locale;
use crate::campaign::model::{Segment, SegmentKind};
use crate::campaign::toml_reader::{Located, TableReader, edit_distance};
use crate::channel::is_simple_name;

const SEGMENT_KEYS: &[&str] = &[
    "id",
    "kind",
    "countries",
    "locales",
    "fallback",
    "timezone",
    "age",
];

pub(super) fn parse_segment(
    file: &SourceFile,
    table: &DeTable<'_>,
    span: Range<usize>,
    diags: &mut Diagnostics,
) -> Option<Segment> {
    let mut reader = TableReader::new(file, table, span.clone(), "segment", SEGMENT_KEYS, diags);
    let id = segment_id(file, &mut reader, diags);
    let kind = segment_kind(file, &reader, diags);
    let countries = countries(file, &reader, diags);
    let locales = reader
        .req_str_list("locales", diags)
        .map(|list| locale_list(file, &list, "locales", diags));
    let fallback = reader
        .opt_str_list("fallback", diags)
        .map(|list| locale_list(file, &list, "fallback", diags))
        .unwrap_or_default();
    let timezone = time_zone(file, &reader, diags);
    let age = age_band(file, &reader, diags);
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

/// The segment's id, which names it in the reader's later messages; a malformed one is
/// reported but kept, so that sends referring to it are not reported too.
fn segment_id(
    file: &SourceFile,
    reader: &mut TableReader<'_, '_>,
    diags: &mut Diagnostics,
) -> Option<Located<String>> {
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
    id
}

fn segment_kind(
    file: &SourceFile,
    reader: &TableReader<'_, '_>,
    diags: &mut Diagnostics,
) -> Option<SegmentKind> {
    reader.req_str("kind", diags).and_then(|k| {
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
    })
}

/// The segment's ISO 3166-1 alpha-2 country codes; an unknown one is reported (with its
/// upper-case spelling where that is a code) and left out.
fn countries(
    file: &SourceFile,
    reader: &TableReader<'_, '_>,
    diags: &mut Diagnostics,
) -> Option<Vec<String>> {
    reader.req_str_list("countries", diags).map(|list| {
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
    })
}

/// The segment's IANA time zone, with the closest name as a hint when it is unknown.
fn time_zone(
    file: &SourceFile,
    reader: &TableReader<'_, '_>,
    diags: &mut Diagnostics,
) -> Option<Tz> {
    reader.req_str("timezone", diags).and_then(|tz| {
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
    })
}

/// The optional age band `[minimum, maximum]`, within 0 to 120.
fn age_band(
    file: &SourceFile,
    reader: &TableReader<'_, '_>,
    diags: &mut Diagnostics,
) -> Option<(u8, u8)> {
    reader.opt_int_list("age", diags).and_then(|range| {
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
