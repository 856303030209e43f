//! Rows as the rest of herald sees them.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::StoreError;
use crate::campaign::{ContentHash, VersionBundle, VersionState};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VersionRecord {
    pub hash: ContentHash,
    pub campaign_id: String,
    pub state: VersionState,
    pub bundle: VersionBundle,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A version as selected (`SELECT hash, campaign_id, state, bundle, created_at, updated_at`).
#[derive(Debug, sqlx::FromRow)]
pub struct VersionRow {
    hash: String,
    campaign_id: String,
    state: String,
    bundle: String,
    created_at: i64,
    updated_at: i64,
}

impl VersionRecord {
    pub fn from_row(row: VersionRow) -> Result<VersionRecord, StoreError> {
        let VersionRow {
            hash,
            campaign_id,
            state,
            bundle,
            created_at,
            updated_at,
        } = row;
        Ok(VersionRecord {
            hash: ContentHash::parse(&hash).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            campaign_id,
            state: VersionState::from_name(&state)
                .ok_or_else(|| StoreError::Corrupt(format!("unknown version state `{state}`")))?,
            bundle: serde_json::from_str(&bundle)
                .map_err(|e| StoreError::Corrupt(format!("version bundle: {e}")))?,
            created_at: timestamp(created_at)?,
            updated_at: timestamp(updated_at)?,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JobRecord {
    pub id: i64,
    pub idempotency_key: String,
    pub send: String,
    pub segment: String,
    pub locale: String,
    pub channel: String,
    pub slot: DateTime<Utc>,
    pub status: String,
    pub run_at: DateTime<Utc>,
    pub attempts: i32,
    pub variant: Option<String>,
    pub platform_id: Option<String>,
    pub error_code: Option<String>,
    pub last_error: Option<String>,
    /// Why the recipient may have received this job more than once (it was sent again with
    /// the same idempotency key), kept whatever happened to the job afterwards.
    pub may_repeat: Option<String>,
}

/// A job as selected from the outbox, its columns named as in the table.
#[derive(Debug, sqlx::FromRow)]
pub struct JobRow {
    id: i64,
    idempotency_key: String,
    send_id: String,
    segment_id: String,
    locale: String,
    channel: String,
    slot: i64,
    status: String,
    run_at: i64,
    attempts: i32,
    variant: Option<String>,
    platform_id: Option<String>,
    error_code: Option<String>,
    last_error: Option<String>,
    may_repeat: Option<String>,
}

impl JobRecord {
    pub fn from_row(row: JobRow) -> Result<JobRecord, StoreError> {
        let JobRow {
            id,
            idempotency_key,
            send_id: send,
            segment_id: segment,
            locale,
            channel,
            slot,
            status,
            run_at,
            attempts,
            variant,
            platform_id,
            error_code,
            last_error,
            may_repeat,
        } = row;
        Ok(JobRecord {
            id,
            idempotency_key,
            send,
            segment,
            locale,
            channel,
            slot: timestamp(slot)?,
            status,
            run_at: timestamp_ms(run_at)?,
            attempts,
            variant,
            platform_id,
            error_code,
            last_error,
            may_repeat,
        })
    }
}

pub fn timestamp(seconds: i64) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp(seconds, 0)
        .ok_or_else(|| StoreError::Corrupt(format!("timestamp {seconds}")))
}

pub fn timestamp_ms(millis: i64) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp_millis(millis)
        .ok_or_else(|| StoreError::Corrupt(format!("timestamp {millis} ms")))
}

/// A job a worker holds a lease on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeasedJob {
    pub id: i64,
    pub idempotency_key: String,
    pub version: ContentHash,
    pub campaign_id: String,
    pub send: String,
    pub segment: String,
    pub locale: String,
    pub channel: String,
    pub slot: DateTime<Utc>,
    pub run_at_ms: i64,
    /// Calls already made for this job (failed ones).
    pub attempts: i32,
    /// The one subscriber this job delivers to, for a delivery fanned out from a broadcast
    /// job of a messaging channel; `None` for a post or a broadcast job itself.
    pub subscriber_id: Option<i64>,
}

/// A leased job as selected from the outbox (with its version's campaign), its columns named
/// as in the tables.
#[derive(Debug, sqlx::FromRow)]
pub struct LeasedRow {
    id: i64,
    idempotency_key: String,
    version_hash: String,
    campaign_id: String,
    send_id: String,
    segment_id: String,
    locale: String,
    channel: String,
    slot: i64,
    run_at: i64,
    attempts: i32,
    subscriber_id: Option<i64>,
}

impl LeasedJob {
    pub fn from_row(row: LeasedRow) -> Result<LeasedJob, StoreError> {
        let LeasedRow {
            id,
            idempotency_key,
            version_hash,
            campaign_id,
            send_id: send,
            segment_id: segment,
            locale,
            channel,
            slot,
            run_at: run_at_ms,
            attempts,
            subscriber_id,
        } = row;
        Ok(LeasedJob {
            id,
            idempotency_key,
            version: ContentHash::parse(&version_hash)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
            campaign_id,
            send,
            segment,
            locale,
            channel,
            slot: timestamp(slot)?,
            run_at_ms,
            attempts,
            subscriber_id,
        })
    }
}

/// What happened to a leased job, written back in one batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobOutcome {
    /// The platform accepted it.
    Sent {
        platform_id: Option<String>,
        variant: Option<String>,
    },
    /// Try again at `run_at_ms`: after a transient error (an attempt), or because a rate
    /// budget, a throttled account or a daily cap said "not yet" (not an attempt).
    Requeue {
        run_at_ms: i64,
        counts_as_attempt: bool,
        error: Option<String>,
    },
    /// Try again at `run_at_ms` (an attempt) after an answer that never came, on a partner that
    /// drops a repeat carrying the same idempotency key: the job keeps a mark that its
    /// recipient may have it twice, whatever happens to it later.
    Resend { run_at_ms: i64, error: String },
    /// Given up: a permanent error, or too many transient ones. Kept with the platform's words.
    Dead { code: String, text: String },
    /// The call may or may not have been published (timeout, connection lost after sending).
    Unknown { error: String },
    /// A broadcast job of a messaging channel became one delivery job per subscriber.
    Expanded { deliveries: i64 },
    /// Not sent, and never will be: the person opted out before their turn came.
    Cancelled { reason: String },
}

/// Send times reserved in a shared rate bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reservation {
    /// One time (ms) per message that may be sent, spaced by the bucket's interval.
    pub times: Vec<i64>,
    /// When the bucket is next free (for messages that got no time now).
    pub next_free_ms: i64,
}

