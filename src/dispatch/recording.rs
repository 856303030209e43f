//! Writing what a batch did to the store: its outcomes with the delivery counters they add,
//! the insight polls of the posts it published, and the erasure of subscribers a partner said
//! are gone. The messages are already with the partners, so a failing database is retried
//! patiently rather than leaving them to be recovered as "outcome unknown".

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::Dispatcher;
use super::backoff::{STORE_RETRY_BASE, STORE_RETRY_MAX, retry_delay};
use super::batch_outcomes::BatchOutcomes;
use super::send::LeasedBatch;
use crate::reach::{campaign_end, poll_for_post};
use crate::store::{
    DeliveryCount, JobOutcome, LeasedJob, NewInsightPoll, NewStaffEvent, StaffEventKind, Store,
    StoreError, record_key,
};

impl<S: Store> Dispatcher<S> {
    /// Records the outcomes gathered so far (and the people found gone), then forgets them.
    pub(super) async fn flush_outcomes(
        &self,
        batch: &LeasedBatch,
        outcomes: &mut BatchOutcomes,
    ) -> Result<(), StoreError> {
        // A broadcast job reaches nobody itself: only its deliveries are counted.
        let counted: Vec<(i64, JobOutcome)> = outcomes
            .pending
            .iter()
            .filter(|(id, _)| !batch.broadcasts.contains(id))
            .cloned()
            .collect();
        let counts = delivery_counts(&batch.jobs, &counted, self.clock.now());
        let polls = self.insight_polls(&batch.jobs, &outcomes.pending, self.clock.now());
        let finished_ms = self.clock.now().timestamp_millis();
        let erased = self
            .persist_batch(
                &polls,
                &outcomes.pending,
                &counts,
                &outcomes.gone,
                finished_ms,
            )
            .await?;
        if erased > 0 {
            outcomes.report.erased += erased as usize;
            tracing::info!(erased, "subscribers the partner reported gone were erased");
        }
        outcomes.pending.clear();
        outcomes.gone.clear();
        self.tell_of_outages(std::mem::take(&mut outcomes.outages))
            .await;
        Ok(())
    }

    /// Records a staff event per account whose partner became unreachable, after the batch's
    /// outcomes are safe. A failure is only logged: telling staff never holds dispatch up.
    async fn tell_of_outages(&self, accounts: Vec<String>) {
        let at_ms = self.clock.now().timestamp_millis();
        for account in accounts {
            let mut event = NewStaffEvent::new(StaffEventKind::PartnerOutage, at_ms);
            event.account = Some(account);
            if let Err(error) = self.store.record_staff_event(&event).await {
                tracing::warn!(%error, "the partner outage could not be recorded for staff notifications");
            }
        }
    }

    /// Writes what a batch did: the insight polls of its posts, its outcomes with their
    /// counters, and the erasure of people a partner said are gone. Its messages are already
    /// with the partners, so a database that fails now (restarting, say) is retried with
    /// backoff for up to `record_patience`: giving up would leave every one of them to be
    /// recovered later as "outcome unknown". Each write is safe to repeat: outcomes are fenced
    /// by the lease, so a retry after a commit whose answer was lost writes and counts nothing.
    async fn persist_batch(
        &self,
        polls: &[NewInsightPoll],
        outcomes: &[(i64, JobOutcome)],
        counts: &[(i64, DeliveryCount)],
        gone: &[i64],
        finished_ms: i64,
    ) -> Result<u64, StoreError> {
        let started = std::time::Instant::now();
        let mut failures: u32 = 0;
        loop {
            let written = async {
                // Registered before the outcomes: a post that exists is polled even if this
                // worker stops before recording it (registering twice changes nothing).
                if !polls.is_empty() {
                    self.store.add_insight_polls(polls).await?;
                }
                self.store
                    .record_outcomes(&self.settings.worker_id, outcomes, counts, finished_ms)
                    .await?;
                if gone.is_empty() {
                    Ok(0)
                } else {
                    self.store.erase_subscribers(gone, finished_ms).await
                }
            }
            .await;
            match written {
                Ok(erased) => return Ok(erased),
                Err(error)
                    if error.is_transient()
                        && started.elapsed() < self.settings.record_patience =>
                {
                    failures += 1;
                    let delay = retry_delay(
                        failures,
                        STORE_RETRY_BASE,
                        STORE_RETRY_MAX,
                        &self.settings.worker_id,
                    );
                    crate::metrics::METRICS.store_failed();
                    tracing::warn!(
                        %error,
                        failures,
                        jobs = outcomes.len(),
                        retry_in_ms = delay.as_millis() as u64,
                        "cannot record a batch already handed to the partners; trying again"
                    );
                    tokio::time::sleep(delay).await;
                }
                Err(error) => return Err(error),
            }
        }
    }

    /// The insight polls of the posts a batch published on channels whose metrics are read.
    fn insight_polls(
        &self,
        leased: &HashMap<i64, LeasedJob>,
        outcomes: &[(i64, JobOutcome)],
        published_at: DateTime<Utc>,
    ) -> Vec<NewInsightPoll> {
        let mut polls = Vec::new();
        let accounts = self.accounts.current();
        for (id, outcome) in outcomes {
            let JobOutcome::Sent {
                platform_id: Some(post_id),
                variant,
            } = outcome
            else {
                continue;
            };
            let Some(job) = leased
                .get(id)
                .filter(|j| accounts.insights.polls(&j.channel))
            else {
                continue;
            };
            let Some(version) = self.versions.get(&job.version) else {
                tracing::warn!(
                    version = job.version.short(),
                    "a published post's campaign is not loaded: its metrics will not be read"
                );
                continue;
            };
            polls.push(poll_for_post(
                job,
                post_id,
                variant.as_deref().unwrap_or_default(),
                published_at,
                campaign_end(version.campaign.ends),
            ));
        }
        polls
    }
}

/// The `sent` and `failed` counter each job of a batch adds (one each); the store sums those
/// of the jobs it actually records.
fn delivery_counts(
    leased: &HashMap<i64, LeasedJob>,
    outcomes: &[(i64, JobOutcome)],
    now: DateTime<Utc>,
) -> Vec<(i64, DeliveryCount)> {
    let day = now.format("%Y-%m-%d").to_string();
    let mut counts = Vec::with_capacity(outcomes.len());
    for (id, outcome) in outcomes {
        let Some(job) = leased.get(id) else { continue };
        let (status, variant) = match outcome {
            JobOutcome::Sent { variant, .. } => ("sent", variant.clone().unwrap_or_default()),
            // A job no adapter could take reached no partner: a dead letter, not a failed message.
            JobOutcome::Dead { code, .. } if code == "no_adapter" => continue,
            JobOutcome::Dead { .. } => ("failed", String::new()),
            _ => continue,
        };
        counts.push((
            *id,
            DeliveryCount {
                campaign: job.campaign_id.clone(),
                version: job.version.to_string(),
                send: job.send.clone(),
                segment: job.segment.clone(),
                locale: job.locale.clone(),
                channel: job.channel.clone(),
                variant,
                day: day.clone(),
                status: status.to_string(),
                count: 1,
                key_sum: record_key::of_message(&job.idempotency_key),
            },
        ));
    }
    counts
}
