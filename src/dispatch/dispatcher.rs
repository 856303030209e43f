//! One worker's dispatch loop: lease a batch of due jobs, pace them per account and per
//! recipient through budgets in the database (so every worker obeys the same limits), publish,
//! and write the outcomes back in one transaction.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::json;
use tokio::sync::{Semaphore, watch};

use super::backoff::retry_delay;
use super::loaded_version::{LoadedVersion, PreparedText, VersionCache};
use super::pacing::{account_bucket, interval_ms, recipient_bucket};
use super::planner::{PlannerReport, plan_active_versions};
use crate::clock::Clock;
use crate::config::{Account, Config};
use crate::platforms::{
    Adapter, ChannelRef, Platform, Publication, PublishResult, StoredCredentials, TelegramAdapter,
    WebhookAdapter, resolve_credentials,
};
use crate::store::{DeliveryCount, JobOutcome, LeasedJob, Store, StoreError};

/// How a worker behaves. The defaults suit production; tests shorten them.
#[derive(Debug, Clone)]
pub struct DispatchSettings {
    /// Names this worker's leases; unique per process.
    pub worker_id: String,
    pub batch_size: u32,
    /// How long a lease lasts: a stopped worker's jobs are taken over after this.
    pub lease: Duration,
    /// How far ahead a batch may reserve paced send times (under half the lease).
    pub pacing_window: Duration,
    /// Attempts before a transiently failing job goes to the dead letters.
    pub max_attempts: i32,
    pub retry_base: Duration,
    pub retry_max: Duration,
    pub horizon: chrono::Duration,
    /// Send one job at a time in time order: required with a simulated clock, where sends
    /// move time forward; otherwise jobs go concurrently, bounded per account.
    pub sequential: bool,
    /// A rehearsal: every account's base URL is replaced by this sandbox's, and every
    /// credential by the rehearsal placeholder (real secrets never go to a sandbox).
    pub sandbox_url: Option<String>,
    /// Jobs marked as being sent at once; a crash leaves at most this many unknown.
    pub chunk: usize,
    /// How long the rows of sent and cancelled jobs are kept; afterwards only counters remain.
    pub retention: chrono::Duration,
}

impl Default for DispatchSettings {
    fn default() -> Self {
        DispatchSettings {
            worker_id: format!(
                "worker-{}-{}",
                std::process::id(),
                Utc::now().timestamp_millis()
            ),
            batch_size: 256,
            lease: Duration::from_secs(60),
            pacing_window: Duration::from_secs(20),
            max_attempts: 8,
            retry_base: Duration::from_secs(10),
            retry_max: Duration::from_secs(3600),
            horizon: crate::schedule::DEFAULT_HORIZON,
            sequential: false,
            sandbox_url: None,
            chunk: 64,
            retention: chrono::Duration::days(7),
        }
    }
}

/// What one tick did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TickReport {
    pub leased: usize,
    pub sent: usize,
    /// Failed transiently (or unknown on a platform that deduplicates) and will be retried.
    pub retried: usize,
    /// Not sent yet because of pacing, a throttled account or a daily cap; no attempt used.
    pub deferred: usize,
    pub dead: usize,
    pub unknown: usize,
    /// Jobs of stopped workers: resent with their idempotency key, or marked unknown.
    pub recovered_resent: usize,
    pub recovered_unknown: usize,
}

struct Route {
    account: Account,
    adapter: Adapter,
    in_flight: Arc<Semaphore>,
}

struct Ready {
    job: LeasedJob,
    send_at_ms: i64,
    recipient: Option<String>,
    text: Arc<PreparedText>,
    route: Arc<Route>,
}

pub struct Dispatcher<S: Store> {
    store: S,
    clock: Arc<dyn Clock>,
    config: Arc<Config>,
    settings: DispatchSettings,
    routes: HashMap<String, Arc<Route>>,
    versions: VersionCache,
}

impl<S: Store> Dispatcher<S> {
    /// Builds adapters for every configured account whose platform herald can publish to.
    /// Fails when a credential's environment variable is missing (outside a rehearsal).
    pub fn new(
        store: S,
        clock: Arc<dyn Clock>,
        config: Arc<Config>,
        settings: DispatchSettings,
    ) -> Result<Self, String> {
        Dispatcher::with_stored_credentials(
            store,
            clock,
            config,
            settings,
            &StoredCredentials::new(),
        )
    }

