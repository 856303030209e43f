//! The rows of platform-reported reach: posts whose metrics are polled, what each poll read,
//! and the audience estimates penetration is measured against. None of them names a person:
//! a post is public content, and every number is an aggregate the platform computed.

use serde::Serialize;

/// A published post to poll for metrics, registered when its send is recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInsightPoll {
    pub channel: String,
    /// The platform's id of the post (`{page}_{post}` on Facebook, a snowflake on X).
    pub post_id: String,
    pub campaign: String,
    pub version: String,
    pub send: String,
    pub segment: String,
    pub locale: String,
    /// Empty for a message without variants.
    pub variant: String,
    pub published_at_ms: i64,
    /// When the campaign's `end` window falls (its last day, 23:59 UTC).
    pub ends_at_ms: i64,
    /// The first window to read (`1h`, or `end` when the campaign ends sooner) and when.
    pub window: String,
    pub due_at_ms: i64,
}

/// A post being polled, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InsightPoll {
    pub id: i64,
    pub channel: String,
    pub post_id: String,
    pub campaign: String,
    pub version: String,
    pub send: String,
    pub segment: String,
    pub locale: String,
    pub variant: String,
    pub published_at_ms: i64,
    pub ends_at_ms: i64,
    /// The window read next; `None` once polling has finished (or ended for good).
    pub window: Option<String>,
    pub due_at_ms: Option<i64>,
    /// Failed reads of the current window.
    pub attempts: i32,
    /// Why the last read failed, or why polling ended early.
    pub last_error: Option<String>,
    pub finished_at_ms: Option<i64>,
}

/// The columns of a poll as selected, in [`InsightPoll`] order.
pub type InsightPollRow = (
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    i64,
    Option<String>,
    Option<i64>,
    i32,
    Option<String>,
    Option<i64>,
);

impl InsightPoll {
    pub fn from_row(row: InsightPollRow) -> InsightPoll {
        let (
            id,
            channel,
            post_id,
            campaign,
            version,
            send,
            segment,
            locale,
            variant,
            published_at_ms,
            ends_at_ms,
            window,
            due_at_ms,
            attempts,
            last_error,
            finished_at_ms,
        ) = row;
        InsightPoll {
            id,
            channel,
            post_id,
            campaign,
            version,
            send,
            segment,
            locale,
            variant,
            published_at_ms,
            ends_at_ms,
            window,
            due_at_ms,
            attempts,
            last_error,
            finished_at_ms,
        }
    }
}

/// One metric of one post for one window, as the platform reported it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InsightObservation {
    pub campaign: String,
    pub version: String,
    pub send: String,
    pub segment: String,
    pub locale: String,
    pub channel: String,
    pub variant: String,
    pub post_id: String,
    /// `1h`, `24h`, `7d` or `end`.
    pub window: String,
    /// herald's name for it: `reach`, `impressions`, `clicks` or `engagements`.
    pub metric: String,
    pub value: i64,
    /// The platform API version that answered (`v21.0` for Meta, `2` for X).
    pub api_version: String,
    pub observed_at_ms: i64,
}

/// The columns of an observation as selected, in [`InsightObservation`] order.
pub type InsightObservationRow = (
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    String,
    i64,
);

impl InsightObservation {
    pub fn from_row(row: InsightObservationRow) -> InsightObservation {
        let (
            campaign,
            version,
            send,
            segment,
            locale,
            channel,
            variant,
            post_id,
            window,
            metric,
            value,
            api_version,
            observed_at_ms,
        ) = row;
        InsightObservation {
            campaign,
            version,
            send,
            segment,
            locale,
            channel,
            variant,
            post_id,
            window,
            metric,
            value,
            api_version,
            observed_at_ms,
        }
    }
}

/// What one read of a poll's window came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PollOutcome {
    /// The window was read: poll the next window at its time, or finish after the last.
    Observed { next: Option<(String, i64)> },
    /// Not read this time (throttled, transient failure): due again at `due_at_ms`, for the
    /// same window.
    Retry { due_at_ms: i64, error: String },
    /// The post can never be read again (deleted): polling ends, with the reason kept.
    Ended { reason: String },
}

/// A poll's outcome and the observations it made, written together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollRecord {
    pub id: i64,
    pub outcome: PollOutcome,
    pub observations: Vec<InsightObservation>,
}

/// A platform's estimate of the audience one segment's targeting reaches on one channel,
/// taken when the version started running.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AudienceEstimateRecord {
    pub campaign: String,
    pub version: String,
    pub segment: String,
    pub channel: String,
    /// Monthly active people, lower and upper bound (Meta answers ranges).
    pub lower: i64,
    pub upper: i64,
    /// Daily active people, when the platform gives it.
    pub daily: Option<i64>,
    pub api_version: String,
    pub estimated_at_ms: i64,
}

/// The columns of an estimate as selected, in [`AudienceEstimateRecord`] order.
pub type AudienceEstimateRow = (
    String,
    String,
    String,
    String,
    i64,
    i64,
    Option<i64>,
    String,
    i64,
);

impl AudienceEstimateRecord {
    pub fn from_row(row: AudienceEstimateRow) -> AudienceEstimateRecord {
        let (campaign, version, segment, channel, lower, upper, daily, api_version, at) = row;
        AudienceEstimateRecord {
            campaign,
            version,
            segment,
            channel,
            lower,
            upper,
            daily,
            api_version,
            estimated_at_ms: at,
        }
    }
}
