//! `/ui/campaigns/{id}/dispatch`, for schedulers and admins: the outbox per channel (queued,
//! being sent, sent, failed, unknown, cancelled), which accounts wait for credentials (their
//! jobs stay queued until an admin stores them), Pause and Resume, and the kill switch, which
//! acts only when "I understand" is ticked.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::{active_version, back, campaign_versions, path_segment, state_label, title, utc_text};
use crate::auth::Role;
use crate::campaign::VersionState;
use crate::platforms::{stored_names, waiting_accounts};
use crate::store::Store;
use crate::web::WebState;
use crate::web::form::FormFields;
use crate::web::guard::Viewer;
use crate::web::i18n::Phrase;
use crate::web::templates::{WebError, page};

/// The columns shown (their name in the page's data, and their heading's message id), and
/// the outbox statuses counted in each.
const COLUMNS: &[(&str, &str, &[&str])] = &[
    ("queued", "dispatch-col-queued", &["queued", "leased"]),
    ("sending", "dispatch-col-sending", &["sending"]),
    ("sent", "dispatch-col-sent", &["sent"]),
    ("failed (dead)", "dispatch-col-dead", &["dead", "failed"]),
    ("unknown", "dispatch-col-unknown", &["unknown"]),
    ("cancelled", "dispatch-col-cancelled", &["cancelled"]),
];

pub async fn show(
    State(state): State<WebState>,
    viewer: Viewer,
    Path(campaign): Path<String>,
) -> Result<Response, WebError> {
    let oops = |e: WebError| e.for_viewer(&viewer);
    let versions = campaign_versions(&state, &campaign).await.map_err(oops)?;
    let store = &state.api.store;
    let killed = store
        .is_killed(&campaign)
        .await
        .map_err(|e| oops(e.into()))?;
    let active = active_version(&versions).or_else(|| versions.last());
    let rows = store.account_secrets().await.map_err(|e| oops(e.into()))?;
    let waiting: BTreeMap<String, Vec<&str>> = waiting_accounts(
        state.api.config.accounts.values(),
        &stored_names(&rows),
        state.api.rehearsing,
    )
    .into_iter()
    .collect();
    let mut channels: Vec<Value> = Vec::new();
    if let Some(active) = active {
        let mut counts: BTreeMap<String, BTreeMap<String, i64>> = BTreeMap::new();
        for (channel, status, count) in store
            .job_counts(&active.hash)
            .await
            .map_err(|e| oops(e.into()))?
        {
            *counts
                .entry(channel)
                .or_default()
                .entry(status)
                .or_default() += count;
        }
        for (channel, by_status) in counts {
            let cells: Vec<Value> = COLUMNS
                .iter()
                .map(|(label, _, statuses)| {
                    let n: i64 = statuses.iter().filter_map(|s| by_status.get(*s)).sum();
                    json!({"label": label, "count": n})
                })
                .collect();
            let known: Vec<&str> = COLUMNS
                .iter()
                .flat_map(|(_, _, s)| s.iter().copied())
                .collect();
            let other: i64 = by_status
                .iter()
                .filter(|(s, _)| !known.contains(&s.as_str()))
                .map(|(_, n)| n)
                .sum();
            let waiting_for = waiting.get(&channel).map(|missing| missing.join(", "));
            channels.push(json!({"channel": channel, "cells": cells, "other": other, "waiting_for": waiting_for}));
        }
    }
    let scheduler = viewer.has(Role::Scheduler);
    Ok(page(
        StatusCode::OK,
        &Phrase::new("title-dispatch").text("campaign", campaign.clone()),
        Some(&viewer),
        "dispatch",
        &json!({
            "id": campaign,
            "path": path_segment(&campaign),
            "title": versions.last().map(title).unwrap_or_default(),
            "csrf": viewer.csrf,
            "now": utc_text(&viewer, state.api.clock.now()),
            "killed": killed,
            "columns": COLUMNS.iter().map(|(_, id, _)| *id).collect::<Vec<_>>(),
            "channels": channels,
            "version": active.map(|a| json!({
                "hash": a.hash.as_str(),
                "short": a.hash.short(),
                "state": a.state.name(),
                "state_label": state_label(a.state),
                "can_pause": a.state.next_states().contains(&VersionState::Paused),
                "can_resume": a.state == VersionState::Paused,
            })),
            "is_scheduler": scheduler,
        }),
    ))
}

/// The kill switch: stops every pending job and retry of the campaign, but only when the
/// confirmation box was ticked.
pub async fn kill(
    State(state): State<WebState>,
    viewer: Viewer,
    Path(campaign): Path<String>,
    form: FormFields,
) -> Result<Response, WebError> {
    let oops = |e: WebError| e.for_viewer(&viewer);
    campaign_versions(&state, &campaign).await.map_err(oops)?;
    if form.get("confirm") != Some("yes") {
        return Err(oops(WebError::new(
            StatusCode::BAD_REQUEST,
            Phrase::new("error-kill-unconfirmed"),
        )));
    }
    let cancelled = state
        .api
        .store
        .kill_campaign(
            &campaign,
            &viewer.user.name,
            state.api.clock.now().timestamp_millis(),
        )
        .await
        .map_err(|e| oops(e.into()))?;
    tracing::warn!(campaign = %campaign, cancelled, "kill switch used from the web interface");
    Ok(back(&form, &campaign).into_response())
}
