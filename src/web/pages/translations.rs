//! `/ui/versions/{hash}/translations/{locale}`: a locale's strings as a file to download, the
//! link the completeness matrix gives for each missing string. XLIFF 2.0 by default (only the
//! missing strings with `only=missing`), or the locale's Fluent file with the missing strings
//! commented out at its end (`format=fluent`). Built by the API's own export.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::translation::{Selection, to_fluent, to_xliff};
use crate::web::WebState;
use crate::web::guard::Viewer;
use crate::web::templates::WebError;

pub async fn download(
    State(state): State<WebState>,
    viewer: Viewer,
    Path((hash, locale)): Path<(String, String)>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let strings = crate::api::exported_strings(&state.api, &hash, &locale)
        .await
        .map_err(|e| WebError::from(e).for_viewer(&viewer))?;
    let selection = match query.get("only").map(String::as_str) {
        Some("missing") => Selection::Missing,
        _ => Selection::All,
    };
    let (body, extension, content_type) = match query.get("format").map(String::as_str) {
        Some("fluent") => (
            to_fluent(&strings).target,
            "ftl",
            "text/plain; charset=utf-8",
        ),
        _ => (
            to_xliff(&strings, selection),
            "xlf",
            "application/xliff+xml; charset=utf-8",
        ),
    };
    // Campaign ids and locale tags are plain names, safe in a header.
    let file_name = format!("{}.{}.{extension}", strings.campaign, strings.target_locale);
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
        ],
        body,
    )
        .into_response())
}
