//! A consent event as the store applies it: once per partner event id, and only if no later
//! consent event of the same person was applied before it. Partners retry, and a signed
//! request can be captured and sent again; without both rules an old opt-in arriving after an
//! opt-out would subscribe the person again against their latest wish, and an old press of a
//! language button would move them back to a language they had left.

use super::NewSubscriber;

/// One opt-in, opt-out or choice, with what the store needs to apply it once and in event-time
/// order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentEvent {
    pub channel: String,
    /// The person's keyed lookup hash (see `SubscriberVault::lookup`).
    pub lookup: String,
    /// Keyed hash of the channel and the partner's event id: the same for a retry or a replay
    /// of this event, and useless without the key (a WhatsApp message id encodes a number).
    pub event_digest: String,
    /// When the partner says the event happened (epoch milliseconds).
    pub event_at_ms: i64,
    /// Until when the event id and the person's mark are kept: past it, an event this old is
    /// refused before it reaches the store, so neither is needed any more.
    pub keep_until_ms: i64,
    /// When herald applies it (cancelled deliveries are stamped with it).
    pub now_ms: i64,
    pub change: ConsentWrite,
    /// The person's hashes under the previous key, during a key rotation: what was recorded
    /// of them before is found by these and moved to the current hashes first.
    pub previous: Option<PreviousHashes>,
}

/// A consent event's hashes under the previous key (see `SubscriberVault::previous_lookup`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviousHashes {
    pub lookup: String,
    pub event_digest: String,
}

/// What the event asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConsentWrite {
    /// Subscribe, or update the locale and segment of a subscriber.
    Join(NewSubscriber),
    /// Erase the subscriber and cancel what is still queued for them.
    Leave,
    /// Change the locale or the segment of a subscriber (a button in the bot's menu). Applied
    /// only if it is newer than the person's latest opt-in or opt-out and than their latest
    /// choice of the same kind; never subscribes anyone.
    Choose {
        locale: Option<String>,
        segment: Option<String>,
    },
}

/// What the store did with a consent event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsentOutcome {
    /// A new subscriber.
    Joined,
    /// Already subscribed: locale and segment updated.
    Updated,
    /// The subscriber was erased.
    Left,
    /// An opt-out of someone who was not subscribed (recorded all the same, so that an older
    /// opt-in arriving later is not applied), or a choice of someone not subscribed (nothing
    /// kept of them but the event id's digest).
    NotSubscribed,
    /// This event id was applied before: a partner's retry or a replay. Nothing changed.
    Repeated,
    /// A later consent event of the same person was applied already. Nothing changed.
    Superseded,
    /// The retention sweep already forgot events this old (their `keep_until_ms` lies before
    /// what it pruned), so a repeat could no longer be recognised: refused like a late event.
    /// Nothing changed.
    PastRetention,
}
