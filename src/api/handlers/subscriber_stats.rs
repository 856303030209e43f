//! Subscriber statistics for evaluators and schedulers: the tables `herald subscribers stats`
//! prints, protected by the same code (`report::SubscriberStats`), never a single person.

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;

use crate::api::ApiState;
use crate::api::error::{ApiError, ErrorBody};
use crate::report::{DEFAULT_SUBSCRIBER_K, SubscriberStats};
use crate::store::Store;

/// The longest query string read: `k=` and a short number.
const MAX_QUERY_BYTES: usize = 64;

/// The `k` of a query string (`k=N`), or the default; anything else is refused.
pub(crate) fn threshold(query: Option<&str>) -> Result<u64, ApiError> {
    let invalid = |message: String| {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_k", message)
            .with_details(serde_json::json!({ "field": "k" }))
    };
    let query = query.unwrap_or_default();
    if query.len() > MAX_QUERY_BYTES {
        return Err(invalid("the query string is too long".into()));
    }
    let mut k = DEFAULT_SUBSCRIBER_K;
    for (name, value) in form_urlencoded::parse(query.as_bytes()) {
        if name != "k" {
            return Err(invalid(format!("unknown parameter `{name}`: use k")));
        }
        k = value
            .parse()
            .map_err(|_| invalid(format!("k `{value}` is not a whole number")))?;
    }
    Ok(k)
}

/// The protected tables at threshold `k`.
pub(crate) async fn protected_stats(state: &ApiState, k: u64) -> Result<SubscriberStats, ApiError> {
    let counts = state.store.subscriber_counts().await?;
    SubscriberStats::protect(counts, k).map_err(|error| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_k",
            error.to_string(),
        )
        .with_details(serde_json::json!({ "field": "k" }))
    })
}

/// The query of the subscriber statistics, as the OpenAPI document describes it (read by
/// [`threshold`], which refuses anything else).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // Read by the OpenAPI document only.
pub struct StatsParams {
    /// The threshold below which counts are suppressed, from 5 to 1000 (default 10).
    #[param(minimum = 5, maximum = 1000)]
    k: Option<u64>,
}

#[utoipa::path(get, path = "/api/v1/subscribers/stats", params(StatsParams),
    responses((status = 200, body = SubscriberStats),
        (status = 422, description = "An unknown parameter, or k out of range", body = ErrorBody)))]
pub async fn subscriber_stats(
    State(state): State<ApiState>,
    RawQuery(query): RawQuery,
) -> Result<impl IntoResponse, ApiError> {
    let k = threshold(query.as_deref())?;
    Ok(axum::Json(protected_stats(&state, k).await?))
}
