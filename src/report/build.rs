//! Building a campaign's report from its counters: delivery outcomes by segment, locale,
//! variant and period across channels, and clicks (people apart from link previews) by
//! locale, variant and period. Every table is protected before anything leaves this module.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::Serialize;

use super::post_metrics::{
    ApiVersionNote, EstimateNote, PostMetrics, api_versions, estimate_notes, post_metrics,
};
use super::published::{KeyedCount, PublishedTable};
use super::range::DateRange;
use super::rates::{RateTable, VariantComparison, compare_variants, rate_table};
use super::receipts::{Receipt, column_reports};
use crate::publication::PublicationPolicy;
use crate::publication::{Breakdown, Period, Protection};
use crate::store::{
    AudienceEstimateRecord, ClickCount, ClickKey, DeliveryCount, InsightObservation,
};

impl Period {
    /// Every period's label from the day `first` to the day `last`, in order, with no gaps:
    /// tables list each of them, counted or not.
    fn labels_between(self, first: NaiveDate, last: NaiveDate) -> Vec<String> {
        if self == Period::Run {
            return vec![self.label("")];
        }
        let mut labels: Vec<String> = Vec::new();
        for day in first.iter_days().take_while(|d| *d <= last) {
            let label = self.label(&day.format("%Y-%m-%d").to_string());
            if labels.last() != Some(&label) {
                labels.push(label);
            }
        }
        labels
    }

    fn label(self, day: &str) -> String {
        match self {
            Period::Run => "whole run".to_string(),
            Period::Day => day.to_string(),
            Period::Week => NaiveDate::parse_from_str(day, "%Y-%m-%d")
                .map(|d| {
                    let week = d.iso_week();
                    format!("{}-W{:02}", week.year(), week.week())
                })
                .unwrap_or_else(|_| day.to_string()),
        }
    }
}

