//! `/ui/campaigns/{id}/schedule`, for schedulers: the upcoming sends in UTC and in the
//! audience's own local time (the plan `herald plan` prints), and the Schedule, Pause,
//! Resume and Cancel buttons each version's state allows.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::{
    active_version, back, campaign_versions, path_segment, stamp, state_label, title, utc_text,
    with_version,
};
use crate::campaign::VersionState;
use crate::schedule::{campaign_window, slots};
use crate::web::WebState;
use crate::web::form::FormFields;
use crate::web::guard::Viewer;
use crate::web::i18n::Phrase;
use crate::web::templates::{WebError, page};

/// Upcoming sends listed at most.
const MAX_UPCOMING: usize = 50;

pub async fn show(
    State(state): State<WebState>,
    viewer: Viewer,
    Path(campaign): Path<String>,
) -> Result<Response, WebError> {
    let oops = |e: WebError| e.for_viewer(&viewer);
    let versions = campaign_versions(&state, &campaign).await.map_err(oops)?;
    let now = state.api.clock.now();
    let mut upcoming: Vec<Value> = Vec::new();
    let mut total = 0;
    let active = active_version(&versions);
    if let Some(active) = active {
        (total, upcoming) = with_version(&state, active, move |loaded| {
            let campaign = &loaded.campaign;
            let windows: Vec<_> = campaign
                .segments
                .iter()
                .map(|s| campaign_window(campaign, s))
                .collect();
            let start = windows.iter().map(|w| w.0).min().map(|s| s.max(now));
            let end = windows.iter().map(|w| w.1).max();
            let (Some(start), Some(end)) = (start, end) else {
                return (0, Vec::new());
            };
            if end <= start {
                return (0, Vec::new());
            }
            let all = slots(campaign, start, end);
            let upcoming = all
                .iter()
                .take(MAX_UPCOMING)
                .map(|slot| {
                    let channels: Vec<String> = campaign
                        .sends
                        .iter()
                        .find(|s| s.id == slot.send)
                        .map(|s| s.channels.iter().map(|c| c.value.to_string()).collect())
                        .unwrap_or_default();
                    json!({
                        "utc": stamp(slot.utc),
                        "local": slot.local.fixed_offset().to_rfc3339(),
                        "timezone": slot.timezone,
                        "segment": slot.segment,
                        "send": slot.send,
                        "channels": channels.join(", "),
                    })
                })
                .collect();
            (all.len(), upcoming)
        })
        .await
        .map_err(oops)?;
    }
    let rows: Vec<Value> = versions
        .iter()
        .rev()
        .filter(|v| {
            !matches!(
                v.state,
                VersionState::Draft | VersionState::Submitted | VersionState::Rejected
            )
        })
        .map(|v| {
            let next = v.state.next_states();
            json!({
                "hash": v.hash.as_str(),
                "short": v.hash.short(),
                "state": v.state.name(),
                "state_label": state_label(v.state),
                "active": active.is_some_and(|a| a.hash == v.hash),
                "can_schedule": v.state == VersionState::Approved,
                "can_pause": next.contains(&VersionState::Paused),
                "can_resume": v.state == VersionState::Paused,
                "can_cancel": next.contains(&VersionState::Cancelled),
            })
        })
        .collect();
    Ok(page(
        StatusCode::OK,
        &Phrase::new("title-schedule").text("campaign", campaign.clone()),
        Some(&viewer),
        "schedule",
        &json!({
            "id": campaign,
            "path": path_segment(&campaign),
            "title": versions.last().map(title).unwrap_or_default(),
            "csrf": viewer.csrf,
            "now": utc_text(&viewer, now),
            "versions": rows,
            "upcoming": upcoming,
            "total": total,
            "more": total.saturating_sub(MAX_UPCOMING),
            "active": active.map(|a| a.hash.short().to_string()),
        }),
    ))
}

async fn act(
    state: &WebState,
    viewer: &Viewer,
    hash: &str,
    form: &FormFields,
    to: VersionState,
) -> Result<Response, WebError> {
    let actor = &viewer.user.name;
    let record = match to {
        VersionState::Running => crate::api::resume_version(&state.api, hash, actor).await,
        VersionState::Cancelled => crate::api::cancel_version(&state.api, hash, actor).await,
        other => crate::api::move_to(&state.api, hash, other, actor).await,
    }
    .map_err(|e| WebError::from(e).for_viewer(viewer))?;
    Ok(back(form, &record.campaign_id).into_response())
}

/// Schedules an approved version.
pub async fn schedule(
    State(state): State<WebState>,
    viewer: Viewer,
    Path(hash): Path<String>,
    form: FormFields,
) -> Result<Response, WebError> {
    act(&state, &viewer, &hash, &form, VersionState::Scheduled).await
}

/// Pauses a scheduled or running version.
pub async fn pause(
    State(state): State<WebState>,
    viewer: Viewer,
    Path(hash): Path<String>,
    form: FormFields,
) -> Result<Response, WebError> {
    act(&state, &viewer, &hash, &form, VersionState::Paused).await
}

/// Resumes a paused version (running if its campaign has started, else scheduled).
pub async fn resume(
    State(state): State<WebState>,
    viewer: Viewer,
    Path(hash): Path<String>,
    form: FormFields,
) -> Result<Response, WebError> {
    act(&state, &viewer, &hash, &form, VersionState::Running).await
}

/// Cancels a version and its pending jobs.
pub async fn cancel(
    State(state): State<WebState>,
    viewer: Viewer,
    Path(hash): Path<String>,
    form: FormFields,
) -> Result<Response, WebError> {
    act(&state, &viewer, &hash, &form, VersionState::Cancelled).await
}
