//! The data dictionary of the tidy CSV report: every column, every metric name and unit,
//! every status, and how totals and missing dimensions are marked. The same entries are
//! written out in `docs/report-data-dictionary.md` (a test keeps the two in step), and as
//! CSV by [`data_dictionary_csv`], to publish beside a report.

use super::tidy_csv::field;

/// One entry: a column, or one value a column can take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DictionaryEntry {
    /// The CSV column; `(dimensions)` for a marker every dimension column uses.
    pub column: &'static str,
    /// The value described; empty when the entry describes the column itself.
    pub value: &'static str,
    pub meaning: &'static str,
    /// For a metric: what its value counts or measures.
    pub unit: &'static str,
}

const fn column(column: &'static str, meaning: &'static str) -> DictionaryEntry {
    DictionaryEntry {
        column,
        value: "",
        meaning,
        unit: "",
    }
}

const fn value(
    column: &'static str,
    value: &'static str,
    meaning: &'static str,
    unit: &'static str,
) -> DictionaryEntry {
    DictionaryEntry {
        column,
        value,
        meaning,
        unit,
    }
}

const fn metric(name: &'static str, meaning: &'static str, unit: &'static str) -> DictionaryEntry {
    value("metric", name, meaning, unit)
}

const fn status(name: &'static str, meaning: &'static str) -> DictionaryEntry {
    value("status", name, meaning, "")
}

/// Units, named once.
const MESSAGES: &str = "count of messages and posts";
const PEOPLE_CLICKS: &str = "count of link follows";
const PROPORTION: &str = "proportion from 0 to 1";
const DIFFERENCE: &str = "difference of proportions, from -1 to 1";
const RELATIVE: &str = "ratio minus 1 (0.25 = 25% higher)";
const ACCOUNTS: &str = "count of accounts";
const TIMES: &str = "count of times shown";
const INTERACTIONS: &str = "count of interactions";
const PER_ACCOUNT: &str = "average times shown per account reached";
const PEOPLE: &str = "count of people";

