//! A tally of what the sandbox took, per platform, account and audience group, in memory that
//! does not grow with the traffic. A long run (a soak, a rehearsal of a whole campaign) cannot
//! keep every request, yet must still be compared exactly with what herald reports: messages
//! taken, messages taken whose answer was lost, receivers refused, the status callbacks herald
//! took, and the same text reaching a person twice.
//!
//! A partner knows people only by their numbers or ids, so the groups are named by id prefixes
//! (a country code, a number range, a user-id prefix) that the rehearsal chose when it made
//! its people up. Repeats are found with one small entry per recipient (hashes of the id and
//! of the last text, and when it came), so memory grows with the audience, never with the
//! number of messages.

use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use super::record::Received;

/// How the sandbox tallies (see [`super::SandboxConfig::tally`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TallyConfig {
    /// Recipient id prefix → group name. The longest listed prefix of a recipient's id (a
    /// WhatsApp number, a Viber user id, a Telegram chat) names its group; recipients no
    /// prefix matches count in the group `""`.
    pub groups: BTreeMap<String, String>,
    /// The same text taken for the same recipient again within this time (sandbox clock) is a
    /// repeat: a message sent twice. Later, it is a new message that happens to say the same
    /// (a weekly send repeats its words).
    pub repeat_window: Duration,
}

impl Default for TallyConfig {
    /// No groups (one tally per platform and account); repeats within a day.
    fn default() -> Self {
        TallyConfig {
            groups: BTreeMap::new(),
            repeat_window: Duration::hours(24),
        }
    }
}

/// What a tally line counts: one platform, account and group.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct TallyKey {
    /// `"whatsapp"`, `"viber"`, `"telegram"`, ... as in [`Received::platform`].
    pub platform: String,
    /// As in [`Received::account`].
    pub account: String,
    /// The group its recipients' ids fall in ([`TallyConfig::groups`]).
    pub group: String,
}

/// Status callbacks the receiver took (answered 2xx), by the status they reported. WhatsApp's
/// `sent` status is not counted: herald counts only what reached the person.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct StatusTally {
    pub delivered: u64,
    /// WhatsApp `read`, Viber `seen`.
    pub read: u64,
    pub failed: u64,
}

/// The counts of one tally line.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TallyCounts {
    /// Messages taken for a recipient: a success answer, or a dropped connection after the
    /// message was taken. Repeats of an Idempotency-Key already taken are not counted.
    pub accepted: u64,
    /// Of `accepted`, those whose answer was dropped: the sender cannot know they were taken.
    pub unanswered: u64,
    /// Receivers a broadcast named that the platform refused for good (Viber's
    /// `failed_list`: not subscribed).
    pub refused: u64,
    /// Of `refused`, those in a broadcast whose answer was dropped: the sender cannot know
    /// they were refused, so to it their outcome is unknown.
    pub refused_unanswered: u64,
    /// Of `accepted`, those whose text the same recipient had already taken within the
    /// repeat window.
    pub repeats: u64,
    /// Callbacks about answered messages.
    pub callbacks: StatusTally,
    /// Callbacks about unanswered messages, which their sender cannot match to a send.
    pub unanswered_callbacks: StatusTally,
}

/// The last text a recipient took: hashes, not the text, to stay small.
#[derive(Debug, Clone, Copy)]
struct LastText {
    text: u64,
    at_ms: i64,
}

/// The running tally.
#[derive(Debug)]
pub(crate) struct Tally {
    config: TallyConfig,
    lines: HashMap<TallyKey, TallyCounts>,
    /// Hash of (platform, account, recipient) → the last text taken. A collision of two
    /// recipients' 64-bit hashes could only hide or invent a repeat; at a million recipients
    /// its chance is about 3 in 100 million.
    last: HashMap<u64, LastText>,
}

/// A callback status as the tally sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TalliedStatus {
    Delivered,
    Read,
    Failed,
}

