//! When a worker plans: the whole upkeep every [`PLAN_EVERY`], and the versions' jobs alone at
//! once when the set of scheduled and running versions changes, so a version scheduled through
//! the API or the web interface (in this process or any other) gets its jobs within one tick
//! instead of within a minute, without every worker repeating the rest of the upkeep then.

use chrono::{DateTime, Duration, Utc};

use crate::campaign::{ContentHash, VersionState};
use crate::store::{Store, StoreError};

/// The longest time between two full planning passes of one worker.
pub const PLAN_EVERY: Duration = Duration::seconds(60);

/// Which planning a tick does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum PlanPass {
    /// The whole upkeep: expiry, late callbacks, estimates, metrics, and the versions' jobs.
    Full,
    /// Only the jobs of the scheduled and running versions.
    Versions,
}

/// What a worker planned last: when its last full pass was, and for which versions in which
/// states it last planned.
#[derive(Default)]
pub(super) struct PlanCadence {
    last_full_at: Option<DateTime<Utc>>,
    planned: Option<Vec<(ContentHash, VersionState)>>,
    seen: Vec<(ContentHash, VersionState)>,
}

impl PlanCadence {
    /// The pass due now, if any: a full one when [`PLAN_EVERY`] has passed (or never ran), the
    /// versions alone when one was scheduled, resumed, paused or ended since the last pass
    /// (one cheap query: hashes and states).
    pub(super) async fn due<S: Store>(
        &mut self,
        store: &S,
        now: DateTime<Utc>,
    ) -> Result<Option<PlanPass>, StoreError> {
        self.seen = store
            .version_states(&[VersionState::Scheduled, VersionState::Running])
            .await?;
        if self.last_full_at.is_none_or(|at| now - at >= PLAN_EVERY) {
            return Ok(Some(PlanPass::Full));
        }
        Ok((self.planned.as_ref() != Some(&self.seen)).then_some(PlanPass::Versions))
    }

    /// Notes a pass that finished; a pass that failed is noted nowhere, so it is due again.
    pub(super) fn planned(&mut self, pass: PlanPass, at: DateTime<Utc>) {
        if pass == PlanPass::Full {
            self.last_full_at = Some(at);
        }
        self.planned = Some(std::mem::take(&mut self.seen));
    }
}
