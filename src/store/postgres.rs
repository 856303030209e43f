//! PostgreSQL, for scale-out: several `herald worker` processes on one database.

use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;

use super::shared_sql::shared_store_methods;
use super::{Store, StoreError, migrations};

/// Serialises concurrent `migrate` calls from several processes (an arbitrary constant key).
const MIGRATION_LOCK: &str = "SELECT pg_advisory_xact_lock(4815162342)";

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

impl Store for PostgresStore {
    shared_store_methods!(
        migrations = migrations::POSTGRES,
        migration_lock = Some(MIGRATION_LOCK)
    );
}
