//! Where each leased job goes: the chat an account posts to, each subscriber of a broadcast
//! (fanned out into delivery jobs), the subscriber a delivery is for (whose identifier only
//! the vault opens), or nowhere, for a channel this worker has no adapter for.

use std::collections::HashMap;
use std::sync::Arc;

use super::Dispatcher;
use super::batch_outcomes::BatchOutcomes;
use super::route::Route;
use crate::channel::{ChannelRef, Platform};
use crate::config::Audience;
use crate::platforms::Sendable;
use crate::store::{JobOutcome, LeasedJob, Store, StoreError};
use crate::subscribers::SubscriberVault;

/// Subscribers added to the outbox per statement when a broadcast job fans out.
const EXPANSION_PAGE: u32 = 1_000;

/// A job with where it goes: the recipient handed to the adapter (a chat, or a subscriber's
/// identifier) and the key its per-recipient rate bucket is named by (never the identifier).
pub(super) struct Addressed {
    pub(super) job: LeasedJob,
    pub(super) recipient: Option<String>,
    pub(super) bucket: Option<String>,
}

impl<S: Store> Dispatcher<S> {
    /// Jobs of a channel without a route: paid reach on Meta is cancelled (herald publishes
    /// nothing there), anything else goes to the dead letters with the reason.
    pub(super) fn refuse_unroutable(
        &self,
        channel: &str,
        jobs: Vec<LeasedJob>,
        outcomes: &mut BatchOutcomes,
    ) {
        let parsed = ChannelRef::parse(channel);
        if parsed
            .as_ref()
            .is_ok_and(|c| c.platform == Platform::MetaAds)
        {
            // Paid reach is bought and targeted in Meta's own tools; herald reads its
            // estimates and reach back, and has nothing to publish itself.
            for job in jobs {
                outcomes.add(
                    job.id,
                    JobOutcome::Cancelled {
                        reason: "paid reach on Meta is set up in Meta's own tools; herald publishes nothing here".into(),
                    },
                );
            }
            return;
        }
        let reason = match parsed {
            Ok(c) if self.config.accounts.contains_key(&c) => {
                format!("account `{c}` could not be set up (see the worker's log)")
            }
            _ => format!("no account `{channel}` in the configuration"),
        };
        for job in jobs {
            outcomes.dead(job.id, "no_adapter", reason.clone());
        }
    }

    /// The recipients of one account's jobs: the chat for its locale, or subscribers.
    pub(super) async fn address(
        &self,
        route: &Arc<Route>,
        jobs: Vec<LeasedJob>,
        now_ms: i64,
        outcomes: &mut BatchOutcomes,
    ) -> Result<Vec<Addressed>, StoreError> {
        Ok(match route.account.audience {
            Audience::Chats => jobs
                .into_iter()
                .map(|job| {
                    let chat = route.adapter.recipient_for(&job.locale);
                    Addressed {
                        bucket: chat.clone(),
                        recipient: chat,
                        job,
                    }
                })
                .collect(),
            Audience::Subscribers => {
                self.address_subscribers(route, jobs, now_ms, outcomes)
                    .await?
            }
        })
    }

    /// Jobs of a channel that reaches subscribers: broadcast jobs are fanned out into one
    /// delivery job per subscriber (after the platform's own checks, such as WhatsApp's
    /// template approval); delivery jobs get their subscriber's identifier, opened from the
    /// vault, or are cancelled when the person has opted out meanwhile.
    async fn address_subscribers(
        &self,
        route: &Arc<Route>,
        jobs: Vec<LeasedJob>,
        now_ms: i64,
        outcomes: &mut BatchOutcomes,
    ) -> Result<Vec<Addressed>, StoreError> {
        let (broadcasts, deliveries): (Vec<LeasedJob>, Vec<LeasedJob>) =
            jobs.into_iter().partition(|j| j.subscriber_id.is_none());
        for job in broadcasts {
            if self.broadcast_can_go(route, &job, now_ms, outcomes).await {
                self.expand_broadcast(&job, now_ms, outcomes).await?;
            }
        }
        if deliveries.is_empty() {
            return Ok(Vec::new());
        }
        let Some(vault) = &self.vault else {
            for job in deliveries {
                outcomes.defer(
                    job.id,
                    now_ms + 60_000,
                    Some(format!(
                        "subscriber identifiers cannot be opened: {} is not set",
                        crate::secrets::SECRET_KEY_VARIABLE
                    )),
                );
            }
            return Ok(Vec::new());
        };
        self.open_identifiers(vault, deliveries, outcomes).await
    }

    /// Whether a broadcast's text renders and its platform takes it (WhatsApp: an approved
    /// template); if not, the broadcast's outcome says why: dead, or retried later.
    async fn broadcast_can_go(
        &self,
        route: &Route,
        job: &LeasedJob,
        now_ms: i64,
        outcomes: &mut BatchOutcomes,
    ) -> bool {
        let checked = match self.prepare(job).await {
            Ok(text) => route.adapter.check_sendable(&text).await,
            Err(reason) => Sendable::Blocked("render".to_string(), reason.to_string()),
        };
        match checked {
            Sendable::Yes => true,
            Sendable::Blocked(code, text) => {
                outcomes.add(job.id, JobOutcome::Dead { code, text });
                false
            }
            Sendable::RetryLater(error) => {
                outcomes.add(
                    job.id,
                    JobOutcome::Requeue {
                        run_at_ms: now_ms + self.settings.retry_base.as_millis() as i64,
                        counts_as_attempt: true,
                        error: Some(error),
                    },
                );
                false
            }
        }
    }

    /// Adds one delivery job per subscriber of a broadcast, a page at a time.
    async fn expand_broadcast(
        &self,
        job: &LeasedJob,
        now_ms: i64,
        outcomes: &mut BatchOutcomes,
    ) -> Result<(), StoreError> {
        let mut after = 0;
        let mut deliveries = 0;
        while let Some((last, added)) = self
            .store
            .expand_broadcast(job, after, EXPANSION_PAGE, now_ms)
            .await?
        {
            after = last;
            deliveries += added as i64;
        }
        outcomes.report.expanded += deliveries as usize;
        outcomes.add(job.id, JobOutcome::Expanded { deliveries });
        Ok(())
    }

    /// Each delivery with its subscriber's identifier, opened from the vault; a delivery whose
    /// subscriber is gone (opted out) is cancelled, one whose identifier cannot be opened is
    /// dead.
    async fn open_identifiers(
        &self,
        vault: &SubscriberVault,
        deliveries: Vec<LeasedJob>,
        outcomes: &mut BatchOutcomes,
    ) -> Result<Vec<Addressed>, StoreError> {
        let ids: Vec<i64> = deliveries.iter().filter_map(|j| j.subscriber_id).collect();
        let sealed: HashMap<i64, String> = self
            .store
            .subscriber_identities(&ids)
            .await?
            .into_iter()
            .collect();
        let mut addressed = Vec::with_capacity(deliveries.len());
        for job in deliveries {
            let subscriber = job.subscriber_id.unwrap_or_default();
            let Some(sealed) = sealed.get(&subscriber) else {
                outcomes.add(
                    job.id,
                    JobOutcome::Cancelled {
                        reason: "the person opted out".into(),
                    },
                );
                continue;
            };
            match vault.open(&job.channel, sealed) {
                Ok(identifier) => addressed.push(Addressed {
                    bucket: Some(format!("subscriber:{subscriber}")),
                    recipient: Some(identifier),
                    job,
                }),
                Err(error) => outcomes.dead(job.id, "sealed_identifier", error.to_string()),
            }
        }
        Ok(addressed)
    }
}
