//! `herald worker`: plans and dispatches until stopped; several may share one PostgreSQL. A
//! database that fails meanwhile is retried (see `Dispatcher::run`), not a reason to exit. It
//! is herald assembled without a front door (see [`crate::app`]).

use std::path::Path;
use std::process::ExitCode;

use super::rehearsal::partners;
use super::runtime::{StopSignal, fail, load_config, runtime};
use crate::app::{App, Dispatching, Overrides, RunningApp, ServiceKeys, Settings};
use crate::dispatch::DispatchSettings;

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
        Ok(config) => config,
        Err(code) => return code,
    };
    let runtime = match runtime() {
        Ok(runtime) => runtime,
        Err(code) => return code,
    };
    runtime.block_on(async {
        let stop_signal = StopSignal::listen();
        // Deliveries to subscribers need the key their identifiers were sealed with.
        let keys = match ServiceKeys::from_env() {
            Ok(keys) => keys,
            Err(error) => return fail(error),
        };
        let mut settings = Settings::new(database_url, config);
        settings.notifications =
            match crate::notify::NotifierSettings::resolve(&settings.config, |name| {
                std::env::var(name).ok()
            }) {
                Ok(notifications) => notifications.map(std::sync::Arc::new),
                Err(error) => return fail(error),
            };
        settings.keys = keys;
        settings.allow_used_database = allow_used_database;
        settings.dispatch.lease = lease;
        // Paced sends must fall well within the lease.
        settings.dispatch.pacing_window =
            (lease / 3).min(DispatchSettings::default().pacing_window);
        settings.partners = partners(false, sandbox_url);
        if once {
            settings.dispatching = Dispatching::OnRequest;
        } else {
            settings.metrics_listen = metrics_listen;
        }
        let app = match App::build(settings, Overrides::default()).await {
            Ok(app) => app,
            Err(error) => return fail(error),
        };
        if let Some(bound) = app.metrics_address() {
            crate::say!("metrics on http://{bound}/metrics");
        }
        let running = app.start();
        if once {
            return dispatch_once(running).await;
        }
        let stopping = async move {
            stop_signal.requested().await;
            eprintln!("stopping: finishing the batch in hand");
        };
        match running.run_until(stopping).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => fail(error),
        }
    })
}

/// `--once`: one plan and one batch, then a line saying what happened.
async fn dispatch_once(running: RunningApp) -> ExitCode {
    let dispatcher = running.dispatcher();
    let outcome = async {
        let planned = dispatcher.plan().await?;
        let report = dispatcher.tick().await?;
        Ok::<_, crate::store::StoreError>((planned, report))
    }
    .await;
    let stopped = running.stop().await;
    match (outcome, stopped) {
        (Ok((planned, report)), Ok(())) => {
            crate::say!(
                "planned {} job(s) for {} version(s); leased {}, sent {}, retrying {}, deferred {}, dead {}, unknown {}",
                planned.jobs_inserted,
                planned.versions,
                report.leased,
                report.sent,
                report.retried,
                report.deferred,
                report.dead,
                report.unknown
            );
            ExitCode::SUCCESS
        }
        (Err(error), _) => fail(error),
        (_, Err(error)) => fail(error),
    }
}
