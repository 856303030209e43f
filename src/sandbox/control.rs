//! The sandbox's own routes under `/sandbox/`: read or clear what was received, change
//! faults, limits and template statuses at runtime, register WhatsApp webhooks, follow the
//! status callbacks and play people writing to the bot, so a test, a rehearsal or a person
//! with curl can steer a running sandbox from outside the process.

use crate::percent_encoding::percent_encode;
use std::collections::{BTreeMap, BTreeSet};

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::channel::Platform;

use super::callbacks::PostError;
use super::{
    CallbackCounts, FaultConfig, PersonEvent, Received, ReceivedCounts, Sandbox, SandboxLimits,
};

/// Optional filters of `GET /sandbox/received`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ReceivedFilter {
    /// `telegram`, `whatsapp`, `viber`, `webhook`, `facebook`, `meta_ads` or `x`.
    platform: Option<String>,
    /// `true`: exactly what [`Sandbox::delivered`] lists; `false`: everything else.
    delivered: Option<bool>,
}

/// `GET /sandbox/received?platform=telegram&delivered=true`.
pub(crate) async fn received(
    State(sandbox): State<Sandbox>,
    Query(filter): Query<ReceivedFilter>,
) -> Json<Vec<Received>> {
    Json(
        sandbox
            .state()
            .record
            .filtered(filter.platform.as_deref(), filter.delivered),
    )
}

/// `GET /sandbox/counts`: requests and new deliveries so far, kept even when the requests
/// themselves are not (`herald sandbox --count-only`).
pub(crate) async fn received_counts(State(sandbox): State<Sandbox>) -> Json<ReceivedCounts> {
    Json(sandbox.counts())
}

/// `DELETE /sandbox/received`.
pub(crate) async fn clear(State(sandbox): State<Sandbox>) -> StatusCode {
    sandbox.clear();
    StatusCode::NO_CONTENT
}

/// `PUT /sandbox/faults` with a [`FaultConfig`]; answers the faults now in force.
pub(crate) async fn set_faults(
    State(sandbox): State<Sandbox>,
    Json(faults): Json<FaultConfig>,
) -> Json<FaultConfig> {
    sandbox.set_faults(faults.clone());
    Json(faults)
}

/// `PUT /sandbox/limits` with a [`SandboxLimits`] (a missing field is a limit switched off);
/// answers the limits now in force.
pub(crate) async fn set_limits(
    State(sandbox): State<Sandbox>,
    Json(limits): Json<SandboxLimits>,
) -> Json<SandboxLimits> {
    sandbox.set_limits(limits.clone());
    Json(limits)
}

/// `PUT /sandbox/whatsapp/templates` with a map `{"name:language" or "name": status}` (see
/// [`super::SandboxConfig::whatsapp_templates`]); answers the statuses now in force.
pub(crate) async fn set_whatsapp_templates(
    State(sandbox): State<Sandbox>,
    Json(templates): Json<BTreeMap<String, String>>,
) -> Json<BTreeMap<String, String>> {
    sandbox.set_whatsapp_templates(templates.clone());
    Json(templates)
}

/// Body of `PUT /sandbox/webhooks/whatsapp`.
#[derive(Deserialize)]
pub(crate) struct WhatsAppWebhook {
    phone_number_id: String,
    url: String,
    /// When given, the sandbox first makes Meta's verification request
    /// (`GET url?hub.mode=subscribe&hub.verify_token=..&hub.challenge=..`) and registers the
    /// URL only if the receiver echoes the challenge, as Meta's dashboard does.
    verify_token: Option<String>,
    /// The WhatsApp Business Account that owns the number, named in the webhooks'
    /// `entry[].id` (client libraries such as pywa drop updates of other accounts); the phone
    /// number id stands in for it when not given.
    waba_id: Option<String>,
}

/// `PUT /sandbox/webhooks/whatsapp` `{"phone_number_id","url","verify_token"?,"waba_id"?}`:
/// stands in for the Meta app dashboard. An empty `url` removes the webhook.
pub(crate) async fn register_whatsapp_webhook(
    State(sandbox): State<Sandbox>,
    Json(webhook): Json<WhatsAppWebhook>,
) -> (StatusCode, Json<Value>) {
    if webhook.phone_number_id.trim().is_empty() {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "phone_number_id must not be empty"})),
        );
    }
    if let (Some(verify_token), false) = (&webhook.verify_token, webhook.url.is_empty()) {
        if let Err(why) = sandbox
            .verify_subscription(&webhook.url, verify_token)
            .await
        {
            return (
                StatusCode::BAD_GATEWAY,
                Json(json!({"error": why.to_string()})),
            );
        }
    }
    if let Some(waba_id) = webhook.waba_id.filter(|id| !id.trim().is_empty()) {
        sandbox
            .state()
            .whatsapp_accounts
            .insert(webhook.phone_number_id.clone(), waba_id);
    }
    sandbox.register_webhook(Platform::WhatsApp, &webhook.phone_number_id, &webhook.url);
    (StatusCode::OK, Json(json!({"success": true})))
}

/// Body of `PUT /sandbox/webhooks/facebook`.
#[derive(Deserialize)]
pub(crate) struct PageWebhook {
    page_id: String,
    url: String,
}

/// `PUT /sandbox/webhooks/facebook` `{"page_id","url"}`: stands in for the Meta app dashboard
/// for a Page's feed callbacks. An empty `url` removes the webhook.
pub(crate) async fn register_page_webhook(
    State(sandbox): State<Sandbox>,
    Json(webhook): Json<PageWebhook>,
) -> (StatusCode, Json<Value>) {
    if webhook.page_id.trim().is_empty() {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "page_id must not be empty"})),
        );
    }
    sandbox.register_webhook(Platform::Facebook, &webhook.page_id, &webhook.url);
    (StatusCode::OK, Json(json!({"success": true})))
}