/// The definitions every report states, in the report itself. The CSV's metrics are defined
/// again in `docs/report-data-dictionary.md`, and how the counts are protected is in
/// `docs/PRIVACY.md`.
pub const DEFINITIONS: &[(&str, &str)] = &[
    (
        "sent",
        "Messages and posts the partner accepted (a channel post counts once, however many follow the channel).",
    ),
    (
        "delivered",
        "Messaging-app deliveries reported by the partner's status callbacks.",
    ),
    (
        "read",
        "Messaging-app reads reported by the partner's status callbacks.",
    ),
    (
        "failed",
        "Messages the partner refused for good, or that failed after every retry.",
    ),
    (
        "clicks",
        "Follows of herald's own tracking link by people, per send, variant, locale and channel; no per-person data is kept.",
    ),
    (
        "link previews",
        "Follows of the tracking link by link-preview fetchers and prefetchers, counted apart from people.",
    ),
    (
        "delivery rate",
        "delivered / sent, on the platforms that report deliveries (WhatsApp, Viber).",
    ),
    (
        "read rate",
        "read / delivered, on the platforms that report reads (WhatsApp read, Viber seen).",
    ),
    (
        "not reported by this platform",
        "Shown in place of a rate the platform cannot report, never 0. Telegram sends no delivery or read receipts for channel posts or bot messages. Facebook and X posts (and ads) are published, not delivered to a person, so they have no delivery or read rate: see reach. Generic signed webhooks send no receipts. A column that sums channels of both kinds (a report not broken down by channel) shows no rate either. In JSON the cell carries the platform's reason.",
    ),
    (
        "B − A (95% interval)",
        "Variant B's rate minus variant A's, d = p_B − p_A, with Newcombe's hybrid score interval (method 10 of Newcombe 1998, built from the Wilson score intervals of both rates, z = 1.959964): it stays honest at 0% and 100%, where the Wald interval claims certainty. Each variant needs at least 100 trials, otherwise \"not enough data\".",
    ),
    (
        "relative lift",
        "d / p_A = p_B / p_A − 1, with the MOVER-R interval for the ratio p_B / p_A (Donner & Zou 2012, from the same Wilson intervals) minus 1. When p_A is 0 a change relative to it has no size, and the report says \"not defined\".",
    ),
    (
        "no variants",
        "Messages of a send that has no variants; they are not compared.",
    ),
    (
        "windows",
        "Platform metrics are read for each post 1h, 24h and 7d after it was published, and at the campaign's end (its last day, 23:59 UTC); windows after the end are skipped. A value read late stands for the latest window already closed.",
    ),
    (
        "reach",
        "Unique accounts that saw a post, as the platform reports it for one window (Facebook: post_total_media_view_unique). Reach is not additive across windows, posts, pages or platforms: it is shown per post, window and source, and a sum is labelled \"sum of reach (upper bound on unique people)\".",
    ),
    (
        "impressions",
        "Times a post was shown, as the platform reports it for one window (X: impression_count).",
    ),
    (
        "views",
        "Times a Facebook post was on screen, repeat views included, for one window (post_media_view, which Meta reports in place of the post impressions it retired).",
    ),
    (
        "post clicks",
        "Clicks on a post as the platform counts them (Facebook: post_clicks), apart from the clicks on herald's own tracking link.",
    ),
    (
        "engagements",
        "Interactions with a post as X reports them: likes + reposts + replies + quotes + bookmarks.",
    ),
    (
        "frequency",
        "views / reach (Facebook), or impressions / reach where a platform reports impressions instead of views: the average number of times each account reached saw the post, for a post and window where the platform reports both. X reports no reach, so X posts have no frequency.",
    ),
    (
        "CTR",
        "post clicks / views (Facebook), or post clicks / impressions, for a post and window where the platform reports both.",
    ),
    (
        "penetration",
        "R / A as the interval [R / A_upper, R / A_lower], each end capped at 1. A is the platform's audience estimate for the segment's targeting (its countries and ages, any language) taken when the version started running; R is the largest reach of a single post of that segment on that channel in the latest window observed (reach is not additive, so posts are not summed).",
    ),
    (
        "cost per 1,000 reached",
        "spend / R × 1000 where spend is known; herald records no spend, so it is not known.",
    ),
    (
        "suppressed",
        "A count from 1 to k−1 of herald's own counters is never shown, in any table, nor is a count its noise (see perturbed) would take below k; nor is a zero in a table by week or day whose row or column was counted in another period (it reads suppressed too, so a suppressed cell is not known to hold anyone; tables list every row in every period). Among the figures the platforms report (reach, views, …), a value from 1 to k−1, or one that could be worked out from the rest of its table, is not shown. Otherwise a zero is shown: it singles nobody out.",
    ),
    (
        "published through",
        "The last day a report counts. Only settled days of closed periods are published: a day eight days after it, an ISO week once its Sunday has settled, the whole run once the campaign's last day has settled (and then always through that day). So a published figure reads the same on every request.",
    ),
    (
        "perturbed",
        "Every count from herald's own counters (sent, delivered, read, failed, clicks, link previews), totals included, is published with a small noise of at most the policy's max_noise either way; a result below k reads suppressed, any other is rounded as the policy says and never below k. The noise comes from the cell key method: each counted event carries a random record key, a cell's key is the sum of its events' keys, and a fixed table turns the key into the noise. The same events get the same noise in every table, breakdown and period, so subtracting tables from each other yields noise, never a person. Totals are perturbed on their own, so cells need not add up to their total exactly. Rates and variant comparisons are computed from the published counts.",
    ),
];

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub campaign: String,
    pub generated_at: DateTime<Utc>,
    pub period: Period,
    /// The breakdown of this report's tables.
    pub breakdown: Breakdown,
    /// The dates the report was narrowed to (`--from/--until`), if any.
    pub range: Option<DateRange>,
    /// The last day counted: only settled days of closed periods are published, so every
    /// published cell reads the same on every request (`None` for a report built straight
    /// from counters, as in unit tests).
    pub published_through: Option<NaiveDate>,
    pub protection: Protection,
    /// The publication policy the report was published under: its protection, and every
    /// breakdown and period the deployment publishes.
    pub policy: PublicationPolicy,
    pub definitions: Vec<(String, String)>,
    /// Where the counts come from, and what is not measured yet.
    pub sources: Vec<String>,
    pub tables: Vec<PublishedTable>,
    /// Delivery and read rates, withheld where a count they rest on is suppressed.
    pub rates: Vec<RateTable>,
    /// Variant B against A on each rate, with a 95% interval, per row and channel.
    pub comparisons: Vec<VariantComparison>,
    /// What the platforms report about the campaign's posts, and penetration.
    pub post_metrics: PostMetrics,
    /// The audience estimates penetration rests on: bounds and when they were taken.
    pub audience_estimates: Vec<EstimateNote>,
    /// The platform API versions the post metrics and estimates came from.
    pub platform_api_versions: Vec<ApiVersionNote>,
}

