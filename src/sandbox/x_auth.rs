//! Who is calling X: a user (OAuth 1.0a user context, or an OAuth 2.0 user access token) or an
//! app alone (an app-only bearer token), as X tells them apart, because posting needs a user.
//!
//! OAuth 1.0a: the `Authorization: OAuth ...` header's HMAC-SHA1 signature must verify with
//! the rehearsal credential (`sandbox` by default) as both the consumer secret and the token
//! secret, compared in constant time; a timestamp more than 5 minutes from the sandbox clock,
//! or a nonce already seen with the same timestamp and token, is refused (401), as X does.
//! The signed URL is the one the client sent to: `Host` as received, and the scheme from
//! `X-Forwarded-Proto` when a TLS-terminating relay sets it (else `http`, the sandbox's own).
//!
//! Bearer tokens: the sandbox looks up the OAuth 2.0 user access tokens it issued itself
//! (`POST /2/oauth2/token`, see `x_oauth2.rs`), and answers 401 once one expired, as X does.
//! Others it goes by their shape. X's app-only tokens begin with 21 `A`s (the URL-encoded
//! prefix every one carries), and the sandbox's own `POST /oauth2/token` (client credentials)
//! issues tokens of that shape: those are app-only. Every other bearer token is taken for an
//! OAuth 2.0 user access token issued elsewhere.

use std::collections::HashMap;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::platforms::oauth1::{
    SIGNATURE_METHOD, base_string_uri, hmac_sha1_signature, parse_authorization,
    signature_base_string,
};

use super::Sandbox;
use super::http_parts::{bearer_token, form_pairs, param, token_fingerprint};
use super::reply::Reply;
use super::x_oauth2::{ACCESS_PREFIX, AccessCheck, IssuedTokens};

/// The prefix of every app-only bearer token X issues (and the sandbox issues).
pub(crate) const APP_ONLY_PREFIX: &str = "AAAAAAAAAAAAAAAAAAAAA";
/// How far an OAuth 1.0a timestamp may be from the sandbox clock.
const TIMESTAMP_TOLERANCE: Duration = Duration::minutes(5);

/// Who the request acts for; the fingerprint of its token keys windows and duplicates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Caller {
    /// A user: OAuth 1.0a (fingerprint of the access token) or an OAuth 2.0 user token.
    User(String),
    /// An app alone, with an app-only bearer token.
    App(String),
}

impl Caller {
    pub(crate) fn fingerprint(&self) -> &str {
        match self {
            Caller::User(fingerprint) | Caller::App(fingerprint) => fingerprint,
        }
    }
}

/// The parts of a request its OAuth 1.0a signature covers.
pub(crate) struct SignedParts<'a> {
    pub(crate) method: &'a str,
    pub(crate) path: &'a str,
    pub(crate) headers: &'a HeaderMap,
    /// Query parameters, and form-encoded body parameters (a JSON body is not signed).
    pub(crate) params: &'a [(String, String)],
}

/// Nonces seen with their timestamp and token, kept as long as their timestamp is acceptable.
#[derive(Debug, Default)]
pub(crate) struct NonceMemory {
    seen: HashMap<(String, String, i64), ()>,
    sweep_at: usize,
}

impl NonceMemory {
    /// Remembers the nonce; false when it was already used with that timestamp and token.
    fn first_use(&mut self, token: &str, nonce: &str, timestamp: i64, now: DateTime<Utc>) -> bool {
        if self.seen.len() >= self.sweep_at {
            let oldest = (now - TIMESTAMP_TOLERANCE).timestamp();
            self.seen.retain(|(_, _, at), ()| *at >= oldest);
            self.sweep_at = (self.seen.len() * 2).max(1024);
        }
        self.seen
            .insert((token.to_string(), nonce.to_string(), timestamp), ())
            .is_none()
    }
}

/// X's answer when credentials are missing or do not verify.
pub(crate) fn unauthorized() -> Reply {
    problem(StatusCode::UNAUTHORIZED, "Unauthorized", "Unauthorized")
}

/// X's answer to an app-only token on an endpoint that needs a user.
pub(crate) fn unsupported_authentication() -> Reply {
    Reply::json(
        StatusCode::FORBIDDEN,
        json!({
            "title": "Unsupported Authentication",
            "detail": "Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint.  Supported authentication types are [OAuth 1.0a User Context, OAuth 2.0 User Context].",
            "type": "https://api.twitter.com/2/problems/unsupported-authentication",
            "status": 403,
        }),
    )
}

