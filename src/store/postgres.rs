//! PostgreSQL, for scale-out: several `herald worker` processes on one database.

use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;

use super::consent_sql::consent_store_methods;
use super::insights_sql::insights_store_methods;
use super::messaging_sql::{
    erase_subscriber_in, ingest_statuses_in, messaging_store_methods, save_subscriber_in,
};
use super::people_sql::{audit_append, people_store_methods};
use super::shared_sql::{add_counts, shared_store_methods};
use super::{Store, StoreError, migrations};

/// Serialises concurrent `migrate` calls from several processes (an arbitrary constant key).
const MIGRATION_LOCK: &str = "SELECT pg_advisory_xact_lock(4815162342)";

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
    LIMIT $4 FOR UPDATE OF o SKIP LOCKED
)
RETURNING id, idempotency_key, version_hash,
    (SELECT campaign_id FROM campaign_versions WHERE hash = version_hash),
    send_id, segment_id, locale, channel, slot, run_at, attempts, subscriber_id";

#[derive(Debug, Clone)]
pub struct PostgresStore {
    pool: PgPool,
}

impl PostgresStore {
    pub async fn connect(url: &str) -> Result<PostgresStore, StoreError> {
        let pool = PgPoolOptions::new().max_connections(8).connect(url).await?;
        Ok(PostgresStore { pool })
    }
}

impl PostgresStore {
    /// A write transaction (PostgreSQL's MVCC needs nothing more; row locks are taken by the
    /// statements that need them).
    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, sqlx::Error> {
        self.pool.begin().await
    }
}

impl Store for PostgresStore {
    shared_store_methods!(
        migrations = migrations::POSTGRES,
        migration_lock = Some(MIGRATION_LOCK),
        lease_sql = LEASE_DUE_JOBS
    );
    people_store_methods!();
    messaging_store_methods!();
    insights_store_methods!();
    consent_store_methods!();
}