fn hash_of(parts: &[&str]) -> u64 {
    let mut hasher = DefaultHasher::new();
    for part in parts {
        part.hash(&mut hasher);
    }
    hasher.finish()
}

impl Tally {
    pub(crate) fn new(config: TallyConfig) -> Tally {
        Tally {
            config,
            lines: HashMap::new(),
            last: HashMap::new(),
        }
    }

    /// The group of `recipient`: the one of its longest listed prefix.
    fn group_of(&self, recipient: &str) -> &str {
        let mut end = recipient.len();
        while end > 0 {
            if let Some(group) = self.config.groups.get(&recipient[..end]) {
                return group;
            }
            end = recipient[..end]
                .char_indices()
                .next_back()
                .map_or(0, |(at, _)| at);
        }
        ""
    }

    fn line(&mut self, platform: &str, account: &str, recipient: &str) -> &mut TallyCounts {
        let key = TallyKey {
            platform: platform.to_string(),
            account: account.to_string(),
            group: self.group_of(recipient).to_string(),
        };
        self.lines.entry(key).or_default()
    }

    /// Counts one message taken for `recipient`, and whether it repeats the last text.
    fn take(
        &mut self,
        platform: &str,
        account: &str,
        recipient: &str,
        text: u64,
        at: DateTime<Utc>,
        answered: bool,
    ) {
        let window_ms = self.config.repeat_window.num_milliseconds();
        let at_ms = at.timestamp_millis();
        let person = hash_of(&[platform, account, recipient]);
        let repeat = self
            .last
            .insert(person, LastText { text, at_ms })
            .is_some_and(|last| last.text == text && at_ms - last.at_ms < window_ms);
        let line = self.line(platform, account, recipient);
        line.accepted += 1;
        if !answered {
            line.unanswered += 1;
        }
        if repeat {
            line.repeats += 1;
        }
    }

    /// Counts one request with a single recipient, if it was a new delivery.
    pub(crate) fn count(&mut self, received: &Received) {
        if !received.is_new_delivery() {
            return;
        }
        let text = hash_of(&[&received.text]);
        self.take(
            &received.platform,
            &received.account,
            &received.recipient,
            text,
            received.at,
            received.status != 0,
        );
    }

    /// Counts a broadcast: each accepted receiver as a message taken, each other one as
    /// refused. `request` is the broadcast's own entry (its status 0 when dropped).
    pub(crate) fn count_fanout(&mut self, request: &Received, outcomes: &[(String, bool)]) {
        let text = hash_of(&[&request.text]);
        let answered = request.status != 0;
        for (recipient, accepted) in outcomes {
            if *accepted {
                self.take(
                    &request.platform,
                    &request.account,
                    recipient,
                    text,
                    request.at,
                    answered,
                );
            } else {
                let line = self.line(&request.platform, &request.account, recipient);
                line.refused += 1;
                if !answered {
                    line.refused_unanswered += 1;
                }
            }
        }
    }

    /// Counts one status callback the receiver took.
    pub(crate) fn count_callback(
        &mut self,
        platform: &str,
        account: &str,
        recipient: &str,
        status: TalliedStatus,
        answered: bool,
    ) {
        let line = self.line(platform, account, recipient);
        let statuses = if answered {
            &mut line.callbacks
        } else {
            &mut line.unanswered_callbacks
        };
        match status {
            TalliedStatus::Delivered => statuses.delivered += 1,
            TalliedStatus::Read => statuses.read += 1,
            TalliedStatus::Failed => statuses.failed += 1,
        }
    }

    /// The lines so far, in order.
    pub(crate) fn lines(&self) -> BTreeMap<TallyKey, TallyCounts> {
        self.lines
            .iter()
            .map(|(key, counts)| (key.clone(), *counts))
            .collect()
    }

