//! What the platforms report about herald's posts: reach per post, window and source (never
//! summed as if it were unique people), views (Facebook) and impressions (X), platform clicks
//! and engagements; frequency and CTR where the platform reports both parts for the same post
//! and window; penetration against the audience estimate taken at launch, as an
//! interval. Counts are protected like every other table; a rate built on a suppressed
//! count is withheld.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::published::{Cell, PublishedTable};
use super::rates::RateCell;
use crate::publication::Protection;
use crate::reach::InsightWindow;
use crate::store::{AudienceEstimateRecord, InsightObservation};

/// How a sum of reach must be called: the same person reached by two posts counts twice.
pub const SUM_OF_REACH: &str = "sum of reach (upper bound on unique people)";

/// Cost per 1,000 reached needs spend, which herald does not record.
pub const NO_SPEND_DATA: &str = "not known (no spend data)";

/// The row dimensions of a post table: a post is one row, its source channel the column.
pub const POST_DIMENSIONS: [&str; 5] = ["segment", "locale", "variant", "send", "post"];

/// herald's metric names, as stored, and the tables' names.
const METRICS: [(&str, &str); 5] = [
    ("reach", "reach"),
    ("views", "views"),
    ("impressions", "impressions"),
    ("clicks", "post clicks"),
    ("engagements", "engagements"),
];

/// A rate over two metrics of the same post and window. Each part names the stored metrics
/// that can stand for it, preferred first: Facebook reports views where it used to report
/// impressions (Meta retired post impressions), X reports impressions.
struct PostRate {
    name: &'static str,
    definition: &'static str,
    numerator: &'static [&'static str],
    denominator: &'static [&'static str],
    /// Places shown: frequency is read as "4.05 times", CTR as a small share.
    decimals: usize,
}

const RATES: [PostRate; 2] = [
    PostRate {
        name: "frequency",
        definition: "views / reach (or impressions / reach) of the same post and window",
        numerator: &["views", "impressions"],
        denominator: &["reach"],
        decimals: 2,
    },
    PostRate {
        name: "CTR",
        definition: "post clicks / views (or post clicks / impressions) of the same post and window",
        numerator: &["clicks"],
        denominator: &["views", "impressions"],
        decimals: 4,
    },
];

/// The platform-reported part of a report.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PostMetrics {
    /// One protected table per metric, window and channel (the table's `period` is the
    /// window, its one column the channel): a row per post.
    pub tables: Vec<PublishedTable>,
    /// Frequency and CTR per post and window, where both parts are reported.
    pub rates: Vec<PostRateTable>,
    /// Reach over audience, per audience estimate.
    pub penetration: Vec<Penetration>,
    pub cost_per_1000_reached: String,
    /// Per locale, the largest published single-post reach in each window: what the "reach
    /// over time" chart draws.
    pub reach_over_time: Vec<LocaleReach>,
}

impl PostMetrics {
    /// Whether there is nothing to show (no post read, no estimate taken).
    pub fn is_empty(&self) -> bool {
        self.tables.is_empty() && self.penetration.is_empty()
    }
}

/// A rate per post (rows, as in the post tables) and channel, for one window.
#[derive(Debug, Clone, Serialize)]
pub struct PostRateTable {
    pub rate: String,
    pub definition: String,
    pub window: String,
    /// Decimal places the rate is shown with.
    pub decimals: usize,
    pub rows: Vec<Vec<String>>,
    pub columns: Vec<String>,
    pub cells: Vec<Vec<RateCell>>,
}

/// Penetration for one audience estimate (a version's segment on a channel).
#[derive(Debug, Clone, Serialize)]
pub struct Penetration {
    /// The version's short hash.
    pub version: String,
    pub segment: String,
    pub channel: String,
    /// A: the estimate's bounds, and when it was taken.
    pub audience_lower: i64,
    pub audience_upper: i64,
    pub estimated_at: DateTime<Utc>,
    /// The latest window with reach observed for the segment on the channel, and R: the
    /// largest reach of a single post in it (as published).
    pub window: Option<String>,
    pub reach: Option<u64>,
    /// R / A_upper and R / A_lower, each capped at 1.
    pub low: Option<f64>,
    pub high: Option<f64>,
    /// Why there is no interval.
    pub withheld: Option<&'static str>,
}

