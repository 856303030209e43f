//! OAuth 2.0's refresh-token grant (RFC 6749 section 6) at X's token endpoint,
//! `POST {base}/2/oauth2/token`: a form with `grant_type=refresh_token` and the refresh
//! token, the client id in the form for a public client, or the client id and secret as HTTP
//! Basic credentials for a confidential one. X answers `access_token`, `refresh_token` (a new
//! one every time: the one sent is spent) and `expires_in` (about 7,200 seconds).
//!
//! A refused grant (`invalid_grant`, or X's 400 `invalid_request` "Value passed for the token
//! was invalid." for a spent or revoked refresh token) and a refused client (401) are final:
//! trying again cannot help, a person must authorize the app again. A 5xx or a lost
//! connection is worth another try.

use std::time::Duration;

use serde_json::Value;

use super::credentials::Secret;
use super::endpoint::endpoint_url;
use crate::percent_encoding::percent_encode;

/// The longest token answer read: X's are a few hundred bytes.
const MAX_ANSWER_BYTES: usize = 16 * 1024;
/// The longest token accepted from an answer.
const MAX_TOKEN_BYTES: usize = 4096;
/// What an answer without `expires_in` is taken to last: X's two hours.
const DEFAULT_LIFETIME: Duration = Duration::from_secs(7200);

/// The client an OAuth 2.0 account refreshes as: its id, and its secret for a confidential
/// client (an "Automated App or bot" or "Web App" in X's developer portal).
#[derive(Debug, Clone)]
pub struct OAuth2Client {
    pub client_id: Secret,
    pub client_secret: Option<Secret>,
}

/// What a successful refresh gives.
#[derive(Debug, Clone)]
pub struct TokenGrant {
    pub access_token: Secret,
    /// The next refresh token; the one sent is spent.
    pub refresh_token: Secret,
    /// How long the access token lasts from the answer.
    pub lifetime: Duration,
}

/// Why a refresh gave no tokens. The texts are the partner's words, never a token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RefreshError {
    /// The refresh token or the client was refused: only a new authorization helps.
    #[error("X refused the refresh: {0}")]
    Refused(String),
    /// Nothing came back that could be used; another try later may work.
    #[error("the refresh did not complete: {0}")]
    Transient(String),
}

/// Trades `refresh_token` for new tokens at `{base_url}/2/oauth2/token`.
pub async fn refresh_tokens(
    client: &reqwest::Client,
    base_url: &str,
    oauth: &OAuth2Client,
    refresh_token: &Secret,
    timeout: Duration,
) -> Result<TokenGrant, RefreshError> {
    let url = endpoint_url(base_url, &["2", "oauth2", "token"], &[])
        .map_err(|error| RefreshError::Refused(error.to_string()))?;
    let mut form = format!(
        "grant_type=refresh_token&refresh_token={}",
        percent_encode(refresh_token.expose())
    );
    let mut request = client
        .post(url)
        .timeout(timeout)
        .header("content-type", "application/x-www-form-urlencoded");
    match &oauth.client_secret {
        Some(secret) => {
            let pair = format!(
                "{}:{}",
                percent_encode(oauth.client_id.expose()),
                percent_encode(secret.expose())
            );
            request = request.header(
                "authorization",
                format!("Basic {}", crate::base64::encode(pair.as_bytes())),
            );
        }
        None => form.push_str(&format!(
            "&client_id={}",
            percent_encode(oauth.client_id.expose())
        )),
    }
    let response = request.body(form).send().await.map_err(|error| {
        // The URL holds no secret, but say only what failed.
        RefreshError::Transient(format!("no answer from the token endpoint: {error}"))
    })?;
    let status = response.status().as_u16();
    let bytes = response
        .bytes()
        .await
        .map_err(|error| RefreshError::Transient(format!("answer cut short: {error}")))?;
    classify_token_answer(status, &bytes, &[refresh_token.expose()])
}

