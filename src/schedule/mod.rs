//! Turning a send's cron expression into moments in the audience's own time zone, and those
//! moments into outbox jobs. Which stretch of the schedule is planned when (the rolling
//! horizon, which reads and writes the store) is `dispatch::plan_horizon`.

mod plan;

pub use crate::cron::{CronError, CronSchedule};
pub use plan::{PlannedJob, Slot, campaign_window, idempotency_key, planned_jobs, slots};