/// One line of the reach-over-time chart.
#[derive(Debug, Clone, Serialize)]
pub struct LocaleReach {
    pub locale: String,
    /// (window, largest published single-post reach), `None` where nothing is published.
    pub points: Vec<(String, Option<u64>)>,
}

/// An audience estimate as the report's metadata lists it.
#[derive(Debug, Clone, Serialize)]
pub struct EstimateNote {
    pub version: String,
    pub segment: String,
    pub channel: String,
    pub lower: i64,
    pub upper: i64,
    pub daily: Option<i64>,
    pub api_version: String,
    pub estimated_at: DateTime<Utc>,
}

/// A platform API version some of the report's numbers came from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ApiVersionNote {
    pub channel: String,
    pub api_version: String,
}

/// (row, channel) → value.
type Counts = BTreeMap<(Vec<String>, String), u64>;

/// Raw values per (stored metric, window).
struct Observed {
    values: BTreeMap<(String, InsightWindow), Counts>,
    /// (channel, post) → version, to match posts with the estimate of their version.
    versions: HashMap<(String, String), String>,
}

impl Observed {
    fn new(observations: &[InsightObservation]) -> Observed {
        let mut values: BTreeMap<(String, InsightWindow), Counts> = BTreeMap::new();
        let mut versions = HashMap::new();
        for o in observations {
            let Some(window) = InsightWindow::from_label(&o.window) else {
                continue;
            };
            values
                .entry((o.metric.clone(), window))
                .or_default()
                .insert((post_row(o), o.channel.clone()), o.value.max(0) as u64);
            versions.insert((o.channel.clone(), o.post_id.clone()), o.version.clone());
        }
        Observed { values, versions }
    }

    fn get(&self, metric: &str, window: InsightWindow) -> Option<&Counts> {
        self.values.get(&(metric.to_string(), window))
    }
}

/// A post's row: segment, locale, variant, send, post id.
fn post_row(o: &InsightObservation) -> Vec<String> {
    vec![
        o.segment.clone(),
        o.locale.clone(),
        super::build::variant_label(&o.variant),
        o.send.clone(),
        o.post_id.clone(),
    ]
}

/// The post metrics of a campaign from its observations and audience estimates.
pub fn post_metrics(
    observations: &[InsightObservation],
    estimates: &[AudienceEstimateRecord],
    protection: Protection,
) -> PostMetrics {
    let observed = Observed::new(observations);
    let published = PostTables::protect(&observed, protection);
    let rates = RATES
        .iter()
        .flat_map(|rate| {
            InsightWindow::ALL
                .into_iter()
                .filter_map(|window| post_rate_table(rate, window, &observed, &published))
        })
        .collect();
    let penetration = estimates
        .iter()
        .map(|estimate| {
            penetration(estimate, &observed, |w, row, channel| {
                published.cell("reach", w, row, channel)
            })
        })
        .collect();
    let reach_over_time = reach_over_time(&observed, |w, row, channel| {
        published.cell("reach", w, row, channel)
    });
    PostMetrics {
        tables: published.tables,
        rates,
        penetration,
        cost_per_1000_reached: NO_SPEND_DATA.to_string(),
        reach_over_time,
    }
}

/// The protected post tables, one per metric, window and channel: a post is on one channel,
/// so a table across channels would be mostly zeros that mean "not on this channel".
struct PostTables {
    tables: Vec<PublishedTable>,
    /// (stored metric, window, channel) → the table's place in `tables`.
    index: HashMap<(&'static str, InsightWindow, String), usize>,
}

impl PostTables {
    fn protect(observed: &Observed, protection: Protection) -> PostTables {
        let mut tables = Vec::new();
        let mut index = HashMap::new();
        for (metric, name) in METRICS {
            for window in InsightWindow::ALL {
                let Some(counts) = observed.get(metric, window) else {
                    continue;
                };
                for (channel, counts) in by_channel(counts) {
                    let mut table = PublishedTable::protect(
                        name,
                        window.label(),
                        &POST_DIMENSIONS,
                        &counts,
                        protection,
                    );
                    if metric == "reach" {
                        table = table.with_total_label(SUM_OF_REACH);
                    }
                    index.insert((metric, window, channel.to_string()), tables.len());
                    tables.push(table);
                }
            }
        }
        PostTables { tables, index }
    }

