//! The reporting windows in which a post's platform metrics are read: 1 hour, 24 hours and 7
//! days after publishing, and the campaign's end. Reach is reported per window because it is
//! not additive: the same people seen after an hour are among those seen after a day.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};

/// One reporting window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum InsightWindow {
    Hour,
    Day,
    Week,
    /// The campaign's last day, 23:59 UTC.
    End,
}

impl InsightWindow {
    /// In time order.
    pub const ALL: [InsightWindow; 4] = [
        InsightWindow::Hour,
        InsightWindow::Day,
        InsightWindow::Week,
        InsightWindow::End,
    ];

    /// The label stored and reported: `1h`, `24h`, `7d`, `end`.
    pub fn label(self) -> &'static str {
        match self {
            InsightWindow::Hour => "1h",
            InsightWindow::Day => "24h",
            InsightWindow::Week => "7d",
            InsightWindow::End => "end",
        }
    }

    pub fn from_label(label: &str) -> Option<InsightWindow> {
        InsightWindow::ALL.into_iter().find(|w| w.label() == label)
    }

    /// How long after publishing the window closes; `None` for the campaign's end.
    fn after_publishing(self) -> Option<Duration> {
        match self {
            InsightWindow::Hour => Some(Duration::hours(1)),
            InsightWindow::Day => Some(Duration::hours(24)),
            InsightWindow::Week => Some(Duration::days(7)),
            InsightWindow::End => None,
        }
    }
}

/// When the `end` window of a campaign ending on `ends` falls: that day, 23:59 UTC.
pub fn campaign_end(ends: NaiveDate) -> DateTime<Utc> {
    ends.and_time(NaiveTime::from_hms_opt(23, 59, 0).unwrap_or(NaiveTime::MIN))
        .and_utc()
}

/// The windows of a post published at `published`, with their times, in order: those after
/// publishing that fall before the campaign's end, then the end itself (read at once when the
/// post was published after it).
pub fn schedule(
    published: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Vec<(InsightWindow, DateTime<Utc>)> {
    let mut windows: Vec<(InsightWindow, DateTime<Utc>)> = InsightWindow::ALL
        .into_iter()
        .filter_map(|w| w.after_publishing().map(|after| (w, published + after)))
        .filter(|(_, at)| *at < end)
        .collect();
    windows.push((InsightWindow::End, end));
    windows
}

/// What a read stands for: the window it is reported under, and the window to read next
/// with its time (`None` after the last).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WindowRead {
    pub window: InsightWindow,
    pub next: Option<(InsightWindow, DateTime<Utc>)>,
}

/// Which window a read at `now` of a poll waiting for `current` stands for, and the window
/// after it. A read made late (a worker was down) stands for the latest window already
/// closed, so a value read after eight days is never labelled "1h"; the windows skipped are
/// simply not observed. `None` when `current` is not one of the post's windows.
pub fn window_read_at(
    published: DateTime<Utc>,
    end: DateTime<Utc>,
    current: InsightWindow,
    now: DateTime<Utc>,
) -> Option<WindowRead> {
    let windows = schedule(published, end);
    let start = windows.iter().position(|(w, _)| *w == current)?;
    let mut read = start;
    while windows.get(read + 1).is_some_and(|(_, at)| *at <= now) {
        read += 1;
    }
    Some(WindowRead {
        window: windows[read].0,
        next: windows.get(read + 1).copied(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn utc(d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2027, 3, d, h, 0, 0).unwrap()
    }

    #[test]
    fn windows_follow_publishing_and_stop_at_the_campaign_end() {
        let end = campaign_end(NaiveDate::from_ymd_opt(2027, 3, 10).unwrap());
        assert_eq!(end, Utc.with_ymd_and_hms(2027, 3, 10, 23, 59, 0).unwrap());
        let early = schedule(utc(1, 9), end);
        assert_eq!(
            early,
            vec![
                (InsightWindow::Hour, utc(1, 10)),
                (InsightWindow::Day, utc(2, 9)),
                (InsightWindow::Week, utc(8, 9)),
                (InsightWindow::End, end),
            ]
        );
        // Seven days after 8 March is past the end: skipped, the end is kept.
        let late = schedule(utc(8, 9), end);
        assert_eq!(
            late.iter().map(|(w, _)| w.label()).collect::<Vec<_>>(),
            ["1h", "24h", "end"]
        );
        // Published on the last evening: only the end remains.
        let last = schedule(Utc.with_ymd_and_hms(2027, 3, 10, 23, 0, 0).unwrap(), end);
        assert_eq!(last, vec![(InsightWindow::End, end)]);
        for w in InsightWindow::ALL {
            assert_eq!(InsightWindow::from_label(w.label()), Some(w));
        }
    }

    #[test]
    fn a_late_read_stands_for_the_latest_closed_window() {
        let end = campaign_end(NaiveDate::from_ymd_opt(2027, 3, 31).unwrap());
        let published = utc(1, 9);
        let read = |window, next| Some(WindowRead { window, next });
        let on_time = window_read_at(published, end, InsightWindow::Hour, utc(1, 10));
        assert_eq!(
            on_time,
            read(InsightWindow::Hour, Some((InsightWindow::Day, utc(2, 9))))
        );
        let late = window_read_at(published, end, InsightWindow::Hour, utc(9, 0));
        assert_eq!(
            late,
            read(InsightWindow::Week, Some((InsightWindow::End, end)))
        );
        let last = window_read_at(published, end, InsightWindow::End, end);
        assert_eq!(last, read(InsightWindow::End, None));
        // The week window does not exist for a post published near the end.
        let near = campaign_end(NaiveDate::from_ymd_opt(2027, 3, 3).unwrap());
        assert_eq!(
            window_read_at(published, near, InsightWindow::Week, utc(9, 0)),
            None
        );
    }
}
