//! Insights polling: reading back what the platforms report about herald's published posts
//! (Facebook post insights, X public metrics) for each reporting window, and storing it as
//! observations per post, window and metric.
//!
//! Every worker may poll: polls are leased, and observations are upserted per (post, window,
//! metric), so a window read twice replaces its value and is never counted twice. A throttled
//! or transient failure leaves the poll due (after the platform's wait, if it gave one); a
//! post the platform no longer has ends its poll with the reason logged and kept.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

use super::insight_windows::{InsightWindow, WindowRead, schedule, window_read_at};
use crate::platforms::{
    ErrorClass, FacebookAdapter, MAX_IDS_PER_LOOKUP, PlatformError, PublicMetrics, XAdapter,
};
use crate::store::{
    InsightObservation, InsightPoll, LeasedJob, NewInsightPoll, PollOutcome, PollRecord, Store,
    StoreError,
};

/// The Facebook insights metrics read, and herald's names for them: unique accounts reached,
/// times the post was on screen (views, which Meta reports in place of the post impressions
/// it retired; frequency is views / reach) and clicks on the post.
pub const FACEBOOK_METRICS: [(&str, &str); 3] = [
    ("post_total_media_view_unique", "reach"),
    ("post_media_view", "views"),
    ("post_clicks", "clicks"),
];

/// The X API version public metrics come from (its path says `/2/`).
pub const X_API_VERSION: &str = "2";

/// Polls leased per pass (one X lookup takes up to 100 posts).
const BATCH: u32 = 100;
/// How long a worker holds its polls: long enough for a batch of reads with timeouts.
const LEASE: Duration = Duration::minutes(5);
/// How long an account whose credentials the platform refused is left alone.
const ACCOUNT_PAUSE: Duration = Duration::hours(1);

/// Where one channel's posts are read.
#[derive(Debug, Clone)]
pub enum InsightSource {
    /// A Facebook Page, read through the Graph API version its account is configured with.
    Facebook {
        adapter: FacebookAdapter,
        api_version: String,
    },
    X(XAdapter),
}

impl InsightSource {
    fn api_version(&self) -> &str {
        match self {
            InsightSource::Facebook { api_version, .. } => api_version,
            InsightSource::X(_) => X_API_VERSION,
        }
    }

    /// Whether a permanent error concerns the whole account (a refused token or missing
    /// permission: fixing the credentials fixes it) rather than one post. X lookups leave
    /// unknown posts out instead of failing, so every failed X lookup is account-wide.
    fn is_account_wide(&self, error: &PlatformError) -> bool {
        match self {
            InsightSource::Facebook { .. } => {
                let code: i64 = error
                    .code
                    .split('/')
                    .next()
                    .and_then(|c| c.parse().ok())
                    .unwrap_or(0);
                matches!(code, 10 | 102 | 190) || (200..=299).contains(&code)
            }
            InsightSource::X(_) => true,
        }
    }
}

/// What one polling pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PollReport {
    pub leased: usize,
    /// Polls whose window was read.
    pub observed: usize,
    /// Polls left due for a later pass (throttled, transient failure, account refused).
    pub retried: usize,
    /// Polls ended for good (the post is gone).
    pub ended: usize,
    pub observations: usize,
}

/// One worker's insights poller.
pub struct InsightPoller {
    owner: String,
    sources: HashMap<String, InsightSource>,
    /// Channels the platform throttled, until when: no read goes to them before.
    throttled: Mutex<HashMap<String, DateTime<Utc>>>,
}

