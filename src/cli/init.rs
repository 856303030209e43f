//! `herald init DIR`: a new campaign project that validates and rehearses as it stands (see
//! `crate::project::starter_files`). Its campaign starts on the Monday two weeks from today,
//! so that `herald plan` shows sends still to come.

use std::path::Path;
use std::process::ExitCode;

use chrono::{Datelike, Duration, NaiveDate, Utc};

use crate::project::{starter_files, write_starter};

pub fn init(dir: &Path, campaign: &str) -> ExitCode {
    let written = starter_files(campaign, first_monday_after(Utc::now().date_naive()))
        .and_then(|files| write_starter(dir, &files));
    match written {
        Ok(paths) => {
            for path in &paths {
                println!("wrote {}", path.display());
            }
            println!(
                "\nnext: cd {} && herald validate (then see README.md there)",
                dir.display()
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

/// The first Monday at least two weeks after `today`.
fn first_monday_after(today: NaiveDate) -> NaiveDate {
    let later = today + Duration::weeks(2);
    later + Duration::days((7 - i64::from(later.weekday().num_days_from_monday())) % 7)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_campaign_starts_on_a_monday_two_weeks_on() {
        let sunday = NaiveDate::from_ymd_opt(2026, 12, 6).unwrap();
        assert_eq!(
            first_monday_after(sunday),
            NaiveDate::from_ymd_opt(2026, 12, 21).unwrap()
        );
        let monday = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        assert_eq!(
            first_monday_after(monday),
            NaiveDate::from_ymd_opt(2026, 12, 21).unwrap()
        );
    }
}
