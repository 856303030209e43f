//! The outbox: planned jobs inserted once per idempotency key, leased by workers, marked as
//! being sent, and cleaned up after the retention window.

use super::notifications_sql::{JobsEnded, events_for_jobs};
use super::records::{JobRow, LeasedRow};
use super::statement::Statement;
use super::{Backlog, JobRecord, LeasedJob, SqlStore, StoreError};
use crate::campaign::ContentHash;
use crate::schedule::PlannedJob;

pub async fn insert_jobs(store: &SqlStore, jobs: &[PlannedJob]) -> Result<u64, StoreError> {
    // 8 values a row; 500 rows stay far below both dialects' parameter limits.
    const ROWS_PER_STATEMENT: usize = 500;
    let mut inserted = 0;
    let mut tx = store.begin_write().await?;
    for chunk in jobs.chunks(ROWS_PER_STATEMENT) {
        let mut insert = Statement::new(
            &store.dialect,
            "INSERT INTO outbox (idempotency_key, version_hash, send_id, segment_id, locale, channel, slot, run_at) ",
        );
        insert.push_values(chunk, |row, job| {
            row.push_bind(job.idempotency_key.clone())
                .push_bind(job.version.as_str().to_string())
                .push_bind(job.send.clone())
                .push_bind(job.segment.clone())
                .push_bind(job.locale.clone())
                .push_bind(job.channel.clone())
                .push_bind(job.slot.timestamp())
                .push_bind(job.slot.timestamp_millis());
        });
        insert.push(" ON CONFLICT (idempotency_key) DO NOTHING");
        inserted += insert.build()?.execute(&mut *tx).await?.rows_affected();
    }
    tx.commit().await?;
    Ok(inserted)
}

pub async fn jobs_for_version(
    store: &SqlStore,
    hash: &ContentHash,
) -> Result<Vec<JobRecord>, StoreError> {
    let rows: Vec<JobRow> = sqlx::query_as(
        "SELECT id, idempotency_key, send_id, segment_id, locale, channel, slot, status, run_at, attempts,
                variant, platform_id, error_code, last_error, may_repeat
         FROM outbox WHERE version_hash = $1 ORDER BY slot, id",
    )
    .bind(hash.as_str().to_string())
    .fetch_all(&store.pool)
    .await?;
    rows.into_iter().map(JobRecord::from_row).collect()
}

pub async fn job_counts(
    store: &SqlStore,
    hash: &ContentHash,
) -> Result<Vec<(String, String, i64)>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT channel, status, COUNT(*) FROM outbox WHERE version_hash = $1
         GROUP BY channel, status ORDER BY channel, status",
    )
    .bind(hash.as_str().to_string())
    .fetch_all(&store.pool)
    .await?)
}

/// Jobs per status, the earliest due queued job, and the rate buckets paused now.
pub async fn outbox_backlog(
    store: &SqlStore,
    now_ms: i64,
    waiting_channels: &[String],
) -> Result<Backlog, StoreError> {
    let jobs_by_status: Vec<(String, i64)> =
        sqlx::query_as("SELECT status, COUNT(*) FROM outbox GROUP BY status ORDER BY status")
            .fetch_all(&store.pool)
            .await?;
    // Only jobs a worker could lease now: those of a paused, ended or killed version, or of an
    // account still waiting for its credentials, wait on purpose and are no backlog.
    let oldest_due_ms: Option<i64> = sqlx::query_as::<_, (i64, String)>(
        "SELECT MIN(o.run_at), o.channel FROM outbox o
         JOIN campaign_versions v ON v.hash = o.version_hash
         LEFT JOIN campaign_controls c ON c.campaign_id = v.campaign_id
         WHERE o.status = 'queued' AND o.run_at <= $1
           AND v.state IN ('scheduled', 'running') AND c.killed_at IS NULL
         GROUP BY o.channel",
    )
    .bind(now_ms)
    .fetch_all(&store.pool)
    .await?
    .into_iter()
    .filter(|(_, channel)| !waiting_channels.contains(channel))
    .map(|(run_at, _)| run_at)
    .min();
    let paused_buckets: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM rate_buckets WHERE paused_until_ms > $1")
            .bind(now_ms)
            .fetch_one(&store.pool)
            .await?;
    let dead_by_code: Vec<(String, Option<String>, i64)> = sqlx::query_as(
        "SELECT channel, error_code, COUNT(*) FROM outbox WHERE status = 'dead'
         GROUP BY channel, error_code ORDER BY channel, error_code",
    )
    .fetch_all(&store.pool)
    .await?;
    Ok(Backlog {
        jobs_by_status,
        oldest_due_ms,
        paused_buckets,
        dead_by_code,
    })
}

