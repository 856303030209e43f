//! Reach reports: aggregates only, protected before they are published (herald's own counters
//! by cell key perturbation, platform-reported figures by suppression) under the deployment's
//! publication policy, with their definitions and sources; they open with a summary in plain
//! words, and their CSV is tidy (one row per value, `docs/report-data-dictionary.md`).

mod build;
mod cell_key;
mod charts;
mod comparison;
mod data_dictionary;
mod export;
mod export_record;
mod load;
mod plain_numbers;
mod post_metrics;
mod publication_edge;
mod published;
mod range;
mod rates;
mod receipts;
mod statistics;
mod subscriber_stats;
mod summary;
mod summary_html;
mod suppression;
#[cfg(test)]
mod test_reports;
mod tidy_csv;

pub use crate::publication::{
    Breakdown, DEFAULT_MAX_NOISE, MAX_MAX_NOISE, MIN_K, Method, NotPublished, Period, Protection,
    PublicationPolicy, UnknownBreakdown,
};
pub use build::{DEFINITIONS, NO_VARIANT, Report, build_report, build_report_by};
pub use cell_key::{Published, cell_key, noise};
pub use comparison::{CompareError, Comparison, HeadlineRow, MAX_COMPARED, compared_ids};
pub use data_dictionary::{DATA_DICTIONARY, DictionaryEntry, data_dictionary_csv};
pub use export::{to_html, to_json};
pub use export_record::{REPORT_EXPORTED, export_entry};
pub use load::{ReportError, ReportRequest, RequestRefused, campaign_report, campaigns_compared};
pub use post_metrics::{
    ApiVersionNote, EstimateNote, LocaleReach, NO_SPEND_DATA, POST_DIMENSIONS, Penetration,
    PostMetrics, PostRateTable, SUM_OF_REACH, post_metrics,
};
pub use publication_edge::{NotSettled, SETTLE_DAYS, published_through};
pub use published::{Cell, KeyedCount, PublishedTable};
pub use range::{DateRange, RangeError, SUM_OF_PUBLISHED};
pub use rates::{RateCell, RateTable, VariantComparison, compare_variants, rate_table};
pub use receipts::{NOT_REPORTED, Receipt, reports};
pub use statistics::{
    Lift, MIN_SAMPLE, RELATIVE_UNDEFINED, RelativeLift, Z_95, lift, rate, wilson,
};
pub use subscriber_stats::{
    ChannelSubscribers, DEFAULT_SUBSCRIBER_K, KOutOfRange, MAX_SUBSCRIBER_K, MIN_SUBSCRIBER_K,
    SubscriberStats, cell_text,
};
pub use summary::{
    BestVariant, ClearDifference, Figure, NoteKind, PlatformSummary, QualityNote, RateFigure,
    ReachFigure, SUPPRESSION_HIDES_ONLY_SMALL_COUNTS, SendKind, Summary, summarize,
};
pub use suppression::{Suppressed, Table, suppress};
pub use tidy_csv::{COLUMNS as CSV_COLUMNS, Status as CsvStatus, TOTAL as CSV_TOTAL, to_csv};
