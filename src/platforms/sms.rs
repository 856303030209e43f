//! SMS through Twilio's Programmable Messaging API: one message per subscriber,
//! `POST /2010-04-01/Accounts/{AccountSid}/Messages.json` with HTTP Basic auth (the account SID
//! and its auth token) and a form-encoded `To`, `From`, `Body` and, where herald's hook is
//! reachable, `StatusCallback`.
//!
//! Twilio answers 201 with the message resource (`sid`, `status` `queued` or `accepted`), or
//! an error object `{code, message, more_info, status}` with the HTTP status. Every answer is
//! classified:
//! * 2xx with a message `sid` → `Published` under the sid; a 2xx without one (or not JSON) is
//!   `Unknown`, never a silent success.
//! * HTTP 429, or error 20429 (too many requests) or 14107 (send rate exceeded) →
//!   `Throttled`, for `Retry-After` or a second: Twilio queues per sender, and the account
//!   waits as a whole.
//! * 21610 (the number replied STOP: Twilio refuses to message it), 21211 (not a valid phone
//!   number) and 21614 (not a mobile number) → `RecipientGone`: herald erases the number.
//! * HTTP 5xx → `Transient`; any other error → `Permanent` with Twilio's code and words
//!   (21408 region not enabled, 21612 cannot route, 21617 body too long, 20003 bad
//!   credentials, ...).

use std::time::Duration;

use serde_json::Value;

use super::adapter::{PublishResult, transport_failure};
use super::credentials::Secret;
use super::redaction::redact;

/// Twilio's API version, the first segment of every path.
const API_VERSION: &str = "2010-04-01";

/// The wait after a throttling answer without `Retry-After`.
const THROTTLE_WAIT: Duration = Duration::from_secs(1);

/// Error codes of a send that mean the number will never take herald's messages.
pub const GONE_CODES: [&str; 3] = ["21610", "21211", "21614"];

/// Error codes that say the account sends too fast.
const THROTTLE_CODES: [i64; 2] = [20429, 14107];

/// A Twilio account sending from one sender.
#[derive(Debug, Clone)]
pub struct SmsAdapter {
    client: reqwest::Client,
    base_url: String,
    account_sid: Secret,
    auth_token: Secret,
    sender: String,
    status_callback: Option<String>,
    timeout: Duration,
}

/// What an [`SmsAdapter`] is built from, besides its HTTP client.
#[derive(Debug, Clone)]
pub struct SmsAccount {
    /// `https://api.twilio.com` (or the sandbox's address).
    pub base_url: String,
    pub account_sid: Secret,
    pub auth_token: Secret,
    /// `From`.
    pub sender: String,
    /// `StatusCallback`, if Twilio should report deliveries there.
    pub status_callback: Option<String>,
    pub timeout: Duration,
}

impl SmsAdapter {
    pub fn new(client: reqwest::Client, account: SmsAccount) -> SmsAdapter {
        SmsAdapter {
            client,
            base_url: account.base_url.trim_end_matches('/').to_string(),
            account_sid: account.account_sid,
            auth_token: account.auth_token,
            sender: account.sender,
            status_callback: account.status_callback,
            timeout: account.timeout,
        }
    }

    /// Sends `text` to the phone number `to` (E.164).
    pub async fn send(&self, to: &str, text: &str) -> PublishResult {
        let sid = self.account_sid.expose();
        let form = {
            let mut form = form_urlencoded::Serializer::new(String::new());
            form.append_pair("To", to)
                .append_pair("From", &self.sender)
                .append_pair("Body", text);
            if let Some(url) = &self.status_callback {
                form.append_pair("StatusCallback", url);
            }
            form.finish()
        };
        let sent = self
            .client
            .post(format!(
                "{}/{API_VERSION}/Accounts/{}/Messages.json",
                self.base_url,
                crate::percent_encoding::percent_encode(sid)
            ))
            .timeout(self.timeout)
            .basic_auth(sid, Some(self.auth_token.expose()))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form)
            .send()
            .await;
        let result = match sent {
            Ok(response) => {
                let status = response.status().as_u16();
                let wait = retry_after(response.headers());
                match response.bytes().await {
                    Ok(body) => classify(status, wait, &body),
                    Err(error) => transport_failure(&error),
                }
            }
            Err(error) => transport_failure(&error),
        };
        redact(result, &[to, sid, self.auth_token.expose()])
    }
}

fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    headers
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(|seconds| Duration::from_secs(seconds.clamp(1, 3600)))
}

