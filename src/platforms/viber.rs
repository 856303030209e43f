//! Viber REST bot API: one text to up to 300 subscribers per call (`/pa/broadcast_message`),
//! or to one (`/pa/send_message`), with the account's token in `X-Viber-Auth-Token`.
//!
//! Viber answers HTTP 200 for almost everything and puts the outcome in the body's `status`:
//! 0 is accepted, 12 is the only throttling code (the window is 10 s), every other code is
//! permanent. A broadcast that was accepted may still name receivers it refused
//! (`failed_list`): those are classified one by one, and receivers who are not registered or
//! not subscribed (5, 6) have left.
//!
//! Every answer is read against the shape Viber documents: an accepted send must carry its
//! `message_token`, an accepted broadcast its `message_token` (and its `failed_list`, when
//! there is one, must be a list of receivers), an accepted webhook its `event_types`. An answer that says "ok" without them is reported as `Unknown`
//! with the reason, never taken as a silent success, so a partner (or a proxy) that answers
//! differently from the documentation shows up in the first rehearsal or send.

use std::time::Duration;

use serde_json::{Value, json};

use super::adapter::{BatchOutcome, PublishResult, transport_failure};
use super::credentials::Secret;
use super::redaction::{redact, redact_batch};

/// Viber accepts at most this many receivers in one broadcast call.
pub const MAX_BROADCAST: usize = 300;

/// Viber's rate window: after status 12, the account waits this long.
const THROTTLE_WAIT: Duration = Duration::from_secs(10);

/// The callbacks herald asks Viber for: delivery states and subscription changes.
const EVENT_TYPES: [&str; 6] = [
    "delivered",
    "seen",
    "failed",
    "subscribed",
    "unsubscribed",
    "conversation_started",
];

/// A Viber bot account ("public account"), sending under `sender_name`.
#[derive(Debug, Clone)]
pub struct ViberAdapter {
    client: reqwest::Client,
    base_url: String,
    token: Secret,
    sender_name: String,
    timeout: Duration,
}

impl ViberAdapter {
    /// `base_url` is `https://chatapi.viber.com` for the real API (or the sandbox's address).
    pub fn new(
        client: reqwest::Client,
        base_url: &str,
        token: Secret,
        sender_name: String,
        timeout: Duration,
    ) -> Self {
        ViberAdapter {
            client,
            base_url: base_url.trim_end_matches('/').to_string(),
            token,
            sender_name,
            timeout,
        }
    }

    /// Sends `text` to every receiver (Viber user ids) in one call. More than
    /// [`MAX_BROADCAST`] receivers, or none, is the caller's mistake: it is refused as
    /// `Whole(Permanent)` without calling Viber. Refused receivers are reported by their index
    /// in `receivers`.
    pub async fn broadcast(&self, text: &str, receivers: &[&str]) -> BatchOutcome {
        if receivers.is_empty() || receivers.len() > MAX_BROADCAST {
            return BatchOutcome::Whole(PublishResult::Permanent {
                code: "broadcast_size".into(),
                text: format!(
                    "a Viber broadcast takes 1 to {MAX_BROADCAST} receivers, not {}",
                    receivers.len()
                ),
            });
        }
        let body = json!({
            "sender": {"name": self.sender_name},
            "type": "text",
            "text": text,
            "broadcast_list": receivers,
        });
        let outcome = match self.call("broadcast_message", &body).await {
            Ok((status, bytes)) => classify(status, &bytes, receivers),
            Err(failure) => BatchOutcome::Whole(failure),
        };
        let mut secrets = receivers.to_vec();
        secrets.push(self.token.expose());
        redact_batch(outcome, &secrets)
    }

    /// Sends `text` to one receiver. Classified like a broadcast; a receiver who is not
    /// registered or not subscribed (5, 6) is `RecipientGone`.
    pub async fn send_message(&self, receiver: &str, text: &str) -> PublishResult {
        let body = json!({
            "receiver": receiver,
            "sender": {"name": self.sender_name},
            "type": "text",
            "text": text,
        });
        let result = match self.call("send_message", &body).await {
            Ok((status, bytes)) => classify_send(status, &bytes),
            Err(failure) => failure,
        };
        redact(result, &[receiver, self.token.expose()])
    }