    /// A post's published cell of a stored metric, in a window, on a channel.
    fn cell(
        &self,
        metric: &str,
        window: InsightWindow,
        row: &[String],
        channel: &str,
    ) -> Option<Cell> {
        self.index
            .get(&(metric, window, channel.to_string()))
            .and_then(|&i| self.tables.get(i))
            .and_then(|table| table.cell(row, channel))
    }
}

/// The counts of one metric and window, split by channel.
fn by_channel(counts: &Counts) -> BTreeMap<&str, Counts> {
    let mut by_channel: BTreeMap<&str, Counts> = BTreeMap::new();
    for ((row, channel), value) in counts {
        by_channel
            .entry(channel.as_str())
            .or_default()
            .insert((row.clone(), channel.clone()), *value);
    }
    by_channel
}

/// One rate in one window, a cell per post and channel where both of its parts were read;
/// `None` when no post has both.
fn post_rate_table(
    rate: &PostRate,
    window: InsightWindow,
    observed: &Observed,
    published: &PostTables,
) -> Option<PostRateTable> {
    let both = rate_parts(rate, window, observed);
    if both.is_empty() {
        return None;
    }
    let rows: Vec<Vec<String>> = both
        .keys()
        .map(|(row, _)| row.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let columns: Vec<String> = both
        .keys()
        .map(|(_, column)| column.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let cells = rows
        .iter()
        .map(|row| {
            columns
                .iter()
                .map(|column| {
                    let parts = both.get(&(row.clone(), column.clone()));
                    rate_cell(parts, window, row, column, published)
                })
                .collect()
        })
        .collect();
    Some(PostRateTable {
        rate: rate.name.to_string(),
        definition: rate.definition.to_string(),
        window: window.label().to_string(),
        decimals: rate.decimals,
        rows,
        columns,
        cells,
    })
}

/// Per post and channel, the stored metrics that stand for the rate's numerator and
/// denominator (the first of each that was read for the post), where both were read.
fn rate_parts(
    rate: &PostRate,
    window: InsightWindow,
    observed: &Observed,
) -> BTreeMap<(Vec<String>, String), (&'static str, &'static str)> {
    let part = |names: &[&'static str], key: &(Vec<String>, String)| {
        names.iter().copied().find(|metric| {
            observed
                .get(metric, window)
                .is_some_and(|counts| counts.contains_key(key))
        })
    };
    let mut both = BTreeMap::new();
    for metric in rate.numerator {
        let Some(counts) = observed.get(metric, window) else {
            continue;
        };
        for key in counts.keys() {
            if let (Some(top), Some(bottom)) =
                (part(rate.numerator, key), part(rate.denominator, key))
            {
                both.insert(key.clone(), (top, bottom));
            }
        }
    }
    both
}

/// One post's rate from its published parts: withheld where a part was not read, is
/// suppressed, or the denominator is 0.
fn rate_cell(
    parts: Option<&(&str, &str)>,
    window: InsightWindow,
    row: &[String],
    column: &str,
    published: &PostTables,
) -> RateCell {
    let Some((numerator, denominator)) = parts else {
        return RateCell::Withheld("not known");
    };
    match (
        published.cell(numerator, window, row, column),
        published.cell(denominator, window, row, column),
    ) {
        (Some(Cell::Count(_)), Some(Cell::Count(0))) => RateCell::Withheld("no denominator"),
        (Some(Cell::Count(n)), Some(Cell::Count(d))) => RateCell::Rate(n as f64 / d as f64),
        _ => RateCell::Withheld("suppressed"),
    }
}

/// Penetration for one estimate: R is the largest single-post reach, among the posts of the
/// estimate's version, segment and channel, in the latest window any of them was read for.
fn penetration(
    estimate: &AudienceEstimateRecord,
    observed: &Observed,
    reach: impl Fn(InsightWindow, &[String], &str) -> Option<Cell>,
) -> Penetration {
    let mut result = Penetration {
        version: estimate.version.chars().take(12).collect(),
        segment: estimate.segment.clone(),
        channel: estimate.channel.clone(),
        audience_lower: estimate.lower,
        audience_upper: estimate.upper,
        estimated_at: DateTime::from_timestamp_millis(estimate.estimated_at_ms).unwrap_or_default(),
        window: None,
        reach: None,
        low: None,
        high: None,
        withheld: None,
    };
    let matching = |counts: &Counts| -> Option<((Vec<String>, String), u64)> {
        counts
            .iter()
            .filter(|((row, channel), _)| {
                *channel == estimate.channel
                    && row[0] == estimate.segment
                    && observed
                        .versions
                        .get(&(channel.clone(), row[4].clone()))
                        .is_some_and(|v| *v == estimate.version)
            })
            .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
            .map(|(key, value)| (key.clone(), *value))
    };
    let latest = InsightWindow::ALL.into_iter().rev().find_map(|window| {
        let counts = observed.get("reach", window)?;
        matching(counts).map(|best| (window, best))
    });
    let Some((window, ((row, channel), _))) = latest else {
        result.withheld = Some("no reach observed");
        return result;
    };
    result.window = Some(window.label().to_string());
    let reach = match reach(window, &row, &channel) {
        Some(Cell::Count(n)) => n,
        _ => {
            result.withheld = Some("suppressed");
            return result;
        }
    };
    result.reach = Some(reach);
    if estimate.upper <= 0 {
        result.withheld = Some("no audience estimate");
        return result;
    }
    let share = |audience: i64| {
        if audience <= 0 {
            1.0
        } else {
            (reach as f64 / audience as f64).min(1.0)
        }
    };
    result.low = Some(share(estimate.upper));
    result.high = Some(share(estimate.lower));
    result
}

/// Per locale, the largest published single-post reach in each window.
fn reach_over_time(
    observed: &Observed,
    reach: impl Fn(InsightWindow, &[String], &str) -> Option<Cell>,
) -> Vec<LocaleReach> {
    let mut best: BTreeMap<String, BTreeMap<InsightWindow, Option<u64>>> = BTreeMap::new();
    for window in InsightWindow::ALL {
        let Some(counts) = observed.get("reach", window) else {
            continue;
        };
        for (row, channel) in counts.keys() {
            let point = best
                .entry(row[1].clone())
                .or_default()
                .entry(window)
                .or_insert(None);
            if let Some(Cell::Count(n)) = reach(window, row, channel) {
                *point = Some(point.map_or(n, |p: u64| p.max(n)));
            }
        }
    }
    best.into_iter()
        .map(|(locale, points)| LocaleReach {
            locale,
            points: InsightWindow::ALL
                .into_iter()
                .map(|w| (w.label().to_string(), points.get(&w).copied().flatten()))
                .collect(),
        })
        .collect()
}

/// The estimates, for the report's metadata.
pub fn estimate_notes(estimates: &[AudienceEstimateRecord]) -> Vec<EstimateNote> {
    estimates
        .iter()
        .map(|e| EstimateNote {
            version: e.version.chars().take(12).collect(),
            segment: e.segment.clone(),
            channel: e.channel.clone(),
            lower: e.lower,
            upper: e.upper,
            daily: e.daily,
            api_version: e.api_version.clone(),
            estimated_at: DateTime::from_timestamp_millis(e.estimated_at_ms).unwrap_or_default(),
        })
        .collect()
}

/// Every (channel, API version) the observations and estimates came from.
pub fn api_versions(
    observations: &[InsightObservation],
    estimates: &[AudienceEstimateRecord],
) -> Vec<ApiVersionNote> {
    observations
        .iter()
        .map(|o| (o.channel.clone(), o.api_version.clone()))
        .chain(
            estimates
                .iter()
                .map(|e| (e.channel.clone(), e.api_version.clone())),
        )
        .collect::<BTreeSet<_>>()
        .into_iter()
        .map(|(channel, api_version)| ApiVersionNote {
            channel,
            api_version,
        })
        .collect()
}
