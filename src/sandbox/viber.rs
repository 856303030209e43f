//! Viber REST bot API: `POST /pa/send_message`, `/pa/broadcast_message` and `/pa/set_webhook`
//! (the account's reading calls are in [`super::viber_account`]), authenticated with the
//! `X-Viber-Auth-Token` header or, as Viber's own Python SDK sends it, an `auth_token` field of
//! the JSON body. As on Viber, every answer is HTTP 200 with a `status` in the body (0 ok,
//! 2 bad token, 3 bad data, 6 not subscribed, 12 too many requests) and the status names of
//! Viber's error table; only injected faults produce HTTP 5xx or a dropped connection.
//! Accepted receivers later hear `delivered`, maybe `seen` (or `failed`) on the token's
//! webhook, see [`super::callbacks`].

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{Extensions, HeaderMap, StatusCode};
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use super::callbacks::{self, MessageRef, Registration, StatusCallback};
use super::faults::Rejection;
use super::record::Received;
use super::reply::Reply;
use super::signature::viber_signature;
use super::{MAX_BODY_BYTES, Sandbox, SandboxState};
use crate::channel::Platform;

/// The host name Viber puts in its answers and callbacks.
pub(crate) const CHAT_HOSTNAME: &str = "SN-SANDBOX_";

/// Most receivers of one broadcast.
const MAX_BROADCAST: usize = 300;

/// Longest text of one message.
const MAX_TEXT_CHARS: usize = 7000;

/// Largest request body Viber takes.
const MAX_PAYLOAD_BYTES: usize = 30 * 1024;

/// Longest sender name.
const MAX_SENDER_NAME_CHARS: usize = 28;

/// The events a webhook hears when `set_webhook` names none.
pub(crate) const DEFAULT_EVENT_TYPES: [&str; 6] = [
    "delivered",
    "seen",
    "failed",
    "subscribed",
    "unsubscribed",
    "conversation_started",
];

/// A Viber answer: HTTP 200 and `status` in the body.
pub(crate) fn status(code: i64, message: &str) -> Reply {
    Reply::json(
        StatusCode::OK,
        json!({"status": code, "status_message": message}),
    )
}

pub(crate) fn invalid_token() -> Reply {
    status(2, "invalidAuthToken")
}

pub(crate) fn bad_data() -> Reply {
    status(3, "badData")
}

/// Status 6 as `send_message` answers it (the name in Viber's error table).
pub(crate) fn not_subscribed() -> Reply {
    status(6, "receiverNotSubscribed")
}

fn too_many_requests() -> Reply {
    status(12, "tooManyRequests")
}

/// The auth token of a request, if it has a non-empty one: the `X-Viber-Auth-Token` header
/// that Viber documents, else the `auth_token` field of the JSON body, which Viber also takes
/// and its Python SDK sends instead of the header.
pub(crate) fn auth_token(headers: &HeaderMap, body: Option<&Value>) -> Option<String> {
    let header = headers
        .get("x-viber-auth-token")
        .and_then(|value| value.to_str().ok());
    let field = body
        .and_then(|body| body.get("auth_token"))
        .and_then(Value::as_str);
    header
        .into_iter()
        .chain(field)
        .map(str::trim)
        .find(|token| !token.is_empty())
        .map(str::to_string)
}

/// A request's body as JSON, if it is JSON; the SDK sends it without a `Content-Type`, so the
/// bytes are read whatever the header says.
pub(crate) async fn read_json(body: Body) -> Option<Value> {
    let raw = axum::body::to_bytes(body, MAX_BODY_BYTES).await.ok()?;
    serde_json::from_slice(&raw).ok()
}

/// Which sending call a request is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Call {
    Send,
    Broadcast,
}

/// `POST /pa/send_message`.
pub(crate) async fn send_message(
    State(sandbox): State<Sandbox>,
    headers: HeaderMap,
    extensions: Extensions,
    body: Body,
) -> Response {
    sending(sandbox, Call::Send, headers, extensions, body).await
}

/// `POST /pa/broadcast_message`.
pub(crate) async fn broadcast_message(
    State(sandbox): State<Sandbox>,
    headers: HeaderMap,
    extensions: Extensions,
    body: Body,
) -> Response {
    sending(sandbox, Call::Broadcast, headers, extensions, body).await
}

