//! `/ui/subscribers`, for evaluators and schedulers: how many people follow each messaging
//! channel, by segment and locale, protected by the same code as `herald subscribers stats`
//! and the API (`report::SubscriberStats`), with the threshold k to choose (never below 5).

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use crate::api::{protected_stats, threshold};
use crate::report::{MAX_SUBSCRIBER_K, MIN_SUBSCRIBER_K, SubscriberStats};
use crate::web::WebState;
use crate::web::guard::Viewer;
use crate::web::i18n::Phrase;
use crate::web::templates::{WebError, page};

pub async fn show(
    State(state): State<WebState>,
    viewer: Viewer,
    RawQuery(query): RawQuery,
) -> Result<Response, WebError> {
    let oops = |e: WebError| e.for_viewer(&viewer);
    let k = threshold(query.as_deref()).map_err(|e| oops(e.into()))?;
    let stats = protected_stats(&state.api, k)
        .await
        .map_err(|e| oops(e.into()))?;
    let channels: Vec<serde_json::Value> = stats
        .channels
        .iter()
        .map(|channel| {
            let mut lines = SubscriberStats::lines(&channel.table);
            let header = if lines.is_empty() {
                Vec::new()
            } else {
                lines.remove(0)
            };
            json!({"channel": channel.channel, "header": header, "rows": lines})
        })
        .collect();
    Ok(page(
        StatusCode::OK,
        &Phrase::new("title-subscribers"),
        Some(&viewer),
        "subscribers",
        &json!({
            "k": stats.k,
            "min_k": MIN_SUBSCRIBER_K,
            "max_k": MAX_SUBSCRIBER_K,
            "channels": channels,
            "legend": stats.legend(),
        }),
    ))
}
