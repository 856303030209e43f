//! The text each job sends: rendered from its campaign version (loaded once and cached) for
//! its send, segment, locale and channel. A job whose text cannot be made goes to the dead
//! letters with the reason.

use std::fmt;
use std::sync::Arc;

use super::Dispatcher;
use crate::campaign::PreparedText;
use crate::channel::ChannelRef;
use crate::loaded_version::LoadedVersion;
use crate::store::{LeasedJob, Store, StoreError};

/// Why a job's text could not be made; shown as the job's dead letter.
#[derive(Debug)]
pub(super) enum TextError {
    /// The store failed while reading the version.
    Store(StoreError),
    /// The job's version is no longer stored (its short hash).
    VersionGone(String),
    /// The version could not be loaded, the job's channel not read, or its text not
    /// rendered: the message says which and why.
    Refused(String),
}

impl fmt::Display for TextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TextError::Store(error) => write!(f, "{error}"),
            TextError::VersionGone(version) => write!(f, "version {version} is gone"),
            TextError::Refused(message) => f.write_str(message),
        }
    }
}

impl<S: Store> Dispatcher<S> {
    /// The text `job` sends.
    pub(super) async fn prepare(&self, job: &LeasedJob) -> Result<Arc<PreparedText>, TextError> {
        let version = match self.versions.get(&job.version) {
            Some(version) => version,
            None => {
                let record = self
                    .store
                    .version(&job.version)
                    .await
                    .map_err(TextError::Store)?
                    .ok_or_else(|| TextError::VersionGone(job.version.short().to_string()))?;
                self.versions.insert(
                    LoadedVersion::load_off_the_runtime(
                        record.hash,
                        record.bundle,
                        Arc::clone(&self.config),
                    )
                    .await
                    .map_err(|e| TextError::Refused(e.to_string()))?,
                )
            }
        };
        let channel =
            ChannelRef::parse(&job.channel).map_err(|e| TextError::Refused(e.to_string()))?;
        version
            .prepare(
                &job.send,
                &job.segment,
                &job.locale,
                &channel,
                &job.idempotency_key,
                &self.config.public_url,
            )
            .map_err(|e| TextError::Refused(e.to_string()))
    }
}
