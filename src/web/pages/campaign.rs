//! `/ui/campaigns/{id}`: the versions with who wrote and who decided them, Submit for authors,
//! Approve and Reject for approvers (or why they are not offered: the four-eyes rule), the
//! translation-completeness matrix, and every text as its audience will receive it.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{TimeZone, Utc};
use serde_json::{Value, json};

use super::preview::preview_html;
use super::{
    back, campaign_versions, path_segment, stamp, state_label, title, utc_text, with_version,
};
use crate::auth::Role;
use crate::campaign::VersionState;
use crate::campaign::diagnostic::Diagnostics;
use crate::l10n::{Cell, CompletenessMatrix, StringStatus};
use crate::render::{PreviewFilter, PreviewItem, Renderer, preview_items};
use crate::store::{Store, VersionRecord};
use crate::web::WebState;
use crate::web::form::FormFields;
use crate::web::guard::Viewer;
use crate::web::i18n::Phrase;
use crate::web::templates::{WebError, page};

pub async fn show(
    State(state): State<WebState>,
    viewer: Viewer,
    Path(campaign): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let oops = |e: WebError| e.for_viewer(&viewer);
    let versions = campaign_versions(&state, &campaign).await.map_err(oops)?;
    let mut rows = Vec::new();
    for version in versions.iter().rev() {
        rows.push(version_row(&state, &viewer, version).await.map_err(oops)?);
    }
    let focused = query
        .get("version")
        .and_then(|h| versions.iter().find(|v| v.hash.as_str() == h))
        .or_else(|| versions.last())
        .ok_or_else(|| oops(WebError::not_found(Phrase::new("error-no-campaign"))))?;
    let (mut matrix, items) = matrix_and_previews(&state, focused).await.map_err(oops)?;
    let records = state
        .api
        .store
        .translation_strings(&campaign)
        .await
        .map_err(|e| oops(e.into()))?;
    crate::translation::annotate_matrix(&mut matrix, &focused.bundle.translations, &records);
    let title = title(focused);
    Ok(page(
        StatusCode::OK,
        &Phrase::new("title-campaign").text("campaign", campaign.clone()),
        Some(&viewer),
        "campaign",
        &json!({
            "id": campaign,
            "path": path_segment(&campaign),
            "title": title,
            "csrf": viewer.csrf,
            "versions": rows,
            "focused": focused.hash.short(),
            "locales": matrix.locales,
            "drafts": matrix.drafts,
            "matrix": matrix_rows(&matrix, focused.hash.as_str()),
            "exports": exports(&matrix, focused.hash.as_str()),
            "missing": matrix.missing_count(),
            "previews": previews(&items),
            "is_scheduler": viewer.has(Role::Scheduler),
            "is_operator": viewer.has(Role::Scheduler) || viewer.has(Role::Admin),
        }),
    ))
}

/// The focused version's translation-completeness matrix and every text it renders, worked
/// out from the loaded version.
async fn matrix_and_previews(
    state: &WebState,
    focused: &VersionRecord,
) -> Result<(CompletenessMatrix, Vec<PreviewItem>), WebError> {
    let public_url = state.api.config.public_url.clone();
    let hash = focused.hash.clone();
    with_version(state, focused, move |loaded| {
        let mut diags = Diagnostics::default();
        let matrix = CompletenessMatrix::build(
            &loaded.campaign,
            &loaded.catalog,
            std::path::Path::new(""),
            &mut diags,
        );
        let mut renderer = Renderer::new(&loaded.layouts);
        let items = preview_items(
            &hash,
            &loaded.campaign,
            &loaded.catalog,
            &public_url,
            &mut renderer,
            &PreviewFilter::default(),
        );
        (matrix, items)
    })
    .await
}

/// A row per message (or message part), a cell per locale: translated, falling back, missing,
/// with the string's status and who last changed it; a missing string links to the download
/// of the locale's missing strings.
fn matrix_rows(matrix: &CompletenessMatrix, hash: &str) -> Vec<Value> {
    matrix
        .rows
        .iter()
        .map(|row| {
            let label = row.string_id();
            let cells: Vec<Value> = row
                .cells
                .iter()
                .zip(&row.strings)
                .zip(&matrix.locales)
                .map(|((cell, string), locale)| {
                    let (class, text, from) = match cell {
                        Cell::Ok => ("ok", "cell-translated", None),
                        Cell::Fallback(from) => {
                            ("fallback", "cell-falls-back", Some(from.to_string()))
                        }
                        Cell::Missing => ("missing", "cell-missing", None),
                    };
                    let status = string.status;
                    json!({
                        "class": class,
                        "text": text,
                        "from": from,
                        "locale": locale,
                        "status": status.name(),
                        "status_phrase": format!("string-status-{}", status.name()),
                        "changed_by": string.changed_by,
                        "changed_at": string.changed_at_ms
                            .and_then(|ms| Utc.timestamp_millis_opt(ms).single())
                            .map(stamp),
                        "missing_link": (status == StringStatus::Missing).then(|| format!(
                            "/ui/versions/{hash}/translations/{}?only=missing",
                            path_segment(locale)
                        )),
                    })
                })
                .collect();
            json!({"label": label, "cells": cells})
        })
        .collect()
}

