//! herald's own logs (not campaign reach, which is `reach`). Quiet by default: only warnings
//! and errors reach standard error unless `RUST_LOG` or `-v` asks for more. Text for people,
//! coloured only when standard error is a terminal and `NO_COLOR` is unset (never under
//! journald, Docker or a pipe; the deployment files set `NO_COLOR` for containers given a
//! terminal), or one JSON object per line for machines (`--log-format json` or `HERALD_LOG_FORMAT=json`).

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

/// Installs the global subscriber. `verbosity` counts `-v` flags.
pub fn init(verbosity: u8, format: LogFormat) {
    let default = match verbosity {
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
