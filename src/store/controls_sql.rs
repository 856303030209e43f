//! What staff and the engine do to jobs beyond sending them: the kill switch, cancelling a
//! version's jobs, the jobs that ended in a state a person must look at and their retry, and
//! the mark that this database sent to the real partners.

use super::audit_sql::audit_append;
use super::notifications_sql::insert_events;
use super::records::DeadLetterRow;
use super::staff_events::{NewStaffEvent, StaffEventKind};
use super::{DeadLetter, EndedAs, SqlStore, StoreError};
use crate::audit::NewAuditEntry;
use crate::campaign::ContentHash;

pub async fn kill_campaign(
    store: &SqlStore,
    campaign_id: &str,
    by: &str,
    at_ms: i64,
) -> Result<u64, StoreError> {
    let mut tx = store.begin_write().await?;
    sqlx::query(
        "INSERT INTO campaign_controls (campaign_id, killed_at, killed_by) VALUES ($1, $2, $3)
         ON CONFLICT (campaign_id) DO UPDATE SET killed_at = excluded.killed_at, killed_by = excluded.killed_by",
    )
    .bind(campaign_id.to_string())
    .bind(at_ms)
    .bind(by.to_string())
    .execute(&mut *tx)
    .await?;
    let cancelled = sqlx::query(
        "UPDATE outbox SET status = 'cancelled', finished_at = $1, lease_owner = NULL, lease_until = NULL,
         last_error = 'kill switch'
         WHERE status IN ('queued', 'leased')
           AND version_hash IN (SELECT hash FROM campaign_versions WHERE campaign_id = $2)",
    )
    .bind(at_ms)
    .bind(campaign_id.to_string())
    .execute(&mut *tx)
    .await?
    .rows_affected();
    audit_append(
        &mut tx,
        store.audit_key(),
        NewAuditEntry {
            at_ms,
            actor: by.to_string(),
            action: "campaign.killed".into(),
            subject: campaign_id.to_string(),
            version: None,
            details: serde_json::json!({ "cancelled_jobs": cancelled }),
        },
    )
    .await?;
    let mut event = NewStaffEvent::new(StaffEventKind::KillSwitch, at_ms);
    event.campaign_id = Some(campaign_id.to_string());
    event.count = i64::try_from(cancelled).unwrap_or(i64::MAX);
    insert_events(&mut tx, &[event]).await?;
    tx.commit().await?;
    Ok(cancelled)
}

pub async fn is_killed(store: &SqlStore, campaign_id: &str) -> Result<bool, StoreError> {
    let killed: Option<Option<i64>> =
        sqlx::query_scalar("SELECT killed_at FROM campaign_controls WHERE campaign_id = $1")
            .bind(campaign_id.to_string())
            .fetch_optional(&store.pool)
            .await?;
    Ok(killed.flatten().is_some())
}

pub async fn cancel_version_jobs(
    store: &SqlStore,
    hash: &ContentHash,
    at_ms: i64,
) -> Result<u64, StoreError> {
    Ok(sqlx::query(
        "UPDATE outbox SET status = 'cancelled', finished_at = $1, lease_owner = NULL, lease_until = NULL,
         last_error = 'version cancelled'
         WHERE version_hash = $2 AND status IN ('queued', 'leased')",
    )
    .bind(at_ms)
    .bind(hash.as_str().to_string())
    .execute(&store.pool)
    .await?
    .rows_affected())
}

/// The columns of a finished job as [`DeadLetterRow`] reads them.
const ENDED_COLUMNS: &str =
    "SELECT o.id, v.campaign_id, o.version_hash, o.send_id, o.segment_id, o.locale,
        o.channel, o.slot, o.attempts, o.error_code, o.last_error, o.finished_at, o.may_repeat
     FROM outbox o JOIN campaign_versions v ON v.hash = o.version_hash";

pub async fn jobs_ended_as(
    store: &SqlStore,
    ended: EndedAs,
    limit: u32,
) -> Result<Vec<DeadLetter>, StoreError> {
    // Dead and unknown jobs by their status (indexed), oldest end first; re-sent ones by their
    // mark, whatever their status, in the order they were planned.
    let rows: Vec<DeadLetterRow> = match ended {
        EndedAs::Dead | EndedAs::Unknown => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{ENDED_COLUMNS} WHERE o.status = $1 ORDER BY o.finished_at, o.id LIMIT $2"
            )))
            .bind(ended.status())
            .bind(i64::from(limit))
            .fetch_all(&store.pool)
            .await?
        }
        EndedAs::Resent => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{ENDED_COLUMNS} WHERE o.may_repeat IS NOT NULL ORDER BY o.id LIMIT $1"
            )))
            .bind(i64::from(limit))
            .fetch_all(&store.pool)
            .await?
        }
    };
    rows.into_iter().map(DeadLetter::from_row).collect()
}

