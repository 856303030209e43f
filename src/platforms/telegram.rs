//! Telegram Bot API: `sendMessage` to a channel (`@name`) or chat, with HTML parse mode.
//! Answers are classified as `docs/PARTNERS.md` describes: 429 carries `parameters.retry_after`;
//! a 403 saying the person blocked the bot, deleted their account or removed the bot ends that
//! chat; 5xx and connection failures are transient. Also points the bot's updates at herald
//! (`setWebhook`) with the secret Telegram echoes in `X-Telegram-Bot-Api-Secret-Token`.

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
        let url = format!("{}/bot{}/sendMessage", self.base_url, self.token.expose());
        let body = SendMessage::to(chat, publication.text).to_json();
        let sent = self
            .client
            .post(url)
            .timeout(self.timeout)
            .header("content-type", "application/json")
            .body(body)
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
        // The usual answer, a sent message, is read without building a JSON tree; anything
        // else is read whole and classified below.
        if let Some(published) = sent_fast(status, &bytes) {
            return published;
        }
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

    /// Asks Telegram to POST the bot's updates (private messages, members joining or leaving,
    /// button presses) to `url`, each carrying `secret_token` in
    /// `X-Telegram-Bot-Api-Secret-Token` so that the receiver can reject forgeries. The secret
    /// must be 1 to 256 characters of `A-Z`, `a-z`, `0-9`, `_` and `-`, as Telegram requires.
    pub async fn set_webhook(
        &self,
        url: &str,
        secret_token: &str,
    ) -> Result<(), TelegramWebhookError> {
        let valid_secret = (1..=256).contains(&secret_token.len())
            && secret_token
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !valid_secret {
            return Err(TelegramWebhookError::InvalidSecret);
        }
        let body = json!({
            "url": url,
            "secret_token": secret_token,
            "allowed_updates": ["message", "my_chat_member", "callback_query"],
        });
        // The token is part of the path: errors must never show the URL.
        let endpoint = format!("{}/bot{}/setWebhook", self.base_url, self.token.expose());
        let response = self
            .client
            .post(endpoint)
            .timeout(self.timeout)
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .map_err(TelegramWebhookError::transport)?;
        let status = response.status().as_u16();
        let bytes = response
            .bytes()
            .await
            .map_err(TelegramWebhookError::transport)?;
        let answer: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        if status == 200 && answer["ok"] == true {
            return Ok(());
        }
        let description = answer["description"]
            .as_str()
            .map(|d| d.replace(self.token.expose(), "[redacted]"))
            .unwrap_or_else(|| format!("HTTP {status}"));
        Err(TelegramWebhookError::Refused { description })
    }
}

/// Why Telegram did not take a webhook. Never contains the bot token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TelegramWebhookError {
    #[error("the webhook secret must be 1 to 256 characters of A-Z, a-z, 0-9, `_` and `-`")]
    InvalidSecret,
    /// The request or its answer broke off: the transport's reason, without the URL (which
    /// carries the token).
    #[error("Telegram setWebhook failed: {reason}")]
    Transport { reason: String },
    /// Telegram answered with an error: its description (token redacted) or the HTTP status.
    #[error("Telegram setWebhook refused: {description}")]
    Refused { description: String },
}

impl TelegramWebhookError {
    fn transport(error: reqwest::Error) -> TelegramWebhookError {
        TelegramWebhookError::Transport {
            reason: error.without_url().to_string(),
        }
    }
}

/// Whether a 403's description says the person is gone for this bot: they blocked it, their
/// account was deleted, or they (or a group's admins) removed the bot. Other 403s, such as a
/// bot that is not an admin of its channel, are the account's problem, not the person's.
fn recipient_left(description: &str) -> bool {
    let description = description.to_ascii_lowercase();
    description.contains("bot was blocked by the user")
        || description.contains("user is deactivated")
        || description.contains("bot was kicked")
}

/// The sent message's id, if `answer` is the Bot API's documented success:
/// `{"ok": true, "result": Message}` with an integer `message_id` and a `chat` carrying an
/// integer `id`. Otherwise what is missing, for the operator.
/// A `sendMessage` request's body. Fields in the order `json!` would write them.
#[derive(serde::Serialize)]
struct SendMessage<'a> {
    chat_id: ChatId<'a>,
    link_preview_options: LinkPreview,
    parse_mode: &'static str,
    text: &'a str,
}

/// Numeric ids go as numbers, `@channel` names as strings, as the Bot API expects.
#[derive(serde::Serialize)]
#[serde(untagged)]
enum ChatId<'a> {
    Number(i64),
    Name(&'a str),
}

#[derive(serde::Serialize)]
struct LinkPreview {
    is_disabled: bool,
}