/// Download links for every translated locale (the default locale is the source).
fn exports(matrix: &CompletenessMatrix, hash: &str) -> Vec<Value> {
    matrix
        .locales
        .iter()
        .enumerate()
        .filter(|(i, _)| {
            !matrix.rows.iter().any(|r| {
                r.strings
                    .get(*i)
                    .is_some_and(|s| s.status == StringStatus::Source)
            })
        })
        .map(|(_, locale)| {
            let base = format!("/ui/versions/{hash}/translations/{}", path_segment(locale));
            json!({
                "locale": locale,
                "xliff": base,
                "fluent": format!("{base}?format=fluent"),
            })
        })
        .collect()
}

/// Each text as its audience will receive it, with its length against the platform's limit.
fn previews(items: &[PreviewItem]) -> Vec<Value> {
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            json!({
                "id": format!("preview-{i}"),
                "send": item.send,
                "segment": item.segment,
                "locale": item.locale,
                "source_locale": item.source_locale,
                "fallback": item.source_locale != item.locale,
                "direction": item.direction,
                "rtl": item.direction == "rtl",
                "channel": item.channel,
                "variant": item.variant,
                "html": preview_html(&item.channel, &item.text),
                "length": item.length,
                "limit": item.limit,
                "over": item.limit.is_some_and(|l| item.length > l),
            })
        })
        .collect()
}

/// One version with its authors, decisions, and the actions the viewer may take on it.
async fn version_row(
    state: &WebState,
    viewer: &Viewer,
    version: &VersionRecord,
) -> Result<Value, WebError> {
    let authors = state.api.store.version_authors(&version.hash).await?;
    let decisions: Vec<Value> = state
        .api
        .store
        .decisions(&version.hash)
        .await?
        .into_iter()
        .map(|d| {
            json!({
                "user": d.user,
                "decision": d.decision,
                "decision_label": format!("state-{}", d.decision),
                "note": d.note,
                "at": Utc.timestamp_millis_opt(d.at_ms).single().map(stamp),
            })
        })
        .collect();
    let authored = authors.iter().any(|a| a.id == viewer.user.id);
    let submitted = version.state == VersionState::Submitted;
    let can_decide = submitted && viewer.has(Role::Approver) && !authored;
    let why_not = if !submitted {
        None
    } else if !viewer.has(Role::Approver) {
        Some("campaign-why-not-role")
    } else if authored {
        Some("campaign-why-not-author")
    } else {
        None
    };
    Ok(json!({
        "hash": version.hash.as_str(),
        "short": version.hash.short(),
        "state": version.state.name(),
        "state_label": state_label(version.state),
        "created": utc_text(viewer, version.created_at),
        "updated": utc_text(viewer, version.updated_at),
        "authors": authors.iter().map(|a| a.name.clone()).collect::<Vec<_>>(),
        "decisions": decisions,
        "can_submit": version.state == VersionState::Draft && viewer.has(Role::Author),
        "can_decide": can_decide,
        "why_not": why_not,
    }))
}

/// An author sends a draft for approval.
pub async fn submit(
    State(state): State<WebState>,
    viewer: Viewer,
    Path(hash): Path<String>,
    form: FormFields,
) -> Result<Response, WebError> {
    let record = crate::api::move_to(
        &state.api,
        &hash,
        VersionState::Submitted,
        &viewer.user.name,
    )
    .await
    .map_err(|e| WebError::from(e).for_viewer(&viewer))?;
    Ok(back(&form, &record.campaign_id).into_response())
}

/// Approves a submitted version; the API's rule refuses one the viewer authored.
pub async fn approve(
    state: State<WebState>,
    viewer: Viewer,
    hash: Path<String>,
    form: FormFields,
) -> Result<Response, WebError> {
    decide(state, viewer, hash, form, VersionState::Approved).await
}

/// Rejects a submitted version (same rule as approving).
pub async fn reject(
    state: State<WebState>,
    viewer: Viewer,
    hash: Path<String>,
    form: FormFields,
) -> Result<Response, WebError> {
    decide(state, viewer, hash, form, VersionState::Rejected).await
}

async fn decide(
    State(state): State<WebState>,
    viewer: Viewer,
    Path(hash): Path<String>,
    form: FormFields,
    to: VersionState,
) -> Result<Response, WebError> {
    let note = form
        .get("note")
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(|n| n.chars().take(2000).collect::<String>());
    let record = crate::api::decide(state.api.clone(), viewer.user.clone(), hash, to, note)
        .await
        .map_err(|e| WebError::from(e).for_viewer(&viewer))?;
    Ok(back(&form, &record.campaign_id).into_response())
}
