//! Users for admins: the list (names, roles, token ids and dates, never a secret), adding one,
//! whose API token is in that one answer and nowhere else (not stored, not logged, never shown
//! again), and revoking one, which ends their access at once: the API and the web interface
//! read the token's state on every request. Each change is audited with the admin's name.

use axum::Extension;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use serde::Deserialize;
use serde_json::json;

use crate::api::ApiState;
use crate::api::authenticate::Authenticated;
use crate::api::error::{ApiError, ErrorBody};
use crate::api::json::ApiJson;
use crate::api::responses::{UserAdded, UserList, UserRevoked};
use crate::auth::{Role, issue_token};
use crate::store::{Store, UserRecord};

/// The longest user name, in characters (as `herald user add`).
const MAX_NAME_CHARS: usize = 100;
/// Roles named in one request at most (there are five).
const MAX_ROLES: usize = 16;

/// Every user as `herald user list` shows them: roles, expiry, active token ids and live
/// sessions, never a secret.
#[utoipa::path(get, path = "/api/v1/users", responses((status = 200, body = UserList)))]
pub async fn users(State(state): State<ApiState>) -> Result<impl IntoResponse, ApiError> {
    let users = state
        .store
        .users(state.clock.now().timestamp_millis())
        .await?;
    Ok(axum::Json(UserList { users }))
}

/// A user to add.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    #[schema(max_items = 16, value_type = Vec<Role>)]
    pub roles: Vec<String>,
}

/// A user just added, and their token: shown once.
pub(crate) struct AddedUser {
    pub user: UserRecord,
    pub token_id: String,
    pub token: String,
}

fn unprocessable(field: &str, message: String) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_user", message)
        .with_details(json!({ "field": field }))
}

/// The roles named, each once, or 422 naming the unknown one.
fn checked_roles(names: &[String]) -> Result<Vec<Role>, ApiError> {
    if names.len() > MAX_ROLES {
        return Err(unprocessable("roles", format!("at most {MAX_ROLES} roles")));
    }
    let mut roles = Vec::new();
    for name in names.iter().flat_map(|r| r.split(',')) {
        let role = Role::from_name(name.trim()).ok_or_else(|| {
            unprocessable(
                "roles",
                format!(
                    "unknown role `{}`; roles: {}",
                    name.trim().chars().take(40).collect::<String>(),
                    Role::ALL.map(Role::name).join(", ")
                ),
            )
        })?;
        if !roles.contains(&role) {
            roles.push(role);
        }
    }
    if roles.is_empty() {
        return Err(unprocessable("roles", "name at least one role".into()));
    }
    Ok(roles)
}

/// A user name: 1 to 100 characters, no control characters, no surrounding spaces.
fn checked_name(name: &str) -> Result<&str, ApiError> {
    let chars = name.chars().count();
    if chars == 0 || chars > MAX_NAME_CHARS || name.trim() != name {
        return Err(unprocessable(
            "name",
            format!("a user name is 1 to {MAX_NAME_CHARS} characters, without spaces around it"),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(unprocessable(
            "name",
            "a user name has no control characters".into(),
        ));
    }
    Ok(name)
}

/// Adds a user with a new token, as `herald user add` does, audited as added by `admin`.
pub(crate) async fn add_user(
    state: &ApiState,
    admin: &UserRecord,
    new: &NewUser,
) -> Result<AddedUser, ApiError> {
    let name = checked_name(&new.name)?;
    let roles = checked_roles(&new.roles)?;
    if state.store.user_by_name(name).await?.is_some() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "user_exists",
            format!("a user named `{name}` exists already"),
        ));
    }
    let now = state.clock.now().timestamp_millis();
    let user = state
        .store
        .create_user_by(name, &roles, None, &admin.name, now)
        .await?;
    let token = issue_token();
    state
        .store
        .add_token(&token.id, &user.id, &token.secret_hash, now)
        .await?;
    tracing::info!(user = %user.name, token_id = %token.id, by = %admin.name, "a user was added");
    Ok(AddedUser {
        user,
        token_id: token.id,
        token: token.token,
    })
}

#[utoipa::path(post, path = "/api/v1/users", request_body = NewUser,
    responses((status = 201, description = "Added; the token is shown once", body = UserAdded),
        (status = 400, body = ErrorBody),
        (status = 409, description = "A user of that name exists", body = ErrorBody),
        (status = 415, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add(
    State(state): State<ApiState>,
    Extension(Authenticated(admin)): Extension<Authenticated>,
    ApiJson(new): ApiJson<NewUser>,
) -> Result<impl IntoResponse, ApiError> {
    let added = add_user(&state, &admin, &new).await?;
    let body = UserAdded {
        name: added.user.name,
        note: "the token is shown once, in this answer; herald keeps only a hash of it".into(),
        roles: added.user.roles,
        token: added.token,
        token_id: added.token_id,
    };
    let mut response = (StatusCode::CREATED, axum::Json(body)).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// Revokes every active token of the user `name`, as `admin`: their next request, on the API
/// or in the browser, is refused. An admin cannot revoke themselves here (another admin, or
/// `herald user revoke` on the server, can), so the last admin cannot lock everyone out by a
/// slip. Returns the token ids revoked.
pub(crate) async fn revoke_user(
    state: &ApiState,
    admin: &UserRecord,
    name: &str,
) -> Result<Vec<String>, ApiError> {
    if name == admin.name {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "own_access",
            "you cannot revoke your own access here; another admin can, or `herald user revoke` on the server",
        ));
    }
    let now = state.clock.now().timestamp_millis();
    let listed = state.store.users(now).await?;
    let user = listed
        .iter()
        .find(|u| u.name == name)
        .ok_or_else(|| ApiError::not_found(format!("no user `{name}`")))?;
    let mut revoked = Vec::new();
    for token in &user.active_tokens {
        if state.store.revoke_token(token, &admin.name, now).await? {
            revoked.push(token.clone());
        }
    }
    if revoked.is_empty() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "already_revoked",
            format!("`{name}` has no active token: their access has ended already"),
        ));
    }
    tracing::info!(user = %name, tokens = revoked.len(), by = %admin.name, "a user's access was revoked");
    Ok(revoked)
}

/// A user named by their name.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)] // Read by the OpenAPI document only; handlers take the path as text.
pub struct UserPath {
    /// The user's name.
    name: String,
}

#[utoipa::path(post, path = "/api/v1/users/{name}/revoke", params(UserPath),
    responses((status = 200, body = UserRevoked), (status = 404, body = ErrorBody),
        (status = 409, description = "Your own access, or no active token", body = ErrorBody)))]
pub async fn revoke(
    State(state): State<ApiState>,
    Extension(Authenticated(admin)): Extension<Authenticated>,
    Path(name): Path<String>,
) -> Result<impl IntoResponse, ApiError> {
    let revoked = revoke_user(&state, &admin, &name).await?;
    Ok(axum::Json(UserRevoked {
        name,
        revoked_tokens: revoked,
    }))
}
