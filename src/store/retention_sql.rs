//! Retention of personal data: the rules that erase what herald keeps about single people
//! once it no longer needs it, each written once and used both to count (a dry run) and to
//! erase, so the two never disagree.
//!
//! Counters are aggregates and stay. The rows that name or point at one person are:
//! - subscribers (a sealed identifier and a keyed hash): erased once no scheduled, running or
//!   paused campaign could reach their segment on their channel for a period, or once there
//!   has been no contact with them for a period, but never while a delivery to them waits;
//! - jobs addressed to one subscriber that ended dead or unknown, kept for staff to follow
//!   up: erased after the staff window (sent and cancelled ones go sooner, with the other
//!   finished jobs, in `outbox_sql::expire_finished_jobs`);
//! - per-recipient rate buckets (named by subscriber id): erased once idle for an hour.

use serde::Serialize;

use super::{SqlStore, StoreError};

/// The moments (milliseconds) before which each rule erases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetentionCutoffs {
    /// Subscribers no campaign could reach since this time.
    pub unreachable_before_ms: i64,
    /// Subscribers with no contact since this time.
    pub inactive_before_ms: i64,
    /// Per-person dead and unknown jobs that ended before this time.
    pub staff_before_ms: i64,
    /// Per-recipient rate buckets idle since this time.
    pub idle_buckets_before_ms: i64,
}

/// Rows erased (or, in a dry run, that would be), rule by rule.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ErasedRows {
    pub subscribers_unreachable: u64,
    pub subscribers_inactive: u64,
    pub person_jobs_ended: u64,
    pub recipient_rate_buckets: u64,
}

impl ErasedRows {
    pub fn total(&self) -> u64 {
        self.subscribers_unreachable
            + self.subscribers_inactive
            + self.person_jobs_ended
            + self.recipient_rate_buckets
    }
}

/// A delivery to the subscriber still waits (or may be leaving): never erase them then.
const NOTHING_WAITS: &str =
    "NOT EXISTS (SELECT 1 FROM outbox o WHERE o.subscriber_id = subscribers.id
     AND o.status IN ('queued', 'leased', 'sending'))";

/// Subscribers no scheduled, running or paused campaign could reach since `$1`, who have not
/// (re)subscribed or been heard from since either.
fn unreachable(cutoff: &str) -> String {
    format!(
        "subscribed_at < {cutoff} AND COALESCE(last_contact_at, 0) < {cutoff}
         AND NOT EXISTS (SELECT 1 FROM audience_reach r WHERE r.channel = subscribers.channel
             AND r.segment_id = subscribers.segment_id AND r.reachable_at >= {cutoff})
         AND {NOTHING_WAITS}"
    )
}

/// Subscribers with no contact since `cutoff`: no opt-in, no word from them, and no message
/// sent to them (rows of sent jobs still kept count too).
fn inactive(cutoff: &str) -> String {
    format!(
        "subscribed_at < {cutoff} AND COALESCE(last_contact_at, 0) < {cutoff}
         AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.subscriber_id = subscribers.id
             AND o.status = 'sent' AND o.finished_at >= {cutoff})
         AND {NOTHING_WAITS}"
    )
}

const PERSON_JOBS_ENDED: &str = "subscriber_id IS NOT NULL AND status IN ('dead', 'unknown')
     AND COALESCE(finished_at, run_at) < $1";

/// Per-recipient buckets are named `channel|recipient`; account buckets have no `|`.
const IDLE_RECIPIENT_BUCKETS: &str =
    "bucket LIKE '%|%' AND next_free_ms < $1 AND paused_until_ms < $1";

/// Subscribers erased per statement, so one sweep never holds the write lock for long.
const ERASE_BATCH: i64 = 5_000;