async fn sending(
    sandbox: Sandbox,
    call: Call,
    headers: HeaderMap,
    extensions: Extensions,
    body: Body,
) -> Response {
    let at = sandbox.clock().now();
    if let Some(delay) = sandbox.roll_slow() {
        tokio::time::sleep(delay).await;
    }
    let body = axum::body::to_bytes(body, MAX_BODY_BYTES).await.ok();
    let json = body
        .as_deref()
        .and_then(|raw| serde_json::from_slice::<Value>(raw).ok());
    let token = auth_token(&headers, json.as_ref());
    sandbox
        .viber_send(call, token.as_deref(), at, body.as_deref())
        .into_response(&extensions)
}

/// A sending request that passed validation.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Outgoing {
    text: String,
    receivers: Vec<String>,
}

/// A required non-empty string field.
fn string_field<'a>(object: &'a Map<String, Value>, field: &str) -> Option<&'a str> {
    object
        .get(field)
        .and_then(Value::as_str)
        .filter(|text| !text.trim().is_empty())
}

/// Viber's checks of a sending request; every failure is status 3.
fn validate(call: Call, raw: &[u8], body: &Value) -> Option<Outgoing> {
    if raw.len() > MAX_PAYLOAD_BYTES {
        return None;
    }
    let object = body.as_object()?;
    let sender = object.get("sender").and_then(Value::as_object)?;
    let name = string_field(sender, "name")?;
    if name.chars().count() > MAX_SENDER_NAME_CHARS {
        return None;
    }
    if object.get("type").and_then(Value::as_str) != Some("text") {
        return None;
    }
    let text = string_field(object, "text")?;
    if text.chars().count() > MAX_TEXT_CHARS {
        return None;
    }
    let receivers = match call {
        Call::Send => vec![string_field(object, "receiver")?.to_string()],
        Call::Broadcast => {
            let list = object.get("broadcast_list").and_then(Value::as_array)?;
            if list.is_empty() || list.len() > MAX_BROADCAST {
                return None;
            }
            list.iter()
                .map(|id| id.as_str().filter(|id| !id.is_empty()).map(str::to_string))
                .collect::<Option<Vec<_>>>()?
        }
    };
    Some(Outgoing {
        text: text.to_string(),
        receivers,
    })
}

impl Sandbox {
    /// Decides and records one sending request; queues the accepted receivers' callbacks.
    fn viber_send(
        &self,
        call: Call,
        token: Option<&str>,
        at: DateTime<Utc>,
        body: Option<&[u8]>,
    ) -> Reply {
        let mut entry = Received::arriving("viber", token.unwrap_or_default(), at);
        let now = self.clock().now();
        let mut state = self.state();
        let decided = match (token, body) {
            (None, _) => Err(invalid_token()),
            (Some(_), None) => Err(bad_data()),
            (Some(token), Some(raw)) => {
                entry.body = serde_json::from_slice(raw)
                    .unwrap_or_else(|_| Value::from(String::from_utf8_lossy(raw).into_owned()));
                viber_decide(&mut state, call, token, raw, now, &mut entry)
            }
        };
        let (reply, outcomes, pending) = match decided {
            Ok(accepted) => accepted,
            Err(reply) => (reply, Vec::new(), Vec::new()),
        };
        entry.status = reply.recorded_status();
        tracing::debug!(
            status = entry.status,
            receivers = outcomes.len(),
            "sandbox: viber message"
        );
        match call {
            Call::Broadcast if !outcomes.is_empty() => state.record.push_fanout(entry, &outcomes),
            _ => state.record.push(entry),
        }
        drop(state);
        self.queue_callbacks(pending);
        reply
    }
}

/// What an accepted request produced: the answer, each receiver's outcome (receiver,
/// accepted) and the callbacks to queue.
type Accepted = (Reply, Vec<(String, bool)>, Vec<StatusCallback>);

