//! Schema migrations, embedded in the binary: `migrations/sqlite` and `migrations/postgres`,
//! applied in order by `herald migrate` and at start-up. The highest version applied is kept
//! in `herald_schema_migrations`; a database that has a higher one than this binary knows is
//! refused, so an old binary never writes into a schema it does not understand.

use serde::Serialize;

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
