//! `/ui`: every campaign, its versions' states and when it sends next, with links to the
//! pages the viewer's roles open.

use std::collections::BTreeMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use super::{next_send, path_segment, stamp, state_label, title};
use crate::auth::Role;
use crate::campaign::VersionState;
use crate::store::{Store, VersionRecord};
use crate::web::WebState;
use crate::web::guard::Viewer;
use crate::web::i18n::Phrase;
use crate::web::templates::{WebError, page};

pub async fn list(State(state): State<WebState>, viewer: Viewer) -> Result<Response, WebError> {
    let all = state
        .api
        .store
        .versions_in_states(&VersionState::ALL)
        .await
        .map_err(|e| WebError::from(e).for_viewer(&viewer))?;
    let mut by_campaign: BTreeMap<String, Vec<VersionRecord>> = BTreeMap::new();
    for version in all {
        by_campaign
            .entry(version.campaign_id.clone())
            .or_default()
            .push(version);
    }
    let content = viewer.user.roles.iter().any(|r| *r != Role::Evaluator);
    let mut rows = Vec::new();
    for (id, mut versions) in by_campaign {
        versions.sort_by_key(|v| v.created_at);
        let next = next_send(&state, &versions)
            .await
            .map_err(|e| e.for_viewer(&viewer))?;
        let title = versions.last().map(title).unwrap_or_default();
        rows.push(json!({
            "id": id,
            "path": path_segment(&id),
            "title": title,
            "versions": versions.iter().rev().map(|v| json!({
                "short": v.hash.short(),
                "state": v.state.name(),
                "state_label": state_label(v.state),
            })).collect::<Vec<_>>(),
            "next_send": next.map(stamp),
        }));
    }
    Ok(page(
        StatusCode::OK,
        &Phrase::new("title-campaigns"),
        Some(&viewer),
        "campaigns",
        &json!({
            "campaigns": rows,
            "can_read_content": content,
            "is_scheduler": viewer.has(Role::Scheduler),
            "is_operator": viewer.has(Role::Scheduler) || viewer.has(Role::Admin),
            "is_evaluator": viewer.has(Role::Evaluator),
        }),
    ))
}
