//! `herald serve [--listen ADDR] [--no-dispatch] [--sandbox | --sandbox-url URL]`: the
//! long-running service. It serves the API, answers health and readiness probes, plans and
//! dispatches due sends (unless `--no-dispatch`: an API-only replica beside workers), and
//! with `--sandbox` or `--sandbox-url` points every account at a partner emulator so that a
//! rehearsal never reaches a real partner. The assembly itself is [`crate::app`]; this file
//! turns flags into settings and tells the operator what is listening where.

use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;

use super::rehearsal::{check_listener, partners};
use super::runtime::{StopSignal, fail, load_config, runtime};
use crate::app::{App, Dispatching, Overrides, ServiceKeys, Settings};

/// Whether `serve` rehearses, and what the operator explicitly allowed the rehearsal.
#[derive(Debug, Clone, Default)]
pub struct Rehearsal {
    /// Against the built-in emulator.
    pub sandbox: bool,
    /// Against the emulator at this URL.
    pub sandbox_url: Option<String>,
    pub allow_used_database: bool,
    pub allow_public_rehearsal: bool,
}

/// Where `serve` listens.
#[derive(Debug, Clone, Copy)]
pub struct Listeners {
    pub listen: SocketAddr,
    pub metrics_listen: Option<SocketAddr>,
}

pub fn serve(
    database_url: &str,
    config: Option<&Path>,
    listeners: Listeners,
    no_dispatch: bool,
    rehearsal: Rehearsal,
) -> ExitCode {
    let Listeners {
        listen,
        metrics_listen,
    } = listeners;
    if rehearsal.sandbox || rehearsal.sandbox_url.is_some() {
        if let Err(code) = check_listener(listen, rehearsal.allow_public_rehearsal) {
            return code;
        }
    }
    let mut config = match load_config(config) {
        Ok(config) => config,
        Err(code) => return code,
    };
    // The web sessions' limits may come from the environment; checked here, once.
    match config
        .sessions
        .with_overrides(|name| std::env::var(name).ok())
    {
        Ok(policy) => config.sessions = policy,
        Err(error) => return fail(error),
    }
    let runtime = match runtime() {
        Ok(runtime) => runtime,
        Err(code) => return code,
    };
    runtime.block_on(async move {
        let stop_signal = StopSignal::listen();
        let keys = match ServiceKeys::from_env() {
            Ok(keys) => keys,
            Err(error) => return fail(error),
        };
        let mut settings = Settings::new(database_url, config);
        settings.listen = Some(listen);
        settings.metrics_listen = metrics_listen;
        settings.keys = keys;
        settings.allow_used_database = rehearsal.allow_used_database;
        settings.partners = partners(rehearsal.sandbox, rehearsal.sandbox_url.as_deref());
        if no_dispatch {
            settings.dispatching = Dispatching::Off;
        }
        let app = match App::build(settings, Overrides::default()).await {
            Ok(app) => app,
            Err(error) => return fail(error),
        };
        announce(&app, no_dispatch);
        let stopping = async move {
            stop_signal.requested().await;
            eprintln!("stopping: finishing the batch in hand");
        };
        match app.start().run_until(stopping).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => fail(error),
        }
    })
}

/// What an operator needs to know once everything is bound.
fn announce(app: &App, no_dispatch: bool) {
    if let Some(address) = app.address() {
        crate::say!(
            "herald serving on http://{address} (API under /api/v1, web interface under /ui; /healthz, /readyz)"
        );
    }
    if no_dispatch {
        crate::say!(
            "no dispatch: this process plans and sends nothing; run herald worker for that"
        );
    }
    if let Some(emulator) = app.emulator_url() {
        crate::say!("rehearsal: every account points at the in-process sandbox on {emulator}");
        crate::say!("  what the partners received: GET {emulator}/sandbox/received");
        if let Some(credential) = app.rehearsal_credential() {
            crate::say!(
                "  every account's credential in this rehearsal (hooks verify partner events with it): {}",
                credential.expose()
            );
        }
        if app.vault_is_ephemeral() {
            crate::say!(
                "  subscriber identifiers are sealed with a key that lives as long as this process (set {} to keep them)",
                crate::secrets::SECRET_KEY_VARIABLE
            );
        }
    }
    if let Some(bound) = app.metrics_address() {
        crate::say!("metrics on http://{bound}/metrics");
    }
}
