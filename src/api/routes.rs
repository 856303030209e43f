//! The role matrix: every route with the roles allowed on it, in one place. The router is
//! built from this table and the role-matrix test walks it, so a route cannot exist without
//! a decision about who may use it.

use axum::http::Method;
use axum::routing::{MethodRouter, get, post};

use super::ApiState;
use super::handlers;
use crate::auth::Role;

pub struct RouteSpec {
    pub method: Method,
    pub path: &'static str,
    pub roles: &'static [Role],
    pub handler: MethodRouter<ApiState>,
}

const EVERYONE: &[Role] = &[
    Role::Author,
    Role::Approver,
    Role::Scheduler,
    Role::Evaluator,
    Role::Admin,
];
const CONTENT_READERS: &[Role] = &[Role::Author, Role::Approver, Role::Scheduler, Role::Admin];
const AUTHORS: &[Role] = &[Role::Author];
const APPROVERS: &[Role] = &[Role::Approver];
const SCHEDULERS: &[Role] = &[Role::Scheduler];
const OPERATIONS: &[Role] = &[Role::Scheduler, Role::Admin];
const ADMINS: &[Role] = &[Role::Admin];

pub fn route_table() -> Vec<RouteSpec> {
    let spec = |method: Method,
                path: &'static str,
                roles: &'static [Role],
                handler: MethodRouter<ApiState>| RouteSpec {
        method,
        path,
        roles,
        handler,
    };
    vec![
        spec(Method::GET, "/api/v1/me", EVERYONE, get(handlers::me)),
        spec(
            Method::POST,
            "/api/v1/campaigns",
            AUTHORS,
            post(handlers::upload),
        ),
        spec(
            Method::GET,
            "/api/v1/campaigns/{campaign}/versions",
            CONTENT_READERS,
            get(handlers::versions),
        ),
        spec(
            Method::POST,
            "/api/v1/campaigns/{campaign}/kill",
            SCHEDULERS,
            post(handlers::kill),
        ),
        spec(
            Method::GET,
            "/api/v1/versions/{hash}",
            CONTENT_READERS,
            get(handlers::version),
        ),
        spec(
            Method::GET,
            "/api/v1/versions/{hash}/completeness",
            CONTENT_READERS,
            get(handlers::completeness),
        ),
        spec(
            Method::GET,
            "/api/v1/versions/{hash}/preview",
            CONTENT_READERS,
            get(handlers::preview),
        ),
        spec(
            Method::POST,
            "/api/v1/versions/{hash}/submit",
            AUTHORS,
            post(handlers::submit),
        ),
        spec(
            Method::POST,
            "/api/v1/versions/{hash}/approve",
            APPROVERS,
            post(handlers::approve),
        ),
        spec(
            Method::POST,
            "/api/v1/versions/{hash}/reject",
            APPROVERS,
            post(handlers::reject),
        ),
        spec(
            Method::POST,
            "/api/v1/versions/{hash}/schedule",
            SCHEDULERS,
            post(handlers::schedule),
        ),
        spec(
            Method::POST,
            "/api/v1/versions/{hash}/pause",
            SCHEDULERS,
            post(handlers::pause),
        ),
        spec(
            Method::POST,
            "/api/v1/versions/{hash}/resume",
            SCHEDULERS,
            post(handlers::resume),
        ),
        spec(
            Method::POST,
            "/api/v1/versions/{hash}/cancel",
            SCHEDULERS,
            post(handlers::cancel),
        ),
        spec(
            Method::GET,
            "/api/v1/versions/{hash}/dispatch",
            OPERATIONS,
            get(handlers::dispatch_status),
        ),
        spec(Method::GET, "/api/v1/audit", ADMINS, get(handlers::audit)),
    ]
}
