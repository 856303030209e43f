//! Schema migrations, embedded in the binary: `migrations/sqlite` and `migrations/postgres`,
//! applied in order by `herald migrate` and at start-up. The highest version applied is kept
//! in `herald_schema_migrations`; a database that has a higher one than this binary knows is
//! refused, so an old binary never writes into a schema it does not understand.

use serde::Serialize;
use sqlx::{Any, Transaction};

use super::{SqlStore, StoreError};

pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

pub const SQLITE: &[Migration] = &[
    Migration {
        version: 1,
        name: "versions_and_outbox",
        sql: include_str!("../../migrations/sqlite/0001_versions_and_outbox.sql"),
    },
    Migration {
        version: 2,
        name: "users_approvals_audit",
        sql: include_str!("../../migrations/sqlite/0002_users_approvals_audit.sql"),
    },
    Migration {
        version: 3,
        name: "account_secrets",
        sql: include_str!("../../migrations/sqlite/0003_account_secrets.sql"),
    },
    Migration {
        version: 4,
        name: "click_counts",
        sql: include_str!("../../migrations/sqlite/0004_click_counts.sql"),
    },
    Migration {
        version: 5,
        name: "delivery_counts",
        sql: include_str!("../../migrations/sqlite/0005_delivery_counts.sql"),
    },
    Migration {
        version: 6,
        name: "subscribers_and_callbacks",
        sql: include_str!("../../migrations/sqlite/0006_subscribers_and_callbacks.sql"),
    },
    Migration {
        version: 7,
        name: "insights_and_estimates",
        sql: include_str!("../../migrations/sqlite/0007_insights_and_estimates.sql"),
    },
    Migration {
        version: 8,
        name: "consent_event_order",
        sql: include_str!("../../migrations/sqlite/0008_consent_event_order.sql"),
    },
    Migration {
        version: 9,
        name: "deployment_marks",
        sql: include_str!("../../migrations/sqlite/0009_deployment_marks.sql"),
    },
    Migration {
        version: 10,
        name: "choice_order",
        sql: include_str!("../../migrations/sqlite/0010_choice_order.sql"),
    },
    Migration {
        version: 11,
        name: "record_keys",
        sql: include_str!("../../migrations/sqlite/0011_record_keys.sql"),
    },
    Migration {
        version: 12,
        name: "repeat_marks",
        sql: include_str!("../../migrations/sqlite/0012_repeat_marks.sql"),
    },
    Migration {
        version: 13,
        name: "web_sessions",
        sql: include_str!("../../migrations/sqlite/0013_web_sessions.sql"),
    },
    Migration {
        version: 14,
        name: "staff_notifications",
        sql: include_str!("../../migrations/sqlite/0014_staff_notifications.sql"),
    },
    Migration {
        version: 15,
        name: "outcome_resolutions",
        sql: include_str!("../../migrations/sqlite/0015_outcome_resolutions.sql"),
    },
    Migration {
        version: 16,
        name: "people_retention",
        sql: include_str!("../../migrations/sqlite/0016_people_retention.sql"),
    },
    Migration {
        version: 17,
        name: "keyed_audit",
        sql: include_str!("../../migrations/sqlite/0017_keyed_audit.sql"),
    },
    Migration {
        version: 18,
        name: "translation_strings",
        sql: include_str!("../../migrations/sqlite/0018_translation_strings.sql"),
    },
    Migration {
        version: 19,
        name: "user_language",
        sql: include_str!("../../migrations/sqlite/0019_user_language.sql"),
    },
    Migration {
        version: 20,
        name: "oauth_tokens",
        sql: include_str!("../../migrations/sqlite/0020_oauth_tokens.sql"),
    },
];

pub const POSTGRES: &[Migration] = &[
    Migration {
        version: 1,
        name: "versions_and_outbox",
        sql: include_str!("../../migrations/postgres/0001_versions_and_outbox.sql"),
    },
    Migration {
        version: 2,
        name: "users_approvals_audit",
        sql: include_str!("../../migrations/postgres/0002_users_approvals_audit.sql"),
    },
    Migration {
        version: 3,
        name: "account_secrets",
        sql: include_str!("../../migrations/postgres/0003_account_secrets.sql"),
    },
    Migration {
        version: 4,
        name: "click_counts",
        sql: include_str!("../../migrations/postgres/0004_click_counts.sql"),
    },
    Migration {
        version: 5,
        name: "delivery_counts",
        sql: include_str!("../../migrations/postgres/0005_delivery_counts.sql"),
    },
    Migration {
        version: 6,
        name: "subscribers_and_callbacks",
        sql: include_str!("../../migrations/postgres/0006_subscribers_and_callbacks.sql"),
    },
    Migration {
        version: 7,
        name: "insights_and_estimates",
        sql: include_str!("../../migrations/postgres/0007_insights_and_estimates.sql"),
    },
    Migration {
        version: 8,
        name: "consent_event_order",
        sql: include_str!("../../migrations/postgres/0008_consent_event_order.sql"),
    },
    Migration {
        version: 9,
        name: "deployment_marks",
        sql: include_str!("../../migrations/postgres/0009_deployment_marks.sql"),
    },
    Migration {
        version: 10,
        name: "choice_order",
        sql: include_str!("../../migrations/postgres/0010_choice_order.sql"),
    },
    Migration {
        version: 11,
        name: "record_keys",
        sql: include_str!("../../migrations/postgres/0011_record_keys.sql"),
    },
    Migration {
        version: 12,
        name: "repeat_marks",
        sql: include_str!("../../migrations/postgres/0012_repeat_marks.sql"),
    },
    Migration {
        version: 13,
        name: "web_sessions",
        sql: include_str!("../../migrations/postgres/0013_web_sessions.sql"),
    },
    Migration {
        version: 14,
        name: "staff_notifications",
        sql: include_str!("../../migrations/postgres/0014_staff_notifications.sql"),
    },
    Migration {
        version: 15,
        name: "outcome_resolutions",
        sql: include_str!("../../migrations/postgres/0015_outcome_resolutions.sql"),
    },
    Migration {
        version: 16,
        name: "people_retention",
        sql: include_str!("../../migrations/postgres/0016_people_retention.sql"),
    },
    Migration {
        version: 17,
        name: "keyed_audit",
        sql: include_str!("../../migrations/postgres/0017_keyed_audit.sql"),
    },
    Migration {
        version: 18,
        name: "translation_strings",
        sql: include_str!("../../migrations/postgres/0018_translation_strings.sql"),
    },
    Migration {
        version: 19,
        name: "user_language",
        sql: include_str!("../../migrations/postgres/0019_user_language.sql"),
    },
    Migration {
        version: 20,
        name: "oauth_tokens",
        sql: include_str!("../../migrations/postgres/0020_oauth_tokens.sql"),
    },
];

