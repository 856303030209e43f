//! The audit log: entries chained by hash to the head, appended inside the transaction of
//! the change they record.

use sqlx::AnyConnection;

use super::{SqlStore, StoreError};
use crate::audit::{AuditEntry, AuditKey, NewAuditEntry};

/// Appends an audit entry inside a write transaction, chained to the head, which the first
/// statement locks (an UPDATE takes the row lock in both dialects), so concurrent appends queue.
/// With `key`, the entry's hash is an HMAC under it; once the chain is keyed, an entry under
/// another key or none is refused, since it would break the chain for every later check.
pub async fn audit_append(
    connection: &mut AnyConnection,
    key: Option<&AuditKey>,
    entry: NewAuditEntry,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE audit_head SET seq = seq WHERE id = 1")
        .execute(&mut *connection)
        .await?;
    let (head_seq, head_hash, head_key): (i64, String, Option<String>) =
        sqlx::query_as("SELECT seq, hash, key_id FROM audit_head WHERE id = 1")
            .fetch_one(&mut *connection)
            .await?;
    if let Some(chain) = head_key
        && key.is_none_or(|key| key.id() != chain)
    {
        return Err(StoreError::AuditKeyMismatch {
            chain,
            ours: key.map(|key| key.id().to_string()),
        });
    }
    let mut stored = AuditEntry {
        seq: head_seq + 1,
        at_ms: entry.at_ms,
        actor: entry.actor,
        action: entry.action,
        subject: entry.subject,
        version: entry.version,
        details: entry.details.to_string(),
        prev_hash: head_hash,
        hash: String::new(),
        key_id: key.map(|key| key.id().to_string()),
    };
    stored.hash = stored.expected_hash(key);
    sqlx::query(
        "INSERT INTO audit_log (seq, at, actor, action, subject, version_hash, details, prev_hash, hash, key_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(stored.seq)
    .bind(stored.at_ms)
    .bind(stored.actor)
    .bind(stored.action)
    .bind(stored.subject)
    .bind(stored.version)
    .bind(stored.details)
    .bind(stored.prev_hash)
    .bind(stored.hash.clone())
    .bind(stored.key_id.clone())
    .execute(&mut *connection)
    .await?;
    sqlx::query("UPDATE audit_head SET seq = $1, hash = $2, key_id = $3 WHERE id = 1")
        .bind(stored.seq)
        .bind(stored.hash)
        .bind(stored.key_id)
        .execute(&mut *connection)
        .await?;
    Ok(())
}

pub async fn append_audit(store: &SqlStore, entry: &NewAuditEntry) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await?;
    audit_append(&mut tx, store.audit_key(), entry.clone()).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn append_audit_on_change(
    store: &SqlStore,
    entry: &NewAuditEntry,
) -> Result<bool, StoreError> {
    let mut tx = store.begin_write().await?;
    sqlx::query("UPDATE audit_head SET seq = seq WHERE id = 1")
        .execute(&mut *tx)
        .await?;
    let last: Option<String> = sqlx::query_scalar(
        "SELECT details FROM audit_log WHERE action = $1 ORDER BY seq DESC LIMIT 1",
    )
    .bind(entry.action.clone())
    .fetch_optional(&mut *tx)
    .await?;
    if last.as_deref() == Some(entry.details.to_string().as_str()) {
        return Ok(false);
    }
    audit_append(&mut tx, store.audit_key(), entry.clone()).await?;
    tx.commit().await?;
    Ok(true)
}

pub async fn audit_chain_key(store: &SqlStore) -> Result<Option<String>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT key_id FROM audit_head WHERE id = 1")
            .fetch_one(&store.pool)
            .await?,
    )
}

/// An audit entry as selected.
#[derive(sqlx::FromRow)]
struct AuditRow {
    seq: i64,
    at: i64,
    actor: String,
    action: String,
    subject: String,
    version_hash: Option<String>,
    details: String,
    prev_hash: String,
    hash: String,
    key_id: Option<String>,
}

pub async fn audit_log(store: &SqlStore) -> Result<(Vec<AuditEntry>, (i64, String)), StoreError> {
    let rows: Vec<AuditRow> = sqlx::query_as(
        "SELECT seq, at, actor, action, subject, version_hash, details, prev_hash, hash, key_id
         FROM audit_log ORDER BY seq",
    )
    .fetch_all(&store.pool)
    .await?;
    let head: (i64, String) = sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1")
        .fetch_one(&store.pool)
        .await?;
    let entries = rows
        .into_iter()
        .map(|row| AuditEntry {
            seq: row.seq,
            at_ms: row.at,
            actor: row.actor,
            action: row.action,
            subject: row.subject,
            version: row.version_hash,
            details: row.details,
            prev_hash: row.prev_hash,
            hash: row.hash,
            key_id: row.key_id,
        })
        .collect();
    Ok((entries, head))
}
