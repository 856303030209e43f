//! One worker's dispatch loop: lease a batch of due jobs, pace them per account and per
//! recipient through budgets in the database (so every worker obeys the same limits), publish,
//! and write the outcomes back in one transaction.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::json;
use tokio::sync::{Semaphore, watch};

use super::backoff::retry_delay;
use super::pacing::{account_bucket, interval_ms, recipient_bucket};
use super::planner::{PlannerReport, plan_active_versions};
use crate::campaign::PreparedText;
use crate::campaign::VersionState;
use crate::clock::Clock;
use crate::config::{Account, Audience, Config};
use crate::loaded_version::{LoadedVersion, VersionCache};
use crate::platforms::{
    Adapter, BatchOutcome, CONNECT_FAILED, ChannelRef, FacebookAdapter, Platform, Publication,
    PublishResult, Secret, Sendable, StoredCredentials, TelegramAdapter, ViberAdapter,
    WebhookAdapter, WhatsAppAdapter, WhatsAppSender, XAdapter, resolve_credentials,
};
use crate::reach::{
    AudienceEstimator, EstimateSource, InsightPoller, InsightSource, campaign_end, poll_for_post,
};
use crate::store::{
    DeliveryCount, JobOutcome, LeasedJob, NewInsightPoll, Store, StoreError, record_key,
};
use crate::subscribers::SubscriberVault;

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
    /// credential by `rehearsal_credential` (real secrets never go to a sandbox).
    pub sandbox_url: Option<String>,
    /// What a rehearsal sends for every credential: the public placeholder by default, a
    /// random secret when herald runs its own sandbox (so nobody else can sign its events).
    pub rehearsal_credential: Secret,
    /// Jobs marked as being sent at once (at most; a chunk also spans at most 100 ms of paced
    /// send times); a crash leaves at most this many unknown.
    pub chunk: usize,
    /// How long the rows of sent and cancelled jobs are kept; afterwards only counters remain.
    pub retention: chrono::Duration,
    /// How long (real time) a batch already handed to the partners keeps trying to record its
    /// outcomes while the database is unreachable. Giving up leaves those messages to be
    /// recovered as "outcome unknown", so this outlasts a database restart comfortably.
    pub record_patience: Duration,
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
            horizon: super::DEFAULT_HORIZON,
            sequential: false,
            sandbox_url: None,
            rehearsal_credential: Secret::new(crate::platforms::REHEARSAL_CREDENTIAL),
            chunk: 64,
            retention: chrono::Duration::days(7),
            record_patience: Duration::from_secs(600),
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
    /// Delivery jobs added by fanning broadcast jobs out to subscribers.
    pub expanded: usize,
    /// Deliveries dropped because the person opted out before their turn.
    pub cancelled: usize,
    /// Subscribers erased because the partner said they are gone.
    pub erased: usize,
}

impl TickReport {
    fn count(&mut self, outcome: &JobOutcome) {
        match outcome {
            JobOutcome::Sent { .. } => self.sent += 1,
            JobOutcome::Requeue {
                counts_as_attempt: true,
                ..
            } => self.retried += 1,
            JobOutcome::Requeue { .. } => self.deferred += 1,
            JobOutcome::Dead { .. } => self.dead += 1,
            JobOutcome::Unknown { .. } => self.unknown += 1,
            JobOutcome::Expanded { .. } => {}
            JobOutcome::Cancelled { .. } => self.cancelled += 1,
        }
    }
}

struct Route {
    account: Account,
    adapter: Adapter,
    in_flight: Arc<Semaphore>,
    /// Since when the partner refuses connections, if it does now (see [`Route::outage_pause`]).
    unreachable_since: std::sync::Mutex<Option<DateTime<Utc>>>,
}

impl Route {
    /// How long to leave an account alone after a call could not connect: as long as the
    /// outage has lasted so far (at least `least`, at most [`LONGEST_OUTAGE_PAUSE`]), so a
    /// short blip costs seconds and a long outage is probed a few times an hour. Jobs wait
    /// without using attempts: a partner that is down says nothing about the messages, and an
    /// hour-long outage must not send a whole campaign to the dead letters.
    fn outage_pause(&self, now: DateTime<Utc>, least: Duration) -> Duration {
        let mut since = self
            .unreachable_since
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let started = *since.get_or_insert_with(|| {
            tracing::warn!(channel = %self.account.channel, "the partner cannot be reached; its jobs wait without using attempts");
            now
        });
        (now - started)
            .to_std()
            .unwrap_or_default()
            .clamp(least, LONGEST_OUTAGE_PAUSE.max(least))
    }

    /// Notes that the partner answered, ending an outage if there was one.
    fn reached(&self, now: DateTime<Utc>) {
        let mut since = self
            .unreachable_since
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if let Some(started) = since.take() {
            tracing::info!(channel = %self.account.channel, outage_seconds = (now - started).num_seconds(), "the partner can be reached again");
        }
    }
}

