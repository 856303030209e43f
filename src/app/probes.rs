//! Liveness and readiness for an orchestrator: `/healthz` says the process answers,
//! `/readyz` that its database does.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;

use crate::store::{AnyStore, Store};

pub fn probes(store: AnyStore) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(ready))
        .with_state(store)
}

async fn ready(State(store): State<AnyStore>) -> (StatusCode, &'static str) {
    match store.next_due_ms().await {
        Ok(_) => (StatusCode::OK, "ready"),
        Err(error) => {
            tracing::warn!(%error, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}
