//! People writing to the bot: the sandbox plays a subscriber who starts the bot, writes,
//! unsubscribes or blocks it, and sends what the platform would send to the bot's webhook, in
//! the platform's inbound format and signed as the platform signs. So the consent loop
//! (subscribe with a language and a campaign payload, stop, block) runs locally, end to end.
//!
//! What a person does also changes what the sandbox answers later, as on the platform: a
//! WhatsApp message opens the 24-hour window for free-form text, a Telegram block makes
//! `sendMessage` answer 403, a Viber unsubscribe puts the person in `failed_list`.
//!
//! The people are fictional: user ids are whatever the caller gives, and every name is
//! "Person", so nothing that looks like a real identity appears in a rehearsal.

use std::fmt;
use std::future::Future;

use axum::body::Bytes;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Value, json};

use crate::channel::Platform;

use super::callbacks::{PostError, Registration};
use super::signature::{meta_signature, viber_signature};
use super::telegram_chat::bot_user;
use super::viber_account::{AVATAR, COUNTRY};
use super::{Sandbox, SandboxState, viber, whatsapp, whatsapp_webhook};

/// The name every simulated person has.
pub(crate) const PERSON_NAME: &str = "Person";

/// The language a Viber person reports when the event names none.
pub(crate) const DEFAULT_LANGUAGE: &str = "en";

/// One thing a person does, on one platform, towards one bot account.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonEvent {
    /// `telegram`, `whatsapp`, `viber` or `sms`.
    #[serde(with = "platform_name")]
    pub platform: Platform,
    /// The account written to: the Telegram bot token, the WhatsApp phone number id, the
    /// Viber auth token or the Twilio account SID.
    pub key: String,
    /// The person: a Telegram chat id (positive number), a WhatsApp number (digits), a Viber
    /// user id or an SMS number (E.164, `+31612345678`).
    pub user: String,
    pub action: PersonAction,
}

/// The key is a credential, so it is never printed.
impl fmt::Debug for PersonEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PersonEvent")
            .field("platform", &self.platform)
            .field("key", &"<redacted>")
            .field("action", &self.action)
            .finish_non_exhaustive()
    }
}

/// What the person does. In JSON: `{"type": "subscribe", "language": "ar", "payload": "x"}`,
/// `{"type": "text", "text": "..."}`, `{"type": "unsubscribe"}`, `{"type": "block"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PersonAction {
    /// Starts the bot, maybe from a deep link carrying `payload` (Telegram `/start payload`,
    /// WhatsApp `START payload`, Viber `conversation_started` with `context`), in the app
    /// language `language` where the platform reports one.
    Subscribe {
        #[serde(default)]
        language: Option<String>,
        #[serde(default)]
        payload: Option<String>,
    },
    /// Writes a text.
    Text { text: String },
    /// Asks to stop (Telegram `/stop`, WhatsApp `STOP`, Viber unsubscribes).
    Unsubscribe,
    /// Blocks the bot (Telegram `my_chat_member` "kicked"; WhatsApp has no such event, so the
    /// person writes `STOP` and later sends fail; Viber unsubscribes).
    Block,
}

/// [`Platform`] as its name in JSON.
mod platform_name {
    use super::*;

