//! Hand-built reports for the unit tests of the summary and the tidy CSV: counters and
//! platform observations written out, run through the same building and protection as
//! `herald report`.

use chrono::{TimeZone, Utc};

use super::build::{Report, build_report_by};

use crate::publication::Protection;
use crate::publication::{Breakdown, Period};
use crate::store::{ClickCount, ClickKey, DeliveryCount, InsightObservation};

/// k = 10, no rounding, noise up to ±3: the defaults (record keys 0 here add no noise).
pub const PROTECTION: Protection = Protection::DEFAULT;

/// A counter of the `weekly` send to segment `in-eu` on 18 January 2027.
pub fn count(locale: &str, channel: &str, variant: &str, status: &str, n: i64) -> DeliveryCount {
    DeliveryCount {
        campaign: "demo".into(),
        version: "0123456789abcdef".into(),
        send: "weekly".into(),
        segment: "in-eu".into(),
        locale: locale.into(),
        channel: channel.into(),
        variant: variant.into(),
        day: "2027-01-18".into(),
        status: status.into(),
        count: n,
        key_sum: 0,
    }
}

/// People's clicks on the tracking link.
pub fn clicks(locale: &str, channel: &str, n: i64) -> (ClickKey, ClickCount) {
    (
        ClickKey {
            campaign: "demo".into(),
            send: "weekly".into(),
            variant: "a".into(),
            locale: locale.into(),
            channel: channel.into(),
            day: "2027-01-18".into(),
            kind: "person".into(),
        },
        ClickCount {
            clicks: n,
            key_sum: 0,
        },
    )
}

/// A platform metric of post `post` (segment `in-eu`, variant `a`).
pub fn seen(
    locale: &str,
    channel: &str,
    post: &str,
    window: &str,
    metric: &str,
    value: i64,
) -> InsightObservation {
    InsightObservation {
        campaign: "demo".into(),
        version: "0123456789abcdef".into(),
        send: "weekly".into(),
        segment: "in-eu".into(),
        locale: locale.into(),
        channel: channel.into(),
        variant: "a".into(),
        post_id: post.into(),
        window: window.into(),
        metric: metric.into(),
        value,
        api_version: "v21.0".into(),
        observed_at_ms: 1_804_000_000_000,
    }
}

/// The report of these counters and observations, broken down as `by` says.
pub fn report_by(
    by: Breakdown,
    deliveries: &[DeliveryCount],
    clicks: &[(ClickKey, ClickCount)],
    observations: &[InsightObservation],
) -> Report {
    let mut report = build_report_by(
        "demo",
        deliveries,
        clicks,
        Period::Run,
        PROTECTION,
        by,
        Utc.with_ymd_and_hms(2027, 1, 25, 12, 0, 0).unwrap(),
    );
    if !observations.is_empty() {
        report.add_post_metrics(observations, &[]);
    }
    report
}

/// [`report_by`] with every breakdown.
pub fn report(deliveries: &[DeliveryCount], observations: &[InsightObservation]) -> Report {
    report_by(Breakdown::ALL, deliveries, &[], observations)
}

/// A campaign on three platforms: Telegram posts (no receipts), WhatsApp messages in two
/// variants whose read rates differ clearly (3% against 5% of 4,000 delivered), and Facebook
/// posts read after an hour and after seven days.
pub fn three_platforms() -> Report {
    let mut deliveries = vec![
        count("ar", "telegram:info", "a", "sent", 400),
        count("ar", "facebook:page", "a", "sent", 20),
    ];
    for (variant, numbers) in [("a", [4100, 4000, 120]), ("b", [4100, 4000, 200])] {
        for (status, n) in ["sent", "delivered", "read"].into_iter().zip(numbers) {
            deliveries.push(count("ar", "whatsapp:optin", variant, status, n));
        }
    }
    let fb = "facebook:page";
    let observations = [
        seen("ar", fb, "111_1", "1h", "reach", 500),
        seen("ar", fb, "111_1", "7d", "reach", 2000),
        seen("ar", fb, "111_1", "7d", "views", 5000),
        seen("fr", fb, "111_2", "7d", "reach", 800),
        seen("fr", fb, "111_2", "7d", "views", 1000),
    ];
    report(&deliveries, &observations)
}

/// Splits CSV text into records, honouring quotes (a quoted field may hold commas,
/// doubled quotes and line breaks), as R's `read.csv` and pandas do.
pub fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let (mut record, mut field, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\n') => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, c) => field.push(c),
        }
    }
    assert!(
        !quoted && field.is_empty() && record.is_empty(),
        "ends with a line break"
    );
    records
}