    /// As [`Dispatcher::new`], with credentials stored through the API (already opened) for
    /// accounts whose environment variables are not set.
    pub fn with_stored_credentials(
        store: S,
        clock: Arc<dyn Clock>,
        config: Arc<Config>,
        settings: DispatchSettings,
        stored: &StoredCredentials,
    ) -> Result<Self, String> {
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(256)
            .tcp_nodelay(true)
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        let rehearsal = settings.sandbox_url.is_some();
        let mut routes = HashMap::new();
        for (channel, account) in &config.accounts {
            let base_url = settings
                .sandbox_url
                .clone()
                .unwrap_or_else(|| account.base_url.clone());
            let adapter = match channel.platform {
                Platform::Telegram => {
                    let mut credentials = resolve_credentials(account, rehearsal, stored)?;
                    let token = credentials
                        .remove("token")
                        .ok_or_else(|| format!("account `{channel}` has no token"))?;
                    Adapter::Telegram(TelegramAdapter::new(
                        client.clone(),
                        &base_url,
                        token,
                        account.chats.clone(),
                        account.timeout,
                    ))
                }
                Platform::Webhook => {
                    let mut credentials = resolve_credentials(account, rehearsal, stored)?;
                    let secret = credentials
                        .remove("secret")
                        .ok_or_else(|| format!("account `{channel}` has no secret"))?;
                    let url = match &settings.sandbox_url {
                        Some(sandbox) => format!(
                            "{}/webhook/{}",
                            sandbox.trim_end_matches('/'),
                            channel.account
                        ),
                        None => base_url,
                    };
                    Adapter::Webhook(WebhookAdapter::new(
                        client.clone(),
                        &url,
                        secret,
                        account.timeout,
                        Arc::clone(&clock),
                    ))
                }
                // Adapters for these platforms come with their own issue; their jobs are
                // dead-lettered with a clear reason and can be retried once supported.
                _ => continue,
            };
            routes.insert(
                channel.to_string(),
                Arc::new(Route {
                    account: account.clone(),
                    adapter,
                    in_flight: Arc::new(Semaphore::new(account.max_in_flight)),
                }),
            );
        }
        Ok(Dispatcher {
            store,
            clock,
            config,
            settings,
            routes,
            versions: VersionCache::default(),
        })
    }

    pub fn store(&self) -> &S {
        &self.store
    }

    /// Plans jobs for every active version (see [`plan_active_versions`]), and expires the rows
    /// of jobs finished longer ago than the retention window.
    pub async fn plan(&self) -> Result<PlannerReport, StoreError> {
        let now = self.clock.now();
        let expired = self
            .store
            .expire_finished_jobs((now - self.settings.retention).timestamp_millis())
            .await?;
        if expired > 0 {
            tracing::info!(
                expired,
                "finished jobs past the retention window removed; their counters remain"
            );
        }
        plan_active_versions(
            &self.store,
            &self.versions,
            &self.config,
            self.clock.now(),
            self.settings.horizon,
        )
        .await
    }

    /// Runs until `shutdown` turns true: plans every minute, dispatches whenever jobs are due,
    /// and finishes the batch in hand before returning.
    pub async fn run(&self, mut shutdown: watch::Receiver<bool>) -> Result<(), StoreError> {
        let mut last_plan: Option<DateTime<Utc>> = None;
        while !*shutdown.borrow() {
            let now = self.clock.now();
            if last_plan.is_none_or(|at| now - at >= chrono::Duration::seconds(60)) {
                let planned = self.plan().await?;
                tracing::info!(
                    versions = planned.versions,
                    jobs = planned.jobs_inserted,
                    "planned"
                );
                last_plan = Some(now);
            }
            let report = self.tick().await?;
            if report.leased > 0 {
                tracing::info!(?report, "dispatched a batch");
            }
            if report.leased == 0 {
                let idle = self
                    .clock
                    .sleep_until(self.clock.now() + chrono::Duration::milliseconds(500));
                tokio::select! {
                    _ = idle => {}
                    _ = shutdown.changed() => {}
                }
            }
        }
        Ok(())
    }

