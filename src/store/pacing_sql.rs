//! Pacing shared by all workers: rate buckets handing out send times by compare-and-set, and
//! daily caps per channel.

use super::{Reservation, SqlStore, StoreError};

pub async fn reserve_send_times(
    store: &SqlStore,
    bucket: &str,
    count: u32,
    now_ms: i64,
    interval_ms: i64,
    within_ms: i64,
) -> Result<Reservation, StoreError> {
    for _ in 0..32 {
        let row: Option<(i64, i64)> = sqlx::query_as(
            "SELECT next_free_ms, paused_until_ms FROM rate_buckets WHERE bucket = $1",
        )
        .bind(bucket.to_string())
        .fetch_optional(&store.pool)
        .await?;
        let Some((next_free, paused_until)) = row else {
            sqlx::query(
                "INSERT INTO rate_buckets (bucket, next_free_ms, paused_until_ms) VALUES ($1, 0, 0)
                 ON CONFLICT (bucket) DO NOTHING",
            )
            .bind(bucket.to_string())
            .execute(&store.pool)
            .await?;
            continue;
        };
        let reservation = Reservation::plan(
            next_free,
            paused_until,
            count,
            now_ms,
            interval_ms,
            within_ms,
        );
        if reservation.times.is_empty() {
            return Ok(reservation);
        }
        // Compare-and-set: another worker that reserved in between makes us retry.
        let updated = sqlx::query(
            "UPDATE rate_buckets SET next_free_ms = $1
             WHERE bucket = $2 AND next_free_ms = $3 AND paused_until_ms = $4",
        )
        .bind(reservation.next_free_ms)
        .bind(bucket.to_string())
        .bind(next_free)
        .bind(paused_until)
        .execute(&store.pool)
        .await?;
        if updated.rows_affected() == 1 {
            return Ok(reservation);
        }
    }
    Err(StoreError::Contended(bucket.to_string()))
}

pub async fn push_bucket(
    store: &SqlStore,
    bucket: &str,
    expected_ms: i64,
    next_free_ms: i64,
) -> Result<bool, StoreError> {
    Ok(sqlx::query(
        "UPDATE rate_buckets SET next_free_ms = $1 WHERE bucket = $2 AND next_free_ms = $3",
    )
    .bind(next_free_ms)
    .bind(bucket.to_string())
    .bind(expected_ms)
    .execute(&store.pool)
    .await?
    .rows_affected()
        == 1)
}

pub async fn pause_bucket(store: &SqlStore, bucket: &str, until_ms: i64) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO rate_buckets (bucket, next_free_ms, paused_until_ms) VALUES ($1, 0, $2)
         ON CONFLICT (bucket) DO UPDATE SET paused_until_ms = excluded.paused_until_ms
         WHERE rate_buckets.paused_until_ms < excluded.paused_until_ms",
    )
    .bind(bucket.to_string())
    .bind(until_ms)
    .execute(&store.pool)
    .await?;
    Ok(())
}

pub async fn bucket_paused_until(store: &SqlStore, bucket: &str) -> Result<i64, StoreError> {
    let until: Option<i64> =
        sqlx::query_scalar("SELECT paused_until_ms FROM rate_buckets WHERE bucket = $1")
            .bind(bucket.to_string())
            .fetch_optional(&store.pool)
            .await?;
    Ok(until.unwrap_or(0))
}

pub async fn count_daily(
    store: &SqlStore,
    channel: &str,
    day: &str,
    count: u32,
    cap: u64,
) -> Result<bool, StoreError> {
    let cap = i64::try_from(cap).unwrap_or(i64::MAX);
    let count = i64::from(count);
    if count > cap {
        return Ok(false);
    }
    let row: Option<i64> = sqlx::query_scalar(
        "INSERT INTO daily_counts (channel, day, sent) VALUES ($1, $2, $3)
         ON CONFLICT (channel, day) DO UPDATE SET sent = daily_counts.sent + excluded.sent
         WHERE daily_counts.sent + excluded.sent <= $4
         RETURNING sent",
    )
    .bind(channel.to_string())
    .bind(day.to_string())
    .bind(count)
    .bind(cap)
    .fetch_optional(&store.pool)
    .await?;
    Ok(row.is_some())
}
