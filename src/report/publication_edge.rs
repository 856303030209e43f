//! Which days a report may publish now: only settled, closed periods.
//!
//! Cell key noise follows from the events a cell holds. While a campaign runs, a cell that
//! gains events gets a new key and a new noise, so someone who asks for the same report again
//! and again (or who follows a public link to add clicks of their own) would collect many
//! noisy views of the cells that did not change, and could average the noise away. So a report
//! publishes only periods that can no longer change:
//! - a day once [`SETTLE_DAYS`] have passed since it (late receipts and reads come within a
//!   week; a click counts on the day it happens);
//! - an ISO week once its Sunday has settled;
//! - the whole run once the campaign's last day has settled, and then always the same days,
//!   through that last day (clicks on old links later on never change it).
//!
//! A published cell therefore reads the same on every request, forever.

use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};

use crate::publication::Period;

/// How many days after a day its counts are final.
pub const SETTLE_DAYS: u64 = 8;

/// A report that cannot be published yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotSettled {
    /// The first day on which it can be.
    pub from: NaiveDate,
    pub period: Period,
}

impl std::fmt::Display for NotSettled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.period {
            Period::Run => write!(
                f,
                "the whole run is published once the campaign has ended and its last day has settled, from {}; until then ask for --period week",
                self.from
            ),
            _ => write!(
                f,
                "nothing has settled yet; the first period is published on {}",
                self.from
            ),
        }
    }
}

impl std::error::Error for NotSettled {}

/// The last day a report of `period`, asked for at `now`, counts: every day up to it has
/// settled and lies in a closed period. `campaign_last_day` is the campaign's last day (UTC
/// date of `ends`), for the whole run.
pub fn published_through(
    period: Period,
    now: DateTime<Utc>,
    campaign_last_day: Option<NaiveDate>,
) -> Result<NaiveDate, NotSettled> {
    let settled = now
        .date_naive()
        .checked_sub_days(Days::new(SETTLE_DAYS))
        .unwrap_or(NaiveDate::MIN);
    match period {
        Period::Day => Ok(settled),
        Period::Week => {
            let back = u64::from(settled.weekday().number_from_monday() % 7);
            Ok(settled
                .checked_sub_days(Days::new(back))
                .unwrap_or(NaiveDate::MIN))
        }
        Period::Run => {
            // The campaign's last local day ends up to a day later in UTC.
            let last = campaign_last_day
                .and_then(|day| day.checked_add_days(Days::new(1)))
                .unwrap_or(NaiveDate::MAX);
            if last <= settled {
                Ok(last)
            } else {
                Err(NotSettled {
                    from: last
                        .checked_add_days(Days::new(SETTLE_DAYS))
                        .unwrap_or(NaiveDate::MAX),
                    period,
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn only_settled_days_closed_weeks_and_a_finished_run_are_published() {
        // Thursday 4 February 2027: 27 January has settled (eight days back).
        let now = Utc.with_ymd_and_hms(2027, 2, 4, 12, 0, 0).unwrap();
        assert_eq!(
            published_through(Period::Day, now, None),
            Ok(day("2027-01-27"))
        );
        // The last Sunday on or before 27 January: 24 January, the end of 2027-W03.
        assert_eq!(
            published_through(Period::Week, now, None),
            Ok(day("2027-01-24"))
        );
        let sunday = Utc.with_ymd_and_hms(2027, 2, 1, 0, 0, 0).unwrap();
        assert_eq!(
            published_through(Period::Week, sunday, None),
            Ok(day("2027-01-24"))
        );
        // A campaign ending 30 April: its run is published from 9 May, through 1 May.
        let ends = Some(day("2027-04-30"));
        let refused = published_through(Period::Run, now, ends).unwrap_err();
        assert_eq!(refused.from, day("2027-05-09"));
        assert!(refused.to_string().contains("ask for --period week"));
        let later = Utc.with_ymd_and_hms(2027, 5, 9, 0, 0, 0).unwrap();
        assert_eq!(
            published_through(Period::Run, later, ends),
            Ok(day("2027-05-01"))
        );
        let much_later = Utc.with_ymd_and_hms(2028, 1, 1, 0, 0, 0).unwrap();
        assert_eq!(
            published_through(Period::Run, much_later, ends),
            Ok(day("2027-05-01")),
            "the whole run never moves once published"
        );
        assert!(published_through(Period::Run, much_later, None).is_err());
    }
}