pub async fn next_due_ms(store: &SqlStore) -> Result<Option<i64>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT MIN(run_at) FROM outbox WHERE status = 'queued'")
            .fetch_one(&store.pool)
            .await?,
    )
}

/// Leases due queued jobs of versions that are scheduled or running and not killed, earliest
/// first, with the dialect's row locking (see [`super::Dialect::skip_locked_rows`]), leaving
/// out the jobs of `waiting` channels (bound from `$5` on).
fn lease_due_jobs_sql(row_locks: &str, waiting: usize) -> String {
    let waiting = match waiting {
        0 => String::new(),
        n => {
            let places: Vec<String> = (5..5 + n).map(|i| format!("${i}")).collect();
            format!(" AND o.channel NOT IN ({})", places.join(", "))
        }
    };
    format!(
        "UPDATE outbox SET status = 'leased', lease_owner = $1, lease_until = $2
WHERE id IN (
    SELECT o.id FROM outbox o
    JOIN campaign_versions v ON v.hash = o.version_hash
    LEFT JOIN campaign_controls c ON c.campaign_id = v.campaign_id
    WHERE o.status = 'queued' AND o.run_at <= $3
      AND v.state IN ('scheduled', 'running') AND c.killed_at IS NULL{waiting}
    ORDER BY o.run_at, o.id
    LIMIT $4{row_locks}
)
RETURNING id, idempotency_key, version_hash,
    (SELECT campaign_id FROM campaign_versions WHERE hash = version_hash) AS campaign_id,
    send_id, segment_id, locale, channel, slot, run_at, attempts, subscriber_id"
    )
}

pub async fn lease_due_jobs(
    store: &SqlStore,
    owner: &str,
    now_ms: i64,
    lease_until_ms: i64,
    limit: u32,
    waiting_channels: &[String],
) -> Result<Vec<LeasedJob>, StoreError> {
    // A stopped worker's leases on jobs it never started are simply given back.
    sqlx::query(
        "UPDATE outbox SET status = 'queued', lease_owner = NULL, lease_until = NULL
         WHERE status = 'leased' AND lease_until < $1",
    )
    .bind(now_ms)
    .execute(&store.pool)
    .await?;
    let sql = lease_due_jobs_sql(&store.dialect.skip_locked_rows("o"), waiting_channels.len());
    let mut lease = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(owner.to_string())
        .bind(lease_until_ms)
        .bind(now_ms)
        .bind(i64::from(limit));
    for channel in waiting_channels {
        lease = lease.bind(channel.clone());
    }
    let rows: Vec<LeasedRow> = lease.fetch_all(&store.pool).await?;
    let mut jobs: Vec<LeasedJob> = rows
        .into_iter()
        .map(LeasedJob::from_row)
        .collect::<Result<_, _>>()?;
    jobs.sort_by_key(|j| (j.run_at_ms, j.id));
    Ok(jobs)
}

pub async fn mark_sending(
    store: &SqlStore,
    owner: &str,
    ids: &[i64],
    lease_until_ms: i64,
) -> Result<Vec<i64>, StoreError> {
    let mut marked = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(1_000) {
        let mut update = Statement::new(
            &store.dialect,
            "UPDATE outbox SET status = 'sending', lease_until = ",
        );
        update
            .push_bind(lease_until_ms)
            .push(" WHERE status = 'leased' AND lease_owner = ")
            .push_bind(owner.to_string())
            .push(" AND id IN (")
            .push_list(chunk.iter().copied())
            .push(") RETURNING id");
        let rows: Vec<(i64,)> = update.build_query_as()?.fetch_all(&store.pool).await?;
        marked.extend(rows.into_iter().map(|(id,)| id));
    }
    Ok(marked)
}

