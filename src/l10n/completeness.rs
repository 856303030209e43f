//! The completeness matrix: for every message part and every audience locale, whether
//! recipients get the text in their own language, in a fallback the segment allows, or not at
//! all (which blocks sending). It is an output in its own right, shown by `validate`, and it
//! produces the diagnostics that gate a campaign on translation completeness.

use serde::Serialize;

use super::catalog::{Catalog, Translation, translation_path};
use super::string_status::{StringState, StringStatus};
use crate::campaign::diagnostic::Diagnostics;
use crate::campaign::locale::Locale;
use crate::campaign::model::Campaign;

/// Where the text of one message part comes from for one locale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(tag = "status", content = "from", rename_all = "lowercase")]
pub enum Cell {
    /// Translated in this locale.
    Ok,
    /// Not (completely) translated; every segment using this locale falls back to the named one.
    Fallback(String),
    /// Not translated, and at least one segment has no allowed fallback.
    Missing,
}

impl Cell {
    pub fn label(&self) -> String {
        match self {
            Cell::Ok => "ok".to_string(),
            Cell::Fallback(from) => format!("→{from}"),
            Cell::Missing => "MISSING".to_string(),
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MatrixRow {
    /// The Fluent message id (`avr-intro--a`).
    pub message: String,
    /// `None` for the message's value, else the attribute name.
    pub part: Option<String>,
    pub cells: Vec<Cell>,
    /// Per locale, in the order of `locales`: how far the translation of this part has come.
    pub strings: Vec<StringState>,
}

impl MatrixRow {
    /// The row's string id, as exports and imports name it: `message` or `message.attribute`.
    pub fn string_id(&self) -> String {
        string_id(&self.message, self.part.as_deref())
    }
}

/// `message` for a message's value, `message.attribute` for one of its attributes.
pub fn string_id(message: &str, part: Option<&str>) -> String {
    match part {
        Some(part) => format!("{message}.{part}"),
        None => message.to_string(),
    }
}

/// The status the files alone show for one part in one locale: missing when the locale lacks
/// it, the source in the default locale, else a draft or translated by the file's marker.
fn file_status(
    translation: Option<&Translation>,
    default: &Locale,
    fluent_id: &str,
    part: Option<&str>,
) -> StringState {
    let Some(translation) = translation else {
        return StringState::unrecorded(StringStatus::Missing);
    };
    let present = match part {
        None => translation.message_has_value(fluent_id),
        Some(part) => translation
            .attributes(fluent_id)
            .is_some_and(|a| a.iter().any(|a| a == part)),
    };
    StringState::unrecorded(match () {
        _ if !present => StringStatus::Missing,
        _ if &translation.locale == default => StringStatus::Source,
        _ if translation.draft => StringStatus::Draft,
        _ => StringStatus::Translated,
    })
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CompletenessMatrix {
    pub campaign: String,
    pub locales: Vec<String>,
    /// Locales whose translation file is marked as a draft needing review.
    pub drafts: Vec<String>,
    pub rows: Vec<MatrixRow>,
}

impl CompletenessMatrix {
    /// Builds the matrix and reports gaps: an error for every segment locale that lacks a
    /// message with no allowed fallback, a warning where a fallback will be used.
    pub fn build(
        campaign: &Campaign,
        catalog: &Catalog,
        root: &std::path::Path,
        diags: &mut Diagnostics,
    ) -> CompletenessMatrix {
        let locales = campaign.audience_locales();
        let default = &campaign.default_locale.value;
        let default_translation = catalog.translation(default);
        if default_translation.is_none() {
            diags.error(
                &campaign.file,
                campaign.default_locale.span.clone(),
                format!(
                    "no translation file {} for the default locale `{default}`",
                    translation_path(root, default, &campaign.id).display()
                ),
            );
        }
        let mut rows = Vec::new();
        for message in &campaign.messages {
            for (_, fluent_id) in message.fluent_ids() {
                if default_translation.is_some_and(|t| !t.has_message(&fluent_id)) {
                    diags.error(
                        &campaign.file,
                        message.id.span.clone(),
                        format!(
                            "Fluent message `{fluent_id}` is not in the default locale's file {}",
                            translation_path(root, default, &campaign.id).display()
                        ),
                    );
                }
                let cells: Vec<Cell> = locales
                    .iter()
                    .map(|locale| cell_for(campaign, catalog, &fluent_id, locale))
                    .collect();
                let strings = |part: Option<&str>| -> Vec<StringState> {
                    locales
                        .iter()
                        .map(|l| file_status(catalog.translation(l), default, &fluent_id, part))
                        .collect()
                };
                rows.push(MatrixRow {
                    message: fluent_id.clone(),
                    part: None,
                    cells: cells.clone(),
                    strings: strings(None),
                });
                for attribute in catalog.reference_attributes(&fluent_id) {
                    rows.push(MatrixRow {
                        message: fluent_id.clone(),
                        part: Some(attribute.clone()),
                        cells: cells.clone(),
                        strings: strings(Some(attribute)),
                    });
                }
                report_partial_translations(catalog, &fluent_id, diags);
            }
        }
        report_segment_gaps(campaign, catalog, root, diags);
        CompletenessMatrix {
            campaign: campaign.id.clone(),
            locales: locales.iter().map(ToString::to_string).collect(),
            drafts: catalog
                .translations()
                .filter(|t| t.draft)
                .map(|t| t.locale.to_string())
                .collect(),
            rows,
        }
    }

    pub fn missing_count(&self) -> usize {
        self.rows
            .iter()
            .flat_map(|r| &r.cells)
            .filter(|c| **c == Cell::Missing)
            .count()
    }

    /// A plain table for terminals; `colour` adds ANSI colours on top of the words.
    pub fn to_table(&self, colour: bool) -> String {
        let labels: Vec<String> = self
            .rows
            .iter()
            .map(|r| match &r.part {
                None => r.message.clone(),
                Some(part) => format!("  .{part}"),
            })
            .collect();
        let first = labels
            .iter()
            .map(|l| l.chars().count())
            .max()
            .unwrap_or(0)
            .max(7);
        let headers: Vec<String> = self
            .locales
            .iter()
            .map(|l| {
                if self.drafts.contains(l) {
                    format!("{l}*")
                } else {
                    l.clone()
                }
            })
            .collect();
        let widths: Vec<usize> = headers
            .iter()
            .enumerate()
            .map(|(i, h)| {
                self.rows
                    .iter()
                    .map(|r| r.cells[i].label().chars().count())
                    .chain([h.chars().count()])
                    .max()
                    .unwrap_or(2)
            })
            .collect();
        let mut out = format!("translation completeness: {}\n", self.campaign);
        out.push_str(&format!("{:first$}", "message"));
        for (header, width) in headers.iter().zip(&widths) {
            out.push_str(&format!("  {header:width$}"));
        }
        out.push('\n');
        for (row, label) in self.rows.iter().zip(&labels) {
            out.push_str(&format!("{label:first$}"));
            for (cell, width) in row.cells.iter().zip(&widths) {
                let text = format!("{:width$}", cell.label());
                let painted = match (colour, cell) {
                    (false, _) => text,
                    (true, Cell::Ok) => format!("\x1b[32m{text}\x1b[0m"),
                    (true, Cell::Fallback(_)) => format!("\x1b[33m{text}\x1b[0m"),
                    (true, Cell::Missing) => format!("\x1b[1;31m{text}\x1b[0m"),
                };
                out.push_str("  ");
                out.push_str(&painted);
            }
            let kept = out.trim_end_matches(' ').len();
            out.truncate(kept);
            out.push('\n');
        }
        out.push_str("ok = translated, →xx = sent in fallback locale xx, MISSING = blocks sending");
        if !self.drafts.is_empty() {
            out.push_str(", * = draft translation awaiting review");
        }
        out.push('\n');
        out
    }
}

/// The cell for one message and locale, over every segment that sends in that locale.
fn cell_for(campaign: &Campaign, catalog: &Catalog, fluent_id: &str, locale: &Locale) -> Cell {
    if catalog.is_complete(fluent_id, locale) {
        return Cell::Ok;
    }
    let mut fallback_used: Option<&Locale> = None;
    for segment in campaign
        .segments
        .iter()
        .filter(|s| s.locales.iter().any(|l| &l.value == locale))
    {
        match catalog.source_locale(fluent_id, locale, segment.fallback.iter().map(|f| &f.value)) {
            Some(found) => {
                fallback_used.get_or_insert(found);
            }
            None => return Cell::Missing,
        }
    }
    fallback_used.map_or(Cell::Missing, |f| Cell::Fallback(f.to_string()))
}

/// Messages present in a locale but lacking some of the default locale's attributes, and
/// attributes the default locale does not have.
fn report_partial_translations(catalog: &Catalog, fluent_id: &str, diags: &mut Diagnostics) {
    let reference = catalog.reference_attributes(fluent_id);
    let default = catalog.default_locale();
    for translation in catalog.translations() {
        let Some(attributes) = translation.attributes(fluent_id) else {
            continue;
        };
        let span = translation.message_span(fluent_id).unwrap_or(0..0);
        let start = span.start..span.start;
        for missing in reference.iter().filter(|a| !attributes.contains(a)) {
            diags.warning(
                &translation.file,
                start.clone(),
                format!(
                    "message `{fluent_id}` lacks attribute `.{missing}` that `{default}` has; the whole message is sent from a fallback locale instead"
                ),
            );
        }
        if &translation.locale != default {
            for extra in attributes.iter().filter(|a| !reference.contains(a)) {
                diags.warning(
                    &translation.file,
                    start.clone(),
                    format!(
                        "attribute `.{extra}` of message `{fluent_id}` is not in `{default}` and is never sent"
                    ),
                );
            }
        }
        if !translation.message_has_value(fluent_id)
            && catalog
                .translation(default)
                .is_some_and(|d| d.message_has_value(fluent_id))
        {
            diags.warning(
                &translation.file,
                start,
                format!("message `{fluent_id}` has no value, only attributes"),
            );
        }
    }
}

/// Per segment and locale: which sent messages have no translation and no allowed fallback.
fn report_segment_gaps(
    campaign: &Campaign,
    catalog: &Catalog,
    root: &std::path::Path,
    diags: &mut Diagnostics,
) {
    for segment in &campaign.segments {
        let sent: Vec<String> = campaign
            .sends
            .iter()
            .filter(|send| send.segments.contains(&segment.id))
            .filter_map(|send| campaign.message(&send.message))
            .flat_map(|m| m.fluent_ids().into_iter().map(|(_, id)| id))
            .fold(Vec::new(), |mut acc, id| {
                if !acc.contains(&id) {
                    acc.push(id);
                }
                acc
            });
        for locale in &segment.locales {
            let mut missing = Vec::new();
            let mut fallen_back = Vec::new();
            for fluent_id in &sent {
                match catalog.source_locale(
                    fluent_id,
                    &locale.value,
                    segment.fallback.iter().map(|f| &f.value),
                ) {
                    None => missing.push(fluent_id.as_str()),
                    Some(found) if found != &locale.value => {
                        fallen_back.push((fluent_id.as_str(), found))
                    }
                    Some(_) => {}
                }
            }
            let file = translation_path(root, &locale.value, &campaign.id);
            if !missing.is_empty() {
                let allowed = if segment.fallback.is_empty() {
                    "the segment allows no fallback".to_string()
                } else {
                    format!(
                        "its fallback ({}) has none either",
                        segment
                            .fallback
                            .iter()
                            .map(|f| f.value.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                };
                diags.error(
                    &campaign.file,
                    locale.span.clone(),
                    format!(
                        "segment `{}` sends in `{}`, but {} has no complete translation of {} and {allowed}",
                        segment.id,
                        locale.value,
                        file.display(),
                        quote_list(&missing)
                    ),
                );
            }
            if !fallen_back.is_empty() {
                let described: Vec<String> = fallen_back
                    .iter()
                    .map(|(id, from)| format!("`{id}` in `{from}`"))
                    .collect();
                diags.warning(
                    &campaign.file,
                    locale.span.clone(),
                    format!(
                        "segment `{}` will receive {} instead of `{}` (fallback)",
                        segment.id,
                        described.join(", "),
                        locale.value
                    ),
                );
            }
        }
    }
}

fn quote_list(items: &[&str]) -> String {
    items
        .iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