/// One page of the jobs that ended as `ended`, in id order from just after `after_id`: a
/// cursor that stays valid while jobs are retried or resolved between pages.
pub async fn jobs_ended_as_page(
    store: &SqlStore,
    ended: EndedAs,
    after_id: i64,
    limit: u32,
) -> Result<Vec<DeadLetter>, StoreError> {
    let rows: Vec<DeadLetterRow> = match ended {
        EndedAs::Dead | EndedAs::Unknown => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{ENDED_COLUMNS} WHERE o.status = $1 AND o.id > $2 ORDER BY o.id LIMIT $3"
            )))
            .bind(ended.status())
            .bind(after_id)
            .bind(i64::from(limit))
            .fetch_all(&store.pool)
            .await?
        }
        EndedAs::Resent => sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "{ENDED_COLUMNS} WHERE o.may_repeat IS NOT NULL AND o.id > $1 ORDER BY o.id LIMIT $2"
        )))
        .bind(after_id)
        .bind(i64::from(limit))
        .fetch_all(&store.pool)
        .await?,
    };
    rows.into_iter().map(DeadLetter::from_row).collect()
}

pub async fn retry_dead(
    store: &SqlStore,
    ids: Option<&[i64]>,
    by: &str,
    now_ms: i64,
) -> Result<u64, StoreError> {
    let mut tx = store.begin_write().await?;
    let retried = match ids {
        None => sqlx::query(
            "UPDATE outbox SET status = 'queued', run_at = $1, attempts = 0, finished_at = NULL
             WHERE status = 'dead'",
        )
        .bind(now_ms)
        .execute(&mut *tx)
        .await?
        .rows_affected(),
        Some(ids) => {
            let mut retried = 0;
            for id in ids {
                retried += sqlx::query(
                    "UPDATE outbox SET status = 'queued', run_at = $1, attempts = 0, finished_at = NULL
                     WHERE id = $2 AND status = 'dead'",
                )
                .bind(now_ms)
                .bind(*id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            }
            retried
        }
    };
    if retried > 0 {
        audit_append(
            &mut tx,
            store.audit_key(),
            NewAuditEntry {
                at_ms: now_ms,
                actor: by.to_string(),
                action: "deadletters.retried".into(),
                subject: "outbox".into(),
                version: None,
                details: serde_json::json!({ "jobs": retried, "ids": ids }),
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(retried)
}

/// The marks a database keeps of how it was used to dispatch, by name.
const REAL_SENDING: &str = "real_sending";
const REHEARSAL: &str = "rehearsal";

pub async fn mark_real_sending(store: &SqlStore, at_ms: i64) -> Result<(), StoreError> {
    set_deployment_mark(store, REAL_SENDING, at_ms).await
}

pub async fn real_sending_since(store: &SqlStore) -> Result<Option<i64>, StoreError> {
    deployment_mark(store, REAL_SENDING).await
}

pub async fn mark_rehearsal(store: &SqlStore, at_ms: i64) -> Result<(), StoreError> {
    set_deployment_mark(store, REHEARSAL, at_ms).await
}

pub async fn rehearsal_since(store: &SqlStore) -> Result<Option<i64>, StoreError> {
    deployment_mark(store, REHEARSAL).await
}

/// Sets a mark; its first time is kept.
async fn set_deployment_mark(store: &SqlStore, name: &str, at_ms: i64) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO deployment_marks (name, first_at_ms) VALUES ($1, $2)
         ON CONFLICT (name) DO NOTHING",
    )
    .bind(name.to_string())
    .bind(at_ms)
    .execute(&store.pool)
    .await?;
    Ok(())
}

async fn deployment_mark(store: &SqlStore, name: &str) -> Result<Option<i64>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT first_at_ms FROM deployment_marks WHERE name = $1")
            .bind(name.to_string())
            .fetch_optional(&store.pool)
            .await?,
    )
}
