//! What the sandbox received: every request, accepted or not, so tests can count deliveries
//! and check that limits and faults were met with the right reaction.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::tally::{Tally, TallyConfig, TallyCounts, TallyKey};

/// One request as the sandbox received and answered it.
#[derive(Clone, Debug, Serialize)]
pub struct Received {
    /// Order in which the sandbox answered, from 1 (restarting after a clear).
    pub seq: u64,
    /// `"telegram"`, `"whatsapp"`, `"viber"` or `"webhook"`; `"facebook"`, `"meta_ads"`
    /// (audience estimates) or `"x"`.
    pub platform: String,
    /// Telegram: the bot token; WhatsApp: the phone number id; Viber: the auth token (a sandbox
    /// only ever sees placeholder credentials); webhook: the endpoint name; Facebook: the page
    /// id; Meta ads:
    /// the ad account (`act_...`); X: a fingerprint of the bearer token (`token-<hex>`), never
    /// the token.
    pub account: String,
    /// Telegram: the chat id as a string; WhatsApp: the `to` number; Viber: the receiver, empty
    /// on the entry of a whole broadcast; webhook and posts to Facebook or X: empty; reads:
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

impl Received {
    /// The entry of a request to `platform`'s `account` arriving `at`, before the handler
    /// fills in what it read and how it answered.
    pub(crate) fn arriving(platform: &str, account: &str, at: DateTime<Utc>) -> Received {
        Received {
            seq: 0,
            platform: platform.to_string(),
            account: account.to_string(),
            recipient: String::new(),
            text: String::new(),
            body: serde_json::Value::Null,
            idempotency_key: None,
            at,
            status: 0,
            delivered: false,
            duplicate: false,
            platform_id: None,
        }
    }
}

/// Counts of what the sandbox received, kept even when entries are not. A Viber broadcast is
/// one request and as many deliveries as it had accepted receivers.
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
    /// Counts per platform, account and group, when asked for.
    tally: Option<Tally>,
}

impl Default for Record {
    fn default() -> Self {
        Record {
            entries: Vec::new(),
            last_seq: 0,
            keep_entries: true,
            counts: ReceivedCounts::default(),
            tally: None,
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

    /// Also tallies what arrives (see [`TallyConfig`]).
    pub(crate) fn with_tally(mut self, config: TallyConfig) -> Record {
        self.tally = Some(Tally::new(config));
        self
    }

    /// The tally, when one is kept.
    pub(crate) fn tally_mut(&mut self) -> Option<&mut Tally> {
        self.tally.as_mut()
    }

    /// The tally's lines so far; `None` when no tally is kept.
    pub(crate) fn tally_lines(&self) -> Option<BTreeMap<TallyKey, TallyCounts>> {
        self.tally.as_ref().map(Tally::lines)
    }

    /// Appends `received`, numbering it.
    pub(crate) fn push(&mut self, mut received: Received) {
        self.last_seq += 1;
        received.seq = self.last_seq;
        self.counts.requests += 1;
        if received.is_new_delivery() {
            self.counts.new_deliveries += 1;
        }
        if let Some(tally) = &mut self.tally {
            tally.count(&received);
        }
        if self.keep_entries {
            self.entries.push(received);
        }
    }

    /// One request that delivers to several recipients (a Viber broadcast): `request` is kept
    /// as one entry (with no recipient, never itself a delivery), followed by one entry per
    /// recipient in `outcomes` (recipient, accepted) that repeats the request's text, status
    /// and id but not its body. Counted as one request and a delivery per accepted recipient.
    pub(crate) fn push_fanout(&mut self, mut request: Received, outcomes: &[(String, bool)]) {
        request.delivered = false;
        request.duplicate = false;
        request.recipient.clear();
        if let Some(tally) = &mut self.tally {
            tally.count_fanout(&request, outcomes);
        }
        let keep = self.keep_entries;
        let template = keep.then(|| Received {
            body: serde_json::Value::Null,
            ..request.clone()
        });
        self.push(request);
        for (recipient, accepted) in outcomes {
            self.last_seq += 1;
            if *accepted {
                self.counts.new_deliveries += 1;
            }
            if let Some(template) = &template {
                self.entries.push(Received {
                    seq: self.last_seq,
                    recipient: recipient.clone(),
                    delivered: *accepted,
                    ..template.clone()
                });
            }
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
        if let Some(tally) = &mut self.tally {
            tally.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn request() -> Received {
        Received {
            seq: 0,
            platform: "viber".to_string(),
            account: "token".to_string(),
            recipient: "ignored".to_string(),
            text: "hello".to_string(),
            body: serde_json::json!({"text": "hello"}),
            idempotency_key: None,
            at: Utc.with_ymd_and_hms(2027, 1, 15, 10, 0, 0).unwrap(),
            status: 200,
            delivered: true,
            duplicate: false,
            platform_id: Some("7".to_string()),
        }
    }

    fn outcomes() -> Vec<(String, bool)> {
        vec![("a".to_string(), true), ("b".to_string(), false)]
    }

    #[test]
    fn a_fanout_is_one_request_and_a_delivery_per_accepted_recipient() {
        let mut record = Record::default();
        record.push_fanout(request(), &outcomes());
        assert_eq!(
            record.counts(),
            ReceivedCounts {
                requests: 1,
                new_deliveries: 1
            }
        );
        let all = record.all();
        let summary: Vec<_> = all
            .iter()
            .map(|r| (r.seq, r.recipient.as_str(), r.delivered, r.body.is_null()))
            .collect();
        assert_eq!(
            summary,
            vec![
                (1, "", false, false),
                (2, "a", true, true),
                (3, "b", false, true)
            ]
        );
        assert!(all.iter().all(|r| r.platform_id.as_deref() == Some("7")));
        assert_eq!(record.filtered(Some("viber"), Some(true)).len(), 1);
    }

    #[test]
    fn a_counting_record_keeps_no_fanout_entries() {
        let mut record = Record::counting_only();
        record.push_fanout(request(), &outcomes());
        assert!(record.all().is_empty());
        assert_eq!(record.counts().new_deliveries, 1);
    }
}