pub async fn renew_leases(
    store: &SqlStore,
    owner: &str,
    ids: &[i64],
    lease_until_ms: i64,
) -> Result<u64, StoreError> {
    let mut renewed = 0;
    let mut tx = store.begin_write().await?;
    for id in ids {
        renewed += sqlx::query(
            "UPDATE outbox SET lease_until = $1 WHERE id = $2 AND lease_owner = $3
             AND status IN ('leased', 'sending')",
        )
        .bind(lease_until_ms)
        .bind(*id)
        .bind(owner.to_string())
        .execute(&mut *tx)
        .await?
        .rows_affected();
    }
    tx.commit().await?;
    Ok(renewed)
}

pub async fn abandoned_sends(
    store: &SqlStore,
    now_ms: i64,
    limit: u32,
) -> Result<Vec<LeasedJob>, StoreError> {
    let rows: Vec<LeasedRow> = sqlx::query_as(
        "SELECT o.id, o.idempotency_key, o.version_hash, v.campaign_id, o.send_id, o.segment_id, o.locale, o.channel,
                o.slot, o.run_at, o.attempts, o.subscriber_id
         FROM outbox o JOIN campaign_versions v ON v.hash = o.version_hash
         WHERE o.status = 'sending' AND o.lease_until < $1 ORDER BY o.id LIMIT $2",
    )
    .bind(now_ms)
    .bind(i64::from(limit))
    .fetch_all(&store.pool)
    .await?;
    rows.into_iter().map(LeasedJob::from_row).collect()
}

pub async fn resolve_abandoned(
    store: &SqlStore,
    id: i64,
    resend: bool,
    now_ms: i64,
) -> Result<bool, StoreError> {
    let query = if resend {
        sqlx::query(
            "UPDATE outbox SET status = 'queued', run_at = $1, lease_owner = NULL, lease_until = NULL,
             last_error = 'worker stopped mid-send; resent with the same idempotency key',
             may_repeat = 'worker stopped mid-send; resent with the same idempotency key'
             WHERE id = $2 AND status = 'sending' AND lease_until < $1",
        )
    } else {
        sqlx::query(
            "UPDATE outbox SET status = 'unknown', finished_at = $1, lease_owner = NULL, lease_until = NULL,
             error_code = 'outcome_unknown', last_error = 'worker stopped mid-send; the platform may or may not have published it'
             WHERE id = $2 AND status = 'sending' AND lease_until < $1",
        )
    };
    let mut tx = store.begin_write().await?;
    let resolved = query
        .bind(now_ms)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected()
        == 1;
    if resolved && !resend {
        events_for_jobs(&mut tx, &store.dialect, JobsEnded::Unknown, &[id], now_ms).await?;
    }
    tx.commit().await?;
    Ok(resolved)
}

pub async fn expire_finished_jobs(store: &SqlStore, before_ms: i64) -> Result<u64, StoreError> {
    let mut tx = store.begin_write().await?;
    // The rows of messages sent to subscribers go; the moment of the last one stays with the
    // subscriber, for the rule that erases people with no contact for a long time.
    sqlx::query(
        "UPDATE subscribers SET last_contact_at = CASE
             WHEN COALESCE(last_contact_at, 0) > (SELECT MAX(o.finished_at) FROM outbox o
                 WHERE o.subscriber_id = subscribers.id AND o.status = 'sent')
             THEN last_contact_at
             ELSE (SELECT MAX(o.finished_at) FROM outbox o
                 WHERE o.subscriber_id = subscribers.id AND o.status = 'sent') END
         WHERE id IN (SELECT subscriber_id FROM outbox
             WHERE status = 'sent' AND finished_at < $1 AND subscriber_id IS NOT NULL)",
    )
    .bind(before_ms)
    .execute(&mut *tx)
    .await?;
    let expired = sqlx::query(
        "DELETE FROM outbox WHERE status IN ('sent', 'cancelled', 'expanded', 'failed') AND finished_at < $1",
    )
    .bind(before_ms)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    sqlx::query("DELETE FROM callback_receipts WHERE received_at < $1")
        .bind(before_ms)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(expired)
}
