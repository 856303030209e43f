//! Standard 5-field crontab expressions (minute hour day-of-month month day-of-week, with
//! Monday = 1 and Sunday = 0 or 7), evaluated in a time zone by croner: a local time that a
//! daylight-saving jump skips still fires once, and a repeated hour fires only once.

use std::fmt;

use chrono::{DateTime, Datelike, Duration, LocalResult, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use croner::Cron;
use croner::parser::{CronParser, Seconds, Year};

/// Why a pattern is not a standard 5-field cron expression, in words an author can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CronError {
    #[error(
        "cron `{pattern}` has {fields} field{}; write the standard five: minute hour day-of-month month day-of-week (for example `0 10 * * MON,THU`)",
        if *.fields == 1 { "" } else { "s" }
    )]
    FieldCount { pattern: String, fields: usize },
    /// A field is out of range or unreadable: `reason` names the field and what it takes.
    #[error("invalid cron `{pattern}`: {reason}")]
    Invalid { pattern: String, reason: String },
}

#[derive(Clone)]
pub struct CronSchedule {
    pattern: String,
    cron: Cron,
    /// The hours and minutes the pattern fires at, for fast day-by-day expansion.
    hours: Vec<u32>,
    minutes: Vec<u32>,
}

impl fmt::Debug for CronSchedule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CronSchedule({:?})", self.pattern)
    }
}

impl PartialEq for CronSchedule {
    fn eq(&self, other: &Self) -> bool {
        self.pattern == other.pattern
    }
}

impl CronSchedule {
    /// Parses a 5-field expression; the error says what is wrong in words an author can act on.
    pub fn parse(pattern: &str) -> Result<CronSchedule, CronError> {
        let fields = pattern.split_whitespace().count();
        if fields != 5 {
            return Err(CronError::FieldCount {
                pattern: pattern.to_string(),
                fields,
            });
        }
        let parser = CronParser::builder()
            .seconds(Seconds::Disallowed)
            .year(Year::Disallowed)
            .build();
        let cron = parser.parse(pattern).map_err(|error| CronError::Invalid {
            pattern: pattern.to_string(),
            reason: locate_field(&parser, pattern, &error),
        })?;
        let hours = (0..24)
            .filter(|h| cron.pattern.hour_match(*h).unwrap_or(false))
            .collect();
        let minutes = (0..60)
            .filter(|m| cron.pattern.minute_match(*m).unwrap_or(false))
            .collect();
        Ok(CronSchedule {
            pattern: pattern.to_string(),
            cron,
            hours,
            minutes,
        })
    }

    /// Every firing in `[from, until)`, in the time zone `tz`, in order.
    ///
    /// Walks the calendar day by day instead of searching minute by minute, so a year of
    /// schedules costs a few hundred day checks. Daylight-saving rules: a local time that a
    /// spring-forward skips fires once, at the first valid time after the gap; a local time
    /// that a fall-back repeats fires once, at its first occurrence; two firings that land on
    /// the same instant (02:30 snapped to 03:00 beside a 03:00 firing) count once.
    pub fn firings_between(
        &self,
        tz: Tz,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Vec<DateTime<Tz>> {
        let mut out: Vec<DateTime<Tz>> = Vec::new();
        if from >= until {
            return out;
        }
        let first_day = from.with_timezone(&tz).date_naive() - Duration::days(1);
        let last_day = until.with_timezone(&tz).date_naive() + Duration::days(1);
        let pattern = &self.cron.pattern;
        let mut day: NaiveDate = first_day;
        while day <= last_day {
            let matches = pattern.month_match(day.month()).unwrap_or(false)
                && pattern
                    .day_match(day.year(), day.month(), day.day())
                    .unwrap_or(false);
            if matches {
                for &hour in &self.hours {
                    for &minute in &self.minutes {
                        let Some(local) = day.and_hms_opt(hour, minute, 0) else {
                            continue;
                        };
                        let Some(at) = resolve_local(tz, local) else {
                            continue;
                        };
                        let utc = at.with_timezone(&Utc);
                        if utc >= from && utc < until && out.last() != Some(&at) {
                            out.push(at);
                        }
                    }
                }
            }
            day += Duration::days(1);
        }
        out
    }

    pub fn pattern(&self) -> &str {
        &self.pattern
    }

    /// The first firing strictly after `after`, in the time zone of `after`.
    pub fn next_after<Tz: TimeZone>(&self, after: &DateTime<Tz>) -> Option<DateTime<Tz>> {
        self.cron.find_next_occurrence(after, false).ok()
    }
}

/// A local wall-clock time as an instant: the earlier one when it happens twice, the first
/// valid time after the gap when it does not happen at all.
fn resolve_local(tz: Tz, local: chrono::NaiveDateTime) -> Option<DateTime<Tz>> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(at) => Some(at),
        LocalResult::Ambiguous(earliest, _) => Some(earliest),
        LocalResult::None => {
            // Gaps are at most a few hours long; step minute by minute to their end.
            let mut probe = local;
            for _ in 0..(4 * 60) {
                probe += Duration::minutes(1);
                match tz.from_local_datetime(&probe) {
                    LocalResult::Single(at) => return Some(at),
                    LocalResult::Ambiguous(earliest, _) => return Some(earliest),
                    LocalResult::None => {}
                }
            }
            None
        }
    }
}