    /// Points the account's callbacks at `url` (delivery states and subscription changes).
    /// Viber checks the URL at once by sending it a `webhook` callback, so the receiver must
    /// already answer 200 there.
    pub async fn set_webhook(&self, url: &str) -> Result<(), ViberWebhookError> {
        let body = json!({
            "url": url,
            "event_types": EVENT_TYPES,
            "send_name": false,
            "send_photo": false,
        });
        let (status, bytes) = match self.call("set_webhook", &body).await {
            Ok(answer) => answer,
            Err(failure) => return Err(ViberWebhookError::Failed(failure)),
        };
        classify_webhook(status, &bytes).map_err(ViberWebhookError::Refused)
    }

    /// POSTs `body` to `/pa/{method}`: the HTTP status and body, or the transport failure.
    async fn call(&self, method: &str, body: &Value) -> Result<(u16, Vec<u8>), PublishResult> {
        let sent = self
            .client
            .post(format!("{}/pa/{method}", self.base_url))
            .timeout(self.timeout)
            .header("x-viber-auth-token", self.token.expose())
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await;
        let response = sent.map_err(|error| transport_failure(&error))?;
        let status = response.status().as_u16();
        let bytes = response
            .bytes()
            .await
            .map_err(|error| transport_failure(&error))?;
        Ok((status, bytes.to_vec()))
    }
}

/// Why Viber did not take a webhook: the call's outcome, classified as a send's would be.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ViberWebhookError {
    /// The call did not get an answer.
    #[error("Viber set_webhook failed: {}", describe(.0))]
    Failed(PublishResult),
    /// Viber answered with an error status.
    #[error("Viber set_webhook refused: {}", describe(.0))]
    Refused(PublishResult),
}

fn describe(result: &PublishResult) -> String {
    match result {
        PublishResult::Published { .. } => "accepted".into(),
        PublishResult::Throttled { text, .. } | PublishResult::RecipientThrottled { text, .. } => {
            format!("throttled: {text}")
        }
        PublishResult::Transient { code, text }
        | PublishResult::Permanent { code, text }
        | PublishResult::RecipientGone { code, text } => format!("status {code}: {text}"),
        PublishResult::Unknown { error } => error.clone(),
    }
}

/// A broadcast's answer as a [`BatchOutcome`]; `receivers` is the call's broadcast list, so
/// that `failed_list` entries (which name receivers by id) become indices.
///
/// * HTTP 2xx with `status` 0 and a `message_token` (Viber's documented answer) → `Accepted`
///   under `message_token`; `failed_list` entries with status 5 (not registered) or 6 (not
///   subscribed) are `RecipientGone`, others `Permanent`; no `failed_list` refused nobody.
/// * status 0 without `message_token`, or with a `failed_list` that is not a list of
///   receivers → `Whole(Unknown)`: the
///   message may have gone out, but herald cannot tell to whom, and says so rather than count
///   every receiver as reached.
/// * status 12 → `Whole(Throttled)` for 10 s, Viber's rate window.
/// * any other status → `Whole(Permanent)` with Viber's `status_message`.
/// * HTTP 5xx → `Whole(Transient)`; HTTP 429 → `Whole(Throttled)`; other non-2xx →
///   `Whole(Permanent)`; a 2xx without an integer `status` → `Whole(Unknown)`.
pub fn classify(status: u16, body: &[u8], receivers: &[&str]) -> BatchOutcome {
    let answer = match read_answer(status, body) {
        Ok(answer) => answer,
        Err(failure) => return BatchOutcome::Whole(failure),
    };
    match viber_status(&answer) {
        0 => match accepted_broadcast(&answer, receivers) {
            Ok(outcome) => outcome,
            Err(error) => BatchOutcome::Whole(PublishResult::Unknown { error }),
        },
        12 => BatchOutcome::Whole(PublishResult::Throttled {
            wait: THROTTLE_WAIT,
            text: status_message(&answer),
        }),
        code => BatchOutcome::Whole(PublishResult::Permanent {
            code: code.to_string(),
            text: status_message(&answer),
        }),
    }
}

