//! The vocabulary of a deployment's publication policy: which breakdowns and periods exist, and
//! how counts are protected (k, rounding, noise). `herald.toml` sets it (`crate::config`) and
//! every report is published under it (`crate::report`). It sits below both and imports
//! neither, so the configuration can name the policy without depending on the reports that
//! read the counters.

mod breakdown;
mod period;
mod policy;
mod protection;

pub use breakdown::{Breakdown, UnknownBreakdown};
pub use period::Period;
pub use policy::{NotPublished, PublicationPolicy};
pub use protection::{DEFAULT_MAX_NOISE, MAX_MAX_NOISE, MIN_K, Method, Protection};