/// How many rows each rule would erase now, erasing nothing. A subscriber both rules would
/// erase counts once, under the first.
pub async fn count_erasable(
    store: &SqlStore,
    cutoffs: RetentionCutoffs,
) -> Result<ErasedRows, StoreError> {
    let mut connection = store.pool.acquire().await?;
    let count = |sql: String| sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql));
    let unreachable_now = count(format!(
        "SELECT COUNT(*) FROM subscribers WHERE {}",
        unreachable("$1")
    ))
    .bind(cutoffs.unreachable_before_ms)
    .fetch_one(&mut *connection)
    .await?;
    let inactive_now = count(format!(
        "SELECT COUNT(*) FROM subscribers WHERE {} AND NOT ({})",
        inactive("$2"),
        unreachable("$1")
    ))
    .bind(cutoffs.unreachable_before_ms)
    .bind(cutoffs.inactive_before_ms)
    .fetch_one(&mut *connection)
    .await?;
    let jobs = count(format!(
        "SELECT COUNT(*) FROM outbox WHERE {PERSON_JOBS_ENDED}"
    ))
    .bind(cutoffs.staff_before_ms)
    .fetch_one(&mut *connection)
    .await?;
    let buckets = count(format!(
        "SELECT COUNT(*) FROM rate_buckets WHERE {IDLE_RECIPIENT_BUCKETS}"
    ))
    .bind(cutoffs.idle_buckets_before_ms)
    .fetch_one(&mut *connection)
    .await?;
    Ok(ErasedRows {
        subscribers_unreachable: unreachable_now as u64,
        subscribers_inactive: inactive_now as u64,
        person_jobs_ended: jobs as u64,
        recipient_rate_buckets: buckets as u64,
    })
}

/// Erases what every rule says is past its time, `now_ms` being when (for the cancelled
/// marks of deliveries, of which there should be none).
pub async fn erase_expired(
    store: &SqlStore,
    cutoffs: RetentionCutoffs,
    now_ms: i64,
) -> Result<ErasedRows, StoreError> {
    let subscribers_unreachable = erase_subscribers_where(
        store,
        &unreachable("$1"),
        cutoffs.unreachable_before_ms,
        now_ms,
    )
    .await?;
    let subscribers_inactive =
        erase_subscribers_where(store, &inactive("$1"), cutoffs.inactive_before_ms, now_ms).await?;
    let mut tx = store.begin_write().await?;
    let person_jobs_ended = sqlx::query(sqlx::AssertSqlSafe(format!(
        "DELETE FROM outbox WHERE {PERSON_JOBS_ENDED}"
    )))
    .bind(cutoffs.staff_before_ms)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    let recipient_rate_buckets = sqlx::query(sqlx::AssertSqlSafe(format!(
        "DELETE FROM rate_buckets WHERE {IDLE_RECIPIENT_BUCKETS}"
    )))
    .bind(cutoffs.idle_buckets_before_ms)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    tx.commit().await?;
    Ok(ErasedRows {
        subscribers_unreachable,
        subscribers_inactive,
        person_jobs_ended,
        recipient_rate_buckets,
    })
}

/// Erases, a batch at a time, the subscribers `rule` (with its cutoff as `$1`) selects.
async fn erase_subscribers_where(
    store: &SqlStore,
    rule: &str,
    cutoff_ms: i64,
    now_ms: i64,
) -> Result<u64, StoreError> {
    let select = format!("SELECT id FROM subscribers WHERE {rule} ORDER BY id LIMIT $2");
    let mut erased = 0;
    loop {
        let ids: Vec<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(select.clone()))
            .bind(cutoff_ms)
            .bind(ERASE_BATCH)
            .fetch_all(&store.pool)
            .await?;
        if ids.is_empty() {
            return Ok(erased);
        }
        let batch = ids.len() as i64;
        erased += super::subscribers_sql::erase_subscribers(store, &ids, now_ms).await?;
        if batch < ERASE_BATCH {
            return Ok(erased);
        }
    }
}

/// Records that the campaigns now scheduled, running or paused could reach these
/// (channel, segment) audiences at `now_ms`.
pub async fn mark_audience_reach(
    store: &SqlStore,
    audiences: &[(String, String)],
    now_ms: i64,
) -> Result<(), StoreError> {
    if audiences.is_empty() {
        return Ok(());
    }
    let mut tx = store.begin_write().await?;
    for (channel, segment) in audiences {
        sqlx::query(
            "INSERT INTO audience_reach (channel, segment_id, reachable_at) VALUES ($1, $2, $3)
             ON CONFLICT (channel, segment_id) DO UPDATE SET reachable_at = excluded.reachable_at",
        )
        .bind(channel.clone())
        .bind(segment.clone())
        .bind(now_ms)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
