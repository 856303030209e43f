//! How herald protects the counts it publishes, as a deployment sets it: the method, k, the
//! rounding and the largest noise. What the numbers mean is explained by the cell key method
//! itself (`crate::report`), which applies them.

use serde::Serialize;

/// How herald protects the counts it publishes: the same for every table of every report of
/// a deployment ([`crate::report::PublicationPolicy`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Protection {
    /// Always "cell key perturbation": readers (and attack models) tell the method by it.
    pub method: Method,
    /// Counts from 1 to k−1 are suppressed (never below 5).
    pub k: u64,
    /// Published counts are rounded to the nearest multiple of this (1: no rounding).
    pub round_to: u64,
    /// The largest noise added to a count, either way.
    pub max_noise: u64,
}

/// The protection method, named in every report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Method {
    #[serde(rename = "cell key perturbation")]
    CellKeyPerturbation,
}

/// The smallest k a policy may set.
pub const MIN_K: u64 = 5;
/// The noise the default policy adds at most.
pub const DEFAULT_MAX_NOISE: u64 = 3;
/// The largest noise a policy may set.
pub const MAX_MAX_NOISE: u64 = 20;

impl Protection {
    /// k = 10, no rounding, noise up to ±3: the default publication policy.
    pub const DEFAULT: Protection = Protection {
        method: Method::CellKeyPerturbation,
        k: 10,
        round_to: 1,
        max_noise: DEFAULT_MAX_NOISE,
    };
}