    pub(super) fn serialize<S: Serializer>(
        platform: &Platform,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(platform.name())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Platform, D::Error> {
        let name = String::deserialize(deserializer)?;
        Platform::from_name(&name)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown platform `{name}`")))
    }
}

/// Why a person's event was not delivered to the bot's webhook.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PersonError {
    #[error("people write to bots on telegram, whatsapp, viber and sms, not on {0}")]
    UnsupportedPlatform(Platform),
    #[error("a Telegram person is a positive numeric chat id")]
    NotAChatId,
    #[error("a WhatsApp person is a phone number, digits only; an SMS person one in E.164 form")]
    NotAPhoneNumber,
    #[error("a Viber person needs a user id")]
    NoUserId,
    /// The event took effect, but nobody listens for this account.
    #[error("no webhook is registered for this {0} account")]
    NoWebhook(Platform),
    #[error(transparent)]
    Post(#[from] PostError),
}

/// One request to the bot's webhook.
struct Inbound {
    body: Value,
    headers: Vec<(&'static str, String)>,
}

impl Sandbox {
    /// Plays `event`: applies its effect on the sandbox (windows, blocks, unsubscriptions) and
    /// sends the platform's inbound request(s) to the webhook registered for `event.key`.
    /// Answers the HTTP status the receiver gave (for a Viber subscribe with a payload, the
    /// first non-2xx of its two requests, else the last). Fails, without any effect, when the
    /// event is invalid (unsupported platform, malformed user); fails after the effect when no
    /// webhook is registered or the receiver cannot be reached. Sent once, not retried.
    pub fn simulate_person(
        &self,
        event: PersonEvent,
    ) -> impl Future<Output = Result<u16, PersonError>> + Send + 'static {
        let sandbox = self.clone();
        async move { sandbox.person(event).await }
    }

