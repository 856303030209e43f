//! Standard 5-field crontab expressions (minute hour day-of-month month day-of-week, with
//! Monday = 1 and Sunday = 0 or 7), evaluated in a time zone by croner: a local time that a
//! daylight-saving jump skips still fires once, and a repeated hour fires only once.

use std::fmt;

use chrono::{DateTime, TimeZone};
use croner::Cron;
use croner::parser::{CronParser, Seconds, Year};

#[derive(Clone)]
pub struct CronSchedule {
    pattern: String,
    cron: Cron,
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
    pub fn parse(pattern: &str) -> Result<CronSchedule, String> {
        let fields = pattern.split_whitespace().count();
        if fields != 5 {
            return Err(format!(
                "cron `{pattern}` has {fields} field{}; write the standard five: minute hour day-of-month month day-of-week (for example `0 10 * * MON,THU`)",
                if fields == 1 { "" } else { "s" }
            ));
        }
        let parser = CronParser::builder()
            .seconds(Seconds::Disallowed)
            .year(Year::Disallowed)
            .build();
        let cron = parser.parse(pattern).map_err(|error| {
            format!(
                "invalid cron `{pattern}`: {}",
                locate_field(&parser, pattern, &error)
            )
        })?;
        Ok(CronSchedule {
            pattern: pattern.to_string(),
            cron,
        })
    }

    pub fn pattern(&self) -> &str {
        &self.pattern
    }

    /// The first firing strictly after `after`, in the time zone of `after`.
    pub fn next_after<Tz: TimeZone>(&self, after: &DateTime<Tz>) -> Option<DateTime<Tz>> {
        self.cron.find_next_occurrence(after, false).ok()
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
    use chrono::{Datelike, Timelike, Weekday};
    use chrono_tz::Europe::Amsterdam;

    #[test]
    fn monday_is_one_and_times_are_local() {
        let schedule = CronSchedule::parse("0 10 * * 1").unwrap();
        let start = Amsterdam.with_ymd_and_hms(2027, 1, 15, 12, 0, 0).unwrap();
        let next = schedule.next_after(&start).unwrap();
        assert_eq!(next.weekday(), Weekday::Mon);
        assert_eq!((next.hour(), next.minute()), (10, 0));
    }

    #[test]
    fn rejects_non_standard_expressions() {
        assert!(
            CronSchedule::parse("0 0 10 * * MON")
                .unwrap_err()
                .contains("has 6 fields")
        );
        assert!(
            CronSchedule::parse("0 25 * * *")
                .unwrap_err()
                .starts_with("invalid cron `0 25 * * *`")
        );
    }
}
