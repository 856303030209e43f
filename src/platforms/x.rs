//! X API v2: posts (`POST /2/tweets`) and their public metrics (`GET /2/tweets?ids=...`).
//! Answers are classified as `docs/PARTNERS.md` describes: 429 waits until `x-rate-limit-reset`,
//! 5xx is transient, 401 and 403 (duplicate content, not permitted) and other 4xx are
//! permanent with X's words.
//!
//! Every request acts for a user, as X requires to post (an app-only bearer token gets 403
//! "Unsupported Authentication"): signed with OAuth 1.0a user context ([`super::oauth1`]),
//! whose secrets never travel, or with an OAuth 2.0 user access token as a bearer token, which
//! [`XTokens`] refreshes before it expires. A 401 to an OAuth 2.0 request gets one more try
//! with another access token (refreshed, or stored by another worker meanwhile).

use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::header::HeaderMap;
use serde_json::{Value, json};

use super::adapter::{Publication, PublishResult, transport_failure};
use super::endpoint::endpoint_url;
use super::oauth1::{Freshness, OAuth1Keys, authorization_header};
use super::read_error::PlatformError;
use super::x_tokens::{TokenError, XTokens};
use std::sync::Arc;

/// X's 15-minute window, waited out whole when a 429 does not say when it resets.
const DEFAULT_THROTTLE_WAIT: Duration = Duration::from_secs(15 * 60);

/// Most ids one lookup takes.
pub const MAX_IDS_PER_LOOKUP: usize = 100;

/// How long the posts of an account whose refresh token X refused wait before trying again
/// (which calls nobody until a new refresh token is stored).
const REFUSED_TOKEN_WAIT: Duration = Duration::from_secs(15 * 60);

/// One X account, acting for its user.
#[derive(Debug, Clone)]
pub struct XAdapter {
    client: reqwest::Client,
    base_url: String,
    auth: XAuth,
    timeout: Duration,
}

/// How an X account acts for its user.
#[derive(Debug, Clone)]
pub enum XAuth {
    /// OAuth 1.0a: every request signed with the four keys.
    OAuth1(OAuth1Keys),
    /// OAuth 2.0: a bearer access token, refreshed as it expires.
    OAuth2(Arc<XTokens>),
}

/// The `Authorization` value of one request, and the access token it carries (OAuth 2.0).
struct Authorization {
    header: String,
    bearer: Option<super::Secret>,
}

/// A post's public counters. Counters X leaves out count as zero.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PublicMetrics {
    pub impression_count: u64,
    pub like_count: u64,
    pub retweet_count: u64,
    pub reply_count: u64,
    pub quote_count: u64,
    pub bookmark_count: u64,
}

impl XAdapter {
    /// `base_url` is `https://api.x.com` or a sandbox.
    pub fn new(
        client: reqwest::Client,
        base_url: &str,
        auth: impl Into<XAuth>,
        timeout: Duration,
    ) -> Self {
        XAdapter {
            client,
            base_url: base_url.trim_end_matches('/').to_string(),
            auth: auth.into(),
            timeout,
        }
    }

    /// The `Authorization` value for `method` on `url`, signed at the caller's `now`
    /// (OAuth 1.0a), or with an access token other than `rejected` (OAuth 2.0).
    async fn authorize(
        &self,
        method: &str,
        url: &reqwest::Url,
        now: DateTime<Utc>,
        rejected: Option<&super::Secret>,
    ) -> Result<Authorization, PublishResult> {
        match &self.auth {
            XAuth::OAuth1(keys) => {
                let freshness = Freshness::new(now.timestamp()).map_err(|e| no_nonce(&e))?;
                Ok(Authorization {
                    header: authorization_header(keys, method, url, &freshness),
                    bearer: None,
                })
            }
            XAuth::OAuth2(tokens) => {
                let token = match rejected {
                    Some(rejected) => tokens.replace(rejected).await,
                    None => tokens.access_token().await,
                }
                .map_err(|error| no_token(&error))?;
                Ok(Authorization {
                    header: format!("Bearer {}", token.expose()),
                    bearer: Some(token),
                })
            }
        }
    }