/// X's token answer as tokens or a [`RefreshError`]; `sent` are secrets taken out of any text.
pub fn classify_token_answer(
    status: u16,
    body: &[u8],
    sent: &[&str],
) -> Result<TokenGrant, RefreshError> {
    if body.len() > MAX_ANSWER_BYTES {
        return Err(RefreshError::Transient(format!(
            "HTTP {status} with an answer over {MAX_ANSWER_BYTES} bytes"
        )));
    }
    let answer: Option<Value> = serde_json::from_slice(body).ok();
    let words = answer.as_ref().map(|a| problem_words(a, sent));
    let words = words.unwrap_or_else(|| format!("HTTP {status}"));
    match status {
        200..=299 => answer
            .as_ref()
            .and_then(grant_of)
            .ok_or_else(|| RefreshError::Transient(format!("HTTP {status} without usable tokens"))),
        400..=403 => Err(RefreshError::Refused(words)),
        _ => Err(RefreshError::Transient(words)),
    }
}

/// The tokens of a successful answer; `None` when either is missing, empty or oversized.
fn grant_of(answer: &Value) -> Option<TokenGrant> {
    let token = |name: &str| {
        answer[name]
            .as_str()
            .filter(|t| {
                !t.is_empty() && t.len() <= MAX_TOKEN_BYTES && !t.contains(char::is_control)
            })
            .map(Secret::new)
    };
    let lifetime = answer["expires_in"]
        .as_u64()
        .filter(|seconds| *seconds > 0)
        .map(Duration::from_secs)
        .unwrap_or(DEFAULT_LIFETIME);
    Some(TokenGrant {
        access_token: token("access_token")?,
        refresh_token: token("refresh_token")?,
        lifetime,
    })
}

/// `error: error_description` (RFC 6749 section 5.2), or X's v2 problem `title`/`detail`, at
/// most 300 characters, with every secret sent taken out.
fn problem_words(answer: &Value, sent: &[&str]) -> String {
    let pick = |name: &str| answer[name].as_str().filter(|t| !t.is_empty());
    let text = match (pick("error"), pick("error_description")) {
        (Some(error), Some(description)) => format!("{error}: {description}"),
        (Some(error), None) => error.to_string(),
        (None, _) => pick("detail")
            .or_else(|| pick("title"))
            .unwrap_or("no reason given")
            .to_string(),
    };
    let text: String = text.chars().take(300).collect();
    sent.iter()
        .filter(|s| !s.is_empty())
        .fold(text, |text, secret| text.replace(secret, "[redacted]"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_grant_gives_both_tokens_and_the_lifetime() {
        let body = br#"{"token_type":"bearer","expires_in":7200,"access_token":"at-1","scope":"tweet.write offline.access","refresh_token":"rt-2"}"#;
        let grant = classify_token_answer(200, body, &["rt-1"]).unwrap();
        assert_eq!(grant.access_token.expose(), "at-1");
        assert_eq!(grant.refresh_token.expose(), "rt-2");
        assert_eq!(grant.lifetime, Duration::from_secs(7200));
        // Without a refresh token there is nothing to keep using: not a grant.
        assert!(matches!(
            classify_token_answer(200, br#"{"access_token":"at-1","expires_in":7200}"#, &[]),
            Err(RefreshError::Transient(_))
        ));
        assert!(matches!(
            classify_token_answer(200, b"<html>", &[]),
            Err(RefreshError::Transient(_))
        ));
    }

    #[test]
    fn a_spent_token_is_refused_with_xs_words_and_never_echoed() {
        let body = br#"{"error":"invalid_request","error_description":"Value passed for the token was invalid: rt-1"}"#;
        assert_eq!(
            classify_token_answer(400, body, &["rt-1"]).unwrap_err(),
            RefreshError::Refused(
                "invalid_request: Value passed for the token was invalid: [redacted]".into()
            )
        );
        let client = br#"{"error":"unauthorized_client","error_description":"Missing valid authorization header"}"#;
        assert!(matches!(
            classify_token_answer(401, client, &[]),
            Err(RefreshError::Refused(text)) if text.contains("Missing valid authorization header")
        ));
        assert!(matches!(
            classify_token_answer(503, b"", &[]),
            Err(RefreshError::Transient(text)) if text == "HTTP 503"
        ));
        let huge = vec![b' '; MAX_ANSWER_BYTES + 1];
        assert!(matches!(
            classify_token_answer(200, &huge, &[]),
            Err(RefreshError::Transient(_))
        ));
    }
}