impl Report {
    /// Adds what the platforms reported (post metrics per window, audience estimates),
    /// protected like the report's other tables.
    pub fn add_post_metrics(
        &mut self,
        observations: &[InsightObservation],
        estimates: &[AudienceEstimateRecord],
    ) {
        self.post_metrics = post_metrics(observations, estimates, self.protection);
        self.audience_estimates = estimate_notes(estimates);
        self.platform_api_versions = api_versions(observations, estimates);
    }
}

impl Breakdown {
    fn column(self, channel: &str) -> String {
        if self.channel {
            channel.to_string()
        } else {
            "all channels".to_string()
        }
    }
}

pub fn build_report(
    campaign: &str,
    deliveries: &[DeliveryCount],
    clicks: &[(ClickKey, ClickCount)],
    period: Period,
    protection: Protection,
    generated_at: DateTime<Utc>,
) -> Report {
    build_report_by(
        campaign,
        deliveries,
        clicks,
        period,
        protection,
        Breakdown::ALL,
        generated_at,
    )
}

/// [`build_report`] with the breakdowns `by` chooses.
pub fn build_report_by(
    campaign: &str,
    deliveries: &[DeliveryCount],
    clicks: &[(ClickKey, ClickCount)],
    period: Period,
    protection: Protection,
    by: Breakdown,
    generated_at: DateTime<Utc>,
) -> Report {
    let delivery_dims = delivery_dimensions(by);
    let periods = period_labels(deliveries, clicks, period);
    let layout = TableLayout {
        by,
        period,
        periods: &periods,
        protection,
    };
    let mut tables = delivery_tables(deliveries, &delivery_dims, &layout);
    tables.extend(click_tables(clicks, &delivery_dims, &layout));
    let variant_index = delivery_dims.iter().position(|d| *d == "variant");
    let (rates, comparisons) = rates_and_comparisons(&tables, deliveries, by, variant_index);
    Report {
        campaign: campaign.to_string(),
        generated_at,
        period,
        breakdown: by,
        range: None,
        published_through: None,
        protection,
        policy: PublicationPolicy {
            protection,
            ..PublicationPolicy::default()
        },
        definitions: DEFINITIONS
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        sources: sources(),
        tables,
        rates,
        comparisons,
        post_metrics: PostMetrics {
            cost_per_1000_reached: super::post_metrics::NO_SPEND_DATA.to_string(),
            ..PostMetrics::default()
        },
        audience_estimates: Vec::new(),
        platform_api_versions: Vec::new(),
    }
}

/// How the tables of one report are laid out: the rows the breakdown keeps, the periods
/// every table lists (counted or not) and the protection applied to each.
struct TableLayout<'a> {
    by: Breakdown,
    period: Period,
    periods: &'a [String],
    protection: Protection,
}

/// The row dimensions of the delivery tables, in order: those of the breakdown (the channel
/// is a column), then the period.
fn delivery_dimensions(by: Breakdown) -> Vec<&'static str> {
    let mut dims: Vec<&str> = Vec::new();
    for (on, name) in [
        (by.segment, "segment"),
        (by.locale, "locale"),
        (by.variant, "variant"),
    ] {
        if on {
            dims.push(name);
        }
    }
    dims.push("period");
    dims
}

/// Every period from the first day counted to the last (deliveries and clicks alike), or the
/// one period of a report with nothing counted.
fn period_labels(
    deliveries: &[DeliveryCount],
    clicks: &[(ClickKey, ClickCount)],
    period: Period,
) -> Vec<String> {
    let days: Vec<NaiveDate> = deliveries
        .iter()
        .map(|c| c.day.as_str())
        .chain(clicks.iter().map(|(k, _)| k.day.as_str()))
        .filter_map(|day| NaiveDate::parse_from_str(day, "%Y-%m-%d").ok())
        .collect();
    match (days.iter().min(), days.iter().max()) {
        (Some(first), Some(last)) => period.labels_between(*first, *last),
        _ => vec![period.label("")],
    }
}

/// One protected table per delivery status that has counts: sent, delivered, read, failed.
fn delivery_tables(
    deliveries: &[DeliveryCount],
    delivery_dims: &[&str],
    layout: &TableLayout,
) -> Vec<PublishedTable> {
    let TableLayout { by, period, .. } = *layout;
    let mut tables = Vec::new();
    for status in ["sent", "delivered", "read", "failed"] {
        let mut counts: BTreeMap<(Vec<String>, String), KeyedCount> = BTreeMap::new();
        for c in deliveries.iter().filter(|c| c.status == status) {
            let mut row = Vec::with_capacity(4);
            if by.segment {
                row.push(c.segment.clone());
            }
            if by.locale {
                row.push(c.locale.clone());
            }
            if by.variant {
                row.push(variant_label(&c.variant));
            }
            row.push(period.label(&c.day));
            counts
                .entry((row, by.column(&c.channel)))
                .or_default()
                .add(c.count, c.key_sum);
        }
        if !counts.is_empty() {
            tables.push(layout.perturb(status, delivery_dims, &counts));
        }
    }
    tables
}

