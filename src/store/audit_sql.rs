//! The audit log: entries chained by hash to the head, appended inside the transaction of
//! the change they record.

use sqlx::AnyConnection;

use super::{SqlStore, StoreError};
use crate::audit::{AuditEntry, NewAuditEntry, entry_hash};

/// Appends an audit entry inside a write transaction, chained to the head, which the first
/// statement locks (an UPDATE takes the row lock in both dialects), so concurrent appends queue.
pub async fn audit_append(
    connection: &mut AnyConnection,
    entry: NewAuditEntry,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE audit_head SET seq = seq WHERE id = 1")
        .execute(&mut *connection)
        .await?;
    let (head_seq, head_hash): (i64, String) =
        sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(&mut *connection)
            .await?;
    let seq = head_seq + 1;
    let details = entry.details.to_string();
    let hash = entry_hash(
        &head_hash,
        seq,
        entry.at_ms,
        &entry.actor,
        &entry.action,
        &entry.subject,
        entry.version.as_deref(),
        &details,
    );
    sqlx::query(
        "INSERT INTO audit_log (seq, at, actor, action, subject, version_hash, details, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(seq)
    .bind(entry.at_ms)
    .bind(entry.actor)
    .bind(entry.action)
    .bind(entry.subject)
    .bind(entry.version)
    .bind(details)
    .bind(head_hash)
    .bind(hash.clone())
    .execute(&mut *connection)
    .await?;
    sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
        .bind(seq)
        .bind(hash)
        .execute(&mut *connection)
        .await?;
    Ok(())
}

pub async fn append_audit(store: &SqlStore, entry: &NewAuditEntry) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await?;
    audit_append(&mut tx, entry.clone()).await?;
    tx.commit().await?;
    Ok(())
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
}

pub async fn audit_log(store: &SqlStore) -> Result<(Vec<AuditEntry>, (i64, String)), StoreError> {
    let rows: Vec<AuditRow> = sqlx::query_as(
        "SELECT seq, at, actor, action, subject, version_hash, details, prev_hash, hash
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
        })
        .collect();
    Ok((entries, head))
}
