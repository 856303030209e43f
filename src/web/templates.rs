//! The page templates, compiled into the binary (`include_str!`) so the interface needs no
//! files at run time and nothing from outside the closed network: Handlebars with HTML
//! escaping on for every `{{value}}`. Each page is rendered, then wrapped in the layout.

use std::sync::OnceLock;

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use handlebars::Handlebars;
use serde_json::{Value, json};

use super::guard::Viewer;
use crate::api::ApiError;
use crate::auth::{Role, role_groups};

const TEMPLATES: &[(&str, &str)] = &[
    ("layout", include_str!("templates/layout.hbs")),
    ("login", include_str!("templates/login.hbs")),
    ("error", include_str!("templates/error.hbs")),
    ("campaigns", include_str!("templates/campaigns.hbs")),
    ("campaign", include_str!("templates/campaign.hbs")),
    ("schedule", include_str!("templates/schedule.hbs")),
    ("dispatch", include_str!("templates/dispatch.hbs")),
    ("report", include_str!("templates/report.hbs")),
    ("notifications", include_str!("templates/notifications.hbs")),
    ("dead_letters", include_str!("templates/dead_letters.hbs")),
    (
        "unknown_outcomes",
        include_str!("templates/unknown_outcomes.hbs"),
    ),
    ("resolved", include_str!("templates/resolved.hbs")),
    ("subscribers", include_str!("templates/subscribers.hbs")),
    ("users", include_str!("templates/users.hbs")),
    ("user_added", include_str!("templates/user_added.hbs")),
];

/// The main navigation: each page with the roles that open it (the same groups as its route),
/// so nobody is shown a link that would answer 403.
const NAVIGATION: &[(&str, &str, &[Role])] = &[
    ("/ui", "Campaigns", role_groups::EVERYONE),
    ("/ui/dead-letters", "Dead letters", role_groups::OPERATIONS),
    (
        "/ui/unknown-outcomes",
        "Unknown outcomes",
        role_groups::OPERATIONS,
    ),
    (
        "/ui/subscribers",
        "Subscribers",
        role_groups::SUBSCRIBER_COUNT_READERS,
    ),
    ("/ui/users", "Users", role_groups::ADMINS),
    ("/ui/notifications", "Notifications", role_groups::EVERYONE),
];

/// The navigation links `viewer` may follow.
fn navigation(viewer: &Viewer) -> Vec<Value> {
    NAVIGATION
        .iter()
        .filter(|(_, _, roles)| viewer.user.roles.iter().any(|r| roles.contains(r)))
        .map(|(href, label, _)| json!({"href": href, "label": label}))
        .collect()
}

fn registry() -> &'static Handlebars<'static> {
    static REGISTRY: OnceLock<Handlebars<'static>> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        let mut handlebars = Handlebars::new();
        for (name, text) in TEMPLATES {
            handlebars
                .register_template_string(name, *text)
                .expect("the built-in templates are valid Handlebars");
        }
        handlebars
    })
}

/// Renders `template` with `data` inside the layout: title, navigation for the viewer's roles,
/// and the logout form carrying the session's CSRF token.
pub fn page(
    status: StatusCode,
    title: &str,
    viewer: Option<&Viewer>,
    template: &str,
    data: &Value,
) -> Response {
    let body = match registry().render(template, data) {
        Ok(body) => body,
        Err(error) => {
            tracing::error!(%error, template, "a page could not be rendered");
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                Html("<!doctype html><html lang=\"en\"><title>Error</title><p>The page could not be rendered; see the server log.</p></html>"),
            )
                .into_response();
        }
    };
    let layout = json!({
        "title": title,
        "content": body,
        "user": viewer.map(|v| v.user.name.clone()),
        "roles": viewer.map(|v| Role::join(&v.user.roles)),
        "csrf": viewer.map(|v| v.csrf.clone()),
        "nav": viewer.map(navigation).unwrap_or_default(),
    });
    match registry().render("layout", &layout) {
        Ok(html) => (status, Html(html)).into_response(),
        Err(error) => {
            tracing::error!(%error, "the layout could not be rendered");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// A failure shown as a page: its status, and a message a person can act on (never an
/// identifier or internal detail: those stay in the server log).
#[derive(Debug)]
pub struct WebError {
    pub status: StatusCode,
    pub message: String,
    /// Whose navigation the error page shows (boxed: errors travel in `Result`s).
    pub viewer: Option<Box<Viewer>>,
}

impl WebError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        WebError {
            status,
            message: message.into(),
            viewer: None,
        }
    }

    /// The same error, with the viewer's navigation on its page.
    pub fn for_viewer(mut self, viewer: &Viewer) -> Self {
        self.viewer = Some(Box::new(viewer.clone()));
        self
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        WebError::new(StatusCode::NOT_FOUND, message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        WebError::new(StatusCode::FORBIDDEN, message)
    }
}

impl From<ApiError> for WebError {
    fn from(error: ApiError) -> Self {
        WebError::new(error.status, error.message)
    }
}

impl From<crate::store::StoreError> for WebError {
    fn from(error: crate::store::StoreError) -> Self {
        ApiError::from(error).into()
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let heading = match self.status {
            StatusCode::FORBIDDEN => "Not allowed",
            StatusCode::NOT_FOUND => "Not found",
            StatusCode::CONFLICT => "Not possible now",
            StatusCode::TOO_MANY_REQUESTS => "Too many attempts",
            s if s.is_server_error() => "Something went wrong",
            _ => "Cannot do that",
        };
        page(
            self.status,
            heading,
            self.viewer.as_deref(),
            "error",
            &json!({"heading": heading, "status": self.status.as_u16(), "message": self.message}),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_compiles_and_values_are_escaped() {
        let response = page(
            StatusCode::OK,
            "<script>",
            None,
            "error",
            &json!({"heading": "h", "status": 400, "message": "<b>x</b>"}),
        );
        assert_eq!(response.status(), StatusCode::OK);
        for (name, _) in TEMPLATES {
            assert!(registry().has_template(name));
        }
        let html = registry()
            .render("error", &json!({"message": "<b>x</b>"}))
            .unwrap();
        assert!(html.contains("&lt;b&gt;x&lt;/b&gt;"), "{html}");
    }
}
