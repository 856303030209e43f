//! Dates and times the way each language writes them. The order of day, month, year and time
//! and the month and weekday names are messages of the language's Fluent file
//! (`datetime-utc`, `datetime-local`, `month-1` … `month-12`, `weekday-1` … `weekday-7`), so a
//! translator sets them like any other text; the figures come in the language's digits. UTC
//! stays explicit wherever a time is shown.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Timelike, Utc};
use fluent_bundle::{FluentArgs, FluentValue};

use super::catalog::{Place, format};
use super::language::UiLanguage;

const MONTHS: [&str; 12] = [
    "month-1", "month-2", "month-3", "month-4", "month-5", "month-6", "month-7", "month-8",
    "month-9", "month-10", "month-11", "month-12",
];
const WEEKDAYS: [&str; 7] = [
    "weekday-1",
    "weekday-2",
    "weekday-3",
    "weekday-4",
    "weekday-5",
    "weekday-6",
    "weekday-7",
];

/// The arguments every date message gets: day, month name and year.
fn date_args<T: Datelike>(language: UiLanguage, at: &T) -> FluentArgs<'static> {
    let digits = |text: String| language.file().numbers.digits(&text);
    let month = MONTHS[at.month0() as usize];
    let mut args = FluentArgs::new();
    args.set("day", FluentValue::from(digits(at.day().to_string())));
    args.set(
        "month",
        FluentValue::from(format(language, month, &FluentArgs::new(), Place::Text)),
    );
    args.set("year", FluentValue::from(digits(at.year().to_string())));
    args
}

/// The date arguments and the time of day, `HH:MM`.
fn moment_args<T: Datelike + Timelike>(language: UiLanguage, at: &T) -> FluentArgs<'static> {
    let mut args = date_args(language, at);
    let time = format!("{:02}:{:02}", at.hour(), at.minute());
    args.set(
        "time",
        FluentValue::from(language.file().numbers.digits(&time)),
    );
    args
}

/// A day: `9 May 2027` in English.
pub fn date_text(language: UiLanguage, day: NaiveDate) -> String {
    format(language, "date", &date_args(language, &day), Place::Text)
}

/// A moment in UTC: `18 Jan 2027, 09:00 UTC` in English.
pub fn utc_time(language: UiLanguage, at: DateTime<Utc>) -> String {
    format(
        language,
        "datetime-utc",
        &moment_args(language, &at),
        Place::Text,
    )
}

/// A moment in an audience's own time, with its weekday and its offset from UTC:
/// `Mon 18 Jan 2027, 10:00 (UTC+01:00)` in English.
pub fn local_time(language: UiLanguage, at: DateTime<FixedOffset>) -> String {
    let mut args = moment_args(language, &at);
    let weekday = WEEKDAYS[at.weekday().num_days_from_monday() as usize];
    args.set(
        "weekday",
        FluentValue::from(format(language, weekday, &FluentArgs::new(), Place::Text)),
    );
    let offset = at.format("%:z").to_string();
    args.set(
        "offset",
        FluentValue::from(language.file().numbers.digits(&offset)),
    );
    format(language, "datetime-local", &args, Place::Text)
}
