//! How a worker behaves, in one value: production defaults, shortened by tests and by the
//! commands that run a worker in a simulation or a rehearsal.

use std::time::Duration;

use chrono::Utc;

use std::sync::Arc;

use crate::platforms::{REHEARSAL_CREDENTIAL, Rehearsal, Secret, TokenVault};

/// How a worker behaves. The defaults suit production; tests shorten them.
#[derive(Debug, Clone)]
pub struct DispatchSettings {
    /// Names this worker's leases; unique per process.
    pub worker_id: String,
    pub batch_size: u32,
    /// How long a lease lasts: a stopped worker's jobs are taken over after this.
    pub lease: Duration,
    /// How far ahead a batch may reserve paced send times (under half the lease).
    pub pacing_window: Duration,
    /// Attempts before a transiently failing job goes to the dead letters.
    pub max_attempts: i32,
    pub retry_base: Duration,
    pub retry_max: Duration,
    pub horizon: chrono::Duration,
    /// Send one job at a time in time order: required with a simulated clock, where sends
    /// move time forward; otherwise jobs go concurrently, bounded per account.
    pub sequential: bool,
    /// A rehearsal: every account's base URL is replaced by this sandbox's, and every
    /// credential by `rehearsal_credential` (real secrets never go to a sandbox).
    pub sandbox_url: Option<String>,
    /// What a rehearsal sends for every credential: the public placeholder by default, a
    /// random secret when herald runs its own sandbox (so nobody else can sign its events).
    pub rehearsal_credential: Secret,
    /// Jobs marked as being sent at once (at most; a chunk also spans at most 100 ms of paced
    /// send times); a crash leaves at most this many unknown.
    pub chunk: usize,
    /// How long the rows of sent and cancelled jobs are kept; afterwards only counters remain.
    pub retention: chrono::Duration,
    /// How long (real time) a batch already handed to the partners keeps trying to record its
    /// outcomes while the database is unreachable. Giving up leaves those messages to be
    /// recovered as "outcome unknown", so this outlasts a database restart comfortably.
    pub record_patience: Duration,
    /// Where X accounts using OAuth 2.0 keep their rotating tokens, shared by every worker on
    /// the database (sealed there with `HERALD_SECRET_KEY`). Without it, such accounts wait;
    /// a rehearsal keeps them in memory instead.
    pub token_vault: Option<Arc<dyn TokenVault>>,
}

impl Default for DispatchSettings {
    fn default() -> Self {
        DispatchSettings {
            worker_id: format!(
                "worker-{}-{}",
                std::process::id(),
                Utc::now().timestamp_millis()
            ),
            batch_size: 256,
            lease: Duration::from_secs(60),
            pacing_window: Duration::from_secs(20),
            max_attempts: 8,
            retry_base: Duration::from_secs(10),
            retry_max: Duration::from_secs(3600),
            horizon: super::DEFAULT_HORIZON,
            sequential: false,
            sandbox_url: None,
            rehearsal_credential: Secret::new(REHEARSAL_CREDENTIAL),
            chunk: 64,
            retention: chrono::Duration::days(7),
            record_patience: Duration::from_secs(600),
            token_vault: None,
        }
    }
}

impl DispatchSettings {
    /// The rehearsal the adapters are built for, if this worker rehearses against a sandbox.
    pub(super) fn rehearsal(&self) -> Option<Rehearsal<'_>> {
        self.sandbox_url.as_deref().map(|sandbox_url| Rehearsal {
            sandbox_url,
            credential: &self.rehearsal_credential,
        })
    }
}