/// A problem JSON answer (RFC 7807, as X v2 sends).
pub(crate) fn problem(status: StatusCode, title: &str, detail: &str) -> Reply {
    Reply::json(
        status,
        json!({
            "title": title,
            "detail": detail,
            "type": "about:blank",
            "status": status.as_u16(),
        }),
    )
}

/// Who the request acts for, or X's refusal (401). `secret` is what the sandbox expects as
/// both the consumer secret and the token secret.
pub(crate) fn authenticate(
    parts: &SignedParts<'_>,
    secret: &str,
    nonces: &mut NonceMemory,
    issued: &IssuedTokens,
    now: DateTime<Utc>,
) -> Result<Caller, Reply> {
    if let Some(token) = bearer_token(parts.headers) {
        if token.starts_with(ACCESS_PREFIX) {
            return match issued.check(token, now) {
                AccessCheck::User(user) => Ok(Caller::User(user)),
                AccessCheck::Refused => Err(unauthorized()),
            };
        }
        let fingerprint = token_fingerprint(token);
        return Ok(if token.starts_with(APP_ONLY_PREFIX) {
            Caller::App(fingerprint)
        } else {
            Caller::User(fingerprint)
        });
    }
    let header = parts
        .headers
        .get("authorization")
        .and_then(|value| value.to_str().ok())
        .ok_or_else(unauthorized)?;
    let oauth = parse_authorization(header).ok_or_else(unauthorized)?;
    verify_oauth1(parts, &oauth, secret, nonces, now)
        .map(|token| Caller::User(token_fingerprint(&token)))
        .ok_or_else(unauthorized)
}

/// The access token of a verified OAuth 1.0a request; `None` when anything is missing, stale,
/// replayed or does not verify.
fn verify_oauth1(
    parts: &SignedParts<'_>,
    oauth: &[(String, String)],
    secret: &str,
    nonces: &mut NonceMemory,
    now: DateTime<Utc>,
) -> Option<String> {
    let get = |name: &str| {
        oauth
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
            .filter(|value| !value.is_empty())
    };
    get("oauth_consumer_key")?;
    let token = get("oauth_token")?;
    let nonce = get("oauth_nonce")?;
    let signature = get("oauth_signature")?;
    if get("oauth_signature_method")? != SIGNATURE_METHOD
        || get("oauth_version").is_some_and(|version| version != "1.0")
    {
        return None;
    }
    let timestamp: i64 = get("oauth_timestamp")?.parse().ok()?;
    if (timestamp - now.timestamp()).abs() > TIMESTAMP_TOLERANCE.num_seconds() {
        return None;
    }
    let host = parts.headers.get("host")?.to_str().ok()?;
    let scheme = parts
        .headers
        .get("x-forwarded-proto")
        .and_then(|value| value.to_str().ok())
        .unwrap_or("http");
    let mut params: Vec<(String, String)> = parts.params.to_vec();
    params.extend(
        oauth
            .iter()
            .filter(|(name, _)| name != "oauth_signature")
            .cloned(),
    );
    let base = signature_base_string(
        parts.method,
        &base_string_uri(scheme, host, parts.path),
        &params,
    );
    let expected = hmac_sha1_signature(&base, secret, secret);
    let verified: bool = expected.as_bytes().ct_eq(signature.as_bytes()).into();
    // The nonce is spent only by a request that verified: a forger cannot burn others' nonces.
    (verified && nonces.first_use(token, nonce, timestamp, now)).then(|| token.to_string())
}

/// `POST /oauth2/token` with `grant_type=client_credentials` and the app's consumer key and
/// secret as HTTP Basic credentials: X's app-only bearer token, the same for an app every
/// time. The secret must be the rehearsal credential.
pub(crate) async fn app_token(
    State(sandbox): State<Sandbox>,
    headers: HeaderMap,
    body: String,
) -> Response {
    let secret = sandbox.state().config.rehearsal_credential.clone();
    let form = form_pairs(&body);
    let reply = match basic_credentials(&headers) {
        Some((key, given)) if bool::from(given.as_bytes().ct_eq(secret.as_bytes())) => {
            if param(&form, "grant_type") == Some("client_credentials") {
                let digest = Sha256::digest(format!("{key}\n{secret}").as_bytes());
                let token = format!("{APP_ONLY_PREFIX}{}", hex::encode(&digest[..20]));
                Reply::json(
                    StatusCode::OK,
                    json!({"token_type": "bearer", "access_token": token}),
                )
            } else {
                v1_error(
                    StatusCode::FORBIDDEN,
                    170,
                    "Missing required parameter: grant_type",
                )
            }
        }
        _ => v1_error(
            StatusCode::FORBIDDEN,
            99,
            "Unable to verify your credentials",
        ),
    };
    (reply.status, axum::Json(reply.body)).into_response()
}