/// The longest pause between probes of a partner that refuses connections.
const LONGEST_OUTAGE_PAUSE: Duration = Duration::from_secs(300);

/// A job with where it goes: the recipient handed to the adapter (a chat, or a subscriber's
/// identifier) and the key its per-recipient rate bucket is named by (never the identifier).
struct Addressed {
    job: LeasedJob,
    recipient: Option<String>,
    bucket: Option<String>,
}

/// One call to a partner: one job, or several sharing a text (a Viber broadcast, or a public
/// post reaching several segments).
struct Unit {
    jobs: Vec<(LeasedJob, Option<String>)>,
    bucket: Option<String>,
    text: Arc<PreparedText>,
}

/// A call with its paced time.
struct Ready {
    jobs: Vec<(LeasedJob, Option<String>)>,
    send_at_ms: i64,
    text: Arc<PreparedText>,
    route: Arc<Route>,
}

/// A public post published lately: what a job with the same words on the same page shares.
struct RecentPost {
    platform_id: Option<String>,
    at: DateTime<Utc>,
}

/// A post's (channel, chat, text).
type PostKey = (String, Option<String>, String);

/// Whether a platform refuses the same text posted twice within a day.
fn refuses_repeats(platform: Platform) -> bool {
    matches!(platform, Platform::Facebook | Platform::X)
}

/// The key a post is remembered by; `None` for calls on platforms that take repeats, and for
/// calls that are not public posts.
fn public_post_key(ready: &Ready) -> Option<PostKey> {
    let account = &ready.route.account;
    if account.audience != Audience::Chats || !refuses_repeats(account.channel.platform) {
        return None;
    }
    let (_, recipient) = ready.jobs.first()?;
    Some((
        account.channel.to_string(),
        recipient.clone(),
        ready.text.text.clone(),
    ))
}

/// Subscribers added to the outbox per statement when a broadcast job fans out.
const EXPANSION_PAGE: u32 = 1_000;

/// The longest spread of paced send times within one chunk. Jobs are marked as being sent a
/// chunk at a time, and a worker that dies leaves its chunk's jobs "outcome unknown" on
/// partners without idempotency keys; at a slow pace, a short span keeps those to the few
/// jobs really in flight, not the ones still waiting for their time.
const CHUNK_SPAN_MS: i64 = 100;

/// How often (at most) a batch still publishing records the outcomes it has so far.
const FLUSH_EVERY_MS: i64 = 1_000;

/// The first pause after the database failed, doubling (with jitter) up to the longest.
const STORE_RETRY_BASE: Duration = Duration::from_millis(500);
const STORE_RETRY_MAX: Duration = Duration::from_secs(60);