impl<'a> SendMessage<'a> {
    fn to(chat: &'a str, text: &'a str) -> SendMessage<'a> {
        SendMessage {
            chat_id: chat
                .parse::<i64>()
                .map_or(ChatId::Name(chat), ChatId::Number),
            link_preview_options: LinkPreview { is_disabled: false },
            parse_mode: "HTML",
            text,
        }
    }

    fn to_json(&self) -> Vec<u8> {
        // Serialising borrowed strings and integers cannot fail.
        serde_json::to_vec(self).unwrap_or_default()
    }
}

/// A sent message as Telegram answers it: the fields herald reads, the rest skipped. Reads
/// only answers in the documented shape (an integer `message_id` and `chat.id`), exactly as
/// [`sent_message_id`] accepts them.
#[derive(serde::Deserialize)]
struct SentAnswer {
    ok: bool,
    result: SentMessage,
}

#[derive(serde::Deserialize)]
struct SentMessage {
    message_id: i64,
    /// Required to be there, as an integer, though not read.
    #[allow(dead_code)]
    chat: SentChat,
}

#[derive(serde::Deserialize)]
struct SentChat {
    /// Required to be an integer, though not read.
    #[allow(dead_code)]
    id: i64,
}

/// A 2xx answer in the documented shape of a sent message, read without building a JSON tree:
/// the same result [`classify`] gives it; `None` for any other answer.
fn sent_fast(status: u16, bytes: &[u8]) -> Option<PublishResult> {
    let sent = serde_json::from_slice::<SentAnswer>(bytes).ok()?;
    ((200..300).contains(&status) && sent.ok).then(|| PublishResult::Published {
        platform_id: Some(sent.result.message_id.to_string()),
    })
}

fn sent_message_id(answer: &Value) -> Result<i64, &'static str> {
    if answer["ok"] != true {
        return Err("`ok` is not true");
    }
    let message = &answer["result"];
    if !message.is_object() {
        return Err("no `result` message");
    }
    let Some(message_id) = message["message_id"].as_i64() else {
        return Err("`result.message_id` is not an integer");
    };
    if !message["chat"]["id"].is_i64() {
        return Err("`result.chat.id` is not an integer");
    }
    Ok(message_id)
}

