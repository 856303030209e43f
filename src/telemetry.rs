//! herald's own logs (not campaign reach, which is `reach`). Services (`serve`, `worker`,
//! `sandbox`) log at info by default, so that an operator sees batches dispatched, partners
//! lost and found again, and database failures; one-off commands only warn, since their
//! output is their answer. `RUST_LOG` or `-v` asks for more. Text for people, coloured only
//! when standard error is a terminal and `NO_COLOR` is unset (never under journald, Docker or
//! a pipe; the deployment files set `NO_COLOR` for containers given a terminal), or one JSON
//! object per line for machines (`--log-format json` or `HERALD_LOG_FORMAT=json`).

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

/// How log lines are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    // Lines for people.
    #[default]
    Text,
    // One JSON object per line, with the event's fields and its spans.
    Json,
}

/// Installs the global subscriber. `verbosity` counts `-v` flags, from info for a service
/// and from warn otherwise.
pub fn init(verbosity: u8, service: bool, format: LogFormat) {
    let level = verbosity.saturating_add(u8::from(service));
    let default = match level {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder
            .with_ansi(std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none())
            .try_init(),
        LogFormat::Json => builder.json().with_current_span(true).try_init(),
    };
}
