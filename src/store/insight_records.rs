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

/// A post being polled, as stored (and selected from `insight_polls`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct InsightPoll {
    pub id: i64,
    pub channel: String,
    pub post_id: String,
    #[sqlx(rename = "campaign_id")]
    pub campaign: String,
    #[sqlx(rename = "version_hash")]
    pub version: String,
    #[sqlx(rename = "send_id")]
    pub send: String,
    #[sqlx(rename = "segment_id")]
    pub segment: String,
    pub locale: String,
    pub variant: String,
    #[sqlx(rename = "published_at")]
    pub published_at_ms: i64,
    #[sqlx(rename = "ends_at")]
    pub ends_at_ms: i64,
    /// The window read next; `None` once polling has finished (or ended for good).
    #[sqlx(rename = "next_window")]
    pub window: Option<String>,
    #[sqlx(rename = "due_at")]
    pub due_at_ms: Option<i64>,
    /// Failed reads of the current window.
    pub attempts: i32,
    /// Why the last read failed, or why polling ended early.
    pub last_error: Option<String>,
    #[sqlx(rename = "finished_at")]
    pub finished_at_ms: Option<i64>,
}

/// One metric of one post for one window, as the platform reported it (and as selected from
/// `insight_observations`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct InsightObservation {
    #[sqlx(rename = "campaign_id")]
    pub campaign: String,
    #[sqlx(rename = "version_hash")]
    pub version: String,
    #[sqlx(rename = "send_id")]
    pub send: String,
    #[sqlx(rename = "segment_id")]
    pub segment: String,
    pub locale: String,
    pub channel: String,
    pub variant: String,
    pub post_id: String,
    /// `1h`, `24h`, `7d` or `end`.
    #[sqlx(rename = "window_label")]
    pub window: String,
    /// herald's name for it: `reach`, `impressions`, `clicks` or `engagements`.
    pub metric: String,
    pub value: i64,
    /// The platform API version that answered (`v21.0` for Meta, `2` for X).
    pub api_version: String,
    #[sqlx(rename = "observed_at")]
    pub observed_at_ms: i64,
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
/// taken when the version started running. Read as selected from `audience_estimates`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct AudienceEstimateRecord {
    #[sqlx(rename = "campaign_id")]
    pub campaign: String,
    #[sqlx(rename = "version_hash")]
    pub version: String,
    #[sqlx(rename = "segment_id")]
    pub segment: String,
    pub channel: String,
    /// Monthly active people, lower and upper bound (Meta answers ranges).
    #[sqlx(rename = "lower_bound")]
    pub lower: i64,
    #[sqlx(rename = "upper_bound")]
    pub upper: i64,
    /// Daily active people, when the platform gives it.
    pub daily: Option<i64>,
    pub api_version: String,
    #[sqlx(rename = "estimated_at")]
    pub estimated_at_ms: i64,
}