/// A status-0 broadcast answer as `Accepted`, or why it is not the documented shape.
fn accepted_broadcast(answer: &Value, receivers: &[&str]) -> Result<BatchOutcome, String> {
    let platform_id = message_token(answer)
        .ok_or("Viber accepted the broadcast but its answer has no message_token")?;
    // Viber's example lists the receivers that failed; an answer where none failed may leave
    // the list out, which means nobody was refused. A list that is there but not a list is
    // not the documented shape.
    let failed_list = match &answer["failed_list"] {
        Value::Null => &Vec::new(),
        Value::Array(list) => list,
        _ => return Err("Viber's failed_list is not a list".to_string()),
    };
    let mut refused = Vec::new();
    for failed in failed_list {
        let Some(receiver) = failed["receiver"].as_str() else {
            return Err("Viber's failed_list has an entry without a receiver".to_string());
        };
        // A refused receiver without a status code is still refused: its message did not go.
        let result = match failed["status"].as_i64() {
            Some(code) => refusal(code, status_message(failed)),
            None => refusal(-1, status_message(failed)),
        };
        // A receiver listed twice was refused twice.
        refused.extend(
            receivers
                .iter()
                .enumerate()
                .filter(|(_, r)| **r == receiver)
                .map(|(index, _)| (index, result.clone())),
        );
    }
    refused.sort_by_key(|(index, _)| *index);
    Ok(BatchOutcome::Accepted {
        platform_id: Some(platform_id),
        refused,
    })
}

/// A single send's answer as a [`PublishResult`]: as [`classify`], except that status 5 (not
/// registered) and 6 (not subscribed) mean the one receiver has left, and a status 0 must
/// carry the `message_token` Viber documents (else `Unknown`).
pub fn classify_send(status: u16, body: &[u8]) -> PublishResult {
    let answer = match read_answer(status, body) {
        Ok(answer) => answer,
        Err(failure) => return failure,
    };
    match viber_status(&answer) {
        0 => match message_token(&answer) {
            Some(token) => PublishResult::Published {
                platform_id: Some(token),
            },
            None => PublishResult::Unknown {
                error: "Viber accepted the message but its answer has no message_token".into(),
            },
        },
        12 => PublishResult::Throttled {
            wait: THROTTLE_WAIT,
            text: status_message(&answer),
        },
        code => refusal(code, status_message(&answer)),
    }
}

/// A `set_webhook` answer: `Ok` only for status 0 with the `event_types` list Viber
/// documents; status 1 (Viber could not reach the URL) and every other refusal are
/// `Permanent` (12 `Throttled`), read like a send's.
pub fn classify_webhook(status: u16, body: &[u8]) -> Result<(), PublishResult> {
    let answer = read_answer(status, body)?;
    match viber_status(&answer) {
        0 if answer["event_types"].is_array() => Ok(()),
        0 => Err(PublishResult::Unknown {
            error: "Viber accepted the webhook but its answer has no event_types".into(),
        }),
        12 => Err(PublishResult::Throttled {
            wait: THROTTLE_WAIT,
            text: status_message(&answer),
        }),
        code => Err(PublishResult::Permanent {
            code: code.to_string(),
            text: status_message(&answer),
        }),
    }
}

/// How one receiver's refusal counts: 5 and 6 mean the person is not (or no longer) there.
fn refusal(code: i64, text: String) -> PublishResult {
    match code {
        5 | 6 => PublishResult::RecipientGone {
            code: code.to_string(),
            text,
        },
        _ => PublishResult::Permanent {
            code: code.to_string(),
            text,
        },
    }
}