/// The consumer key and secret of `Authorization: Basic ...` (each percent-encoded first, as
/// X asks, then decoded back).
pub(crate) fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get("authorization")?.to_str().ok()?.trim();
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(crate::base64::decode(encoded.trim())?).ok()?;
    let (key, secret) = decoded.split_once(':')?;
    let pairs = form_pairs(&format!(
        "k={}&s={}",
        key.replace('+', "%2B"),
        secret.replace('+', "%2B")
    ));
    let key = param(&pairs, "k")?.to_string();
    let secret = param(&pairs, "s")?.to_string();
    (!key.is_empty()).then_some((key, secret))
}

/// The v1.1-style error X's OAuth 2.0 token endpoint answers with.
fn v1_error(status: StatusCode, code: u32, message: &str) -> Reply {
    Reply::json(
        status,
        json!({"errors": [{"code": code, "message": message}]}),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platforms::Secret;
    use crate::platforms::oauth1::{Freshness, OAuth1Keys, authorization_header};
    use axum::http::HeaderValue;

    fn now() -> DateTime<Utc> {
        DateTime::<Utc>::from_timestamp(1_800_000_000, 0).unwrap()
    }

    fn signed(secret: &str, timestamp: i64, nonce: &str) -> HeaderMap {
        let keys = OAuth1Keys {
            consumer_key: Secret::new("app"),
            consumer_secret: Secret::new(secret),
            access_token: Secret::new("42-user"),
            access_token_secret: Secret::new(secret),
        };
        let url = reqwest::Url::parse("http://127.0.0.1:8090/2/tweets?ids=1%2C2").unwrap();
        let freshness = Freshness {
            nonce: nonce.into(),
            timestamp,
        };
        let mut headers = HeaderMap::new();
        let value = authorization_header(&keys, "GET", &url, &freshness);
        headers.insert("authorization", HeaderValue::from_str(&value).unwrap());
        headers.insert("host", HeaderValue::from_static("127.0.0.1:8090"));
        headers
    }

    fn check(headers: &HeaderMap, params: &[(String, String)], nonces: &mut NonceMemory) -> bool {
        let parts = SignedParts {
            method: "GET",
            path: "/2/tweets",
            headers,
            params,
        };
        authenticate(&parts, "sandbox", nonces, &IssuedTokens::default(), now()).is_ok()
    }

    #[test]
    fn signatures_verify_once_and_only_fresh() {
        let params = vec![("ids".to_string(), "1,2".to_string())];
        let mut nonces = NonceMemory::default();
        let good = signed("sandbox", now().timestamp(), "n1");
        assert!(check(&good, &params, &mut nonces));
        assert!(!check(&good, &params, &mut nonces), "a replay");
        let tampered = vec![("ids".to_string(), "1,3".to_string())];
        assert!(!check(
            &signed("sandbox", now().timestamp(), "n2"),
            &tampered,
            &mut nonces
        ));
        assert!(!check(
            &signed("other", now().timestamp(), "n3"),
            &params,
            &mut nonces
        ));
        let stale = signed("sandbox", now().timestamp() - 301, "n4");
        assert!(!check(&stale, &params, &mut nonces));
        let edge = signed("sandbox", now().timestamp() + 300, "n5");
        assert!(check(&edge, &params, &mut nonces));
    }

    #[test]
    fn bearer_tokens_are_app_only_by_their_shape() {
        let mut headers = HeaderMap::new();
        let issued = IssuedTokens::default();
        let parts = |headers: &HeaderMap| {
            authenticate(
                &SignedParts {
                    method: "POST",
                    path: "/2/tweets",
                    headers,
                    params: &[],
                },
                "sandbox",
                &mut NonceMemory::default(),
                &issued,
                now(),
            )
        };
        assert!(parts(&headers).is_err());
        let app = format!("Bearer {APP_ONLY_PREFIX}x%2By");
        headers.insert("authorization", HeaderValue::from_str(&app).unwrap());
        assert!(matches!(parts(&headers), Ok(Caller::App(_))));
        headers.insert(
            "authorization",
            HeaderValue::from_static("Bearer user-token"),
        );
        assert!(matches!(parts(&headers), Ok(Caller::User(_))));
        // An access token of the sandbox's own that it never issued (or that expired) is 401.
        headers.insert(
            "authorization",
            HeaderValue::from_static("Bearer sbx-at-0123"),
        );
        assert!(parts(&headers).is_err());
    }
}
