//! The demo's progress on standard error: one line redrawn in place on a terminal, a line
//! every few weeks in a pipe or a log.

use std::io::{IsTerminal, Write};

use chrono::{DateTime, Utc};

pub struct Progress {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    terminal: bool,
    printed_week: i64,
}

/// A line of its own.
pub fn note(text: &str) {
    eprintln!("{text}");
}

impl Progress {
    pub fn new(start: DateTime<Utc>, end: DateTime<Utc>) -> Progress {
        Progress {
            start,
            end,
            terminal: std::io::stderr().is_terminal(),
            printed_week: -1,
        }
    }

    fn line(&self, now: DateTime<Utc>, sent: usize) -> String {
        let total = (self.end - self.start).num_seconds().max(1) as f64;
        let done = ((now - self.start).num_seconds() as f64 / total).clamp(0.0, 1.0);
        let filled = (done * 30.0).round() as usize;
        let weeks = ((self.end - self.start).num_days() + 6) / 7;
        format!(
            "[{}{}] {} · week {} of {} · {} messages and posts sent",
            "#".repeat(filled),
            ".".repeat(30 - filled),
            now.format("%Y-%m-%d"),
            ((now - self.start).num_weeks() + 1).min(weeks.max(1)),
            weeks.max(1),
            sent
        )
    }

    pub fn update(&mut self, now: DateTime<Utc>, sent: usize) {
        let week = (now - self.start).num_weeks();
        if self.terminal {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r{}", self.line(now, sent));
            let _ = err.flush();
        } else if week >= self.printed_week + 4 {
            self.printed_week = week;
            eprintln!("{}", self.line(now, sent));
        }
    }

    pub fn finish(&mut self, now: DateTime<Utc>, sent: usize) {
        if self.terminal {
            eprintln!("\r{}", self.line(now, sent));
        } else if (now - self.start).num_weeks() != self.printed_week {
            eprintln!("{}", self.line(now, sent));
        }
    }
}
