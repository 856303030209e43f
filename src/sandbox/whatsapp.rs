//! WhatsApp Business Cloud API, at Meta's paths and in Graph's wire format:
//! `POST /{version}/{phone_number_id}/messages` sends a template (anytime) or a text (only
//! within 24 hours of the person's last message), and `GET /{version}/{waba_id}/message_templates`
//! lists template review statuses (see [`super::whatsapp_templates`]). The access token is
//! taken wherever Graph takes it (see [`super::graph_auth`]). Errors are Graph errors
//! (`{"error":{"message","type","code","error_data":{"details"},"fbtrace_id"}}`) with Meta's
//! codes, so an adapter's classification (throttled, transient, permanent) is tested against
//! what production answers. An accepted message later reports `sent`, `delivered` and maybe
//! `read` (or `failed`) to the phone number's webhook, see [`super::callbacks`].

use std::collections::BTreeMap;

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{Extensions, HeaderMap, StatusCode};
use axum::response::Response;
use chrono::{DateTime, Duration, Utc};
use serde_json::{Map, Value, json};

use super::callbacks::{self, MessageRef, StatusCallback};
use super::faults::{FaultConfig, Rejection};
use super::graph_auth::{graph_token, without_token};
use super::limits::WhatsAppThrottle;
use super::record::Received;
use super::reply::Reply;
use super::{MAX_BODY_BYTES, Sandbox, SandboxState};

/// Longest text of one template parameter.
const MAX_PARAMETER_CHARS: usize = 1024;

/// Longest free-form text body.
const MAX_TEXT_CHARS: usize = 4096;

/// How long after a person's last message free-form text may be sent.
const WINDOW_HOURS: i64 = 24;

/// A Graph API error before it gets its `fbtrace_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GraphError {
    status: StatusCode,
    code: u32,
    message: &'static str,
    details: String,
}

impl GraphError {
    fn new(status: StatusCode, code: u32, message: &'static str, details: &str) -> GraphError {
        GraphError {
            status,
            code,
            message,
            details: details.to_string(),
        }
    }

    /// Meta's code 100: a missing or malformed parameter.
    fn invalid(details: &str) -> GraphError {
        GraphError::new(
            StatusCode::BAD_REQUEST,
            100,
            "(#100) Invalid parameter",
            details,
        )
    }

    pub(crate) fn reply(self, trace_id: &str) -> Reply {
        Reply::json(
            self.status,
            json!({"error": {
                "message": self.message,
                "type": "OAuthException",
                "code": self.code,
                "error_data": {"details": self.details},
                "fbtrace_id": trace_id,
            }}),
        )
    }
}

pub(crate) fn unauthorized() -> GraphError {
    GraphError::new(
        StatusCode::UNAUTHORIZED,
        190,
        "Invalid OAuth access token - Cannot parse access token",
        "An access token is required: an Authorization: Bearer header, or an access_token \
         parameter.",
    )
}

pub(crate) fn unknown_version() -> GraphError {
    GraphError::new(
        StatusCode::BAD_REQUEST,
        2500,
        "Unknown path components",
        "The API version must look like v21.0.",
    )
}

/// `v21.0`, `v21`: what Graph accepts as a version segment.
pub(crate) fn is_version(segment: &str) -> bool {
    let Some(number) = segment.strip_prefix('v') else {
        return false;
    };
    let (major, minor) = number.split_once('.').unwrap_or((number, "0"));
    [major, minor]
        .iter()
        .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
}

/// `POST /{version}/{phone_number_id}/messages`.
pub(crate) async fn send(
    State(sandbox): State<Sandbox>,
    Path((version, phone_number_id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    extensions: Extensions,
    body: Body,
) -> Response {
    let at = sandbox.clock().now();
    if let Some(delay) = sandbox.roll_slow() {
        tokio::time::sleep(delay).await;
    }
    let body = axum::body::to_bytes(body, MAX_BODY_BYTES).await.ok();
    let authorized = graph_token(&headers, query.as_deref(), body.as_deref().unwrap_or(&[]));
    let request = SendRequest {
        version: &version,
        phone_number_id: &phone_number_id,
        authorized: authorized.is_some(),
        body: body.as_deref(),
    };
    sandbox
        .whatsapp_send(&request, at)
        .into_response(&extensions)
}

/// The parts of a send request the sandbox looks at.
struct SendRequest<'a> {
    version: &'a str,
    phone_number_id: &'a str,
    authorized: bool,
    /// `None` when the body was too large to read.
    body: Option<&'a [u8]>,
}

/// What a message says.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Content {
    Template {
        name: String,
        language: String,
        /// The text parameters of the body component, in order.
        parameters: Vec<String>,
    },
    Text {
        body: String,
    },
}

