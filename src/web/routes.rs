//! The web interface's role matrix: every page and form with the roles allowed on it, in one
//! table, mirroring the API's. The router is built from it, so a page cannot exist without a
//! decision about who may see it; the guard checks the roles before any handler runs.

use axum::http::Method;
use axum::routing::{MethodRouter, get, post};

use super::WebState;
use super::pages;
use crate::auth::Role;
use crate::auth::role_groups::{
    ADMINS, APPROVERS, AUTHORS, CONTENT_READERS, EVALUATORS, EVERYONE, OPERATIONS, SCHEDULERS,
    SUBSCRIBER_COUNT_READERS,
};

/// One web route and who may use it.
pub struct UiRoute {
    pub method: Method,
    pub path: &'static str,
    pub roles: &'static [Role],
    pub handler: MethodRouter<WebState>,
}

fn route(
    method: Method,
    path: &'static str,
    roles: &'static [Role],
    handler: MethodRouter<WebState>,
) -> UiRoute {
    UiRoute {
        method,
        path,
        roles,
        handler,
    }
}

/// Every guarded web route (the login form and the stylesheet are open).
pub fn ui_route_table() -> Vec<UiRoute> {
    use pages::{campaign, campaigns, dispatch, login, report, schedule};
    let mut table = vec![
        route(Method::GET, "/ui", EVERYONE, get(campaigns::list)),
        route(Method::POST, "/ui/logout", EVERYONE, post(login::logout)),
        route(
            Method::GET,
            "/ui/campaigns/{campaign}",
            CONTENT_READERS,
            get(campaign::show),
        ),
        route(
            Method::GET,
            "/ui/versions/{hash}/translations/{locale}",
            CONTENT_READERS,
            get(pages::translations::download),
        ),
        route(
            Method::POST,
            "/ui/versions/{hash}/submit",
            AUTHORS,
            post(campaign::submit),
        ),
        route(
            Method::POST,
            "/ui/versions/{hash}/approve",
            APPROVERS,
            post(campaign::approve),
        ),
        route(
            Method::POST,
            "/ui/versions/{hash}/reject",
            APPROVERS,
            post(campaign::reject),
        ),
        route(
            Method::GET,
            "/ui/campaigns/{campaign}/schedule",
            SCHEDULERS,
            get(schedule::show),
        ),
        route(
            Method::POST,
            "/ui/versions/{hash}/schedule",
            SCHEDULERS,
            post(schedule::schedule),
        ),
        route(
            Method::POST,
            "/ui/versions/{hash}/pause",
            SCHEDULERS,
            post(schedule::pause),
        ),
        route(
            Method::POST,
            "/ui/versions/{hash}/resume",
            SCHEDULERS,
            post(schedule::resume),
        ),
        route(
            Method::POST,
            "/ui/versions/{hash}/cancel",
            SCHEDULERS,
            post(schedule::cancel),
        ),
        route(
            Method::GET,
            "/ui/campaigns/{campaign}/dispatch",
            OPERATIONS,
            get(dispatch::show),
        ),
        route(
            Method::POST,
            "/ui/campaigns/{campaign}/kill",
            SCHEDULERS,
            post(dispatch::kill),
        ),
        route(
            Method::GET,
            "/ui/campaigns/{campaign}/report",
            EVALUATORS,
            get(report::show),
        ),
        route(
            Method::GET,
            "/ui/campaigns/{campaign}/report.csv",
            EVALUATORS,
            get(report::csv),
        ),
        route(
            Method::GET,
            "/ui/campaigns/{campaign}/report.html",
            EVALUATORS,
            get(report::html),
        ),
    ];
    table.extend(follow_up_routes());
    table.extend(notification_pages());
    table
}

/// Dead letters, unknown outcomes, subscriber counts and users: the same jobs and roles as the
/// API's routes for them.
fn follow_up_routes() -> Vec<UiRoute> {
    use pages::{dead_letters, subscribers, unknown_outcomes, users};
    vec![
        route(
            Method::GET,
            "/ui/dead-letters",
            OPERATIONS,
            get(dead_letters::list),
        ),
        route(
            Method::POST,
            "/ui/dead-letters/{id}/retry",
            SCHEDULERS,
            post(dead_letters::retry),
        ),
        route(
            Method::GET,
            "/ui/unknown-outcomes",
            OPERATIONS,
            get(unknown_outcomes::list),
        ),
        route(
            Method::POST,
            "/ui/unknown-outcomes/{id}/resolve",
            SCHEDULERS,
            post(unknown_outcomes::resolve),
        ),
        route(
            Method::GET,
            "/ui/subscribers",
            SUBSCRIBER_COUNT_READERS,
            get(subscribers::show),
        ),
        route(Method::GET, "/ui/users", ADMINS, get(users::list)),
        route(Method::POST, "/ui/users", ADMINS, post(users::add)),
        route(
            Method::POST,
            "/ui/users/{name}/revoke",
            ADMINS,
            post(users::revoke),
        ),
    ]
}

/// Each signed-in user's own notification preferences and settings.
fn notification_pages() -> Vec<UiRoute> {
    use pages::{notifications, settings};
    vec![
        route(Method::GET, "/ui/settings", EVERYONE, get(settings::show)),
        route(Method::POST, "/ui/settings", EVERYONE, post(settings::save)),
        route(
            Method::GET,
            "/ui/notifications",
            EVERYONE,
            get(notifications::show),
        ),
        route(
            Method::POST,
            "/ui/notifications",
            EVERYONE,
            post(notifications::save),
        ),
    ]
}
