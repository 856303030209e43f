//! Unknown outcomes (a send whose answer was lost) for schedulers and admins: a page at a time,
//! and their resolution by a scheduler once staff have checked with the partner: delivered, or
//! not delivered, which may send the message again only with a second, explicit confirmation
//! (the person may have it already if the check was wrong). The store records who and when,
//! counts the resolution on its own day so that no published figure moves, and lets one of
//! two racing resolutions win; the loser, and any later one, gets 409.

use axum::Extension;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Deserialize;

use super::dead_letters::{ended_page, job_id};
use crate::api::ApiState;
use crate::api::authenticate::Authenticated;
use crate::api::error::{ApiError, ErrorBody};
use crate::api::json::ApiJson;
use crate::api::paging::{JobPath, Page, PageParams, PageRequest};
use crate::store::{
    DeadLetter, EndedAs, Resolution, ResolveAnswer, ResolvedOutcome, Store, UserRecord,
};

#[utoipa::path(get, path = "/api/v1/unknown-outcomes", params(PageParams),
    responses((status = 200, body = Page<DeadLetter>),
        (status = 422, description = "An unknown parameter, or one out of range", body = ErrorBody)))]
pub async fn unknown_outcomes(
    State(state): State<ApiState>,
    RawQuery(query): RawQuery,
) -> Result<impl IntoResponse, ApiError> {
    let request = PageRequest::from_query(query.as_deref())?;
    Ok(axum::Json(
        ended_page(&state, EndedAs::Unknown, request).await?,
    ))
}

/// What staff found, as sent by the API or the web form.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolveRequest {
    /// `delivered` or `not_delivered`.
    #[schema(pattern = "^(delivered|not_delivered)$")]
    pub outcome: String,
    /// Send it again (only when not delivered).
    #[serde(default)]
    pub resend: bool,
    /// The second, explicit confirmation a re-send needs.
    #[serde(default)]
    pub confirm_resend: bool,
}

impl ResolveRequest {
    /// The resolution asked for, or 422 naming the field that is wrong.
    pub fn resolution(&self) -> Result<Resolution, ApiError> {
        let unprocessable = |field: &str, message: &str| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_resolution",
                message,
            )
            .with_details(serde_json::json!({ "field": field }))
        };
        match (self.outcome.as_str(), self.resend, self.confirm_resend) {
            ("delivered", false, false) => Ok(Resolution::Delivered),
            ("delivered", _, _) => Err(unprocessable(
                "resend",
                "a message the partner delivered is never sent again",
            )),
            ("not_delivered", false, _) => Ok(Resolution::NotDelivered),
            ("not_delivered", true, true) => Ok(Resolution::NotDeliveredResent),
            ("not_delivered", true, false) => Err(unprocessable(
                "confirm_resend",
                "nothing was resolved: sending it again needs confirm_resend (the person may have the message already if the partner's answer was wrong)",
            )),
            _ => Err(unprocessable(
                "outcome",
                "outcome must be `delivered` or `not_delivered`",
            )),
        }
    }
}

/// Resolves one unknown outcome as `user`; the API and the web form both come here.
pub(crate) async fn resolve_one(
    state: &ApiState,
    user: &UserRecord,
    id: i64,
    request: &ResolveRequest,
) -> Result<ResolvedOutcome, ApiError> {
    let resolution = request.resolution()?;
    let answer = state
        .store
        .resolve_unknown(
            id,
            resolution,
            &user.name,
            state.clock.now().timestamp_millis(),
        )
        .await?;
    match answer {
        ResolveAnswer::Resolved(resolved) => {
            tracing::info!(
                job = id,
                by = %user.name,
                resolution = resolution.name(),
                "an unknown outcome was resolved"
            );
            Ok(resolved)
        }
        ResolveAnswer::NoSuchJob => Err(ApiError::not_found(format!("no job {id}"))),
        ResolveAnswer::AlreadyResolved { resolution, by, at } => Err(ApiError::new(
            StatusCode::CONFLICT,
            "already_resolved",
            format!(
                "job {id} was resolved already, as {}, by {by}{}; the first resolution stands",
                resolution.replace('_', " "),
                at.map(|at| format!(" at {}", at.format("%Y-%m-%d %H:%M UTC")))
                    .unwrap_or_default()
            ),
        )),
        ResolveAnswer::NotUnknown { status } => Err(ApiError::new(
            StatusCode::CONFLICT,
            "not_unknown",
            format!("job {id} is {status}, not an unknown outcome: there is nothing to resolve"),
        )),
    }
}

#[utoipa::path(post, path = "/api/v1/unknown-outcomes/{id}/resolve", params(JobPath),
    request_body = ResolveRequest,
    responses((status = 200, body = ResolvedOutcome), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "Resolved already, or not an unknown outcome", body = ErrorBody),
        (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn resolve_unknown_outcome(
    State(state): State<ApiState>,
    Extension(Authenticated(user)): Extension<Authenticated>,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<ResolveRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let id = job_id(&id)?;
    Ok(axum::Json(resolve_one(&state, &user, id, &request).await?))
}