pub const CREATE_LEDGER: &str = "CREATE TABLE IF NOT EXISTS herald_schema_migrations (
    version    BIGINT PRIMARY KEY NOT NULL,
    name       TEXT NOT NULL,
    applied_at BIGINT NOT NULL
)";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MigrationReport {
    /// Versions applied by this call, in order.
    pub applied: Vec<i64>,
    /// The schema version now in force.
    pub current: i64,
}

/// Checks, without changing anything, that `store`'s database is at exactly this herald's
/// schema version: for commands that only read, such as checking a restored backup, which
/// must not migrate it forward under the eyes of an operator about to roll back.
pub async fn check_schema(store: &SqlStore) -> Result<i64, StoreError> {
    let known = store
        .dialect
        .migrations()
        .last()
        .map(|m| m.version)
        .unwrap_or(0);
    let found: Option<i64> =
        sqlx::query_scalar("SELECT MAX(version) FROM herald_schema_migrations")
            .fetch_one(&store.pool)
            .await
            .unwrap_or(None);
    let found = found.unwrap_or(0);
    if found > known {
        return Err(StoreError::SchemaTooNew { found, known });
    }
    if found < known {
        return Err(StoreError::SchemaTooOld { found, known });
    }
    Ok(found)
}

/// Applies the migrations `store`'s database has not had yet, in one write transaction.
///
/// Concurrent calls from several processes are serialised by the dialect's migration lock,
/// which is taken first, even before the ledger is created: two processes creating the
/// ledger of a fresh PostgreSQL database at once would otherwise race, and one would fail.
/// The ledger is created and committed on its own, as it always was, so a database whose
/// migrations were rolled back (a full disk) still has it.
pub async fn migrate(store: &SqlStore) -> Result<MigrationReport, StoreError> {
    let migrations = store.dialect.migrations();
    let mut tx = begin_migrating(store).await?;
    sqlx::raw_sql(CREATE_LEDGER).execute(&mut *tx).await?;
    tx.commit().await?;
    let mut tx = begin_migrating(store).await?;
    let current: Option<i64> =
        sqlx::query_scalar("SELECT MAX(version) FROM herald_schema_migrations")
            .fetch_one(&mut *tx)
            .await?;
    let current = current.unwrap_or(0);
    let known = migrations.last().map(|m| m.version).unwrap_or(0);
    if current > known {
        return Err(StoreError::SchemaTooNew {
            found: current,
            known,
        });
    }
    let mut applied = Vec::new();
    for migration in migrations.iter().filter(|m| m.version > current) {
        sqlx::raw_sql(migration.sql).execute(&mut *tx).await?;
        sqlx::query(
            "INSERT INTO herald_schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
        )
        .bind(migration.version)
        .bind(migration.name)
        .bind(chrono::Utc::now().timestamp())
        .execute(&mut *tx)
        .await?;
        applied.push(migration.version);
    }
    tx.commit().await?;
    Ok(MigrationReport {
        applied,
        current: known.max(current),
    })
}

/// A write transaction holding the migration lock, if the dialect has one.
async fn begin_migrating(store: &SqlStore) -> Result<Transaction<'static, Any>, sqlx::Error> {
    let mut tx = store.begin_write().await?;
    if let Some(lock) = store.dialect.migration_lock() {
        sqlx::query(lock).execute(&mut *tx).await?;
    }
    if let Some(quiet) = store.dialect.quiet_notices() {
        sqlx::query(quiet).execute(&mut *tx).await?;
    }
    Ok(tx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_dialects_have_the_same_migration_versions() {
        let versions =
            |list: &[Migration]| list.iter().map(|m| (m.version, m.name)).collect::<Vec<_>>();
        assert_eq!(versions(SQLITE), versions(POSTGRES));
        assert!(SQLITE.windows(2).all(|w| w[0].version < w[1].version));
    }
}
