//! A PostgreSQL database of a benchmark's own on the server `HERALD_TEST_POSTGRES_URL` names,
//! created for one run and dropped after it, so runs never see each other's rows.

/// Why a PostgreSQL row is skipped when no server is configured.
pub const SKIPPED: &str = "HERALD_TEST_POSTGRES_URL not set";

/// The configured server's URL, or `None` when PostgreSQL rows are to be skipped.
pub fn server() -> Option<String> {
    std::env::var("HERALD_TEST_POSTGRES_URL")
        .ok()
        .filter(|url| !url.is_empty())
}

/// A database created for one benchmark.
pub struct BenchDatabase {
    admin: sqlx::PgPool,
    name: String,
    /// The URL of the new database, for herald's store.
    pub url: String,
}

impl BenchDatabase {
    /// Creates `herald_{purpose}_bench_{pid}` on `server` (CI removes any such name an
    /// interrupted run leaves behind).
    pub async fn create(server: &str, purpose: &str) -> BenchDatabase {
        let name = format!("herald_{purpose}_bench_{}", std::process::id());
        let admin = sqlx::PgPool::connect(server)
            .await
            .expect("connect to HERALD_TEST_POSTGRES_URL");
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
        )))
        .execute(&admin)
        .await
        .expect("drop a leftover benchmark database");
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&admin)
            .await
            .expect("create the benchmark database");
        let url = with_database(server, &name);
        BenchDatabase { admin, name, url }
    }

    /// Drops the database, closing whatever connections are still open on it.
    pub async fn drop_database(self) {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE {} WITH (FORCE)",
            self.name
        )))
        .execute(&self.admin)
        .await
        .expect("drop the benchmark database");
        self.admin.close().await;
    }
}

/// The same server URL with another database name (query parameters kept).
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
