//! The one HTTP front door: probes, the API, the web interface, the tracking-link redirector
//! and the partner hooks on one router, behind the deadline and security headers every route
//! gets. The API and the web interface share one state, so a failed web login counts against
//! the same limiter as a failed API login.

use std::sync::Arc;

use axum::Router;

use crate::api::{ApiState, LoginLimiter};
use crate::clock::Clock;
use crate::config::Config;
use crate::reach::{
    CallbackIngestor, ClickState, ClickTally, HookState, LinkIndex, LiveHookAccounts,
};
use crate::store::AnyStore;

use super::ServiceKeys;
use super::probes::probes;

/// What the routes share.
pub struct FrontDoorParts<'a> {
    pub store: &'a AnyStore,
    pub config: &'a Arc<Config>,
    /// Every account sends the rehearsal's credential: none waits for one.
    pub rehearsing: bool,
    pub clock: &'a Arc<dyn Clock>,
    pub keys: &'a ServiceKeys,
    pub ingestor: CallbackIngestor,
    pub accounts: &'a Arc<LiveHookAccounts>,
}

/// The assembled router and the redirector's shared parts.
pub struct FrontDoor {
    pub router: Router,
    /// Click counters not yet written; the app writes them once more when it stops.
    pub clicks: Arc<ClickTally>,
    /// The redirector's index of tracking links.
    pub links: Arc<LinkIndex>,
}

pub fn front_door(parts: FrontDoorParts<'_>) -> FrontDoor {
    let api_state = ApiState {
        store: parts.store.clone(),
        config: Arc::clone(parts.config),
        clock: Arc::clone(parts.clock),
        limiter: Arc::new(LoginLimiter::default()),
        secret_key: parts.keys.credentials.clone(),
        rehearsing: parts.rehearsing,
    };
    let web = crate::web::router(crate::web::WebState::new(api_state.clone()));
    let api = crate::api::router(api_state);
    let clicks = ClickState::new(
        parts.store.clone(),
        Arc::clone(parts.config),
        Arc::clone(parts.clock),
    );
    let click_tally = Arc::clone(&clicks.tally);
    let links = Arc::clone(&clicks.index);
    let clicks = crate::reach::redirector_router(clicks);
    let hooks = crate::reach::hooks_router(HookState {
        store: parts.store.clone(),
        clock: Arc::clone(parts.clock),
        vault: parts.keys.vault.clone(),
        ingestor: parts.ingestor,
        accounts: Arc::clone(parts.accounts),
        public_url: parts.config.public_url.clone(),
    });
    let public_url = &parts.config.public_url;
    let router = probes(
        parts.store.clone(),
        Arc::clone(parts.config),
        parts.rehearsing,
    )
    .merge(api)
    .merge(web)
    .merge(clicks)
    .merge(hooks)
    .layer(axum::middleware::from_fn_with_state(
        crate::api::REQUEST_TIMEOUT,
        crate::serving::with_request_deadline,
    ))
    // Outside the deadline, so that a request answered 503 for taking too long is counted,
    // timed and logged with its id too.
    .layer(axum::middleware::from_fn(crate::serving::trace_request))
    .layer(axum::middleware::from_fn_with_state(
        crate::serving::HttpsOnly(public_url.starts_with("https://")),
        crate::serving::security_headers,
    ));
    FrontDoor {
        router,
        clicks: click_tally,
        links,
    }
}
