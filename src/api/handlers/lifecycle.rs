//! Moving a version through its life. Approval binds to the content hash and obeys the
//! four-eyes rule: nobody approves a version they authored, whatever roles they hold.

use axum::Extension;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Deserialize;
use utoipa::ToSchema;

use super::content::VersionPath;
use super::find_version;
use crate::api::ApiState;
use crate::api::authenticate::Authenticated;
use crate::api::error::{ApiError, ErrorBody};
use crate::api::responses::VersionMoved;
use crate::campaign::VersionState;
use crate::schedule::campaign_window;
use crate::store::{Store, VersionRecord};

/// An optional note with a decision (why it was rejected, what was checked).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    #[serde(default)]
    note: Option<String>,
}

/// The optional JSON body of a decision; an empty body is no note.
fn decision_note(body: &[u8]) -> Result<Option<String>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    serde_json::from_slice::<DecisionBody>(body)
        .map(|b| b.note)
        .map_err(|e| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_body",
                format!("decision body: {e}"),
            )
        })
}

fn answer(record: VersionRecord) -> impl IntoResponse {
    axum::Json(VersionMoved {
        version: record.hash,
        campaign: record.campaign_id,
        state: record.state,
    })
}

/// Moves a version through the lifecycle as `actor` (shared with the web interface).
pub(crate) async fn move_to(
    state: &ApiState,
    hash: &str,
    to: VersionState,
    actor: &str,
) -> Result<VersionRecord, ApiError> {
    let record = find_version(state, hash).await?;
    Ok(state
        .store
        .transition(&record.hash, to, state.clock.now(), actor)
        .await?)
}

#[utoipa::path(post, path = "/api/v1/versions/{hash}/submit", params(VersionPath),
    responses((status = 200, body = VersionMoved), (status = 404, body = ErrorBody),
        (status = 409, description = "Not allowed in the version's state", body = ErrorBody)))]
pub async fn submit(
    State(state): State<ApiState>,
    Extension(Authenticated(user)): Extension<Authenticated>,
    Path(hash): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    Ok(answer(
        move_to(&state, &hash, VersionState::Submitted, &user.name).await?,
    ))
}

/// An approver's decision, refused for a version the approver authored (four eyes). Shared
/// with the web interface so that both enforce the one rule.
pub(crate) async fn decide(
    state: ApiState,
    user: crate::store::UserRecord,
    hash: String,
    to: VersionState,
    note: Option<String>,
) -> Result<VersionRecord, ApiError> {
    let record = find_version(&state, &hash).await?;
    let authors = state.store.version_authors(&record.hash).await?;
    if authors.iter().any(|a| a.id == user.id) {
        return Err(ApiError::forbidden(
            "own_version",
            "you authored this version, so someone else must approve or reject it (four eyes)",
        ));
    }
    Ok(state
        .store
        .decide(&record.hash, &user, to, note.as_deref(), state.clock.now())
        .await?)
}

#[utoipa::path(post, path = "/api/v1/versions/{hash}/approve", params(VersionPath),
    request_body(content = Option<DecisionBody>, description = "An optional note; an empty body is none"),
    responses((status = 200, body = VersionMoved), (status = 404, body = ErrorBody),
        (status = 409, description = "Not allowed in the version's state", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn approve(
    State(state): State<ApiState>,
    Extension(Authenticated(user)): Extension<Authenticated>,
    Path(hash): Path<String>,
    body: axum::body::Bytes,
) -> Result<impl IntoResponse, ApiError> {
    let note = decision_note(&body)?;
    Ok(answer(
        decide(state, user, hash, VersionState::Approved, note).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/versions/{hash}/reject", params(VersionPath),
    request_body(content = Option<DecisionBody>, description = "An optional note; an empty body is none"),
    responses((status = 200, body = VersionMoved), (status = 404, body = ErrorBody),
        (status = 409, description = "Not allowed in the version's state", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn reject(
    State(state): State<ApiState>,
    Extension(Authenticated(user)): Extension<Authenticated>,
    Path(hash): Path<String>,
    body: axum::body::Bytes,
) -> Result<impl IntoResponse, ApiError> {
    let note = decision_note(&body)?;
    Ok(answer(
        decide(state, user, hash, VersionState::Rejected, note).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/versions/{hash}/schedule", params(VersionPath),
    responses((status = 200, body = VersionMoved), (status = 404, body = ErrorBody),
        (status = 409, description = "Not allowed in the version's state", body = ErrorBody)))]
pub async fn schedule(
    State(state): State<ApiState>,
    Extension(Authenticated(user)): Extension<Authenticated>,
    Path(hash): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    Ok(answer(
        move_to(&state, &hash, VersionState::Scheduled, &user.name).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/versions/{hash}/pause", params(VersionPath),
    responses((status = 200, body = VersionMoved), (status = 404, body = ErrorBody),
        (status = 409, description = "Not allowed in the version's state", body = ErrorBody)))]
pub async fn pause(
    State(state): State<ApiState>,
    Extension(Authenticated(user)): Extension<Authenticated>,
    Path(hash): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    Ok(answer(
        move_to(&state, &hash, VersionState::Paused, &user.name).await?,
    ))
}

/// Back to running if the campaign has started, else to scheduled.
#[utoipa::path(post, path = "/api/v1/versions/{hash}/resume", params(VersionPath),
    responses((status = 200, body = VersionMoved), (status = 404, body = ErrorBody),
        (status = 409, description = "Not allowed in the version's state", body = ErrorBody)))]
pub async fn resume(
    State(state): State<ApiState>,
    Extension(Authenticated(user)): Extension<Authenticated>,
    Path(hash): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    Ok(answer(resume_version(&state, &hash, &user.name).await?))
}

/// Resumes a paused version: back to running if the campaign has started, else to scheduled.
/// Shared with the web interface.
pub(crate) async fn resume_version(
    state: &ApiState,
    hash: &str,
    actor: &str,
) -> Result<VersionRecord, ApiError> {
    let record = find_version(state, hash).await?;
    let start = super::with_loaded(state, &record, |version| {
        let campaign = &version.campaign;
        campaign
            .segments
            .iter()
            .map(|s| campaign_window(campaign, s).0)
            .min()
    })
    .await?;
    let started = start.is_some_and(|start| state.clock.now() >= start);
    let to = if started {
        VersionState::Running
    } else {
        VersionState::Scheduled
    };
    Ok(state
        .store
        .transition(&record.hash, to, state.clock.now(), actor)
        .await?)
}

#[utoipa::path(post, path = "/api/v1/versions/{hash}/cancel", params(VersionPath),
    responses((status = 200, body = VersionMoved), (status = 404, body = ErrorBody),
        (status = 409, description = "Not allowed in the version's state", body = ErrorBody)))]
pub async fn cancel(
    State(state): State<ApiState>,
    Extension(Authenticated(user)): Extension<Authenticated>,
    Path(hash): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    Ok(answer(cancel_version(&state, &hash, &user.name).await?))
}

/// Cancels a version and its pending jobs. Shared with the web interface.
pub(crate) async fn cancel_version(
    state: &ApiState,
    hash: &str,
    actor: &str,
) -> Result<VersionRecord, ApiError> {
    let record = move_to(state, hash, VersionState::Cancelled, actor).await?;
    state
        .store
        .cancel_version_jobs(&record.hash, state.clock.now().timestamp_millis())
        .await?;
    Ok(record)
}
