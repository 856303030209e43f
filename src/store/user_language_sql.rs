//! The language a person reads the web interface in: one column of their user row, set by
//! themselves (the settings page) or by an admin (`herald user set-language`), audited.

use super::audit_sql::audit_append;
use super::{SqlStore, StoreError};
use crate::audit::NewAuditEntry;

/// Sets (or with `None` clears) the interface language of the user called `name`; false when
/// there is no such user. The caller checks that `language` is one the interface has.
pub async fn set_user_language(
    store: &SqlStore,
    name: &str,
    language: Option<&str>,
    by: &str,
    at_ms: i64,
) -> Result<bool, StoreError> {
    let mut tx = store.begin_write().await?;
    let changed = sqlx::query("UPDATE users SET language = $1 WHERE name = $2")
        .bind(language.map(str::to_string))
        .bind(name.to_string())
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if changed == 0 {
        return Ok(false);
    }
    audit_append(
        &mut tx,
        store.audit_key(),
        NewAuditEntry {
            at_ms,
            actor: by.to_string(),
            action: "user.language".into(),
            subject: name.to_string(),
            version: None,
            details: serde_json::json!({ "language": language }),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}