    /// Sends `request` as built by `build` with an authorization; after a 401 to an OAuth 2.0
    /// access token, once more with another. The answer's status, headers and body.
    async fn send_authorized(
        &self,
        method: &str,
        url: &reqwest::Url,
        now: DateTime<Utc>,
        build: impl Fn(String) -> reqwest::RequestBuilder,
    ) -> Result<(u16, HeaderMap, Vec<u8>), PublishResult> {
        let mut rejected = None;
        loop {
            let authorization = self.authorize(method, url, now, rejected.as_ref()).await?;
            let response = build(authorization.header)
                .send()
                .await
                .map_err(|error| transport_failure(&error))?;
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            let bytes = response
                .bytes()
                .await
                .map_err(|error| transport_failure(&error))?
                .to_vec();
            match authorization.bearer {
                Some(token) if status == 401 && rejected.is_none() => rejected = Some(token),
                _ => return Ok((status, headers, bytes)),
            }
        }
    }

    /// Posts the text. `now` is the caller's clock, against which X's reset time becomes a
    /// wait. X has no idempotency key: an unknown outcome must be reconciled, not re-sent.
    pub async fn publish(
        &self,
        publication: &Publication<'_>,
        now: DateTime<Utc>,
    ) -> PublishResult {
        let url = match endpoint_url(&self.base_url, &["2", "tweets"], &[]) {
            Ok(url) => url,
            Err(error) => {
                return PublishResult::Permanent {
                    code: "base_url".into(),
                    text: error.to_string(),
                };
            }
        };
        let body = json!({ "text": publication.text }).to_string();
        let sent = self
            .send_authorized("POST", &url, now, |authorization| {
                self.client
                    .post(url.clone())
                    .timeout(self.timeout)
                    .header("authorization", authorization)
                    .header("content-type", "application/json")
                    .body(body.clone())
            })
            .await;
        match sent {
            Ok((status, headers, bytes)) => classify(status, &headers, &bytes, now),
            Err(result) => result,
        }
    }

    /// The public metrics of the posts `ids`, looked up 100 at a time. Posts X does not know
    /// (deleted, or never existed) are left out. `now` turns a 429's reset time into a wait.
    pub async fn public_metrics(
        &self,
        ids: &[&str],
        now: DateTime<Utc>,
    ) -> Result<Vec<(String, PublicMetrics)>, PlatformError> {
        let mut found = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(MAX_IDS_PER_LOOKUP) {
            let joined = chunk.join(",");
            let url = endpoint_url(
                &self.base_url,
                &["2", "tweets"],
                &[("ids", &joined), ("tweet.fields", "public_metrics")],
            )
            .map_err(|error| PlatformError::refused("base_url", error.to_string()))?;
            let (status, headers, bytes) = self
                .send_authorized("GET", &url, now, |authorization| {
                    self.client
                        .get(url.clone())
                        .timeout(self.timeout)
                        .header("authorization", authorization)
                })
                .await
                .map_err(PlatformError::from_answer)?;
            if !(200..300).contains(&status) {
                return Err(PlatformError::from_answer(classify(
                    status, &headers, &bytes, now,
                )));
            }
            let metrics = lookup_metrics(&bytes)
                .ok_or_else(|| PlatformError::unreadable(&format!("HTTP {status}")))?;
            found.extend(metrics);
        }
        Ok(found)
    }
}

/// Nothing was sent: the system's random source failed. Worth another try later.
fn no_nonce(error: &getrandom::Error) -> PublishResult {
    PublishResult::Transient {
        code: "nonce".into(),
        text: format!("no random nonce to sign with: {error}"),
    }
}

impl From<OAuth1Keys> for XAuth {
    fn from(keys: OAuth1Keys) -> XAuth {
        XAuth::OAuth1(keys)
    }
}

/// No access token to send: nothing was sent. A refused refresh token waits (without using
/// the job's attempts) for someone to store a new one; anything else is tried again later.
fn no_token(error: &TokenError) -> PublishResult {
    match error {
        TokenError::Refused(_) | TokenError::Missing => PublishResult::Throttled {
            wait: REFUSED_TOKEN_WAIT,
            text: error.to_string(),
        },
        TokenError::Unavailable(_) => PublishResult::Transient {
            code: "token".into(),
            text: error.to_string(),
        },
    }
}

/// The posts of a successful lookup answer with their public metrics: `data` is a list
/// (`GET /2/tweets?ids=`) or one post (`GET /2/tweets/:id`). Ids X does not know are only in
/// `errors` (a 200 with no `data` when none was found). `None` when the body is not JSON.
pub fn lookup_metrics(body: &[u8]) -> Option<Vec<(String, PublicMetrics)>> {
    let answer: Value = serde_json::from_slice(body).ok()?;
    Some(match &answer["data"] {
        Value::Array(posts) => posts.iter().filter_map(post_metrics).collect(),
        post @ Value::Object(_) => post_metrics(post).into_iter().collect(),
        _ => Vec::new(),
    })
}

