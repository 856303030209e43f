//! How a report groups counts in time. The policy lists the periods a deployment publishes;
//! how a period labels its rows is the report's business (`crate::report`).

use serde::Serialize;

/// How counts are grouped in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Period {
    Run,
    Day,
    Week,
}

impl Period {
    /// `run`, `day` or `week`.
    pub fn parse(text: &str) -> Option<Period> {
        match text.trim() {
            "run" => Some(Period::Run),
            "day" => Some(Period::Day),
            "week" => Some(Period::Week),
            _ => None,
        }
    }

    /// The name [`Period::parse`] reads.
    pub fn name(self) -> &'static str {
        match self {
            Period::Run => "run",
            Period::Day => "day",
            Period::Week => "week",
        }
    }

    /// Whether the counters must be read per day (rather than summed over the run).
    pub fn needs_days(self) -> bool {
        self != Period::Run
    }
}
