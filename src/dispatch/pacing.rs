//! Turning an account's configured limits into rate buckets: the spacing between messages that
//! keeps every sliding window at or under the limit.

/// Milliseconds between messages so that no window of `window_ms` holds more than `limit`.
/// One millisecond of margin absorbs the inclusive edges of a sliding window.
pub fn interval_ms(limit_per_window: f64, window_ms: i64) -> i64 {
    if limit_per_window <= 0.0 {
        return window_ms;
    }
    (window_ms as f64 / limit_per_window).ceil() as i64 + 1
}

/// The bucket of one account (all of its traffic).
pub fn account_bucket(channel: &str) -> String {
    channel.to_string()
}

/// The bucket of one recipient (chat) of an account.
pub fn recipient_bucket(channel: &str, recipient: &str) -> String {
    format!("{channel}|{recipient}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spacing_keeps_windows_under_the_limit() {
        for (limit, window) in [(30.0, 1_000), (20.0, 60_000), (80.0, 1_000), (1.0, 1_000)] {
            let interval = interval_ms(limit, window);
            // Messages at 0, interval, 2·interval, ...: how many fit in one closed window?
            let in_window = window / interval + 1;
            assert!(in_window as f64 <= limit, "{limit}/{window}: {in_window}");
        }
    }
}
