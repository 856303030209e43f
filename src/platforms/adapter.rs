//! The one interface every partner adapter offers the dispatcher.

use std::time::Duration;

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::facebook::FacebookAdapter;
use super::sms::SmsAdapter;
use super::telegram::TelegramAdapter;
use super::viber::ViberAdapter;
use super::webhook::WebhookAdapter;
use super::whatsapp_templates::{Sendable, WhatsAppSender};
use super::x::XAdapter;
use crate::campaign::PreparedText;

/// One message to publish, already rendered.
#[derive(Debug, Clone)]
pub struct Publication<'a> {
    pub text: &'a str,
    pub locale: &'a str,
    /// `ltr` or `rtl`.
    pub direction: &'a str,
    /// Same key for every attempt of one job, so platforms that deduplicate can.
    pub idempotency_key: &'a str,
    /// Where the post goes when the platform needs it (a Telegram chat).
    pub recipient: Option<&'a str>,
    /// The job's dimensions, for partners that receive an envelope (webhook).
    pub envelope: Envelope<'a>,
}

/// The dimensions of the job a publication is for, as the signed webhook's envelope carries
/// them. Borrowed, and turned into JSON only by the adapters that send it, so that a call to
/// any other partner allocates nothing for it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Envelope<'a> {
    pub campaign: &'a str,
    pub version: &'a str,
    pub send: &'a str,
    pub segment: &'a str,
    pub channel: &'a str,
    pub variant: Option<&'a str>,
    pub slot: DateTime<Utc>,
    pub idempotency_key: &'a str,
}

impl Envelope<'_> {
    /// The envelope as the webhook partner receives it, before the text is added.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "campaign": self.campaign,
            "version": self.version,
            "send": self.send,
            "segment": self.segment,
            "channel": self.channel,
            "variant": self.variant,
            "slot": self.slot.to_rfc3339(),
            "idempotency_key": self.idempotency_key,
        })
    }
}

/// How a partner answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublishResult {
    Published {
        platform_id: Option<String>,
    },
    /// Over the partner's limit: wait this long before anything else goes to the account.
    Throttled {
        wait: Duration,
        text: String,
    },
    /// Over a per-recipient limit (WhatsApp's pair rate): only this recipient waits, the
    /// account goes on.
    RecipientThrottled {
        wait: Duration,
        text: String,
    },
    /// Worth retrying later (5xx, connection refused before sending).
    Transient {
        code: String,
        text: String,
    },
    /// Retrying cannot help; the job goes to the dead letters with the partner's words.
    Permanent {
        code: String,
        text: String,
    },
    /// The person has left (blocked the bot, unsubscribed, number undeliverable): nothing
    /// more may go to them, and herald erases their identifier.
    RecipientGone {
        code: String,
        text: String,
    },
    /// The request may have been published (timeout, connection lost after sending).
    Unknown {
        error: String,
    },
}

/// How a partner answered one call addressed to many recipients at once (a Viber broadcast).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BatchOutcome {
    /// The call as a whole was throttled, failed or has an unknown outcome: the same for
    /// every recipient in it.
    Whole(PublishResult),
    /// Accepted under one platform id; the listed recipients (by index into the call's
    /// recipients) were refused individually, each with its own classification.
    Accepted {
        platform_id: Option<String>,
        refused: Vec<(usize, PublishResult)>,
    },
}

/// The adapters herald has, chosen by an account's platform.
#[derive(Debug, Clone)]
pub enum Adapter {
    Telegram(TelegramAdapter),
    Webhook(WebhookAdapter),
    WhatsApp(Arc<WhatsAppSender>),
    Viber(ViberAdapter),
    Facebook(FacebookAdapter),
    X(XAdapter),
    Sms(SmsAdapter),
}

impl Adapter {
    /// Publishes one job's text. `text` tells template-based platforms (WhatsApp) which
    /// message and language the words are.
    pub async fn publish(
        &self,
        publication: &Publication<'_>,
        text: &PreparedText,
        now: DateTime<Utc>,
    ) -> PublishResult {
        match self {
            Adapter::Facebook(adapter) => adapter.publish(publication).await,
            Adapter::X(adapter) => adapter.publish(publication, now).await,
            Adapter::Telegram(adapter) => adapter.publish(publication).await,
            Adapter::Webhook(adapter) => adapter.publish(publication).await,
            Adapter::WhatsApp(sender) => sender.publish(publication, text).await,
            Adapter::Viber(adapter) => match publication.recipient {
                Some(receiver) => adapter.send_message(receiver, publication.text).await,
                None => PublishResult::Permanent {
                    code: "no_recipient".into(),
                    text: "Viber messages go to subscribers: set the account's audience to `subscribers`".into(),
                },
            },
            Adapter::Sms(adapter) => match publication.recipient {
                Some(number) => adapter.send(number, publication.text).await,
                None => PublishResult::Permanent {
                    code: "no_recipient".into(),
                    text: "SMS go to subscribers' numbers: set the account's audience to `subscribers`".into(),
                },
            },
        }
    }

    /// How many recipients one call may address (Viber broadcasts: 300); 1 elsewhere.
    pub fn max_batch(&self) -> usize {
        match self {
            Adapter::Viber(_) => super::viber::MAX_BROADCAST,
            _ => 1,
        }
    }

    /// One call to many recipients, for adapters whose [`Adapter::max_batch`] is above 1.
    pub async fn publish_batch(
        &self,
        publication: &Publication<'_>,
        recipients: &[&str],
    ) -> BatchOutcome {
        match self {
            Adapter::Viber(adapter) => adapter.broadcast(publication.text, recipients).await,
            _ => BatchOutcome::Whole(PublishResult::Permanent {
                code: "no_batch".into(),
                text: format!(
                    "this platform takes one recipient per call (locale {})",
                    publication.locale
                ),
            }),
        }
    }

    /// Whether a text can be sent at all on this account before it is fanned out to every
    /// subscriber: a WhatsApp template must be approved for the words' language.
    pub async fn check_sendable(&self, text: &PreparedText) -> Sendable {
        match self {
            Adapter::WhatsApp(sender) => sender.check(text).await,
            _ => Sendable::Yes,
        }
    }

    /// Whether sending the same job again is harmless because the partner deduplicates by
    /// idempotency key. Where it is not, an unknown outcome is never re-sent.
    pub fn resend_is_safe(&self) -> bool {
        matches!(self, Adapter::Webhook(_))
    }

    /// Where a post in `locale` goes, for adapters that address a chat.
    pub fn recipient_for(&self, locale: &str) -> Option<String> {
        match self {
            Adapter::Telegram(adapter) => adapter.chat_for(locale).map(str::to_string),
            _ => None,
        }
    }
}

/// The code of a call that could not connect to the partner: nothing left, and the partner
/// itself is down or unreachable (the dispatcher pauses the whole account).
pub const CONNECT_FAILED: &str = "connect";

/// Classifies a transport failure: one that happened before the request left is safe to
/// retry; any other may have reached the partner.
pub fn transport_failure(error: &reqwest::Error) -> PublishResult {
    // Never show the URL: a Telegram token is part of its path.
    let text = error.to_string();
    let text = match text.find(" for url (") {
        Some(at) => text[..at].to_string(),
        None => text,
    };
    if error.is_connect() {
        PublishResult::Transient {
            code: CONNECT_FAILED.into(),
            text,
        }
    } else if error.is_timeout() {
        PublishResult::Unknown {
            error: format!("no answer in time: {text}"),
        }
    } else {
        PublishResult::Unknown {
            error: format!("connection lost after sending: {text}"),
        }
    }
}