/// The poll to register for a post just published by `job`: its first window (1 hour after
/// publishing, or the campaign's end when that comes sooner) and when it is due.
pub fn poll_for_post(
    job: &LeasedJob,
    post_id: &str,
    variant: &str,
    published_at: DateTime<Utc>,
    end: DateTime<Utc>,
) -> NewInsightPoll {
    let (window, due) = schedule(published_at, end)
        .first()
        .copied()
        .unwrap_or((InsightWindow::End, end));
    NewInsightPoll {
        channel: job.channel.clone(),
        post_id: post_id.to_string(),
        campaign: job.campaign_id.clone(),
        version: job.version.to_string(),
        send: job.send.clone(),
        segment: job.segment.clone(),
        locale: job.locale.clone(),
        variant: variant.to_string(),
        published_at_ms: published_at.timestamp_millis(),
        ends_at_ms: end.timestamp_millis(),
        window: window.label().to_string(),
        due_at_ms: due.timestamp_millis(),
    }
}

impl InsightPoller {
    /// `owner` names this worker's leases; `sources` maps a channel (`facebook:page`) to where
    /// its posts are read.
    pub fn new(owner: &str, sources: HashMap<String, InsightSource>) -> InsightPoller {
        InsightPoller {
            owner: owner.to_string(),
            sources,
            throttled: Mutex::new(HashMap::new()),
        }
    }

    /// Whether posts on `channel` are polled by this worker.
    pub fn polls(&self, channel: &str) -> bool {
        self.sources.contains_key(channel)
    }

    /// One pass: leases due polls, reads each channel's posts, and writes what was read.
    pub async fn poll<S: Store>(
        &self,
        store: &S,
        now: DateTime<Utc>,
    ) -> Result<PollReport, StoreError> {
        let mut report = PollReport::default();
        if self.sources.is_empty() {
            return Ok(report);
        }
        let now_ms = now.timestamp_millis();
        let polls = store
            .lease_insight_polls(&self.owner, now_ms, (now + LEASE).timestamp_millis(), BATCH)
            .await?;
        report.leased = polls.len();
        if polls.is_empty() {
            return Ok(report);
        }
        let mut by_channel: BTreeMap<String, Vec<InsightPoll>> = BTreeMap::new();
        for poll in polls {
            by_channel
                .entry(poll.channel.clone())
                .or_default()
                .push(poll);
        }
        let mut records = Vec::new();
        for (channel, polls) in by_channel {
            let Some(source) = self.sources.get(&channel) else {
                let error = format!("no account `{channel}` in this worker's configuration");
                tracing::warn!(%channel, polls = polls.len(), "insights cannot be read: no such account");
                for poll in polls {
                    records.push(retry(&poll, now + ACCOUNT_PAUSE, &error));
                }
                continue;
            };
            let paused_until = self.paused_until(&channel, now);
            if let Some(until) = paused_until {
                for poll in polls {
                    records.push(retry(&poll, until, "the platform throttled this account"));
                }
                continue;
            }
            match source {
                InsightSource::Facebook { adapter, .. } => {
                    self.read_facebook(&channel, source, adapter, polls, now, &mut records)
                        .await;
                }
                InsightSource::X(adapter) => {
                    self.read_x(&channel, source, adapter, polls, now, &mut records)
                        .await;
                }
            }
        }
        for record in &records {
            match &record.outcome {
                PollOutcome::Observed { .. } => report.observed += 1,
                PollOutcome::Retry { .. } => report.retried += 1,
                PollOutcome::Ended { .. } => report.ended += 1,
            }
            report.observations += record.observations.len();
        }
        store
            .record_insight_polls(&self.owner, &records, now_ms)
            .await?;
        Ok(report)
    }

