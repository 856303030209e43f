//! The role matrix: every route with the roles allowed on it, in one place. The router is
//! built from this table and the role-matrix test walks it, so a route cannot exist without
//! a decision about who may use it.

use axum::http::Method;
use axum::routing::{MethodRouter, delete, get, post, put};

use super::ApiState;
use super::handlers;
use crate::auth::Role;
use crate::auth::role_groups::{
    ADMINS, APPROVERS, AUTHORS, CONTENT_READERS, EVALUATORS, EVERYONE, OPERATIONS, SCHEDULERS,
    SUBSCRIBER_COUNT_READERS, TRANSLATORS,
};

pub struct RouteSpec {
    pub method: Method,
    pub path: &'static str,
    pub roles: &'static [Role],
    /// One line for the API documentation.
    pub summary: &'static str,
    pub handler: MethodRouter<ApiState>,
}

/// Every route with the roles allowed on it, by area, in the order the router and the API
/// documentation list them.
pub fn route_table() -> Vec<RouteSpec> {
    [
        identity_routes(),
        campaign_routes(),
        version_review_routes(),
        version_run_routes(),
        follow_up_routes(),
        report_routes(),
        admin_routes(),
        user_routes(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

fn spec(
    method: Method,
    path: &'static str,
    roles: &'static [Role],
    summary: &'static str,
    handler: MethodRouter<ApiState>,
) -> RouteSpec {
    RouteSpec {
        method,
        path,
        roles,
        summary,
        handler,
    }
}

/// Who is calling.
fn identity_routes() -> Vec<RouteSpec> {
    vec![
        spec(
            Method::GET,
            "/api/v1/me",
            EVERYONE,
            "Who the token belongs to, and their roles",
            get(handlers::me),
        ),
        spec(
            Method::GET,
            "/api/v1/me/notifications",
            EVERYONE,
            "Your own notification preferences: channel, kinds, e-mail address",
            get(handlers::my_preferences),
        ),
        spec(
            Method::PUT,
            "/api/v1/me/notifications",
            EVERYONE,
            "Set your own notification preferences (each user only their own)",
            put(handlers::set_my_preferences),
        ),
    ]
}

/// Campaigns as a whole: uploading one, its versions, and its kill switch.
fn campaign_routes() -> Vec<RouteSpec> {
    vec![
        spec(
            Method::POST,
            "/api/v1/campaigns",
            AUTHORS,
            "Upload a campaign bundle; get the validator's diagnostics and a draft version",
            post(handlers::upload),
        ),
        spec(
            Method::GET,
            "/api/v1/campaigns/{campaign}/versions",
            CONTENT_READERS,
            "A campaign's versions and their states",
            get(handlers::versions),
        ),
        spec(
            Method::POST,
            "/api/v1/campaigns/{campaign}/kill",
            SCHEDULERS,
            "Kill switch: stop every pending job and retry of a campaign",
            post(handlers::kill),
        ),
    ]
}

/// A version's content and its review: what it says, in which languages, and the four-eyes
/// decision on it.
fn version_review_routes() -> Vec<RouteSpec> {
    vec![
        spec(
            Method::GET,
            "/api/v1/versions/{hash}",
            CONTENT_READERS,
            "A version: state, authors, decisions and content",
            get(handlers::version),
        ),
        spec(
            Method::GET,
            "/api/v1/versions/{hash}/completeness",
            CONTENT_READERS,
            "The translation-completeness matrix",
            get(handlers::completeness),
        ),
        spec(
            Method::GET,
            "/api/v1/versions/{hash}/preview",
            CONTENT_READERS,
            "Exactly what each segment, locale and channel receives",
            get(handlers::preview),
        ),
        spec(
            Method::GET,
            "/api/v1/versions/{hash}/translations/{locale}",
            CONTENT_READERS,
            "One locale's strings with the default locale's as source: XLIFF 2.0 or Fluent files (format, only=missing)",
            get(handlers::export_translation),
        ),
        spec(
            Method::POST,
            "/api/v1/versions/{hash}/translations/{locale}",
            TRANSLATORS,
            "Import a locale's XLIFF or Fluent file as a new draft version (never the default locale; needs submission and approval)",
            post(handlers::import_translation),
        ),
        spec(
            Method::POST,
            "/api/v1/versions/{hash}/submit",
            AUTHORS,
            "Submit a draft for approval",
            post(handlers::submit),
        ),
        spec(
            Method::POST,
            "/api/v1/versions/{hash}/approve",
            APPROVERS,
            "Approve a submitted version (not one you authored)",
            post(handlers::approve),
        ),
        spec(
            Method::POST,
            "/api/v1/versions/{hash}/reject",
            APPROVERS,
            "Reject a submitted version (not one you authored)",
            post(handlers::reject),
        ),
    ]
}

/// Running an approved version: scheduling, pausing, resuming, cancelling, and its jobs.
fn version_run_routes() -> Vec<RouteSpec> {
    vec![
        spec(
            Method::POST,
            "/api/v1/versions/{hash}/schedule",
            SCHEDULERS,
            "Schedule an approved version",
            post(handlers::schedule),
        ),
        spec(
            Method::POST,
            "/api/v1/versions/{hash}/pause",
            SCHEDULERS,
            "Pause a scheduled or running version",
            post(handlers::pause),
        ),
        spec(
            Method::POST,
            "/api/v1/versions/{hash}/resume",
            SCHEDULERS,
            "Resume a paused version",
            post(handlers::resume),
        ),
        spec(
            Method::POST,
            "/api/v1/versions/{hash}/cancel",
            SCHEDULERS,
            "Cancel a version and its pending jobs",
            post(handlers::cancel),
        ),
        spec(
            Method::GET,
            "/api/v1/versions/{hash}/dispatch",
            OPERATIONS,
            "Jobs per channel and status",
            get(handlers::dispatch_status),
        ),
    ]
}

/// What staff follow up after sending: dead letters, unknown outcomes, and how many people
/// follow each channel.
fn follow_up_routes() -> Vec<RouteSpec> {
    vec![
        spec(
            Method::GET,
            "/api/v1/dead-letters",
            OPERATIONS,
            "Dead letters (jobs that failed for good), a page at a time in id order (after, limit)",
            get(handlers::dead_letters),
        ),
        spec(
            Method::POST,
            "/api/v1/dead-letters/{id}/retry",
            SCHEDULERS,
            "Put a dead letter back in the queue, with the same idempotency key and its re-send mark",
            post(handlers::retry_dead_letter),
        ),
        spec(
            Method::GET,
            "/api/v1/unknown-outcomes",
            OPERATIONS,
            "Sends whose answer was lost, a page at a time in id order (after, limit)",
            get(handlers::unknown_outcomes),
        ),
        spec(
            Method::POST,
            "/api/v1/unknown-outcomes/{id}/resolve",
            SCHEDULERS,
            "Resolve an unknown outcome as delivered or not delivered; sending again needs confirm_resend",
            post(handlers::resolve_unknown_outcome),
        ),
        spec(
            Method::GET,
            "/api/v1/subscribers/stats",
            SUBSCRIBER_COUNT_READERS,
            "Subscribers per channel, segment and locale, small counts suppressed as by `herald subscribers stats` (k)",
            get(handlers::subscriber_stats),
        ),
    ]
}

/// Reach reports, one campaign or several side by side.
fn report_routes() -> Vec<RouteSpec> {
    vec![
        spec(
            Method::GET,
            "/api/v1/campaigns/{campaign}/report",
            EVALUATORS,
            "The reach report under the deployment's publication policy: aggregates only, small counts suppressed, the rest perturbed by cell key (format json, csv or html; period, by, from, until)",
            get(handlers::report),
        ),
        spec(
            Method::GET,
            "/api/v1/reports/compare",
            EVALUATORS,
            "Campaigns side by side under the same definitions and protection (campaigns=ID,ID; format, period, by, from, until as for one report)",
            get(handlers::compare_reports),
        ),
    ]
}

/// Administration: channel accounts, their credentials, web sessions, and the audit log.
fn admin_routes() -> Vec<RouteSpec> {
    vec![
        spec(
            Method::GET,
            "/api/v1/accounts",
            ADMINS,
            "Channel accounts and where each credential comes from (never its value)",
            get(handlers::accounts),
        ),
        spec(
            Method::PUT,
            "/api/v1/accounts/{channel}/credentials/{name}",
            ADMINS,
            "Set a credential (write-only: it is sealed and never returned)",
            put(handlers::set_credential),
        ),
        spec(
            Method::DELETE,
            "/api/v1/accounts/{channel}/credentials/{name}",
            ADMINS,
            "Delete a stored credential (the environment's, if set, is used again)",
            delete(handlers::delete_credential),
        ),
        spec(
            Method::GET,
            "/api/v1/sessions",
            ADMINS,
            "Live web-interface sessions: user, token id, created, last seen, idle end and expiry (never the cookie's secret)",
            get(handlers::sessions),
        ),
        spec(
            Method::DELETE,
            "/api/v1/sessions/{session}",
            ADMINS,
            "End a web-interface session (audited); its next request is sent to the sign-in page",
            delete(handlers::end_session),
        ),
        spec(
            Method::GET,
            "/api/v1/notifications/preferences",
            ADMINS,
            "Every user's notification preferences",
            get(handlers::all_preferences),
        ),
        spec(
            Method::GET,
            "/api/v1/audit",
            ADMINS,
            "The audit log and whether its chain is intact",
            get(handlers::audit),
        ),
    ]
}

/// Users: who may use herald, with which roles.
fn user_routes() -> Vec<RouteSpec> {
    vec![
        spec(
            Method::GET,
            "/api/v1/users",
            ADMINS,
            "Users, their roles and their tokens' ids and dates (never a secret)",
            get(handlers::users),
        ),
        spec(
            Method::POST,
            "/api/v1/users",
            ADMINS,
            "Add a user; the answer holds their API token, shown this once",
            post(handlers::add_user_route),
        ),
        spec(
            Method::POST,
            "/api/v1/users/{name}/revoke",
            ADMINS,
            "Revoke every token of a user: their access ends at once",
            post(handlers::revoke_user_route),
        ),
    ]
}
