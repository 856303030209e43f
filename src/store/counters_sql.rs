//! Delivery and click counters: aggregates only, added to in transactions and read back by
//! reports.

use sqlx::AnyConnection;

use super::{ClickCount, ClickKey, DeliveryCount, SqlStore, StoreError};

/// Adds delivery counters inside a write transaction.
pub async fn add_counts(
    connection: &mut AnyConnection,
    counts: &[DeliveryCount],
) -> Result<(), StoreError> {
    for c in counts {
        sqlx::query(
            "INSERT INTO delivery_counts (campaign_id, version_hash, send_id, segment_id, locale, channel, variant, day, status, count, key_sum)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
             ON CONFLICT (version_hash, send_id, segment_id, locale, channel, variant, day, status)
             DO UPDATE SET count = delivery_counts.count + excluded.count, key_sum = delivery_counts.key_sum + excluded.key_sum",
        )
        .bind(c.campaign.clone())
        .bind(c.version.clone())
        .bind(c.send.clone())
        .bind(c.segment.clone())
        .bind(c.locale.clone())
        .bind(c.channel.clone())
        .bind(c.variant.clone())
        .bind(c.day.clone())
        .bind(c.status.clone())
        .bind(c.count)
        .bind(c.key_sum)
        .execute(&mut *connection)
        .await?;
    }
    Ok(())
}

pub async fn add_delivery_counts(
    store: &SqlStore,
    counts: &[DeliveryCount],
) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await?;
    add_counts(&mut tx, counts).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn delivery_counts(
    store: &SqlStore,
    campaign_id: &str,
) -> Result<Vec<DeliveryCount>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT campaign_id, version_hash, send_id, segment_id, locale, channel, variant, day, status, count, key_sum
         FROM delivery_counts WHERE campaign_id = $1
         ORDER BY day, send_id, segment_id, locale, channel, variant, status",
    )
    .bind(campaign_id.to_string())
    .fetch_all(&store.pool)
    .await?)
}

/// A campaign's delivery counters summed over versions and sends, as selected.
#[derive(sqlx::FromRow)]
struct DeliveryTotalRow {
    segment_id: String,
    locale: String,
    channel: String,
    variant: String,
    day: String,
    status: String,
    count: i64,
    key_sum: i64,
}

pub async fn delivery_totals(
    store: &SqlStore,
    campaign_id: &str,
    by_day: bool,
) -> Result<Vec<DeliveryCount>, StoreError> {
    let sql = if by_day {
        "SELECT segment_id, locale, channel, variant, day, status,
                CAST(SUM(count) AS BIGINT) AS count, CAST(SUM(key_sum) AS BIGINT) AS key_sum
         FROM delivery_counts
         WHERE campaign_id = $1 GROUP BY segment_id, locale, channel, variant, day, status"
    } else {
        "SELECT segment_id, locale, channel, variant, '' AS day, status,
                CAST(SUM(count) AS BIGINT) AS count, CAST(SUM(key_sum) AS BIGINT) AS key_sum
         FROM delivery_counts
         WHERE campaign_id = $1 GROUP BY segment_id, locale, channel, variant, status"
    };
    let rows: Vec<DeliveryTotalRow> = sqlx::query_as(sql)
        .bind(campaign_id.to_string())
        .fetch_all(&store.pool)
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| DeliveryCount {
            campaign: campaign_id.to_string(),
            version: String::new(),
            send: String::new(),
            segment: row.segment_id,
            locale: row.locale,
            channel: row.channel,
            variant: row.variant,
            day: row.day,
            status: row.status,
            count: row.count,
            key_sum: row.key_sum,
        })
        .collect())
}

pub async fn add_click_counts(
    store: &SqlStore,
    counts: &[(ClickKey, ClickCount)],
) -> Result<(), StoreError> {
    if counts.is_empty() {
        return Ok(());
    }
    let mut tx = store.begin_write().await?;
    for (click, tally) in counts {
        sqlx::query(
            "INSERT INTO click_counts (campaign_id, send_id, variant, locale, channel, day, kind, clicks, key_sum)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT (campaign_id, send_id, variant, locale, channel, day, kind)
             DO UPDATE SET clicks = click_counts.clicks + excluded.clicks, key_sum = click_counts.key_sum + excluded.key_sum",
        )
        .bind(click.campaign.clone())
        .bind(click.send.clone())
        .bind(click.variant.clone())
        .bind(click.locale.clone())
        .bind(click.channel.clone())
        .bind(click.day.clone())
        .bind(click.kind.clone())
        .bind(tally.clicks)
        .bind(tally.key_sum)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A click counter as selected: its key's columns and its value's.
#[derive(sqlx::FromRow)]
struct ClickRow {
    #[sqlx(flatten)]
    key: ClickKey,
    #[sqlx(flatten)]
    count: ClickCount,
}

pub async fn click_counts(
    store: &SqlStore,
    campaign_id: &str,
) -> Result<Vec<(ClickKey, ClickCount)>, StoreError> {
    let rows: Vec<ClickRow> = sqlx::query_as(
        "SELECT campaign_id, send_id, variant, locale, channel, day, kind, clicks, key_sum FROM click_counts
         WHERE campaign_id = $1 ORDER BY day, send_id, variant, locale, channel, kind",
    )
    .bind(campaign_id.to_string())
    .fetch_all(&store.pool)
    .await?;
    Ok(rows.into_iter().map(|row| (row.key, row.count)).collect())
}