    /// Reads each Facebook post's insights in turn; a throttled answer stops the channel for
    /// this pass (and for the wait Meta announced).
    async fn read_facebook(
        &self,
        channel: &str,
        source: &InsightSource,
        adapter: &FacebookAdapter,
        polls: Vec<InsightPoll>,
        now: DateTime<Utc>,
        records: &mut Vec<PollRecord>,
    ) {
        let metrics: Vec<&str> = FACEBOOK_METRICS.iter().map(|(name, _)| *name).collect();
        let mut stopped: Option<(DateTime<Utc>, String)> = None;
        for poll in polls {
            if let Some((until, why)) = &stopped {
                records.push(retry(&poll, *until, why));
                continue;
            }
            let Some(WindowRead { window, next }) = window_of(&poll, now) else {
                records.push(ended(&poll, "the poll's window is not one herald knows"));
                continue;
            };
            match adapter.post_insights(&poll.post_id, &metrics).await {
                Ok(values) => {
                    let observations = FACEBOOK_METRICS
                        .iter()
                        .filter_map(|(name, metric)| {
                            let value = values.iter().find(|v| v.metric == *name)?;
                            Some(observation(
                                &poll,
                                window,
                                metric,
                                value.value,
                                source.api_version(),
                                now,
                            ))
                        })
                        .collect();
                    records.push(observed(&poll, next, observations));
                }
                Err(error) => {
                    if let Some(stop) = self.failed(channel, source, &poll, &error, now, records) {
                        stopped = Some(stop);
                    }
                }
            }
        }
    }

    /// Reads X posts' public metrics, up to 100 posts per lookup. X leaves deleted posts out
    /// of its answer: their polls end.
    async fn read_x(
        &self,
        channel: &str,
        source: &InsightSource,
        adapter: &XAdapter,
        polls: Vec<InsightPoll>,
        now: DateTime<Utc>,
        records: &mut Vec<PollRecord>,
    ) {
        let mut stopped: Option<(DateTime<Utc>, String)> = None;
        for chunk in polls.chunks(MAX_IDS_PER_LOOKUP) {
            if let Some((until, why)) = &stopped {
                records.extend(chunk.iter().map(|poll| retry(poll, *until, why)));
                continue;
            }
            let ids: Vec<&str> = chunk.iter().map(|p| p.post_id.as_str()).collect();
            match adapter.public_metrics(&ids, now).await {
                Ok(found) => {
                    let found: HashMap<String, PublicMetrics> = found.into_iter().collect();
                    for poll in chunk {
                        let Some(WindowRead { window, next }) = window_of(poll, now) else {
                            records.push(ended(poll, "the poll's window is not one herald knows"));
                            continue;
                        };
                        let Some(metrics) = found.get(&poll.post_id) else {
                            tracing::warn!(
                                %channel,
                                post = %poll.post_id,
                                "insights polling ended: X no longer has the post (deleted)"
                            );
                            records.push(ended(
                                poll,
                                "X no longer has the post (deleted, or its account is protected)",
                            ));
                            continue;
                        };
                        let engagements = metrics.like_count
                            + metrics.retweet_count
                            + metrics.reply_count
                            + metrics.quote_count
                            + metrics.bookmark_count;
                        let observations = [
                            ("impressions", metrics.impression_count),
                            ("engagements", engagements),
                        ]
                        .into_iter()
                        .map(|(metric, value)| {
                            observation(
                                poll,
                                window,
                                metric,
                                i64::try_from(value).unwrap_or(i64::MAX),
                                source.api_version(),
                                now,
                            )
                        })
                        .collect();
                        records.push(observed(poll, next, observations));
                    }
                }
                Err(error) => {
                    let mut outcome: Option<(DateTime<Utc>, String)> = None;
                    for poll in chunk {
                        match &outcome {
                            Some((until, why)) => records.push(retry(poll, *until, why)),
                            None => {
                                outcome = self.failed(channel, source, poll, &error, now, records)
                            }
                        }
                    }
                    stopped = outcome;
                }
            }
        }
    }