/// One entry of a lookup's `data`.
fn post_metrics(post: &Value) -> Option<(String, PublicMetrics)> {
    let id = post.get("id")?.as_str()?.to_string();
    let counters = &post["public_metrics"];
    let count = |name: &str| counters[name].as_u64().unwrap_or(0);
    Some((
        id,
        PublicMetrics {
            impression_count: count("impression_count"),
            like_count: count("like_count"),
            retweet_count: count("retweet_count"),
            reply_count: count("reply_count"),
            quote_count: count("quote_count"),
            bookmark_count: count("bookmark_count"),
        },
    ))
}

/// X's answer as a [`PublishResult`]; `now` is when it arrived, by the caller's clock.
/// X's error code for an OAuth request signed at a time too far from its own.
const TIMESTAMP_OUT_OF_BOUNDS: &str = "135";

pub fn classify(
    status: u16,
    headers: &HeaderMap,
    body: &[u8],
    now: DateTime<Utc>,
) -> PublishResult {
    let answer: Option<Value> = serde_json::from_slice(body).ok();
    let Some(answer) = answer else {
        return match status {
            200..=299 => PublishResult::Unknown {
                error: format!("unreadable answer (HTTP {status})"),
            },
            429 => PublishResult::Throttled {
                wait: reset_wait(headers, now),
                text: format!("HTTP {status}"),
            },
            500..=599 => PublishResult::Transient {
                code: status.to_string(),
                text: format!("HTTP {status}"),
            },
            _ => PublishResult::Permanent {
                code: status.to_string(),
                text: format!("HTTP {status}"),
            },
        };
    };
    let text = problem_text(&answer).unwrap_or_else(|| format!("HTTP {status}"));
    let code = answer["errors"][0]["code"]
        .as_i64()
        .map(|code| code.to_string())
        .unwrap_or_else(|| status.to_string());
    match status {
        // X documents `data.id` on every created post; a 2xx without it is not a post herald
        // can follow, so it is reported, never taken for one.
        200..=299 => match answer["data"]["id"].as_str().filter(|id| !id.is_empty()) {
            Some(id) => PublishResult::Published {
                platform_id: Some(id.to_string()),
            },
            None => PublishResult::Unknown {
                error: format!("HTTP {status} that is not a created post: `data.id` is missing"),
            },
        },
        429 => PublishResult::Throttled {
            wait: reset_wait(headers, now),
            text,
        },
        500..=599 => PublishResult::Transient { code, text },
        // "Timestamp out of bounds": the signature's time is too far from X's clock, which
        // says nothing about the post; retried (with backoff) rather than given up at once.
        401 if code == TIMESTAMP_OUT_OF_BOUNDS => PublishResult::Transient { code, text },
        _ => PublishResult::Permanent { code, text },
    }
}

/// The time until `x-rate-limit-reset` (Unix seconds), at least a second; the whole
/// 15-minute window when the header is missing or unreadable.
fn reset_wait(headers: &HeaderMap, now: DateTime<Utc>) -> Duration {
    headers
        .get("x-rate-limit-reset")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse::<i64>().ok())
        .map(|reset| {
            let seconds = reset.saturating_sub(now.timestamp()).max(1);
            Duration::from_secs(seconds.unsigned_abs())
        })
        .unwrap_or(DEFAULT_THROTTLE_WAIT)
}

