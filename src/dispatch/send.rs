//! The send pipeline of one tick: lease the due jobs, address each to its recipients, render
//! and pace the calls (see `addressing.rs`, `calls.rs`, `pacing.rs`), then publish them chunk
//! by chunk, marking each chunk as being sent first and recording outcomes as they come
//! (`results.rs`, `recording.rs`).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::iter::Peekable;

use chrono::{DateTime, Utc};

use super::batch_outcomes::BatchOutcomes;
use super::calls::Ready;
use super::{Dispatcher, TickReport};
use crate::config::Audience;
use crate::store::{LeasedJob, Store, StoreError};

/// The longest spread of paced send times within one chunk. Jobs are marked as being sent a
/// chunk at a time, and a worker that dies leaves its chunk's jobs "outcome unknown" on
/// partners without idempotency keys; at a slow pace, a short span keeps those to the few
/// jobs really in flight, not the ones still waiting for their time.
const CHUNK_SPAN_MS: i64 = 100;

/// How often (at most) a batch still publishing records the outcomes it has so far.
const FLUSH_EVERY_MS: i64 = 1_000;

/// The jobs one tick leased, as the recording of their outcomes needs them.
pub(super) struct LeasedBatch {
    pub(super) jobs: HashMap<i64, LeasedJob>,
    /// Broadcast jobs of channels that reach subscribers: each reaches nobody itself, only
    /// through the deliveries it fans out to.
    pub(super) broadcasts: HashSet<i64>,
}

impl<S: Store> Dispatcher<S> {
    /// One batch: recover stopped workers' sends, lease, pace, publish, record. Its span
    /// holds the spans of its partner calls.
    #[tracing::instrument(name = "batch", skip_all, fields(worker = %self.settings.worker_id))]
    pub async fn tick(&self) -> Result<TickReport, StoreError> {
        let started = std::time::Instant::now();
        let mut outcomes = BatchOutcomes::default();
        let now = self.clock.now();
        let now_ms = now.timestamp_millis();
        self.refresh_accounts().await?;
        self.recover_abandoned(now_ms, &mut outcomes.report).await?;
        let jobs = self
            .store
            .lease_due_jobs(
                &self.settings.worker_id,
                now_ms,
                now_ms + self.lease_ms(),
                self.settings.batch_size,
                &self.accounts.current().waiting,
            )
            .await?;
        outcomes.report.leased = jobs.len();
        if jobs.is_empty() {
            return Ok(outcomes.report);
        }
        let batch = self.leased_batch(&jobs);
        let ready = self.paced_calls(jobs, now, &mut outcomes).await?;
        // A database failure between chunks stops publishing; what was published is still
        // recorded below, and the jobs not yet marked return when their leases run out.
        let published = self
            .publish_in_chunks(ready, &batch, now_ms, &mut outcomes)
            .await;
        self.flush_outcomes(&batch, &mut outcomes).await?;
        crate::metrics::METRICS.dispatched(&outcomes.report.job_counts());
        crate::metrics::METRICS.batch_finished(started.elapsed());
        published.map(|()| outcomes.report)
    }

    fn lease_ms(&self) -> i64 {
        self.settings.lease.as_millis() as i64
    }

    fn leased_batch(&self, jobs: &[LeasedJob]) -> LeasedBatch {
        let accounts = self.accounts.current();
        let reaches_subscribers = |channel: &str| {
            accounts
                .routes
                .get(channel)
                .is_some_and(|r| r.account.audience == Audience::Subscribers)
        };
        LeasedBatch {
            jobs: jobs.iter().map(|j| (j.id, j.clone())).collect(),
            broadcasts: jobs
                .iter()
                .filter(|job| job.subscriber_id.is_none() && reaches_subscribers(&job.channel))
                .map(|job| job.id)
                .collect(),
        }
    }

    /// The calls the leased jobs make, account by account, each at its paced time, in time
    /// order. Jobs that make no call now get their outcome in `outcomes`.
    async fn paced_calls(
        &self,
        jobs: Vec<LeasedJob>,
        now: DateTime<Utc>,
        outcomes: &mut BatchOutcomes,
    ) -> Result<Vec<Ready>, StoreError> {
        let mut by_channel: BTreeMap<String, Vec<LeasedJob>> = BTreeMap::new();
        for job in jobs {
            by_channel.entry(job.channel.clone()).or_default().push(job);
        }
        let mut ready: Vec<Ready> = Vec::new();
        let accounts = self.accounts.current();
        for (channel, jobs) in by_channel {
            let Some(route) = accounts.routes.get(&channel).cloned() else {
                self.refuse_unroutable(&channel, jobs, outcomes);
                continue;
            };
            let addressed = self
                .address(&route, jobs, now.timestamp_millis(), outcomes)
                .await?;
            self.pace_channel(&route, addressed, now, &mut ready, outcomes)
                .await?;
        }
        ready.sort_by_key(|r| (r.send_at_ms, r.jobs[0].0.id));
        Ok(ready)
    }

