//! Running campaigns: the kill switch, dispatch status and the audit log.

use std::collections::BTreeMap;

use axum::Extension;
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use utoipa::IntoParams;

use super::content::VersionPath;
use super::find_version;
use crate::api::ApiState;
use crate::api::authenticate::Authenticated;
use crate::api::error::{ApiError, ErrorBody};
use crate::api::query::ApiQuery;
use crate::api::responses::{AuditLog, DispatchStatus, Killed};
use crate::store::Store;

/// Stops every pending job and retry of a campaign, now and later.
#[utoipa::path(post, path = "/api/v1/campaigns/{campaign}/kill", params(CampaignPath),
    responses((status = 200, body = Killed), (status = 404, body = ErrorBody)))]
pub async fn kill(
    State(state): State<ApiState>,
    Extension(Authenticated(user)): Extension<Authenticated>,
    Path(campaign): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    if state.store.versions(&campaign).await?.is_empty() {
        return Err(ApiError::not_found(format!("no campaign `{campaign}`")));
    }
    let cancelled = state
        .store
        .kill_campaign(&campaign, &user.name, state.clock.now().timestamp_millis())
        .await?;
    Ok(axum::Json(Killed {
        campaign,
        killed: true,
        cancelled_jobs: cancelled,
    }))
}

/// Jobs per channel and status: queued, sent, dead, unknown, cancelled, ...
#[utoipa::path(get, path = "/api/v1/versions/{hash}/dispatch", params(VersionPath),
    responses((status = 200, body = DispatchStatus), (status = 404, body = ErrorBody)))]
pub async fn dispatch_status(
    State(state): State<ApiState>,
    Path(hash): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let record = find_version(&state, &hash).await?;
    let mut channels: BTreeMap<String, BTreeMap<String, i64>> = BTreeMap::new();
    for (channel, status, count) in state.store.job_counts(&record.hash).await? {
        channels.entry(channel).or_default().insert(status, count);
    }
    let killed = state.store.is_killed(&record.campaign_id).await?;
    Ok(axum::Json(DispatchStatus {
        version: record.hash,
        state: record.state,
        killed,
        channels,
    }))
}

#[utoipa::path(get, path = "/api/v1/audit", responses((status = 200, body = AuditLog)))]
pub async fn audit(State(state): State<ApiState>) -> Result<impl IntoResponse, ApiError> {
    let (entries, head) = state.store.audit_log().await?;
    let verified = crate::audit::verify(&entries, (head.0, &head.1), state.store.audit_key());
    Ok(axum::Json(AuditLog {
        entries,
        verified: verified.is_ok(),
        problem: verified.err().map(|e| e.to_string()),
    }))
}

/// A campaign named by its id.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)] // Read by the OpenAPI document only; handlers take the path as text.
pub struct CampaignPath {
    /// The campaign's id.
    campaign: String,
}

/// The query of a campaign's report.
#[derive(Debug, serde::Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    /// `json` (the default), `csv` or `html`.
    #[serde(default)]
    #[param(pattern = "^(json|csv|html)$")]
    format: Option<String>,
    /// `total`, `day` or `week`, as the publication policy allows.
    #[serde(default)]
    period: Option<String>,
    /// Refused: the threshold is the deployment's, fixed by its policy.
    #[serde(default)]
    k: Option<u64>,
    /// Refused: the rounding is the deployment's, fixed by its policy.
    #[serde(default)]
    round: Option<u64>,
    /// `segment,locale,channel,variant` or part of it.
    #[serde(default)]
    by: Option<String>,
    /// The first day (`YYYY-MM-DD`, UTC).
    #[serde(default)]
    from: Option<String>,
    /// The last day (`YYYY-MM-DD`, UTC).
    #[serde(default)]
    until: Option<String>,
}

/// The `period`, `by`, `from` and `until` an evaluator asked for, checked against the policy.
fn checked_request(
    policy: &crate::report::PublicationPolicy,
    [period, by, from, until]: [&Option<String>; 4],
) -> Result<crate::report::ReportRequest, ApiError> {
    crate::report::ReportRequest::checked(
        policy,
        period.as_deref(),
        by.as_deref(),
        from.as_deref(),
        until.as_deref(),
    )
    .map_err(|e| ApiError::bad_request(e.to_string()))
}

/// Who takes which report, for its audit entry.
struct Export<'a> {
    actor: &'a str,
    campaigns: &'a [String],
    request: &'a crate::report::ReportRequest,
}

