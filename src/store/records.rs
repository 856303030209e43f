//! Rows as the rest of herald sees them.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::StoreError;
use crate::campaign::{ContentHash, VersionBundle, VersionState};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VersionRecord {
    pub hash: ContentHash,
    pub campaign_id: String,
    pub state: VersionState,
    pub bundle: VersionBundle,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `(hash, campaign_id, state, bundle, created_at, updated_at)` as selected.
pub type VersionRow = (String, String, String, String, i64, i64);

impl VersionRecord {
    pub fn from_row(row: VersionRow) -> Result<VersionRecord, StoreError> {
        let (hash, campaign_id, state, bundle, created_at, updated_at) = row;
        Ok(VersionRecord {
            hash: ContentHash::parse(&hash).map_err(StoreError::Corrupt)?,
            campaign_id,
            state: VersionState::from_name(&state)
                .ok_or_else(|| StoreError::Corrupt(format!("unknown version state `{state}`")))?,
            bundle: serde_json::from_str(&bundle)
                .map_err(|e| StoreError::Corrupt(format!("version bundle: {e}")))?,
            created_at: timestamp(created_at)?,
            updated_at: timestamp(updated_at)?,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JobRecord {
    pub id: i64,
    pub idempotency_key: String,
    pub send: String,
    pub segment: String,
    pub locale: String,
    pub channel: String,
    pub slot: DateTime<Utc>,
    pub status: String,
    pub run_at: DateTime<Utc>,
    pub attempts: i32,
}

/// `(id, key, send, segment, locale, channel, slot, status, run_at, attempts)` as selected.
pub type JobRow = (
    i64,
    String,
    String,
    String,
    String,
    String,
    i64,
    String,
    i64,
    i32,
);

impl JobRecord {
    pub fn from_row(row: JobRow) -> Result<JobRecord, StoreError> {
        let (id, idempotency_key, send, segment, locale, channel, slot, status, run_at, attempts) =
            row;
        Ok(JobRecord {
            id,
            idempotency_key,
            send,
            segment,
            locale,
            channel,
            slot: timestamp(slot)?,
            status,
            run_at: timestamp(run_at)?,
            attempts,
        })
    }
}

pub fn timestamp(seconds: i64) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp(seconds, 0)
        .ok_or_else(|| StoreError::Corrupt(format!("timestamp {seconds}")))
}