/// A send request that passed validation.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Outgoing {
    /// `to` as given, echoed in `contacts[].input`.
    to: String,
    /// `to` as digits only, the person's WhatsApp id.
    wa_id: String,
    content: Content,
}

/// A string field of `object`: missing is "required", anything but a non-empty string invalid.
fn required_str<'a>(
    object: &'a Map<String, Value>,
    field: &str,
    path: &str,
) -> Result<&'a str, GraphError> {
    match object.get(field) {
        None | Some(Value::Null) => Err(GraphError::invalid(&format!(
            "The parameter {path} is required."
        ))),
        Some(Value::String(text)) if !text.trim().is_empty() => Ok(text),
        Some(_) => Err(GraphError::invalid(&format!(
            "The parameter {path} must be a non-empty string."
        ))),
    }
}

/// Meta's checks of a send request, in the order it reports them.
fn validate(body: &Value) -> Result<Outgoing, GraphError> {
    let Some(object) = body.as_object() else {
        return Err(GraphError::invalid(
            "The request body must be a JSON object.",
        ));
    };
    if required_str(object, "messaging_product", "messaging_product")? != "whatsapp" {
        return Err(GraphError::invalid(
            "The parameter messaging_product must be whatsapp.",
        ));
    }
    match object.get("recipient_type") {
        None => {}
        Some(Value::String(kind)) if kind == "individual" => {}
        Some(_) => {
            return Err(GraphError::invalid(
                "The parameter recipient_type must be individual.",
            ));
        }
    }
    let to = required_str(object, "to", "to")?;
    let wa_id = to.trim().trim_start_matches('+');
    if wa_id.is_empty() || wa_id.len() > 15 || !wa_id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(GraphError::invalid(
            "The parameter to must be a phone number in international format, digits only.",
        ));
    }
    let kind = match object.get("type") {
        // Meta's default.
        None => "text",
        Some(Value::String(kind)) => kind.as_str(),
        Some(_) => return Err(GraphError::invalid("The parameter type must be a string.")),
    };
    let content = match kind {
        "template" => template(object.get("template"))?,
        "text" => text(object.get("text"))?,
        _ => {
            return Err(GraphError::invalid(
                "The sandbox sends messages of type template or text only.",
            ));
        }
    };
    Ok(Outgoing {
        to: to.to_string(),
        wa_id: wa_id.to_string(),
        content,
    })
}

fn template(value: Option<&Value>) -> Result<Content, GraphError> {
    let Some(template) = value.and_then(Value::as_object) else {
        return Err(GraphError::invalid("The parameter template is required."));
    };
    let name = required_str(template, "name", "template['name']")?;
    let Some(language) = template.get("language").and_then(Value::as_object) else {
        return Err(GraphError::invalid(
            "The parameter template['language'] is required.",
        ));
    };
    let language = required_str(language, "code", "template['language']['code']")?;
    let mut parameters = Vec::new();
    let components = match template.get("components") {
        None | Some(Value::Null) => &[][..],
        Some(Value::Array(components)) => components.as_slice(),
        Some(_) => {
            return Err(GraphError::invalid(
                "The parameter template['components'] must be an array.",
            ));
        }
    };
    for component in components {
        let Some(component) = component.as_object() else {
            return Err(GraphError::invalid(
                "Each template component must be an object.",
            ));
        };
        let kind = required_str(component, "type", "template['components'][]['type']")?;
        let given = match component.get("parameters") {
            None | Some(Value::Null) => &[][..],
            Some(Value::Array(given)) => given.as_slice(),
            Some(_) => {
                return Err(GraphError::invalid(
                    "The parameter template['components'][]['parameters'] must be an array.",
                ));
            }
        };
        for parameter in given {
            let Some(parameter) = parameter.as_object() else {
                return Err(GraphError::invalid(
                    "Each template parameter must be an object.",
                ));
            };
            let parameter_type = required_str(parameter, "type", "parameters[]['type']")?;
            if parameter_type != "text" {
                continue;
            }
            let text = required_str(parameter, "text", "parameters[]['text']")?;
            check_parameter_text(text)?;
            if kind.eq_ignore_ascii_case("body") {
                parameters.push(text.to_string());
            }
        }
    }
    Ok(Content::Template {
        name: name.to_string(),
        language: language.to_string(),
        parameters,
    })
}

