//! `--expires DURATION|DATE` of `herald user add` and `herald user rotate`: when a user's
//! tokens stop working. A duration counts from now (`90d`, `12h`, `30m`, `2w`); a date is the
//! start of that day in UTC (`2027-03-01`: the token works through 28 February); an RFC 3339
//! time is that moment. It must lie in the future and at most ten years ahead.

use chrono::{DateTime, Duration, NaiveDate, Utc};

/// The furthest ahead an expiry may be.
const MAX_AHEAD_DAYS: i64 = 3650;

/// Why an `--expires` value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExpiryError {
    #[error(
        "--expires `{0}` is neither a duration (90d, 12h, 30m, 2w) nor a date (YYYY-MM-DD) nor an RFC 3339 time"
    )]
    Unreadable(String),
    #[error("--expires `{0}` is not in the future")]
    Past(String),
    #[error("--expires `{0}` is more than ten years ahead")]
    TooFar(String),
}

/// When `text` says tokens expire, seen from `now`.
pub fn parse_expiry(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, ExpiryError> {
    let text = text.trim();
    let shown: String = text.chars().take(40).collect();
    let at = duration(text)
        .map(|d| now + d)
        .or_else(|| {
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .ok()
                .and_then(|date| date.and_hms_opt(0, 0, 0))
                .map(|midnight| midnight.and_utc())
        })
        .or_else(|| {
            DateTime::parse_from_rfc3339(text)
                .ok()
                .map(|t| t.with_timezone(&Utc))
        })
        .ok_or_else(|| ExpiryError::Unreadable(shown.clone()))?;
    if at <= now {
        return Err(ExpiryError::Past(shown));
    }
    if at - now > Duration::days(MAX_AHEAD_DAYS) {
        return Err(ExpiryError::TooFar(shown));
    }
    Ok(at)
}

/// `N` followed by `m`, `h`, `d` or `w`.
fn duration(text: &str) -> Option<Duration> {
    let unit = text.chars().last()?;
    let count: i64 = text[..text.len() - unit.len_utf8()].parse().ok()?;
    if count <= 0 || count > MAX_AHEAD_DAYS * 24 * 60 {
        return None;
    }
    match unit {
        'm' => Some(Duration::minutes(count)),
        'h' => Some(Duration::hours(count)),
        'd' => Some(Duration::days(count)),
        'w' => Some(Duration::weeks(count)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn durations_dates_and_times_are_read_and_the_past_is_refused() {
        let now = Utc.with_ymd_and_hms(2027, 1, 10, 12, 0, 0).unwrap();
        assert_eq!(parse_expiry("90d", now), Ok(now + Duration::days(90)));
        assert_eq!(parse_expiry("12h", now), Ok(now + Duration::hours(12)));
        assert_eq!(parse_expiry("30m", now), Ok(now + Duration::minutes(30)));
        assert_eq!(parse_expiry("2w", now), Ok(now + Duration::weeks(2)));
        assert_eq!(
            parse_expiry("2027-03-01", now),
            Ok(Utc.with_ymd_and_hms(2027, 3, 1, 0, 0, 0).unwrap())
        );
        assert_eq!(
            parse_expiry("2027-01-10T13:00:00+01:00", now),
            Err(ExpiryError::Past("2027-01-10T13:00:00+01:00".into()))
        );
        assert_eq!(
            parse_expiry("2027-01-10T14:00:00+01:00", now),
            Ok(Utc.with_ymd_and_hms(2027, 1, 10, 13, 0, 0).unwrap())
        );
        assert_eq!(
            parse_expiry("2026-12-31", now),
            Err(ExpiryError::Past("2026-12-31".into()))
        );
        assert!(matches!(
            parse_expiry("0d", now),
            Err(ExpiryError::Unreadable(_))
        ));
        assert!(matches!(
            parse_expiry("soon", now),
            Err(ExpiryError::Unreadable(_))
        ));
        assert!(matches!(
            parse_expiry("-5d", now),
            Err(ExpiryError::Unreadable(_))
        ));
        assert!(matches!(
            parse_expiry("é", now),
            Err(ExpiryError::Unreadable(_))
        ));
        assert!(matches!(
            parse_expiry("3651d", now),
            Err(ExpiryError::TooFar(_))
        ));
    }
}
