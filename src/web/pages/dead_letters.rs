//! `/ui/dead-letters`, for schedulers and admins: the dead letters a page at a time (as the
//! API lists them), each with the partner's words, and for schedulers a Retry button that puts
//! it back in the queue through the API's own code (same idempotency key, re-send mark kept,
//! audited).

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::{Value, json};

use super::stamp;
use crate::api::{Page, PageRequest, ended_page, job_id, retry_one};
use crate::auth::Role;
use crate::store::{DeadLetter, EndedAs};
use crate::web::WebState;
use crate::web::guard::Viewer;
use crate::web::i18n::Phrase;
use crate::web::templates::{WebError, page};

/// A page of finished jobs as the dead-letter and unknown-outcome pages show them.
pub(super) fn page_data(page: &Page<DeadLetter>, request: PageRequest, viewer: &Viewer) -> Value {
    let items: Vec<Value> = page
        .items
        .iter()
        .map(|letter| {
            json!({
                "id": letter.id,
                "campaign_id": letter.campaign_id,
                "send": letter.send,
                "segment": letter.segment,
                "locale": letter.locale,
                "channel": letter.channel,
                "slot": stamp(letter.slot),
                "attempts": letter.attempts,
                "code": letter.code,
                "text": letter.text,
                "failed_at": letter.failed_at.map(stamp),
                "may_repeat": letter.may_repeat,
            })
        })
        .collect();
    json!({
        "items": items,
        // Job ids are data, not counts: passed as text, so they are never grouped or re-digited.
        "first": page.items.first().map(|l| l.id.to_string()),
        "last": page.items.last().map(|l| l.id.to_string()),
        "after": (request.after > 0).then(|| request.after.to_string()),
        "limit": page.limit,
        "next_after": page.next_after,
        "csrf": viewer.csrf,
        "is_scheduler": viewer.has(Role::Scheduler),
    })
}

/// The page of jobs that ended as `ended` the query asks for, rendered with `template`.
pub(super) async fn list_page(
    state: &WebState,
    viewer: &Viewer,
    query: Option<&str>,
    ended: EndedAs,
    (title, template): (&'static str, &str),
) -> Result<Response, WebError> {
    let oops = |e: WebError| e.for_viewer(viewer);
    let request = PageRequest::from_query(query).map_err(|e| oops(e.into()))?;
    let listed = ended_page(&state.api, ended, request)
        .await
        .map_err(|e| oops(e.into()))?;
    Ok(page(
        StatusCode::OK,
        &Phrase::new(title),
        Some(viewer),
        template,
        &page_data(&listed, request, viewer),
    ))
}

pub async fn list(
    State(state): State<WebState>,
    viewer: Viewer,
    RawQuery(query): RawQuery,
) -> Result<Response, WebError> {
    list_page(
        &state,
        &viewer,
        query.as_deref(),
        EndedAs::Dead,
        ("title-dead-letters", "dead_letters"),
    )
    .await
}

pub async fn retry(
    State(state): State<WebState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let oops = |e: WebError| e.for_viewer(&viewer);
    let id = job_id(&id).map_err(|e| oops(e.into()))?;
    retry_one(&state.api, &viewer.user, id)
        .await
        .map_err(|e| oops(e.into()))?;
    Ok(Redirect::to("/ui/dead-letters").into_response())
}
