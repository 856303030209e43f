//! Dead letters for schedulers and admins: a page at a time, and a retry that puts one back in
//! the queue. The retry keeps the job's row, so it goes out with the same idempotency key, and
//! keeps its re-send mark (`may_repeat`), so `herald deadletter list --resent` still shows a
//! person who may have the message twice. Audited with the scheduler's name.

use axum::Extension;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;

use crate::api::ApiState;
use crate::api::authenticate::Authenticated;
use crate::api::error::{ApiError, ErrorBody};
use crate::api::paging::{JobPath, Page, PageParams, PageRequest};
use crate::api::responses::Retried;
use crate::store::{DeadLetter, EndedAs, Store, UserRecord};

/// One page of the jobs that ended as `ended`, in id order.
pub(crate) async fn ended_page(
    state: &ApiState,
    ended: EndedAs,
    request: PageRequest,
) -> Result<Page<DeadLetter>, ApiError> {
    let read = state
        .store
        .jobs_ended_as_page(ended, request.after, request.read_limit())
        .await?;
    Ok(Page::of(read, request, |letter| letter.id))
}

/// A job id from a path: a positive whole number, or 404.
pub(crate) fn job_id(text: &str) -> Result<i64, ApiError> {
    text.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| ApiError::not_found(format!("no job `{text}`")))
}

#[utoipa::path(get, path = "/api/v1/dead-letters", params(PageParams),
    responses((status = 200, body = Page<DeadLetter>),
        (status = 422, description = "An unknown parameter, or one out of range", body = ErrorBody)))]
pub async fn dead_letters(
    State(state): State<ApiState>,
    RawQuery(query): RawQuery,
) -> Result<impl IntoResponse, ApiError> {
    let request = PageRequest::from_query(query.as_deref())?;
    Ok(axum::Json(
        ended_page(&state, EndedAs::Dead, request).await?,
    ))
}

/// Puts one dead letter back in the queue, due now, with a fresh attempt count.
pub(crate) async fn retry_one(
    state: &ApiState,
    user: &UserRecord,
    id: i64,
) -> Result<(), ApiError> {
    let retried = state
        .store
        .retry_dead(
            Some(&[id]),
            &user.name,
            state.clock.now().timestamp_millis(),
        )
        .await?;
    if retried == 0 {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "not_dead_letter",
            format!("job {id} is not a dead letter (it was retried already, or never failed)"),
        ));
    }
    tracing::info!(job = id, by = %user.name, "a dead letter was put back in the queue");
    Ok(())
}

#[utoipa::path(post, path = "/api/v1/dead-letters/{id}/retry", params(JobPath),
    responses((status = 200, body = Retried), (status = 404, body = ErrorBody),
        (status = 409, description = "Not a dead letter (any more)", body = ErrorBody)))]
pub async fn retry_dead_letter(
    State(state): State<ApiState>,
    Extension(Authenticated(user)): Extension<Authenticated>,
    Path(id): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let id = job_id(&id)?;
    retry_one(&state, &user, id).await?;
    Ok(axum::Json(Retried {
        id,
        status: "queued".into(),
    }))
}
