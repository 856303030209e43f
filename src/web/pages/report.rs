//! `/ui/campaigns/{id}/report`, for evaluators: the reach report exactly as
//! `herald report --format html` draws it (its charts and tables, embedded), protected under the
//! deployment's publication policy in its default period and breakdown, as the API does, and downloads of it as CSV and HTML.

use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::{campaign_versions, path_segment};
use crate::report::{Report, to_csv, to_html};
use crate::web::WebState;
use crate::web::guard::Viewer;
use crate::web::templates::{WebError, page};

async fn report(state: &WebState, viewer: &Viewer, campaign: &str) -> Result<Report, WebError> {
    campaign_versions(state, campaign)
        .await
        .map_err(|e| e.for_viewer(viewer))?;
    crate::api::protected_report(&state.api, campaign)
        .await
        .map_err(|e| WebError::from(e).for_viewer(viewer))
}

/// The body of the stand-alone HTML report, without its page head and its heading (the
/// page has its own).
fn report_body(html: &str) -> &str {
    let start = html.find("<body>").map(|i| i + "<body>".len()).unwrap_or(0);
    let end = html.rfind("</body>").unwrap_or(html.len());
    let body = html.get(start..end).unwrap_or_default();
    match body.find("</h1>") {
        Some(i) if body.trim_start().starts_with("<h1>") => &body[i + "</h1>".len()..],
        _ => body,
    }
}

pub async fn show(
    State(state): State<WebState>,
    viewer: Viewer,
    Path(campaign): Path<String>,
) -> Result<Response, WebError> {
    let report = report(&state, &viewer, &campaign).await?;
    let html = to_html(&report);
    Ok(page(
        StatusCode::OK,
        &format!("Reach report: {campaign}"),
        Some(&viewer),
        "report",
        &json!({
            "id": campaign,
            "path": path_segment(&campaign),
            "report": report_body(&html),
        }),
    ))
}

fn download(campaign: &str, extension: &str, content_type: &str, body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"reach-{}.{extension}\"",
                    path_segment(campaign)
                ),
            ),
        ],
        body,
    )
        .into_response()
}

/// The report as CSV, to download.
pub async fn csv(
    State(state): State<WebState>,
    viewer: Viewer,
    Path(campaign): Path<String>,
) -> Result<Response, WebError> {
    let report = report(&state, &viewer, &campaign).await?;
    Ok(download(
        &campaign,
        "csv",
        "text/csv; charset=utf-8",
        to_csv(&report),
    ))
}

/// The stand-alone HTML report, to download.
pub async fn html(
    State(state): State<WebState>,
    viewer: Viewer,
    Path(campaign): Path<String>,
) -> Result<Response, WebError> {
    let report = report(&state, &viewer, &campaign).await?;
    Ok(download(
        &campaign,
        "html",
        "text/html; charset=utf-8",
        to_html(&report),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_body_is_embedded_without_its_head() {
        assert_eq!(
            report_body(
                "<html><head><style>x</style></head><body><h1>R</h1><p>t</p></body></html>"
            ),
            "<p>t</p>"
        );
    }
}
