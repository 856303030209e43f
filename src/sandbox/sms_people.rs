//! People texting the Twilio number: the sandbox plays a person who sends START, STOP or any
//! text, and posts what Twilio would post to the number's "a message comes in" webhook: a form
//! with `MessageSid`, `AccountSid`, `From`, `To`, `Body`, `NumSegments`, ..., signed with
//! `X-Twilio-Signature` under the account's auth token (the rehearsal credential).
//!
//! As on Twilio, STOP also blocks the number on the account's side (a later message to it is
//! refused with 21610), and START lifts the block.

use crate::channel::Platform;
use crate::sms::count_segments;

use super::Sandbox;
use super::callbacks::{FORM, form_body};
use super::people::{PersonAction, PersonError, PersonEvent};
use super::signature::twilio_signature;
use super::sms::{API_VERSION, is_e164, next_message_sid};

/// The number people text in a rehearsal (a Twilio test number).
pub(crate) const SANDBOX_NUMBER: &str = "+15005550006";

impl Sandbox {
    /// Replaces the numbers Twilio refuses to message (see [`super::SandboxConfig::sms_opted_out`]),
    /// as if they had texted STOP to Twilio without herald hearing of it.
    pub fn set_sms_opted_out(&self, numbers: std::collections::BTreeSet<String>) {
        self.state().config.sms_opted_out = numbers;
    }

    /// Plays an SMS person's `event` (see [`Sandbox::simulate_person`]).
    pub(super) async fn sms_person(&self, event: PersonEvent) -> Result<u16, PersonError> {
        if !is_e164(&event.user) {
            return Err(PersonError::NotAPhoneNumber);
        }
        let registration = self.inner.callbacks.registration(Platform::Sms, &event.key);
        let (params, auth_token) = {
            let mut state = self.state();
            let text = match &event.action {
                PersonAction::Subscribe { payload, .. } => {
                    state.config.sms_opted_out.remove(&event.user);
                    match payload {
                        Some(payload) if !payload.is_empty() => format!("START {payload}"),
                        _ => "START".to_string(),
                    }
                }
                PersonAction::Text { text } => text.clone(),
                PersonAction::Unsubscribe | PersonAction::Block => {
                    state.config.sms_opted_out.insert(event.user.clone());
                    "STOP".to_string()
                }
            };
            let sid = next_message_sid(&mut state);
            let segments = count_segments(&text).segments.to_string();
            let params: Vec<(String, String)> = [
                ("ToCountry", "US"),
                ("SmsMessageSid", sid.as_str()),
                ("NumMedia", "0"),
                ("SmsSid", sid.as_str()),
                ("SmsStatus", "received"),
                ("Body", text.as_str()),
                ("To", SANDBOX_NUMBER),
                ("NumSegments", segments.as_str()),
                ("MessageSid", sid.as_str()),
                ("AccountSid", event.key.as_str()),
                ("From", event.user.as_str()),
                ("ApiVersion", API_VERSION),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
            (params, state.config.rehearsal_credential.clone())
        };
        let Some(registration) = registration else {
            return Err(PersonError::NoWebhook(Platform::Sms));
        };
        let signature = twilio_signature(&auth_token, &registration.url, &params);
        let answered = self
            .post_body(
                &registration.url,
                FORM,
                &[("x-twilio-signature", signature)],
                form_body(&params),
            )
            .await?;
        tracing::debug!(status = answered, "sandbox: sms person event");
        Ok(answered)
    }
}
