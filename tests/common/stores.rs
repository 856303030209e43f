//! Fresh stores for tests: a SQLite file in a temporary folder, always; a new PostgreSQL
//! database on the server named by `HERALD_TEST_POSTGRES_URL`, when that is set.

use herald::store::{PostgresStore, SqliteStore, Store};

pub struct Fresh<S> {
    pub store: S,
    /// The URL of this store's own database, for tests that look under the hood.
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    /// For PostgreSQL: the server URL and the database to drop afterwards.
    drop_after: Option<(String, String)>,
}

impl<S> Fresh<S> {
    /// Removes a PostgreSQL test database (SQLite's folder goes with `_dir`).
    pub async fn cleanup(self) {
        if let Some((server, name)) = self.drop_after {
            drop(self.store);
            if let Ok(admin) = sqlx::PgPool::connect(&server).await {
                let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                )))
                .execute(&admin)
                .await;
                admin.close().await;
            }
        }
    }
}

pub async fn sqlite() -> Fresh<SqliteStore> {
    let dir = tempfile::tempdir().expect("temporary folder");
    let url = format!("sqlite://{}", dir.path().join("herald.db").display());
    let store = SqliteStore::connect(&url).await.expect("open SQLite");
    store.migrate().await.expect("migrate SQLite");
    Fresh {
        store,
        url,
        _dir: Some(dir),
        drop_after: None,
    }
}

/// `None` when no PostgreSQL server is configured for tests.
pub async fn postgres() -> Option<Fresh<PostgresStore>> {
    let fresh = postgres_unmigrated().await?;
    fresh.store.migrate().await.expect("migrate PostgreSQL");
    Some(fresh)
}

/// A new, empty PostgreSQL database (not migrated) and a store connected to it; `None` when no
/// PostgreSQL server is configured for tests.
pub async fn postgres_unmigrated() -> Option<Fresh<PostgresStore>> {
    let base = std::env::var("HERALD_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty())?;
    let name = format!(
        "herald_test_{}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("time")
            .as_nanos()
    );
    let admin = sqlx::PgPool::connect(&base)
        .await
        .expect("connect to HERALD_TEST_POSTGRES_URL");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&admin)
        .await
        .expect("create a test database");
    admin.close().await;
    let url = with_database(&base, &name);
    let store = PostgresStore::connect(&url)
        .await
        .expect("connect to the test database");
    Some(Fresh {
        store,
        url,
        _dir: None,
        drop_after: Some((base, name)),
    })
}

/// The same server URL with another database name.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (url, String::new()),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let server = match base[scheme_end..].find('/') {
        Some(slash) => &base[..scheme_end + slash],
        None => base,
    };
    format!("{server}/{name}{query}")
}

/// Runs one statement on the database at `url` directly, as an operator or another release
/// would, bypassing herald's store.
pub async fn raw_execute(url: &str, sql: &'static str) {
    if url.starts_with("sqlite:") {
        let pool = sqlx::SqlitePool::connect(url).await.unwrap();
        sqlx::query(sql).execute(&pool).await.unwrap();
        pool.close().await;
    } else {
        let pool = sqlx::PgPool::connect(url).await.unwrap();
        sqlx::query(sql).execute(&pool).await.unwrap();
        pool.close().await;
    }
}

/// Runs one generic store test against SQLite and, when configured, PostgreSQL.
#[macro_export]
macro_rules! on_both_stores {
    ($($name:ident),* $(,)?) => {
        mod sqlite_store {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let fresh = $crate::common::stores::sqlite().await;
                    super::$name(fresh.store.clone(), &fresh.url).await;
                    fresh.cleanup().await;
                }
            )*
        }
        mod postgres_store {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(fresh) = $crate::common::stores::postgres().await else {
                        eprintln!("HERALD_TEST_POSTGRES_URL is not set: PostgreSQL run skipped");
                        return;
                    };
                    super::$name(fresh.store.clone(), &fresh.url).await;
                    fresh.cleanup().await;
                }
            )*
        }
    };
}
