//! Turning a send's cron expression into moments in the audience's own time zone, and those
//! moments into outbox jobs over a rolling horizon.

mod cron;
mod horizon;
mod plan;

pub use cron::CronSchedule;
pub use horizon::{DEFAULT_HORIZON, PlanPass, plan_horizon};
pub use plan::{PlannedJob, Slot, campaign_window, idempotency_key, planned_jobs, slots};