    /// One batch: recover stopped workers' sends, lease, pace, publish, record.
    pub async fn tick(&self) -> Result<TickReport, StoreError> {
        let mut report = TickReport::default();
        let now = self.clock.now();
        let now_ms = now.timestamp_millis();
        self.recover_abandoned(now_ms, &mut report).await?;
        let lease_ms = self.settings.lease.as_millis() as i64;
        let jobs = self
            .store
            .lease_due_jobs(
                &self.settings.worker_id,
                now_ms,
                now_ms + lease_ms,
                self.settings.batch_size,
            )
            .await?;
        report.leased = jobs.len();
        if jobs.is_empty() {
            return Ok(report);
        }
        let mut outcomes: Vec<(i64, JobOutcome)> = Vec::with_capacity(jobs.len());
        let leased: HashMap<i64, LeasedJob> = jobs.iter().map(|j| (j.id, j.clone())).collect();
        let mut by_channel: BTreeMap<String, Vec<LeasedJob>> = BTreeMap::new();
        for job in jobs {
            by_channel.entry(job.channel.clone()).or_default().push(job);
        }
        let mut ready: Vec<Ready> = Vec::new();
        for (channel, jobs) in by_channel {
            self.pace_channel(&channel, jobs, now, &mut ready, &mut outcomes, &mut report)
                .await?;
        }
        ready.sort_by_key(|r| (r.send_at_ms, r.job.id));
        let mut leased_since = now_ms;
        let mut remaining: Vec<i64> = ready.iter().map(|r| r.job.id).collect();
        let chunk_size = self.settings.chunk.max(1);
        let mut iter = ready.into_iter().peekable();
        while iter.peek().is_some() {
            let chunk: Vec<Ready> = iter.by_ref().take(chunk_size).collect();
            let at_ms = self.clock.now().timestamp_millis();
            remaining.drain(..chunk.len().min(remaining.len()));
            if at_ms - leased_since > lease_ms / 2 && !remaining.is_empty() {
                self.store
                    .renew_leases(&self.settings.worker_id, &remaining, at_ms + lease_ms)
                    .await?;
                leased_since = at_ms;
            }
            let ids: Vec<i64> = chunk.iter().map(|r| r.job.id).collect();
            let held = self
                .store
                .mark_sending(&self.settings.worker_id, &ids, at_ms + lease_ms)
                .await?;
            let chunk: Vec<Ready> = chunk
                .into_iter()
                .filter(|r| held.contains(&r.job.id))
                .collect();
            let results = self.publish_chunk(chunk).await;
            for (ready, result) in results {
                let (outcome, pause_until) = self.outcome_for(&ready, result);
                if let Some(until) = pause_until {
                    self.store
                        .pause_bucket(&account_bucket(&ready.job.channel), until)
                        .await?;
                }
                match &outcome {
                    JobOutcome::Sent { .. } => report.sent += 1,
                    JobOutcome::Requeue {
                        counts_as_attempt: true,
                        ..
                    } => report.retried += 1,
                    JobOutcome::Requeue { .. } => report.deferred += 1,
                    JobOutcome::Dead { .. } => report.dead += 1,
                    JobOutcome::Unknown { .. } => report.unknown += 1,
                }
                outcomes.push((ready.job.id, outcome));
            }
        }
        let counts = delivery_counts(&leased, &outcomes, self.clock.now());
        self.store
            .record_outcomes(
                &self.settings.worker_id,
                &outcomes,
                &counts,
                self.clock.now().timestamp_millis(),
            )
            .await?;
        crate::metrics::METRICS.dispatched(&report);
        Ok(report)
    }

    /// Jobs a stopped worker had marked as being sent: resent where the partner deduplicates
    /// by idempotency key, otherwise marked unknown for staff (never re-sent blindly).
    async fn recover_abandoned(
        &self,
        now_ms: i64,
        report: &mut TickReport,
    ) -> Result<(), StoreError> {
        for job in self
            .store
            .abandoned_sends(now_ms, self.settings.batch_size)
            .await?
        {
            let resend = self
                .routes
                .get(&job.channel)
                .is_some_and(|r| r.adapter.resend_is_safe());
            if self.store.resolve_abandoned(job.id, resend, now_ms).await? {
                if resend {
                    report.recovered_resent += 1;
                } else {
                    report.recovered_unknown += 1;
                    tracing::warn!(job = job.id, channel = %job.channel, "a stopped worker may have sent this job: outcome unknown");
                }
            }
        }
        Ok(())
    }

