//! Handing paced calls to the partners' adapters: each at its time, one at a time under a
//! simulated clock or concurrently (bounded per account) otherwise, with the job's envelope
//! for partners that route by it, and one result per job of the call. A call whose account or
//! recipient a partner throttled after it was booked is held back instead
//! (`throttle_holds.rs`), and a throttling answer holds the calls after it at once.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use tracing::Instrument;

use super::Dispatcher;
use super::batch_outcomes::BatchOutcomes;
use super::calls::Ready;
use super::pacing::recipient_bucket;
use super::results::hold_back;
use super::throttle_holds::shared_hold_freshness_ms;
use crate::clock::Clock;
use crate::metrics::PartnerCallOutcome;
use crate::platforms::{BatchOutcome, Envelope, Publication, PublishResult};
use crate::store::Store;

/// What became of one paced call.
pub(super) enum Called {
    /// The partner answered: one result per job of the call.
    Answered(Vec<PublishResult>),
    /// Not made: the partner had throttled its account or recipient until this time (ms).
    HeldBack { until_ms: i64 },
}

impl<S: Store> Dispatcher<S> {
    /// Publishes a chunk of calls: one at a time in time order (simulated clock), or
    /// concurrently with at most `max_in_flight` calls per account, each at its paced time.
    pub(super) async fn publish_chunk(&self, chunk: Vec<Ready>) -> Vec<(Ready, Called)> {
        if self.settings.sequential {
            let mut results = Vec::with_capacity(chunk.len());
            for ready in chunk {
                self.clock.sleep_until(at(ready.send_at_ms)).await;
                let called = call_unless_held(&ready, &self.store, self.clock.as_ref())
                    .instrument(call_span(&ready))
                    .await;
                results.push((ready, called));
            }
            return results;
        }
        let mut tasks = tokio::task::JoinSet::new();
        for ready in chunk {
            let clock = Arc::clone(&self.clock);
            let store = self.store.clone();
            let span = call_span(&ready);
            tasks.spawn(
                async move {
                    let permit = Arc::clone(&ready.route.in_flight).acquire_owned().await;
                    clock.sleep_until(at(ready.send_at_ms)).await;
                    let called = call_unless_held(&ready, &store, clock.as_ref()).await;
                    drop(permit);
                    (ready, called)
                }
                .instrument(span),
            );
        }
        let mut results = Vec::new();
        while let Some(joined) = tasks.join_next().await {
            match joined {
                Ok(pair) => results.push(pair),
                Err(error) => {
                    tracing::error!(%error, "a publishing task failed; its jobs' leases will expire and be recovered")
                }
            }
        }
        results
    }
}

impl<S: Store> Dispatcher<S> {
    /// Keeps the calls of a chunk that may go at their times; the others, held by a throttle
    /// met since they were booked, are requeued for its end.
    pub(super) async fn release_held(
        &self,
        chunk: Vec<Ready>,
        now_ms: i64,
        outcomes: &mut BatchOutcomes,
    ) -> Vec<Ready> {
        let mut free = Vec::with_capacity(chunk.len());
        for ready in chunk {
            match held_until(&ready, &self.store, now_ms.max(ready.send_at_ms)).await {
                Some(until_ms) => hold_back(&ready, until_ms, outcomes),
                None => free.push(ready),
            }
        }
        free
    }
}

/// The span of one partner call, inside its batch's: what a log line of the call is about
/// (campaign, version, channel, its first job and how many it carries).
fn call_span(ready: &Ready) -> tracing::Span {
    let (job, _) = &ready.jobs[0];
    tracing::info_span!(
        "partner_call",
        campaign = %job.campaign_id,
        version = %job.version.as_str(),
        channel = %job.channel,
        job = job.id,
        jobs = ready.jobs.len(),
    )
}

