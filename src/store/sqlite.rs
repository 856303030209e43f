//! The embedded default: one SQLite file in WAL mode with a busy timeout, so the server and a
//! worker on the same machine can share it.

use std::str::FromStr;
use std::time::Duration;

use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use super::consent_sql::consent_store_methods;
use super::insights_sql::insights_store_methods;
use super::messaging_sql::{
    erase_subscriber_in, ingest_statuses_in, messaging_store_methods, save_subscriber_in,
};
use super::people_sql::{audit_append, people_store_methods};
use super::shared_sql::{add_counts, shared_store_methods};
use super::{Store, StoreError, migrations};

/// Leases due queued jobs of versions that are scheduled or running and not killed, earliest
/// first. (Jobs whose lease expired before their call started were put back in the queue by
/// `lease_due_jobs` just before.)
const LEASE_DUE_JOBS: &str =
    "UPDATE outbox SET status = 'leased', lease_owner = $1, lease_until = $2
WHERE id IN (
    SELECT o.id FROM outbox o
    JOIN campaign_versions v ON v.hash = o.version_hash
    LEFT JOIN campaign_controls c ON c.campaign_id = v.campaign_id
    WHERE o.status = 'queued' AND o.run_at <= $3
      AND v.state IN ('scheduled', 'running') AND c.killed_at IS NULL
    ORDER BY o.run_at, o.id
    LIMIT $4
)
RETURNING id, idempotency_key, version_hash,
    (SELECT campaign_id FROM campaign_versions WHERE hash = version_hash),
    send_id, segment_id, locale, channel, slot, run_at, attempts, subscriber_id";

#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    /// The database file as the URL named it, for messages about the file itself.
    file: String,
}

impl SqliteStore {
    /// Opens (creating if needed) the database at a `sqlite://FILE` URL.
    pub async fn connect(url: &str) -> Result<SqliteStore, StoreError> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        let file = options.get_filename().display().to_string();
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(|error| StoreError::from(error).in_sqlite_file(&file))?;
        Ok(SqliteStore { pool, file })
    }

    /// The database file, as given in the URL. Errors from [`Store`] methods called on this
    /// store directly do not name it; [`super::AnyStore`] adds it to those about the file.
    pub fn file(&self) -> &str {
        &self.file
    }
}

impl SqliteStore {
    /// A write transaction that takes SQLite's write lock at its start. A deferred one that
    /// reads before it writes fails at once (busy, no waiting) when another connection wrote
    /// in between; an immediate one waits its turn under the busy timeout instead.
    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error> {
        self.pool.begin_with("BEGIN IMMEDIATE").await
    }
}

impl Store for SqliteStore {
    shared_store_methods!(
        migrations = migrations::SQLITE,
        migration_lock = None,
        lease_sql = LEASE_DUE_JOBS
    );
    people_store_methods!();
    messaging_store_methods!();
    insights_store_methods!();
    consent_store_methods!();
}
