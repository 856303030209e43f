//! Web sessions for admins: who is signed in to the web interface, since when, last seen when,
//! until when; and ending one (audited). A session is named by its public id, never by the
//! cookie's secret, which herald does not have (only its hash).

use axum::Extension;
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use serde_json::json;

use crate::api::ApiState;
use crate::api::authenticate::Authenticated;
use crate::api::error::ApiError;
use crate::store::Store;

/// Every live session, by user and age.
pub async fn sessions(State(state): State<ApiState>) -> Result<impl IntoResponse, ApiError> {
    let now = state.clock.now().timestamp_millis();
    let sessions = state.store.live_sessions(now).await?;
    Ok(axum::Json(json!({ "sessions": sessions })))
}

/// Ends a session: the next request with its cookie is sent to the sign-in page.
pub async fn end_session(
    State(state): State<ApiState>,
    Extension(Authenticated(admin)): Extension<Authenticated>,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    if id.is_empty() || id.len() > 64 || !id.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(ApiError::not_found("no such session"));
    }
    let now = state.clock.now().timestamp_millis();
    match state.store.end_session_by(&id, &admin.name, now).await? {
        Some(user) => Ok(axum::Json(json!({ "ended": id, "user": user }))),
        None => Err(ApiError::not_found(format!("no session {id}"))),
    }
}