/// One protected table each for clicks by people and link previews, where counted; clicks
/// are not counted by segment.
fn click_tables(
    clicks: &[(ClickKey, ClickCount)],
    delivery_dims: &[&str],
    layout: &TableLayout,
) -> Vec<PublishedTable> {
    let TableLayout { by, period, .. } = *layout;
    let click_dims: Vec<&str> = delivery_dims
        .iter()
        .copied()
        .filter(|d| *d != "segment")
        .collect();
    let mut tables = Vec::new();
    for (kind, metric) in [("person", "clicks"), ("preview", "link previews")] {
        let mut counts: BTreeMap<(Vec<String>, String), KeyedCount> = BTreeMap::new();
        for (key, n) in clicks.iter().filter(|(k, _)| k.kind == kind) {
            let mut row = Vec::with_capacity(3);
            if by.locale {
                row.push(key.locale.clone());
            }
            if by.variant {
                row.push(variant_label(&key.variant));
            }
            row.push(period.label(&key.day));
            counts
                .entry((row, by.column(&key.channel)))
                .or_default()
                .add(n.clicks, n.key_sum);
        }
        if !counts.is_empty() {
            tables.push(layout.perturb(metric, &click_dims, &counts));
        }
    }
    tables
}

impl TableLayout<'_> {
    /// The counts of `metric` as a protected table of this layout.
    fn perturb(
        &self,
        metric: &str,
        dims: &[&str],
        counts: &BTreeMap<(Vec<String>, String), KeyedCount>,
    ) -> PublishedTable {
        PublishedTable::perturb(
            metric,
            self.period.name(),
            dims,
            counts,
            Some(self.periods),
            self.protection,
        )
    }
}

/// The delivery and read rates of the published tables, and their variants compared where
/// the rows have a variant (at `variant_index`); a rate whose platforms do not report its
/// receipt says so rather than 0.
fn rates_and_comparisons(
    tables: &[PublishedTable],
    deliveries: &[DeliveryCount],
    by: Breakdown,
    variant_index: Option<usize>,
) -> (Vec<RateTable>, Vec<VariantComparison>) {
    let find = |metric: &str| tables.iter().find(|t| t.metric == metric);
    // The channels each column sums, to know whether its platforms report a rate at all.
    let mut column_channels: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
    for c in deliveries {
        column_channels
            .entry(by.column(&c.channel))
            .or_default()
            .insert(c.channel.as_str());
    }
    let mut rates = Vec::new();
    let mut comparisons = Vec::new();
    for (name, definition, numerator, denominator) in [
        ("delivery rate", "delivered / sent", "delivered", "sent"),
        ("read rate", "read / delivered", "read", "delivered"),
    ] {
        let Some(bottom) = find(denominator) else {
            continue;
        };
        let top = find(numerator);
        let reported = |column: &str| match Receipt::counted_by(numerator) {
            Some(receipt) => column_reports(
                column_channels.get(column).into_iter().flatten().copied(),
                receipt,
            ),
            None => Ok(()),
        };
        rates.push(rate_table(name, definition, top, bottom, reported));
        if let Some(index) = variant_index {
            comparisons.extend(compare_variants(name, top, bottom, index, reported));
        }
    }
    (rates, comparisons)
}

/// Where the report's figures come from, as its Sources section lists them.
fn sources() -> Vec<String> {
    vec![
        "herald's outbox outcomes (sent, failed)".into(),
        "herald's click redirector (clicks, link previews)".into(),
        "partner delivery callbacks (delivered, read, failed)".into(),
        "Facebook post insights (Graph API) and X public metrics (API v2), read per post and window (reach, views, impressions, post clicks, engagements)".into(),
        "Meta Marketing API audience estimates (delivery_estimate), taken when a version started running".into(),
        "spend: not collected".into(),
    ]
}

/// How the variant of a message without variants is written wherever a person reads it.
pub const NO_VARIANT: &str = "no variants";

pub(super) fn variant_label(variant: &str) -> String {
    if variant.is_empty() {
        NO_VARIANT.to_string()
    } else {
        variant.to_string()
    }
}