    /// Forgets the counts and the last texts; the configuration stays.
    pub(crate) fn clear(&mut self) {
        self.lines.clear();
        self.last.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn config() -> TallyConfig {
        TallyConfig {
            groups: BTreeMap::from([
                ("316".to_string(), "nl".to_string()),
                ("3161".to_string(), "nl-ar".to_string()),
                ("v-".to_string(), "viber".to_string()),
            ]),
            ..TallyConfig::default()
        }
    }

    fn message(recipient: &str, text: &str, minute: u32, status: u16) -> Received {
        Received {
            seq: 0,
            platform: "whatsapp".to_string(),
            account: "sandbox".to_string(),
            recipient: recipient.to_string(),
            text: text.to_string(),
            body: serde_json::Value::Null,
            idempotency_key: None,
            at: Utc.with_ymd_and_hms(2027, 3, 1, 10, minute, 0).unwrap(),
            status,
            delivered: true,
            duplicate: false,
            platform_id: None,
        }
    }

    fn key(platform: &str, group: &str) -> TallyKey {
        TallyKey {
            platform: platform.to_string(),
            account: "sandbox".to_string(),
            group: group.to_string(),
        }
    }

    #[test]
    fn the_longest_prefix_names_the_group() {
        let tally = Tally::new(config());
        assert_eq!(tally.group_of("31610000"), "nl-ar");
        assert_eq!(tally.group_of("31620000"), "nl");
        assert_eq!(tally.group_of("316"), "nl");
        assert_eq!(tally.group_of("4412"), "");
        assert_eq!(tally.group_of("v-ذ"), "viber");
    }

    #[test]
    fn messages_unanswered_ones_and_repeats_are_counted_apart() {
        let mut tally = Tally::new(config());
        tally.count(&message("31610000", "hello", 0, 200));
        tally.count(&message("31610000", "hello", 5, 200));
        tally.count(&message("31610001", "hello", 5, 0));
        let mut refused = message("31620000", "hello", 5, 400);
        refused.delivered = false;
        tally.count(&refused);
        let lines = tally.lines();
        let ar = lines[&key("whatsapp", "nl-ar")];
        assert_eq!((ar.accepted, ar.unanswered, ar.repeats), (3, 1, 1));
        assert!(!lines.contains_key(&key("whatsapp", "nl")), "nothing taken");
    }

    #[test]
    fn the_same_text_after_the_window_is_a_new_message() {
        let mut tally = Tally::new(TallyConfig {
            repeat_window: Duration::minutes(10),
            ..config()
        });
        tally.count(&message("31610000", "weekly", 0, 200));
        tally.count(&message("31610000", "weekly", 10, 200));
        tally.count(&message("31610000", "other", 12, 200));
        tally.count(&message("31610000", "other", 13, 200));
        let ar = tally.lines()[&key("whatsapp", "nl-ar")];
        assert_eq!((ar.accepted, ar.repeats), (4, 1));
    }

    #[test]
    fn broadcasts_count_each_receiver_and_callbacks_follow_their_message() {
        let mut tally = Tally::new(config());
        let mut broadcast = message("", "news", 0, 0);
        broadcast.platform = "viber".to_string();
        tally.count_fanout(
            &broadcast,
            &[("v-1".to_string(), true), ("v-2".to_string(), false)],
        );
        tally.count_callback("viber", "sandbox", "v-1", TalliedStatus::Delivered, false);
        tally.count_callback("viber", "sandbox", "v-1", TalliedStatus::Read, true);
        let viber = tally.lines()[&key("viber", "viber")];
        assert_eq!(
            (
                viber.accepted,
                viber.unanswered,
                viber.refused,
                viber.refused_unanswered
            ),
            (1, 1, 1, 1)
        );
        assert_eq!(viber.unanswered_callbacks.delivered, 1);
        assert_eq!(viber.callbacks.read, 1);
        broadcast.status = 200;
        tally.count_fanout(&broadcast, &[("v-3".to_string(), false)]);
        let viber = tally.lines()[&key("viber", "viber")];
        assert_eq!((viber.refused, viber.refused_unanswered), (2, 1));
        tally.clear();
        assert!(tally.lines().is_empty());
    }
}
