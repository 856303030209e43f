//! The headline figures of a report, worked out from its published tables only, so that an
//! evaluator can read the campaign's outcome without opening a table: what was sent on each
//! platform, delivery and read rates where the platform reports them, the largest reach of a
//! single post, the variant that did clearly better (if any), and what to keep in mind when
//! reading the figures. Nothing here is computed from a count the tables suppress, and reach
//! is never summed.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::build::Report;
use super::plain_numbers::{percent, signed_percent, signed_points, thousands};
use super::published::{Cell, PublishedTable};
use super::rates::RateCell;
use super::statistics::{Lift, RelativeLift};
use crate::platforms::{ChannelRef, Platform};
use crate::reach::InsightWindow;

/// The summary the report opens with.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub campaign: String,
    /// Counts from 1 to k − 1 are suppressed.
    pub k: u64,
    /// Whether a suppressed figure is known to be fewer than k, and is said so; otherwise it
    /// is "a suppressed number" (see [`SUPPRESSION_HIDES_ONLY_SMALL_COUNTS`]).
    pub suppressed_is_fewer_than_k: bool,
    /// Everything sent, over every platform (the `sent` table's grand total); `None` when
    /// nothing was sent.
    pub sent: Option<Figure>,
    /// One entry per platform, in the order herald lists platforms (or per column of a report
    /// not broken down by channel).
    pub platforms: Vec<PlatformSummary>,
    pub best_variant: BestVariant,
    /// What to keep in mind when reading the figures.
    pub notes: Vec<QualityNote>,
}

/// The headline figures of one platform.
#[derive(Debug, Clone, Serialize)]
pub struct PlatformSummary {
    /// `WhatsApp`, or the column's own name in a report not broken down by channel.
    pub platform: String,
    /// The channels (`platform:account`) whose figures are summed here.
    pub channels: Vec<String>,
    pub sends_are: SendKind,
    /// The sum of the channels' `sent` column totals; `None` when nothing was sent.
    pub sent: Option<Figure>,
    /// delivered / sent over the platform's channels; `None` when nothing was sent.
    pub delivery_rate: Option<RateFigure>,
    /// read / delivered over the platform's channels; `None` when nothing was sent.
    pub read_rate: Option<RateFigure>,
    /// The largest reach of a single post; `None` when no post metric was read.
    pub reach: Option<ReachFigure>,
}

/// What one "sent" is on a platform, as herald's accounts send by default: a message to each
/// subscriber (WhatsApp, Viber), or one post to a channel, chat or page (the others).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SendKind {
    Messages,
    Posts,
    /// A column that sums channels of several platforms.
    MessagesAndPosts,
}

impl SendKind {
    fn of(platform: Platform) -> SendKind {
        if platform.messages_subscribers() {
            SendKind::Messages
        } else {
            SendKind::Posts
        }
    }

    /// The plural noun a count of them reads with.
    pub fn noun(self) -> &'static str {
        match self {
            SendKind::Messages => "messages",
            SendKind::Posts => "posts",
            SendKind::MessagesAndPosts => "messages and posts",
        }
    }
}

/// A count over one or more published cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Figure {
    /// Every part is published: their sum.
    Published { value: u64 },
    /// Some parts are suppressed: the published ones sum to `value`.
    AtLeast { value: u64 },
    /// Every part is suppressed.
    Suppressed,
}

impl Figure {
    /// The figure in words, before a noun; `hidden` stands for a suppressed one.
    pub fn words(self, hidden: &str) -> String {
        match self {
            Figure::Published { value } => thousands(value),
            Figure::AtLeast { value } => format!("at least {}", thousands(value)),
            Figure::Suppressed => hidden.to_string(),
        }
    }
}

/// Whether the protection of herald's own counters hides only counts from 1 to k − 1, so that
/// a suppressed figure can be called "fewer than k". It does: they are protected by cell key
/// perturbation, which suppresses nothing else. (Platform-reported figures such as reach are
/// still protected table by table, where a larger value may be hidden too: a suppressed
/// reach is only ever called "a suppressed number of".)
pub const SUPPRESSION_HIDES_ONLY_SMALL_COUNTS: bool = true;

/// A rate over a platform's channels.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum RateFigure {
    Published {
        value: f64,
        numerator: u64,
        denominator: u64,
    },
    /// The platform does not report the receipt the rate counts (never 0).
    NotReported { reason: String },
    /// The platform reports the receipt, but none has arrived yet (never 0).
    NoneReceivedYet,
    /// A count the rate rests on is suppressed.
    Suppressed,
}

