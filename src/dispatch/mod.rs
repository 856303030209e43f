//! Dispatch: workers lease due jobs from the outbox, pace them through rate budgets shared by
//! every worker, publish through the partner adapters, and write outcomes back in batches.
//! Nothing is lost (a job is sent, retried, dead-lettered with the partner's words, or marked
//! unknown) and nothing is sent twice unnoticed.
//!
//! The [`Dispatcher`] (`dispatcher.rs`) holds a worker's accounts and runs its loop. Its
//! periodic upkeep is in `maintenance.rs`; one tick's send pipeline starts in `send.rs` and
//! goes through `addressing.rs`, `texts.rs`, `calls.rs`, `pacing.rs`, `publish.rs`,
//! `results.rs` and `recording.rs`.

mod addressing;
mod backoff;
mod batch_outcomes;
mod calls;
mod dispatcher;
mod horizon;
mod live_accounts;
mod maintenance;
mod oauth_token_vault;
mod pacing;
mod people_retention;
mod plan_cadence;
mod planner;
mod publish;
mod recent_posts;
mod recording;
mod results;
mod route;
mod send;
mod settings;
mod texts;
mod throttle_holds;
mod tick_report;

pub use backoff::retry_delay;
pub use dispatcher::Dispatcher;
pub use horizon::{DEFAULT_HORIZON, PlanPass, plan_horizon};
pub use oauth_token_vault::StoredTokenVault;
pub use people_retention::{Sweep, SweepError, retention_cutoffs, sweep_personal_data};
pub use plan_cadence::PLAN_EVERY;
pub use planner::{PlannerReport, plan_active_versions};
pub use settings::DispatchSettings;
pub use throttle_holds::SHARED_HOLD_FRESHNESS_MS;
pub use tick_report::TickReport;
