//! Platform-reported reach: posts registered for polling, leased by one worker at a time,
//! advanced window by window; observations upserted so that reading a window twice replaces
//! the value instead of adding to it; audience estimates kept once per (version, segment,
//! channel).

use std::collections::BTreeMap;

use super::statement::Statement;
use super::{
    AudienceEstimateRecord, InsightObservation, InsightPoll, NewInsightPoll, PollOutcome,
    PollRecord, SqlStore, StoreError,
};

pub async fn add_insight_polls(
    store: &SqlStore,
    polls: &[NewInsightPoll],
) -> Result<u64, StoreError> {
    // 12 values a row; 300 rows stay far below both dialects' parameter limits.
    const ROWS: usize = 300;
    if polls.is_empty() {
        return Ok(0);
    }
    let mut added = 0;
    let mut tx = store.begin_write().await?;
    for chunk in polls.chunks(ROWS) {
        let mut insert = Statement::new(
            &store.dialect,
            "INSERT INTO insight_polls (channel, post_id, campaign_id, version_hash, send_id, segment_id, locale,
             variant, published_at, ends_at, next_window, due_at) ",
        );
        insert.push_values(chunk, |row, poll| {
            row.push_bind(poll.channel.clone())
                .push_bind(poll.post_id.clone())
                .push_bind(poll.campaign.clone())
                .push_bind(poll.version.clone())
                .push_bind(poll.send.clone())
                .push_bind(poll.segment.clone())
                .push_bind(poll.locale.clone())
                .push_bind(poll.variant.clone())
                .push_bind(poll.published_at_ms)
                .push_bind(poll.ends_at_ms)
                .push_bind(poll.window.clone())
                .push_bind(poll.due_at_ms);
        });
        insert.push(" ON CONFLICT (channel, post_id) DO NOTHING");
        added += insert.build()?.execute(&mut *tx).await?.rows_affected();
    }
    tx.commit().await?;
    Ok(added)
}

pub async fn lease_insight_polls(
    store: &SqlStore,
    owner: &str,
    now_ms: i64,
    lease_until_ms: i64,
    limit: u32,
) -> Result<Vec<InsightPoll>, StoreError> {
    // The conditions are checked again on each row: a PostgreSQL worker that waited for
    // another's row lock sees the other's lease and leaves the row alone.
    let mut polls: Vec<InsightPoll> = sqlx::query_as(
        "UPDATE insight_polls SET lease_owner = $1, lease_until = $2
         WHERE id IN (
             SELECT id FROM insight_polls
             WHERE next_window IS NOT NULL AND due_at <= $3 AND (lease_until IS NULL OR lease_until < $3)
             ORDER BY due_at, id LIMIT $4
         ) AND next_window IS NOT NULL AND due_at <= $3 AND (lease_until IS NULL OR lease_until < $3)
         RETURNING id, channel, post_id, campaign_id, version_hash, send_id, segment_id, locale, variant,
             published_at, ends_at, next_window, due_at, attempts, last_error, finished_at",
    )
    .bind(owner.to_string())
    .bind(lease_until_ms)
    .bind(now_ms)
    .bind(i64::from(limit))
    .fetch_all(&store.pool)
    .await?;
    polls.sort_by_key(|p| (p.due_at_ms, p.id));
    Ok(polls)
}

