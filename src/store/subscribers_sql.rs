//! The subscribers of messaging channels (sealed identifiers, keyed-hash lookups, erasure on
//! opt-out) and the fan-out of broadcast jobs into one delivery per subscriber.

use sqlx::AnyConnection;

use super::statement::Statement;
use super::{LeasedJob, NewSubscriber, SqlStore, StoreError, SubscriberCount};

/// Stores a person's opt-in inside a write transaction, or updates their locale and segment if
/// they are subscribed already; returns whether the person is new.
pub async fn save_subscriber_in(
    connection: &mut AnyConnection,
    subscriber: &NewSubscriber,
) -> Result<bool, StoreError> {
    let inserted = sqlx::query(
        "INSERT INTO subscribers (channel, lookup, sealed, locale, segment_id, subscribed_at)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (channel, lookup) DO NOTHING",
    )
    .bind(subscriber.channel.clone())
    .bind(subscriber.lookup.clone())
    .bind(subscriber.sealed.clone())
    .bind(subscriber.locale.clone())
    .bind(subscriber.segment.clone())
    .bind(subscriber.at_ms)
    .execute(&mut *connection)
    .await?
    .rows_affected();
    if inserted == 0 {
        sqlx::query(
            "UPDATE subscribers SET locale = $1, segment_id = $2, last_contact_at = $3
             WHERE channel = $4 AND lookup = $5",
        )
        .bind(subscriber.locale.clone())
        .bind(subscriber.segment.clone())
        .bind(subscriber.at_ms)
        .bind(subscriber.channel.clone())
        .bind(subscriber.lookup.clone())
        .execute(&mut *connection)
        .await?;
    }
    Ok(inserted == 1)
}

/// Erases a subscriber inside a write transaction (their sealed identifier with them) and
/// cancels every delivery still waiting for them; returns whether they existed.
pub async fn erase_subscriber_in(
    connection: &mut AnyConnection,
    channel: &str,
    lookup: &str,
    at_ms: i64,
) -> Result<bool, StoreError> {
    let id: Option<i64> = sqlx::query_scalar(
        "DELETE FROM subscribers WHERE channel = $1 AND lookup = $2 RETURNING id",
    )
    .bind(channel.to_string())
    .bind(lookup.to_string())
    .fetch_optional(&mut *connection)
    .await?;
    if let Some(id) = id {
        sqlx::query(
            "UPDATE outbox SET status = 'cancelled', finished_at = $1, last_error = 'the person opted out'
             WHERE subscriber_id = $2 AND status IN ('queued', 'leased')",
        )
        .bind(at_ms)
        .bind(id)
        .execute(&mut *connection)
        .await?;
    }
    Ok(id.is_some())
}

pub async fn save_subscriber(
    store: &SqlStore,
    subscriber: &NewSubscriber,
) -> Result<bool, StoreError> {
    let mut tx = store.begin_write().await?;
    let joined = save_subscriber_in(&mut tx, subscriber).await?;
    tx.commit().await?;
    Ok(joined)
}

pub async fn erase_subscriber(
    store: &SqlStore,
    channel: &str,
    lookup: &str,
    at_ms: i64,
) -> Result<bool, StoreError> {
    let mut tx = store.begin_write().await?;
    let erased = erase_subscriber_in(&mut tx, channel, lookup, at_ms).await?;
    tx.commit().await?;
    Ok(erased)
}

pub async fn erase_subscribers(
    store: &SqlStore,
    ids: &[i64],
    at_ms: i64,
) -> Result<u64, StoreError> {
    let mut erased = 0;
    let mut tx = store.begin_write().await?;
    for chunk in ids.chunks(500) {
        let mut delete = Statement::new(&store.dialect, "DELETE FROM subscribers WHERE id IN (");
        delete.push_list(chunk.iter().copied()).push(")");
        erased += delete.build()?.execute(&mut *tx).await?.rows_affected();
        let mut cancel = Statement::new(
            &store.dialect,
            "UPDATE outbox SET status = 'cancelled', last_error = 'the person left the channel', finished_at = ",
        );
        cancel
            .push_bind(at_ms)
            .push(" WHERE status IN ('queued', 'leased') AND subscriber_id IN (")
            .push_list(chunk.iter().copied())
            .push(")");
        cancel.build()?.execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(erased)
}

pub async fn subscriber_identities(
    store: &SqlStore,
    ids: &[i64],
) -> Result<Vec<(i64, String)>, StoreError> {
    let mut found = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let mut select = Statement::new(
            &store.dialect,
            "SELECT id, sealed FROM subscribers WHERE id IN (",
        );
        select.push_list(chunk.iter().copied()).push(")");
        let rows: Vec<(i64, String)> = select.build_query_as()?.fetch_all(&store.pool).await?;
        found.extend(rows);
    }
    Ok(found)
}

pub async fn subscriber_counts(store: &SqlStore) -> Result<Vec<SubscriberCount>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT channel, segment_id, locale, CAST(COUNT(*) AS BIGINT) AS count FROM subscribers
         GROUP BY channel, segment_id, locale ORDER BY channel, segment_id, locale",
    )
    .fetch_all(&store.pool)
    .await?)
}

pub async fn expand_broadcast(
    store: &SqlStore,
    job: &LeasedJob,
    after_id: i64,
    page: u32,
    run_at_ms: i64,
) -> Result<Option<(i64, u64)>, StoreError> {
    let mut tx = store.begin_write().await?;
    let last: Option<i64> = sqlx::query_scalar(
        "SELECT MAX(id) FROM (SELECT id FROM subscribers WHERE channel = $1 AND segment_id = $2 AND locale = $3
         AND id > $4 ORDER BY id LIMIT $5) AS page",
    )
    .bind(job.channel.clone())
    .bind(job.segment.clone())
    .bind(job.locale.clone())
    .bind(after_id)
    .bind(i64::from(page))
    .fetch_one(&mut *tx)
    .await?;
    let Some(last) = last else {
        return Ok(None);
    };
    // `AND true` lets SQLite tell the upsert clause from a join condition.
    let added = sqlx::query(
        "INSERT INTO outbox (idempotency_key, version_hash, send_id, segment_id, locale, channel, slot, run_at, subscriber_id)
         SELECT $1 || '/' || CAST(s.id AS TEXT), $2, $3, $4, $5, $6, $7, $8, s.id FROM subscribers s
         WHERE s.channel = $6 AND s.segment_id = $4 AND s.locale = $5 AND s.id > $9 AND s.id <= $10 AND true
         ON CONFLICT (idempotency_key) DO NOTHING",
    )
    .bind(job.idempotency_key.clone())
    .bind(job.version.as_str().to_string())
    .bind(job.send.clone())
    .bind(job.segment.clone())
    .bind(job.locale.clone())
    .bind(job.channel.clone())
    .bind(job.slot.timestamp())
    .bind(run_at_ms)
    .bind(after_id)
    .bind(last)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    tx.commit().await?;
    Ok(Some((last, added)))
}
