//! What a Viber bot account can read about itself and its people: `/pa/get_account_info`,
//! `/pa/get_user_details` and `/pa/get_online`, in the shapes of Viber's REST bot API
//! documentation, and the per-account memory they answer from (the webhook's `event_types`,
//! and the people who subscribed, wrote or left through [`Sandbox::simulate_person`]).
//!
//! Viber's SDKs call `get_account_info` at start-up to check the token, so it must answer as
//! Viber does; the other two are cheap to answer and complete the SDK's surface. None of them
//! meets an injected fault or counts in the sending limit: they are setup calls, and Viber
//! documents no limit for them other than `get_user_details`' two calls per person in 12
//! hours, which the sandbox does not enforce.

use std::collections::HashMap;

use axum::body::Body;
use axum::extract::State;
use axum::http::{Extensions, HeaderMap, StatusCode};
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::channel::Platform;

use super::reply::Reply;
use super::viber::{
    CHAT_HOSTNAME, auth_token, bad_data, invalid_token, next_message_token, not_subscribed,
    read_json,
};
use super::{Sandbox, SandboxState};

/// The avatar every simulated person and the account's admin show: a reserved example host,
/// as in Viber's documentation, so nothing points at a real picture.
pub(crate) const AVATAR: &str = "http://avatar.example.com";

/// The country code every simulated person has: user-assigned in ISO 3166, so no real
/// country is implied.
pub(crate) const COUNTRY: &str = "XX";

/// Most ids in one `get_online` request.
const MAX_ONLINE_IDS: usize = 100;

/// One person as a bot account knows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ViberPerson {
    pub(crate) language: String,
    pub(crate) subscribed: bool,
    pub(crate) last_seen: DateTime<Utc>,
}

/// Per-account memory of the Viber emulation.
#[derive(Debug, Default)]
pub(crate) struct ViberState {
    /// The `event_types` of each token's last `set_webhook` (empty once removed).
    event_types: HashMap<String, Vec<String>>,
    /// The people of each (token, user id) pair.
    people: HashMap<(String, String), ViberPerson>,
}

impl ViberState {
    pub(crate) fn set_event_types(&mut self, token: &str, event_types: Vec<String>) {
        self.event_types.insert(token.to_string(), event_types);
    }

    /// What the account knows of `user`, if the person ever did anything.
    pub(crate) fn person(&self, token: &str, user: &str) -> Option<&ViberPerson> {
        self.people.get(&(token.to_string(), user.to_string()))
    }

    /// Notes that `user` acted at `at`: subscribed (`Some(true)`), left (`Some(false)`) or
    /// wrote (`None`, which subscribes on Viber too: a first message subscribes the sender).
    /// A `language` replaces the one known.
    pub(crate) fn saw(
        &mut self,
        token: &str,
        user: &str,
        at: DateTime<Utc>,
        subscribed: Option<bool>,
        language: Option<&str>,
    ) {
        let person = self
            .people
            .entry((token.to_string(), user.to_string()))
            .or_insert_with(|| ViberPerson {
                language: super::people::DEFAULT_LANGUAGE.to_string(),
                subscribed: false,
                last_seen: at,
            });
        person.subscribed = subscribed.unwrap_or(true);
        person.last_seen = at;
        if let Some(language) = language {
            person.language = language.to_string();
        }
    }

    fn subscribers(&self, token: &str) -> usize {
        self.people
            .iter()
            .filter(|((account, _), person)| account == token && person.subscribed)
            .count()
    }
}

/// A reading call's token and JSON body, or the answer to give when there is no token.
async fn reading(headers: &HeaderMap, body: Body) -> Result<(String, Value), Reply> {
    let body = read_json(body).await.unwrap_or(Value::Null);
    match auth_token(headers, Some(&body)) {
        Some(token) => Ok((token, body)),
        None => Err(invalid_token()),
    }
}

/// `GET` or `POST /pa/get_account_info` (Viber's current pages show GET, its REST reference
/// and SDKs POST).
pub(crate) async fn get_account_info(
    State(sandbox): State<Sandbox>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let reply = match reading(&headers, body).await {
        Ok((token, _)) => sandbox.viber_account_info(&token),
        Err(reply) => reply,
    };
    reply.into_response(&Extensions::new())
}

/// `POST /pa/get_user_details` `{"id"}`.
pub(crate) async fn get_user_details(
    State(sandbox): State<Sandbox>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let reply = match reading(&headers, body).await {
        Ok((token, body)) => match body.get("id").and_then(Value::as_str) {
            Some(user) if !user.trim().is_empty() => {
                let mut state = sandbox.state();
                user_details(&mut state, &token, user)
            }
            _ => bad_data(),
        },
        Err(reply) => reply,
    };
    reply.into_response(&Extensions::new())
}

/// `POST /pa/get_online` `{"ids": [...]}`, 1 to 100 ids.
pub(crate) async fn get_online(
    State(sandbox): State<Sandbox>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let reply = match reading(&headers, body).await {
        Ok((token, body)) => {
            let ids = body.get("ids").and_then(Value::as_array).and_then(|ids| {
                ids.iter()
                    .map(|id| id.as_str().filter(|id| !id.is_empty()))
                    .collect::<Option<Vec<_>>>()
            });
            match ids {
                Some(ids) if !ids.is_empty() && ids.len() <= MAX_ONLINE_IDS => {
                    online(&sandbox.state(), &token, &ids)
                }
                _ => bad_data(),
            }
        }
        Err(reply) => reply,
    };
    reply.into_response(&Extensions::new())
}

