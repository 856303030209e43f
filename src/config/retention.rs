//! How long herald keeps what concerns single people (`[retention]` in `herald.toml`), beside
//! `retention_days` for the rows of finished deliveries:
//! - a subscriber's identifier goes once no scheduled, running or paused campaign could reach
//!   them for `unreachable_subscriber_days`, or once herald has had no contact with them for
//!   `inactive_subscriber_days` (data kept "no longer than necessary");
//! - jobs to one person that ended dead or unknown stay for staff to follow up, for
//!   `staff_days`, then go (their counters stay).

use crate::source::diagnostic::{Diagnostics, SourceFile};
use crate::source::toml_reader::TableReader;

/// The longest any of these may be: ten years.
const MAX_DAYS: u32 = 3650;

/// The periods, in days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeopleRetention {
    /// Per-person dead and unknown jobs are kept this long after they ended.
    pub staff_days: u32,
    /// A subscriber no active campaign could reach for this long is erased.
    pub unreachable_subscriber_days: u32,
    /// A subscriber herald has not heard from nor sent to for this long is erased.
    pub inactive_subscriber_days: u32,
}

impl Default for PeopleRetention {
    /// Three months for staff to follow up and for a gap between campaigns; a year without
    /// any contact.
    fn default() -> Self {
        PeopleRetention {
            staff_days: 90,
            unreachable_subscriber_days: 90,
            inactive_subscriber_days: 365,
        }
    }
}

/// `[retention]`: `staff_days`, `unreachable_subscriber_days`, `inactive_subscriber_days`.
pub(super) fn parse_retention(
    file: &SourceFile,
    table: &toml::de::DeTable<'_>,
    span: std::ops::Range<usize>,
    keys: &[&str],
    diags: &mut Diagnostics,
) -> PeopleRetention {
    let reader = TableReader::new(file, table, span, "[retention]", keys, diags);
    let mut retention = PeopleRetention::default();
    let mut read = |key: &str, into: &mut u32| {
        if let Some(value) = reader.opt_int(key, diags) {
            match u32::try_from(value.value) {
                Ok(days) if (1..=MAX_DAYS).contains(&days) => *into = days,
                _ => diags.error(
                    file,
                    value.span,
                    format!("`{key}` must be a whole number of days from 1 to {MAX_DAYS}"),
                ),
            }
        }
    };
    read("staff_days", &mut retention.staff_days);
    read(
        "unreachable_subscriber_days",
        &mut retention.unreachable_subscriber_days,
    );
    read(
        "inactive_subscriber_days",
        &mut retention.inactive_subscriber_days,
    );
    retention
}
