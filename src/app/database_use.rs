//! Keeping rehearsals and real sending apart on one database. A rehearsal on a database that
//! has sent to the real partners would mark real people's messages as sent to an emulator and
//! take emulated events into real data, so it needs the operator to say so explicitly; a real
//! run records on its database that it sends for real.

use crate::store::{AnyStore, Store};

use super::AppError;

/// The flag that lets a rehearsal use a database that has sent for real.
pub const ALLOW_USED_DATABASE: &str = "--allow-used-database";

/// Before a run: a rehearsal refuses a database marked as used for real sending (unless
/// `allow_used_database`); a real run marks it.
pub async fn check_database_use(
    store: &AnyStore,
    rehearsing: bool,
    allow_used_database: bool,
) -> Result<(), AppError> {
    if !rehearsing {
        let now = chrono::Utc::now().timestamp_millis();
        return store
            .mark_real_sending(now)
            .await
            .map_err(AppError::MarkRealSending);
    }
    let since = store
        .real_sending_since()
        .await
        .map_err(AppError::ReadDatabaseUse)?;
    match since {
        Some(at_ms) if !allow_used_database => {
            let since = chrono::DateTime::from_timestamp_millis(at_ms)
                .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
                .unwrap_or_else(|| "an unknown date".to_string());
            Err(AppError::UsedDatabase { since })
        }
        _ => Ok(()),
    }
}