/// The largest reach of a single post of a platform, in the latest window observed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ReachFigure {
    Published {
        /// Unique accounts that saw the post, as the platform reports it for the window.
        value: u64,
        window: String,
        channel: String,
        post: String,
        /// views (or impressions) / reach of the same post and window, where published.
        frequency: Option<f64>,
    },
    /// Every reach of the window is suppressed.
    Suppressed { window: String },
    /// The platform's post metrics have no reach (X reports impressions only).
    NotReported,
}

/// The variant comparison that differs clearly, or why there is none.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum BestVariant {
    /// The comparison with the largest difference among those whose 95% interval excludes 0.
    Clear(Box<ClearDifference>),
    /// Variants were compared, and no 95% interval excludes 0.
    NoClearDifference { compared: usize },
    /// Comparisons were made, but none has enough published messages.
    NotEnoughData,
    /// Variants were sent only on platforms that report neither deliveries nor reads.
    NotReported,
    /// The report has no two variants to compare.
    NoVariants,
}

/// Variant B against variant A where the 95% interval of B − A excludes 0.
#[derive(Debug, Clone, Serialize)]
pub struct ClearDifference {
    pub rate: String,
    /// The comparison's row without its variant: (dimension, value).
    pub row: Vec<(String, String)>,
    pub channel: String,
    pub a: String,
    pub b: String,
    /// `b` when B's rate is higher, else `a`.
    pub better: String,
    pub p_a: f64,
    pub p_b: f64,
    /// B − A with its 95% Newcombe interval.
    pub difference: f64,
    pub low: f64,
    pub high: f64,
    pub relative: RelativeLift,
}

/// One thing to keep in mind when reading the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QualityNote {
    pub kind: NoteKind,
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoteKind {
    /// The report sums channels, so it cannot say anything per platform.
    NoChannelBreakdown,
    /// A platform sends no delivery or read receipts.
    NoReceipts,
    /// Sent on a platform that reports receipts, but no callback has arrived yet.
    NoCallbacksYet,
    /// Post-metric windows with no figures yet.
    WindowsNotObserved,
    /// What "fewer than k" means.
    Suppressed,
}

/// What a suppressed figure means, said once.
fn suppressed_note(k: u64, fewer_than_k: bool) -> String {
    let small = thousands(k.saturating_sub(1));
    if fewer_than_k {
        format!(
            "“fewer than {}” stands for a suppressed figure: counts from 1 to {small} are not published, so that no small group of people can be singled out.",
            thousands(k)
        )
    } else {
        format!(
            "A suppressed figure is not published: counts from 1 to {small} are hidden so that no small group of people can be singled out, and so are a few larger ones that would let a hidden count be worked out from the rest of its table. A rate that rests on a suppressed figure is not published either."
        )
    }
}

/// A column of the report's tables read as a platform: a channel (`whatsapp:optin`) belongs
/// to its platform; a column that names no channel (`all channels`) stands for itself.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Group {
    Platform(Platform),
    Column(String),
}

impl Group {
    fn of(column: &str) -> Group {
        match ChannelRef::parse(column) {
            Ok(channel) => Group::Platform(channel.platform),
            Err(_) => Group::Column(column.to_string()),
        }
    }

    fn name(&self) -> String {
        match self {
            Group::Platform(platform) => platform_name(*platform).to_string(),
            Group::Column(column) => capitalised(column),
        }
    }

    fn sends_are(&self) -> SendKind {
        match self {
            Group::Platform(platform) => SendKind::of(*platform),
            Group::Column(_) => SendKind::MessagesAndPosts,
        }
    }
}

/// The platform's name as its users write it.
pub fn platform_name(platform: Platform) -> &'static str {
    match platform {
        Platform::Telegram => "Telegram",
        Platform::WhatsApp => "WhatsApp",
        Platform::Viber => "Viber",
        Platform::Facebook => "Facebook",
        Platform::MetaAds => "Meta ads",
        Platform::X => "X",
        Platform::Webhook => "Partner webhooks",
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A published cell's count; `None` when it is not published.
fn count(cell: &Cell) -> Option<u64> {
    match cell {
        Cell::Count(n) => Some(*n),
        _ => None,
    }
}

/// The sum of some published cells: `None` when there are none.
fn figure<'a>(cells: impl IntoIterator<Item = &'a Cell>) -> Option<Figure> {
    let (mut sum, mut parts, mut hidden) = (0u64, 0usize, 0usize);
    for cell in cells {
        parts += 1;
        match count(cell) {
            Some(n) => sum += n,
            None => hidden += 1,
        }
    }
    match (parts, hidden) {
        (0, _) => None,
        (_, 0) => Some(Figure::Published { value: sum }),
        (p, h) if p == h => Some(Figure::Suppressed),
        _ => Some(Figure::AtLeast { value: sum }),
    }
}

