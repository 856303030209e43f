//! Reach reports: aggregates only, protected before they are published (herald's own counters
//! by cell key perturbation, platform-reported figures by suppression) under the deployment's
//! publication policy, with their definitions and sources.

mod build;
mod cell_key;
mod charts;
mod comparison;
mod export;
mod load;
mod policy;
mod post_metrics;
mod published;
mod range;
mod rates;
mod receipts;
mod statistics;
mod suppression;

pub use build::{
    Breakdown, DEFINITIONS, NO_VARIANT, Period, Report, build_report, build_report_by,
};
pub use cell_key::{
    DEFAULT_MAX_NOISE, MAX_MAX_NOISE, MIN_K, Method, Protection, Published, cell_key, noise,
};
pub use comparison::{CompareError, Comparison, HeadlineRow, MAX_COMPARED, compared_ids};
pub use export::{to_csv, to_html, to_json};
pub use load::{ReportError, ReportRequest, RequestRefused, campaign_report, campaigns_compared};
pub use policy::{NotPublished, PublicationPolicy};
pub use post_metrics::{
    ApiVersionNote, EstimateNote, LocaleReach, NO_SPEND_DATA, POST_DIMENSIONS, Penetration,
    PostMetrics, PostRateTable, SUM_OF_REACH, post_metrics,
};
pub use published::{Cell, KeyedCount, PublishedTable};
pub use range::{DateRange, RangeError, SUM_OF_PUBLISHED};
pub use rates::{RateCell, RateTable, VariantComparison, compare_variants, rate_table};
pub use receipts::{NOT_REPORTED, Receipt, reports};
pub use statistics::{
    Lift, MIN_SAMPLE, RELATIVE_UNDEFINED, RelativeLift, Z_95, lift, rate, wilson,
};
pub use suppression::{Suppressed, Table, suppress};