    /// Decides when each job of one account goes: account pacing, recipient pacing, daily cap,
    /// then renders its text. Jobs that cannot go now are requeued without using an attempt.
    async fn pace_channel(
        &self,
        channel: &str,
        jobs: Vec<LeasedJob>,
        now: DateTime<Utc>,
        ready: &mut Vec<Ready>,
        outcomes: &mut Vec<(i64, JobOutcome)>,
        report: &mut TickReport,
    ) -> Result<(), StoreError> {
        let now_ms = now.timestamp_millis();
        let pacing_ms = self.settings.pacing_window.as_millis() as i64;
        let Some(route) = self.routes.get(channel).cloned() else {
            let reason = match ChannelRef::parse(channel) {
                Ok(c) if self.config.accounts.contains_key(&c) => {
                    format!("herald cannot publish to {} yet", c.platform)
                }
                _ => format!("no account `{channel}` in the configuration"),
            };
            for job in jobs {
                report.dead += 1;
                outcomes.push((
                    job.id,
                    JobOutcome::Dead {
                        code: "no_adapter".into(),
                        text: reason.clone(),
                    },
                ));
            }
            return Ok(());
        };
        let rate = &route.account.rate;
        let mut accepted: Vec<(LeasedJob, i64, Option<String>)> = Vec::with_capacity(jobs.len());
        let defer = |job: LeasedJob,
                     at_ms: i64,
                     outcomes: &mut Vec<(i64, JobOutcome)>,
                     report: &mut TickReport| {
            report.deferred += 1;
            outcomes.push((
                job.id,
                JobOutcome::Requeue {
                    run_at_ms: at_ms,
                    counts_as_attempt: false,
                    error: None,
                },
            ));
        };
        match rate.per_recipient_per_minute {
            // Without per-recipient limits, the account's times are reserved for the batch at once.
            None => {
                let (times, next_free) = match rate.per_second {
                    Some(per_second) => {
                        let reservation = self
                            .store
                            .reserve_send_times(
                                &account_bucket(channel),
                                jobs.len() as u32,
                                now_ms,
                                interval_ms(per_second, 1_000),
                                pacing_ms,
                            )
                            .await?;
                        (reservation.times, reservation.next_free_ms)
                    }
                    None => (vec![now_ms; jobs.len()], now_ms),
                };
                for (index, job) in jobs.into_iter().enumerate() {
                    match times.get(index) {
                        Some(&at) => {
                            let recipient = route.adapter.recipient_for(&job.locale);
                            accepted.push((job, at, recipient));
                        }
                        None => defer(job, next_free, outcomes, report),
                    }
                }
            }
            // With them, each job gets the recipient's next time, then the account's first
            // time not before it; the recipient's spacing then starts from the actual send.
            Some(limit) => {
                let recipient_interval = interval_ms(f64::from(limit), 60_000);
                for job in jobs {
                    let recipient = route.adapter.recipient_for(&job.locale);
                    let mut send_at = now_ms;
                    let mut recipient_slot = None;
                    if let Some(chat) = recipient.as_deref() {
                        let bucket = recipient_bucket(channel, chat);
                        let reservation = self
                            .store
                            .reserve_send_times(&bucket, 1, now_ms, recipient_interval, pacing_ms)
                            .await?;
                        match reservation.times.first() {
                            Some(&at) => {
                                send_at = at;
                                recipient_slot = Some((bucket, reservation.next_free_ms));
                            }
                            None => {
                                defer(job, reservation.next_free_ms, outcomes, report);
                                continue;
                            }
                        }
                    }
                    if let Some(per_second) = rate.per_second {
                        let within = (pacing_ms - (send_at - now_ms)).max(0);
                        let reservation = self
                            .store
                            .reserve_send_times(
                                &account_bucket(channel),
                                1,
                                send_at,
                                interval_ms(per_second, 1_000),
                                within,
                            )
                            .await?;
                        match reservation.times.first() {
                            Some(&at) => {
                                if let Some((bucket, reserved_until)) = &recipient_slot {
                                    let moved = at == send_at
                                        || self
                                            .store
                                            .push_bucket(
                                                bucket,
                                                *reserved_until,
                                                at + recipient_interval,
                                            )
                                            .await?;
                                    if !moved {
                                        defer(job, at, outcomes, report);
                                        continue;
                                    }
                                }
                                send_at = at;
                            }
                            None => {
                                defer(job, reservation.next_free_ms, outcomes, report);
                                continue;
                            }
                        }
                    }
                    accepted.push((job, send_at, recipient));
                }
            }
        }
        if let Some(cap) = rate.daily_cap {
            let day = now.format("%Y-%m-%d").to_string();
            if !accepted.is_empty()
                && !self
                    .store
                    .count_daily(channel, &day, accepted.len() as u32, cap)
                    .await?
            {
                let tomorrow = (now.date_naive() + chrono::Duration::days(1))
                    .and_hms_opt(0, 0, 0)
                    .map(|t| t.and_utc().timestamp_millis())
                    .unwrap_or(now_ms + 86_400_000);
                for (job, _, _) in accepted {
                    report.deferred += 1;
                    outcomes.push((
                        job.id,
                        JobOutcome::Requeue {
                            run_at_ms: tomorrow,
                            counts_as_attempt: false,
                            error: Some("daily cap reached".into()),
                        },
                    ));
                }
                return Ok(());
            }
        }
        for (job, send_at_ms, recipient) in accepted {
            match self.prepare(&job).await {
                Ok(text) => ready.push(Ready {
                    job,
                    send_at_ms,
                    recipient,
                    text,
                    route: Arc::clone(&route),
                }),
                Err(reason) => {
                    report.dead += 1;
                    outcomes.push((
                        job.id,
                        JobOutcome::Dead {
                            code: "render".into(),
                            text: reason,
                        },
                    ));
                }
            }
        }
        Ok(())
    }