/// X's words: a problem's `detail` and the first error's `message` (v2 problem JSON), or a
/// v1.1-style `errors[0].message`, or the `title`.
fn problem_text(answer: &Value) -> Option<String> {
    let detail = answer["detail"].as_str().filter(|t| !t.is_empty());
    let message = answer["errors"][0]["message"]
        .as_str()
        .filter(|t| !t.is_empty());
    let text = match (detail, message) {
        (Some(detail), Some(message)) if detail != message => format!("{detail} {message}"),
        (Some(detail), _) => detail.to_string(),
        (None, Some(message)) => message.to_string(),
        (None, None) => answer["title"]
            .as_str()
            .filter(|t| !t.is_empty())?
            .to_string(),
    };
    Some(text.chars().take(300).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use reqwest::header::HeaderValue;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2027, 1, 15, 10, 0, 0).unwrap()
    }

    fn reset_in(seconds: i64) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("x-rate-limit-limit", HeaderValue::from_static("100"));
        headers.insert("x-rate-limit-remaining", HeaderValue::from_static("0"));
        headers.insert(
            "x-rate-limit-reset",
            HeaderValue::from(now().timestamp() + seconds),
        );
        headers
    }

    #[test]
    fn success_carries_the_post_id() {
        assert_eq!(
            classify(
                201,
                &HeaderMap::new(),
                br#"{"data":{"id":"1880000000000000001","text":"hi"}}"#,
                now()
            ),
            PublishResult::Published {
                platform_id: Some("1880000000000000001".into())
            }
        );
        assert!(matches!(
            classify(201, &HeaderMap::new(), b"", now()),
            PublishResult::Unknown { .. }
        ));
    }

    #[test]
    fn too_many_requests_waits_until_the_reset() {
        let body = br#"{"errors":[{"code":88,"message":"Rate limit exceeded"}],"title":"Too Many Requests"}"#;
        assert_eq!(
            classify(429, &reset_in(600), body, now()),
            PublishResult::Throttled {
                wait: Duration::from_secs(600),
                text: "Rate limit exceeded".into()
            }
        );
        // A reset already past still waits a second; no header waits the whole window.
        assert!(matches!(
            classify(429, &reset_in(-5), body, now()),
            PublishResult::Throttled { wait, .. } if wait == Duration::from_secs(1)
        ));
        let problem = br#"{"title":"Too Many Requests","detail":"Too Many Requests","type":"about:blank","status":429}"#;
        assert_eq!(
            classify(429, &HeaderMap::new(), problem, now()),
            PublishResult::Throttled {
                wait: DEFAULT_THROTTLE_WAIT,
                text: "Too Many Requests".into()
            }
        );
    }

    #[test]
    fn server_errors_are_transient() {
        assert_eq!(
            classify(
                503,
                &HeaderMap::new(),
                br#"{"title":"Service Unavailable","detail":"Service Unavailable","type":"about:blank","status":503}"#,
                now()
            ),
            PublishResult::Transient {
                code: "503".into(),
                text: "Service Unavailable".into()
            }
        );
        assert!(matches!(
            classify(500, &HeaderMap::new(), b"oops", now()),
            PublishResult::Transient { .. }
        ));
    }

    #[test]
    fn refusals_are_permanent_with_xs_words() {
        assert_eq!(
            classify(
                403,
                &HeaderMap::new(),
                br#"{"detail":"You are not allowed to create a Tweet with duplicate content.","type":"about:blank","title":"Forbidden","status":403}"#,
                now()
            ),
            PublishResult::Permanent {
                code: "403".into(),
                text: "You are not allowed to create a Tweet with duplicate content.".into()
            }
        );
        assert_eq!(
            classify(
                401,
                &HeaderMap::new(),
                br#"{"title":"Unauthorized","type":"about:blank","status":401,"detail":"Unauthorized"}"#,
                now()
            ),
            PublishResult::Permanent {
                code: "401".into(),
                text: "Unauthorized".into()
            }
        );
        assert!(matches!(
            classify(
                401,
                &HeaderMap::new(),
                br#"{"errors":[{"message":"Timestamp out of bounds.","code":135}]}"#,
                now()
            ),
            PublishResult::Transient { code, .. } if code == "135"
        ));
        let invalid = br#"{"errors":[{"parameters":{"text":["x"]},"message":"Tweet text is too long."}],"title":"Invalid Request","detail":"One or more parameters to your request was invalid.","type":"https://api.twitter.com/2/problems/invalid-request"}"#;
        assert_eq!(
            classify(400, &HeaderMap::new(), invalid, now()),
            PublishResult::Permanent {
                code: "400".into(),
                text: "One or more parameters to your request was invalid. Tweet text is too long."
                    .into()
            }
        );
        assert!(matches!(
            classify(404, &HeaderMap::new(), b"", now()),
            PublishResult::Permanent { code, .. } if code == "404"
        ));
    }

    #[test]
    fn metrics_default_to_zero() {
        let post = json!({"id": "1", "text": "hi", "public_metrics": {"like_count": 4, "impression_count": 90}});
        assert_eq!(
            post_metrics(&post),
            Some((
                "1".to_string(),
                PublicMetrics {
                    impression_count: 90,
                    like_count: 4,
                    ..PublicMetrics::default()
                }
            ))
        );
        assert_eq!(post_metrics(&json!({"text": "no id"})), None);
    }
}
