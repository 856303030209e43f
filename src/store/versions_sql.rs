//! Campaign versions: stored once per content hash, moved through their lifecycle by
//! compare-and-set with an audit entry, and how far each version's schedule was planned.

use chrono::{DateTime, Utc};

use super::audit_sql::audit_append;
use super::notifications_sql::insert_events;
use super::records::{VersionRow, timestamp};
use super::staff_events::{NewStaffEvent, StaffEventKind};
use super::statement::Statement;
use super::{SqlStore, StoreError, VersionRecord};
use crate::audit::NewAuditEntry;
use crate::campaign::{ContentHash, VersionBundle, VersionState};

pub async fn save_version(
    store: &SqlStore,
    bundle: &VersionBundle,
    at: DateTime<Utc>,
) -> Result<VersionRecord, StoreError> {
    let hash = bundle.content_hash();
    sqlx::query(
        "INSERT INTO campaign_versions (hash, campaign_id, state, bundle, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (hash) DO NOTHING",
    )
    .bind(hash.as_str().to_string())
    .bind(bundle.campaign_id.clone())
    .bind(VersionState::Draft.name())
    .bind(bundle.canonical_json())
    .bind(at.timestamp())
    .execute(&store.pool)
    .await?;
    version(store, &hash)
        .await?
        .ok_or(StoreError::UnknownVersion(hash))
}

pub async fn version(
    store: &SqlStore,
    hash: &ContentHash,
) -> Result<Option<VersionRecord>, StoreError> {
    let row: Option<VersionRow> = sqlx::query_as(
        "SELECT hash, campaign_id, state, bundle, created_at, updated_at FROM campaign_versions
         WHERE hash = $1",
    )
    .bind(hash.as_str().to_string())
    .fetch_optional(&store.pool)
    .await?;
    row.map(VersionRecord::from_row).transpose()
}

pub async fn versions(
    store: &SqlStore,
    campaign_id: &str,
) -> Result<Vec<VersionRecord>, StoreError> {
    let rows: Vec<VersionRow> = sqlx::query_as(
        "SELECT hash, campaign_id, state, bundle, created_at, updated_at FROM campaign_versions
         WHERE campaign_id = $1 ORDER BY created_at, hash",
    )
    .bind(campaign_id.to_string())
    .fetch_all(&store.pool)
    .await?;
    rows.into_iter().map(VersionRecord::from_row).collect()
}

