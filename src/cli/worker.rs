//! `herald worker`: plans and dispatches until stopped; several may share one PostgreSQL. A
//! database that fails meanwhile is retried (see `Dispatcher::run`), not a reason to exit.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use super::runtime::{StopSignal, load_config, open_store, runtime, stored_credentials};
use crate::clock::SystemClock;
use crate::dispatch::{DispatchSettings, Dispatcher};

pub fn worker(
    database_url: &str,
    config: Option<&Path>,
    sandbox_url: Option<&str>,
    allow_used_database: bool,
    once: bool,
    lease: std::time::Duration,
    metrics_listen: Option<std::net::SocketAddr>,
) -> ExitCode {
    let config = match load_config(config) {
        Ok(config) => Arc::new(config),
        Err(code) => return code,
    };
    let runtime = match runtime() {
        Ok(runtime) => runtime,
        Err(code) => return code,
    };
    runtime.block_on(async {
        let stop_signal = StopSignal::listen();
        let store = match open_store(database_url).await {
            Ok(store) => store,
            Err(code) => return code,
        };
        if let Err(code) =
            super::rehearsal::check_database(&store, sandbox_url.is_some(), allow_used_database)
                .await
        {
            return code;
        }
        let stored = match stored_credentials(&store).await {
            Ok(stored) => stored,
            Err(code) => return code,
        };
        // Deliveries to subscribers need the key their identifiers were sealed with.
        let vault = match crate::subscribers::SubscriberVault::from_env() {
            Ok(vault) => vault.map(Arc::new),
            Err(error) => {
                eprintln!("error: {error}");
                return ExitCode::FAILURE;
            }
        };
        let settings = DispatchSettings {
            retention: chrono::Duration::days(i64::from(config.retention_days)),
            sandbox_url: sandbox_url.map(str::to_string),
            lease,
            // Paced sends must fall well within the lease.
            pacing_window: (lease / 3).min(DispatchSettings::default().pacing_window),
            ..DispatchSettings::default()
        };
        let dispatcher = match Dispatcher::with_stored_credentials(store, Arc::new(SystemClock), config, settings, &stored) {
            Ok(dispatcher) => dispatcher.with_vault(vault),
            Err(error) => {
                eprintln!("error: {error}");
                return ExitCode::FAILURE;
            }
        };
        if once {
            let planned = match dispatcher.plan().await {
                Ok(planned) => planned,
                Err(error) => {
                    eprintln!("error: {error}");
                    return ExitCode::FAILURE;
                }
            };
            return match dispatcher.tick().await {
                Ok(report) => {
                    println!(
                        "planned {} job(s) for {} version(s); leased {}, sent {}, retrying {}, deferred {}, dead {}, unknown {}",
                        planned.jobs_inserted, planned.versions, report.leased, report.sent, report.retried, report.deferred, report.dead, report.unknown
                    );
                    ExitCode::SUCCESS
                }
                Err(error) => {
                    eprintln!("error: {error}");
                    ExitCode::FAILURE
                }
            };
        }
        if let Some(address) = metrics_listen {
            match crate::metrics::listen(address).await {
                Ok(bound) => println!("metrics on http://{bound}/metrics"),
                Err(error) => {
                    eprintln!("error: cannot listen on {address} for metrics: {error}");
                    return ExitCode::FAILURE;
                }
            }
        }
        let (stop, stopped) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            stop_signal.requested().await;
            eprintln!("stopping: finishing the batch in hand");
            let _ = stop.send(true);
        });
        match dispatcher.run(stopped).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("error: {error}");
                ExitCode::FAILURE
            }
        }
    })
}
