//! When a worker plans: every [`PLAN_EVERY`], and at once when the set of scheduled and
//! running versions changes, so a version scheduled through the API or the web interface (in
//! this process or any other) gets its jobs within one tick instead of within a minute.

use chrono::{DateTime, Duration, Utc};

use crate::campaign::{ContentHash, VersionState};
use crate::store::{Store, StoreError};

/// The longest time between two planning passes of one worker.
pub const PLAN_EVERY: Duration = Duration::seconds(60);

/// What a worker planned last: when, and for which versions in which states.
#[derive(Default)]
pub(super) struct PlanCadence {
    last_at: Option<DateTime<Utc>>,
    active: Vec<(ContentHash, VersionState)>,
}

impl PlanCadence {
    /// Whether to plan now: never planned, [`PLAN_EVERY`] passed, or a version was scheduled,
    /// resumed, paused or ended since the last pass (one cheap query: hashes and states).
    pub(super) async fn due<S: Store>(
        &mut self,
        store: &S,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let active = store
            .version_states(&[VersionState::Scheduled, VersionState::Running])
            .await?;
        let changed = active != self.active;
        self.active = active;
        Ok(changed || self.last_at.is_none_or(|at| now - at >= PLAN_EVERY))
    }

    /// Notes a finished pass.
    pub(super) fn planned(&mut self, at: DateTime<Utc>) {
        self.last_at = Some(at);
    }
}
