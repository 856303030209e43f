//! The report as tidy CSV (long format): one row per published value, with its dimensions
//! in fixed columns, so that `read.csv` in R and `pandas.read_csv` load it as it is, with a
//! numeric `value` column. What a value is when it is not a number (suppressed, not reported
//! by the platform, not enough data, …) is said by `status`, never by text in `value`.
//! The columns, metric names, statuses and markers are those of
//! `docs/report-data-dictionary.md` and [`super::data_dictionary_csv`].

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::build::Report;
use super::plain_numbers::without_negative_zero;
use super::post_metrics::SUM_OF_REACH;
use super::published::{Cell, PublishedTable};
use super::rates::{RateCell, VariantComparison};
use super::statistics::{Lift, RelativeLift};
use crate::reach::InsightWindow;

/// The header, exactly.
pub const COLUMNS: [&str; 13] = [
    "campaign", "metric", "segment", "locale", "variant", "send", "post", "version", "channel",
    "period", "window", "value", "status",
];

/// In a dimension column: the row is a total over every value of that dimension.
pub const TOTAL: &str = "(all)";

/// The column of a report that is not broken down by channel (see `Breakdown`): its
/// channel is left empty, as for any dimension a row is not broken down by.
const ALL_CHANNELS: &str = "all channels";

/// What a row's `value` is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Published,
    Suppressed,
    NotReported,
    NotEnoughData,
    NotDefined,
    NoUpperBound,
    NotKnown,
}

impl Status {
    pub const ALL: [Status; 7] = [
        Status::Published,
        Status::Suppressed,
        Status::NotReported,
        Status::NotEnoughData,
        Status::NotDefined,
        Status::NoUpperBound,
        Status::NotKnown,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Status::Published => "published",
            Status::Suppressed => "suppressed",
            Status::NotReported => "not reported",
            Status::NotEnoughData => "not enough data",
            Status::NotDefined => "not defined",
            Status::NoUpperBound => "no upper bound",
            Status::NotKnown => "not known",
        }
    }
}

/// A value, or why there is none.
type Value = (Option<String>, Status);

fn published(text: String) -> Value {
    (Some(text), Status::Published)
}

fn missing(status: Status) -> Value {
    (None, status)
}

/// A decimal with `decimals` places, without a sign on zero.
fn decimal(value: f64, decimals: usize) -> String {
    without_negative_zero(format!("{value:.decimals$}"))
}

/// A published count, or suppressed.
fn count(cell: &Cell) -> Value {
    match cell {
        Cell::Count(n) => published(n.to_string()),
        _ => missing(Status::Suppressed),
    }
}

/// A published rate, or why it is withheld.
fn rate(cell: &RateCell, decimals: usize) -> Value {
    match cell {
        RateCell::Rate(r) => published(decimal(*r, decimals)),
        RateCell::NotReported { .. } => missing(Status::NotReported),
        RateCell::Withheld("suppressed") => missing(Status::Suppressed),
        RateCell::Withheld("no denominator") => missing(Status::NotDefined),
        RateCell::Withheld(_) => missing(Status::NotKnown),
    }
}

/// Why a penetration or comparison has no value, from the reason the report gives.
fn withheld(why: Option<&str>) -> Status {
    match why {
        Some("suppressed") => Status::Suppressed,
        Some(super::receipts::NOT_REPORTED) => Status::NotReported,
        _ => Status::NotKnown,
    }
}

/// A metric's name in the CSV: the report's name in lower case, words joined by `_`.
pub fn metric_id(name: &str) -> String {
    name.trim()
        .to_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("_")
}

/// The dimensions of one row; empty where the row is not broken down by that dimension.
#[derive(Debug, Clone, Default)]
struct Key {
    segment: String,
    locale: String,
    variant: String,
    send: String,
    post: String,
    version: String,
    channel: String,
    period: String,
    window: String,
}

impl Key {
    fn set(&mut self, dimension: &str, value: &str) {
        let slot = match dimension {
            "segment" => &mut self.segment,
            "locale" => &mut self.locale,
            "variant" => &mut self.variant,
            "send" => &mut self.send,
            "post" => &mut self.post,
            "version" => &mut self.version,
            "channel" => &mut self.channel,
            "period" => &mut self.period,
            "window" => &mut self.window,
            _ => return,
        };
        *slot = value.to_string();
    }

