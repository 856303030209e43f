//! Liveness and readiness for an orchestrator: `/healthz` says the process answers, `/readyz`
//! that its database does, and which accounts still wait for credentials.
//!
//! An account without its credentials does not make `/readyz` fail: on a first start the
//! credentials can only be stored through this very process's API, which an orchestrator
//! would stop sending traffic to. `/readyz` names the waiting accounts instead, and
//! `/readyz?accounts=all` fails (503) until every account can send, for a deployment step
//! that must wait for them.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use serde::Deserialize;

use crate::config::Config;
use crate::platforms::{stored_names, waiting_accounts};
use crate::store::{AnyStore, Store};

#[derive(Clone)]
struct ProbeState {
    store: AnyStore,
    config: Arc<Config>,
    rehearsing: bool,
}

#[derive(Deserialize)]
struct ReadyQuery {
    /// `all`: ready only when every account can send.
    accounts: Option<String>,
}

pub fn probes(store: AnyStore, config: Arc<Config>, rehearsing: bool) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(ready))
        .with_state(ProbeState {
            store,
            config,
            rehearsing,
        })
}

async fn ready(
    State(state): State<ProbeState>,
    Query(query): Query<ReadyQuery>,
) -> (StatusCode, String) {
    let unavailable = |error: crate::store::StoreError| {
        tracing::warn!(%error, "readiness check failed");
        (
            StatusCode::SERVICE_UNAVAILABLE,
            "database unavailable".to_string(),
        )
    };
    if let Err(error) = state.store.next_due_ms().await {
        return unavailable(error);
    }
    let rows = match state.store.account_secrets().await {
        Ok(rows) => rows,
        Err(error) => return unavailable(error),
    };
    let waiting = waiting_accounts(
        state.config.accounts.values(),
        &stored_names(&rows),
        state.rehearsing,
    );
    if waiting.is_empty() {
        return (StatusCode::OK, "ready".to_string());
    }
    let mut body = String::from("ready; accounts waiting for credentials (their jobs wait):");
    for (channel, missing) in &waiting {
        body.push_str(&format!("\n{channel}: {}", missing.join(", ")));
    }
    let all = query.accounts.as_deref() == Some("all");
    if all {
        body = body.replacen("ready; ", "not ready: ", 1);
        return (StatusCode::SERVICE_UNAVAILABLE, body);
    }
    (StatusCode::OK, body)
}
