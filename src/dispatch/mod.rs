//! Dispatch: workers lease due jobs from the outbox, pace them through rate budgets shared by
//! every worker, publish through the partner adapters, and write outcomes back in batches.
//! Nothing is lost (a job is sent, retried, dead-lettered with the partner's words, or marked
//! unknown) and nothing is sent twice unnoticed.

mod backoff;
mod dispatcher;
mod horizon;
mod pacing;
mod planner;

pub use backoff::retry_delay;
pub use dispatcher::{DispatchSettings, Dispatcher, TickReport};
pub use horizon::{DEFAULT_HORIZON, PlanPass, plan_horizon};
pub use planner::{PlannerReport, plan_active_versions};
