//! A dispatcher driven on the simulated clock, so that weeks of sends run in seconds.

use chrono::{DateTime, Utc};
use herald::clock::{Clock, SimulatedClock};
use herald::dispatch::Dispatcher;
use herald::store::Store;

/// Drives the simulated clock to `until` the way a worker does: plans every simulated hour,
/// dispatches whenever something is due, and otherwise jumps to the next due job or planning
/// pass. Returns how many jobs were deferred (their partner unreachable or over its rate).
pub async fn run_until<S: Store>(
    dispatcher: &Dispatcher<S>,
    store: &S,
    clock: &SimulatedClock,
    until: DateTime<Utc>,
) -> usize {
    let mut deferred = 0;
    let mut last_plan: Option<DateTime<Utc>> = None;
    while clock.now() < until {
        let now = clock.now();
        if last_plan.is_none_or(|at| now - at >= chrono::Duration::hours(1)) {
            dispatcher.plan().await.unwrap();
            last_plan = Some(now);
        }
        let report = dispatcher.tick().await.unwrap();
        deferred += report.deferred;
        if report.leased == 0 {
            let next_plan = last_plan.unwrap_or(now) + chrono::Duration::hours(1);
            let due = store
                .next_due_ms()
                .await
                .unwrap()
                .and_then(DateTime::from_timestamp_millis);
            let target = due.map_or(next_plan, |due| due.min(next_plan)).min(until);
            clock.advance_to(target.max(now + chrono::Duration::seconds(1)));
        }
    }
    deferred
}