    /// `self` with the row's labels for the table's row dimensions.
    fn with_row(&self, dimensions: &[String], row: &[String]) -> Key {
        let mut key = self.clone();
        for (dimension, value) in dimensions.iter().zip(row) {
            key.set(dimension, value);
        }
        key
    }

    /// `self` as the total over every row dimension.
    fn total_over(&self, dimensions: &[String]) -> Key {
        let mut key = self.clone();
        for dimension in dimensions {
            key.set(dimension, TOTAL);
        }
        key
    }

    fn on(mut self, column: &str) -> Key {
        self.channel = channel(column);
        self
    }
}

/// A table column as a channel: empty for the one column of a report not broken down by
/// channel.
fn channel(column: &str) -> String {
    if column == ALL_CHANNELS {
        String::new()
    } else {
        column.to_string()
    }
}

/// A label as a CSV field: quoted when it holds a comma, a quote or a line break, and kept
/// from being read as a formula by a spreadsheet (a label starting with `=`, `+`, `-`, `@`,
/// a tab or a carriage return gets a leading `'`, as OWASP advises).
pub fn field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

struct Rows {
    out: String,
    campaign: String,
}

impl Rows {
    fn push(&mut self, metric: &str, key: &Key, (value, status): Value) {
        let labels = [
            &self.campaign,
            metric,
            &key.segment,
            &key.locale,
            &key.variant,
            &key.send,
            &key.post,
            &key.version,
            &key.channel,
            &key.period,
            &key.window,
        ];
        let line: Vec<String> = labels.iter().map(|l| field(l)).collect();
        // `value` is a number or nothing, `status` a word of the dictionary: neither needs
        // quoting, and a negative difference must stay a number.
        let _ = writeln!(
            self.out,
            "{},{},{}",
            line.join(","),
            value.unwrap_or_default(),
            status.label()
        );
    }

    /// A protected table: each cell, then (where they add something) each row's total, the
    /// column totals and the grand total.
    fn table(&mut self, table: &PublishedTable, base: &Key, row_totals: bool) {
        let metric = metric_id(&table.metric);
        let total_metric = if table.total_label == SUM_OF_REACH {
            format!("{metric}_sum_upper_bound")
        } else {
            metric.clone()
        };
        // A table not broken down by channel has one column, which is its rows' total.
        let row_totals = row_totals && table.columns.iter().all(|c| c != ALL_CHANNELS);
        let dimensions = &table.row_dimensions;
        for (r, row) in table.rows.iter().enumerate() {
            let key = base.with_row(dimensions, row);
            for (c, column) in table.columns.iter().enumerate() {
                self.push(&metric, &key.clone().on(column), count(&table.cells[r][c]));
            }
            if row_totals {
                self.push(
                    &total_metric,
                    &key.clone().on(TOTAL),
                    count(&table.row_totals[r]),
                );
            }
        }
        let totals = base.total_over(dimensions);
        for (c, column) in table.columns.iter().enumerate() {
            self.push(
                &total_metric,
                &totals.clone().on(column),
                count(&table.column_totals[c]),
            );
        }
        if row_totals {
            self.push(
                &total_metric,
                &totals.clone().on(TOTAL),
                count(&table.grand_total),
            );
        }
    }

    /// A comparison as six rows: B − A and its 95% interval, the relative lift and its
    /// interval.
    fn comparison(&mut self, comparison: &VariantComparison, dimensions: &[String]) {
        let mut key = Key::default().with_row(dimensions, &comparison.row);
        key.variant = format!("{} vs {}", comparison.b, comparison.a);
        let key = key.on(&comparison.channel);
        let rate = metric_id(&comparison.rate);
        let values: [Value; 6] = match (&comparison.lift, comparison.withheld) {
            (
                Some(Lift::Estimate {
                    difference,
                    low,
                    high,
                    relative,
                    ..
                }),
                _,
            ) => {
                let [d, l, h] = [difference, low, high].map(|v| published(decimal(*v, 4)));
                let [rv, rl, rh] = match relative {
                    RelativeLift::Estimate { value, low, high } => [
                        published(decimal(*value, 4)),
                        published(decimal(*low, 4)),
                        high.map_or(missing(Status::NoUpperBound), |h| published(decimal(h, 4))),
                    ],
                    RelativeLift::NotDefined { .. } => [(); 3].map(|_| missing(Status::NotDefined)),
                };
                [d, l, h, rv, rl, rh]
            }
            (Some(Lift::NotEnoughData { .. }), _) => {
                [(); 6].map(|_| missing(Status::NotEnoughData))
            }
            (None, why) => [(); 6].map(|_| missing(withheld(why))),
        };
        let names = [
            "difference",
            "difference_low95",
            "difference_high95",
            "relative_lift",
            "relative_lift_low95",
            "relative_lift_high95",
        ];
        for (name, value) in names.iter().zip(values) {
            self.push(&format!("{rate}_{name}"), &key, value);
        }
    }

