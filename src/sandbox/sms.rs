//! Twilio's Programmable Messaging API: `POST /2010-04-01/Accounts/{AccountSid}/Messages.json`,
//! HTTP Basic auth (the account SID, which must be the path's, and a non-empty auth token),
//! a form with `To`, `From`, `Body` and an optional `StatusCallback`.
//!
//! As Twilio, it answers 201 with the message resource (`sid` `SM...`, `status` `queued`,
//! `num_segments`), or the error object `{code, message, more_info, status}`: 20003 (401) for
//! bad credentials, 21211 for a `To` that is not an E.164 number, 21603 without `From`, 21602
//! without `Body`, 21617 for a body over 1600 characters, 21610 for a number that replied STOP,
//! 21612 for an alphanumeric sender towards a country that refuses them (+1, +86), and 20429
//! (HTTP 429, `Retry-After`) over [`super::SandboxLimits::sms_per_second`]. Accepted messages
//! later report `sent` then `delivered` (or `undelivered` with 30006 for numbers listed as
//! undeliverable) to their `StatusCallback`, or else to the URL registered for the account,
//! form-encoded and signed with `X-Twilio-Signature` under the request's auth token.

use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{Extensions, HeaderMap, StatusCode};
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::callbacks::{MessageRef, StatusCallback};
use super::faults::Rejection;
use super::limits::retry_after_seconds;
use super::record::Received;
use super::reply::Reply;
use super::{MAX_BODY_BYTES, Sandbox, SandboxState, callbacks};
use crate::sms::{MAX_BODY_CHARS, SenderId, count_segments};

/// The API version in every path and resource.
pub(crate) const API_VERSION: &str = "2010-04-01";

/// Country calling codes whose networks refuse alphanumeric senders: the +1 countries (the
/// United States, Canada, and the territories sharing +1) and China.
const NO_ALPHANUMERIC_PREFIXES: [&str; 2] = ["+1", "+86"];

/// Twilio's error object.
pub(crate) fn twilio_error(status: StatusCode, code: u32, message: &str) -> Reply {
    Reply::json(
        status,
        json!({
            "code": code,
            "message": message,
            "more_info": format!("https://www.twilio.com/docs/errors/{code}"),
            "status": status.as_u16(),
        }),
    )
}

/// Whether `number` is `+` and 8 to 15 digits.
pub(crate) fn is_e164(number: &str) -> bool {
    number.strip_prefix('+').is_some_and(|digits| {
        (8..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
    })
}

/// `POST /2010-04-01/Accounts/{AccountSid}/Messages.json`.
pub(crate) async fn create_message(
    State(sandbox): State<Sandbox>,
    Path(account_sid): Path<String>,
    headers: HeaderMap,
    extensions: Extensions,
    body: Body,
) -> Response {
    let at = sandbox.clock().now();
    if let Some(delay) = sandbox.roll_slow() {
        tokio::time::sleep(delay).await;
    }
    let body = axum::body::to_bytes(body, MAX_BODY_BYTES).await.ok();
    let credentials = basic_credentials(&headers);
    sandbox
        .sms_send(&account_sid, credentials, at, body)
        .into_response(&extensions)
}

/// The user and password of `Authorization: Basic ...`.
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get("authorization")?.to_str().ok()?.trim();
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(crate::base64::decode(encoded.trim())?).ok()?;
    let (user, password) = decoded.split_once(':')?;
    Some((user.to_string(), password.to_string()))
}

/// A message request's form, by name (the first value of each).
struct Form(Vec<(String, String)>);

impl Form {
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
            .filter(|value| !value.is_empty())
    }
}

impl Sandbox {
    /// Decides and records one message request; queues its status callbacks.
    fn sms_send(
        &self,
        account_sid: &str,
        credentials: Option<(String, String)>,
        at: DateTime<Utc>,
        body: Option<Bytes>,
    ) -> Reply {
        let mut entry = Received::arriving("sms", account_sid, at);
        let form = Form(
            body.as_deref()
                .map(|raw| form_urlencoded::parse(raw).into_owned().collect())
                .unwrap_or_default(),
        );
        entry.body = Value::Object(
            form.0
                .iter()
                .map(|(k, v)| (k.clone(), Value::from(v.clone())))
                .collect(),
        );
        entry.recipient = form.get("To").unwrap_or_default().to_string();
        entry.text = form.get("Body").unwrap_or_default().to_string();
        let now = self.clock().now();
        let mut state = self.state();
        let decided = match credentials {
            Some((user, token)) if user == account_sid && !token.is_empty() => {
                sms_decide(&mut state, account_sid, &token, &form, now, &mut entry)
            }
            _ => Err(twilio_error(
                StatusCode::UNAUTHORIZED,
                20003,
                "Authenticate",
            )),
        };
        let (reply, pending) = match decided {
            Ok(accepted) => accepted,
            Err(reply) => (reply, Vec::new()),
        };
        entry.status = reply.recorded_status();
        entry.delivered = reply.status == StatusCode::CREATED;
        tracing::debug!(status = entry.status, "sandbox: sms message");
        state.record.push(entry);
        drop(state);
        self.queue_callbacks(pending);
        reply
    }
}

