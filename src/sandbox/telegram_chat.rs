//! The chats a bot writes to, as the Bot API describes them in a sent `Message`: an integer
//! `id`, a `type` (`private`, `group`, `supergroup` or `channel`) and the title, username or
//! first name that type has. Libraries refuse a `Chat` without `type`, and read `id` as an
//! integer, so a `@channel` target answers a numeric id, as Telegram's does.
//!
//! The sandbox has no directory of chats, so it infers: a positive id is a person's private
//! chat, a `-100…` id a supergroup (or the channel a `@name` was resolved to earlier), any
//! other negative id a basic group, and `@name` a public channel.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::limits::ChatKind;

/// The first name of every simulated person, as in `people`.
const PERSON_NAME: &str = "Person";

/// Telegram's supergroups and channels have ids of `-100` followed by ten or more digits.
const CHANNEL_ID_BASE: i64 = 1_000_000_000_000;

/// The chat a `chat_id` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Chat {
    pub(crate) id: i64,
    pub(crate) kind: ChatType,
    /// The channel's username (without `@`), when it was addressed by name.
    pub(crate) username: Option<String>,
}

/// Telegram's `Chat.type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChatType {
    Private,
    Group,
    Supergroup,
    Channel,
}

impl ChatType {
    fn name(self) -> &'static str {
        match self {
            ChatType::Private => "private",
            ChatType::Group => "group",
            ChatType::Supergroup => "supergroup",
            ChatType::Channel => "channel",
        }
    }
}

/// The channel usernames seen so far, by the id each was given, so that a later send to that
/// numeric id is still to the channel.
#[derive(Debug, Default)]
pub(crate) struct KnownChannels {
    names: HashMap<i64, String>,
}

impl KnownChannels {
    /// The chat `value` names: a non-zero integer (a number or a numeric string) or a channel
    /// username `@name`; `None` for anything else.
    pub(crate) fn resolve(&mut self, value: Option<&Value>) -> Option<Chat> {
        let id = match value? {
            Value::Number(number) => number.as_i64()?,
            Value::String(text) => {
                let text = text.trim();
                match text.strip_prefix('@') {
                    Some(name) => return self.channel(name),
                    None => text.parse().ok()?,
                }
            }
            _ => return None,
        };
        let kind = match id {
            0 => return None,
            1.. => ChatType::Private,
            id if id <= -CHANNEL_ID_BASE => match self.names.get(&id) {
                Some(name) => {
                    return Some(Chat {
                        id,
                        kind: ChatType::Channel,
                        username: Some(name.clone()),
                    });
                }
                None => ChatType::Supergroup,
            },
            _ => ChatType::Group,
        };
        Some(Chat {
            id,
            kind,
            username: None,
        })
    }

    fn channel(&mut self, name: &str) -> Option<Chat> {
        if name.is_empty() {
            return None;
        }
        let id = channel_id(name);
        self.names.insert(id, name.to_string());
        Some(Chat {
            id,
            kind: ChatType::Channel,
            username: Some(name.to_string()),
        })
    }
}

/// A stable id for channel `name`: `-100` and ten digits from an FNV-1a hash of the
/// lower-cased name (usernames ignore case), the same in every run and on every machine.
pub(crate) fn channel_id(name: &str) -> i64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in name.to_ascii_lowercase().bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    // Ten digits that do not start with 0: 1_000_000_000 ..= 9_999_999_999.
    let digits = 1_000_000_000 + (hash % 9_000_000_000) as i64;
    -(CHANNEL_ID_BASE + digits)
}

impl Chat {
    /// The key the record, the limits and the message ids use: the numeric id.
    pub(crate) fn key(&self) -> String {
        self.id.to_string()
    }

    /// Which of Telegram's rate limits applies.
    pub(crate) fn limit_kind(&self) -> ChatKind {
        match self.kind {
            ChatType::Private => ChatKind::Private,
            _ => ChatKind::GroupOrChannel,
        }
    }

    /// The Bot API's `Chat` object.
    pub(crate) fn to_json(&self) -> Value {
        let mut chat = json!({"id": self.id, "type": self.kind.name()});
        match (self.kind, &self.username) {
            (ChatType::Private, _) => chat["first_name"] = json!(PERSON_NAME),
            (ChatType::Channel, Some(name)) => {
                chat["title"] = json!(name);
                chat["username"] = json!(name);
            }
            (ChatType::Channel, None) => chat["title"] = json!("Sandbox channel"),
            (ChatType::Group, _) => chat["title"] = json!("Sandbox group"),
            (ChatType::Supergroup, _) => chat["title"] = json!("Sandbox supergroup"),
        }
        chat
    }

    /// Who the bot's message is from: `sender_chat` (the channel itself) in a channel, where
    /// Telegram leaves `from` out; `from` (the bot) everywhere else.
    pub(crate) fn sender(&self, token: &str) -> (&'static str, Value) {
        match self.kind {
            ChatType::Channel => ("sender_chat", self.to_json()),
            _ => ("from", bot_user(token)),
        }
    }
}

/// The bot's id: the number before the `:` of its token, as on Telegram (1 for a token
/// without one, such as the placeholder `sandbox`).
pub(crate) fn bot_id(token: &str) -> i64 {
    token
        .split_once(':')
        .and_then(|(id, _)| id.parse().ok())
        .unwrap_or(1)
}

/// The bot as a Bot API `User`, the same in `getMe`, sent messages and member updates.
pub(crate) fn bot_user(token: &str) -> Value {
    let id = bot_id(token);
    json!({
        "id": id,
        "is_bot": true,
        "first_name": "herald sandbox bot",
        "username": format!("sandbox_{id}_bot"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chats_are_typed_by_their_ids() {
        let mut known = KnownChannels::default();
        let kind = |known: &mut KnownChannels, value: Value| {
            known.resolve(Some(&value)).map(|chat| chat.kind)
        };
        assert_eq!(kind(&mut known, json!(42)), Some(ChatType::Private));
        assert_eq!(kind(&mut known, json!("42")), Some(ChatType::Private));
        assert_eq!(kind(&mut known, json!(-4123)), Some(ChatType::Group));
        assert_eq!(
            kind(&mut known, json!("-1001234567890")),
            Some(ChatType::Supergroup)
        );
        for bad in [json!(0), json!("@"), json!("news"), json!(1.5), json!(null)] {
            assert_eq!(known.resolve(Some(&bad)), None, "{bad}");
        }
        assert_eq!(known.resolve(None), None);
    }

    #[test]
    fn channel_names_get_a_stable_numeric_id() {
        let mut known = KnownChannels::default();
        let news = known.resolve(Some(&json!("@news"))).unwrap();
        assert_eq!(news.id, channel_id("News"));
        assert!(news.id.to_string().starts_with("-100"), "{}", news.id);
        assert_eq!(news.id.to_string().len(), 14);
        assert_ne!(news.id, channel_id("news2"));
        assert_eq!(
            news.to_json(),
            json!({"id": news.id, "type": "channel", "title": "news", "username": "news"})
        );
        // Once named, the channel is the channel by its number too.
        let again = known.resolve(Some(&json!(news.id))).unwrap();
        assert_eq!(again, news);
        assert_eq!(news.sender("1:A").0, "sender_chat");
        let private = known.resolve(Some(&json!(42))).unwrap();
        assert_eq!(private.sender("7:A"), ("from", bot_user("7:A")));
        assert_eq!(bot_user("7:A")["id"], 7);
        assert_eq!(bot_id("sandbox"), 1);
    }
}
