//! Channel accounts for admins: where each credential comes from, and setting one. Values are
//! write-only: sealed at once, never returned, never logged.

use axum::Extension;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Deserialize;
use serde_json::json;

use crate::api::ApiState;
use crate::api::authenticate::Authenticated;
use crate::api::error::ApiError;
use crate::api::json::ApiJson;
use crate::channel::ChannelRef;
use crate::store::Store;

pub async fn accounts(State(state): State<ApiState>) -> Result<impl IntoResponse, ApiError> {
    let stored: Vec<(String, String)> = state
        .store
        .account_secrets()
        .await?
        .into_iter()
        .map(|(c, n, _, _)| (c, n))
        .collect();
    let list: Vec<serde_json::Value> = state
        .config
        .accounts
        .values()
        .map(|account| {
            let channel = account.channel.to_string();
            let credentials: serde_json::Map<String, serde_json::Value> = account
                .channel
                .platform
                .credential_keys()
                .iter()
                .map(|key| {
                    let variable = account.credentials.get(*key).cloned();
                    let in_environment = variable
                        .as_deref()
                        .is_some_and(|v| std::env::var(v).is_ok_and(|value| !value.is_empty()));
                    let source = if in_environment {
                        "environment"
                    } else if stored.contains(&(channel.clone(), key.to_string())) {
                        "stored"
                    } else {
                        "missing"
                    };
                    (
                        key.to_string(),
                        json!({"variable": variable, "source": source}),
                    )
                })
                .collect();
            json!({
                "channel": channel,
                "platform": account.channel.platform.name(),
                "base_url": account.base_url,
                "chats": account.chats,
                "rate": {
                    "per_second": account.rate.per_second,
                    "per_recipient_per_minute": account.rate.per_recipient_per_minute,
                    "daily_cap": account.rate.daily_cap,
                },
                "credentials": credentials,
            })
        })
        .collect();
    Ok(axum::Json(json!({"accounts": list})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CredentialBody {
    value: String,
}

pub async fn set_credential(
    State(state): State<ApiState>,
    Extension(Authenticated(user)): Extension<Authenticated>,
    Path((channel, name)): Path<(String, String)>,
    ApiJson(body): ApiJson<CredentialBody>,
) -> Result<impl IntoResponse, ApiError> {
    let parsed = ChannelRef::parse(&channel).map_err(|e| ApiError::not_found(e.to_string()))?;
    let Some(account) = state.config.accounts.get(&parsed) else {
        return Err(ApiError::not_found(format!(
            "no account `{channel}` in the configuration"
        )));
    };
    if !account
        .channel
        .platform
        .credential_keys()
        .contains(&name.as_str())
    {
        return Err(ApiError::not_found(format!(
            "{} accounts have no credential `{name}`; they have: {}",
            account.channel.platform,
            account.channel.platform.credential_keys().join(", ")
        )));
    }
    if body.value.is_empty() || body.value.len() > 4096 {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_value",
            "a credential is 1 to 4096 characters",
        ));
    }
    let Some(key) = &state.secret_key else {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "no_secret_key",
            format!(
                "set {} on the server to store credentials",
                crate::secrets::SECRET_KEY_VARIABLE
            ),
        ));
    };
    let (nonce, sealed) = key
        .seal(&channel, &name, &body.value)
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()))?;
    state
        .store
        .set_account_secret(
            &channel,
            &name,
            &nonce,
            &sealed,
            &user.name,
            state.clock.now().timestamp_millis(),
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
