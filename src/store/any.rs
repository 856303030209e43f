//! Picking a store from a database URL at run time.

use chrono::{DateTime, Utc};

use super::{
    JobRecord, MigrationReport, PostgresStore, SqliteStore, Store, StoreError, VersionRecord,
};
use crate::campaign::{ContentHash, VersionBundle, VersionState};
use crate::schedule::PlannedJob;

pub const DEFAULT_DATABASE_URL: &str = "sqlite://herald.db";

/// Either store, chosen by URL scheme.
#[derive(Debug, Clone)]
pub enum AnyStore {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

/// Connects to `sqlite://…` or `postgres://…` (also `postgresql://…`).
pub async fn connect(url: &str) -> Result<AnyStore, StoreError> {
    if url.starts_with("sqlite:") {
        Ok(AnyStore::Sqlite(SqliteStore::connect(url).await?))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(AnyStore::Postgres(PostgresStore::connect(url).await?))
    } else {
        Err(StoreError::UnsupportedUrl(url.to_string()))
    }
}

macro_rules! delegate {
    ($self:ident, $store:ident => $call:expr) => {
        match $self {
            AnyStore::Sqlite($store) => $call.await,
            AnyStore::Postgres($store) => $call.await,
        }
    };
}

impl Store for AnyStore {
    async fn migrate(&self) -> Result<MigrationReport, StoreError> {
        delegate!(self, s => s.migrate())
    }

    async fn save_version(
        &self,
        bundle: &VersionBundle,
        at: DateTime<Utc>,
    ) -> Result<VersionRecord, StoreError> {
        delegate!(self, s => s.save_version(bundle, at))
    }

    async fn version(&self, hash: &ContentHash) -> Result<Option<VersionRecord>, StoreError> {
        delegate!(self, s => s.version(hash))
    }

    async fn versions(&self, campaign_id: &str) -> Result<Vec<VersionRecord>, StoreError> {
        delegate!(self, s => s.versions(campaign_id))
    }

    async fn transition(
        &self,
        hash: &ContentHash,
        to: VersionState,
        at: DateTime<Utc>,
    ) -> Result<VersionRecord, StoreError> {
        delegate!(self, s => s.transition(hash, to, at))
    }

    async fn insert_jobs(&self, jobs: &[PlannedJob]) -> Result<u64, StoreError> {
        delegate!(self, s => s.insert_jobs(jobs))
    }

    async fn planned_until(&self, hash: &ContentHash) -> Result<Option<DateTime<Utc>>, StoreError> {
        delegate!(self, s => s.planned_until(hash))
    }

    async fn set_planned_until(
        &self,
        hash: &ContentHash,
        until: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        delegate!(self, s => s.set_planned_until(hash, until))
    }

    async fn jobs_for_version(&self, hash: &ContentHash) -> Result<Vec<JobRecord>, StoreError> {
        delegate!(self, s => s.jobs_for_version(hash))
    }
}
