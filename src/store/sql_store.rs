//! The store: one pool of connections to SQLite or PostgreSQL, opened from a database URL.

use std::future::Future;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{Any, AnyPool, ConnectOptions, Executor, Transaction};

use super::StoreError;
use super::dialect::Dialect;
use crate::audit::AuditKey;

pub const DEFAULT_DATABASE_URL: &str = "sqlite://herald.db";

/// How long a SQLite connection waits for another one's write lock before giving up busy.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Herald's store, on whichever database its URL named.
#[derive(Debug, Clone)]
pub struct SqlStore {
    pub(super) pool: AnyPool,
    pub(super) dialect: Dialect,
    /// Keys the audit entries this process writes; without it they are plain SHA-256.
    pub(super) audit_key: Option<Arc<AuditKey>>,
}

/// Connects to `sqlite://…` or `postgres://…` (also `postgresql://…`).
pub async fn connect(url: &str) -> Result<SqlStore, StoreError> {
    SqlStore::connect(url).await
}

impl SqlStore {
    /// Opens the database at `url`: for `sqlite://FILE`, creating the file if needed.
    pub async fn connect(url: &str) -> Result<SqlStore, StoreError> {
        sqlx::any::install_default_drivers();
        if url.starts_with("sqlite:") {
            SqlStore::connect_sqlite(url).await
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let pool = AnyPoolOptions::new()
                .max_connections(8)
                .connect(url)
                .await?;
            super::server_settings::warn_if_autovacuum_is_off(&pool).await;
            Ok(SqlStore {
                pool,
                dialect: Dialect::Postgres,
                audit_key: None,
            })
        } else {
            Err(StoreError::UnsupportedUrl(url.to_string()))
        }
    }

    /// The embedded default: one SQLite file in WAL mode with a busy timeout, so the server
    /// and a worker on the same machine can share it. The `Any` driver takes only what a URL
    /// can say (the file and its open mode), so the rest is set on each new connection.
    async fn connect_sqlite(url: &str) -> Result<SqlStore, StoreError> {
        let options = SqliteConnectOptions::from_str(url)?.create_if_missing(true);
        let file = options.get_filename().display().to_string();
        let pool = AnyPoolOptions::new()
            .max_connections(4)
            .after_connect(|connection, _| {
                Box::pin(async move {
                    let busy_ms = SQLITE_BUSY_TIMEOUT.as_millis();
                    connection
                        .execute(sqlx::AssertSqlSafe(format!(
                            "PRAGMA busy_timeout = {busy_ms}; PRAGMA journal_mode = WAL; \
                             PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;"
                        )))
                        .await?;
                    Ok(())
                })
            })
            .connect_with(AnyConnectOptions::from_url(&options.to_url_lossy())?)
            .await
            .map_err(|error| StoreError::from(error).in_sqlite_file(&file))?;
        Ok(SqlStore {
            pool,
            dialect: Dialect::Sqlite { file },
            audit_key: None,
        })
    }

    /// This store, writing audit entries keyed with `key` (or plain, with none).
    pub fn with_audit_key(mut self, key: Option<Arc<AuditKey>>) -> SqlStore {
        self.audit_key = key;
        self
    }

    /// The key audit entries are written and checked with, when this process has one.
    pub fn audit_key(&self) -> Option<&AuditKey> {
        self.audit_key.as_deref()
    }

    /// The SQLite database file, as given in the URL; `None` on PostgreSQL.
    pub fn file(&self) -> Option<&str> {
        match &self.dialect {
            Dialect::Sqlite { file } => Some(file),
            Dialect::Postgres => None,
        }
    }

    /// A write transaction, opened as this database needs (see [`Dialect::begin_write`]).
    pub(super) async fn begin_write(&self) -> Result<Transaction<'static, Any>, sqlx::Error> {
        match self.dialect.begin_write() {
            Some(statement) => self.pool.begin_with(statement).await,
            None => self.pool.begin().await,
        }
    }

    /// Runs one store operation; a SQLite error caused by the file or its disk comes back
    /// with the file's name. Every [`super::Store`] method passes through here.
    pub(super) async fn named<T>(
        &self,
        operation: impl Future<Output = Result<T, StoreError>>,
    ) -> Result<T, StoreError> {
        operation
            .await
            .map_err(|error| self.dialect.name_file(error))
    }

    /// The store itself. `AnyStore` was once an enum of a SQLite and a PostgreSQL store, and
    /// code written then wraps a store with `AnyStore::Sqlite(store)`; the store now knows
    /// its database itself.
    #[allow(non_snake_case)]
    pub fn Sqlite(store: SqlStore) -> SqlStore {
        store
    }

    /// The store itself (see [`SqlStore::Sqlite`]).
    #[allow(non_snake_case)]
    pub fn Postgres(store: SqlStore) -> SqlStore {
        store
    }
}