/// Meta refuses template parameters that are too long or that try to lay out text: new lines,
/// tabs and runs of more than four spaces belong in the approved template, not in parameters.
fn check_parameter_text(text: &str) -> Result<(), GraphError> {
    if text.chars().count() > MAX_PARAMETER_CHARS {
        return Err(GraphError::invalid(&format!(
            "Param text is longer than {MAX_PARAMETER_CHARS} characters."
        )));
    }
    if text.contains(['\n', '\t']) || text.contains("     ") {
        return Err(GraphError::invalid(
            "Param text cannot have new-line/tab characters or more than 4 consecutive spaces.",
        ));
    }
    Ok(())
}

fn text(value: Option<&Value>) -> Result<Content, GraphError> {
    let Some(text) = value.and_then(Value::as_object) else {
        return Err(GraphError::invalid("The parameter text is required."));
    };
    let body = required_str(text, "body", "text['body']")?;
    if body.chars().count() > MAX_TEXT_CHARS {
        return Err(GraphError::invalid(&format!(
            "The parameter text['body'] is longer than {MAX_TEXT_CHARS} characters."
        )));
    }
    match text.get("preview_url") {
        None | Some(Value::Bool(_)) => {}
        Some(_) => {
            return Err(GraphError::invalid(
                "The parameter text['preview_url'] must be a boolean.",
            ));
        }
    }
    Ok(Content::Text {
        body: body.to_string(),
    })
}

/// The review status of template `name` in `language`: listed by name and language, else by
/// name, else approved.
fn template_status<'a>(
    templates: &'a BTreeMap<String, String>,
    name: &str,
    language: &str,
) -> &'a str {
    templates
        .get(&format!("{name}:{language}"))
        .or_else(|| templates.get(name))
        .map_or("APPROVED", String::as_str)
}

impl Sandbox {
    /// Decides and records one send; queues its status callbacks when accepted.
    fn whatsapp_send(&self, request: &SendRequest<'_>, at: DateTime<Utc>) -> Reply {
        let mut entry = Received::arriving("whatsapp", request.phone_number_id, at);
        let now = self.clock().now();
        let mut state = self.state();
        let decided = match request.body {
            None => Err(GraphError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                100,
                "(#100) Invalid parameter",
                "The request body is too large.",
            )),
            Some(bytes) => {
                entry.body = serde_json::from_slice(bytes)
                    .map(without_token)
                    .unwrap_or_else(|_| Value::from(String::from_utf8_lossy(bytes).into_owned()));
                if let Some(to) = entry.body.get("to").and_then(Value::as_str) {
                    entry.recipient = to.trim().trim_start_matches('+').to_string();
                }
                whatsapp_decide(&mut state, request, now, &mut entry)
            }
        };
        let (reply, callback) = match decided {
            Ok(accepted) => accepted,
            Err(error) => {
                let trace_id = Sandbox::next_trace_id(&mut state);
                (error.reply(&trace_id), None)
            }
        };
        entry.status = reply.recorded_status();
        tracing::debug!(
            status = entry.status,
            delivered = entry.delivered,
            "sandbox: whatsapp message"
        );
        state.record.push(entry);
        drop(state);
        self.queue_callbacks(callback.into_iter().collect());
        reply
    }
}

/// Path, auth, validation, content rules (template status, 24-hour window), then faults, then
/// limits, then acceptance, at `now`; fills in `entry`'s outcome.
fn whatsapp_decide(
    state: &mut SandboxState,
    request: &SendRequest<'_>,
    now: DateTime<Utc>,
    entry: &mut Received,
) -> Result<(Reply, Option<StatusCallback>), GraphError> {
    if !is_version(request.version) {
        return Err(unknown_version());
    }
    if !request.authorized {
        return Err(unauthorized());
    }
    let phone = request.phone_number_id;
    let outgoing = validate(&entry.body)?;
    entry.recipient = outgoing.wa_id.clone();
    let category = content_rules(state, phone, &outgoing, now, entry)?;
    let faults = state.config.faults.clone();
    injected_rejection(state, &faults)?;
    rate_limits(state, phone, &outgoing.wa_id, now)?;
    let (reply, callback) = accept(state, phone, &outgoing, category, now, entry);
    if state.dice.roll_drop(&faults) {
        return Ok((reply.dropped(), Some(callback.unanswered())));
    }
    Ok((reply, Some(callback)))
}

