//! Web sessions for admins: who is signed in to the web interface, since when, last seen when,
//! until when; and ending one (audited). A session is named by its public id, never by the
//! cookie's secret, which herald does not have (only its hash).

use axum::Extension;
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use utoipa::IntoParams;

use crate::api::ApiState;
use crate::api::authenticate::Authenticated;
use crate::api::error::{ApiError, ErrorBody};
use crate::api::responses::{SessionEnded, SessionList};
use crate::store::Store;

/// Every live session, by user and age.
#[utoipa::path(get, path = "/api/v1/sessions", responses((status = 200, body = SessionList)))]
pub async fn sessions(State(state): State<ApiState>) -> Result<impl IntoResponse, ApiError> {
    let now = state.clock.now().timestamp_millis();
    let sessions = state.store.live_sessions(now).await?;
    Ok(axum::Json(SessionList { sessions }))
}

/// A web session named by its public id.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)] // Read by the OpenAPI document only; handlers take the path as text.
pub struct SessionPath {
    /// The session's public id (never the cookie's secret).
    session: String,
}

/// Ends a session: the next request with its cookie is sent to the sign-in page.
#[utoipa::path(delete, path = "/api/v1/sessions/{session}", params(SessionPath),
    responses((status = 200, body = SessionEnded), (status = 404, body = ErrorBody)))]
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
        Some(user) => Ok(axum::Json(SessionEnded { ended: id, user })),
        None => Err(ApiError::not_found(format!("no session {id}"))),
    }
}
