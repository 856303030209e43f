//! `--from/--until`: a report narrowed to the periods within a date range.
//!
//! A range selects rows of the published week or day tables; it never creates a new cell. A
//! total over an arbitrary range would be a new count with its own noise, and an evaluator
//! free to ask for every range could subtract many of them to average the noise away (the
//! count of one day is the difference of many pairs of ranges). So the totals of a narrowed
//! table are sums of the published cells it keeps, which tell nothing the cells do not, and
//! they say so.

use chrono::{Datelike, NaiveDate, Weekday};
use serde::Serialize;

use super::build::Report;

use super::published::{Cell, PublishedTable};
use crate::publication::Period;

/// What the totals of a narrowed table are.
pub const SUM_OF_PUBLISHED: &str = "sum of the published cells shown (suppressed cells left out)";

/// The dates a report is narrowed to, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DateRange {
    pub from: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
}

/// Why a range cannot narrow a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RangeError {
    /// `--from` or `--until` is not a date.
    NotADate { flag: &'static str, text: String },
    /// `--from` after `--until`.
    Reversed,
    /// A whole-run report has no periods to pick from.
    WholeRun,
}

impl std::fmt::Display for RangeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RangeError::NotADate { flag, text } => {
                write!(f, "{flag} `{text}` is not a date: write YYYY-MM-DD")
            }
            RangeError::Reversed => write!(f, "--from is after --until"),
            RangeError::WholeRun => write!(
                f,
                "--from and --until pick weeks or days: use --period week or --period day"
            ),
        }
    }
}

impl std::error::Error for RangeError {}

impl DateRange {
    /// The range of `--from` and `--until` (either may be missing), or `None` for neither.
    pub fn parse(from: Option<&str>, until: Option<&str>) -> Result<Option<DateRange>, RangeError> {
        let date = |flag: &'static str, text: Option<&str>| {
            text.map(|text| {
                NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
                    RangeError::NotADate {
                        flag,
                        text: text.to_string(),
                    }
                })
            })
            .transpose()
        };
        let range = DateRange {
            from: date("--from", from)?,
            until: date("--until", until)?,
        };
        match range {
            DateRange {
                from: None,
                until: None,
            } => Ok(None),
            DateRange {
                from: Some(from),
                until: Some(until),
            } if from > until => Err(RangeError::Reversed),
            range => Ok(Some(range)),
        }
    }

    /// Whether the period labelled `label` lies wholly within the range: a day inside it, or
    /// an ISO week whose Monday and Sunday both are.
    pub fn holds(&self, period: Period, label: &str) -> bool {
        let span = match period {
            Period::Run => None,
            Period::Day => NaiveDate::parse_from_str(label, "%Y-%m-%d")
                .ok()
                .map(|day| (day, day)),
            Period::Week => week_span(label),
        };
        let Some((first, last)) = span else {
            return false;
        };
        self.from.is_none_or(|from| first >= from) && self.until.is_none_or(|until| last <= until)
    }
}

/// The Monday and Sunday of an ISO week label such as `2027-W03`.
fn week_span(label: &str) -> Option<(NaiveDate, NaiveDate)> {
    let (year, week) = label.split_once("-W")?;
    let monday = NaiveDate::from_isoywd_opt(year.parse().ok()?, week.parse().ok()?, Weekday::Mon)?;
    let sunday = monday.checked_add_days(chrono::Days::new(6))?;
    debug_assert_eq!(sunday.weekday(), Weekday::Sun);
    Some((monday, sunday))
}

impl Report {
    /// Keeps only the rows of periods within `range`, in every table, rate and comparison;
    /// column and grand totals become sums of the published cells kept.
    pub fn narrow_to(&mut self, range: DateRange) -> Result<(), RangeError> {
        if self.period == Period::Run {
            return Err(RangeError::WholeRun);
        }
        let period = self.period;
        let keep = |row: &[String]| row.last().is_some_and(|label| range.holds(period, label));
        for table in &mut self.tables {
            narrow_table(table, keep);
        }
        for rates in &mut self.rates {
            let kept: Vec<bool> = rates.rows.iter().map(|row| keep(row)).collect();
            let mut flags = kept.iter();
            rates.rows.retain(|_| *flags.next().unwrap_or(&false));
            let mut flags = kept.iter();
            rates.cells.retain(|_| *flags.next().unwrap_or(&false));
        }
        self.comparisons.retain(|comparison| keep(&comparison.row));
        self.range = Some(range);
        Ok(())
    }
}

fn narrow_table(table: &mut PublishedTable, keep: impl Fn(&[String]) -> bool) {
    let kept: Vec<usize> = (0..table.rows.len())
        .filter(|&r| keep(&table.rows[r]))
        .collect();
    table.rows = kept.iter().map(|&r| table.rows[r].clone()).collect();
    table.cells = kept.iter().map(|&r| table.cells[r].clone()).collect();
    table.row_totals = kept.iter().map(|&r| table.row_totals[r]).collect();
    let sum = |cells: &mut dyn Iterator<Item = Cell>| {
        Cell::Count(
            cells
                .filter_map(|cell| match cell {
                    Cell::Count(n) => Some(n),
                    Cell::Suppressed(_) => None,
                })
                .sum(),
        )
    };
    table.column_totals = (0..table.columns.len())
        .map(|c| sum(&mut table.cells.iter().map(|row| row[c])))
        .collect();
    table.grand_total = sum(&mut table.row_totals.iter().copied());
    table.total_label = SUM_OF_PUBLISHED.to_string();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_range_holds_whole_days_and_whole_weeks() {
        let range = DateRange::parse(Some("2027-01-18"), Some("2027-01-31"))
            .unwrap()
            .unwrap();
        assert!(range.holds(Period::Day, "2027-01-18"));
        assert!(!range.holds(Period::Day, "2027-02-01"));
        // 2027-W03 is 18–24 January, W04 25–31 January, W02 11–17 January.
        assert!(range.holds(Period::Week, "2027-W03"));
        assert!(range.holds(Period::Week, "2027-W04"));
        assert!(!range.holds(Period::Week, "2027-W02"));
        let from_wednesday = DateRange::parse(Some("2027-01-20"), None).unwrap().unwrap();
        assert!(
            !from_wednesday.holds(Period::Week, "2027-W03"),
            "only whole weeks"
        );
        assert!(!range.holds(Period::Run, "whole run"));
        assert_eq!(DateRange::parse(None, None), Ok(None));
        assert_eq!(
            DateRange::parse(Some("2027-02-01"), Some("2027-01-01")),
            Err(RangeError::Reversed)
        );
        assert!(matches!(
            DateRange::parse(Some("last week"), None),
            Err(RangeError::NotADate { flag: "--from", .. })
        ));
    }
}