/// Every entry, in the order of the CSV's columns.
pub const DATA_DICTIONARY: &[DictionaryEntry] = &[
    column("campaign", "The campaign's id, as in its campaign file."),
    column(
        "metric",
        "What the value measures: one of the metric names below.",
    ),
    column("segment", "The audience segment the value is for."),
    column(
        "locale",
        "The language version (BCP 47 tag, for example ar or fr).",
    ),
    column(
        "variant",
        "The message variant; no variants for messages of a send without variants; on a comparison row, the two variants compared, written B vs A.",
    ),
    column(
        "send",
        "The campaign's send a post belongs to (platform post metrics).",
    ),
    column(
        "post",
        "The platform's id of the post (platform post metrics).",
    ),
    column(
        "version",
        "The campaign version an audience estimate was taken for: the first 12 characters of its content hash (penetration and audience estimates).",
    ),
    column(
        "channel",
        "The channel, written platform:account (for example whatsapp:optin).",
    ),
    column(
        "period",
        "For herald's own counts, rates and comparisons: whole run, a day (YYYY-MM-DD) or an ISO week (YYYY-Www), as the report was asked for. Empty for platform post metrics, which have a window instead.",
    ),
    column(
        "window",
        "For platform post metrics: when the platform was asked, 1h, 24h or 7d after the post was published, or end (the campaign's last day, 23:59 UTC). For penetration, the latest window with reach observed. Empty for herald's own counts.",
    ),
    column(
        "value",
        "The published number, in the metric's unit; a decimal point, no thousands separator, - for a negative difference. Empty unless the status is published.",
    ),
    column("status", "What the value is: one of the statuses below."),
    value(
        "(dimensions)",
        "(all)",
        "In a dimension column (segment to channel, and period): the row is the total over every value of that dimension, summed, as the table's totals are. The totals of reach are under their own metric name, reach_sum_upper_bound.",
        "",
    ),
    value(
        "(dimensions)",
        "(empty)",
        "An empty field in a dimension column: the row is not broken down by that dimension, either because the metric does not carry it (clicks have no segment, herald's counts no post) or because the report was not asked for it (--by). A report not broken down by channel has an empty channel and no (all) channel totals.",
        "",
    ),
    metric(
        "sent",
        "Messages and posts the partner accepted (a channel post counts once, however many follow the channel).",
        MESSAGES,
    ),
    metric(
        "delivered",
        "Messaging-app deliveries reported by the partner's status callbacks (WhatsApp, Viber).",
        MESSAGES,
    ),
    metric(
        "read",
        "Messaging-app reads reported by the partner's status callbacks (WhatsApp read, Viber seen).",
        MESSAGES,
    ),
    metric(
        "failed",
        "Messages the partner refused for good, or that failed after every retry.",
        MESSAGES,
    ),
    metric(
        "clicks",
        "Follows of herald's own tracking link by people (link previews apart).",
        PEOPLE_CLICKS,
    ),
    metric(
        "link_previews",
        "Follows of the tracking link by link-preview fetchers and prefetchers.",
        PEOPLE_CLICKS,
    ),
    metric(
        "delivery_rate",
        "delivered / sent, on the platforms that report deliveries; not reported on the others, never 0.",
        PROPORTION,
    ),
    metric(
        "read_rate",
        "read / delivered, on the platforms that report reads; not reported on the others, never 0.",
        PROPORTION,
    ),
    metric(
        "delivery_rate_difference",
        "Variant B's delivery rate minus variant A's (p_B - p_A).",
        DIFFERENCE,
    ),
    metric(
        "delivery_rate_difference_low95",
        "Lower end of the 95% Newcombe hybrid score interval of delivery_rate_difference.",
        DIFFERENCE,
    ),
    metric(
        "delivery_rate_difference_high95",
        "Upper end of the 95% Newcombe hybrid score interval of delivery_rate_difference.",
        DIFFERENCE,
    ),
    metric(
        "delivery_rate_relative_lift",
        "delivery_rate_difference / p_A = p_B / p_A - 1.",
        RELATIVE,
    ),
    metric(
        "delivery_rate_relative_lift_low95",
        "Lower end of the 95% MOVER-R interval of delivery_rate_relative_lift.",
        RELATIVE,
    ),
    metric(
        "delivery_rate_relative_lift_high95",
        "Upper end of the 95% MOVER-R interval of delivery_rate_relative_lift.",
        RELATIVE,
    ),
    metric(
        "read_rate_difference",
        "Variant B's read rate minus variant A's (p_B - p_A).",
        DIFFERENCE,
    ),
    metric(
        "read_rate_difference_low95",
        "Lower end of the 95% Newcombe hybrid score interval of read_rate_difference.",
        DIFFERENCE,
    ),
    metric(
        "read_rate_difference_high95",
        "Upper end of the 95% Newcombe hybrid score interval of read_rate_difference.",
        DIFFERENCE,
    ),
    metric(
        "read_rate_relative_lift",
        "read_rate_difference / p_A = p_B / p_A - 1.",
        RELATIVE,
    ),
    metric(
        "read_rate_relative_lift_low95",
        "Lower end of the 95% MOVER-R interval of read_rate_relative_lift.",
        RELATIVE,
    ),
    metric(
        "read_rate_relative_lift_high95",
        "Upper end of the 95% MOVER-R interval of read_rate_relative_lift.",
        RELATIVE,
    ),
    metric(
        "reach",
        "Unique accounts that saw one post, as the platform reports it for one window (Facebook: post_total_media_view_unique). Not additive across posts, windows, channels or platforms.",
        ACCOUNTS,
    ),
    metric(
        "reach_sum_upper_bound",
        "The sum of the reach of a channel's posts in one window: an upper bound on the unique accounts reached, as one account reached by two posts counts twice.",
        ACCOUNTS,
    ),
    metric(
        "views",
        "Times a Facebook post was on screen in one window, repeat views included (post_media_view).",
        TIMES,
    ),
    metric(
        "impressions",
        "Times a post was shown in one window, as the platform reports it (X: impression_count).",
        TIMES,
    ),
    metric(
        "post_clicks",
        "Clicks on a post as the platform counts them (Facebook: post_clicks), apart from herald's tracking link.",
        INTERACTIONS,
    ),
    metric(
        "engagements",
        "Interactions with a post as X reports them: likes, reposts, replies, quotes and bookmarks.",
        INTERACTIONS,
    ),
    metric(
        "frequency",
        "views / reach (or impressions / reach) of the same post and window.",
        PER_ACCOUNT,
    ),
    metric(
        "ctr",
        "post_clicks / views (or post_clicks / impressions) of the same post and window.",
        PROPORTION,
    ),
    metric(
        "largest_post_reach",
        "The largest published reach of a single post of the locale in the window, over every channel (reach is not additive, so posts are never summed).",
        ACCOUNTS,
    ),
    metric(
        "penetration_reach",
        "R: the largest reach of a single post of the segment and version on the channel, in the latest window observed.",
        ACCOUNTS,
    ),
    metric(
        "penetration_low",
        "R / A_upper, capped at 1, where A is the platform's audience estimate for the segment's targeting.",
        PROPORTION,
    ),
    metric("penetration_high", "R / A_lower, capped at 1.", PROPORTION),
    metric(
        "audience_estimate_lower",
        "The lower bound of the platform's audience estimate for the segment's targeting, taken when the version started running.",
        PEOPLE,
    ),
    metric(
        "audience_estimate_upper",
        "The upper bound of that audience estimate.",
        PEOPLE,
    ),
    metric(
        "audience_estimate_daily",
        "The platform's estimate of the accounts reachable per day, where it gives one.",
        PEOPLE,
    ),
    metric(
        "cost_per_1000_reached",
        "spend / R x 1000; herald records no spend, so the status is not known.",
        "currency units per 1,000 accounts",
    ),
    status("published", "value is the published number."),
    status(
        "suppressed",
        "Hidden to protect small groups: a count from 1 to k-1 (fewer than k; k is at least 5, 10 by default), or a count the noise would take below k, or one that could be worked out from the other cells and totals of its table; or a rate, comparison or penetration that rests on such a count. value is empty.",
    ),
    status(
        "not reported",
        "The platform does not report what the rate counts (Telegram sends no receipts; Facebook and X posts are published, not delivered; webhooks send no receipts; or the row sums channels of both kinds). It is not 0. value is empty.",
    ),
    status(
        "not enough data",
        "A variant comparison where a variant has fewer than 100 published trials. value is empty.",
    ),
    status(
        "not defined",
        "A rate over 0 (nothing delivered or sent in that row), or a relative lift when variant A's rate is 0. value is empty.",
    ),
    status(
        "no upper bound",
        "The upper end of a relative lift's interval, when the interval has none. value is empty.",
    ),
    status(
        "not known",
        "No figure to publish: no spend data, no reach observed, no audience estimate, or no daily estimate given. value is empty.",
    ),
];