impl Sandbox {
    /// The documented `get_account_info` answer: the webhook and its `event_types` as set,
    /// the count of people subscribed, and one (fictional) admin.
    fn viber_account_info(&self, token: &str) -> Reply {
        let webhook = self
            .inner
            .callbacks
            .registration(Platform::Viber, token)
            .map(|registration| registration.url)
            .unwrap_or_default();
        let state = self.state();
        let event_types = match state.viber.event_types.get(token) {
            Some(types) => types.clone(),
            // Registered through the control route: every event goes there.
            None if !webhook.is_empty() => super::viber::DEFAULT_EVENT_TYPES
                .map(str::to_string)
                .to_vec(),
            None => Vec::new(),
        };
        let id = account_number(token);
        Reply::json(
            StatusCode::OK,
            json!({
                "status": 0,
                "status_message": "ok",
                "id": format!("pa:{id}"),
                "name": "Sandbox bot",
                "uri": format!("sandbox{}", id % 1_000_000),
                "icon": AVATAR,
                "background": AVATAR,
                "category": "Organizations",
                "subcategory": "Community",
                "location": {"lon": 0.0, "lat": 0.0},
                "country": COUNTRY,
                "webhook": webhook,
                "event_types": event_types,
                "subscribers_count": state.viber.subscribers(token),
                "members": [{
                    "id": format!("{:016X}=", account_number(&format!("admin:{token}"))),
                    "name": "Sandbox admin",
                    "avatar": AVATAR,
                    "role": "admin",
                }],
            }),
        )
    }
}

/// The documented `get_user_details` answer, from what the person did (a person never seen
/// is answered as a new one, so a rehearsal needs no setup); status 6 once they left.
fn user_details(state: &mut SandboxState, token: &str, user: &str) -> Reply {
    let language = match state.viber.person(token, user) {
        Some(person) if !person.subscribed => return not_subscribed(),
        Some(person) => person.language.clone(),
        None if state.config.viber_unsubscribed.contains(user) => return not_subscribed(),
        None => super::people::DEFAULT_LANGUAGE.to_string(),
    };
    Reply::json(
        StatusCode::OK,
        json!({
            "status": 0,
            "status_message": "ok",
            "message_token": next_message_token(state),
            "chat_hostname": CHAT_HOSTNAME,
            "user": {
                "id": user,
                "name": super::people::PERSON_NAME,
                "avatar": AVATAR,
                "country": COUNTRY,
                "language": language,
                "primary_device_os": "Android 14",
                "api_version": 10,
                "viber_version": "24.0.0",
                "mcc": 1,
                "mnc": 1,
                "device_type": "Sandbox",
            },
        }),
    )
}

/// The documented `get_online` answer: people subscribed are online (status 0), people who
/// left are offline (1) since their last act, and people never seen are undisclosed (2).
fn online(state: &SandboxState, token: &str, ids: &[&str]) -> Reply {
    let users: Vec<Value> = ids
        .iter()
        .map(|id| match state.viber.person(token, id) {
            Some(person) if person.subscribed => {
                json!({"id": id, "online_status": 0, "online_status_message": "online"})
            }
            Some(person) => json!({
                "id": id,
                "online_status": 1,
                "online_status_message": "offline",
                "last_online": person.last_seen.timestamp_millis(),
            }),
            None => json!({"id": id, "online_status": 2, "online_status_message": "undisclosed"}),
        })
        .collect();
    Reply::json(
        StatusCode::OK,
        json!({"status": 0, "status_message": "ok", "users": users}),
    )
}

/// A stable number for an account, shown as its `pa:` id: from a hash of the token, so the
/// token itself never appears in an answer.
fn account_number(token: &str) -> u64 {
    let digest = Sha256::digest(token.as_bytes());
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(bytes) >> 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people_subscribe_write_and_leave_per_account() {
        let mut viber = ViberState::default();
        let at = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        viber.saw("t", "a=", at, Some(true), Some("ar"));
        viber.saw("t", "b=", at, None, None);
        viber.saw("u", "a=", at, Some(false), None);
        assert_eq!(viber.subscribers("t"), 2);
        assert_eq!(viber.subscribers("u"), 0);
        assert_eq!(viber.person("t", "a=").unwrap().language, "ar");
        assert_eq!(viber.person("t", "b=").unwrap().language, "en");
        viber.saw("t", "a=", at, Some(false), None);
        assert_eq!(viber.subscribers("t"), 1);
        assert_eq!(
            viber.person("t", "a=").unwrap().language,
            "ar",
            "leaving keeps the language"
        );
    }

    #[test]
    fn account_ids_are_stable_and_hide_the_token() {
        assert_eq!(account_number("x"), account_number("x"));
        assert_ne!(account_number("x"), account_number("y"));
        assert!(account_number("x") < 1 << 63);
    }
}