    /// Publishes the paced calls a chunk at a time: renews the batch's leases when half of
    /// the lease has passed, marks the chunk as being sent (publishing only the jobs still
    /// held), and records outcomes every [`FLUSH_EVERY_MS`]. An error of the database stops
    /// publishing; the outcomes reached so far stay in `outcomes`.
    async fn publish_in_chunks(
        &self,
        ready: Vec<Ready>,
        batch: &LeasedBatch,
        now_ms: i64,
        outcomes: &mut BatchOutcomes,
    ) -> Result<(), StoreError> {
        let lease_ms = self.lease_ms();
        let mut leased_since = now_ms;
        let mut remaining: Vec<i64> = ready.iter().flat_map(Ready::job_ids).collect();
        let chunk_size = self.settings.chunk.max(1);
        let mut calls = ready.into_iter().peekable();
        let mut flushed_ms = now_ms;
        while calls.peek().is_some() {
            let (chunk, jobs_in_chunk) = next_chunk(&mut calls, chunk_size);
            let at_ms = self.clock.now().timestamp_millis();
            remaining.drain(..jobs_in_chunk.min(remaining.len()));
            if at_ms - leased_since > lease_ms / 2 && !remaining.is_empty() {
                self.store
                    .renew_leases(&self.settings.worker_id, &remaining, at_ms + lease_ms)
                    .await?;
                leased_since = at_ms;
            }
            // Calls held by a throttle are requeued before they are marked as being sent, so
            // a worker that stops now leaves them queued, not "outcome unknown".
            let chunk = self.release_held(chunk, at_ms, outcomes).await;
            let chunk = self.mark_sending(chunk, at_ms + lease_ms).await?;
            let results = self.publish_chunk(chunk).await;
            self.take_results(results, outcomes).await;
            // A slowly paced batch records as it goes, so a worker that dies leaves only its
            // last moments' messages "outcome unknown", not the whole batch's.
            let at_ms = self.clock.now().timestamp_millis();
            if at_ms - flushed_ms >= FLUSH_EVERY_MS && calls.peek().is_some() {
                self.flush_outcomes(batch, outcomes).await?;
                flushed_ms = at_ms;
            }
        }
        Ok(())
    }

    /// Marks a chunk's jobs as being sent (their leases now last until `lease_until_ms`) and
    /// keeps the jobs this worker still holds.
    async fn mark_sending(
        &self,
        chunk: Vec<Ready>,
        lease_until_ms: i64,
    ) -> Result<Vec<Ready>, StoreError> {
        let ids: Vec<i64> = chunk.iter().flat_map(Ready::job_ids).collect();
        let held: HashSet<i64> = self
            .store
            .mark_sending(&self.settings.worker_id, &ids, lease_until_ms)
            .await?
            .into_iter()
            .collect();
        Ok(chunk
            .into_iter()
            .filter_map(|mut r| {
                r.jobs.retain(|(job, _)| held.contains(&job.id));
                (!r.jobs.is_empty()).then_some(r)
            })
            .collect())
    }
}

/// The next chunk of calls: calls are added while the chunk holds fewer than `chunk_size`
/// jobs and their paced times span at most [`CHUNK_SPAN_MS`]. Returns the chunk and the number
/// of jobs in it.
fn next_chunk(
    calls: &mut Peekable<impl Iterator<Item = Ready>>,
    chunk_size: usize,
) -> (Vec<Ready>, usize) {
    let mut chunk: Vec<Ready> = Vec::new();
    let mut jobs_in_chunk = 0;
    let mut first_at: Option<i64> = None;
    while let Some(next) = calls.next_if(|r| {
        jobs_in_chunk < chunk_size
            && first_at.is_none_or(|first| r.send_at_ms - first <= CHUNK_SPAN_MS)
    }) {
        first_at.get_or_insert(next.send_at_ms);
        jobs_in_chunk += next.jobs.len();
        chunk.push(next);
    }
    (chunk, jobs_in_chunk)
}
