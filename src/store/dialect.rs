//! Where SQLite and PostgreSQL differ, each difference in one place. Everything else, the SQL
//! included, is the same for both (see the module documentation of `store`).

use super::StoreError;
use super::migrations::{self, Migration};

/// The database behind a store, chosen once from its URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dialect {
    /// One file, one writer at a time. The file's name (as the URL gave it) is kept for
    /// messages about the file itself.
    Sqlite { file: String },
    /// A server shared by several worker processes.
    Postgres,
}

impl Dialect {
    /// The schema migrations written for this database.
    pub fn migrations(&self) -> &'static [Migration] {
        match self {
            Dialect::Sqlite { .. } => migrations::SQLITE,
            Dialect::Postgres => migrations::POSTGRES,
        }
    }

    /// A statement that serialises concurrent `migrate` calls from several processes until
    /// the end of the migrating transaction, taken before the migrations table is created:
    /// two processes migrating a fresh PostgreSQL database would otherwise both try to create
    /// it, and one would fail. SQLite needs none: its write transaction (see
    /// [`Dialect::begin_write`]) already holds the only write lock. (The key is an arbitrary
    /// constant.)
    pub fn migration_lock(&self) -> Option<&'static str> {
        match self {
            Dialect::Sqlite { .. } => None,
            Dialect::Postgres => Some("SELECT pg_advisory_xact_lock(4815162342)"),
        }
    }

    /// What keeps the database's notices out of the log while migrating: PostgreSQL answers
    /// the ledger's `CREATE TABLE IF NOT EXISTS` on every start with a NOTICE ("already
    /// exists, skipping") that sqlx logs, and an operator reads it as a problem. Warnings and
    /// errors still come through.
    pub fn quiet_notices(&self) -> Option<&'static str> {
        match self {
            Dialect::Sqlite { .. } => None,
            Dialect::Postgres => Some("SET LOCAL client_min_messages = warning"),
        }
    }

    /// The statement that opens a write transaction. SQLite's must take the write lock at its
    /// start (`BEGIN IMMEDIATE`): a deferred transaction that reads before it writes fails at
    /// once (busy, no waiting) when another connection wrote in between, while an immediate
    /// one waits its turn under the busy timeout. PostgreSQL's MVCC needs nothing more than a
    /// plain `BEGIN` (`None`); row locks are taken by the statements that need them.
    pub fn begin_write(&self) -> Option<&'static str> {
        match self {
            Dialect::Sqlite { .. } => Some("BEGIN IMMEDIATE"),
            Dialect::Postgres => None,
        }
    }

    /// What the job-leasing query adds to the rows it picks. PostgreSQL locks them and skips
    /// rows other workers hold, so concurrent workers lease disjoint jobs without waiting for
    /// each other; SQLite has a single writer and no such clause.
    pub fn skip_locked_rows(&self, table: &str) -> String {
        match self {
            Dialect::Sqlite { .. } => String::new(),
            Dialect::Postgres => format!(" FOR UPDATE OF {table} SKIP LOCKED"),
        }
    }

    /// Whether statements assembled at run time number their placeholders (`$1`, `$2`, …),
    /// as PostgreSQL needs. SQLite gets plain `?`, bound in order: it takes `$1` for a
    /// parameter's name, and binding by name looks each name up in a list, so the thousands of
    /// values of a multi-row insert would take time quadratic in their number. (The SQL written
    /// out in full uses `$n` for both: a few names cost nothing.)
    pub fn numbers_placeholders(&self) -> bool {
        matches!(self, Dialect::Postgres)
    }

    /// Names the SQLite file in an error caused by that file or its disk (see
    /// [`super::FileFault`]); any other error, and every PostgreSQL error, is returned
    /// unchanged.
    pub fn name_file(&self, error: StoreError) -> StoreError {
        match self {
            Dialect::Sqlite { file } => error.in_sqlite_file(file),
            Dialect::Postgres => error,
        }
    }
}