    /// The platform-reported part: post tables and rates per window, the largest reach per
    /// locale and window, penetration, audience estimates and cost per 1,000 reached.
    fn post_metrics(&mut self, report: &Report) {
        let metrics = &report.post_metrics;
        if metrics.is_empty() {
            return;
        }
        for table in &metrics.tables {
            let base = Key {
                window: table.period.clone(),
                ..Key::default()
            };
            self.table(table, &base, false);
        }
        for rates in &metrics.rates {
            let metric = metric_id(&rates.rate);
            let base = Key {
                window: rates.window.clone(),
                ..Key::default()
            };
            let dimensions = super::post_metrics::POST_DIMENSIONS.map(str::to_string);
            for (row, cells) in rates.rows.iter().zip(&rates.cells) {
                let key = base.with_row(&dimensions, row);
                for (column, cell) in rates.columns.iter().zip(cells) {
                    self.push(&metric, &key.clone().on(column), rate(cell, rates.decimals));
                }
            }
        }
        for (window, locale, value) in largest_post_reach(&metrics.tables) {
            let key = Key {
                locale,
                window: window.to_string(),
                ..Key::default()
            };
            self.push("largest_post_reach", &key, value);
        }
        for p in &metrics.penetration {
            let key = Key {
                segment: p.segment.clone(),
                version: p.version.clone(),
                channel: p.channel.clone(),
                window: p.window.clone().unwrap_or_default(),
                ..Key::default()
            };
            let why = withheld(p.withheld);
            let or_why = |v: Option<String>| v.map_or(missing(why), published);
            self.push(
                "penetration_reach",
                &key,
                or_why(p.reach.map(|r| r.to_string())),
            );
            self.push(
                "penetration_low",
                &key,
                or_why(p.low.map(|v| decimal(v, 6))),
            );
            self.push(
                "penetration_high",
                &key,
                or_why(p.high.map(|v| decimal(v, 6))),
            );
        }
        for e in &report.audience_estimates {
            let key = Key {
                segment: e.segment.clone(),
                version: e.version.clone(),
                channel: e.channel.clone(),
                ..Key::default()
            };
            self.push(
                "audience_estimate_lower",
                &key,
                published(e.lower.to_string()),
            );
            self.push(
                "audience_estimate_upper",
                &key,
                published(e.upper.to_string()),
            );
            self.push(
                "audience_estimate_daily",
                &key,
                e.daily
                    .map_or(missing(Status::NotKnown), |d| published(d.to_string())),
            );
        }
        // herald records no spend (post_metrics::NO_SPEND_DATA): not known until a number is.
        let cost = match metrics.cost_per_1000_reached.parse::<f64>() {
            Ok(v) => published(decimal(v, 2)),
            Err(_) => missing(Status::NotKnown),
        };
        self.push("cost_per_1000_reached", &Key::default(), cost);
    }
}

/// Per window and locale, the largest published single-post reach (reach is not additive,
/// so posts are not summed), or suppressed where every post of the locale is; windows with no
/// post of the locale are left out.
fn largest_post_reach(tables: &[PublishedTable]) -> Vec<(&'static str, String, Value)> {
    let mut best: BTreeMap<(InsightWindow, String), Option<u64>> = BTreeMap::new();
    for table in tables.iter().filter(|t| t.metric == "reach") {
        let Some(window) = InsightWindow::from_label(&table.period) else {
            continue;
        };
        let Some(locale_at) = table.row_dimensions.iter().position(|d| d == "locale") else {
            continue;
        };
        for (row, cells) in table.rows.iter().zip(&table.cells) {
            let Some(locale) = row.get(locale_at) else {
                continue;
            };
            let point = best.entry((window, locale.clone())).or_insert(None);
            for cell in cells {
                if let Cell::Count(n) = cell {
                    *point = Some(point.map_or(*n, |p| p.max(*n)));
                }
            }
        }
    }
    best.into_iter()
        .map(|((window, locale), value)| {
            let value = value.map_or(missing(Status::Suppressed), |v| published(v.to_string()));
            (window.label(), locale, value)
        })
        .collect()
}