fn table<'a>(report: &'a Report, metric: &str) -> Option<&'a PublishedTable> {
    report.tables.iter().find(|t| t.metric == metric)
}

/// The column totals of `metric` over `columns` (those the table has).
fn column_totals<'a>(report: &'a Report, metric: &str, columns: &[String]) -> Vec<&'a Cell> {
    let Some(table) = table(report, metric) else {
        return Vec::new();
    };
    table
        .columns
        .iter()
        .zip(&table.column_totals)
        .filter(|(column, _)| columns.contains(column))
        .map(|(_, cell)| cell)
        .collect()
}

/// Why the platforms of `columns` do not report `rate`, if every cell of those columns in the
/// report's rate table says so (the report's own verdict, per channel).
fn not_reported(report: &Report, rate: &str, columns: &[String]) -> Option<&'static str> {
    let table = report.rates.iter().find(|r| r.rate == rate)?;
    let mut reason = None;
    for (c, column) in table.columns.iter().enumerate() {
        if !columns.contains(column) {
            continue;
        }
        for row in &table.cells {
            match row.get(c) {
                Some(RateCell::NotReported { reason: why, .. }) => {
                    reason.get_or_insert(*why);
                }
                _ => return None,
            }
        }
    }
    reason
}

/// numerator / denominator over a platform's channels.
fn rate(
    numerator: Option<Figure>,
    denominator: Figure,
    not_reported: Option<&'static str>,
) -> Option<RateFigure> {
    if let Some(reason) = not_reported {
        return Some(RateFigure::NotReported {
            reason: reason.to_string(),
        });
    }
    match (numerator, denominator) {
        (None | Some(Figure::Published { value: 0 }), _) => Some(RateFigure::NoneReceivedYet),
        (Some(Figure::Published { value: top }), Figure::Published { value: bottom }) => {
            // Both published counts carry noise: a numerator is never shown above its
            // denominator, as in the rate tables.
            (bottom > 0).then(|| RateFigure::Published {
                value: top.min(bottom) as f64 / bottom as f64,
                numerator: top.min(bottom),
                denominator: bottom,
            })
        }
        _ => Some(RateFigure::Suppressed),
    }
}

/// The post tables of a group's channels.
fn post_tables<'a>(report: &'a Report, group: &Group) -> Vec<&'a PublishedTable> {
    report
        .post_metrics
        .tables
        .iter()
        .filter(|t| t.columns.first().is_some_and(|c| Group::of(c) == *group))
        .collect()
}

/// The largest published single-post reach of the group, in the latest window with reach.
fn largest_reach(report: &Report, group: &Group) -> Option<ReachFigure> {
    let tables = post_tables(report, group);
    if tables.is_empty() {
        return None;
    }
    let reach: Vec<_> = tables.iter().filter(|t| t.metric == "reach").collect();
    let Some(window) = reach
        .iter()
        .filter_map(|t| InsightWindow::from_label(&t.period))
        .max()
    else {
        return Some(ReachFigure::NotReported);
    };
    let mut best: Option<(u64, &str, &[String])> = None;
    for table in reach.iter().filter(|t| t.period == window.label()) {
        let channel = table
            .columns
            .first()
            .map(String::as_str)
            .unwrap_or_default();
        for (row, cells) in table.rows.iter().zip(&table.cells) {
            if let Some(n) = cells.first().and_then(count)
                && best.is_none_or(|(b, _, _)| n > b)
            {
                best = Some((n, channel, row));
            }
        }
    }
    let Some((value, channel, row)) = best else {
        return Some(ReachFigure::Suppressed {
            window: window.label().to_string(),
        });
    };
    let frequency = report
        .post_metrics
        .rates
        .iter()
        .filter(|r| r.rate == "frequency" && r.window == window.label())
        .find_map(|r| {
            let i = r.rows.iter().position(|x| x.as_slice() == row)?;
            let c = r.columns.iter().position(|x| x == channel)?;
            match r.cells.get(i)?.get(c)? {
                RateCell::Rate(f) => Some(*f),
                _ => None,
            }
        });
    Some(ReachFigure::Published {
        value,
        window: window.label().to_string(),
        channel: channel.to_string(),
        post: row.last().cloned().unwrap_or_default(),
        frequency,
    })
}

/// The windows for which no post metric of the group has been read.
fn windows_not_observed(report: &Report, group: &Group) -> Vec<&'static str> {
    let observed: BTreeSet<&str> = post_tables(report, group)
        .iter()
        .map(|t| t.period.as_str())
        .collect();
    if observed.is_empty() {
        return Vec::new();
    }
    InsightWindow::ALL
        .into_iter()
        .map(InsightWindow::label)
        .filter(|w| !observed.contains(w))
        .collect()
}