/// Names the field at fault by parsing each field alone with the others set to `*`.
fn locate_field(parser: &CronParser, pattern: &str, error: &croner::errors::CronError) -> String {
    const FIELDS: [(&str, &str); 5] = [
        ("minute", "0-59"),
        ("hour", "0-23"),
        ("day-of-month", "1-31"),
        ("month", "1-12 or JAN-DEC"),
        ("day-of-week", "0-7 or SUN-SAT, Monday = 1"),
    ];
    let fields: Vec<&str> = pattern.split_whitespace().collect();
    for (index, (name, range)) in FIELDS.iter().enumerate() {
        let alone: Vec<&str> = (0..5)
            .map(|i| if i == index { fields[i] } else { "*" })
            .collect();
        if let Err(field_error) = parser.parse(&alone.join(" ")) {
            return format!(
                "{name} field `{}`: {} ({name} takes {range})",
                fields[index],
                describe(&field_error)
            );
        }
    }
    describe(error)
}

fn describe(error: &croner::errors::CronError) -> String {
    use croner::errors::CronError;
    match error {
        CronError::ComponentError(message)
        | CronError::InvalidPattern(message)
        | CronError::IllegalCharacters(message) => {
            let message = message.trim_end_matches('.');
            let mut chars = message.chars();
            match chars.next() {
                Some(c) => c.to_lowercase().chain(chars).collect(),
                None => error.to_string(),
            }
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Timelike, Weekday};
    use chrono_tz::Europe::Amsterdam;

    #[test]
    fn monday_is_one_and_times_are_local() {
        let schedule = CronSchedule::parse("0 10 * * 1").unwrap();
        let start = Amsterdam.with_ymd_and_hms(2027, 1, 15, 12, 0, 0).unwrap();
        let next = schedule.next_after(&start).unwrap();
        assert_eq!(next.weekday(), Weekday::Mon);
        assert_eq!((next.hour(), next.minute()), (10, 0));
    }

    /// The fast expansion agrees with croner's own search for fixed-time schedules, across
    /// a whole year (both daylight-saving changes) in several zones.
    #[test]
    fn fast_expansion_matches_croner_over_a_year() {
        let from = Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap();
        let until = Utc.with_ymd_and_hms(2028, 1, 1, 0, 0, 0).unwrap();
        let zones = [
            chrono_tz::Europe::Amsterdam,
            chrono_tz::America::New_York,
            chrono_tz::Asia::Kabul,
            chrono_tz::Australia::Lord_Howe,
        ];
        for pattern in [
            "30 2 * * *",
            "0 10 * * MON,THU",
            "15 1 * * SUN",
            "0 9 1,15 * *",
            "45 23 * * 5",
            "0 0 * * *",
            "30 2 29 2 *",
            "0 12 * 3-10 1-5",
        ] {
            let schedule = CronSchedule::parse(pattern).unwrap();
            for tz in zones {
                let fast: Vec<DateTime<Utc>> = schedule
                    .firings_between(tz, from, until)
                    .iter()
                    .map(|t| t.with_timezone(&Utc))
                    .collect();
                let mut slow = Vec::new();
                let mut cursor = (from - Duration::seconds(1)).with_timezone(&tz);
                while let Some(next) = schedule.next_after(&cursor) {
                    if next.with_timezone(&Utc) >= until {
                        break;
                    }
                    slow.push(next.with_timezone(&Utc));
                    cursor = next;
                }
                // croner (3.0) also fires at the end of a spring-forward gap for a time *before*
                // the gap (01:15 on 28 March, then again at 03:00): a second message the same
                // day. The day walk does not; every other firing must agree.
                assert!(
                    fast.iter().all(|t| slow.contains(t)),
                    "{pattern} in {tz}: {fast:?}"
                );
                for extra in slow.iter().filter(|t| !fast.contains(t)) {
                    let local = extra.with_timezone(&tz).naive_local();
                    assert!(
                        tz.from_local_datetime(&(local - Duration::minutes(1)))
                            .single()
                            .is_none(),
                        "{pattern} in {tz}: croner's extra firing {extra} is not at the end of a gap"
                    );
                }
            }
        }
    }

    #[test]
    fn a_time_before_the_gap_fires_once_on_the_day_clocks_go_forward() {
        let schedule = CronSchedule::parse("15 1 * * SUN").unwrap();
        let day = |h, m| Utc.with_ymd_and_hms(2027, 3, 28, h, m, 0).unwrap();
        let firings = schedule.firings_between(Amsterdam, day(0, 0), day(23, 0));
        assert_eq!(
            firings
                .iter()
                .map(|t| t.with_timezone(&Utc))
                .collect::<Vec<_>>(),
            [day(0, 15)]
        );
    }

    #[test]
    fn rejects_non_standard_expressions() {
        assert_eq!(
            CronSchedule::parse("0 0 10 * * MON")
                .unwrap_err()
                .to_string(),
            "cron `0 0 10 * * MON` has 6 fields; write the standard five: minute hour day-of-month month day-of-week (for example `0 10 * * MON,THU`)"
        );
        assert!(
            CronSchedule::parse("*")
                .unwrap_err()
                .to_string()
                .contains("has 1 field;")
        );
        assert!(
            CronSchedule::parse("0 25 * * *")
                .unwrap_err()
                .to_string()
                .starts_with("invalid cron `0 25 * * *`: hour field `25`")
        );
    }
}
