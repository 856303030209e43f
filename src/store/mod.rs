//! Storage in domain terms. One [`Store`] trait, implemented for SQLite (the embedded default)
//! and PostgreSQL (several worker processes on one database). Most SQL is shared, written with
//! `$n` placeholders; dialect-specific SQL lives in each implementation's file.

mod any;
mod error;
mod migrations;
mod postgres;
mod records;
mod shared_sql;
mod sqlite;

use std::future::Future;

use chrono::{DateTime, Utc};

use crate::campaign::{ContentHash, VersionBundle, VersionState};
use crate::schedule::PlannedJob;

pub use any::{AnyStore, DEFAULT_DATABASE_URL, connect};
pub use error::StoreError;
pub use migrations::MigrationReport;
pub use postgres::PostgresStore;
pub use records::{JobRecord, VersionRecord};
pub use sqlite::SqliteStore;

/// What herald keeps: campaign versions, their lifecycle, and the outbox of planned jobs.
pub trait Store: Clone + Send + Sync + 'static {
    /// Applies pending migrations; refuses a database whose schema is newer than this binary.
    fn migrate(&self) -> impl Future<Output = Result<MigrationReport, StoreError>> + Send;

    /// Stores a version (as a draft) unless one with the same content hash exists; either way
    /// returns the stored version, so loading the same content twice gives the same version.
    fn save_version(
        &self,
        bundle: &VersionBundle,
        at: DateTime<Utc>,
    ) -> impl Future<Output = Result<VersionRecord, StoreError>> + Send;

    fn version(
        &self,
        hash: &ContentHash,
    ) -> impl Future<Output = Result<Option<VersionRecord>, StoreError>> + Send;

    /// A campaign's versions, oldest first.
    fn versions(
        &self,
        campaign_id: &str,
    ) -> impl Future<Output = Result<Vec<VersionRecord>, StoreError>> + Send;

    /// Moves a version to `to` if the lifecycle allows it from its current state, atomically:
    /// two concurrent transitions cannot both succeed from the same state.
    fn transition(
        &self,
        hash: &ContentHash,
        to: VersionState,
        at: DateTime<Utc>,
    ) -> impl Future<Output = Result<VersionRecord, StoreError>> + Send;

    /// Inserts jobs in batches; a job whose idempotency key exists is skipped. Returns how
    /// many were new.
    fn insert_jobs(
        &self,
        jobs: &[PlannedJob],
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// How far a version's schedule has been planned into jobs.
    fn planned_until(
        &self,
        hash: &ContentHash,
    ) -> impl Future<Output = Result<Option<DateTime<Utc>>, StoreError>> + Send;

    /// Records planning progress; it never moves backwards.
    fn set_planned_until(
        &self,
        hash: &ContentHash,
        until: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// A version's jobs in slot order.
    fn jobs_for_version(
        &self,
        hash: &ContentHash,
    ) -> impl Future<Output = Result<Vec<JobRecord>, StoreError>> + Send;
}
