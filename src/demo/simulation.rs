//! The demo's weeks, on simulated time: plan every twelve hours, send what is due, jump the
//! clock to the next due send when nothing is, and once a week let the simulated people read,
//! click and leave. Time only moves when herald has nothing left to do now, so a run takes
//! seconds and every send still happens at its planned moment.

use chrono::{DateTime, Duration, Utc};

use crate::app::RunningApp;
use crate::clock::{Clock, SimulatedClock};
use crate::sandbox::Sandbox;
use crate::store::{Store, StoreError};

use super::audience::People;
use super::progress::Progress;

/// The simulated world the dispatcher runs in.
pub struct World<'a> {
    pub app: &'a RunningApp,
    pub clock: &'a SimulatedClock,
    pub partners: &'a Sandbox,
    pub people: &'a People,
    /// herald's public address, which the people's clicks go to.
    pub public: &'a str,
    pub seed: u64,
}

/// Runs from the clock's now to `end`; returns how many messages were sent.
pub async fn run_until(world: &World<'_>, end: DateTime<Utc>) -> Result<usize, StoreError> {
    let start = world.clock.now();
    let mut bar = Progress::new(start, end);
    let mut last_plan: Option<DateTime<Utc>> = None;
    let mut engaged_until = 0;
    let mut week = 0;
    let mut sent = 0usize;
    while world.clock.now() < end {
        sent += step(world, &mut last_plan, end).await?;
        let this_week = (world.clock.now() - start).num_weeks();
        if this_week > week {
            week = this_week;
            // Between sends, people read their messages, follow some links, and a few leave.
            engaged_until = world
                .people
                .engage(
                    world.partners,
                    world.public,
                    engaged_until,
                    world.seed ^ week as u64,
                )
                .await;
            world.people.some_leave(world.partners, week as u64).await;
            bar.update(world.clock.now(), sent);
        }
    }
    world
        .people
        .engage(world.partners, world.public, engaged_until, world.seed)
        .await;
    bar.finish(world.clock.now(), sent);
    Ok(sent)
}

/// One batch: plans when twelve hours have passed, sends what is due, and moves the clock to
/// the next due send (or the next plan) when nothing was.
async fn step(
    world: &World<'_>,
    last_plan: &mut Option<DateTime<Utc>>,
    end: DateTime<Utc>,
) -> Result<usize, StoreError> {
    let dispatcher = world.app.dispatcher();
    let now = world.clock.now();
    if last_plan.is_none_or(|at| now - at >= Duration::hours(12)) {
        dispatcher.plan().await?;
        *last_plan = Some(now);
    }
    let report = dispatcher.tick().await?;
    if report.leased == 0 {
        let next_plan = last_plan.unwrap_or(now) + Duration::hours(12);
        let due = world
            .app
            .store()
            .next_due_ms()
            .await?
            .and_then(DateTime::from_timestamp_millis);
        let target = due.map_or(next_plan, |due| due.min(next_plan)).min(end);
        world
            .clock
            .advance_to(target.max(now + Duration::seconds(1)));
    }
    Ok(report.sent)
}
