//! The sandbox's own routes under `/sandbox/`: read or clear what was received and change
//! faults or limits at runtime, so a test, a rehearsal or a person with curl can steer a
//! running sandbox from outside the process.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::Deserialize;

use super::{FaultConfig, Received, Sandbox, SandboxLimits};

/// Optional filters of `GET /sandbox/received`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ReceivedFilter {
    /// `telegram`, `webhook`, `facebook`, `meta_ads` or `x`.
    platform: Option<String>,
    /// `true`: exactly what [`Sandbox::delivered`] lists; `false`: everything else.
    delivered: Option<bool>,
}

/// `GET /sandbox/received?platform=telegram&delivered=true`.
pub(crate) async fn received(
    State(sandbox): State<Sandbox>,
    Query(filter): Query<ReceivedFilter>,
) -> Json<Vec<Received>> {
    Json(
        sandbox
            .state()
            .record
            .filtered(filter.platform.as_deref(), filter.delivered),
    )
}

/// `DELETE /sandbox/received`.
pub(crate) async fn clear(State(sandbox): State<Sandbox>) -> StatusCode {
    sandbox.clear();
    StatusCode::NO_CONTENT
}

/// `PUT /sandbox/faults` with a [`FaultConfig`]; answers the faults now in force.
pub(crate) async fn set_faults(
    State(sandbox): State<Sandbox>,
    Json(faults): Json<FaultConfig>,
) -> Json<FaultConfig> {
    sandbox.set_faults(faults.clone());
    Json(faults)
}

/// `PUT /sandbox/limits` with a [`SandboxLimits`] (a missing field is a limit switched off);
/// answers the limits now in force.
pub(crate) async fn set_limits(
    State(sandbox): State<Sandbox>,
    Json(limits): Json<SandboxLimits>,
) -> Json<SandboxLimits> {
    sandbox.set_limits(limits.clone());
    Json(limits)
}