    async fn person(&self, event: PersonEvent) -> Result<u16, PersonError> {
        if event.platform == Platform::Sms {
            return self.sms_person(event).await;
        }
        let registration = self
            .inner
            .callbacks
            .registration(event.platform, &event.key);
        let requests = {
            let now = self.clock().now();
            let mut state = self.state();
            match event.platform {
                Platform::Telegram => {
                    vec![telegram_update(
                        &mut state,
                        now,
                        &event,
                        registration.as_ref(),
                    )?]
                }
                Platform::WhatsApp => vec![whatsapp_message(&mut state, now, &event)?],
                Platform::Viber => viber_events(&mut state, now, &event)?,
                other => return Err(PersonError::UnsupportedPlatform(other)),
            }
        };
        let Some(registration) = registration else {
            return Err(PersonError::NoWebhook(event.platform));
        };
        let mut answered = 0;
        for request in requests {
            let body = Bytes::from(request.body.to_string());
            answered = self
                .post_json(&registration.url, &request.headers, body)
                .await?;
            if !(200..300).contains(&answered) {
                break;
            }
        }
        tracing::debug!(platform = %event.platform, status = answered, "sandbox: person event");
        Ok(answered)
    }
}

/// A Telegram update for `event`, with the webhook's secret token as its header.
fn telegram_update(
    state: &mut SandboxState,
    now: DateTime<Utc>,
    event: &PersonEvent,
    registration: Option<&Registration>,
) -> Result<Inbound, PersonError> {
    let chat: i64 = event
        .user
        .parse()
        .ok()
        .filter(|id| *id > 0)
        .ok_or(PersonError::NotAChatId)?;
    let mut person = json!({"id": chat, "is_bot": false, "first_name": PERSON_NAME});
    let private_chat = json!({"id": chat, "first_name": PERSON_NAME, "type": "private"});
    state.telegram_updates += 1;
    let update_id = state.telegram_updates;
    let message = |state: &mut SandboxState, person: &Value, text: String| {
        let message_id = state
            .telegram_message_ids
            .entry(event.user.clone())
            .or_insert(0);
        *message_id += 1;
        let mut message = json!({
            "message_id": *message_id,
            "from": person,
            "chat": private_chat,
            "date": now.timestamp(),
            "text": text,
        });
        if let Some(length) = command_length(&text) {
            message["entities"] = json!([{"offset": 0, "length": length, "type": "bot_command"}]);
        }
        json!({"update_id": update_id, "message": message})
    };
    let update = match &event.action {
        PersonAction::Subscribe { language, payload } => {
            state.config.blocked_chats.remove(&event.user);
            if let Some(language) = language {
                person["language_code"] = json!(language);
            }
            let text = match payload {
                Some(payload) if !payload.is_empty() => format!("/start {payload}"),
                _ => "/start".to_string(),
            };
            message(state, &person, text)
        }
        PersonAction::Text { text } => {
            state.config.blocked_chats.remove(&event.user);
            message(state, &person, text.clone())
        }
        PersonAction::Unsubscribe => message(state, &person, "/stop".to_string()),
        PersonAction::Block => {
            state.config.blocked_chats.insert(event.user.clone());
            let bot = bot_user(&event.key);
            json!({
                "update_id": update_id,
                "my_chat_member": {
                    "chat": private_chat,
                    "from": person,
                    "date": now.timestamp(),
                    "old_chat_member": {"user": bot.clone(), "status": "member"},
                    "new_chat_member": {"user": bot, "status": "kicked", "until_date": 0},
                },
            })
        }
    };
    let headers = registration
        .and_then(|registration| registration.secret_token.clone())
        .map(|secret| vec![("x-telegram-bot-api-secret-token", secret)])
        .unwrap_or_default();
    Ok(Inbound {
        body: update,
        headers,
    })
}

/// The length of a leading `/command`, in UTF-16 units as Telegram's entities count.
fn command_length(text: &str) -> Option<usize> {
    let command = text
        .split(' ')
        .next()
        .filter(|word| word.starts_with('/'))?;
    Some(command.encode_utf16().count())
}

/// A WhatsApp inbound message for `event`, signed with the Meta app secret; opens the
/// person's 24-hour window.
fn whatsapp_message(
    state: &mut SandboxState,
    now: DateTime<Utc>,
    event: &PersonEvent,
) -> Result<Inbound, PersonError> {
    let user = event.user.trim_start_matches('+');
    if user.is_empty() || user.len() > 15 || !user.bytes().all(|b| b.is_ascii_digit()) {
        return Err(PersonError::NotAPhoneNumber);
    }
    let pair = (event.key.clone(), user.to_string());
    let text = match &event.action {
        PersonAction::Subscribe { payload, .. } => {
            state.whatsapp_blocked.remove(&pair);
            match payload {
                Some(payload) if !payload.is_empty() => format!("START {payload}"),
                _ => "START".to_string(),
            }
        }
        PersonAction::Text { text } => {
            state.whatsapp_blocked.remove(&pair);
            text.clone()
        }
        PersonAction::Unsubscribe => "STOP".to_string(),
        PersonAction::Block => {
            state.whatsapp_blocked.insert(pair.clone());
            "STOP".to_string()
        }
    };
    state.whatsapp_windows.insert(pair, now);
    let wamid = whatsapp::next_wamid(state);
    let waba = whatsapp_webhook::waba_of(state, &event.key);
    let body = whatsapp_webhook::envelope(
        &waba,
        &event.key,
        vec![whatsapp_webhook::contact(&waba, user)],
        "messages",
        vec![json!({
            "from": user,
            "from_user_id": whatsapp_webhook::business_scoped_user_id(&waba, user),
            "id": wamid,
            "timestamp": now.timestamp().to_string(),
            "type": "text",
            "text": {"body": text},
        })],
    );
    let signature = meta_signature(&state.config.meta_app_secret, body.to_string().as_bytes());
    Ok(Inbound {
        body,
        headers: vec![("x-hub-signature-256", signature)],
    })
}

/// The Viber callback(s) for `event`, signed with the auth token, in the shapes of Viber's
/// documentation: a `user` (subscribe, start) or `sender` (message) object with `id`, `name`,
/// `avatar`, `country`, `language` and `api_version`; `unsubscribed` names only `user_id`.
/// The account remembers the person (language, subscribed or not) for `get_user_details`,
/// `get_online`, `subscribers_count` and the `subscribed` flag of a later start.
fn viber_events(
    state: &mut SandboxState,
    now: DateTime<Utc>,
    event: &PersonEvent,
) -> Result<Vec<Inbound>, PersonError> {
    if event.user.trim().is_empty() {
        return Err(PersonError::NoUserId);
    }
    let timestamp = now.timestamp_millis();
    let known = state.viber.person(&event.key, &event.user).cloned();
    let person = |language: Option<&str>| {
        let known_language = known.as_ref().map(|person| person.language.as_str());
        json!({
            "id": event.user,
            "name": PERSON_NAME,
            "avatar": AVATAR,
            "language": language.or(known_language).unwrap_or(DEFAULT_LANGUAGE),
            "country": COUNTRY,
            "api_version": 10,
        })
    };
    let mut bodies = Vec::new();
    let (subscribed, language) = match &event.action {
        PersonAction::Subscribe { language, payload } => {
            state.config.viber_unsubscribed.remove(&event.user);
            if let Some(payload) = payload.as_ref().filter(|payload| !payload.is_empty()) {
                bodies.push(json!({
                    "event": "conversation_started",
                    "timestamp": timestamp,
                    "chat_hostname": viber::CHAT_HOSTNAME,
                    "message_token": viber::next_message_token(state),
                    "type": "open",
                    "context": payload,
                    "user": person(language.as_deref()),
                    "subscribed": known.as_ref().is_some_and(|person| person.subscribed),
                }));
            }
            bodies.push(json!({
                "event": "subscribed",
                "timestamp": timestamp,
                "chat_hostname": viber::CHAT_HOSTNAME,
                "user": person(language.as_deref()),
                "message_token": viber::next_message_token(state),
            }));
            (Some(true), language.as_deref())
        }
        PersonAction::Text { text } => {
            state.config.viber_unsubscribed.remove(&event.user);
            bodies.push(json!({
                "event": "message",
                "timestamp": timestamp,
                "chat_hostname": viber::CHAT_HOSTNAME,
                "message_token": viber::next_message_token(state),
                "sender": person(None),
                "message": {"type": "text", "text": text},
                "silent": false,
            }));
            (None, None)
        }
        PersonAction::Unsubscribe | PersonAction::Block => {
            state.config.viber_unsubscribed.insert(event.user.clone());
            bodies.push(json!({
                "event": "unsubscribed",
                "timestamp": timestamp,
                "chat_hostname": viber::CHAT_HOSTNAME,
                "user_id": event.user,
                "message_token": viber::next_message_token(state),
            }));
            (Some(false), None)
        }
    };
    state
        .viber
        .saw(&event.key, &event.user, now, subscribed, language);
    Ok(bodies
        .into_iter()
        .map(|body| {
            let signature = viber_signature(&event.key, body.to_string().as_bytes());
            Inbound {
                body,
                headers: vec![("x-viber-content-signature", signature)],
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_read_and_write_as_documented() {
        let event: PersonEvent = serde_json::from_value(json!({
            "platform": "telegram",
            "key": "1:A",
            "user": "42",
            "action": {"type": "subscribe", "language": "ar", "payload": "flood"},
        }))
        .unwrap();
        assert_eq!(event.platform, Platform::Telegram);
        assert_eq!(
            event.action,
            PersonAction::Subscribe {
                language: Some("ar".to_string()),
                payload: Some("flood".to_string())
            }
        );
        let block: PersonAction = serde_json::from_value(json!({"type": "block"})).unwrap();
        assert_eq!(block, PersonAction::Block);
        let text = serde_json::to_value(PersonAction::Text {
            text: "hi".to_string(),
        })
        .unwrap();
        assert_eq!(text, json!({"type": "text", "text": "hi"}));
        let back = serde_json::to_value(&event).unwrap();
        assert_eq!(back["platform"], "telegram");
        assert!(
            serde_json::from_value::<PersonEvent>(json!({
                "platform": "myspace", "key": "k", "user": "u", "action": {"type": "block"}
            }))
            .is_err()
        );
        assert!(!format!("{event:?}").contains("1:A"));
    }
}
