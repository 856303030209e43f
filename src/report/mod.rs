//! Reach reports: the statistics and disclosure control that make them safe to publish. (The
//! report itself, its exporters and `herald report` build on these.)

mod statistics;
mod suppression;

pub use statistics::{Lift, MIN_SAMPLE, lift, rate};
pub use suppression::{Suppressed, Table, suppress};
