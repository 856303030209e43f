//! `/ui/users`, for admins: every user with their roles and tokens (ids and dates only), a
//! form to add one, whose token is shown on the page that answers it and never again, and a
//! Revoke button that ends a user's access at once. All through the API's own code, audited
//! with the admin's name.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::DateTime;
use serde_json::json;

use super::stamp;
use crate::api::{NewUser, add_user, revoke_user};
use crate::auth::Role;
use crate::store::Store;
use crate::web::WebState;
use crate::web::form::FormFields;
use crate::web::guard::Viewer;
use crate::web::i18n::Phrase;
use crate::web::templates::{WebError, page};

pub async fn list(State(state): State<WebState>, viewer: Viewer) -> Result<Response, WebError> {
    let now = state.api.clock.now();
    let users = state
        .api
        .store
        .users(now.timestamp_millis())
        .await
        .map_err(|e| WebError::from(e).for_viewer(&viewer))?;
    let at = |ms: i64| DateTime::from_timestamp_millis(ms).map(stamp);
    let at_text =
        |ms: i64| DateTime::from_timestamp_millis(ms).map(|at| super::utc_text(&viewer, at));
    let rows: Vec<serde_json::Value> = users
        .iter()
        .map(|user| {
            json!({
                "name": user.name,
                "path": user_path(&user.name),
                "roles": Role::join(&user.roles),
                "created_at": at(user.created_ms),
                "expires_at": user.expires_at_ms.and_then(at_text),
                "active": !user.active_tokens.is_empty(),
                "is_you": user.name == viewer.user.name,
                "tokens": user.active_tokens,
                "sessions": user.sessions,
            })
        })
        .collect();
    Ok(page(
        StatusCode::OK,
        &Phrase::new("title-users"),
        Some(&viewer),
        "users",
        &json!({
            "users": rows,
            "csrf": viewer.csrf,
            "roles": Role::ALL.map(Role::name),
        }),
    ))
}

/// A user name in a path: percent-encoded, so any name the API accepts can be revoked.
fn user_path(name: &str) -> String {
    crate::percent_encoding::percent_encode(name)
}

pub async fn add(
    State(state): State<WebState>,
    viewer: Viewer,
    form: FormFields,
) -> Result<Response, WebError> {
    let new = NewUser {
        name: form.get("name").unwrap_or_default().trim().to_string(),
        roles: Role::ALL
            .iter()
            .filter(|r| form.get(&format!("role_{}", r.name())) == Some("yes"))
            .map(|r| r.name().to_string())
            .collect(),
    };
    let added = add_user(&state.api, &viewer.user, &new)
        .await
        .map_err(|e| WebError::from(e).for_viewer(&viewer))?;
    Ok(page(
        StatusCode::OK,
        &Phrase::new("title-user-added"),
        Some(&viewer),
        "user_added",
        &json!({
            "name": added.user.name,
            "roles": Role::join(&added.user.roles),
            "token": added.token,
        }),
    ))
}

pub async fn revoke(
    State(state): State<WebState>,
    viewer: Viewer,
    Path(name): Path<String>,
) -> Result<Response, WebError> {
    revoke_user(&state.api, &viewer.user, &name)
        .await
        .map_err(|e| WebError::from(e).for_viewer(&viewer))?;
    Ok(Redirect::to("/ui/users").into_response())
}

#[cfg(test)]
mod tests {
    #[test]
    fn user_paths_survive_any_name() {
        assert_eq!(super::user_path("sam"), "sam");
        assert_eq!(super::user_path("a b/c"), "a%20b%2Fc");
    }
}