/// What a message may say and when: a template only once approved, free-form text only
/// within 24 hours of the person's last message. Records the text in `entry`, and answers
/// the conversation category the message is billed in.
fn content_rules(
    state: &SandboxState,
    phone: &str,
    outgoing: &Outgoing,
    now: DateTime<Utc>,
    entry: &mut Received,
) -> Result<&'static str, GraphError> {
    match &outgoing.content {
        Content::Template {
            name,
            language,
            parameters,
        } => {
            entry.text = parameters.join("\n");
            match template_status(&state.config.whatsapp_templates, name, language) {
                "APPROVED" => Ok("utility"),
                // Meta's documented codes for a template it stopped: paused for low quality,
                // or disabled.
                "PAUSED" => Err(GraphError::new(
                    StatusCode::BAD_REQUEST,
                    132015,
                    "(#132015) Template is Paused",
                    &format!("template {name} ({language}) is paused"),
                )),
                "DISABLED" => Err(GraphError::new(
                    StatusCode::BAD_REQUEST,
                    132016,
                    "(#132016) Template is Disabled",
                    &format!("template {name} ({language}) is disabled"),
                )),
                _ => Err(GraphError::new(
                    StatusCode::BAD_REQUEST,
                    132001,
                    "(#132001) Template name does not exist in the translation",
                    &format!("template name ({name}) does not exist in {language}"),
                )),
            }
        }
        Content::Text { body } => {
            entry.text = body.clone();
            let key = (phone.to_string(), outgoing.wa_id.clone());
            let open = state
                .whatsapp_windows
                .get(&key)
                .is_some_and(|wrote| now - *wrote < Duration::hours(WINDOW_HOURS));
            if !open {
                return Err(GraphError::new(
                    StatusCode::BAD_REQUEST,
                    131047,
                    "(#131047) Re-engagement message",
                    "Message failed to send because more than 24 hours have passed since the \
                     customer last replied to this number.",
                ));
            }
            Ok("service")
        }
    }
}

/// An injected fault that rejects the request, as Meta's errors: a throughput limit, or a
/// server error (131016 "Service unavailable" for 503, 131000 "Something went wrong"
/// otherwise, the Cloud API's documented codes for both).
fn injected_rejection(state: &mut SandboxState, faults: &FaultConfig) -> Result<(), GraphError> {
    match state.dice.roll_rejection(faults) {
        Some(Rejection::TooManyRequests) => Err(throughput_error()),
        Some(Rejection::ServerError(code)) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_GATEWAY);
            Err(if status == StatusCode::SERVICE_UNAVAILABLE {
                GraphError::new(
                    status,
                    131016,
                    "(#131016) Service unavailable",
                    "A service is temporarily unavailable.",
                )
            } else {
                GraphError::new(
                    status,
                    131000,
                    "(#131000) Something went wrong",
                    "Message failed to send because of an unknown error.",
                )
            })
        }
        None => Ok(()),
    }
}

/// The phone number's throughput and the per-pair limit; a message within both is counted.
fn rate_limits(
    state: &mut SandboxState,
    phone: &str,
    wa_id: &str,
    now: DateTime<Utc>,
) -> Result<(), GraphError> {
    let limits = &state.config.limits;
    match state.limiter.whatsapp_check(limits, phone, wa_id, now) {
        Ok(()) => {}
        Err(WhatsAppThrottle::Throughput) => return Err(throughput_error()),
        Err(WhatsAppThrottle::Pair) => {
            return Err(GraphError::new(
                StatusCode::BAD_REQUEST,
                131056,
                "(#131056) (Business Account, Consumer Account) pair rate limit hit",
                "Message failed to send because there were too many messages sent from this \
                 phone number to the same phone number in a short period of time.",
            ));
        }
    }
    state.limiter.whatsapp_admit(limits, phone, wa_id, now);
    Ok(())
}

/// Accepts the message: a new wamid in `entry` and the reply, and the status callbacks it
/// will report (failed for an undeliverable or blocking number, else delivered and maybe
/// read).
fn accept(
    state: &mut SandboxState,
    phone: &str,
    outgoing: &Outgoing,
    category: &'static str,
    now: DateTime<Utc>,
    entry: &mut Received,
) -> (Reply, StatusCallback) {
    let wamid = next_wamid(state);
    entry.delivered = true;
    entry.platform_id = Some(wamid.clone());
    let undeliverable = state.config.undeliverable.contains(&outgoing.wa_id)
        || state
            .whatsapp_blocked
            .contains(&(phone.to_string(), outgoing.wa_id.clone()));
    let steps = if undeliverable {
        callbacks::FAILED
    } else if state.read_dice.roll(state.config.read_rate) {
        callbacks::WHATSAPP_READ
    } else {
        callbacks::WHATSAPP_UNREAD
    };
    let callback = StatusCallback::new(
        MessageRef::WhatsApp {
            wamid: wamid.clone(),
            category,
        },
        phone,
        &outgoing.wa_id,
        now,
        steps,
    );
    let reply = Reply::json(
        StatusCode::OK,
        json!({
            "messaging_product": "whatsapp",
            "contacts": [{"input": outgoing.to, "wa_id": outgoing.wa_id}],
            "messages": [{"id": wamid, "message_status": "accepted"}],
        }),
    );
    (reply, callback)
}