/// Twilio's checks, in its order: the request, then faults and the rate, then the recipient.
fn sms_decide(
    state: &mut SandboxState,
    account_sid: &str,
    auth_token: &str,
    form: &Form,
    now: DateTime<Utc>,
    entry: &mut Received,
) -> Result<(Reply, Vec<StatusCallback>), Reply> {
    let bad = |code, message: &str| twilio_error(StatusCode::BAD_REQUEST, code, message);
    let to = form
        .get("To")
        .ok_or_else(|| bad(21604, "A 'To' phone number is required."))?;
    if !is_e164(to) {
        return Err(bad(
            21211,
            &format!("The 'To' number {to} is not a valid phone number."),
        ));
    }
    let from = form
        .get("From")
        .ok_or_else(|| bad(21603, "A 'From' phone number is required."))?;
    let sender = SenderId::parse(from).map_err(|_| {
        bad(21212, &format!("The 'From' number {from} is not a valid phone number, shortcode, or alphanumeric sender ID."))
    })?;
    let text = form
        .get("Body")
        .ok_or_else(|| bad(21602, "Message body is required."))?;
    if text.chars().count() > MAX_BODY_CHARS {
        return Err(bad(
            21617,
            "The concatenated message body exceeds the 1600 character limit.",
        ));
    }
    let faults = state.config.faults.clone();
    match state.dice.roll_rejection(&faults) {
        Some(Rejection::TooManyRequests) => {
            return Err(
                twilio_error(StatusCode::TOO_MANY_REQUESTS, 20429, "Too Many Requests")
                    .with_retry_after(1),
            );
        }
        Some(Rejection::ServerError(code)) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_GATEWAY);
            return Err(twilio_error(status, 20500, "Internal Server Error"));
        }
        None => {}
    }
    if let Some(wait) = state
        .limiter
        .sms_wait(&state.config.limits, account_sid, now)
    {
        return Err(
            twilio_error(StatusCode::TOO_MANY_REQUESTS, 20429, "Too Many Requests")
                .with_retry_after(retry_after_seconds(wait)),
        );
    }
    if sender.is_alphanumeric() && NO_ALPHANUMERIC_PREFIXES.iter().any(|p| to.starts_with(p)) {
        return Err(bad(
            21612,
            "The 'To' phone number is not currently reachable using the 'From' phone number via SMS.",
        ));
    }
    if state.config.sms_opted_out.contains(to) {
        return Err(bad(21610, "Attempt to send to unsubscribed recipient"));
    }
    let sid = next_message_sid(state);
    entry.platform_id = Some(sid.clone());
    let steps = if state.config.undeliverable.contains(to) {
        callbacks::SMS_UNDELIVERED
    } else {
        callbacks::SMS_DELIVERED
    };
    let pending = vec![StatusCallback::new(
        MessageRef::Sms {
            sid: sid.clone(),
            auth_token: auth_token.to_string(),
            url: form.get("StatusCallback").map(str::to_string),
            from: from.to_string(),
        },
        account_sid,
        to,
        now,
        steps,
    )];
    let reply = Reply::json(
        StatusCode::CREATED,
        message_resource(account_sid, &sid, from, to, text, now),
    );
    if state.dice.roll_drop(&faults) {
        let pending = pending
            .into_iter()
            .map(StatusCallback::unanswered)
            .collect();
        return Ok((reply.dropped(), pending));
    }
    Ok((reply, pending))
}

/// The message resource Twilio answers a creation with.
fn message_resource(
    account_sid: &str,
    sid: &str,
    from: &str,
    to: &str,
    text: &str,
    now: DateTime<Utc>,
) -> Value {
    let date = now.to_rfc2822();
    json!({
        "account_sid": account_sid,
        "api_version": API_VERSION,
        "body": text,
        "date_created": date,
        "date_sent": null,
        "date_updated": date,
        "direction": "outbound-api",
        "error_code": null,
        "error_message": null,
        "from": from,
        "messaging_service_sid": null,
        "num_media": "0",
        "num_segments": count_segments(text).segments.to_string(),
        "price": null,
        "price_unit": "USD",
        "sid": sid,
        "status": "queued",
        "subresource_uris": {
            "media": format!("/{API_VERSION}/Accounts/{account_sid}/Messages/{sid}/Media.json"),
        },
        "to": to,
        "uri": format!("/{API_VERSION}/Accounts/{account_sid}/Messages/{sid}.json"),
    })
}

/// A new message SID: `SM` (Twilio names sent and received messages alike) and 32 hex digits
/// that differ between sandbox instances, so no SID is given twice.
pub(crate) fn next_message_sid(state: &mut SandboxState) -> String {
    state.sms_messages += 1;
    format!("SM{:08x}{:024x}", state.instance, state.sms_messages)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_e164_only() {
        assert!(is_e164("+31612345678"));
        assert!(!is_e164("31612345678"));
        assert!(!is_e164("+316"));
        assert!(!is_e164("+31 6 12345678"));
    }
}
