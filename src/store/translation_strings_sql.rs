//! Per-string translation records: who last changed each string of a locale to which words,
//! and in which status. An import writes its records and its audit entry in one transaction,
//! so the log never names a change the records lack, nor the other way round.

use super::audit_sql::audit_append;
use super::{SqlStore, StoreError};
use crate::audit::NewAuditEntry;
use crate::l10n::{RecordedString, StringStatus};

/// One string's new record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StringChange {
    pub string_id: String,
    pub text_sha256: String,
    pub status: StringStatus,
}

/// Records the changes as `user_id`'s at `at_ms`, with `audit`. A record for the same words
/// is replaced only when its status changes, so re-importing the same file names nobody new.
pub async fn record_translation_strings(
    store: &SqlStore,
    campaign_id: &str,
    locale: &str,
    changes: &[StringChange],
    user_id: &str,
    at_ms: i64,
    audit: NewAuditEntry,
) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await?;
    for change in changes {
        sqlx::query(
            "INSERT INTO translation_strings
                 (campaign_id, locale, string_id, text_sha256, status, changed_by, changed_ms)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (campaign_id, locale, string_id, text_sha256) DO UPDATE
                 SET status = excluded.status, changed_by = excluded.changed_by,
                     changed_ms = excluded.changed_ms
                 WHERE translation_strings.status <> excluded.status",
        )
        .bind(campaign_id.to_string())
        .bind(locale.to_string())
        .bind(change.string_id.clone())
        .bind(change.text_sha256.clone())
        .bind(change.status.name())
        .bind(user_id.to_string())
        .bind(at_ms)
        .execute(&mut *tx)
        .await?;
    }
    audit_append(&mut tx, store.audit_key(), audit).await?;
    tx.commit().await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct StringRow {
    locale: String,
    string_id: String,
    text_sha256: String,
    status: String,
    name: String,
    changed_ms: i64,
}

/// Every record of a campaign's strings, with the changer's name.
pub async fn translation_strings(
    store: &SqlStore,
    campaign_id: &str,
) -> Result<Vec<RecordedString>, StoreError> {
    let rows: Vec<StringRow> = sqlx::query_as(
        "SELECT t.locale, t.string_id, t.text_sha256, t.status, u.name, t.changed_ms
         FROM translation_strings t JOIN users u ON u.id = t.changed_by
         WHERE t.campaign_id = $1 ORDER BY t.locale, t.string_id, t.changed_ms",
    )
    .bind(campaign_id.to_string())
    .fetch_all(&store.pool)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            Some(RecordedString {
                status: StringStatus::from_name(&row.status)?,
                locale: row.locale,
                string_id: row.string_id,
                text_sha256: row.text_sha256,
                changed_by: row.name,
                changed_ms: row.changed_ms,
            })
        })
        .collect())
}