pub async fn versions_in_states(
    store: &SqlStore,
    states: &[VersionState],
) -> Result<Vec<VersionRecord>, StoreError> {
    if states.is_empty() {
        return Ok(Vec::new());
    }
    let mut select = Statement::new(
        &store.dialect,
        "SELECT hash, campaign_id, state, bundle, created_at, updated_at FROM campaign_versions
         WHERE state IN (",
    );
    select
        .push_list(states.iter().map(|state| state.name()))
        .push(") ORDER BY created_at, hash");
    let rows: Vec<VersionRow> = select.build_query_as()?.fetch_all(&store.pool).await?;
    rows.into_iter().map(VersionRecord::from_row).collect()
}

pub async fn version_states(
    store: &SqlStore,
    states: &[VersionState],
) -> Result<Vec<(ContentHash, VersionState)>, StoreError> {
    if states.is_empty() {
        return Ok(Vec::new());
    }
    let mut select = Statement::new(
        &store.dialect,
        "SELECT hash, state FROM campaign_versions WHERE state IN (",
    );
    select
        .push_list(states.iter().map(|state| state.name()))
        .push(") ORDER BY created_at, hash");
    let rows: Vec<(String, String)> = select.build_query_as()?.fetch_all(&store.pool).await?;
    rows.into_iter()
        .map(|(hash, state)| {
            let hash = ContentHash::parse(&hash).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let state = VersionState::from_name(&state)
                .ok_or_else(|| StoreError::Corrupt(format!("unknown version state `{state}`")))?;
            Ok((hash, state))
        })
        .collect()
}

pub async fn transition(
    store: &SqlStore,
    hash: &ContentHash,
    to: VersionState,
    at: DateTime<Utc>,
    actor: &str,
) -> Result<VersionRecord, StoreError> {
    let current = version(store, hash)
        .await?
        .ok_or_else(|| StoreError::UnknownVersion(hash.clone()))?;
    current
        .state
        .check_transition(to)
        .map_err(StoreError::Transition)?;
    // Compare-and-set: only one of two racing transitions finds the old state.
    let mut tx = store.begin_write().await?;
    let updated = sqlx::query(
        "UPDATE campaign_versions SET state = $1, updated_at = $2 WHERE hash = $3 AND state = $4",
    )
    .bind(to.name())
    .bind(at.timestamp())
    .bind(hash.as_str().to_string())
    .bind(current.state.name())
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() == 0 {
        return Err(StoreError::ConcurrentChange {
            hash: hash.clone(),
            expected: current.state,
        });
    }
    let mut details = serde_json::json!({ "from": current.state.name() });
    let resumed = current.state == VersionState::Paused
        && matches!(to, VersionState::Scheduled | VersionState::Running);
    if resumed {
        let skipped = skip_slots_of_pause(&mut tx, hash, current.updated_at, at).await?;
        details["skipped_while_paused"] = serde_json::json!(skipped);
    }
    audit_append(
        &mut tx,
        store.audit_key(),
        NewAuditEntry {
            at_ms: at.timestamp_millis(),
            actor: actor.to_string(),
            action: format!("version.{}", to.name()),
            subject: current.campaign_id.clone(),
            version: Some(hash.as_str().to_string()),
            details,
        },
    )
    .await?;
    if to == VersionState::Submitted {
        // Approvers hear of it from the same transaction: no submission without its event.
        let mut event = NewStaffEvent::new(StaffEventKind::VersionSubmitted, at.timestamp_millis());
        event.campaign_id = Some(current.campaign_id.clone());
        event.version_hash = Some(hash.as_str().to_string());
        insert_events(&mut tx, &[event]).await?;
    }
    tx.commit().await?;
    version(store, hash)
        .await?
        .ok_or_else(|| StoreError::UnknownVersion(hash.clone()))
}

/// What a job skipped because its slot fell due while its version was paused says.
pub const SKIPPED_WHILE_PAUSED: &str = "skipped: it fell due while the version was paused";

/// The rule for a pause: nothing that fell due while a version was paused is sent late when it
/// resumes (a message timed for 10:00 in the audience's time zone must not arrive at 03:00).
/// Every queued job of the version that was due by the resume (its run time has passed:
/// paced sends, retries and deferrals included) or whose slot fell in the pause, and the
/// deliveries fanned out from them, is cancelled with [`SKIPPED_WHILE_PAUSED`]; planning goes
/// on from the resume, so slots of the pause that were not planned yet never are. Jobs due
/// after the resume go on. Returns how many jobs were skipped.
async fn skip_slots_of_pause(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    hash: &ContentHash,
    paused_at: DateTime<Utc>,
    resumed_at: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let skipped = sqlx::query(
        "UPDATE outbox SET status = 'cancelled', finished_at = $1, last_error = $2,
                lease_owner = NULL, lease_until = NULL
         WHERE version_hash = $3 AND status = 'queued'
           AND (run_at < $1 OR (slot >= $4 AND slot < $5))",
    )
    .bind(resumed_at.timestamp_millis())
    .bind(SKIPPED_WHILE_PAUSED)
    .bind(hash.as_str().to_string())
    .bind(paused_at.timestamp())
    .bind(resumed_at.timestamp())
    .execute(&mut **tx)
    .await?
    .rows_affected();
    sqlx::query(
        "UPDATE plan_horizon SET planned_until = $1
         WHERE version_hash = $2 AND planned_until < $1",
    )
    .bind(resumed_at.timestamp())
    .bind(hash.as_str().to_string())
    .execute(&mut **tx)
    .await?;
    Ok(skipped)
}

pub async fn planned_until(
    store: &SqlStore,
    hash: &ContentHash,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    let until: Option<i64> =
        sqlx::query_scalar("SELECT planned_until FROM plan_horizon WHERE version_hash = $1")
            .bind(hash.as_str().to_string())
            .fetch_optional(&store.pool)
            .await?;
    until.map(timestamp).transpose()
}

pub async fn set_planned_until(
    store: &SqlStore,
    hash: &ContentHash,
    until: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO plan_horizon (version_hash, planned_until) VALUES ($1, $2)
         ON CONFLICT (version_hash) DO UPDATE SET planned_until = excluded.planned_until
         WHERE plan_horizon.planned_until < excluded.planned_until",
    )
    .bind(hash.as_str().to_string())
    .bind(until.timestamp())
    .execute(&store.pool)
    .await?;
    Ok(())
}
