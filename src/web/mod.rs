//! The web interface under `/ui`: the same jobs as the API (review and approve, schedule,
//! watch dispatch, read reports) for people who do not script HTTP calls. Pages are rendered
//! on the server from templates compiled into the binary, with no script, font or stylesheet
//! from elsewhere, so it works on a closed network. Every route is declared once in
//! [`routes::ui_route_table`] with its roles, like the API's role matrix, and state changes go
//! through the API's own code (four eyes, lifecycle, kill switch), so both enforce one set of
//! rules.

mod form;
mod guard;
mod i18n;
mod pages;
mod routes;
mod session;
mod templates;

use std::sync::Arc;

use axum::Router;
use axum::routing::get;

use crate::api::ApiState;

pub use form::FormFields;
pub use guard::Viewer;
pub use i18n::{MAX_ACCEPT_LANGUAGE_BYTES, MAX_LANGUAGE_RANGES, UiLanguage, negotiate};
pub use routes::{UiRoute, ui_route_table};
pub use session::{
    COOKIE_NAME, HOST_COOKIE_NAME, MAX_SESSIONS_PER_USER, OpenSession, SessionCookie, Sessions,
};
pub use templates::WebError;

/// What the web handlers reach: the API's state (store, configuration, clock, login limiter)
/// and the sessions.
#[derive(Clone)]
pub struct WebState {
    pub api: ApiState,
    pub sessions: Arc<Sessions>,
    /// The session cookie's name and attributes (`__Host-` and `Secure` under https).
    pub cookie: SessionCookie,
}

impl WebState {
    /// Sessions in the store, under the configured policy and the API's clock; the cookie
    /// follows `public_url`'s scheme.
    pub fn new(api: ApiState) -> Self {
        let cookie = SessionCookie::for_public_url(&api.config.public_url);
        let sessions = Sessions::new(
            api.store.clone(),
            Arc::clone(&api.clock),
            api.config.sessions,
        );
        WebState {
            api,
            sessions: Arc::new(sessions),
            cookie,
        }
    }
}

/// The `/ui` router: the login pages and stylesheet open to all, every other route behind
/// its session, roles and CSRF checks.
pub fn router(state: WebState) -> Router {
    let mut router = Router::new()
        .route(
            "/ui/login",
            get(pages::login::form).post(pages::login::submit),
        )
        .route("/ui/static/herald.css", get(pages::login::stylesheet));
    for route in ui_route_table() {
        let guarded = route
            .handler
            .route_layer(axum::middleware::from_fn_with_state(
                (state.clone(), route.roles),
                guard::require_session,
            ));
        router = router.route(route.path, guarded);
    }
    router
        .route(
            "/ui/",
            get(|| async { axum::response::Redirect::to("/ui") }),
        )
        .layer(axum::middleware::from_fn(i18n::language_from_request))
        .layer(axum::middleware::from_fn(guard::security_headers))
        .with_state(state)
}