/// Validation, then faults, then the request limit, then acceptance per receiver.
fn viber_decide(
    state: &mut SandboxState,
    call: Call,
    token: &str,
    raw: &[u8],
    now: DateTime<Utc>,
    entry: &mut Received,
) -> Result<Accepted, Reply> {
    let outgoing = validate(call, raw, &entry.body);
    if let Some(text) = entry.body.get("text").and_then(Value::as_str) {
        entry.text = text.to_string();
    }
    let Some(outgoing) = outgoing else {
        return Err(bad_data());
    };
    if call == Call::Send {
        entry.recipient = outgoing.receivers[0].clone();
    }
    let faults = state.config.faults.clone();
    match state.dice.roll_rejection(&faults) {
        Some(Rejection::TooManyRequests) => return Err(too_many_requests()),
        Some(Rejection::ServerError(code)) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_GATEWAY);
            let reason = status.canonical_reason().unwrap_or("Server Error");
            return Err(Reply::json(status, json!({"status_message": reason})));
        }
        None => {}
    }
    let limits = &state.config.limits;
    if !state.limiter.viber_allows(limits, token, now) {
        return Err(too_many_requests());
    }
    state.limiter.viber_admit(limits, token, now);
    let message_token = next_message_token(state);
    entry.platform_id = Some(message_token.to_string());
    let mut outcomes = Vec::with_capacity(outgoing.receivers.len());
    let mut pending = Vec::new();
    let mut failed_list = Vec::new();
    for receiver in outgoing.receivers {
        if state.config.viber_unsubscribed.contains(&receiver) {
            // The words of the broadcast example in Viber's documentation.
            failed_list.push(json!({
                "receiver": receiver,
                "status": 6,
                "status_message": "Not subscribed",
            }));
            outcomes.push((receiver, false));
            continue;
        }
        let steps = if state.config.undeliverable.contains(&receiver) {
            callbacks::FAILED
        } else if state.read_dice.roll(state.config.read_rate) {
            callbacks::VIBER_READ
        } else {
            callbacks::VIBER_UNREAD
        };
        pending.push(StatusCallback::new(
            MessageRef::Viber {
                token: message_token,
            },
            token,
            &receiver,
            now,
            steps,
        ));
        outcomes.push((receiver, true));
    }
    let reply = sending_answer(call, message_token, failed_list, entry);
    if state.dice.roll_drop(&faults) {
        let pending = pending
            .into_iter()
            .map(StatusCallback::unanswered)
            .collect();
        return Ok((reply.dropped(), outcomes, pending));
    }
    Ok((reply, outcomes, pending))
}

/// The answer to an accepted sending request, as Viber documents it: a broadcast's
/// `message_token` and `failed_list`; a send's `message_token` and `chat_hostname`, or status 6
/// when its one receiver is not subscribed.
fn sending_answer(
    call: Call,
    message_token: i64,
    failed_list: Vec<Value>,
    entry: &mut Received,
) -> Reply {
    match call {
        Call::Broadcast => Reply::json(
            StatusCode::OK,
            json!({
                "status": 0,
                "status_message": "ok",
                "message_token": message_token,
                "failed_list": failed_list,
            }),
        ),
        Call::Send if failed_list.is_empty() => {
            entry.delivered = true;
            Reply::json(
                StatusCode::OK,
                json!({
                    "status": 0,
                    "status_message": "ok",
                    "message_token": message_token,
                    "chat_hostname": CHAT_HOSTNAME,
                }),
            )
        }
        Call::Send => {
            entry.platform_id = None;
            not_subscribed()
        }
    }
}

/// A new `message_token`: unique within this sandbox and unlikely to repeat across restarts.
pub(crate) fn next_message_token(state: &mut SandboxState) -> i64 {
    state.viber_messages += 1;
    let instance = i64::from(state.instance % 8_000_000);
    1_000_000_000_000_000_000 + instance * 1_000_000_000_000 + state.viber_messages
}

