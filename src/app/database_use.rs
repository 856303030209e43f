//! Keeping rehearsals and real sending apart on one database. A database becomes a real one
//! or a rehearsal one when a process first dispatches on it, and each refuses the other kind:
//! - a rehearsal on a database that has sent to the real partners would mark real people's
//!   messages as sent to an emulator and take emulated events into real data, so it needs the
//!   operator to say so explicitly (and leaves the database a real one);
//! - a process that sends to the real partners on a database a rehearsal dispatched on would
//!   send the rehearsal's jobs to real people, so it is refused outright: real sending starts
//!   on a database of its own.
//!
//! A process that does not dispatch (`serve --no-dispatch`) reaches no partner and neither
//! marks nor is refused as a real one.

use crate::store::{AnyStore, Store};

use super::AppError;

/// The flag that lets a rehearsal use a database that has sent for real.
pub const ALLOW_USED_DATABASE: &str = "--allow-used-database";

/// How a process means to use its database.
#[derive(Debug, Clone, Copy)]
pub struct DatabaseUse {
    /// Nothing reaches a real partner.
    pub rehearsing: bool,
    /// The process leases and sends jobs.
    pub dispatching: bool,
    /// A rehearsal may use a database that has sent for real.
    pub allow_used_database: bool,
}

/// Before a run: a rehearsal refuses a database marked as used for real sending (unless
/// `allow_used_database`), and a dispatching rehearsal marks a fresh one as a rehearsal's; a
/// dispatching real run refuses a rehearsal's database and marks it as sending for real.
/// Each mark is read again after it is set, so two processes starting at once on a fresh
/// database cannot both go ahead with different kinds.
pub async fn check_database_use(store: &AnyStore, using: DatabaseUse) -> Result<(), AppError> {
    let now = chrono::Utc::now().timestamp_millis();
    if using.rehearsing {
        let real = store
            .real_sending_since()
            .await
            .map_err(AppError::ReadDatabaseUse)?;
        match real {
            Some(at_ms) if !using.allow_used_database => {
                return Err(AppError::UsedDatabase {
                    since: mark_time(at_ms),
                });
            }
            Some(_) => return Ok(()),
            None if using.dispatching => {
                store
                    .mark_rehearsal(now)
                    .await
                    .map_err(AppError::MarkDatabaseUse)?;
            }
            None => return Ok(()),
        }
        // A real process that started at the same moment: the database is a real one after
        // all, which a rehearsal needs to be allowed.
        return match store.real_sending_since().await {
            Ok(Some(at_ms)) if !using.allow_used_database => Err(AppError::UsedDatabase {
                since: mark_time(at_ms),
            }),
            Ok(_) => Ok(()),
            Err(error) => Err(AppError::ReadDatabaseUse(error)),
        };
    }
    if !using.dispatching {
        return Ok(());
    }
    refuse_rehearsal_database(store).await?;
    store
        .mark_real_sending(now)
        .await
        .map_err(AppError::MarkDatabaseUse)?;
    refuse_rehearsal_database(store).await
}

/// A real run on a database a rehearsal dispatched on is refused.
async fn refuse_rehearsal_database(store: &AnyStore) -> Result<(), AppError> {
    match store
        .rehearsal_since()
        .await
        .map_err(AppError::ReadDatabaseUse)?
    {
        Some(at_ms) => Err(AppError::RehearsalDatabase {
            since: mark_time(at_ms),
        }),
        None => Ok(()),
    }
}

fn mark_time(at_ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(at_ms)
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|| "an unknown date".to_string())
}