/// Makes the call unless its account or recipient is held; a throttling answer holds the
/// calls after it, in this worker at once and in the others through the database.
async fn call_unless_held<S: Store>(ready: &Ready, store: &S, clock: &dyn Clock) -> Called {
    if let Some(until_ms) = held_until(ready, store, clock.now().timestamp_millis()).await {
        return Called::HeldBack { until_ms };
    }
    let started = std::time::Instant::now();
    let results = publish(ready, clock.now()).await;
    if let Some(first) = results.first() {
        crate::metrics::METRICS.partner_call(
            ready.route.account.channel.platform.name(),
            call_outcome(first),
            started.elapsed(),
        );
    }
    // The partner's wait counts from its answer, not from when the request left.
    let now_ms = clock.now().timestamp_millis();
    let route = &ready.route;
    let recipient = ready.recipient.as_deref();
    for result in &results {
        match (result, recipient) {
            (PublishResult::Throttled { wait, .. }, _) => {
                let until_ms = now_ms + wait.as_millis() as i64;
                route.holds.hold_account(until_ms);
                share_pause(store, &route.bucket, until_ms).await;
                break;
            }
            (PublishResult::RecipientThrottled { wait, .. }, Some(recipient)) => {
                let until_ms = now_ms + wait.as_millis() as i64;
                route.holds.hold_recipient(recipient, until_ms, now_ms);
                // Only an account with per-recipient pacing books by recipient bucket.
                if route.account.rate.per_recipient_per_minute.is_some() {
                    let channel = route.account.channel.to_string();
                    share_pause(store, &recipient_bucket(&channel, recipient), until_ms).await;
                }
                break;
            }
            _ => {}
        }
    }
    Called::Answered(results)
}

/// How a partner answered a call, as the partner-call histogram tells calls apart (a batch
/// call by its first recipient's result: the call as a whole took the time).
fn call_outcome(result: &PublishResult) -> PartnerCallOutcome {
    match result {
        PublishResult::Published { .. } => PartnerCallOutcome::Published,
        PublishResult::Throttled { .. } | PublishResult::RecipientThrottled { .. } => {
            PartnerCallOutcome::Throttled
        }
        PublishResult::Transient { .. } => PartnerCallOutcome::Transient,
        PublishResult::Permanent { .. } => PartnerCallOutcome::Refused,
        PublishResult::RecipientGone { .. } => PartnerCallOutcome::RecipientGone,
        PublishResult::Unknown { .. } => PartnerCallOutcome::Unknown,
    }
}

/// Until when a call must wait because its partner throttled its account or recipient, if
/// it must (see `throttle_holds.rs`).
pub(super) async fn held_until<S: Store>(ready: &Ready, store: &S, now_ms: i64) -> Option<i64> {
    let account = &ready.route.account;
    ready
        .route
        .holds
        .held_until(
            store,
            &ready.route.bucket,
            ready.recipient.as_deref(),
            now_ms,
            shared_hold_freshness_ms(account.rate.per_second),
        )
        .await
}

/// Pauses a rate bucket for every worker; a failure only costs the other workers the
/// warning, as this worker holds its own calls already.
async fn share_pause<S: Store>(store: &S, bucket: &str, until_ms: i64) {
    if let Err(error) = store.pause_bucket(bucket, until_ms).await {
        tracing::warn!(%error, bucket, "cannot share a throttle with other workers");
    }
}

/// The moment of a paced send time.
fn at(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_else(Utc::now)
}

/// Publishes one call: one job or one shared post through `publish`, several recipients of
/// one text through `publish_batch`; one result per job.
async fn publish(ready: &Ready, now: DateTime<Utc>) -> Vec<PublishResult> {
    let (job, recipient) = &ready.jobs[0];
    let envelope = Envelope {
        campaign: &job.campaign_id,
        version: job.version.as_str(),
        send: &job.send,
        segment: &job.segment,
        channel: &job.channel,
        variant: ready.text.variant.as_deref(),
        slot: job.slot,
        idempotency_key: &job.idempotency_key,
    };
    let publication = Publication {
        text: &ready.text.text,
        locale: &job.locale,
        direction: ready.text.source_locale.direction(),
        idempotency_key: &job.idempotency_key,
        recipient: recipient.as_deref(),
        envelope,
    };
    if ready.route.adapter.max_batch() == 1 {
        // One job, or one post shared by the segments it reaches.
        let result = ready
            .route
            .adapter
            .publish(&publication, &ready.text, now)
            .await;
        return vec![result; ready.jobs.len()];
    }
    let recipients: Vec<&str> = ready
        .jobs
        .iter()
        .map(|(_, recipient)| recipient.as_deref().unwrap_or_default())
        .collect();
    let outcome = ready
        .route
        .adapter
        .publish_batch(&publication, &recipients)
        .await;
    match outcome {
        BatchOutcome::Whole(result) => vec![result; recipients.len()],
        BatchOutcome::Accepted {
            platform_id,
            refused,
        } => {
            let mut results = vec![PublishResult::Published { platform_id }; recipients.len()];
            for (index, result) in refused {
                if let Some(slot) = results.get_mut(index) {
                    *slot = result;
                }
            }
            results
        }
    }
}
