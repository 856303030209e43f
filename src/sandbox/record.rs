//! What the sandbox received: every request, accepted or not, so tests can count deliveries
//! and check that limits and faults were met with the right reaction.

use chrono::{DateTime, Utc};
use serde::Serialize;

/// One request as the sandbox received and answered it.
#[derive(Clone, Debug, Serialize)]
pub struct Received {
    /// Order in which the sandbox answered, from 1 (restarting after a clear).
    pub seq: u64,
    /// `"telegram"` or `"webhook"`; `"facebook"`, `"meta_ads"` (audience estimates) or `"x"`.
    pub platform: String,
    /// Telegram: the bot token; webhook: the endpoint name; Facebook: the page id; Meta ads:
    /// the ad account (`act_...`); X: a fingerprint of the bearer token (`token-<hex>`), never
    /// the token.
    pub account: String,
    /// Telegram: the chat id as a string; webhook and posts to Facebook or X: empty; reads:
    /// what was read (`{post_id}/insights`, `act_.../delivery_estimate`, `2/tweets`).
    pub recipient: String,
    /// Telegram: the text; webhook: the envelope's `text` field if present, else the raw body;
    /// Facebook and X posts: the message; reads: empty.
    pub text: String,
    /// The JSON body as received; a body that is not JSON is kept as a JSON string (lossy UTF-8)
    /// and an unread (oversized) body as null. A Facebook post sent as a form, and every read
    /// (a GET), show their parameters as a JSON object of strings instead (never a token).
    pub body: serde_json::Value,
    /// The webhook's `Idempotency-Key` header.
    pub idempotency_key: Option<String>,
    /// The sandbox clock's time when the request arrived.
    pub at: DateTime<Utc>,
    /// The HTTP status answered, or 0 when the connection was dropped instead.
    pub status: u16,
    /// Whether the sandbox took the message as delivered (a success answer, or a dropped
    /// connection after accepting it).
    pub delivered: bool,
    /// Webhook: the Idempotency-Key had already been delivered, so this is not a new delivery.
    pub duplicate: bool,
    /// The Telegram message id, webhook delivery id, Facebook post id or X post id given for
    /// this message.
    pub platform_id: Option<String>,
}

impl Received {
    /// Whether this is a delivery a partner would count: accepted and not a repeat.
    pub fn is_new_delivery(&self) -> bool {
        self.delivered && !self.duplicate
    }
}

/// Counts of what the sandbox received, kept even when entries are not.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ReceivedCounts {
    pub requests: u64,
    pub new_deliveries: u64,
}

/// The received requests in arrival order.
#[derive(Debug)]
pub(crate) struct Record {
    entries: Vec<Received>,
    last_seq: u64,
    /// Whether entries are kept (tests, rehearsals) or only counted (benchmarks, long runs).
    keep_entries: bool,
    counts: ReceivedCounts,
}

impl Default for Record {
    fn default() -> Self {
        Record {
            entries: Vec::new(),
            last_seq: 0,
            keep_entries: true,
            counts: ReceivedCounts::default(),
        }
    }
}

impl Record {
    pub(crate) fn counting_only() -> Record {
        Record {
            keep_entries: false,
            ..Record::default()
        }
    }

    /// Appends `received`, numbering it.
    pub(crate) fn push(&mut self, mut received: Received) {
        self.last_seq += 1;
        received.seq = self.last_seq;
        self.counts.requests += 1;
        if received.is_new_delivery() {
            self.counts.new_deliveries += 1;
        }
        if self.keep_entries {
            self.entries.push(received);
        }
    }

    pub(crate) fn counts(&self) -> ReceivedCounts {
        self.counts
    }

    pub(crate) fn all(&self) -> Vec<Received> {
        self.entries.clone()
    }

    /// The entries of `platform` (any when `None`) whose [`Received::is_new_delivery`] equals
    /// `delivered` (any when `None`).
    pub(crate) fn filtered(
        &self,
        platform: Option<&str>,
        delivered: Option<bool>,
    ) -> Vec<Received> {
        self.entries
            .iter()
            .filter(|r| platform.is_none_or(|p| r.platform == p))
            .filter(|r| delivered.is_none_or(|d| r.is_new_delivery() == d))
            .cloned()
            .collect()
    }

    pub(crate) fn clear(&mut self) {
        self.entries.clear();
        self.counts = ReceivedCounts::default();
        self.last_seq = 0;
    }
}
