//! Resolving an unknown outcome: the job's new status, who resolved it and when, the delivery
//! counter it adds and its audit entry, in one write transaction. The update only touches a job
//! that is still unknown and unresolved, so of two resolutions racing for the same job exactly
//! one wins (SQLite writes one transaction at a time; on PostgreSQL the second update waits for
//! the first's row lock and then finds the job no longer unknown).
//!
//! The counter is added on the UTC day of the resolution, never on the day the answer was
//! lost: reports publish a day only once it has settled (`report::publication_edge`), and the
//! day of a resolution is today, so no figure already published can move.

use sqlx::AnyConnection;

use super::audit_sql::audit_append;
use super::counters_sql::add_counts;
use super::outcome_resolution::{Resolution, ResolveAnswer, ResolvedOutcome};
use super::records::timestamp_ms;
use super::{DeliveryCount, SqlStore, StoreError, record_key};
use crate::audit::NewAuditEntry;

/// What marks a job re-sent after staff found, with the partner, that it never arrived.
pub const RESENT_AFTER_CHECK: &str =
    "resent after staff found with the partner that the first attempt was not delivered";

/// The job a resolution is about, as selected.
#[derive(sqlx::FromRow)]
struct UnknownJobRow {
    status: String,
    idempotency_key: String,
    version_hash: String,
    campaign_id: String,
    send_id: String,
    segment_id: String,
    locale: String,
    channel: String,
    variant: Option<String>,
    resolved_as: Option<String>,
    resolved_by: Option<String>,
    resolved_at: Option<i64>,
}

async fn job(connection: &mut AnyConnection, id: i64) -> Result<Option<UnknownJobRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT o.status, o.idempotency_key, o.version_hash, v.campaign_id, o.send_id,
                o.segment_id, o.locale, o.channel, o.variant, o.resolved_as, o.resolved_by,
                o.resolved_at
         FROM outbox o JOIN campaign_versions v ON v.hash = o.version_hash WHERE o.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *connection)
    .await?)
}

/// Why a job cannot be resolved (it is not an unresolved unknown outcome), or `None`.
fn refusal(row: Option<&UnknownJobRow>) -> Result<Option<ResolveAnswer>, StoreError> {
    let Some(row) = row else {
        return Ok(Some(ResolveAnswer::NoSuchJob));
    };
    if let Some(resolution) = &row.resolved_as {
        return Ok(Some(ResolveAnswer::AlreadyResolved {
            resolution: resolution.clone(),
            by: row.resolved_by.clone().unwrap_or_default(),
            at: row.resolved_at.map(timestamp_ms).transpose()?,
        }));
    }
    if row.status != "unknown" {
        return Ok(Some(ResolveAnswer::NotUnknown {
            status: row.status.clone(),
        }));
    }
    Ok(None)
}

pub async fn resolve_unknown(
    store: &SqlStore,
    id: i64,
    resolution: Resolution,
    by: &str,
    now_ms: i64,
) -> Result<ResolveAnswer, StoreError> {
    let mut tx = store.begin_write().await?;
    let row = job(&mut tx, id).await?;
    if let Some(refused) = refusal(row.as_ref())? {
        return Ok(refused);
    }
    let Some(row) = row else {
        return Ok(ResolveAnswer::NoSuchJob);
    };
    let resent = resolution == Resolution::NotDeliveredResent;
    let updated = sqlx::query(
        "UPDATE outbox SET status = $1, resolved_as = $2, resolved_by = $3, resolved_at = $4,
            finished_at = CASE WHEN $5 = 1 THEN NULL ELSE $4 END,
            run_at = CASE WHEN $5 = 1 THEN $4 ELSE run_at END,
            attempts = CASE WHEN $5 = 1 THEN 0 ELSE attempts END,
            may_repeat = CASE WHEN $5 = 1 THEN COALESCE(may_repeat, $6) ELSE may_repeat END,
            lease_owner = NULL, lease_until = NULL
         WHERE id = $7 AND status = 'unknown' AND resolved_as IS NULL",
    )
    .bind(resolution.status())
    .bind(resolution.name())
    .bind(by.to_string())
    .bind(now_ms)
    .bind(i32::from(resent))
    .bind(RESENT_AFTER_CHECK)
    .bind(id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if updated != 1 {
        // Another resolution got there between the read and the write.
        drop(tx);
        let mut connection = store.pool.acquire().await?;
        let row = job(&mut connection, id).await?;
        return Ok(refusal(row.as_ref())?.unwrap_or(ResolveAnswer::NoSuchJob));
    }
    let at = timestamp_ms(now_ms)?;
    let counted_on = resolution
        .counted_as()
        .map(|_| at.format("%Y-%m-%d").to_string());
    if let (Some(status), Some(day)) = (resolution.counted_as(), &counted_on) {
        add_counts(
            &mut tx,
            &[DeliveryCount {
                campaign: row.campaign_id.clone(),
                version: row.version_hash.clone(),
                send: row.send_id,
                segment: row.segment_id,
                locale: row.locale,
                channel: row.channel.clone(),
                variant: row.variant.unwrap_or_default(),
                day: day.clone(),
                status: status.to_string(),
                count: 1,
                key_sum: record_key::of_message(&row.idempotency_key),
            }],
        )
        .await?;
    }
    audit_append(
        &mut tx,
        store.audit_key(),
        NewAuditEntry {
            at_ms: now_ms,
            actor: by.to_string(),
            action: "outcome.resolved".into(),
            subject: row.campaign_id.clone(),
            version: Some(row.version_hash),
            details: serde_json::json!({
                "job": id,
                "channel": row.channel,
                "resolution": resolution.name(),
                "counted_on": counted_on,
            }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(ResolveAnswer::Resolved(ResolvedOutcome {
        id,
        campaign_id: row.campaign_id,
        resolution,
        by: by.to_string(),
        at,
        counted_on,
    }))
}