fn throughput_error() -> GraphError {
    GraphError::new(
        StatusCode::TOO_MANY_REQUESTS,
        130429,
        "(#130429) Rate limit hit",
        "Cloud API message throughput has been reached.",
    )
}

/// A new message id, unique within this sandbox and unlikely to repeat across restarts.
pub(crate) fn next_wamid(state: &mut SandboxState) -> String {
    state.whatsapp_messages += 1;
    format!(
        "wamid.SBX{:08X}{:012}",
        state.instance, state.whatsapp_messages
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template_message(parameter: &str) -> Value {
        json!({
            "messaging_product": "whatsapp",
            "to": "+31600000001",
            "type": "template",
            "template": {
                "name": "flood_warning",
                "language": {"code": "ar"},
                "components": [{"type": "body", "parameters": [{"type": "text", "text": parameter}]}],
            },
        })
    }

    fn details(body: Value) -> String {
        validate(&body).unwrap_err().details
    }

    #[test]
    fn templates_and_texts_validate() {
        let ok = validate(&template_message("Stay indoors")).unwrap();
        assert_eq!(ok.to, "+31600000001");
        assert_eq!(ok.wa_id, "31600000001");
        assert_eq!(
            ok.content,
            Content::Template {
                name: "flood_warning".to_string(),
                language: "ar".to_string(),
                parameters: vec!["Stay indoors".to_string()],
            }
        );
        let text = validate(
            &json!({"messaging_product": "whatsapp", "to": "316", "text": {"body": "hi"}}),
        );
        assert_eq!(
            text.unwrap().content,
            Content::Text {
                body: "hi".to_string()
            }
        );
    }

    #[test]
    fn every_missing_or_malformed_field_is_code_100() {
        let mut cases = vec![
            (json!([]), "The request body must be a JSON object."),
            (
                json!({"to": "1"}),
                "The parameter messaging_product is required.",
            ),
            (
                json!({"messaging_product": "whatsapp", "type": "text", "text": {"body": "x"}}),
                "The parameter to is required.",
            ),
            (
                json!({"messaging_product": "whatsapp", "to": "12ab", "text": {"body": "x"}}),
                "The parameter to must be a phone number in international format, digits only.",
            ),
            (
                json!({"messaging_product": "whatsapp", "to": "1", "type": "template"}),
                "The parameter template is required.",
            ),
            (
                json!({"messaging_product": "whatsapp", "to": "1", "type": "image"}),
                "The sandbox sends messages of type template or text only.",
            ),
            (
                json!({"messaging_product": "whatsapp", "to": "1", "type": "text", "text": {"body": "a".repeat(4097)}}),
                "The parameter text['body'] is longer than 4096 characters.",
            ),
            (
                template_message(&"a".repeat(1025)),
                "Param text is longer than 1024 characters.",
            ),
            (
                template_message("two\nlines"),
                "Param text cannot have new-line/tab characters or more than 4 consecutive spaces.",
            ),
        ];
        let mut no_language = template_message("x");
        no_language["template"]
            .as_object_mut()
            .unwrap()
            .remove("language");
        cases.push((
            no_language,
            "The parameter template['language'] is required.",
        ));
        for (body, expected) in cases {
            let error = validate(&body).unwrap_err();
            assert_eq!((error.code, error.status), (100, StatusCode::BAD_REQUEST));
            assert_eq!(error.details, expected, "{body}");
        }
        // Limits are inclusive.
        assert!(validate(&template_message(&"a".repeat(1024))).is_ok());
        assert!(validate(&template_message("four    spaces")).is_ok());
        assert_eq!(
            details(template_message("five     spaces")),
            "Param text cannot have new-line/tab characters or more than 4 consecutive spaces."
        );
    }

    #[test]
    fn template_status_by_language_then_by_name() {
        let templates = BTreeMap::from([
            ("alert:ar".to_string(), "PENDING".to_string()),
            ("alert".to_string(), "REJECTED".to_string()),
        ]);
        assert_eq!(template_status(&templates, "alert", "ar"), "PENDING");
        assert_eq!(template_status(&templates, "alert", "fa"), "REJECTED");
        assert_eq!(template_status(&templates, "other", "ar"), "APPROVED");
    }

    #[test]
    fn versions() {
        assert!(is_version("v21.0") && is_version("v3"));
        assert!(!is_version("21.0") && !is_version("v21.") && !is_version("vx.1"));
    }
}
