//! What a partner's callback told herald, in one shape for every platform.
//!
//! `user` and `recipient` are the platform's identifiers of a person (a Telegram chat id, a
//! WhatsApp phone number, a Viber user id). They identify vulnerable people: callers must hash
//! or encrypt them before storing them, erase them on opt-out, and never log them. The `Debug`
//! output of these types therefore redacts them, as well as message texts and platform message
//! ids (a WhatsApp `wamid` encodes the recipient's phone number).

use std::fmt;

use chrono::{DateTime, Utc};

/// One thing a person or a platform reported.
#[derive(Clone, PartialEq, Eq)]
pub enum InboundEvent {
    /// A message herald sent changed state.
    Status(StatusEvent),
    /// A person asked to receive messages (`/start`, `START`, a Viber subscription, a Telegram
    /// chat the bot was let back into).
    Subscribe {
        user: String,
        /// The language the person's app reports (Telegram `language_code`, Viber
        /// `user.language`), a hint for the locale to send in.
        language: Option<String>,
        /// What the link they followed carried (`/start <payload>`, `START <payload>`).
        payload: Option<String>,
        stamp: EventStamp,
    },
    /// A person asked to receive nothing more: herald erases their identifier.
    Unsubscribe {
        user: String,
        reason: OptOutReason,
        stamp: EventStamp,
    },
    /// Any other text a person wrote. Herald does not keep conversations; callers may answer
    /// with a help text and then drop it.
    Text { user: String, text: String },
    /// A person pressed a button or picked an option (Telegram `callback_query` data such as
    /// `locale:ar`, a WhatsApp quick reply's payload, a Viber `start:<context>`). Stamped like
    /// an opt-in: a captured press sent again must not move a person to another language or
    /// group.
    Choice {
        user: String,
        data: String,
        stamp: EventStamp,
    },
}

/// Which of the partner's events a consent change or a choice came in, and when the partner
/// says it happened. Partners retry, and a signed request can be captured and sent again, so herald
/// applies a consent change once per event id and in the order of these times, never in the
/// order requests arrive.
#[derive(Clone, PartialEq, Eq)]
pub struct EventStamp {
    /// The partner's id of the event: Viber `message_token`, WhatsApp message `id` (a `wamid`,
    /// which encodes the sender's number, so it is hashed before it is stored), Telegram
    /// `update_id`.
    pub id: String,
    /// Viber `timestamp`, WhatsApp `timestamp`, Telegram `message.date`/`my_chat_member.date`
    /// (for a pressed button, the `date` of the message that carries it: Telegram does not
    /// say when it was pressed, only that it was after that).
    pub at: DateTime<Utc>,
}

impl EventStamp {
    pub fn new(id: String, at: DateTime<Utc>) -> EventStamp {
        EventStamp { id, at }
    }
}

/// How a person left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptOutReason {
    /// They wrote a stop word (`STOP`, `/stop`, `ARRÊT`, `توقف`, ...).
    Stop,
    /// They unsubscribed through the platform's own control (Viber's unsubscribe).
    Unsubscribed,
    /// They blocked the bot (Telegram `my_chat_member` → `kicked`).
    Blocked,
}

/// A delivery state reported for one message herald sent.
#[derive(Clone, PartialEq, Eq)]
pub struct StatusEvent {
    /// The platform's id of the message (WhatsApp `wamid`, Viber `message_token`).
    pub platform_message_id: String,
    /// The person the message went to, when the platform says.
    pub recipient: Option<String>,
    pub status: DeliveryStatus,
    pub at: DateTime<Utc>,
    /// The platform's error `(code, text)` for a failed message.
    pub error: Option<(String, String)>,
}

/// The delivery states herald counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DeliveryStatus {
    Sent,
    Delivered,
    Read,
    Failed,
}

impl DeliveryStatus {
    /// `sent`, `delivered`, `read` or `failed`, as stored and reported.
    pub fn name(self) -> &'static str {
        match self {
            DeliveryStatus::Sent => "sent",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Read => "read",
            DeliveryStatus::Failed => "failed",
        }
    }
}