pub async fn record_insight_polls(
    store: &SqlStore,
    owner: &str,
    records: &[PollRecord],
    now_ms: i64,
) -> Result<u64, StoreError> {
    const ROWS: usize = 200;
    let mut tx = store.begin_write().await?;
    let mut held = Vec::with_capacity(records.len());
    for record in records {
        let query = match &record.outcome {
            PollOutcome::Observed { next } => sqlx::query(
                "UPDATE insight_polls SET next_window = $1, due_at = $2, finished_at = $3, attempts = 0,
                 last_error = NULL, lease_owner = NULL, lease_until = NULL
                 WHERE id = $4 AND lease_owner = $5",
            )
            .bind(next.as_ref().map(|(window, _)| window.clone()))
            .bind(next.as_ref().map(|(_, due)| *due))
            .bind(if next.is_none() { Some(now_ms) } else { None }),
            PollOutcome::Retry { due_at_ms, error } => sqlx::query(
                "UPDATE insight_polls SET due_at = $1, attempts = attempts + 1, last_error = $2,
                 lease_owner = NULL, lease_until = NULL
                 WHERE id = $3 AND lease_owner = $4",
            )
            .bind(*due_at_ms)
            .bind(error.clone()),
            PollOutcome::Ended { reason } => sqlx::query(
                "UPDATE insight_polls SET next_window = NULL, due_at = NULL, finished_at = $1, last_error = $2,
                 lease_owner = NULL, lease_until = NULL
                 WHERE id = $3 AND lease_owner = $4",
            )
            .bind(now_ms)
            .bind(reason.clone()),
        };
        let updated = query
            .bind(record.id)
            .bind(owner.to_string())
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if updated == 1 {
            held.push(record);
        }
    }
    // One row per key (the latest reading), as one statement may not upsert a row twice.
    let mut latest: BTreeMap<(String, String, String, String), &InsightObservation> =
        BTreeMap::new();
    for observation in held.iter().flat_map(|r| r.observations.iter()) {
        let key = (
            observation.channel.clone(),
            observation.post_id.clone(),
            observation.window.clone(),
            observation.metric.clone(),
        );
        let keep = latest
            .get(&key)
            .is_none_or(|seen| seen.observed_at_ms <= observation.observed_at_ms);
        if keep {
            latest.insert(key, observation);
        }
    }
    let observations: Vec<&InsightObservation> = latest.into_values().collect();
    for chunk in observations.chunks(ROWS) {
        let mut upsert = Statement::new(
            &store.dialect,
            "INSERT INTO insight_observations (campaign_id, version_hash, send_id, segment_id, locale, channel,
             variant, post_id, window_label, metric, value, api_version, observed_at) ",
        );
        upsert.push_values(chunk, |row, o| {
            row.push_bind(o.campaign.clone())
                .push_bind(o.version.clone())
                .push_bind(o.send.clone())
                .push_bind(o.segment.clone())
                .push_bind(o.locale.clone())
                .push_bind(o.channel.clone())
                .push_bind(o.variant.clone())
                .push_bind(o.post_id.clone())
                .push_bind(o.window.clone())
                .push_bind(o.metric.clone())
                .push_bind(o.value)
                .push_bind(o.api_version.clone())
                .push_bind(o.observed_at_ms);
        });
        upsert.push(
            " ON CONFLICT (channel, post_id, window_label, metric) DO UPDATE SET value = excluded.value,
             api_version = excluded.api_version, observed_at = excluded.observed_at
             WHERE insight_observations.observed_at <= excluded.observed_at",
        );
        upsert.build()?.execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(held.len() as u64)
}

pub async fn insight_polls(
    store: &SqlStore,
    campaign_id: &str,
) -> Result<Vec<InsightPoll>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, channel, post_id, campaign_id, version_hash, send_id, segment_id, locale, variant,
             published_at, ends_at, next_window, due_at, attempts, last_error, finished_at
         FROM insight_polls WHERE campaign_id = $1 ORDER BY published_at, channel, post_id",
    )
    .bind(campaign_id.to_string())
    .fetch_all(&store.pool)
    .await?)
}

pub async fn insight_observations(
    store: &SqlStore,
    campaign_id: &str,
) -> Result<Vec<InsightObservation>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT campaign_id, version_hash, send_id, segment_id, locale, channel, variant, post_id,
             window_label, metric, value, api_version, observed_at
         FROM insight_observations WHERE campaign_id = $1
         ORDER BY channel, post_id, observed_at, window_label, metric",
    )
    .bind(campaign_id.to_string())
    .fetch_all(&store.pool)
    .await?)
}

pub async fn save_audience_estimate(
    store: &SqlStore,
    estimate: &AudienceEstimateRecord,
) -> Result<bool, StoreError> {
    Ok(sqlx::query(
        "INSERT INTO audience_estimates (campaign_id, version_hash, segment_id, channel, lower_bound,
         upper_bound, daily, api_version, estimated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (version_hash, segment_id, channel) DO NOTHING",
    )
    .bind(estimate.campaign.clone())
    .bind(estimate.version.clone())
    .bind(estimate.segment.clone())
    .bind(estimate.channel.clone())
    .bind(estimate.lower)
    .bind(estimate.upper)
    .bind(estimate.daily)
    .bind(estimate.api_version.clone())
    .bind(estimate.estimated_at_ms)
    .execute(&store.pool)
    .await?
    .rows_affected()
        == 1)
}

pub async fn audience_estimates(
    store: &SqlStore,
    campaign_id: &str,
) -> Result<Vec<AudienceEstimateRecord>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT campaign_id, version_hash, segment_id, channel, lower_bound, upper_bound, daily, api_version,
             estimated_at
         FROM audience_estimates WHERE campaign_id = $1 ORDER BY estimated_at, version_hash, segment_id, channel",
    )
    .bind(campaign_id.to_string())
    .fetch_all(&store.pool)
    .await?)
}