/// The comparison to lead with: the largest difference whose 95% interval excludes 0.
fn best_variant(report: &Report) -> BestVariant {
    if report.comparisons.is_empty() {
        return BestVariant::NoVariants;
    }
    let dimensions: Vec<String> = ["sent", "delivered", "read", "failed"]
        .iter()
        .find_map(|m| table(report, m))
        .map(|t| {
            t.row_dimensions
                .iter()
                .filter(|d| *d != "variant")
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    let mut estimates = 0;
    let mut best: Option<ClearDifference> = None;
    for comparison in &report.comparisons {
        let Some(Lift::Estimate {
            p_a,
            p_b,
            difference,
            low,
            high,
            relative,
        }) = &comparison.lift
        else {
            continue;
        };
        estimates += 1;
        let clear = *low > 0.0 || *high < 0.0;
        if !clear
            || best
                .as_ref()
                .is_some_and(|b| b.difference.abs() >= difference.abs())
        {
            continue;
        }
        best = Some(ClearDifference {
            rate: comparison.rate.clone(),
            row: dimensions
                .iter()
                .cloned()
                .zip(comparison.row.iter().cloned())
                .collect(),
            channel: comparison.channel.clone(),
            a: comparison.a.clone(),
            b: comparison.b.clone(),
            better: if *difference > 0.0 {
                comparison.b.clone()
            } else {
                comparison.a.clone()
            },
            p_a: *p_a,
            p_b: *p_b,
            difference: *difference,
            low: *low,
            high: *high,
            relative: relative.clone(),
        });
    }
    match best {
        Some(clear) => BestVariant::Clear(Box::new(clear)),
        None if estimates > 0 => BestVariant::NoClearDifference {
            compared: estimates,
        },
        None if report
            .comparisons
            .iter()
            .all(|c| c.withheld == Some(super::receipts::NOT_REPORTED)) =>
        {
            BestVariant::NotReported
        }
        None => BestVariant::NotEnoughData,
    }
}

/// Whether any published count of the report is suppressed.
fn any_suppressed(report: &Report) -> bool {
    report
        .tables
        .iter()
        .chain(&report.post_metrics.tables)
        .any(|t| {
            t.cells
                .iter()
                .flatten()
                .chain(&t.row_totals)
                .chain(&t.column_totals)
                .chain([&t.grand_total])
                .any(|c| count(c).is_none())
        })
}

/// The channels of a group, named after the platform: `WhatsApp (whatsapp:optin)`.
fn named(platform: &PlatformSummary) -> String {
    if platform.channels.is_empty() || platform.channels == [platform.platform.to_lowercase()] {
        platform.platform.clone()
    } else {
        format!("{} ({})", platform.platform, platform.channels.join(", "))
    }
}

/// Joins names as a sentence does: `a`, `a and b`, `a, b and c`.
pub fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// The summary of a report, from its published values only.
pub fn summarize(report: &Report) -> Summary {
    let k = report.protection.k;
    let fewer_than_k = SUPPRESSION_HIDES_ONLY_SMALL_COUNTS;
    let hidden = hidden_words(k, fewer_than_k);
    let mut groups: BTreeMap<Group, Vec<String>> = BTreeMap::new();
    let sent_table = table(report, "sent");
    for column in sent_table
        .map(|t| t.columns.iter())
        .into_iter()
        .flatten()
        .chain(report.post_metrics.tables.iter().flat_map(|t| &t.columns))
    {
        let channels = groups.entry(Group::of(column)).or_default();
        if !channels.contains(column) {
            channels.push(column.clone());
        }
    }
    let mut platforms = Vec::new();
    let mut notes = Vec::new();
    for (group, mut channels) in groups {
        channels.sort();
        let sent = figure(column_totals(report, "sent", &channels));
        let delivered = figure(column_totals(report, "delivered", &channels));
        let read = figure(column_totals(report, "read", &channels));
        let (delivery_rate, read_rate) = match sent {
            None => (None, None),
            Some(sent) => {
                let delivery = rate(
                    delivered,
                    sent,
                    not_reported(report, "delivery rate", &channels),
                );
                let read_rate = match (&delivery, delivered) {
                    (Some(RateFigure::NotReported { reason }), _) => {
                        Some(RateFigure::NotReported {
                            reason: reason.clone(),
                        })
                    }
                    (Some(RateFigure::NoneReceivedYet), _) | (_, None) => {
                        Some(RateFigure::NoneReceivedYet)
                    }
                    (_, Some(delivered)) => rate(
                        read,
                        delivered,
                        not_reported(report, "read rate", &channels),
                    ),
                };
                (delivery, read_rate)
            }
        };
        let platform = PlatformSummary {
            platform: group.name(),
            sends_are: group.sends_are(),
            sent,
            delivery_rate,
            read_rate,
            reach: largest_reach(report, &group),
            channels,
        };
        if let Group::Column(column) = &group {
            notes.push(QualityNote {
                kind: NoteKind::NoChannelBreakdown,
                text: format!(
                    "This report is not broken down by channel: “{column}” sums every platform, so the figures above cannot be read per platform. Break the report down by channel to see them."
                ),
            });
        }
        match (&platform.delivery_rate, &platform.read_rate) {
            (Some(RateFigure::NotReported { reason }), _) => notes.push(QualityNote {
                kind: NoteKind::NoReceipts,
                text: format!(
                    "{}: delivery and read rates are not reported by this platform (not 0). {reason}",
                    named(&platform)
                ),
            }),
            (Some(RateFigure::NoneReceivedYet), _) => notes.push(QualityNote {
                kind: NoteKind::NoCallbacksYet,
                text: format!(
                    "{}: {} sent, but no delivery callbacks have been received yet, so its delivery and read rates are not known yet (not 0).",
                    named(&platform),
                    platform.sent.map_or(String::new(), |s| format!(
                        "{} {}",
                        s.words(&hidden),
                        platform.sends_are.noun()
                    ))
                ),
            }),
            (_, Some(RateFigure::NoneReceivedYet)) => notes.push(QualityNote {
                kind: NoteKind::NoCallbacksYet,
                text: format!(
                    "{}: no read receipts have been received yet, so its read rate is not known yet (not 0).",
                    named(&platform)
                ),
            }),
            _ => {}
        }
        let missing = windows_not_observed(report, &group);
        if !missing.is_empty() {
            let windows: Vec<String> = missing.iter().map(|w| w.to_string()).collect();
            notes.push(QualityNote {
                kind: NoteKind::WindowsNotObserved,
                text: format!(
                    "{}: no post metrics yet for the {} {} (a window is read once it has closed, the end window at the campaign's end; windows after the campaign's end are skipped).",
                    named(&platform),
                    and_list(&windows),
                    if windows.len() == 1 { "window" } else { "windows" }
                ),
            });
        }
        platforms.push(platform);
    }
    if any_suppressed(report) {
        notes.push(QualityNote {
            kind: NoteKind::Suppressed,
            text: suppressed_note(k, fewer_than_k),
        });
    }
    Summary {
        campaign: report.campaign.clone(),
        k,
        suppressed_is_fewer_than_k: fewer_than_k,
        sent: sent_table.and_then(|t| figure([&t.grand_total])),
        platforms,
        best_variant: best_variant(report),
        notes,
    }
}

impl PlatformSummary {
    /// The platform's figures as one or two sentences: what was sent, how much of it was
    /// delivered and read, and the largest reach of a post; `hidden` stands for a suppressed
    /// count ([`Summary::hidden`]).
    pub fn sentence(&self, hidden: &str) -> String {
        let mut parts = Vec::new();
        if let Some(sent) = self.sent {
            parts.push(format!(
                "{} {} sent",
                sent.words(hidden),
                self.sends_are.noun()
            ));
        }
        match (&self.delivery_rate, &self.read_rate) {
            (Some(RateFigure::NotReported { .. }), _) => {
                parts.push("delivery and read rates not reported by this platform".to_string());
            }
            (Some(RateFigure::NoneReceivedYet), _) => {
                parts.push("no delivery callbacks received yet".to_string());
            }
            (Some(delivery), read) => {
                parts.push(match delivery {
                    RateFigure::Published { value, .. } => format!("{} delivered", percent(*value)),
                    _ => {
                        "delivery rate not published (it rests on a suppressed figure)".to_string()
                    }
                });
                match read {
                    Some(RateFigure::Published { value, .. }) => {
                        parts.push(format!("{} of those delivered were read", percent(*value)));
                    }
                    Some(RateFigure::NoneReceivedYet) => {
                        parts.push("no read receipts received yet".to_string());
                    }
                    Some(_) => parts.push(
                        "read rate not published (it rests on a suppressed figure)".to_string(),
                    ),
                    None => {}
                }
            }
            (None, _) => {}
        }
        let mut sentence = capitalised(&parts.join("; "));
        if !sentence.is_empty() {
            sentence.push('.');
        }
        if let Some(reach) = &self.reach {
            if !sentence.is_empty() {
                sentence.push(' ');
            }
            sentence.push_str(&reach_words(reach, hidden));
        }
        sentence
    }
}

fn reach_words(reach: &ReachFigure, hidden: &str) -> String {
    match reach {
        ReachFigure::Published {
            value,
            window,
            frequency,
            ..
        } => {
            let mut words = format!(
                "Largest reach of a single post: {} accounts ({window} window)",
                thousands(*value)
            );
            if let Some(f) = frequency {
                words.push_str(&format!(", each of which saw it {f:.2} times on average"));
            }
            words.push('.');
            words
        }
        // Platform figures are suppressed table by table, which may hide a larger value too:
        // never "fewer than k" here.
        ReachFigure::Suppressed { window } => {
            let _ = hidden;
            format!(
                "Largest reach of a single post: a suppressed number of accounts ({window} window)."
            )
        }
        ReachFigure::NotReported => {
            "Reach: not reported by this platform (it reports impressions).".to_string()
        }
    }
}

impl BestVariant {
    /// The comparison in plain words.
    pub fn sentence(&self) -> String {
        match self {
            BestVariant::Clear(c) => {
                let (better, worse) = if c.better == c.b {
                    (&c.b, &c.a)
                } else {
                    (&c.a, &c.b)
                };
                let (p_better, p_worse) = if c.better == c.b {
                    (c.p_b, c.p_a)
                } else {
                    (c.p_a, c.p_b)
                };
                let mut place: Vec<String> = c
                    .row
                    .iter()
                    .filter(|(d, v)| !(d == "period" && v == "whole run"))
                    .map(|(d, v)| format!("{d} {v}"))
                    .collect();
                place.push(c.channel.clone());
                let relative = match &c.relative {
                    RelativeLift::Estimate { value, low, high } => format!(
                        "relative lift of {} over {}: {} (95% interval {} to {})",
                        c.b,
                        c.a,
                        signed_percent(*value),
                        signed_percent(*low),
                        high.map_or("no upper bound".to_string(), signed_percent)
                    ),
                    RelativeLift::NotDefined { .. } => format!(
                        "relative lift of {} over {}: not defined ({}'s rate is 0)",
                        c.b, c.a, c.a
                    ),
                };
                format!(
                    "Variant {better} did better than variant {worse} on the {} ({}): {} against {}. Difference {} − {}: {} percentage points (95% interval {} to {}); {relative}.",
                    c.rate,
                    place.join(", "),
                    percent(p_better),
                    percent(p_worse),
                    c.b,
                    c.a,
                    signed_points(c.difference),
                    signed_points(c.low),
                    signed_points(c.high),
                )
            }
            BestVariant::NoClearDifference { compared } => format!(
                "No variant differs clearly: in {} {}, every 95% interval of the difference includes 0.",
                compared,
                if *compared == 1 {
                    "comparison"
                } else {
                    "comparisons"
                }
            ),
            BestVariant::NotEnoughData => format!(
                "Not enough data to compare variants: each variant needs at least {} published messages on a rate.",
                super::statistics::MIN_SAMPLE
            ),
            BestVariant::NotReported => "Variants cannot be compared: they were sent only on platforms that report no deliveries or reads.".to_string(),
            BestVariant::NoVariants => "No variants: there are no two variants of a message to compare.".to_string(),
        }
    }
}

/// How a suppressed count reads before a noun.
fn hidden_words(k: u64, fewer_than_k: bool) -> String {
    if fewer_than_k {
        format!("fewer than {}", thousands(k))
    } else {
        "a suppressed number of".to_string()
    }
}

impl Summary {
    /// How a suppressed count reads before a noun: "fewer than 10" where that is known,
    /// else "a suppressed number of".
    pub fn hidden(&self) -> String {
        hidden_words(self.k, self.suppressed_is_fewer_than_k)
    }

    /// The opening sentence: everything sent, on how many platforms.
    pub fn overall(&self) -> String {
        let platforms = self.platforms.iter().filter(|p| p.sent.is_some()).count();
        match self.sent {
            Some(sent) if platforms > 1 => format!(
                "{} messages and posts sent in all, on {platforms} platforms.",
                capitalised(&sent.words(&self.hidden()))
            ),
            Some(sent) => format!(
                "{} messages and posts sent in all.",
                capitalised(&sent.words(&self.hidden()))
            ),
            None => "Nothing has been sent yet.".to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::build::Breakdown;
    use crate::report::test_reports::{count, report, report_by, seen, three_platforms};

    fn platform<'a>(summary: &'a Summary, name: &str) -> &'a PlatformSummary {
        summary
            .platforms
            .iter()
            .find(|p| p.platform == name)
            .unwrap_or_else(|| panic!("no {name} in {summary:#?}"))
    }

    fn has_note(summary: &Summary, kind: NoteKind, words: &str) -> bool {
        summary
            .notes
            .iter()
            .any(|n| n.kind == kind && n.text.contains(words))
    }

    #[test]
    fn each_platform_has_its_figures_in_plain_words() {
        let summary = summarize(&three_platforms());
        let names: Vec<&str> = summary
            .platforms
            .iter()
            .map(|p| p.platform.as_str())
            .collect();
        assert_eq!(names, ["Telegram", "WhatsApp", "Facebook"]);
        assert_eq!(summary.sent, Some(Figure::Published { value: 8620 }));
        assert_eq!(
            summary.overall(),
            "8,620 messages and posts sent in all, on 3 platforms."
        );

        let whatsapp = platform(&summary, "WhatsApp");
        assert_eq!(whatsapp.channels, ["whatsapp:optin"]);
        assert_eq!(whatsapp.sends_are, SendKind::Messages);
        assert_eq!(whatsapp.sent, Some(Figure::Published { value: 8200 }));
        assert_eq!(
            whatsapp.delivery_rate,
            Some(RateFigure::Published {
                value: 8000.0 / 8200.0,
                numerator: 8000,
                denominator: 8200
            })
        );
        assert_eq!(
            whatsapp.sentence(&summary.hidden()),
            "8,200 messages sent; 97.6% delivered; 4.0% of those delivered were read."
        );

        // Telegram posts have no receipts: said so, never 0%.
        let telegram = platform(&summary, "Telegram");
        assert_eq!(telegram.sends_are, SendKind::Posts);
        assert!(matches!(
            &telegram.delivery_rate,
            Some(RateFigure::NotReported { reason }) if reason.contains("Telegram sends no delivery")
        ));
        assert_eq!(
            telegram.sentence(&summary.hidden()),
            "400 posts sent; delivery and read rates not reported by this platform."
        );
        assert!(!telegram.sentence(&summary.hidden()).contains('%'));

        // Facebook: reach of the largest post in the latest window (7d, not 1h), never summed.
        let facebook = platform(&summary, "Facebook");
        assert_eq!(
            facebook.reach,
            Some(ReachFigure::Published {
                value: 2000,
                window: "7d".into(),
                channel: "facebook:page".into(),
                post: "111_1".into(),
                frequency: Some(2.5),
            })
        );
        assert_eq!(
            facebook.sentence(&summary.hidden()),
            "20 posts sent; delivery and read rates not reported by this platform. Largest reach of a single post: 2,000 accounts (7d window), each of which saw it 2.50 times on average."
        );
        assert!(
            !facebook.sentence(&summary.hidden()).contains("2,800"),
            "reach is not summed"
        );
    }

    #[test]
    fn the_best_variant_is_the_clear_difference() {
        let summary = summarize(&three_platforms());
        let BestVariant::Clear(best) = &summary.best_variant else {
            panic!("{:?}", summary.best_variant);
        };
        assert_eq!(
            (best.rate.as_str(), best.better.as_str()),
            ("read rate", "b")
        );
        assert!((best.difference - 0.02).abs() < 1e-12);
        assert!(best.low > 0.0);
        let sentence = summary.best_variant.sentence();
        assert!(
            sentence.starts_with(
                "Variant b did better than variant a on the read rate (segment in-eu, locale ar, whatsapp:optin): 5.0% against 3.0%. Difference b − a: +2.00 percentage points (95% interval +"
            ),
            "{sentence}"
        );
        assert!(
            sentence.contains("relative lift of b over a: +66.7% (95% interval +"),
            "{sentence}"
        );
    }

    #[test]
    fn no_clear_difference_not_enough_data_and_no_variants_are_told_apart() {
        let mut equal = Vec::new();
        for (variant, numbers) in [("a", [4100, 4000, 120]), ("b", [4100, 4000, 150])] {
            for (status, n) in ["sent", "delivered", "read"].into_iter().zip(numbers) {
                equal.push(count("ar", "whatsapp:optin", variant, status, n));
            }
        }
        let summary = summarize(&report(&equal, &[]));
        assert!(matches!(
            summary.best_variant,
            BestVariant::NoClearDifference { compared: 2 }
        ));
        assert_eq!(
            summary.best_variant.sentence(),
            "No variant differs clearly: in 2 comparisons, every 95% interval of the difference includes 0."
        );

        let few: Vec<_> = ["a", "b"]
            .into_iter()
            .flat_map(|v| {
                [
                    count("ar", "whatsapp:optin", v, "sent", 50),
                    count("ar", "whatsapp:optin", v, "delivered", 40),
                ]
            })
            .collect();
        let summary = summarize(&report(&few, &[]));
        assert!(matches!(summary.best_variant, BestVariant::NotEnoughData));
        assert!(
            summary
                .best_variant
                .sentence()
                .starts_with("Not enough data")
        );

        let telegram: Vec<_> = ["a", "b"]
            .into_iter()
            .map(|v| count("ar", "telegram:info", v, "sent", 500))
            .collect();
        let summary = summarize(&report(&telegram, &[]));
        assert!(matches!(summary.best_variant, BestVariant::NotReported));

        let plain = [count("ar", "whatsapp:optin", "", "sent", 500)];
        let summary = summarize(&report(&plain, &[]));
        assert!(matches!(summary.best_variant, BestVariant::NoVariants));
        assert!(summary.best_variant.sentence().starts_with("No variants"));
    }

    #[test]
    fn sent_without_callbacks_is_not_a_zero_rate() {
        let summary = summarize(&report(&[count("ar", "viber:news", "", "sent", 500)], &[]));
        let viber = platform(&summary, "Viber");
        assert_eq!(viber.delivery_rate, Some(RateFigure::NoneReceivedYet));
        assert_eq!(viber.read_rate, Some(RateFigure::NoneReceivedYet));
        assert_eq!(
            viber.sentence(&summary.hidden()),
            "500 messages sent; no delivery callbacks received yet."
        );
        assert!(has_note(
            &summary,
            NoteKind::NoCallbacksYet,
            "Viber (viber:news): 500 messages sent, but no delivery callbacks have been received yet"
        ));
        assert!(!summary.notes.iter().any(|n| n.kind == NoteKind::Suppressed));
    }

    /// Secondary suppression hides large counts too: a hidden count is not called "fewer
    /// than 10" unless the protection hides nothing else.
    #[test]
    fn a_suppressed_figure_is_called_fewer_than_k_only_where_that_is_true() {
        // Under cell key perturbation only counts from 1 to k − 1 are hidden: the 3 is
        // "fewer than 10", and Telegram's 1,250 beside it stays published.
        let deliveries = [
            count("ar", "telegram:info", "", "sent", 1250),
            count("ar", "whatsapp:optin", "", "sent", 3),
        ];
        let summary = summarize(&report(&deliveries, &[]));
        assert!(summary.suppressed_is_fewer_than_k);
        let telegram = platform(&summary, "Telegram");
        assert_eq!(telegram.sent, Some(Figure::Published { value: 1250 }));
        assert_eq!(
            platform(&summary, "WhatsApp").sentence(&summary.hidden()),
            "Fewer than 10 messages sent; no delivery callbacks received yet."
        );
        assert!(has_note(
            &summary,
            NoteKind::Suppressed,
            "“fewer than 10” stands for a suppressed figure"
        ));
        // Under suppression table by table a hidden figure may be a large one: it is only
        // "a suppressed number".
        let mut guarded = summary.clone();
        guarded.suppressed_is_fewer_than_k = false;
        assert_eq!(
            platform(&guarded, "WhatsApp").sentence(&guarded.hidden()),
            "A suppressed number of messages sent; no delivery callbacks received yet."
        );
    }

    #[test]
    fn windows_not_yet_observed_and_reach_the_platform_does_not_report() {
        let summary = summarize(&three_platforms());
        assert!(has_note(
            &summary,
            NoteKind::WindowsNotObserved,
            "Facebook (facebook:page): no post metrics yet for the 24h and end windows"
        ));
        assert!(has_note(
            &summary,
            NoteKind::NoReceipts,
            "Telegram (telegram:info): delivery and read rates are not reported by this platform (not 0)."
        ));
        let x = report(
            &[],
            &[seen("en", "x:updates", "188", "7d", "impressions", 3000)],
        );
        let summary = summarize(&x);
        assert_eq!(
            platform(&summary, "X").reach,
            Some(ReachFigure::NotReported)
        );
        assert_eq!(summary.overall(), "Nothing has been sent yet.");
    }

    #[test]
    fn a_report_not_broken_down_by_channel_says_so() {
        let by = Breakdown::parse("locale").unwrap();
        let deliveries = [
            count("ar", "telegram:info", "a", "sent", 400),
            count("ar", "whatsapp:optin", "a", "sent", 400),
            count("ar", "whatsapp:optin", "a", "delivered", 380),
        ];
        let summary = summarize(&report_by(by, &deliveries, &[], &[]));
        let all = platform(&summary, "All channels");
        assert_eq!(all.sends_are, SendKind::MessagesAndPosts);
        assert!(matches!(
            all.delivery_rate,
            Some(RateFigure::NotReported { .. })
        ));
        assert!(has_note(
            &summary,
            NoteKind::NoChannelBreakdown,
            "not broken down by channel"
        ));
    }
}
