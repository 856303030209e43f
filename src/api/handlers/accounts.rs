//! Channel accounts for admins: whether each can send, where each of its credentials comes
//! from, and setting or deleting one. Values are write-only: sealed at once, never returned,
//! never logged. Every credential a platform can use can be stored, the optional ones (a
//! webhook's signing secret, a verify token) included; a name the platform does not know is
//! refused, so nothing else can be parked in the database under an account's name.

use axum::Extension;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use std::collections::BTreeMap;

use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::api::ApiState;
use crate::api::authenticate::Authenticated;
use crate::api::error::{ApiError, ErrorBody};
use crate::api::json::ApiJson;
use crate::api::responses::{AccountList, AccountView, CredentialView, RateView};
use crate::channel::ChannelRef;
use crate::config::Account;
use crate::platforms::{credential_states, missing_required, stored_names};
use crate::store::Store;

/// The longest credential value accepted, in bytes: partners' tokens are far shorter.
const MAX_CREDENTIAL_BYTES: usize = 4096;

#[utoipa::path(get, path = "/api/v1/accounts", responses((status = 200, body = AccountList)))]
pub async fn accounts(State(state): State<ApiState>) -> Result<impl IntoResponse, ApiError> {
    let stored = stored_names(&state.store.account_secrets().await?);
    let refused: BTreeMap<String, String> = state
        .store
        .refused_oauth_tokens()
        .await?
        .into_iter()
        .collect();
    let accounts = state
        .config
        .accounts
        .values()
        .map(|account| {
            let mut waiting_for = missing_required(account, &stored, state.rehearsing);
            let token_refused = refused.get(&account.channel.to_string()).cloned();
            if token_refused.is_some() && !state.rehearsing {
                waiting_for.push("refresh_token");
            }
            let credentials = credential_states(account, &stored)
                .into_iter()
                .map(|c| {
                    let view = CredentialView {
                        variable: c.variable,
                        source: c.source,
                        required: c.required,
                    };
                    (c.name.to_string(), view)
                })
                .collect();
            AccountView {
                channel: account.channel.to_string(),
                platform: account.channel.platform.name().to_string(),
                ready: waiting_for.is_empty(),
                waiting_for: waiting_for.iter().map(ToString::to_string).collect(),
                base_url: account.base_url.clone(),
                chats: account.chats.clone(),
                rate: RateView {
                    per_second: account.rate.per_second,
                    per_recipient_per_minute: account.rate.per_recipient_per_minute,
                    daily_cap: account.rate.daily_cap,
                },
                credentials,
                token_refused,
            }
        })
        .collect();
    Ok(axum::Json(AccountList { accounts }))
}

/// A credential's value: sealed at once, never returned.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CredentialBody {
    /// 1 to 4096 bytes, without control characters.
    #[schema(write_only)]
    value: String,
}

/// A credential of a channel account.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)] // Read by the OpenAPI document only; handlers take the path as text.
pub struct CredentialPath {
    /// The account's channel (`platform:account`).
    channel: String,
    /// A credential name the platform uses (`token`, `webhook_secret`, ...).
    name: String,
}

#[utoipa::path(put, path = "/api/v1/accounts/{channel}/credentials/{name}", params(CredentialPath),
    request_body = CredentialBody,
    responses((status = 204, description = "Stored, sealed"), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "The server has no secret key", body = ErrorBody),
        (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_credential(
    State(state): State<ApiState>,
    Extension(Authenticated(user)): Extension<Authenticated>,
    Path((channel, name)): Path<(String, String)>,
    ApiJson(body): ApiJson<CredentialBody>,
) -> Result<impl IntoResponse, ApiError> {
    let account = credential_of(&state, &channel, &name)?;
    let value = body.value;
    if value.is_empty() || value.len() > MAX_CREDENTIAL_BYTES || value.chars().any(char::is_control)
    {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_value",
            format!(
                "a credential is 1 to {MAX_CREDENTIAL_BYTES} bytes, without control characters"
            ),
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
    let channel = account.channel.to_string();
    let (nonce, sealed) = key
        .seal(&channel, &name, &value)
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

/// Deletes a stored credential: the account's jobs wait from the next batch on if it needs
/// the credential and its environment does not have it.
#[utoipa::path(delete, path = "/api/v1/accounts/{channel}/credentials/{name}", params(CredentialPath),
    responses((status = 204, description = "Deleted"), (status = 404, body = ErrorBody)))]
pub async fn delete_credential(
    State(state): State<ApiState>,
    Extension(Authenticated(user)): Extension<Authenticated>,
    Path((channel, name)): Path<(String, String)>,
) -> Result<impl IntoResponse, ApiError> {
    let account = credential_of(&state, &channel, &name)?;
    let channel = account.channel.to_string();
    let deleted = state
        .store
        .delete_account_secret(
            &channel,
            &name,
            &user.name,
            state.clock.now().timestamp_millis(),
        )
        .await?;
    if !deleted {
        return Err(ApiError::not_found(format!(
            "no credential `{name}` is stored for `{channel}`"
        )));
    }
    Ok(StatusCode::NO_CONTENT)
}

/// The configured account of `channel`, when `name` is a credential its platform can use.
fn credential_of<'s>(
    state: &'s ApiState,
    channel: &str,
    name: &str,
) -> Result<&'s Account, ApiError> {
    let parsed = ChannelRef::parse(channel).map_err(|e| ApiError::not_found(e.to_string()))?;
    let Some(account) = state.config.accounts.get(&parsed) else {
        return Err(ApiError::not_found(format!(
            "no account `{channel}` in the configuration"
        )));
    };
    let usable = account.usable_credential_keys();
    if !usable.contains(&name) {
        return Err(ApiError::not_found(format!(
            "account `{channel}` has no credential `{name}`; it has: {}",
            usable.join(", ")
        )));
    }
    Ok(account)
}