pub struct Dispatcher<S: Store> {
    store: S,
    clock: Arc<dyn Clock>,
    config: Arc<Config>,
    settings: DispatchSettings,
    routes: HashMap<String, Arc<Route>>,
    versions: VersionCache,
    /// Posts this worker published on Facebook and X in the last day, by (channel, chat,
    /// text): a job for another segment with the same words shares that post, since these
    /// partners refuse the same text twice within a day (Telegram channels take repeats).
    recent_posts: std::sync::Mutex<HashMap<PostKey, RecentPost>>,
    /// Opens subscribers' identifiers; without it, deliveries to subscribers wait.
    vault: Option<Arc<SubscriberVault>>,
    /// Reads published posts' metrics back, window by window.
    insights: InsightPoller,
    /// Asks Meta for the audience of each running version's segments.
    estimator: AudienceEstimator,
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
        let client = crate::platforms::partner_client()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        let rehearsal = settings
            .sandbox_url
            .is_some()
            .then_some(&settings.rehearsal_credential);
        let mut routes = HashMap::new();
        let mut insight_sources = HashMap::new();
        let mut estimate_sources = HashMap::new();
        for (channel, account) in &config.accounts {
            let base_url = settings
                .sandbox_url
                .clone()
                .unwrap_or_else(|| account.base_url.clone());
            // Paid ads are not published by herald (their creative and budget are set in
            // Meta's tools); their jobs are cancelled with a clear reason. The account still
            // answers audience estimates; without its credentials, there are none.
            if channel.platform == Platform::MetaAds {
                match resolve_credentials(account, rehearsal, stored) {
                    Ok(mut credentials) => {
                        if let (Some(token), Some(ad_account)) = (
                            credentials.remove("token"),
                            credentials.remove("ad_account_id"),
                        ) {
                            let adapter = FacebookAdapter::new(
                                client.clone(),
                                &base_url,
                                &account.api_version,
                                token,
                                String::new(),
                                account.timeout,
                            );
                            estimate_sources.insert(
                                channel.to_string(),
                                EstimateSource {
                                    adapter,
                                    ad_account,
                                    api_version: account.api_version.clone(),
                                },
                            );
                        }
                    }
                    Err(error) => {
                        tracing::warn!(%error, "no audience estimates from this ads account")
                    }
                }
                continue;
            }
            let mut credentials =
                resolve_credentials(account, rehearsal, stored).map_err(|e| e.to_string())?;
            let mut required = |key: &str| {
                credentials
                    .remove(key)
                    .ok_or_else(|| format!("account `{channel}` has no {key}"))
            };
            let adapter = match channel.platform {
                Platform::Telegram => Adapter::Telegram(TelegramAdapter::new(
                    client.clone(),
                    &base_url,
                    required("token")?,
                    account.chats.clone(),
                    account.timeout,
                )),
                Platform::Webhook => {
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
                        required("secret")?,
                        account.timeout,
                        Arc::clone(&clock),
                    ))
                }
                Platform::WhatsApp => {
                    let token = required("token")?;
                    let phone_number_id = required("phone_number_id")?.expose().to_string();
                    let waba_id = required("waba_id")?.expose().to_string();
                    Adapter::WhatsApp(Arc::new(WhatsAppSender::new(
                        WhatsAppAdapter::new(
                            client.clone(),
                            &base_url,
                            &account.api_version,
                            token,
                            phone_number_id,
                            waba_id,
                            account.timeout,
                        ),
                        channel.to_string(),
                        account.templates.clone(),
                        account.template_languages.clone(),
                        Arc::clone(&clock),
                    )))
                }
                Platform::Viber => Adapter::Viber(ViberAdapter::new(
                    client.clone(),
                    &base_url,
                    required("token")?,
                    account
                        .sender_name
                        .clone()
                        .unwrap_or_else(|| channel.account.clone()),
                    account.timeout,
                )),
                Platform::Facebook => {
                    let page_token = required("page_token")?;
                    let page_id = required("page_id")?.expose().to_string();
                    let ad_account = required("ad_account_id").ok();
                    let adapter = FacebookAdapter::new(
                        client.clone(),
                        &base_url,
                        &account.api_version,
                        page_token,
                        page_id,
                        account.timeout,
                    );
                    insight_sources.insert(
                        channel.to_string(),
                        InsightSource::Facebook {
                            adapter: adapter.clone(),
                            api_version: account.api_version.clone(),
                        },
                    );
                    if let Some(ad_account) = ad_account {
                        estimate_sources.insert(
                            channel.to_string(),
                            EstimateSource {
                                adapter: adapter.clone(),
                                ad_account,
                                api_version: account.api_version.clone(),
                            },
                        );
                    }
                    Adapter::Facebook(adapter)
                }
                Platform::X => {
                    let adapter = XAdapter::new(
                        client.clone(),
                        &base_url,
                        required("bearer_token")?,
                        account.timeout,
                    );
                    insight_sources.insert(channel.to_string(), InsightSource::X(adapter.clone()));
                    Adapter::X(adapter)
                }
                Platform::MetaAds => continue,
            };
            routes.insert(
                channel.to_string(),
                Arc::new(Route {
                    account: account.clone(),
                    adapter,
                    in_flight: Arc::new(Semaphore::new(account.max_in_flight)),
                    unreachable_since: std::sync::Mutex::new(None),
                }),
            );
        }
        Ok(Dispatcher {
            store,
            clock,
            config,
            routes,
            versions: VersionCache::default(),
            vault: None,
            recent_posts: std::sync::Mutex::new(HashMap::new()),
            insights: InsightPoller::new(&settings.worker_id, insight_sources),
            estimator: AudienceEstimator::new(estimate_sources),
            settings,
        })
    }

    /// Lets this worker deliver to subscribers, whose identifiers only the vault opens.
    pub fn with_vault(mut self, vault: Option<Arc<SubscriberVault>>) -> Self {
        self.vault = vault;
        self
    }

    pub fn store(&self) -> &S {
        &self.store
    }

    /// Plans jobs for every active version (see [`plan_active_versions`]), expires the rows of
    /// jobs finished longer ago than the retention window and the consent event records past
    /// their platform's window for late events, takes the audience estimates of
    /// versions that started running, and reads the metrics of posts whose window is due.
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
        // Consent event ids and people's latest-consent marks outlive only the platforms'
        // tolerance for late events (see `reach::inbound::EventWindow`), not `retention_days`.
        self.store
            .expire_consent_records(now.timestamp_millis())
            .await?;
        let rematched = self
            .store
            .rematch_pending_callbacks(
                (now - self.settings.retention).timestamp_millis(),
                now.timestamp_millis(),
            )
            .await?;
        if rematched.counted > 0 {
            tracing::info!(
                counted = rematched.counted,
                "status callbacks that arrived before their sends were recorded are now counted"
            );
        }
        let planned = plan_active_versions(
            &self.store,
            &self.versions,
            &self.config,
            self.clock.now(),
            self.settings.horizon,
        )
        .await?;
        self.estimate_audiences().await?;
        let polled = self.insights.poll(&self.store, self.clock.now()).await?;
        if polled.leased > 0 {
            tracing::info!(
                observed = polled.observed,
                retried = polled.retried,
                ended = polled.ended,
                observations = polled.observations,
                "post metrics read"
            );
        }
        Ok(planned)
    }

    /// Asks for the audience estimates that running versions do not have yet.
    async fn estimate_audiences(&self) -> Result<(), StoreError> {
        if self.estimator.is_empty() {
            return Ok(());
        }
        for record in self
            .store
            .versions_in_states(&[VersionState::Running])
            .await?
        {
            let version = match self.versions.get(&record.hash) {
                Some(version) => version,
                None => match LoadedVersion::load_off_the_runtime(
                    record.hash.clone(),
                    record.bundle.clone(),
                    Arc::clone(&self.config),
                )
                .await
                {
                    Ok(version) => self.versions.insert(version),
                    Err(error) => {
                        tracing::error!(version = record.hash.short(), %error, "cannot estimate a version's audiences");
                        continue;
                    }
                },
            };
            self.estimator
                .estimate_version(
                    &self.store,
                    record.hash.as_str(),
                    &version.campaign,
                    self.clock.now(),
                )
                .await?;
        }
        Ok(())
    }

    /// The insight polls of the posts a batch published on channels whose metrics are read.
    fn insight_polls(
        &self,
        leased: &HashMap<i64, LeasedJob>,
        outcomes: &[(i64, JobOutcome)],
        published_at: DateTime<Utc>,
    ) -> Vec<NewInsightPoll> {
        let mut polls = Vec::new();
        for (id, outcome) in outcomes {
            let JobOutcome::Sent {
                platform_id: Some(post_id),
                variant,
            } = outcome
            else {
                continue;
            };
            let Some(job) = leased.get(id).filter(|j| self.insights.polls(&j.channel)) else {
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

    /// Runs until `shutdown` turns true: plans every minute, dispatches whenever jobs are due,
    /// and finishes the batch in hand before returning. A failing database (a restart, a full
    /// disk, a dropped connection) does not stop the worker: it logs the error and tries again
    /// with growing pauses (up to a minute), so a database restart needs no worker restart.
    pub async fn run(&self, mut shutdown: watch::Receiver<bool>) -> Result<(), StoreError> {
        let mut last_plan: Option<DateTime<Utc>> = None;
        let mut failures: u32 = 0;
        while !*shutdown.borrow() {
            let pause = match self.plan_and_tick(&mut last_plan).await {
                Ok(report) if report.leased > 0 => None,
                Ok(_) => Some(self.clock.now() + chrono::Duration::milliseconds(500)),
                Err(error) => {
                    failures += 1;
                    let delay = retry_delay(
                        failures,
                        STORE_RETRY_BASE,
                        STORE_RETRY_MAX,
                        &self.settings.worker_id,
                    );
                    crate::metrics::METRICS.store_failed();
                    tracing::error!(
                        %error,
                        failures,
                        retry_in_ms = delay.as_millis() as u64,
                        "the database failed; the worker keeps its place and tries again"
                    );
                    tokio::select! {
                        _ = tokio::time::sleep(delay) => {}
                        _ = shutdown.changed() => {}
                    }
                    continue;
                }
            };
            if failures > 0 {
                tracing::info!(failures, "the database answers again");
                failures = 0;
            }
            if let Some(until) = pause {
                tokio::select! {
                    _ = self.clock.sleep_until(until) => {}
                    _ = shutdown.changed() => {}
                }
            }
        }
        Ok(())
    }

    /// Plans when a minute has passed since the last planning pass, then dispatches a batch.
    async fn plan_and_tick(
        &self,
        last_plan: &mut Option<DateTime<Utc>>,
    ) -> Result<TickReport, StoreError> {
        let now = self.clock.now();
        if last_plan.is_none_or(|at| now - at >= chrono::Duration::seconds(60)) {
            let planned = self.plan().await?;
            tracing::info!(
                versions = planned.versions,
                jobs = planned.jobs_inserted,
                "planned"
            );
            *last_plan = Some(now);
        }
        let report = self.tick().await?;
        if report.leased > 0 {
            tracing::info!(?report, "dispatched a batch");
        }
        Ok(report)
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
        let broadcasts: HashSet<i64> = by_channel
            .iter()
            .filter(|(channel, _)| {
                self.routes
                    .get(*channel)
                    .is_some_and(|r| r.account.audience == Audience::Subscribers)
            })
            .flat_map(|(_, jobs)| jobs.iter())
            .filter(|job| job.subscriber_id.is_none())
            .map(|job| job.id)
            .collect();
        for (channel, jobs) in by_channel {
            let Some(route) = self.routes.get(&channel).cloned() else {
                let parsed = ChannelRef::parse(&channel);
                if parsed
                    .as_ref()
                    .is_ok_and(|c| c.platform == Platform::MetaAds)
                {
                    // Paid reach is bought and targeted in Meta's own tools; herald reads its
                    // estimates and reach back, and has nothing to publish itself.
                    for job in jobs {
                        report.cancelled += 1;
                        outcomes.push((
                            job.id,
                            JobOutcome::Cancelled {
                                reason: "paid reach on Meta is set up in Meta's own tools; herald publishes nothing here".into(),
                            },
                        ));
                    }
                    continue;
                }
                let reason = match parsed {
                    Ok(c) if self.config.accounts.contains_key(&c) => {
                        format!("account `{c}` could not be set up (see the worker's log)")
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
                continue;
            };
            let addressed = match route.account.audience {
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
                    self.address_subscribers(&route, jobs, now_ms, &mut outcomes, &mut report)
                        .await?
                }
            };
            self.pace_channel(
                &route,
                addressed,
                now,
                &mut ready,
                &mut outcomes,
                &mut report,
            )
            .await?;
        }
        ready.sort_by_key(|r| (r.send_at_ms, r.jobs[0].0.id));
        let mut leased_since = now_ms;
        let mut remaining: Vec<i64> = ready
            .iter()
            .flat_map(|r| r.jobs.iter().map(|(job, _)| job.id))
            .collect();
        let mut gone: Vec<i64> = Vec::new();
        let chunk_size = self.settings.chunk.max(1);
        let mut iter = ready.into_iter().peekable();
        // A database failure between chunks stops publishing; what was published is still
        // recorded below, and the jobs not yet marked return when their leases run out.
        let mut interrupted: Option<StoreError> = None;
        let mut flushed_ms = now_ms;
        while iter.peek().is_some() {
            let mut chunk: Vec<Ready> = Vec::new();
            let mut jobs_in_chunk = 0;
            let mut first_at: Option<i64> = None;
            while let Some(next) = iter.next_if(|r| {
                jobs_in_chunk < chunk_size
                    && first_at.is_none_or(|first| r.send_at_ms - first <= CHUNK_SPAN_MS)
            }) {
                first_at.get_or_insert(next.send_at_ms);
                jobs_in_chunk += next.jobs.len();
                chunk.push(next);
            }
            let at_ms = self.clock.now().timestamp_millis();
            remaining.drain(..jobs_in_chunk.min(remaining.len()));
            if at_ms - leased_since > lease_ms / 2 && !remaining.is_empty() {
                if let Err(error) = self
                    .store
                    .renew_leases(&self.settings.worker_id, &remaining, at_ms + lease_ms)
                    .await
                {
                    interrupted = Some(error);
                    break;
                }
                leased_since = at_ms;
            }
            let ids: Vec<i64> = chunk
                .iter()
                .flat_map(|r| r.jobs.iter().map(|(job, _)| job.id))
                .collect();
            let held: HashSet<i64> = match self
                .store
                .mark_sending(&self.settings.worker_id, &ids, at_ms + lease_ms)
                .await
            {
                Ok(held) => held.into_iter().collect(),
                Err(error) => {
                    interrupted = Some(error);
                    break;
                }
            };
            let chunk: Vec<Ready> = chunk
                .into_iter()
                .filter_map(|mut r| {
                    r.jobs.retain(|(job, _)| held.contains(&job.id));
                    (!r.jobs.is_empty()).then_some(r)
                })
                .collect();
            let results = self.publish_chunk(chunk).await;
            for (ready, results) in results {
                if let (Some(key), Some(PublishResult::Published { platform_id })) =
                    (public_post_key(&ready), results.first())
                {
                    let at = self.clock.now();
                    let mut recent = self.recent_posts.lock().unwrap_or_else(|p| p.into_inner());
                    recent.retain(|_, post| at - post.at < chrono::Duration::hours(24));
                    recent.insert(
                        key,
                        RecentPost {
                            platform_id: platform_id.clone(),
                            at,
                        },
                    );
                }
                let mut paused = false;
                for ((job, _), result) in ready.jobs.iter().zip(results) {
                    if matches!(result, PublishResult::RecipientGone { .. }) {
                        if let Some(subscriber) = job.subscriber_id {
                            gone.push(subscriber);
                        }
                    }
                    let (outcome, pause_until) = self.outcome_for(job, &ready, result);
                    if let (Some(until), false) = (pause_until, paused) {
                        paused = true;
                        // The jobs are requeued to `until` anyway; the shared pause only spares
                        // the partner other workers' calls meanwhile.
                        if let Err(error) = self
                            .store
                            .pause_bucket(&account_bucket(&job.channel), until)
                            .await
                        {
                            tracing::warn!(%error, channel = %job.channel, "cannot share the account's pause with other workers");
                        }
                    }
                    report.count(&outcome);
                    outcomes.push((job.id, outcome));
                }
            }
            // A slowly paced batch records as it goes, so a worker that dies leaves only its
            // last moments' messages "outcome unknown", not the whole batch's.
            let at_ms = self.clock.now().timestamp_millis();
            if at_ms - flushed_ms >= FLUSH_EVERY_MS && iter.peek().is_some() {
                if let Err(error) = self
                    .flush_outcomes(&leased, &broadcasts, &mut outcomes, &mut gone, &mut report)
                    .await
                {
                    interrupted = Some(error);
                    break;
                }
                flushed_ms = at_ms;
            }
        }
        self.flush_outcomes(&leased, &broadcasts, &mut outcomes, &mut gone, &mut report)
            .await?;
        crate::metrics::METRICS.dispatched(&report);
        match interrupted {
            Some(error) => Err(error),
            None => Ok(report),
        }
    }

    /// Records the outcomes gathered so far (and the people found gone), then forgets them.
    async fn flush_outcomes(
        &self,
        leased: &HashMap<i64, LeasedJob>,
        broadcasts: &HashSet<i64>,
        outcomes: &mut Vec<(i64, JobOutcome)>,
        gone: &mut Vec<i64>,
        report: &mut TickReport,
    ) -> Result<(), StoreError> {
        // A broadcast job reaches nobody itself: only its deliveries are counted.
        let counted: Vec<(i64, JobOutcome)> = outcomes
            .iter()
            .filter(|(id, _)| !broadcasts.contains(id))
            .cloned()
            .collect();
        let counts = delivery_counts(leased, &counted, self.clock.now());
        let polls = self.insight_polls(leased, outcomes, self.clock.now());
        let finished_ms = self.clock.now().timestamp_millis();
        let erased = self
            .persist_batch(&polls, outcomes, &counts, gone, finished_ms)
            .await?;
        if erased > 0 {
            report.erased += erased as usize;
            tracing::info!(erased, "subscribers the partner reported gone were erased");
        }
        outcomes.clear();
        gone.clear();
        Ok(())
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

    /// Jobs of a channel that reaches subscribers: broadcast jobs are fanned out into one
    /// delivery job per subscriber (after the platform's own checks, such as WhatsApp's
    /// template approval); delivery jobs get their subscriber's identifier, opened from the
    /// vault, or are cancelled when the person has opted out meanwhile.
    async fn address_subscribers(
        &self,
        route: &Arc<Route>,
        jobs: Vec<LeasedJob>,
        now_ms: i64,
        outcomes: &mut Vec<(i64, JobOutcome)>,
        report: &mut TickReport,
    ) -> Result<Vec<Addressed>, StoreError> {
        let (broadcasts, deliveries): (Vec<LeasedJob>, Vec<LeasedJob>) =
            jobs.into_iter().partition(|j| j.subscriber_id.is_none());
        for job in broadcasts {
            let checked = match self.prepare(&job).await {
                Ok(text) => route.adapter.check_sendable(&text).await,
                Err(reason) => Sendable::Blocked("render".to_string(), reason),
            };
            match checked {
                Sendable::Yes => {}
                Sendable::Blocked(code, text) => {
                    report.dead += 1;
                    outcomes.push((job.id, JobOutcome::Dead { code, text }));
                    continue;
                }
                Sendable::RetryLater(error) => {
                    report.retried += 1;
                    outcomes.push((
                        job.id,
                        JobOutcome::Requeue {
                            run_at_ms: now_ms + self.settings.retry_base.as_millis() as i64,
                            counts_as_attempt: true,
                            error: Some(error),
                        },
                    ));
                    continue;
                }
            }
            let mut after = 0;
            let mut deliveries = 0;
            while let Some((last, added)) = self
                .store
                .expand_broadcast(&job, after, EXPANSION_PAGE, now_ms)
                .await?
            {
                after = last;
                deliveries += added as i64;
            }
            report.expanded += deliveries as usize;
            outcomes.push((job.id, JobOutcome::Expanded { deliveries }));
        }
        if deliveries.is_empty() {
            return Ok(Vec::new());
        }
        let Some(vault) = &self.vault else {
            for job in deliveries {
                report.deferred += 1;
                outcomes.push((
                    job.id,
                    JobOutcome::Requeue {
                        run_at_ms: now_ms + 60_000,
                        counts_as_attempt: false,
                        error: Some(format!(
                            "subscriber identifiers cannot be opened: {} is not set",
                            crate::secrets::SECRET_KEY_VARIABLE
                        )),
                    },
                ));
            }
            return Ok(Vec::new());
        };
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
                report.cancelled += 1;
                outcomes.push((
                    job.id,
                    JobOutcome::Cancelled {
                        reason: "the person opted out".into(),
                    },
                ));
                continue;
            };
            match vault.open(&job.channel, sealed) {
                Ok(identifier) => addressed.push(Addressed {
                    bucket: Some(format!("subscriber:{subscriber}")),
                    recipient: Some(identifier),
                    job,
                }),
                Err(error) => {
                    report.dead += 1;
                    outcomes.push((
                        job.id,
                        JobOutcome::Dead {
                            code: "sealed_identifier".into(),
                            text: error.to_string(),
                        },
                    ));
                }
            }
        }
        Ok(addressed)
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

    /// Decides when each call to one account goes: renders the texts, groups jobs into one
    /// call where the platform takes many recipients at once, then applies account pacing,
    /// recipient pacing and the daily cap. Calls that cannot go now are requeued without
    /// using an attempt.
    async fn pace_channel(
        &self,
        route: &Arc<Route>,
        jobs: Vec<Addressed>,
        now: DateTime<Utc>,
        ready: &mut Vec<Ready>,
        outcomes: &mut Vec<(i64, JobOutcome)>,
        report: &mut TickReport,
    ) -> Result<(), StoreError> {
        let channel = route.account.channel.to_string();
        let now_ms = now.timestamp_millis();
        let pacing_ms = self.settings.pacing_window.as_millis() as i64;
        let rate = &route.account.rate;
        let units = self.group_into_calls(route, jobs, outcomes, report).await;
        let mut accepted: Vec<(Unit, i64)> = Vec::with_capacity(units.len());
        let defer = |unit: Unit,
                     at_ms: i64,
                     outcomes: &mut Vec<(i64, JobOutcome)>,
                     report: &mut TickReport| {
            for (job, _) in unit.jobs {
                report.deferred += 1;
                outcomes.push((
                    job.id,
                    JobOutcome::Requeue {
                        run_at_ms: at_ms,
                        counts_as_attempt: false,
                        error: None,
                    },
                ));
            }
        };
        match rate.per_recipient_per_minute {
            // Without per-recipient limits, the account's times are reserved for the batch at once.
            None => {
                let (times, next_free) = match rate.per_second {
                    Some(per_second) => {
                        let reservation = self
                            .store
                            .reserve_send_times(
                                &account_bucket(&channel),
                                units.len() as u32,
                                now_ms,
                                interval_ms(per_second, 1_000),
                                pacing_ms,
                            )
                            .await?;
                        (reservation.times, reservation.next_free_ms)
                    }
                    None => (vec![now_ms; units.len()], now_ms),
                };
                for (index, unit) in units.into_iter().enumerate() {
                    match times.get(index) {
                        Some(&at) => accepted.push((unit, at)),
                        None => defer(unit, next_free, outcomes, report),
                    }
                }
            }
            // With them, each call gets the recipient's next time, then the account's first
            // time not before it; the recipient's spacing then starts from the actual send.
            Some(limit) => {
                let recipient_interval = interval_ms(f64::from(limit), 60_000);
                for unit in units {
                    let mut send_at = now_ms;
                    let mut recipient_slot = None;
                    if let Some(key) = unit.bucket.as_deref() {
                        let bucket = recipient_bucket(&channel, key);
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
                                defer(unit, reservation.next_free_ms, outcomes, report);
                                continue;
                            }
                        }
                    }
                    if let Some(per_second) = rate.per_second {
                        let within = (pacing_ms - (send_at - now_ms)).max(0);
                        let reservation = self
                            .store
                            .reserve_send_times(
                                &account_bucket(&channel),
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
                                        defer(unit, at, outcomes, report);
                                        continue;
                                    }
                                }
                                send_at = at;
                            }
                            None => {
                                defer(unit, reservation.next_free_ms, outcomes, report);
                                continue;
                            }
                        }
                    }
                    accepted.push((unit, send_at));
                }
            }
        }
        if let Some(cap) = rate.daily_cap {
            let day = now.format("%Y-%m-%d").to_string();
            let messages: usize = accepted.iter().map(|(unit, _)| unit.jobs.len()).sum();
            if messages > 0
                && !self
                    .store
                    .count_daily(&channel, &day, messages as u32, cap)
                    .await?
            {
                let tomorrow = (now.date_naive() + chrono::Duration::days(1))
                    .and_hms_opt(0, 0, 0)
                    .map(|t| t.and_utc().timestamp_millis())
                    .unwrap_or(now_ms + 86_400_000);
                for (unit, _) in accepted {
                    for (job, _) in unit.jobs {
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
                }
                return Ok(());
            }
        }
        for (unit, send_at_ms) in accepted {
            ready.push(Ready {
                jobs: unit.jobs,
                send_at_ms,
                text: unit.text,
                route: Arc::clone(route),
            });
        }
        Ok(())
    }

    /// Renders each job's text, then forms the calls: one per job, or, where the platform
    /// takes many recipients at once, one per text and up to its batch size.
    async fn group_into_calls(
        &self,
        route: &Arc<Route>,
        jobs: Vec<Addressed>,
        outcomes: &mut Vec<(i64, JobOutcome)>,
        report: &mut TickReport,
    ) -> Vec<Unit> {
        let max_batch = route.adapter.max_batch().max(1);
        let mut units: Vec<Unit> = Vec::with_capacity(jobs.len());
        let mut open: HashMap<usize, usize> = HashMap::new();
        // Public posts: segments that share a chat or page and a slot share one post, instead
        // of the page showing the same text twice (partners refuse such duplicates anyway). A
        // webhook partner gets every job, with its segment, to route as it needs.
        let mut shared: HashMap<(String, Option<String>, i64), usize> = HashMap::new();
        for addressed in jobs {
            let text = match self.prepare(&addressed.job).await {
                Ok(text) => text,
                Err(reason) => {
                    report.dead += 1;
                    outcomes.push((
                        addressed.job.id,
                        JobOutcome::Dead {
                            code: "render".into(),
                            text: reason,
                        },
                    ));
                    continue;
                }
            };
            if route.account.audience == Audience::Chats
                && route.account.channel.platform != Platform::Webhook
            {
                let key = (
                    text.text.clone(),
                    addressed.recipient.clone(),
                    addressed.job.slot.timestamp(),
                );
                if let Some(&index) = shared.get(&key) {
                    units[index].jobs.push((addressed.job, addressed.recipient));
                    continue;
                }
                let earlier = refuses_repeats(route.account.channel.platform)
                    .then(|| self.recent_posts.lock())
                    .and_then(|lock| {
                        let recent = lock.unwrap_or_else(|p| p.into_inner());
                        recent
                            .get(&(
                                route.account.channel.to_string(),
                                key.1.clone(),
                                key.0.clone(),
                            ))
                            .filter(|post| self.clock.now() - post.at < chrono::Duration::hours(24))
                            .map(|post| post.platform_id.clone())
                    });
                if let Some(platform_id) = earlier {
                    report.sent += 1;
                    outcomes.push((
                        addressed.job.id,
                        JobOutcome::Sent {
                            platform_id,
                            variant: text.variant.clone(),
                        },
                    ));
                    continue;
                }
                shared.insert(key, units.len());
            } else if max_batch > 1 {
                let key = Arc::as_ptr(&text) as usize;
                if let Some(&index) = open.get(&key) {
                    let unit = &mut units[index];
                    unit.jobs.push((addressed.job, addressed.recipient));
                    if unit.jobs.len() >= max_batch {
                        open.remove(&key);
                    }
                    continue;
                }
                open.insert(key, units.len());
            }
            units.push(Unit {
                jobs: vec![(addressed.job, addressed.recipient)],
                bucket: if max_batch > 1 {
                    None
                } else {
                    addressed.bucket
                },
                text,
            });
        }
        units
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
                self.versions.insert(
                    LoadedVersion::load_off_the_runtime(
                        record.hash,
                        record.bundle,
                        Arc::clone(&self.config),
                    )
                    .await
                    .map_err(|e| e.to_string())?,
                )
            }
        };
        let channel = ChannelRef::parse(&job.channel).map_err(|e| e.to_string())?;
        version
            .prepare(
                &job.send,
                &job.segment,
                &job.locale,
                &channel,
                &job.idempotency_key,
                &self.config.public_url,
            )
            .map_err(|e| e.to_string())
    }

    /// Publishes a chunk of calls: one at a time in time order (simulated clock), or
    /// concurrently with at most `max_in_flight` calls per account, each at its paced time.
    async fn publish_chunk(&self, chunk: Vec<Ready>) -> Vec<(Ready, Vec<PublishResult>)> {
        if self.settings.sequential {
            let mut results = Vec::with_capacity(chunk.len());
            for ready in chunk {
                self.clock.sleep_until(at(ready.send_at_ms)).await;
                let result = publish(&ready, self.clock.now()).await;
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
                let result = publish(&ready, clock.now()).await;
                drop(permit);
                (ready, result)
            });
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

    /// The outcome to record for one job, and how long to pause the account if the partner
    /// throttled.
    fn outcome_for(
        &self,
        job: &LeasedJob,
        ready: &Ready,
        result: PublishResult,
    ) -> (JobOutcome, Option<i64>) {
        let now_ms = self.clock.now().timestamp_millis();
        let attempt = job.attempts + 1;
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
                    &job.idempotency_key,
                );
                JobOutcome::Requeue {
                    run_at_ms: now_ms + delay.as_millis() as i64,
                    counts_as_attempt: true,
                    error: Some(format!("{code}: {text}")),
                }
            }
        };
        if !matches!(result, PublishResult::Transient { .. }) {
            ready.route.reached(self.clock.now());
        }
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
            PublishResult::Transient { code, text } if code == CONNECT_FAILED => {
                let pause = ready
                    .route
                    .outage_pause(self.clock.now(), self.settings.retry_base);
                let until = now_ms + pause.as_millis() as i64;
                (
                    JobOutcome::Requeue {
                        run_at_ms: until,
                        counts_as_attempt: false,
                        error: Some(format!("partner unreachable: {text}")),
                    },
                    Some(until),
                )
            }
            PublishResult::Transient { code, text } => {
                ready.route.reached(self.clock.now());
                (retry(code, text), None)
            }
            PublishResult::Permanent { code, text } => (JobOutcome::Dead { code, text }, None),
            PublishResult::Unknown { error } if ready.route.adapter.resend_is_safe() => {
                (retry("unknown".into(), error), None)
            }
            PublishResult::Unknown { error } => (JobOutcome::Unknown { error }, None),
        }
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

fn at(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_else(Utc::now)
}

async fn publish(ready: &Ready, now: DateTime<Utc>) -> Vec<PublishResult> {
    let (job, recipient) = &ready.jobs[0];
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
