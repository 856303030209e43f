//! Reach reports: aggregates only, protected by small-cell and secondary suppression before
//! they are published, with their definitions and sources; they open with a summary in
//! plain words, and their CSV is tidy (one row per value, `docs/report-data-dictionary.md`).

mod build;
mod charts;
mod data_dictionary;
mod export;
mod load;
mod plain_numbers;
mod post_metrics;
mod published;
mod rates;
mod receipts;
mod statistics;
mod summary;
mod summary_html;
mod suppression;
#[cfg(test)]
mod test_reports;
mod tidy_csv;

pub use build::{
    Breakdown, DEFINITIONS, NO_VARIANT, Period, Report, build_report, build_report_by,
};
pub use data_dictionary::{DATA_DICTIONARY, DictionaryEntry, data_dictionary_csv};
pub use export::{to_html, to_json};
pub use load::campaign_report;
pub use post_metrics::{
    ApiVersionNote, EstimateNote, LocaleReach, NO_SPEND_DATA, POST_DIMENSIONS, Penetration,
    PostMetrics, PostRateTable, SUM_OF_REACH, post_metrics,
};
pub use published::{Cell, Protection, PublishedTable};
pub use rates::{RateCell, RateTable, VariantComparison, compare_variants, rate_table};
pub use receipts::{NOT_REPORTED, Receipt, reports};
pub use statistics::{
    Lift, MIN_SAMPLE, RELATIVE_UNDEFINED, RelativeLift, Z_95, lift, rate, wilson,
};
pub use summary::{
    BestVariant, ClearDifference, Figure, NoteKind, PlatformSummary, QualityNote, RateFigure,
    ReachFigure, SUPPRESSION_HIDES_ONLY_SMALL_COUNTS, SendKind, Summary, summarize,
};
pub use suppression::{Suppressed, Table, suppress};
pub use tidy_csv::{COLUMNS as CSV_COLUMNS, Status as CsvStatus, TOTAL as CSV_TOTAL, to_csv};
