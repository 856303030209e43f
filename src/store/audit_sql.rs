//! The audit log: entries chained by hash to the head, appended inside the transaction of
//! the change they record.

use sqlx::AnyConnection;

use super::{SqlStore, StoreError};
use crate::audit::{AuditEntry, AuditKey, KEYS_ROTATED, NewAuditEntry, PREVIOUS_KEY_FIELD};

/// Appends an audit entry inside a write transaction, chained to the head, which the first
/// statement locks (an UPDATE takes the row lock in both dialects), so concurrent appends queue.
/// With `key`, the entry's hash is an HMAC under it; once the chain is keyed, an entry under
/// another key or none is refused, since it would break the chain for every later check,
/// except under a key whose previous key is the chain's: that is a rotation, and the chain
/// moves to the new key at a `keys.rotated` entry naming the key it leaves (the entry itself
/// when it is `herald keys rotate`'s record, else one herald writes before it).
pub async fn audit_append(
    connection: &mut AnyConnection,
    key: Option<&AuditKey>,
    mut entry: NewAuditEntry,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE audit_head SET seq = seq WHERE id = 1")
        .execute(&mut *connection)
        .await?;
    let (head_seq, head_hash, head_key): (i64, String, Option<String>) =
        sqlx::query_as("SELECT seq, hash, key_id FROM audit_head WHERE id = 1")
            .fetch_one(&mut *connection)
            .await?;
    let mut head = (head_seq, head_hash);
    if let Some(chain) = head_key
        && key.is_none_or(|key| key.id() != chain)
    {
        let Some(key) = key.filter(|key| key.previous_id() == Some(chain.as_str())) else {
            return Err(StoreError::AuditKeyMismatch {
                chain,
                ours: key.map(|key| key.id().to_string()),
            });
        };
        if entry.action != KEYS_ROTATED {
            let switch = NewAuditEntry {
                at_ms: entry.at_ms,
                actor: "herald".into(),
                action: KEYS_ROTATED.into(),
                subject: "audit chain".into(),
                version: None,
                details: serde_json::json!({ "audit_key_id": key.id(), PREVIOUS_KEY_FIELD: chain }),
            };
            head = insert_row(connection, Some(key), head, switch).await?;
        }
    }
    if entry.action == KEYS_ROTATED
        && let (Some(key), Some(details)) = (key, entry.details.as_object_mut())
    {
        details.insert("audit_key_id".into(), key.id().into());
        if let Some(previous) = key.previous_id() {
            details.insert(PREVIOUS_KEY_FIELD.into(), previous.into());
        }
    }
    let key_id = key.map(|key| key.id().to_string());
    let (seq, hash) = insert_row(connection, key, head, entry).await?;
    sqlx::query("UPDATE audit_head SET seq = $1, hash = $2, key_id = $3 WHERE id = 1")
        .bind(seq)
        .bind(hash)
        .bind(key_id)
        .execute(&mut *connection)
        .await?;
    Ok(())
}

/// Inserts `entry` after `head` (sequence number and hash), keyed under `key` or plain
/// SHA-256 without one; the new head.
async fn insert_row(
    connection: &mut AnyConnection,
    key: Option<&AuditKey>,
    (head_seq, head_hash): (i64, String),
    entry: NewAuditEntry,
) -> Result<(i64, String), StoreError> {
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
    .bind(stored.key_id)
    .execute(&mut *connection)
    .await?;
    Ok((stored.seq, stored.hash))
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
