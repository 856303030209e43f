//! Telegram Bot API: `sendMessage` to a channel (`@name`) or chat, with HTML parse mode.
//! Answers are classified as PLATFORMS.md describes: 429 carries `parameters.retry_after`;
//! 403 ends that chat; 5xx and connection failures are transient.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{Value, json};

use super::adapter::{Publication, PublishResult, transport_failure};
use super::credentials::Secret;

#[derive(Debug, Clone)]
pub struct TelegramAdapter {
    client: reqwest::Client,
    base_url: String,
    token: Secret,
    chats: BTreeMap<String, String>,
    timeout: Duration,
}

impl TelegramAdapter {
    pub fn new(
        client: reqwest::Client,
        base_url: &str,
        token: Secret,
        chats: BTreeMap<String, String>,
        timeout: Duration,
    ) -> Self {
        TelegramAdapter {
            client,
            base_url: base_url.trim_end_matches('/').to_string(),
            token,
            chats,
            timeout,
        }
    }

    pub fn chat_for(&self, locale: &str) -> Option<&str> {
        self.chats
            .get(locale)
            .or_else(|| self.chats.get("*"))
            .map(String::as_str)
    }

    pub async fn publish(&self, publication: &Publication<'_>) -> PublishResult {
        let Some(chat) = publication.recipient else {
            return PublishResult::Permanent {
                code: "no_chat".into(),
                text: format!("no chat configured for locale `{}`", publication.locale),
            };
        };
        // Numeric ids go as numbers, `@channel` names as strings, as the Bot API expects.
        let chat_id: Value = chat
            .parse::<i64>()
            .map(Value::from)
            .unwrap_or_else(|_| Value::from(chat));
        let url = format!("{}/bot{}/sendMessage", self.base_url, self.token.expose());
        let body = json!({
            "chat_id": chat_id,
            "text": publication.text,
            "parse_mode": "HTML",
            "link_preview_options": {"is_disabled": false},
        });
        let sent = self
            .client
            .post(url)
            .timeout(self.timeout)
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await;
        let response = match sent {
            Ok(response) => response,
            Err(error) => return transport_failure(&error),
        };
        let status = response.status().as_u16();
        let bytes = match response.bytes().await {
            Ok(bytes) => bytes,
            Err(error) => return transport_failure(&error),
        };
        let answer: Value = match serde_json::from_slice(&bytes) {
            Ok(answer) => answer,
            Err(_) if status < 500 && status != 429 => {
                return PublishResult::Unknown {
                    error: format!("unreadable answer (HTTP {status})"),
                };
            }
            Err(_) => Value::Null,
        };
        classify(status, &answer)
    }
}

/// Telegram's answer as a [`PublishResult`].
pub fn classify(status: u16, answer: &Value) -> PublishResult {
    let description = answer["description"].as_str().unwrap_or("").to_string();
    if status == 200 && answer["ok"] == true {
        return PublishResult::Published {
            platform_id: answer["result"]["message_id"]
                .as_i64()
                .map(|id| id.to_string()),
        };
    }
    let code = answer["error_code"]
        .as_i64()
        .map(|c| c.to_string())
        .unwrap_or_else(|| status.to_string());
    match status {
        429 => PublishResult::Throttled {
            wait: Duration::from_secs(
                answer["parameters"]["retry_after"]
                    .as_u64()
                    .unwrap_or(1)
                    .max(1),
            ),
            text: description,
        },
        500..=599 => PublishResult::Transient {
            code,
            text: description,
        },
        _ => PublishResult::Permanent {
            code,
            text: if description.is_empty() {
                format!("HTTP {status}")
            } else {
                description
            },
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_every_answer_class() {
        assert_eq!(
            classify(200, &json!({"ok": true, "result": {"message_id": 42}})),
            PublishResult::Published {
                platform_id: Some("42".into())
            }
        );
        assert_eq!(
            classify(
                429,
                &json!({"ok": false, "error_code": 429, "description": "Too Many Requests: retry after 7", "parameters": {"retry_after": 7}})
            ),
            PublishResult::Throttled {
                wait: Duration::from_secs(7),
                text: "Too Many Requests: retry after 7".into()
            }
        );
        assert!(matches!(
            classify(502, &Value::Null),
            PublishResult::Transient { .. }
        ));
        assert_eq!(
            classify(
                403,
                &json!({"ok": false, "error_code": 403, "description": "Forbidden: bot was blocked by the user"})
            ),
            PublishResult::Permanent {
                code: "403".into(),
                text: "Forbidden: bot was blocked by the user".into()
            }
        );
        assert!(matches!(
            classify(
                400,
                &json!({"ok": false, "error_code": 400, "description": "Bad Request: message is too long"})
            ),
            PublishResult::Permanent { .. }
        ));
    }
}
