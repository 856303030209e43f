//! What staff are told about, as the store keeps it: events (aggregate, staff-facing facts
//! only), each user's notification preferences, and the digests that carry events to them.
//!
//! An event never holds anything about a person in the audience: no address, chat id,
//! subscriber id, partner message id or rendered text. It names a campaign, a version, an
//! account, an error code, a count and a time. Partner error *texts* can quote a recipient, so
//! only the code is kept, and only when it looks like a code ([`event_code`]).

use serde::Serialize;

use crate::auth::Role;

/// What happened, and so who hears of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StaffEventKind {
    /// A version awaits approval (approvers).
    VersionSubmitted,
    /// Jobs ended as dead letters (schedulers).
    DeadLetters,
    /// Jobs ended with an unknown outcome (schedulers).
    UnknownOutcomes,
    /// WhatsApp refused messages because their template cannot be used (schedulers).
    TemplateBlocked,
    /// A partner could not be reached; the account's jobs wait (schedulers).
    PartnerOutage,
    /// Someone pulled a campaign's kill switch (schedulers).
    KillSwitch,
}

impl StaffEventKind {
    pub const ALL: [StaffEventKind; 6] = [
        StaffEventKind::VersionSubmitted,
        StaffEventKind::DeadLetters,
        StaffEventKind::UnknownOutcomes,
        StaffEventKind::TemplateBlocked,
        StaffEventKind::PartnerOutage,
        StaffEventKind::KillSwitch,
    ];

    pub fn name(self) -> &'static str {
        match self {
            StaffEventKind::VersionSubmitted => "version_submitted",
            StaffEventKind::DeadLetters => "dead_letters",
            StaffEventKind::UnknownOutcomes => "unknown_outcomes",
            StaffEventKind::TemplateBlocked => "template_blocked",
            StaffEventKind::PartnerOutage => "partner_outage",
            StaffEventKind::KillSwitch => "kill_switch",
        }
    }

    pub fn from_name(name: &str) -> Option<StaffEventKind> {
        StaffEventKind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The role whose holders may hear of this kind: approvers of submissions, schedulers of
    /// everything that concerns delivery.
    pub fn audience(self) -> Role {
        match self {
            StaffEventKind::VersionSubmitted => Role::Approver,
            _ => Role::Scheduler,
        }
    }

    /// Kinds that go out at once instead of waiting for the digest interval: the kill switch
    /// (a campaign said something it must not; every scheduler should know now) and a partner
    /// outage (time-bound messages are waiting). The others are worth batching: a dead letter
    /// or a submission an hour old is as actionable as one a minute old.
    pub fn is_urgent(self) -> bool {
        matches!(
            self,
            StaffEventKind::KillSwitch | StaffEventKind::PartnerOutage
        )
    }

    /// Comma-separated names, as stored.
    pub fn join(kinds: &[StaffEventKind]) -> String {
        kinds.iter().map(|k| k.name()).collect::<Vec<_>>().join(",")
    }

    pub fn split(text: &str) -> Vec<StaffEventKind> {
        text.split(',')
            .filter_map(|k| StaffEventKind::from_name(k.trim()))
            .collect()
    }
}

/// An event to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewStaffEvent {
    pub kind: StaffEventKind,
    pub campaign_id: Option<String>,
    pub version_hash: Option<String>,
    /// The account (`platform:account`).
    pub account: Option<String>,
    pub code: Option<String>,
    /// How many jobs (1 for a submission, an outage or a kill).
    pub count: i64,
    pub at_ms: i64,
}

impl NewStaffEvent {
    pub fn new(kind: StaffEventKind, at_ms: i64) -> NewStaffEvent {
        NewStaffEvent {
            kind,
            campaign_id: None,
            version_hash: None,
            account: None,
            code: None,
            count: 1,
            at_ms,
        }
    }
}

/// An event as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StaffEvent {
    pub id: i64,
    pub kind: StaffEventKind,
    pub campaign_id: Option<String>,
    pub version_hash: Option<String>,
    pub account: Option<String>,
    pub code: Option<String>,
    pub count: i64,
    pub at_ms: i64,
}

/// An error code as an event may carry it: short letters, digits, `_`, `-` and `.`, or
/// `other`. A partner's code is a number or a word; anything longer or odder might be a text
/// that quotes a recipient, so it is not kept.
pub fn event_code(code: &str) -> String {
    let looks_like_a_code = !code.is_empty()
        && code.len() <= 32
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if looks_like_a_code {
        code.to_string()
    } else {
        "other".to_string()
    }
}

/// How a user is notified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NotifyChannel {
    Email,
    Webhook,
    None,
}

impl NotifyChannel {
    pub fn name(self) -> &'static str {
        match self {
            NotifyChannel::Email => "email",
            NotifyChannel::Webhook => "webhook",
            NotifyChannel::None => "none",
        }
    }

    pub fn from_name(name: &str) -> Option<NotifyChannel> {
        [
            NotifyChannel::Email,
            NotifyChannel::Webhook,
            NotifyChannel::None,
        ]
        .into_iter()
        .find(|c| c.name() == name)
    }
}

/// A user's own choice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotificationPreferences {
    pub channel: NotifyChannel,
    pub kinds: Vec<StaffEventKind>,
    /// Where e-mail goes; staff contact data, never the audience's.
    pub email: Option<String>,
}

/// A user who set preferences, with them and how far their digests reach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationRecipient {
    pub user: super::UserRecord,
    pub preferences: NotificationPreferences,
    /// The last event already put into one of their digests.
    pub seen_event: i64,
    pub updated_at_ms: i64,
}

/// A digest a sender holds the lease on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestRecord {
    pub id: i64,
    pub user_id: String,
    pub channel: NotifyChannel,
    /// The events after this id, up to `last_event`.
    pub after_event: i64,
    pub last_event: i64,
    /// Failed attempts so far.
    pub attempts: i64,
}

/// What became of one attempt to send a digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DigestAttempt {
    /// The SMTP server or the webhook accepted it.
    Sent { at_ms: i64 },
    /// It failed; tried again from `retry_at_ms`.
    Failed { retry_at_ms: i64, error: String },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_that_could_quote_a_person_are_not_kept() {
        assert_eq!(event_code("131026"), "131026");
        assert_eq!(event_code("invalid_recipient"), "invalid_recipient");
        assert_eq!(event_code("+31 6 1234 5678"), "other");
        assert_eq!(event_code("user@example.org"), "other");
        assert_eq!(event_code(&"a".repeat(33)), "other");
        assert_eq!(event_code(""), "other");
    }

    #[test]
    fn kinds_round_trip_and_unknown_names_are_dropped() {
        let text = StaffEventKind::join(&StaffEventKind::ALL);
        assert_eq!(StaffEventKind::split(&text), StaffEventKind::ALL.to_vec());
        assert_eq!(
            StaffEventKind::split("kill_switch, nonsense"),
            vec![StaffEventKind::KillSwitch]
        );
    }
}
