//! `/ui/unknown-outcomes`, for schedulers and admins: the sends whose answer was lost, a page
//! at a time, and for schedulers a form per job to resolve it once they have checked with the
//! partner. Sending it again takes two ticks (“send it again” and the confirmation that the
//! person may get it twice); without the second the page says nothing was resolved. The
//! resolution goes through the API's own code (recorded with who and when, counted on its own
//! day, audited, refused a second time).

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use super::dead_letters::list_page;
use super::utc_text;
use crate::api::{ResolveRequest, job_id, resolve_one};
use crate::store::{EndedAs, Resolution};
use crate::web::WebState;
use crate::web::form::FormFields;
use crate::web::guard::Viewer;
use crate::web::i18n::{Phrase, Place, date_text};
use crate::web::templates::{WebError, page};

pub async fn list(
    State(state): State<WebState>,
    viewer: Viewer,
    RawQuery(query): RawQuery,
) -> Result<Response, WebError> {
    list_page(
        &state,
        &viewer,
        query.as_deref(),
        EndedAs::Unknown,
        ("title-unknown-outcomes", "unknown_outcomes"),
    )
    .await
}

pub async fn resolve(
    State(state): State<WebState>,
    viewer: Viewer,
    Path(id): Path<String>,
    form: FormFields,
) -> Result<Response, WebError> {
    let oops = |e: WebError| e.for_viewer(&viewer);
    let id = job_id(&id).map_err(|e| oops(e.into()))?;
    let ticked = |name: &str| form.get(name) == Some("yes");
    let request = ResolveRequest {
        outcome: form.get("outcome").unwrap_or_default().to_string(),
        resend: ticked("resend"),
        confirm_resend: ticked("confirm_resend"),
    };
    let resolved = resolve_one(&state.api, &viewer.user, id, &request)
        .await
        .map_err(|e| oops(e.into()))?;
    let outcome = match (resolved.resolution, &resolved.counted_on) {
        (Resolution::NotDeliveredResent, _) => Some("resolved-resent"),
        (Resolution::Delivered, Some(_)) => Some("resolved-counted-sent"),
        (_, Some(_)) => Some("resolved-counted-failed"),
        (_, None) => None,
    };
    let resolution = match resolved.resolution {
        Resolution::Delivered => "resolution-delivered",
        Resolution::NotDelivered => "resolution-not-delivered",
        Resolution::NotDeliveredResent => "resolution-not-delivered-resent",
    };
    let day = resolved.counted_on.as_ref().map(|day| {
        match chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d") {
            Ok(date) => date_text(viewer.language, date),
            Err(_) => day.clone(),
        }
    });
    Ok(page(
        StatusCode::OK,
        &Phrase::new("title-resolved"),
        Some(&viewer),
        "resolved",
        &json!({
            "id": resolved.id.to_string(),
            "campaign": resolved.campaign_id,
            "resolution": Phrase::new(resolution).render(viewer.language, Place::Text),
            "by": resolved.by,
            "at": utc_text(&viewer, resolved.at),
            "outcome": outcome,
            "day": day,
        }),
    ))
}