/// One answer to a message creation as a [`PublishResult`] (see the module documentation);
/// `wait` is the answer's `Retry-After`.
pub fn classify(status: u16, wait: Option<Duration>, body: &[u8]) -> PublishResult {
    let answer = serde_json::from_slice::<Value>(body).ok();
    if (200..300).contains(&status) {
        let sid = answer
            .as_ref()
            .and_then(|a| a["sid"].as_str())
            .filter(|sid| !sid.trim().is_empty());
        return match sid {
            Some(sid) => PublishResult::Published {
                platform_id: Some(sid.to_string()),
            },
            None => PublishResult::Unknown {
                error: format!("Twilio answered HTTP {status} without the message's sid"),
            },
        };
    }
    let code = answer.as_ref().and_then(|a| a["code"].as_i64());
    let text = answer
        .as_ref()
        .and_then(|a| a["message"].as_str().map(str::to_string))
        .unwrap_or_else(|| String::from_utf8_lossy(body).into_owned())
        .chars()
        .take(200)
        .collect::<String>();
    let code_text = code.map_or_else(|| status.to_string(), |code| code.to_string());
    if status == 429 || code.is_some_and(|c| THROTTLE_CODES.contains(&c)) {
        return PublishResult::Throttled {
            wait: wait.unwrap_or(THROTTLE_WAIT),
            text,
        };
    }
    if GONE_CODES.contains(&code_text.as_str()) {
        return PublishResult::RecipientGone {
            code: code_text,
            text,
        };
    }
    if (500..600).contains(&status) {
        return PublishResult::Transient {
            code: code_text,
            text,
        };
    }
    PublishResult::Permanent {
        code: code_text,
        text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn error(code: i64, status: u16, message: &str) -> Vec<u8> {
        json!({"code": code, "message": message, "more_info": format!("https://www.twilio.com/docs/errors/{code}"), "status": status})
            .to_string()
            .into_bytes()
    }

    #[test]
    fn every_class_of_answer() {
        let created =
            json!({"sid": "SM1234567890abcdef1234567890abcdef", "status": "queued", "body": "Hi"});
        assert_eq!(
            classify(201, None, created.to_string().as_bytes()),
            PublishResult::Published {
                platform_id: Some("SM1234567890abcdef1234567890abcdef".into())
            }
        );
        for body in [
            b"{}".to_vec(),
            b"<html>".to_vec(),
            br#"{"sid": ""}"#.to_vec(),
        ] {
            assert!(matches!(
                classify(201, None, &body),
                PublishResult::Unknown { error } if error.contains("sid")
            ));
        }
        assert_eq!(
            classify(429, None, &error(20429, 429, "Too Many Requests")),
            PublishResult::Throttled {
                wait: THROTTLE_WAIT,
                text: "Too Many Requests".into()
            }
        );
        assert!(matches!(
            classify(429, Some(Duration::from_secs(7)), b"busy"),
            PublishResult::Throttled { wait, .. } if wait == Duration::from_secs(7)
        ));
        assert!(matches!(
            classify(
                400,
                None,
                &error(14107, 400, "SMS send rate limit exceeded")
            ),
            PublishResult::Throttled { .. }
        ));
        for code in [21610, 21211, 21614] {
            assert!(matches!(
                classify(400, None, &error(code, 400, "gone")),
                PublishResult::RecipientGone { code: c, .. } if c == code.to_string()
            ));
        }
        for (code, status) in [
            (21408, 400),
            (21612, 400),
            (21617, 400),
            (20003, 401),
            (20404, 404),
        ] {
            assert!(matches!(
                classify(status, None, &error(code, status, "refused")),
                PublishResult::Permanent { code: c, text } if c == code.to_string() && text == "refused"
            ));
        }
        assert!(matches!(
            classify(503, None, b"Service Unavailable"),
            PublishResult::Transient { code, .. } if code == "503"
        ));
        assert!(matches!(
            classify(500, None, &error(20500, 500, "Internal Server Error")),
            PublishResult::Transient { code, .. } if code == "20500"
        ));
        assert!(matches!(
            classify(403, None, b"nope"),
            PublishResult::Permanent { code, .. } if code == "403"
        ));
    }

    #[tokio::test]
    async fn sends_a_form_with_basic_auth_and_hides_the_number_and_secrets() {
        use std::sync::{Arc, Mutex};

        use axum::Router;
        use axum::extract::{Path, State};
        use axum::http::HeaderMap;
        use axum::routing::post;

        type Seen = Arc<Mutex<Vec<(String, String, String)>>>;
        let seen = Seen::default();
        let router = Router::new()
            .route(
                "/2010-04-01/Accounts/{sid}/Messages.json",
                post(
                    |State(seen): State<Seen>,
                     Path(sid): Path<String>,
                     headers: HeaderMap,
                     body: String| async move {
                        let auth = headers
                            .get("authorization")
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or("")
                            .to_string();
                        let refuse = body.contains("To=%2B15005550001");
                        seen.lock().unwrap().push((sid, auth, body));
                        if refuse {
                            (
                                axum::http::StatusCode::BAD_REQUEST,
                                r#"{"code": 21211, "message": "The 'To' number +15005550001 is not a valid phone number.", "status": 400}"#,
                            )
                        } else {
                            (
                                axum::http::StatusCode::CREATED,
                                r#"{"sid": "SMaaaa", "status": "queued"}"#,
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
        let adapter = SmsAdapter::new(
            reqwest::Client::new(),
            SmsAccount {
                base_url: format!("http://{address}/"),
                account_sid: Secret::new("AC0123"),
                auth_token: Secret::new("tok3n"),
                sender: "NL Info".into(),
                status_callback: Some("https://herald.example.org/hooks/sms/nl".into()),
                timeout: Duration::from_secs(5),
            },
        );
        assert_eq!(
            adapter.send("+31612345678", "Hallo & €").await,
            PublishResult::Published {
                platform_id: Some("SMaaaa".into())
            }
        );
        let refused = adapter.send("+15005550001", "Hi").await;
        let PublishResult::RecipientGone { code, text } = refused else {
            panic!("{refused:?}");
        };
        assert_eq!(code, "21211");
        assert!(!text.contains("15005550001"), "{text}");
        let seen = seen.lock().unwrap();
        assert_eq!(seen[0].0, "AC0123");
        // base64("AC0123:tok3n")
        assert_eq!(seen[0].1, "Basic QUMwMTIzOnRvazNu");
        let form: Vec<(String, String)> = form_urlencoded::parse(seen[0].2.as_bytes())
            .into_owned()
            .collect();
        assert_eq!(
            form,
            vec![
                ("To".to_string(), "+31612345678".to_string()),
                ("From".to_string(), "NL Info".to_string()),
                ("Body".to_string(), "Hallo & €".to_string()),
                (
                    "StatusCallback".to_string(),
                    "https://herald.example.org/hooks/sms/nl".to_string()
                ),
            ]
        );
    }
}