/// Telegram's answer as a [`PublishResult`]. A 2xx that is not a sent message in the
/// documented shape is [`PublishResult::Unknown`]: the message may have gone out, but
/// herald cannot tell which one it is, and says so rather than count it published.
pub fn classify(status: u16, answer: &Value) -> PublishResult {
    let description = answer["description"].as_str().unwrap_or("").to_string();
    if (200..300).contains(&status) {
        return match sent_message_id(answer) {
            Ok(id) => PublishResult::Published {
                platform_id: Some(id.to_string()),
            },
            Err(why) => PublishResult::Unknown {
                error: format!("HTTP {status} that is not a sent message: {why}"),
            },
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
        403 if recipient_left(&description) => PublishResult::RecipientGone {
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
            classify(
                200,
                &json!({"ok": true, "result": {"message_id": 42, "chat": {"id": -1001234567890i64, "type": "channel"}, "date": 1}})
            ),
            PublishResult::Published {
                platform_id: Some("42".into())
            }
        );
        // A 2xx that is not a sent message is never a silent success.
        for (answer, why) in [
            (
                json!({"ok": true, "result": {"message_id": 42}}),
                "`result.chat.id` is not an integer",
            ),
            (
                json!({"ok": true, "result": {"message_id": "42", "chat": {"id": 1}}}),
                "`result.message_id` is not an integer",
            ),
            (
                json!({"ok": true, "result": {"message_id": 42, "chat": {"id": "@news"}}}),
                "`result.chat.id` is not an integer",
            ),
            (json!({"ok": true, "result": true}), "no `result` message"),
            (json!({"ok": false, "error_code": 400}), "`ok` is not true"),
            (Value::Null, "`ok` is not true"),
        ] {
            assert_eq!(
                classify(200, &answer),
                PublishResult::Unknown {
                    error: format!("HTTP 200 that is not a sent message: {why}")
                },
                "{answer}"
            );
        }
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
            PublishResult::RecipientGone {
                code: "403".into(),
                text: "Forbidden: bot was blocked by the user".into()
            }
        );
        for description in [
            "Forbidden: user is deactivated",
            "Forbidden: bot was kicked from the group chat",
            "Forbidden: bot was kicked from the supergroup chat",
            "Forbidden: bot was kicked from the channel chat",
        ] {
            assert!(
                matches!(
                    classify(403, &json!({"ok": false, "error_code": 403, "description": description})),
                    PublishResult::RecipientGone { code, .. } if code == "403"
                ),
                "{description}"
            );
        }
        // The bot lacking rights in its own channel is the account's problem: nobody left.
        assert!(matches!(
            classify(
                403,
                &json!({"ok": false, "error_code": 403, "description": "Forbidden: bot is not a member of the channel chat"})
            ),
            PublishResult::Permanent { .. }
        ));
        assert!(matches!(
            classify(
                400,
                &json!({"ok": false, "error_code": 400, "description": "Bad Request: message is too long"})
            ),
            PublishResult::Permanent { .. }
        ));
    }

    #[tokio::test]
    async fn sets_the_webhook_with_its_secret_and_never_shows_the_token() {
        use std::sync::{Arc, Mutex};

        use axum::Router;
        use axum::extract::{Path, State};
        use axum::routing::post;

        type Seen = Arc<Mutex<Vec<(String, Value)>>>;
        let seen = Seen::default();
        let router = Router::new()
            .route(
                "/{bot}/setWebhook",
                post(
                    |State(seen): State<Seen>, Path(bot): Path<String>, body: String| async move {
                        let body: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
                        let refuse = body["url"] == "http://bad.example";
                        seen.lock().unwrap().push((bot, body));
                        if refuse {
                            (
                                axum::http::StatusCode::BAD_REQUEST,
                                r#"{"ok":false,"error_code":400,"description":"Bad Request: bad webhook for bot123:ABC"}"#,
                            )
                        } else {
                            (
                                axum::http::StatusCode::OK,
                                r#"{"ok":true,"result":true,"description":"Webhook was set"}"#,
                            )
                        }
                    },
                ),
            )
            .with_state(seen.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        let adapter = TelegramAdapter::new(
            reqwest::Client::new(),
            &format!("http://{address}"),
            Secret::new("123:ABC"),
            BTreeMap::new(),
            Duration::from_secs(5),
        );
        assert_eq!(
            adapter
                .set_webhook(
                    "https://herald.example.org/hooks/telegram/nl",
                    "s3cret_Token-1"
                )
                .await,
            Ok(())
        );
        let error = adapter
            .set_webhook("http://bad.example", "s3cret_Token-1")
            .await
            .unwrap_err()
            .to_string();
        assert!(error.contains("bad webhook"), "{error}");
        assert!(!error.contains("123:ABC"), "{error}");
        assert_eq!(
            adapter
                .set_webhook("https://herald.example.org/x", "no spaces allowed")
                .await,
            Err(TelegramWebhookError::InvalidSecret)
        );
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 2, "an invalid secret is refused before calling");
        assert_eq!(seen[0].0, "bot123:ABC");
        assert_eq!(
            seen[0].1,
            json!({
                "url": "https://herald.example.org/hooks/telegram/nl",
                "secret_token": "s3cret_Token-1",
                "allowed_updates": ["message", "my_chat_member", "callback_query"]
            })
        );
    }

    #[test]
    fn the_fast_reading_of_a_sent_message_agrees_with_classify() {
        let answers = [
            json!({"ok": true, "result": {"message_id": 42, "chat": {"id": -1001234567890i64, "type": "channel"}, "date": 1, "text": "é \u{202b}"}}),
            json!({"ok": true, "result": {"message_id": 42}}),
            json!({"ok": true, "result": {"message_id": "42", "chat": {"id": 1}}}),
            json!({"ok": true, "result": {"message_id": 42, "chat": {"id": "@news"}}}),
            json!({"ok": true, "result": true}),
            json!({"ok": false, "error_code": 400}),
            json!({"ok": false, "error_code": 429, "parameters": {"retry_after": 3}}),
        ];
        for answer in answers {
            let bytes = answer.to_string().into_bytes();
            for status in [200, 201, 400, 429, 500] {
                if let Some(fast) = sent_fast(status, &bytes) {
                    assert_eq!(fast, classify(status, &answer), "{status} {answer}");
                }
            }
        }
        let sent = json!({"ok": true, "result": {"message_id": 7, "chat": {"id": 1}}});
        assert_eq!(
            sent_fast(200, sent.to_string().as_bytes()),
            Some(PublishResult::Published {
                platform_id: Some("7".into())
            })
        );
        assert_eq!(sent_fast(429, sent.to_string().as_bytes()), None);
    }

    #[test]
    fn the_request_body_sends_numeric_chats_as_numbers_and_names_as_strings() {
        let body: Value =
            serde_json::from_slice(&SendMessage::to("-100123", "<b>hi</b>").to_json()).unwrap();
        assert_eq!(
            body,
            json!({"chat_id": -100123, "text": "<b>hi</b>", "parse_mode": "HTML", "link_preview_options": {"is_disabled": false}})
        );
        let body: Value = serde_json::from_slice(&SendMessage::to("@news", "x").to_json()).unwrap();
        assert_eq!(body["chat_id"], "@news");
    }
}
