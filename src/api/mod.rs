//! The HTTP API under `/api/v1`: each kind of user does exactly their job. Every route is
//! declared once in [`routes::route_table`] with the roles allowed on it; the router is built
//! from that table, so a route cannot exist without an entry in the role matrix.

mod authenticate;
mod error;
mod handlers;
mod json;
mod login_failure;
mod login_limiter;
mod openapi;
mod paging;
mod query;
mod responses;
mod routes;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;

use crate::clock::Clock;
use crate::config::Config;
use crate::store::AnyStore;

pub use authenticate::Authenticated;
pub(crate) use authenticate::{authenticate, client_ip};
pub use error::ApiError;
/// The upload body, public so that tests can feed it arbitrary JSON exactly as the handler reads it.
pub use handlers::Bundle as UploadBundle;
pub use handlers::{NewUser, PreferencesBody, ResolveRequest};
pub(crate) use handlers::{
    add_user, cancel_version, decide, ended_page, exported_strings, job_id, kinds_for, move_to,
    preferences_of, protected_stats, resolve_one, resume_version, retry_one, revoke_user,
    save_preferences, threshold, with_loaded,
};
pub use login_failure::{FailureReason, LoginFailure};
pub use login_limiter::{DEFAULT_TRACKED_CLIENTS, LoginLimiter};
pub use openapi::{document as openapi_document, operations as openapi_operations};
pub use paging::{DEFAULT_PAGE, MAX_PAGE, Page, PageRequest};
pub use routes::{RouteSpec, route_table};

/// Where the OpenAPI document is served (without a token), beside the routes it describes.
pub const OPENAPI_PATH: &str = "/api/v1/openapi.json";

/// Request bodies above this are refused with 413 (a campaign bundle is far smaller).
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;
/// A request that takes longer is answered 503.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// What every handler can reach.
#[derive(Clone)]
pub struct ApiState {
    pub store: AnyStore,
    pub config: Arc<Config>,
    pub clock: Arc<dyn Clock>,
    pub limiter: Arc<LoginLimiter>,
    /// Seals credentials set through the API; without it they can only come from the
    /// environment.
    pub secret_key: Option<Arc<crate::secrets::SecretKey>>,
    /// A rehearsal: every account sends the rehearsal's credential, so none waits for one.
    pub rehearsing: bool,
}

/// The API router: every route of the table behind authentication and its roles.
pub fn router(state: ApiState) -> Router {
    let mut router = Router::new();
    for spec in route_table() {
        let guarded = spec
            .handler
            .route_layer(axum::middleware::from_fn_with_state(
                (state.clone(), spec.roles),
                authenticate::require_roles,
            ));
        router = router.route(spec.path, guarded);
    }
    let openapi: utoipa::openapi::OpenApi = serde_json::from_value(openapi::document())
        .expect("the generated OpenAPI document is well-formed");
    // The document's home is beside the routes it describes; the older address stays.
    let legacy = openapi.clone();
    router
        .merge(utoipa_swagger_ui::SwaggerUi::new("/api/docs").url(OPENAPI_PATH, openapi))
        .route(
            "/api/openapi.json",
            axum::routing::get(move || async move { axum::Json(legacy) }),
        )
        .fallback(|| async { ApiError::not_found("no such route") })
        .layer(axum::middleware::from_fn(
            authenticate::body_limit_and_timeout,
        ))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
}
