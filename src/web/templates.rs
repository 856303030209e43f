//! The page templates, compiled into the binary (`include_str!`) so the interface needs no
//! files at run time and nothing from outside the closed network: Handlebars with HTML
//! escaping on for every `{{value}}`. Each page is rendered, then wrapped in the layout.

use std::sync::OnceLock;

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use handlebars::Handlebars;
use serde_json::{Value, json};

use super::guard::Viewer;
use super::i18n::{Phrase, Place, UiLanguage, current_language, register_helpers};
use crate::api::ApiError;
use crate::auth::{Role, role_groups};
use crate::html_text::escape_html;

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
    ("settings", include_str!("templates/settings.hbs")),
];

/// The main navigation: each page (its label's message id) with the roles that open it (the
/// same groups as its route), so nobody is shown a link that would answer 403.
pub const NAVIGATION: &[(&str, &str, &[Role])] = &[
    ("/ui", "nav-campaigns", role_groups::EVERYONE),
    (
        "/ui/dead-letters",
        "nav-dead-letters",
        role_groups::OPERATIONS,
    ),
    (
        "/ui/unknown-outcomes",
        "nav-unknown-outcomes",
        role_groups::OPERATIONS,
    ),
    (
        "/ui/subscribers",
        "nav-subscribers",
        role_groups::SUBSCRIBER_COUNT_READERS,
    ),
    ("/ui/users", "nav-users", role_groups::ADMINS),
    (
        "/ui/notifications",
        "nav-notifications",
        role_groups::EVERYONE,
    ),
    ("/ui/settings", "nav-settings", role_groups::EVERYONE),
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
        register_helpers(&mut handlebars);
        for (name, text) in TEMPLATES {
            handlebars
                .register_template_string(name, *text)
                .expect("the built-in templates are valid Handlebars");
        }
        handlebars
    })
}

/// The language a page is shown in: the viewer's (their setting, else their browser's), or
/// before sign-in the request's.
fn page_language(viewer: Option<&Viewer>) -> UiLanguage {
    viewer.map_or_else(current_language, |v| v.language)
}

/// Renders `template` with `data` inside the layout, in the viewer's language: title,
/// navigation for the viewer's roles, and the logout form carrying the session's CSRF token.
pub fn page(
    status: StatusCode,
    title: &Phrase,
    viewer: Option<&Viewer>,
    template: &str,
    data: &Value,
) -> Response {
    let language = page_language(viewer);
    let mut data = data.clone();
    if let Some(fields) = data.as_object_mut() {
        fields.insert("lang".into(), language.tag().into());
    }
    let body = match registry().render(template, &data) {
        Ok(body) => body,
        Err(error) => {
            tracing::error!(%error, template, "a page could not be rendered");
            let text = Phrase::new("render-failed").render(language, Place::Text);
            return (
                StatusCode::INTERNAL_SERVER_ERROR,
                Html(format!(
                    "<!doctype html><html lang=\"{}\" dir=\"{}\"><title>herald</title><p>{}</p></html>",
                    language.tag(),
                    language.direction(),
                    escape_html(&text)
                )),
            )
                .into_response();
        }
    };
    let layout = json!({
        "lang": language.tag(),
        "dir": language.direction(),
        "title": title.render(language, Place::Attribute),
        "heading": title.render(language, Place::Text),
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
/// identifier or internal detail: those stay in the server log), in the reader's language.
/// What only the API or the report module words (in English) is shown beside it as a quote.
#[derive(Debug)]
pub struct WebError {
    pub status: StatusCode,
    pub message: Option<Phrase>,
    /// The English words of the API or report code that refused, when the interface has no
    /// translation of them.
    pub detail: Option<String>,
    /// Whose navigation the error page shows (boxed: errors travel in `Result`s).
    pub viewer: Option<Box<Viewer>>,
}

impl WebError {
    pub fn new(status: StatusCode, message: Phrase) -> Self {
        WebError {
            status,
            message: Some(message),
            detail: None,
            viewer: None,
        }
    }

    /// A refusal worded by code outside the interface (in English), shown as a quote.
    pub fn worded(status: StatusCode, detail: impl Into<String>) -> Self {
        WebError {
            status,
            message: None,
            detail: Some(detail.into()),
            viewer: None,
        }
    }

    /// The same error, with the viewer's navigation on its page.
    pub fn for_viewer(mut self, viewer: &Viewer) -> Self {
        self.viewer = Some(Box::new(viewer.clone()));
        self
    }

    pub fn not_found(message: Phrase) -> Self {
        WebError::new(StatusCode::NOT_FOUND, message)
    }

    pub fn forbidden(message: Phrase) -> Self {
        WebError::new(StatusCode::FORBIDDEN, message)
    }
}

/// The interface's own wording of the API's refusals a person meets in the pages (those whose
/// English words carry specifics, such as who resolved a job first, are quoted instead).
const API_MESSAGES: &[(&str, &str)] = &[
    ("own_version", "api-error-own-version"),
    ("illegal_transition", "api-error-illegal-transition"),
    ("own_access", "api-error-own-access"),
    ("user_exists", "api-error-user-exists"),
    ("storage_full", "api-error-storage-full"),
];

impl From<ApiError> for WebError {
    fn from(error: ApiError) -> Self {
        match API_MESSAGES.iter().find(|(code, _)| *code == error.code) {
            Some((_, id)) => WebError::new(error.status, Phrase::new(id)),
            None => WebError::worded(error.status, error.message),
        }
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
            StatusCode::FORBIDDEN => "error-heading-forbidden",
            StatusCode::NOT_FOUND => "error-heading-not-found",
            StatusCode::CONFLICT => "error-heading-conflict",
            StatusCode::TOO_MANY_REQUESTS => "error-heading-too-many",
            s if s.is_server_error() => "error-heading-server",
            _ => "error-heading-other",
        };
        let language = page_language(self.viewer.as_deref());
        page(
            self.status,
            &Phrase::new(heading),
            self.viewer.as_deref(),
            "error",
            &json!({
                "status": self.status.as_u16().to_string(),
                "message": self.message.map(|m| m.render(language, Place::Text)),
                "detail": self.detail,
            }),
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
            &Phrase::new("title-campaign").text("campaign", "<script>"),
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
