//! Notification preferences: each user reads and sets their own (which kinds, which channel,
//! their e-mail address); admins may list everyone's. Shared with the web page, so both doors
//! apply the same checks.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::{Extension, Json};
use serde::Deserialize;

use super::super::ApiState;
use super::super::authenticate::Authenticated;
use super::super::error::{ApiError, ErrorBody};
use super::super::json::ApiJson;
use super::super::responses::{PreferencesList, PreferencesView};
use crate::config::is_mailbox;
use crate::store::{NotificationPreferences, NotifyChannel, StaffEventKind, Store, UserRecord};

/// Preferences as a client sends them.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreferencesBody {
    #[schema(pattern = "^(email|webhook|none)$")]
    pub channel: String,
    #[serde(default)]
    #[schema(max_items = 12, value_type = Vec<StaffEventKind>)]
    pub kinds: Vec<String>,
    #[serde(default)]
    #[schema(max_length = 254)]
    pub email: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/me/notifications", responses((status = 200, body = PreferencesView)))]
pub async fn my_preferences(
    State(state): State<ApiState>,
    Extension(Authenticated(user)): Extension<Authenticated>,
) -> Result<impl IntoResponse, ApiError> {
    let preferences = preferences_of(&state, &user).await?;
    Ok(Json(view(&user, &preferences)))
}

#[utoipa::path(put, path = "/api/v1/me/notifications", request_body = PreferencesBody,
    responses((status = 200, body = PreferencesView), (status = 400, body = ErrorBody),
        (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_my_preferences(
    State(state): State<ApiState>,
    Extension(Authenticated(user)): Extension<Authenticated>,
    ApiJson(body): ApiJson<PreferencesBody>,
) -> Result<impl IntoResponse, ApiError> {
    let preferences = save_preferences(&state, &user, body).await?;
    Ok(Json(view(&user, &preferences)))
}

#[utoipa::path(get, path = "/api/v1/notifications/preferences", responses((status = 200, body = PreferencesList)))]
pub async fn all_preferences(State(state): State<ApiState>) -> Result<impl IntoResponse, ApiError> {
    let recipients = state.store.notification_recipients(None).await?;
    let users = recipients
        .iter()
        .map(|r| view(&r.user, &r.preferences))
        .collect();
    Ok(Json(PreferencesList { users }))
}

/// A user's preferences, or what they would be by default: nothing sent, every kind their
/// roles hear of.
pub(crate) async fn preferences_of(
    state: &ApiState,
    user: &UserRecord,
) -> Result<NotificationPreferences, ApiError> {
    let stored = state.store.notification_recipients(Some(&user.id)).await?;
    Ok(match stored.into_iter().next() {
        Some(recipient) => recipient.preferences,
        None => NotificationPreferences {
            channel: NotifyChannel::None,
            kinds: kinds_for(user),
            email: None,
        },
    })
}

/// Checks and stores a user's own preferences; every refusal names the field.
pub(crate) async fn save_preferences(
    state: &ApiState,
    user: &UserRecord,
    body: PreferencesBody,
) -> Result<NotificationPreferences, ApiError> {
    let preferences = checked(user, body)?;
    state
        .store
        .set_notification_preferences(user, &preferences, state.clock.now().timestamp_millis())
        .await?;
    Ok(preferences)
}

/// The kinds a user's roles hear of.
pub(crate) fn kinds_for(user: &UserRecord) -> Vec<StaffEventKind> {
    StaffEventKind::ALL
        .into_iter()
        .filter(|kind| user.has(kind.audience()))
        .collect()
}

fn invalid(field: &str, message: String) -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_preferences",
        format!("`{field}`: {message}"),
    )
}

fn checked(user: &UserRecord, body: PreferencesBody) -> Result<NotificationPreferences, ApiError> {
    let channel = NotifyChannel::from_name(&body.channel).ok_or_else(|| {
        invalid(
            "channel",
            "must be \"email\", \"webhook\" or \"none\"".into(),
        )
    })?;
    if body.kinds.len() > 2 * StaffEventKind::ALL.len() {
        return Err(invalid(
            "kinds",
            format!("at most {} kinds", StaffEventKind::ALL.len()),
        ));
    }
    let allowed = kinds_for(user);
    let mut kinds = Vec::new();
    for name in &body.kinds {
        let kind = StaffEventKind::from_name(name).ok_or_else(|| {
            invalid(
                "kinds",
                format!(
                    "unknown kind; use {}",
                    StaffEventKind::join(&StaffEventKind::ALL)
                ),
            )
        })?;
        if !allowed.contains(&kind) {
            return Err(invalid(
                "kinds",
                format!(
                    "your roles do not hear of `{}` (approvers hear of submissions, schedulers of delivery)",
                    kind.name()
                ),
            ));
        }
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    let email = body.email.filter(|address| !address.trim().is_empty());
    if let Some(address) = &email {
        if !is_mailbox(address) {
            return Err(invalid(
                "email",
                "must be one plain address such as name@example.org".into(),
            ));
        }
    }
    if channel == NotifyChannel::Email && email.is_none() {
        return Err(invalid(
            "email",
            "is needed to be notified by e-mail".into(),
        ));
    }
    Ok(NotificationPreferences {
        channel,
        kinds,
        email,
    })
}

fn view(user: &UserRecord, preferences: &NotificationPreferences) -> PreferencesView {
    PreferencesView {
        available_kinds: kinds_for(user),
        channel: preferences.channel.name().to_string(),
        email: preferences.email.clone(),
        kinds: preferences.kinds.clone(),
        user: user.name.clone(),
    }
}
