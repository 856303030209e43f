//! herald delivers targeted, multilingual public-information campaigns through partner
//! platforms and reports their reach without exposing anyone in the audience.
//!
//! Data flows one way: campaign files → localisation → rendering → versions → schedule →
//! dispatch → platforms → reach → reports. Each module's documentation says what it
//! owns; `docs/ARCHITECTURE.md` has the whole picture.

pub mod api;
pub mod app;
pub mod audit;
pub mod auth;
pub mod base64;
pub mod bounded_work;
pub mod campaign;
pub mod channel;
pub mod cli;
pub mod client_address;
pub mod clock;
pub mod config;
pub mod cron;
pub mod demo;
pub mod dispatch;
pub mod html_text;
pub mod l10n;
pub mod loaded_version;
pub mod metrics;
pub mod notify;
pub mod percent_encoding;
pub mod platforms;
pub mod project;
pub mod publication;
pub mod reach;
pub mod render;
pub mod report;
pub mod sandbox;
pub mod schedule;
pub mod sealed_format;
pub mod secrets;
pub mod serving;
pub mod sms;
pub mod source;
pub mod stdout_lines;
pub mod store;
pub mod subscribers;
pub mod telemetry;
pub mod text_table;
pub mod translation;
pub mod web;
pub mod whole_file;
