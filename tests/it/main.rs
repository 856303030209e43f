//! herald's integration tests, as modules of one test binary: one link instead of one per
//! file. Each module's documentation says what it attacks. Two suites keep binaries of their
//! own: `tests/soak.rs` measures its own process's memory, which other tests running in the
//! same process would disturb, and `tests/fuzz.rs` is also run alone, in release mode, by
//! `.ci/fuzz`.

#[macro_use]
#[path = "../common/mod.rs"]
mod common;

mod alert_rules;
mod api;
mod audit_key_rotation;
mod backup_restore;
mod demo_cli;
mod demo_serve;
mod deploy_files;
mod disclosure_attack;
mod disk_full;
mod dispatch;
mod faults;
mod follow_up;
mod hooks;
mod init_cli;
mod insights_polling;
mod insights_store;
mod integrity;
mod key_rotation;
mod key_rotation_store;
mod keyed_audit;
mod messaging_loop;
mod messaging_platforms;
mod meta_fixtures;
mod module_edges;
mod notifications;
mod openapi_conformance;
mod outcome_resolutions;
mod plan_cli;
mod preview_cli;
mod report_cli;
mod report_insights;
mod request_tracing;
mod retention;
mod sandbox;
mod sandbox_messaging;
mod scale_out;
mod schema_compatibility;
mod serve_first_start;
mod service_cli;
mod sessions;
mod sms;
mod social_platforms;
mod store_and_schedule;
mod subscribers_store;
mod telegram_fixtures;
mod throttle;
mod translations_cli;
mod translators;
mod tutorial;
mod unit_sizes;
mod upload_limits;
mod validate_cli;
mod viber_fixtures;
mod web_languages;
mod web_ui;
mod x_fixtures;
mod x_oauth2;