    async fn prepare(&self, job: &LeasedJob) -> Result<Arc<PreparedText>, String> {
        let version = match self.versions.get(&job.version) {
            Some(version) => version,
            None => {
                let record = self
                    .store
                    .version(&job.version)
                    .await
                    .map_err(|e| e.to_string())?
                    .ok_or_else(|| format!("version {} is gone", job.version.short()))?;
                self.versions.insert(LoadedVersion::from_bundle(
                    record.hash,
                    &record.bundle,
                    &self.config,
                )?)
            }
        };
        let channel = ChannelRef::parse(&job.channel)?;
        version.prepare(
            &job.send,
            &job.segment,
            &job.locale,
            &channel,
            &job.idempotency_key,
            &self.config.public_url,
        )
    }

    /// Publishes a chunk: one at a time in time order (simulated clock), or concurrently with
    /// at most `max_in_flight` calls per account, each at its paced time.
    async fn publish_chunk(&self, chunk: Vec<Ready>) -> Vec<(Ready, PublishResult)> {
        if self.settings.sequential {
            let mut results = Vec::with_capacity(chunk.len());
            for ready in chunk {
                self.clock.sleep_until(at(ready.send_at_ms)).await;
                let result = publish(&ready).await;
                results.push((ready, result));
            }
            return results;
        }
        let mut tasks = tokio::task::JoinSet::new();
        for ready in chunk {
            let clock = Arc::clone(&self.clock);
            tasks.spawn(async move {
                let permit = Arc::clone(&ready.route.in_flight).acquire_owned().await;
                clock.sleep_until(at(ready.send_at_ms)).await;
                let result = publish(&ready).await;
                drop(permit);
                (ready, result)
            });
        }
        let mut results = Vec::new();
        while let Some(joined) = tasks.join_next().await {
            match joined {
                Ok(pair) => results.push(pair),
                Err(error) => {
                    tracing::error!(%error, "a publishing task failed; its job's lease will expire and be recovered")
                }
            }
        }
        results
    }