/// The report as tidy CSV: the header, then herald's own counts (with totals), delivery
/// and read rates, variant comparisons, and the platform-reported post metrics.
pub fn to_csv(report: &Report) -> String {
    let mut rows = Rows {
        out: COLUMNS.join(",") + "\n",
        campaign: report.campaign.clone(),
    };
    for table in &report.tables {
        rows.table(table, &Key::default(), true);
    }
    // Rates and comparisons share the rows of the delivery tables they are built on.
    let delivery_dimensions: Vec<String> = report
        .tables
        .iter()
        .find(|t| ["sent", "delivered", "read", "failed"].contains(&t.metric.as_str()))
        .map(|t| t.row_dimensions.clone())
        .unwrap_or_default();
    for rates in &report.rates {
        let metric = metric_id(&rates.rate);
        for (row, cells) in rates.rows.iter().zip(&rates.cells) {
            let key = Key::default().with_row(&delivery_dimensions, row);
            for (column, cell) in rates.columns.iter().zip(cells) {
                rows.push(&metric, &key.clone().on(column), rate(cell, 4));
            }
        }
    }
    let compared: Vec<String> = delivery_dimensions
        .iter()
        .filter(|d| *d != "variant")
        .cloned()
        .collect();
    for comparison in &report.comparisons {
        rows.comparison(comparison, &compared);
    }
    rows.post_metrics(report);
    rows.out
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::*;
    use crate::publication::Breakdown;
    use crate::report::data_dictionary::DATA_DICTIONARY;
    use crate::report::test_reports::{
        clicks, count, parse_csv, report, report_by, seen, three_platforms,
    };

    /// The rows as maps from column to field.
    fn rows(csv: &str) -> Vec<BTreeMap<String, String>> {
        let records = parse_csv(csv);
        assert_eq!(records[0], COLUMNS, "the header");
        records[1..]
            .iter()
            .map(|r| {
                assert_eq!(r.len(), COLUMNS.len(), "{r:?}");
                COLUMNS
                    .iter()
                    .map(|c| c.to_string())
                    .zip(r.clone())
                    .collect()
            })
            .collect()
    }

    /// The (value, status) of the one row of `metric` whose fields match `key` and whose
    /// other dimensions are empty.
    fn find(
        rows: &[BTreeMap<String, String>],
        metric: &str,
        key: &[(&str, &str)],
    ) -> (String, String) {
        let matching: Vec<_> = rows
            .iter()
            .filter(|r| r["metric"] == metric)
            .filter(|r| {
                COLUMNS[2..11].iter().all(|c| {
                    let want = key.iter().find(|(k, _)| k == c).map_or("", |(_, v)| v);
                    r[*c] == want
                })
            })
            .collect();
        assert_eq!(matching.len(), 1, "{metric} {key:?}: {matching:#?}");
        (matching[0]["value"].clone(), matching[0]["status"].clone())
    }

    fn published(value: &str) -> (String, String) {
        (value.to_string(), "published".to_string())
    }

    fn withheld(status: &str) -> (String, String) {
        (String::new(), status.to_string())
    }

    /// A report with something of everything: three platforms, variants, clicks, a small
    /// count, post metrics and a label a spreadsheet would run.
    fn everything() -> Report {
        let mut deliveries = vec![
            count("ar", "telegram:info", "a", "sent", 400),
            count("fr", "whatsapp:optin", "a", "sent", 3),
            count("fr", "whatsapp:optin", "a", "delivered", 3),
        ];
        for (variant, numbers) in [("a", [4100, 4000, 120]), ("b", [4100, 4000, 200])] {
            for (status, n) in ["sent", "delivered", "read"].into_iter().zip(numbers) {
                deliveries.push(count("ar", "whatsapp:optin", variant, status, n));
            }
        }
        let mut odd = count("en", "telegram:info", "a", "sent", 50);
        odd.segment = "=cmd|' /C calc'!A0, \"x\"".into();
        deliveries.push(odd);
        let fb = "facebook:page";
        let observations = [
            seen("ar", fb, "111_1", "7d", "reach", 2000),
            seen("ar", fb, "111_1", "7d", "views", 5000),
            seen("fr", fb, "111_2", "7d", "reach", 7),
            seen("fr", fb, "111_2", "7d", "views", 30),
            seen("en", "x:updates", "188", "7d", "impressions", 3000),
        ];
        report_by(
            Breakdown::ALL,
            &deliveries,
            &[
                clicks("ar", "telegram:info", 40),
                clicks("fr", "telegram:info", 4),
            ],
            &observations,
        )
    }

    #[test]
    fn every_row_has_every_column_and_a_number_or_a_status() {
        let csv = to_csv(&everything());
        let rows = rows(&csv);
        assert!(rows.len() > 50, "{csv}");
        let metrics: BTreeSet<&str> = DATA_DICTIONARY
            .iter()
            .filter(|e| e.column == "metric")
            .map(|e| e.value)
            .collect();
        let statuses: Vec<&str> = Status::ALL.iter().map(|s| s.label()).collect();
        let mut keys = BTreeSet::new();
        for row in &rows {
            assert!(
                metrics.contains(row["metric"].as_str()),
                "undocumented: {row:?}"
            );
            assert!(statuses.contains(&row["status"].as_str()), "{row:?}");
            if row["status"] == "published" {
                assert!(row["value"].parse::<f64>().is_ok(), "a number: {row:?}");
            } else {
                assert_eq!(row["value"], "", "no value unless published: {row:?}");
            }
            let key: Vec<&String> = COLUMNS[..11].iter().map(|c| &row[*c]).collect();
            assert!(keys.insert(key.clone()), "one row per key: {key:?}");
        }
        assert!(
            !csv.contains("\n\n") && !csv.starts_with('#'),
            "no blank or comment lines"
        );
        // Something of each kind is there, including what is not a number.
        for status in ["published", "suppressed", "not reported", "not known"] {
            assert!(
                rows.iter().any(|r| r["status"] == status),
                "{status}: {csv}"
            );
        }
    }

    #[test]
    fn counts_and_totals_are_marked_as_documented() {
        let rows = rows(&to_csv(&three_platforms()));
        let cell = [
            ("segment", "in-eu"),
            ("locale", "ar"),
            ("variant", "b"),
            ("channel", "whatsapp:optin"),
            ("period", "whole run"),
        ];
        assert_eq!(find(&rows, "sent", &cell), published("4100"));
        assert_eq!(find(&rows, "read_rate", &cell), published("0.0500"));
        // The total over every row of a channel's column, and the grand total.
        let all = [
            ("segment", TOTAL),
            ("locale", TOTAL),
            ("variant", TOTAL),
            ("period", TOTAL),
        ];
        let on = |channel| {
            let mut key = all.to_vec();
            key.push(("channel", channel));
            key
        };
        assert_eq!(
            find(&rows, "sent", &on("whatsapp:optin")),
            published("8200")
        );
        assert_eq!(find(&rows, "sent", &on(TOTAL)), published("8620"));
        assert_eq!(
            find(
                &rows,
                "delivery_rate",
                &[
                    ("segment", "in-eu"),
                    ("locale", "ar"),
                    ("variant", "a"),
                    ("channel", "telegram:info"),
                    ("period", "whole run"),
                ]
            ),
            withheld("not reported")
        );
        // Comparisons: B vs A, the row without its variant.
        let compared = [
            ("segment", "in-eu"),
            ("locale", "ar"),
            ("variant", "b vs a"),
            ("channel", "whatsapp:optin"),
            ("period", "whole run"),
        ];
        assert_eq!(
            find(&rows, "read_rate_difference", &compared),
            published("0.0200")
        );
        assert_eq!(
            find(&rows, "read_rate_relative_lift", &compared),
            published("0.6667")
        );
        let (low, _) = find(&rows, "read_rate_difference_low95", &compared);
        assert!(low.parse::<f64>().unwrap() > 0.0);
        assert_eq!(
            find(
                &rows,
                "delivery_rate_difference",
                &[
                    ("segment", "in-eu"),
                    ("locale", "ar"),
                    ("variant", "b vs a"),
                    ("channel", "telegram:info"),
                    ("period", "whole run"),
                ]
            ),
            withheld("not reported")
        );
        // Post metrics: per post and window, with no period; reach is never summed as reach.
        let post = [
            ("segment", "in-eu"),
            ("locale", "ar"),
            ("variant", "a"),
            ("send", "weekly"),
            ("post", "111_1"),
            ("channel", "facebook:page"),
        ];
        let at = |window| {
            let mut key = post.to_vec();
            key.push(("window", window));
            key
        };
        assert_eq!(find(&rows, "reach", &at("7d")), published("2000"));
        assert_eq!(find(&rows, "reach", &at("1h")), published("500"));
        assert_eq!(find(&rows, "frequency", &at("7d")), published("2.50"));
        let summed = [
            ("segment", TOTAL),
            ("locale", TOTAL),
            ("variant", TOTAL),
            ("send", TOTAL),
            ("post", TOTAL),
            ("channel", "facebook:page"),
            ("window", "7d"),
        ];
        assert_eq!(
            find(&rows, "reach_sum_upper_bound", &summed),
            published("2800")
        );
        assert!(
            !rows
                .iter()
                .any(|r| r["metric"] == "reach" && r.values().any(|v| v == TOTAL)),
            "no total is called reach"
        );
        assert_eq!(
            find(
                &rows,
                "largest_post_reach",
                &[("locale", "ar"), ("window", "7d")]
            ),
            published("2000")
        );
        assert_eq!(
            find(&rows, "cost_per_1000_reached", &[]),
            withheld("not known")
        );
    }

    #[test]
    fn suppressed_values_are_empty_and_labels_are_safe_in_a_spreadsheet() {
        let csv = to_csv(&everything());
        let rows = rows(&csv);
        let small = [
            ("segment", "in-eu"),
            ("locale", "fr"),
            ("variant", "a"),
            ("channel", "whatsapp:optin"),
            ("period", "whole run"),
        ];
        assert_eq!(find(&rows, "sent", &small), withheld("suppressed"));
        assert_eq!(find(&rows, "delivery_rate", &small), withheld("suppressed"));
        let small_reach = [
            ("segment", "in-eu"),
            ("locale", "fr"),
            ("variant", "a"),
            ("send", "weekly"),
            ("post", "111_2"),
            ("channel", "facebook:page"),
            ("window", "7d"),
        ];
        assert_eq!(find(&rows, "reach", &small_reach), withheld("suppressed"));
        assert_eq!(
            find(&rows, "frequency", &small_reach),
            withheld("suppressed")
        );
        assert_eq!(
            find(
                &rows,
                "largest_post_reach",
                &[("locale", "fr"), ("window", "7d")]
            ),
            withheld("suppressed")
        );
        // The label survives quoting, behind an apostrophe that keeps it a label.
        assert!(
            csv.contains("\"'=cmd|' /C calc'!A0, \"\"x\"\"\""),
            "quoted and guarded: {csv}"
        );
        assert!(
            rows.iter()
                .any(|r| r["segment"] == "'=cmd|' /C calc'!A0, \"x\"")
        );
        assert_eq!(field("-1"), "'-1");
        assert_eq!(field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(field("whole run"), "whole run");
        // A negative number in `value` stays a number.
        let clear = super::tests::rows(&to_csv(&three_platforms()));
        let (low, status) = find(
            &clear,
            "delivery_rate_difference_low95",
            &[
                ("segment", "in-eu"),
                ("locale", "ar"),
                ("variant", "b vs a"),
                ("channel", "whatsapp:optin"),
                ("period", "whole run"),
            ],
        );
        assert_eq!(status, "published");
        assert!(
            low.starts_with('-') && low.parse::<f64>().unwrap() < 0.0,
            "{low}"
        );
    }

    #[test]
    fn a_report_not_broken_down_by_channel_has_an_empty_channel_and_no_repeated_totals() {
        let by = Breakdown::parse("locale").unwrap();
        let deliveries = [
            count("ar", "telegram:info", "a", "sent", 400),
            count("fr", "whatsapp:optin", "a", "sent", 300),
        ];
        let rows = rows(&to_csv(&report_by(by, &deliveries, &[], &[])));
        let sent: Vec<_> = rows.iter().filter(|r| r["metric"] == "sent").collect();
        assert_eq!(sent.len(), 3, "two locales and their total: {sent:#?}");
        assert!(
            sent.iter()
                .all(|r| r["channel"].is_empty() && r["segment"].is_empty())
        );
        assert_eq!(
            find(&rows, "sent", &[("locale", TOTAL), ("period", TOTAL)]),
            published("700")
        );
        assert_eq!(
            find(
                &rows,
                "delivery_rate",
                &[("locale", "ar"), ("period", "whole run")]
            ),
            withheld("not reported")
        );
    }

    #[test]
    fn metric_names_are_the_reports_names_in_snake_case() {
        assert_eq!(metric_id("link previews"), "link_previews");
        assert_eq!(metric_id("CTR"), "ctr");
        assert_eq!(metric_id("post clicks"), "post_clicks");
        assert!(report(&[], &[]).tables.is_empty());
    }
}
