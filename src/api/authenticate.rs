//! Authentication and authorisation: a Bearer token `id.secret` checked against its stored hash
//! in constant time, repeated failures from one client answered 429 (a valid token never is), and the route's roles
//! enforced before any handler runs (deny by default). Request ids and timeouts too.

use std::net::IpAddr;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::ApiState;
use super::error::ApiError;
use super::login_failure::{FailureReason, LoginFailure};
use crate::auth::{Role, constant_time_eq, hash_secret, parse_token};
use crate::store::{Store, UserRecord};

/// The user a request was made by, for handlers.
#[derive(Debug, Clone)]
pub struct Authenticated(pub UserRecord);

pub async fn require_roles(
    State((state, roles)): State<(ApiState, &'static [Role])>,
    mut request: Request,
    next: Next,
) -> Response {
    let client = client_ip(&state, &request);
    let token = request
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .map(str::to_string);
    let Some(token) = token else {
        return ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "send Authorization: Bearer <token>",
        )
        .into_response();
    };
    let user = match authenticate(&state, &token).await {
        Ok(Ok(valid)) => valid.user,
        Ok(Err(failure)) => return failed_authentication(&state, client, &failure).await,
        Err(error) => return error.into_response(),
    };
    if !user.roles.iter().any(|r| roles.contains(r)) {
        let allowed: Vec<&str> = roles.iter().map(|r| r.name()).collect();
        return ApiError::forbidden(
            "forbidden",
            format!("this needs one of the roles: {}", allowed.join(", ")),
        )
        .into_response();
    }
    request.extensions_mut().insert(Authenticated(user));
    next.run(request).await
}

/// The client behind the trusted proxies (shared with the web login).
pub(crate) fn client_ip(state: &ApiState, request: &Request) -> IpAddr {
    let peer = request
        .extensions()
        .get::<ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::from([127, 0, 0, 1]));
    state
        .config
        .trusted_proxies
        .client_ip(peer, request.headers())
}

/// 401 for a wrong token, or 429 with `Retry-After` once the client has failed too often;
/// audited while it is not limited.
async fn failed_authentication(
    state: &ApiState,
    client: IpAddr,
    failure: &LoginFailure,
) -> Response {
    match failure.record(state, client, "api").await {
        None => ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "unknown, malformed, revoked or expired token",
        )
        .into_response(),
        Some(wait) => {
            let mut response = ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_failures",
                "too many failed authentications; wait and try again",
            )
            .into_response();
            if let Ok(value) = HeaderValue::from_str(&wait.as_secs().max(1).to_string()) {
                response.headers_mut().insert("retry-after", value);
            }
            response
        }
    }
}

/// A token that may be used now: its id, its user, and when the user's tokens expire.
#[derive(Debug, Clone)]
pub(crate) struct ValidToken {
    pub token_id: String,
    pub user: UserRecord,
    pub expires_at_ms: Option<i64>,
}

/// Checks a token `id.secret`: known, its secret matching (constant time), not revoked and not
/// expired by the service's clock; otherwise why not (shared with the web sign-in, so both check
/// tokens the same way).
pub(crate) async fn authenticate(
    state: &ApiState,
    token: &str,
) -> Result<Result<ValidToken, LoginFailure>, ApiError> {
    let Some((id, secret)) = parse_token(token) else {
        return Ok(Err(LoginFailure::new(FailureReason::Malformed)));
    };
    let Some(record) = state.store.token(id).await? else {
        return Ok(Err(LoginFailure::new(FailureReason::UnknownToken)));
    };
    let matches = constant_time_eq(
        hash_secret(secret).as_bytes(),
        record.secret_hash.as_bytes(),
    );
    let reason = if !matches {
        FailureReason::WrongSecret
    } else if record.revoked {
        FailureReason::Revoked
    } else if !record.usable_at(state.clock.now().timestamp_millis()) {
        FailureReason::Expired
    } else {
        return Ok(Ok(ValidToken {
            token_id: id.to_string(),
            user: record.user,
            expires_at_ms: record.expires_at_ms,
        }));
    };
    Ok(Err(LoginFailure {
        reason,
        user: Some(record.user),
    }))
}

/// Refuses a body announced as larger than [`super::MAX_BODY_BYTES`] before reading it, and
/// answers 503 (in the API's error shape) when a request takes longer than
/// [`super::REQUEST_TIMEOUT`]. Request ids, spans and metrics are the front door's
/// (`crate::serving::trace_request`), for every route.
pub async fn body_limit_and_timeout(request: Request, next: Next) -> Response {
    let announced = request
        .headers()
        .get("content-length")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if announced.is_some_and(|length| length > super::MAX_BODY_BYTES) {
        return ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            format!(
                "request bodies are limited to {} bytes",
                super::MAX_BODY_BYTES
            ),
        )
        .into_response();
    }
    match tokio::time::timeout(super::REQUEST_TIMEOUT, next.run(request)).await {
        Ok(response) => response,
        Err(_) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "timeout",
            "the request took too long",
        )
        .into_response(),
    }
}