/// Body of `PUT /sandbox/webhooks/sms`.
#[derive(Deserialize)]
pub(crate) struct SmsWebhook {
    account_sid: String,
    url: String,
}

/// `PUT /sandbox/webhooks/sms` `{"account_sid","url"}`: stands in for Twilio's console, where
/// a number's "a message comes in" webhook and its messaging service's status callback are
/// set: incoming messages, and the statuses of messages sent without a `StatusCallback`, go
/// there. An empty `url` removes the webhook.
pub(crate) async fn register_sms_webhook(
    State(sandbox): State<Sandbox>,
    Json(webhook): Json<SmsWebhook>,
) -> (StatusCode, Json<Value>) {
    if webhook.account_sid.trim().is_empty() {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "account_sid must not be empty"})),
        );
    }
    sandbox.register_webhook(Platform::Sms, &webhook.account_sid, &webhook.url);
    (StatusCode::OK, Json(json!({"success": true})))
}

/// Body and answer of `PUT /sandbox/delivery`: a field left out keeps its value.
#[derive(Debug, Deserialize, serde::Serialize)]
pub(crate) struct Delivery {
    /// Replaces [`super::SandboxConfig::undeliverable`]: WhatsApp numbers and Viber user ids
    /// whose sends are accepted and then reported `failed`.
    undeliverable: Option<BTreeSet<String>>,
    /// Replaces [`super::SandboxConfig::read_rate`], clamped to 0..=1.
    read_rate: Option<f64>,
}

/// `PUT /sandbox/delivery` `{"undeliverable": [...], "read_rate": 0.5}`: what becomes of
/// accepted messages, so a test outside the process can make a `failed` or a `read`/`seen`
/// callback come; answers both values now in force.
pub(crate) async fn set_delivery(
    State(sandbox): State<Sandbox>,
    Json(delivery): Json<Delivery>,
) -> Json<Delivery> {
    let mut state = sandbox.state();
    if let Some(undeliverable) = delivery.undeliverable {
        state.config.undeliverable = undeliverable;
    }
    if let Some(rate) = delivery.read_rate.filter(|rate| rate.is_finite()) {
        state.config.read_rate = rate.clamp(0.0, 1.0);
    }
    Json(Delivery {
        undeliverable: Some(state.config.undeliverable.clone()),
        read_rate: Some(state.config.read_rate),
    })
}

/// `GET /sandbox/callbacks`.
pub(crate) async fn callback_counts(State(sandbox): State<Sandbox>) -> Json<CallbackCounts> {
    Json(sandbox.callback_counts())
}

/// `GET /sandbox/tally`: the faults injected so far and, when the sandbox keeps a tally
/// ([`super::SandboxConfig::tally`]), its lines as
/// `{"platform", "account", "group", "counts": {...}}`; `lines` is null otherwise.
pub(crate) async fn tally(State(sandbox): State<Sandbox>) -> Json<Value> {
    let lines = sandbox.tally().map(|lines| {
        lines
            .into_iter()
            .map(|(key, counts)| {
                json!({
                    "platform": key.platform,
                    "account": key.account,
                    "group": key.group,
                    "counts": counts,
                })
            })
            .collect::<Vec<_>>()
    });
    Json(json!({"faults_injected": sandbox.faults_injected(), "lines": lines}))
}

/// `POST /sandbox/people` with a [`PersonEvent`]: answers `{"status": N}`, the HTTP status the
/// bot's webhook gave, or 400 with `{"error"}` when the event could not be delivered.
pub(crate) async fn simulate_person(
    State(sandbox): State<Sandbox>,
    Json(event): Json<PersonEvent>,
) -> (StatusCode, Json<Value>) {
    match sandbox.simulate_person(event).await {
        Ok(status) => (StatusCode::OK, Json(json!({"status": status}))),
        Err(why) => (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": why.to_string()})),
        ),
    }
}

/// Why a receiver failed Meta's webhook verification.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum VerificationError {
    #[error(transparent)]
    Post(#[from] PostError),
    #[error("the receiver answered {status} without echoing hub.challenge")]
    NoChallenge { status: u16 },
}

impl Sandbox {
    /// Meta's webhook verification: a GET with `hub.mode=subscribe`, the verify token and a
    /// challenge, which the receiver must answer with 200 and the challenge as the body.
    async fn verify_subscription(
        &self,
        url: &str,
        verify_token: &str,
    ) -> Result<(), VerificationError> {
        let challenge = {
            let mut state = self.state();
            state.graph_traces += 1;
            format!("{}{}", state.instance, state.graph_traces)
        };
        let separator = if url.contains('?') { '&' } else { '?' };
        let url = format!(
            "{url}{separator}hub.mode=subscribe&hub.verify_token={}&hub.challenge={challenge}",
            percent_encode(verify_token)
        );
        let client = self.inner.callbacks.client()?;
        let response = client
            .get(&url)
            .send()
            .await
            .map_err(PostError::unreachable)?;
        let status = response.status().as_u16();
        let body: Bytes = response.bytes().await.unwrap_or_default();
        if status == 200 && body.as_ref() == challenge.as_bytes() {
            Ok(())
        } else {
            Err(VerificationError::NoChallenge { status })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_encoding_keeps_only_unreserved_characters() {
        assert_eq!(percent_encode("a-Z_0.~"), "a-Z_0.~");
        assert_eq!(percent_encode("a b&c=é"), "a%20b%26c%3D%C3%A9");
    }
}