/// `POST /pa/set_webhook` `{"url","event_types"}`: like Viber, the sandbox first sends the URL
/// a signed `webhook` event and registers it only if the receiver answers 200. Unlike Viber,
/// it accepts plain `http://` URLs (the receiver is usually on 127.0.0.1), and it sends every
/// event whatever `event_types` says (the list is kept and shown by `get_account_info`). An
/// empty `url` removes the webhook, and answers `event_types` too, which Viber's Python SDK
/// reads from every answer. The call counts in the token's request limit but meets no
/// injected fault, so a rehearsal's setup does not depend on the fault dice.
pub(crate) async fn set_webhook(
    State(sandbox): State<Sandbox>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let extensions = Extensions::new();
    let request = read_json(body).await;
    let Some(token) = auth_token(&headers, request.as_ref()) else {
        return invalid_token().into_response(&extensions);
    };
    let Some((url, event_types)) = request.as_ref().and_then(webhook_request) else {
        return bad_data().into_response(&extensions);
    };
    let (handshake, message_token) = {
        let now = sandbox.clock().now();
        let mut state = sandbox.state();
        let limits = state.config.limits.clone();
        if !state.limiter.viber_allows(&limits, &token, now) {
            return too_many_requests().into_response(&extensions);
        }
        state.limiter.viber_admit(&limits, &token, now);
        let message_token = next_message_token(&mut state);
        let handshake = json!({
            "event": "webhook",
            "timestamp": now.timestamp_millis(),
            "chat_hostname": CHAT_HOSTNAME,
            "message_token": message_token,
        });
        (handshake, message_token)
    };
    if !url.is_empty() {
        let handshake = Bytes::from(handshake.to_string());
        let signature = viber_signature(&token, &handshake);
        let answered = sandbox
            .post_json(&url, &[("x-viber-content-signature", signature)], handshake)
            .await;
        if answered != Ok(200) {
            tracing::debug!(message_token, "sandbox: viber webhook handshake failed");
            return status(1, "invalidUrl").into_response(&extensions);
        }
    }
    let registration = Registration {
        url: url.clone(),
        secret_token: None,
    };
    sandbox
        .inner
        .callbacks
        .register(Platform::Viber, &token, registration);
    let kept = if url.is_empty() {
        Vec::new()
    } else {
        event_types.clone()
    };
    sandbox.state().viber.set_event_types(&token, kept);
    Reply::json(
        StatusCode::OK,
        json!({"status": 0, "status_message": "ok", "event_types": event_types}),
    )
    .into_response(&extensions)
}

/// The `url` (empty removes the webhook) and `event_types` (all when absent or null) of a
/// `set_webhook` request; `None` when either is malformed, which Viber answers status 3.
fn webhook_request(request: &Value) -> Option<(String, Vec<String>)> {
    let url = request.get("url")?.as_str()?.trim().to_string();
    let event_types = match request.get("event_types") {
        None | Some(Value::Null) => DEFAULT_EVENT_TYPES.map(str::to_string).to_vec(),
        Some(Value::Array(types)) => types
            .iter()
            .map(|kind| kind.as_str().map(str::to_string))
            .collect::<Option<Vec<_>>>()?,
        Some(_) => return None,
    };
    Some((url, event_types))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn broadcast(count: usize, text: &str) -> Value {
        json!({
            "sender": {"name": "Info"},
            "type": "text",
            "text": text,
            "broadcast_list": (0..count).map(|i| format!("user{i}=")).collect::<Vec<_>>(),
        })
    }

    fn check(call: Call, body: &Value) -> Option<Outgoing> {
        validate(call, body.to_string().as_bytes(), body)
    }

    #[test]
    fn broadcasts_take_one_to_three_hundred_receivers() {
        assert_eq!(
            check(Call::Broadcast, &broadcast(300, "hi"))
                .unwrap()
                .receivers
                .len(),
            300
        );
        assert!(check(Call::Broadcast, &broadcast(301, "hi")).is_none());
        assert!(check(Call::Broadcast, &broadcast(0, "hi")).is_none());
        let mut numbers = broadcast(1, "hi");
        numbers["broadcast_list"] = json!([42]);
        assert!(check(Call::Broadcast, &numbers).is_none());
    }

    #[test]
    fn texts_senders_types_and_payloads_are_limited() {
        let send = |text: &str| json!({"receiver": "u=", "sender": {"name": "Info"}, "type": "text", "text": text});
        assert!(check(Call::Send, &send(&"a".repeat(7000))).is_some());
        assert!(check(Call::Send, &send(&"a".repeat(7001))).is_none());
        assert!(check(Call::Send, &send("")).is_none());
        let mut picture = send("x");
        picture["type"] = json!("picture");
        assert!(check(Call::Send, &picture).is_none());
        let mut long_name = send("x");
        long_name["sender"]["name"] = json!("n".repeat(29));
        assert!(check(Call::Send, &long_name).is_none());
        let mut no_receiver = send("x");
        no_receiver.as_object_mut().unwrap().remove("receiver");
        assert!(check(Call::Send, &no_receiver).is_none());
        // 300 receivers and 7000 characters of four bytes each pass 30 KB.
        let big = broadcast(300, &"😀".repeat(7000));
        assert!(big.to_string().len() > 30 * 1024);
        assert!(check(Call::Broadcast, &big).is_none());
    }
}