/// The body of an HTTP 2xx, or how a non-2xx (or unreadable) answer counts. Viber answers 200;
/// another 2xx is read the same way rather than taken as a refusal.
fn read_answer(status: u16, body: &[u8]) -> Result<Value, PublishResult> {
    let short = || {
        String::from_utf8_lossy(body)
            .chars()
            .take(200)
            .collect::<String>()
    };
    match status {
        200..=299 => {
            let answer =
                serde_json::from_slice::<Value>(body).map_err(|_| PublishResult::Unknown {
                    error: format!("Viber answered HTTP {status} with a body that is not JSON"),
                })?;
            if answer["status"].is_i64() || answer["status"].is_u64() {
                Ok(answer)
            } else {
                Err(PublishResult::Unknown {
                    error: format!("Viber answered HTTP {status} without an integer status"),
                })
            }
        }
        429 => Err(PublishResult::Throttled {
            wait: THROTTLE_WAIT,
            text: short(),
        }),
        500..=599 => Err(PublishResult::Transient {
            code: status.to_string(),
            text: short(),
        }),
        _ => Err(PublishResult::Permanent {
            code: status.to_string(),
            text: short(),
        }),
    }
}

fn viber_status(answer: &Value) -> i64 {
    // A status beyond i64 is not one Viber defines: a general error.
    answer["status"].as_i64().unwrap_or(i64::MAX)
}

fn status_message(answer: &Value) -> String {
    answer["status_message"]
        .as_str()
        .unwrap_or("")
        .chars()
        .take(200)
        .collect()
}