/// A report in the `format` asked for (JSON unless said), each made only if asked, and
/// recorded in the audit log before it leaves (no entry, no report).
async fn published_as(
    state: &ApiState,
    export: Export<'_>,
    format: Option<&str>,
    json: impl FnOnce() -> String,
    csv: impl FnOnce() -> String,
    html: impl FnOnce() -> String,
) -> Result<axum::response::Response, ApiError> {
    let format = format.unwrap_or("json");
    let (content_type, body) = match format {
        "json" => ("application/json", json()),
        "csv" => ("text/csv; charset=utf-8", csv()),
        "html" => ("text/html; charset=utf-8", html()),
        other => {
            return Err(ApiError::bad_request(format!(
                "format `{other}`: use json, csv or html"
            )));
        }
    };
    let entry = crate::report::export_entry(
        export.actor,
        export.campaigns,
        format,
        "api",
        export.request,
        state.clock.now(),
    );
    state.store.append_audit(&entry).await?;
    Ok(([("content-type", content_type)], body).into_response())
}

/// A report that could not be made: the store failed, or the range cannot narrow it.
fn report_error(error: crate::report::ReportError) -> ApiError {
    match error {
        crate::report::ReportError::NoCampaign(id) => {
            ApiError::not_found(format!("no campaign `{id}`"))
        }
        crate::report::ReportError::Store(error) => error.into(),
        crate::report::ReportError::NotSettled(error) => ApiError::new(
            axum::http::StatusCode::CONFLICT,
            "not_settled",
            error.to_string(),
        ),
        error => ApiError::bad_request(error.to_string()),
    }
}

/// The campaign's reach report, protected exactly as `herald report` protects it.
#[utoipa::path(get, path = "/api/v1/campaigns/{campaign}/report", params(CampaignPath, ReportQuery),
    responses(
        (status = 200, description = "The report in the format asked for", content(
            (Object = "application/json"),
            (String = "text/csv"),
            (String = "text/html"),
        )),
        (status = 400, description = "A parameter the policy does not allow", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "The data is not settled yet", body = ErrorBody),
    ))]
pub async fn report(
    State(state): State<ApiState>,
    Extension(Authenticated(user)): Extension<Authenticated>,
    Path(campaign): Path<String>,
    ApiQuery(query): ApiQuery<ReportQuery>,
) -> Result<axum::response::Response, ApiError> {
    use crate::report::{campaign_report, to_csv, to_html};
    let policy = &state.config.publication;
    for (asked, setting) in [(query.k.is_some(), "k"), (query.round.is_some(), "round")] {
        if asked {
            return Err(ApiError::bad_request(
                crate::report::NotPublished::Fixed { setting }.to_string(),
            ));
        }
    }
    let request = checked_request(
        policy,
        [&query.period, &query.by, &query.from, &query.until],
    )?;
    let report = campaign_report(&state.store, &campaign, policy, request, state.clock.now())
        .await
        .map_err(report_error)?;
    let export = Export {
        actor: &user.name,
        campaigns: std::slice::from_ref(&campaign),
        request: &request,
    };
    published_as(
        &state,
        export,
        query.format.as_deref(),
        || crate::report::to_json(&report),
        || to_csv(&report),
        || to_html(&report),
    )
    .await
}

/// The query of `/api/v1/reports/compare`.
#[derive(Debug, serde::Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CompareQuery {
    /// Campaign ids separated by commas.
    campaigns: String,
    /// `json` (the default), `csv` or `html`.
    #[serde(default)]
    #[param(pattern = "^(json|csv|html)$")]
    format: Option<String>,
    #[serde(default)]
    period: Option<String>,
    #[serde(default)]
    by: Option<String>,
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    until: Option<String>,
}

/// Campaigns side by side, each protected exactly as its own report.
#[utoipa::path(get, path = "/api/v1/reports/compare", params(CompareQuery),
    responses(
        (status = 200, description = "The report in the format asked for", content(
            (Object = "application/json"),
            (String = "text/csv"),
            (String = "text/html"),
        )),
        (status = 400, description = "A parameter the policy does not allow", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "The data is not settled yet", body = ErrorBody),
    ))]
pub async fn compare_reports(
    State(state): State<ApiState>,
    Extension(Authenticated(user)): Extension<Authenticated>,
    ApiQuery(query): ApiQuery<CompareQuery>,
) -> Result<axum::response::Response, ApiError> {
    use crate::report::{campaigns_compared, compared_ids};
    let policy = &state.config.publication;
    let ids = compared_ids(&query.campaigns).map_err(|e| ApiError::bad_request(e.to_string()))?;
    let request = checked_request(
        policy,
        [&query.period, &query.by, &query.from, &query.until],
    )?;
    let comparison = campaigns_compared(&state.store, &ids, policy, request, state.clock.now())
        .await
        .map_err(report_error)?;
    let export = Export {
        actor: &user.name,
        campaigns: &ids,
        request: &request,
    };
    published_as(
        &state,
        export,
        query.format.as_deref(),
        || comparison.to_json(),
        || comparison.to_csv(),
        || comparison.to_html(),
    )
    .await
}