impl OptOutReason {
    /// `stop`, `unsubscribed` or `blocked`, as stored and reported.
    pub fn name(self) -> &'static str {
        match self {
            OptOutReason::Stop => "stop",
            OptOutReason::Unsubscribed => "unsubscribed",
            OptOutReason::Blocked => "blocked",
        }
    }
}

/// Stands in for an identifier or a person's words in debug output.
struct Redacted(usize);

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<redacted {} chars>", self.0)
    }
}

fn redacted(text: &str) -> Redacted {
    Redacted(text.chars().count())
}

impl fmt::Debug for InboundEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InboundEvent::Status(status) => f.debug_tuple("Status").field(status).finish(),
            InboundEvent::Subscribe {
                user,
                language,
                payload,
                stamp,
            } => f
                .debug_struct("Subscribe")
                .field("user", &redacted(user))
                .field("language", language)
                .field("payload", payload)
                .field("stamp", stamp)
                .finish(),
            InboundEvent::Unsubscribe {
                user,
                reason,
                stamp,
            } => f
                .debug_struct("Unsubscribe")
                .field("user", &redacted(user))
                .field("reason", reason)
                .field("stamp", stamp)
                .finish(),
            InboundEvent::Text { user, text } => f
                .debug_struct("Text")
                .field("user", &redacted(user))
                .field("text", &redacted(text))
                .finish(),
            InboundEvent::Choice { user, data, stamp } => f
                .debug_struct("Choice")
                .field("user", &redacted(user))
                .field("data", data)
                .field("stamp", stamp)
                .finish(),
        }
    }
}

impl fmt::Debug for EventStamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventStamp")
            .field("id", &redacted(&self.id))
            .field("at", &self.at)
            .finish()
    }
}

impl fmt::Debug for StatusEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StatusEvent")
            .field("platform_message_id", &redacted(&self.platform_message_id))
            .field("recipient", &self.recipient.as_deref().map(redacted))
            .field("status", &self.status)
            .field("at", &self.at)
            .field("error", &self.error)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_hides_people() {
        let events = [
            InboundEvent::Subscribe {
                user: "31612345678".into(),
                language: Some("ar".into()),
                payload: Some("avr-nl".into()),
                stamp: EventStamp::new(
                    "wamid.HBgLMzE2MTIzNDU2Nzg".into(),
                    DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
                ),
            },
            InboundEvent::Unsubscribe {
                user: "31612345678".into(),
                reason: OptOutReason::Stop,
                stamp: EventStamp::new(
                    "wamid.HBgLMzE2MTIzNDU2Nzg".into(),
                    DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
                ),
            },
            InboundEvent::Text {
                user: "31612345678".into(),
                text: "I live at Keizersgracht".into(),
            },
            InboundEvent::Choice {
                user: "31612345678".into(),
                data: "locale:ar".into(),
                stamp: EventStamp::new(
                    "wamid.HBgLMzE2MTIzNDU2Nzg".into(),
                    DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
                ),
            },
            InboundEvent::Status(StatusEvent {
                platform_message_id: "wamid.HBgLMzE2MTIzNDU2Nzg".into(),
                recipient: Some("31612345678".into()),
                status: DeliveryStatus::Failed,
                at: DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
                error: Some(("131026".into(), "Message undeliverable".into())),
            }),
        ];
        for event in &events {
            let shown = format!("{event:?}");
            assert!(!shown.contains("31612345678"), "{shown}");
            assert!(!shown.contains("Keizersgracht"), "{shown}");
            assert!(!shown.contains("HBgL"), "{shown}");
            assert!(shown.contains("redacted"), "{shown}");
        }
        assert!(format!("{:?}", events[0]).contains("avr-nl"));
        assert!(format!("{:?}", events[3]).contains("locale:ar"));
        assert!(format!("{:?}", events[4]).contains("131026"));
    }
}
