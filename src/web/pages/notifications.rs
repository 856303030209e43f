//! `/ui/notifications`: each signed-in user's own notification preferences — which kinds
//! (only those their roles hear of), by e-mail, the staff-chat webhook or not at all, and
//! their address. The same checks as the API's `PUT /api/v1/me/notifications`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;

use crate::api::{PreferencesBody, kinds_for, preferences_of, save_preferences};
use crate::web::WebState;
use crate::web::form::FormFields;
use crate::web::guard::Viewer;
use crate::web::i18n::Phrase;
use crate::web::templates::{WebError, page};

pub async fn show(State(state): State<WebState>, viewer: Viewer) -> Result<Response, WebError> {
    let preferences = preferences_of(&state.api, &viewer.user)
        .await
        .map_err(|e| WebError::from(e).for_viewer(&viewer))?;
    let kinds: Vec<_> = kinds_for(&viewer.user)
        .into_iter()
        .map(|kind| {
            json!({
                "name": kind.name(),
                "label": format!("kind-{}", kind.name().replace('_', "-")),
                "checked": preferences.kinds.contains(&kind),
            })
        })
        .collect();
    let channel = preferences.channel.name();
    Ok(page(
        StatusCode::OK,
        &Phrase::new("title-notifications"),
        Some(&viewer),
        "notifications",
        &json!({
            "csrf": viewer.csrf,
            "kinds": kinds,
            "email": preferences.email,
            "email_checked": channel == "email",
            "webhook_checked": channel == "webhook",
            "none_checked": channel == "none",
        }),
    ))
}

pub async fn save(
    State(state): State<WebState>,
    viewer: Viewer,
    form: FormFields,
) -> Result<Response, WebError> {
    let kinds = kinds_for(&viewer.user)
        .into_iter()
        .filter(|kind| form.get(&format!("kind_{}", kind.name())) == Some("on"))
        .map(|kind| kind.name().to_string())
        .collect();
    let body = PreferencesBody {
        channel: form.get("channel").unwrap_or("none").to_string(),
        kinds,
        email: form.get("email").map(str::to_string),
    };
    save_preferences(&state.api, &viewer.user, body)
        .await
        .map_err(|e| WebError::from(e).for_viewer(&viewer))?;
    Ok(Redirect::to("/ui/notifications").into_response())
}