    /// Records a failed read of `poll`. Returns until when (and why) the channel's other polls
    /// must wait, when the failure concerns the whole account.
    fn failed(
        &self,
        channel: &str,
        source: &InsightSource,
        poll: &InsightPoll,
        error: &PlatformError,
        now: DateTime<Utc>,
        records: &mut Vec<PollRecord>,
    ) -> Option<(DateTime<Utc>, String)> {
        let text = error.to_string();
        match &error.class {
            ErrorClass::Throttled { wait } => {
                let wait = Duration::from_std(*wait).unwrap_or(Duration::minutes(15));
                let until = now + wait.max(Duration::seconds(1));
                self.pause(channel, until);
                tracing::info!(%channel, wait_s = wait.num_seconds(), "insights reads throttled by the platform");
                records.push(retry(poll, until, &text));
                Some((until, text))
            }
            ErrorClass::Transient => {
                // Left due: the next pass tries again.
                let due = poll.due_at_ms.and_then(DateTime::from_timestamp_millis);
                records.push(retry(poll, due.unwrap_or(now), &text));
                None
            }
            ErrorClass::Permanent if source.is_account_wide(error) => {
                let until = now + ACCOUNT_PAUSE;
                tracing::error!(%channel, error = %text, "insights reads refused for the whole account: fix its credentials; retrying in an hour");
                records.push(retry(poll, until, &text));
                Some((until, text))
            }
            ErrorClass::Permanent => {
                tracing::warn!(%channel, post = %poll.post_id, error = %text, "insights polling ended for a post");
                records.push(ended(poll, &text));
                None
            }
        }
    }

    fn paused_until(&self, channel: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let mut throttled = self.throttled.lock().unwrap_or_else(|e| e.into_inner());
        match throttled.get(channel) {
            Some(until) if *until > now => Some(*until),
            Some(_) => {
                throttled.remove(channel);
                None
            }
            None => None,
        }
    }

    fn pause(&self, channel: &str, until: DateTime<Utc>) {
        let mut throttled = self.throttled.lock().unwrap_or_else(|e| e.into_inner());
        let entry = throttled.entry(channel.to_string()).or_insert(until);
        if *entry < until {
            *entry = until;
        }
    }
}

/// The window a read now stands for, and the next one (see [`window_read_at`]).
fn window_of(poll: &InsightPoll, now: DateTime<Utc>) -> Option<WindowRead> {
    let current = InsightWindow::from_label(poll.window.as_deref()?)?;
    let published = DateTime::from_timestamp_millis(poll.published_at_ms)?;
    let end = DateTime::from_timestamp_millis(poll.ends_at_ms)?;
    window_read_at(published, end, current, now)
}

fn observation(
    poll: &InsightPoll,
    window: InsightWindow,
    metric: &str,
    value: i64,
    api_version: &str,
    now: DateTime<Utc>,
) -> InsightObservation {
    InsightObservation {
        campaign: poll.campaign.clone(),
        version: poll.version.clone(),
        send: poll.send.clone(),
        segment: poll.segment.clone(),
        locale: poll.locale.clone(),
        channel: poll.channel.clone(),
        variant: poll.variant.clone(),
        post_id: poll.post_id.clone(),
        window: window.label().to_string(),
        metric: metric.to_string(),
        value: value.max(0),
        api_version: api_version.to_string(),
        observed_at_ms: now.timestamp_millis(),
    }
}

fn observed(
    poll: &InsightPoll,
    next: Option<(InsightWindow, DateTime<Utc>)>,
    observations: Vec<InsightObservation>,
) -> PollRecord {
    PollRecord {
        id: poll.id,
        outcome: PollOutcome::Observed {
            next: next.map(|(w, at)| (w.label().to_string(), at.timestamp_millis())),
        },
        observations,
    }
}

fn retry(poll: &InsightPoll, due: DateTime<Utc>, error: &str) -> PollRecord {
    PollRecord {
        id: poll.id,
        outcome: PollOutcome::Retry {
            due_at_ms: due.timestamp_millis(),
            error: error.to_string(),
        },
        observations: Vec::new(),
    }
}

fn ended(poll: &InsightPoll, reason: &str) -> PollRecord {
    PollRecord {
        id: poll.id,
        outcome: PollOutcome::Ended {
            reason: reason.to_string(),
        },
        observations: Vec::new(),
    }
}