impl Reservation {
    /// Up to `count` evenly spaced times, from the bucket's next free moment (not before now
    /// or the end of a pause), that fall within `within_ms` from now.
    pub fn plan(
        next_free: i64,
        paused_until: i64,
        count: u32,
        now_ms: i64,
        interval_ms: i64,
        within_ms: i64,
    ) -> Reservation {
        let start = next_free.max(now_ms).max(paused_until);
        let interval = interval_ms.max(1);
        let last_allowed = now_ms + within_ms;
        if start > last_allowed || count == 0 {
            return Reservation {
                times: Vec::new(),
                next_free_ms: start,
            };
        }
        let fits = (last_allowed - start) / interval + 1;
        let granted = fits.min(i64::from(count));
        Reservation {
            times: (0..granted).map(|i| start + i * interval).collect(),
            next_free_ms: start + granted * interval,
        }
    }
}

/// A job that failed for good (a dead letter), or whose outcome is unknown, for staff to
/// inspect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct DeadLetter {
    pub id: i64,
    pub campaign_id: String,
    pub version: String,
    pub send: String,
    pub segment: String,
    pub locale: String,
    pub channel: String,
    pub slot: DateTime<Utc>,
    pub attempts: i32,
    pub code: Option<String>,
    pub text: Option<String>,
    pub failed_at: Option<DateTime<Utc>>,
    /// Why the recipient may have received it more than once, if they may.
    pub may_repeat: Option<String>,
}

/// A finished job as selected from the outbox (with its version's campaign), its columns named
/// as in the tables.
#[derive(Debug, sqlx::FromRow)]
pub struct DeadLetterRow {
    id: i64,
    campaign_id: String,
    version_hash: String,
    send_id: String,
    segment_id: String,
    locale: String,
    channel: String,
    slot: i64,
    attempts: i32,
    error_code: Option<String>,
    last_error: Option<String>,
    finished_at: Option<i64>,
    may_repeat: Option<String>,
}

