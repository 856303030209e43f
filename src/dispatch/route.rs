//! An account as the dispatcher sees it: its configuration, its adapter, how many calls may be
//! in flight to it, and whether its partner can be reached at the moment.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::Semaphore;

use super::pacing::account_bucket;
use super::throttle_holds::ThrottleHolds;
use crate::config::Account;
use crate::platforms::Adapter;

/// The longest pause between probes of a partner that refuses connections.
const LONGEST_OUTAGE_PAUSE: Duration = Duration::from_secs(300);

pub(super) struct Route {
    pub(super) account: Account,
    pub(super) adapter: Adapter,
    pub(super) in_flight: Arc<Semaphore>,
    /// Calls held back after the partner throttled the account or a recipient.
    pub(super) holds: ThrottleHolds,
    /// The account's rate bucket, where workers share pacing and throttles (named once here,
    /// not for every call).
    pub(super) bucket: String,
    /// Since when the partner refuses connections, if it does now (see [`Route::outage_pause`]).
    unreachable_since: Mutex<Option<DateTime<Utc>>>,
}

impl Route {
    pub(super) fn new(account: Account, adapter: Adapter) -> Route {
        Route {
            in_flight: Arc::new(Semaphore::new(account.max_in_flight)),
            bucket: account_bucket(&account.channel.to_string()),
            account,
            adapter,
            holds: ThrottleHolds::default(),
            unreachable_since: Mutex::new(None),
        }
    }

    /// How long to leave an account alone after a call could not connect: as long as the
    /// outage has lasted so far (at least `least`, at most [`LONGEST_OUTAGE_PAUSE`]), so a
    /// short blip costs seconds and a long outage is probed a few times an hour. Jobs wait
    /// without using attempts: a partner that is down says nothing about the messages, and an
    /// hour-long outage must not send a whole campaign to the dead letters.
    /// Also says whether this call began the outage (so schedulers are told once per outage
    /// and worker, not once per job).
    pub(super) fn outage_pause(&self, now: DateTime<Utc>, least: Duration) -> (Duration, bool) {
        let mut since = self
            .unreachable_since
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let began = since.is_none();
        let started = *since.get_or_insert_with(|| {
            tracing::warn!(channel = %self.account.channel, "the partner cannot be reached; its jobs wait without using attempts");
            now
        });
        let pause = (now - started)
            .to_std()
            .unwrap_or_default()
            .clamp(least, LONGEST_OUTAGE_PAUSE.max(least));
        (pause, began)
    }

    /// Notes that the partner answered, ending an outage if there was one.
    pub(super) fn reached(&self, now: DateTime<Utc>) {
        let mut since = self
            .unreachable_since
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if let Some(started) = since.take() {
            tracing::info!(channel = %self.account.channel, outage_seconds = (now - started).num_seconds(), "the partner can be reached again");
        }
    }
}