    /// The outcome to record, and how long to pause the account if the partner throttled.
    fn outcome_for(&self, ready: &Ready, result: PublishResult) -> (JobOutcome, Option<i64>) {
        let now_ms = self.clock.now().timestamp_millis();
        let attempt = ready.job.attempts + 1;
        let retry = |code: String, text: String| {
            if attempt >= self.settings.max_attempts {
                JobOutcome::Dead {
                    code,
                    text: format!("gave up after {attempt} attempts: {text}"),
                }
            } else {
                let delay = retry_delay(
                    attempt as u32,
                    self.settings.retry_base,
                    self.settings.retry_max,
                    &ready.job.idempotency_key,
                );
                JobOutcome::Requeue {
                    run_at_ms: now_ms + delay.as_millis() as i64,
                    counts_as_attempt: true,
                    error: Some(format!("{code}: {text}")),
                }
            }
        };
        match result {
            PublishResult::Published { platform_id } => (
                JobOutcome::Sent {
                    platform_id,
                    variant: ready.text.variant.clone(),
                },
                None,
            ),
            PublishResult::Throttled { wait, text } => {
                let until = now_ms + wait.as_millis() as i64;
                (
                    JobOutcome::Requeue {
                        run_at_ms: until,
                        counts_as_attempt: false,
                        error: Some(format!("throttled: {text}")),
                    },
                    Some(until),
                )
            }
            PublishResult::RecipientThrottled { wait, text } => (
                JobOutcome::Requeue {
                    run_at_ms: now_ms + wait.as_millis() as i64,
                    counts_as_attempt: false,
                    error: Some(format!("recipient throttled: {text}")),
                },
                None,
            ),
            PublishResult::RecipientGone { code, text } => (JobOutcome::Dead { code, text }, None),
            PublishResult::Transient { code, text } => (retry(code, text), None),
            PublishResult::Permanent { code, text } => (JobOutcome::Dead { code, text }, None),
            PublishResult::Unknown { error } if ready.route.adapter.resend_is_safe() => {
                (retry("unknown".into(), error), None)
            }
            PublishResult::Unknown { error } => (JobOutcome::Unknown { error }, None),
        }
    }
}

/// The `sent` and `failed` counters a batch adds, summed per dimension and day.
fn delivery_counts(
    leased: &HashMap<i64, LeasedJob>,
    outcomes: &[(i64, JobOutcome)],
    now: DateTime<Utc>,
) -> Vec<DeliveryCount> {
    let day = now.format("%Y-%m-%d").to_string();
    let mut sums: BTreeMap<[String; 8], i64> = BTreeMap::new();
    for (id, outcome) in outcomes {
        let Some(job) = leased.get(id) else { continue };
        let (status, variant) = match outcome {
            JobOutcome::Sent { variant, .. } => ("sent", variant.clone().unwrap_or_default()),
            JobOutcome::Dead { .. } => ("failed", String::new()),
            _ => continue,
        };
        let key = [
            job.campaign_id.clone(),
            job.version.to_string(),
            job.send.clone(),
            job.segment.clone(),
            job.locale.clone(),
            job.channel.clone(),
            variant,
            status.to_string(),
        ];
        *sums.entry(key).or_default() += 1;
    }
    sums.into_iter()
        .map(
            |(
                [
                    campaign,
                    version,
                    send,
                    segment,
                    locale,
                    channel,
                    variant,
                    status,
                ],
                count,
            )| DeliveryCount {
                campaign,
                version,
                send,
                segment,
                locale,
                channel,
                variant,
                day: day.clone(),
                status,
                count,
            },
        )
        .collect()
}

fn at(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_else(Utc::now)
}

async fn publish(ready: &Ready) -> PublishResult {
    let job = &ready.job;
    let envelope = json!({
        "campaign": job.campaign_id,
        "version": job.version.as_str(),
        "send": job.send,
        "segment": job.segment,
        "channel": job.channel,
        "variant": ready.text.variant,
        "slot": job.slot.to_rfc3339(),
        "idempotency_key": job.idempotency_key,
    });
    let publication = Publication {
        text: &ready.text.text,
        locale: &job.locale,
        direction: ready.text.source_locale.direction(),
        idempotency_key: &job.idempotency_key,
        recipient: ready.recipient.as_deref(),
        envelope,
    };
    ready.route.adapter.publish(&publication).await
}