impl DeadLetter {
    pub fn from_row(row: DeadLetterRow) -> Result<DeadLetter, StoreError> {
        let DeadLetterRow {
            id,
            campaign_id,
            version_hash: version,
            send_id: send,
            segment_id: segment,
            locale,
            channel,
            slot,
            attempts,
            error_code: code,
            last_error: text,
            finished_at: failed_at,
            may_repeat,
        } = row;
        Ok(DeadLetter {
            id,
            campaign_id,
            version,
            send,
            segment,
            locale,
            channel,
            slot: timestamp(slot)?,
            attempts,
            code,
            text,
            failed_at: failed_at.map(timestamp_ms).transpose()?,
            may_repeat,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reservations_are_spaced_and_bounded() {
        let r = Reservation::plan(0, 0, 5, 1_000, 100, 250);
        assert_eq!(r.times, [1_000, 1_100, 1_200]);
        assert_eq!(r.next_free_ms, 1_300);
        let paused = Reservation::plan(0, 5_000, 5, 1_000, 100, 250);
        assert!(paused.times.is_empty());
        assert_eq!(paused.next_free_ms, 5_000);
        let busy = Reservation::plan(1_200, 0, 1, 1_000, 100, 250);
        assert_eq!(busy.times, [1_200]);
    }
}

/// A person who uses herald, with their roles.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserRecord {
    pub id: String,
    pub name: String,
    pub roles: Vec<crate::auth::Role>,
}

impl UserRecord {
    pub fn has(&self, role: crate::auth::Role) -> bool {
        self.roles.contains(&role)
    }
}

/// An API token as stored: the hash of its secret, and whose it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRecord {
    pub secret_hash: String,
    pub revoked: bool,
    /// When its user's tokens stop working (`herald user add --expires`); `None`: never.
    pub expires_at_ms: Option<i64>,
    pub user: UserRecord,
}

impl TokenRecord {
    /// Whether the token may be used at `now_ms`: not revoked and not expired.
    pub fn usable_at(&self, now_ms: i64) -> bool {
        !self.revoked && self.expires_at_ms.is_none_or(|until| now_ms < until)
    }
}

/// An approver's decision on a version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct Decision {
    #[sqlx(rename = "user_name")]
    pub user: String,
    pub decision: String,
    pub note: Option<String>,
    #[sqlx(rename = "decided_at")]
    pub at_ms: i64,
}

/// One counter of clicks on a tracking link: the link's dimensions, the UTC day, and whether
/// a person or a link-preview fetcher followed it. Nothing about who clicked.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, sqlx::FromRow)]
pub struct ClickKey {
    #[sqlx(rename = "campaign_id")]
    pub campaign: String,
    #[sqlx(rename = "send_id")]
    pub send: String,
    /// Empty for a message without variants.
    pub variant: String,
    pub locale: String,
    pub channel: String,
    pub day: String,
    /// `person` or `preview`.
    pub kind: String,
}

/// A click counter's value: how many clicks, and the sum of their record keys
/// ([`crate::store::record_key`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct ClickCount {
    pub clicks: i64,
    pub key_sum: i64,
}

impl ClickCount {
    /// Adds one click with record key `key`.
    pub fn add(&mut self, key: i64) {
        self.clicks += 1;
        self.key_sum += key;
    }
}

/// One delivery counter: a job's dimensions, the UTC day, a status (`sent`, `delivered`,
/// `read`, `failed`) and how many. Read as selected from `delivery_counts`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct DeliveryCount {
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
    /// Empty for a message without variants.
    pub variant: String,
    pub day: String,
    pub status: String,
    pub count: i64,
    /// The sum of the counted events' record keys ([`crate::store::record_key`]): what
    /// cell-key protection derives a published cell's noise from.
    pub key_sum: i64,
}

/// A person who opted in to a messaging channel, as stored: the identifier only sealed and as
/// a keyed hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSubscriber {
    pub channel: String,
    /// Keyed hash of the platform's identifier (hex), for lookups.
    pub lookup: String,
    /// The identifier, sealed.
    pub sealed: String,
    pub locale: String,
    pub segment: String,
    pub at_ms: i64,
}

/// Subscribers per channel, segment and locale: the only view of subscribers that leaves
/// the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct SubscriberCount {
    pub channel: String,
    #[sqlx(rename = "segment_id")]
    pub segment: String,
    pub locale: String,
    pub count: i64,
}

/// One status callback to count: which message it is about, and its receipt (a hash that is
/// the same for a duplicate or a replay of the same callback).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StatusReceipt {
    pub channel: String,
    pub platform_id: String,
    pub receipt: String,
    /// `delivered`, `read` or `failed`.
    pub status: String,
    /// UTC day of the event.
    pub day: String,
}

/// What a batch of status callbacks did to the counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct IngestReport {
    pub counted: u64,
    pub duplicates: u64,
    /// Not matched to a recorded send yet: kept aside and matched again later.
    pub pending: u64,
}