/// The data dictionary as CSV: `column,value,meaning,unit`, one line per entry.
pub fn data_dictionary_csv() -> String {
    let mut out = String::from("column,value,meaning,unit\n");
    for entry in DATA_DICTIONARY {
        out.push_str(&format!(
            "{},{},{},{}\n",
            field(entry.column),
            field(entry.value),
            field(entry.meaning),
            field(entry.unit)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tidy_csv::{COLUMNS, Status, TOTAL};

    const DOCUMENT: &str = include_str!("../../docs/report-data-dictionary.md");

    #[test]
    fn every_column_and_status_is_described() {
        for column in COLUMNS {
            assert!(
                DATA_DICTIONARY
                    .iter()
                    .any(|e| e.column == column && e.value.is_empty()),
                "{column}"
            );
        }
        for status in Status::ALL {
            assert!(
                DATA_DICTIONARY
                    .iter()
                    .any(|e| e.column == "status" && e.value == status.label()),
                "{status:?}"
            );
        }
        assert!(DATA_DICTIONARY.iter().any(|e| e.value == TOTAL));
        assert!(
            DATA_DICTIONARY
                .iter()
                .filter(|e| e.column == "metric" && !e.value.is_empty())
                .all(|e| !e.unit.is_empty())
        );
    }

    /// docs/report-data-dictionary.md says what the code says, entry for entry.
    #[test]
    fn the_document_lists_every_entry_with_its_meaning() {
        assert!(DOCUMENT.contains(&format!("`{}`", COLUMNS.join(","))));
        for entry in DATA_DICTIONARY {
            let name = if entry.value.is_empty() {
                entry.column
            } else {
                entry.value
            };
            let line = if entry.unit.is_empty() {
                format!("| `{name}` | {} |\n", entry.meaning)
            } else {
                format!("| `{name}` | {} | {} |\n", entry.meaning, entry.unit)
            };
            assert!(
                DOCUMENT.contains(&line),
                "missing from the document: {line}"
            );
        }
    }

    #[test]
    fn the_dictionary_as_csv_has_one_line_per_entry() {
        let csv = data_dictionary_csv();
        let records = crate::report::test_reports::parse_csv(&csv);
        assert_eq!(records[0], ["column", "value", "meaning", "unit"]);
        assert_eq!(records.len(), DATA_DICTIONARY.len() + 1);
        for (record, entry) in records[1..].iter().zip(DATA_DICTIONARY) {
            assert_eq!(
                record,
                &[entry.column, entry.value, entry.meaning, entry.unit]
            );
        }
    }
}