/// Viber's `message_token` is a 64-bit number; some proxies turn it into a string.
fn message_token(answer: &Value) -> Option<String> {
    match &answer["message_token"] {
        Value::Number(number) if number.is_i64() || number.is_u64() => Some(number.to_string()),
        Value::String(text) if !text.trim().is_empty() => Some(text.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(value: Value) -> Vec<u8> {
        value.to_string().into_bytes()
    }

    #[test]
    fn accepted_broadcast_maps_refused_receivers_to_indices() {
        let receivers = ["a1==", "b2==", "c3==", "d4=="];
        let body = answer(json!({
            "message_token": 5741311803571721087u64,
            "status": 0,
            "status_message": "ok",
            "failed_list": [
                {"receiver": "c3==", "status": 6, "status_message": "Not subscribed"},
                {"receiver": "a1==", "status": 5, "status_message": "Not registered"},
                {"receiver": "d4==", "status": 11, "status_message": "No suitable device"},
                {"receiver": "zz==", "status": 6, "status_message": "Not ours"}
            ]
        }));
        assert_eq!(
            classify(200, &body, &receivers),
            BatchOutcome::Accepted {
                platform_id: Some("5741311803571721087".into()),
                refused: vec![
                    (
                        0,
                        PublishResult::RecipientGone {
                            code: "5".into(),
                            text: "Not registered".into()
                        }
                    ),
                    (
                        2,
                        PublishResult::RecipientGone {
                            code: "6".into(),
                            text: "Not subscribed".into()
                        }
                    ),
                    (
                        3,
                        PublishResult::Permanent {
                            code: "11".into(),
                            text: "No suitable device".into()
                        }
                    ),
                ]
            }
        );
        assert_eq!(
            classify(
                200,
                &answer(
                    json!({"status": 0, "status_message": "ok", "message_token": 7, "failed_list": []})
                ),
                &receivers
            ),
            BatchOutcome::Accepted {
                platform_id: Some("7".into()),
                refused: vec![]
            }
        );
    }

    #[test]
    fn broadcast_failures_are_whole() {
        assert_eq!(
            classify(
                200,
                &answer(json!({"status": 12, "status_message": "Too many requests"})),
                &["a"]
            ),
            BatchOutcome::Whole(PublishResult::Throttled {
                wait: Duration::from_secs(10),
                text: "Too many requests".into()
            })
        );
        for code in [2, 3, 5, 6, 7, 10, 21, 23, 24, 99] {
            assert_eq!(
                classify(
                    200,
                    &answer(json!({"status": code, "status_message": "refused"})),
                    &["a"]
                ),
                BatchOutcome::Whole(PublishResult::Permanent {
                    code: code.to_string(),
                    text: "refused".into()
                }),
                "status {code}"
            );
        }
        assert!(matches!(
            classify(503, b"busy", &["a"]),
            BatchOutcome::Whole(PublishResult::Transient { code, .. }) if code == "503"
        ));
        assert!(matches!(
            classify(200, b"<html>", &["a"]),
            BatchOutcome::Whole(PublishResult::Unknown { .. })
        ));
        assert!(matches!(
            classify(404, b"no", &["a"]),
            BatchOutcome::Whole(PublishResult::Permanent { code, .. }) if code == "404"
        ));
    }

    #[test]
    fn single_sends_mark_people_who_left() {
        assert_eq!(
            classify_send(
                200,
                &answer(json!({"status": 0, "status_message": "ok", "message_token": 42}))
            ),
            PublishResult::Published {
                platform_id: Some("42".into())
            }
        );
        for code in [5, 6] {
            assert!(matches!(
                classify_send(200, &answer(json!({"status": code, "status_message": "gone"}))),
                PublishResult::RecipientGone { code: c, .. } if c == code.to_string()
            ));
        }
        assert!(matches!(
            classify_send(200, &answer(json!({"status": 12, "status_message": "slow down"}))),
            PublishResult::Throttled { wait, .. } if wait == Duration::from_secs(10)
        ));
        assert!(matches!(
            classify_send(200, &answer(json!({"status": 7, "status_message": "blocked"}))),
            PublishResult::Permanent { code, .. } if code == "7"
        ));
        assert!(matches!(
            classify_send(500, b""),
            PublishResult::Transient { .. }
        ));
    }

    #[test]
    fn an_ok_without_the_documented_fields_is_unknown_not_success() {
        let unknown = |outcome: BatchOutcome| match outcome {
            BatchOutcome::Whole(PublishResult::Unknown { error }) => error,
            other => panic!("expected Unknown, got {other:?}"),
        };
        // A broadcast answer without failed_list refused nobody.
        let no_list = answer(json!({"status": 0, "status_message": "ok", "message_token": 7}));
        assert!(matches!(
            classify(200, &no_list, &["a"]),
            BatchOutcome::Accepted { refused, .. } if refused.is_empty()
        ));
        let not_a_list = answer(json!({"status": 0, "message_token": 7, "failed_list": {}}));
        assert!(unknown(classify(200, &not_a_list, &["a"])).contains("failed_list"));
        let no_token = answer(json!({"status": 0, "status_message": "ok", "failed_list": []}));
        assert!(unknown(classify(200, &no_token, &["a"])).contains("message_token"));
        let bad_entry = answer(json!({
            "status": 0, "message_token": 7, "failed_list": [{"status_message": "Not subscribed"}]
        }));
        assert!(unknown(classify(200, &bad_entry, &["a"])).contains("failed_list"));
        let status_text = answer(json!({"status": "0", "message_token": 7, "failed_list": []}));
        assert!(unknown(classify(200, &status_text, &["a"])).contains("integer status"));
        for body in [
            answer(json!({"status": 0, "status_message": "ok"})),
            answer(json!({"status": 0, "message_token": ""})),
            answer(json!({"status": 0, "message_token": 1.5})),
        ] {
            assert!(
                matches!(classify_send(200, &body), PublishResult::Unknown { error } if error.contains("message_token")),
                "{body:?}"
            );
        }
        assert!(matches!(
            classify_webhook(200, &answer(json!({"status": 0, "status_message": "ok"}))),
            Err(PublishResult::Unknown { error }) if error.contains("event_types")
        ));
        assert_eq!(
            classify_webhook(200, &answer(json!({"status": 0, "event_types": []}))),
            Ok(())
        );
        assert!(matches!(
            classify_webhook(200, &answer(json!({"status": 1, "status_message": "invalidUrl"}))),
            Err(PublishResult::Permanent { code, text }) if code == "1" && text == "invalidUrl"
        ));
        // Another 2xx is read, not refused.
        assert_eq!(
            classify_send(202, &answer(json!({"status": 0, "message_token": 9}))),
            PublishResult::Published {
                platform_id: Some("9".into())
            }
        );
    }

    #[tokio::test]
    async fn oversized_broadcast_is_refused_without_a_call() {
        // Nothing listens on port 9 of the loopback: a call would be a transport failure.
        let adapter = ViberAdapter::new(
            reqwest::Client::new(),
            "http://127.0.0.1:9",
            Secret::new("token"),
            "Info".into(),
            Duration::from_secs(1),
        );
        let receivers: Vec<String> = (0..=MAX_BROADCAST).map(|i| format!("u{i}")).collect();
        let receivers: Vec<&str> = receivers.iter().map(String::as_str).collect();
        assert!(matches!(
            adapter.broadcast("hi", &receivers).await,
            BatchOutcome::Whole(PublishResult::Permanent { code, .. }) if code == "broadcast_size"
        ));
    }

    #[tokio::test]
    async fn broadcasts_and_sets_the_webhook_as_viber_expects() {
        use std::sync::{Arc, Mutex};

        use axum::Router;
        use axum::extract::{Path, State};
        use axum::http::HeaderMap;
        use axum::routing::post;

        type Seen = Arc<Mutex<Vec<(String, String, Value)>>>;
        let seen = Seen::default();
        let router = Router::new()
            .route(
                "/pa/{method}",
                post(
                    |State(seen): State<Seen>,
                     Path(method): Path<String>,
                     headers: HeaderMap,
                     body: String| async move {
                        let token = headers
                            .get("x-viber-auth-token")
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or("")
                            .to_string();
                        let body: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
                        seen.lock().unwrap().push((method.clone(), token, body));
                        match method.as_str() {
                            "broadcast_message" => json!({
                                "message_token": 5741311803571721087u64,
                                "status": 0,
                                "status_message": "ok",
                                "failed_list": [{"receiver": "b2==", "status": 6, "status_message": "Not subscribed"}]
                            }),
                            "send_message" => json!({"status": 5, "status_message": "receiverNotRegistered"}),
                            _ => json!({"status": 0, "status_message": "ok", "event_types": EVENT_TYPES}),
                        }
                        .to_string()
                    },
                ),
            )
            .with_state(seen.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        let adapter = ViberAdapter::new(
            reqwest::Client::new(),
            &format!("http://{address}/"),
            Secret::new("445da6az1s345z78"),
            "NL Info".into(),
            Duration::from_secs(5),
        );
        assert_eq!(
            adapter.broadcast("Hallo", &["a1==", "b2=="]).await,
            BatchOutcome::Accepted {
                platform_id: Some("5741311803571721087".into()),
                refused: vec![(
                    1,
                    PublishResult::RecipientGone {
                        code: "6".into(),
                        text: "Not subscribed".into()
                    }
                )]
            }
        );
        assert_eq!(
            adapter.send_message("c3==", "Hallo").await,
            PublishResult::RecipientGone {
                code: "5".into(),
                text: "receiverNotRegistered".into()
            }
        );
        assert_eq!(
            adapter
                .set_webhook("https://herald.example.org/hooks/viber/nl")
                .await,
            Ok(())
        );
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 3);
        assert!(seen.iter().all(|(_, token, _)| token == "445da6az1s345z78"));
        assert_eq!(seen[0].0, "broadcast_message");
        assert_eq!(
            seen[0].2,
            json!({"sender": {"name": "NL Info"}, "type": "text", "text": "Hallo", "broadcast_list": ["a1==", "b2=="]})
        );
        assert_eq!(seen[1].0, "send_message");
        assert_eq!(
            seen[1].2,
            json!({"receiver": "c3==", "sender": {"name": "NL Info"}, "type": "text", "text": "Hallo"})
        );
        assert_eq!(seen[2].0, "set_webhook");
        assert_eq!(
            seen[2].2["url"],
            "https://herald.example.org/hooks/viber/nl"
        );
        assert_eq!(
            seen[2].2["event_types"],
            json!([
                "delivered",
                "seen",
                "failed",
                "subscribed",
                "unsubscribed",
                "conversation_started"
            ])
        );
    }
}
