//! `herald serve [--listen ADDR] [--sandbox]`: the long-running service. It serves the API,
//! answers health and readiness probes, plans and dispatches due sends, and with `--sandbox`
//! points every account at an in-process sandbox so that a rehearsal never reaches a real
//! partner.

use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;

use super::rehearsal::{check_database, check_listener};
use super::runtime::{StopSignal, load_config, open_store, runtime, stored_credentials};
use crate::clock::SystemClock;
use crate::dispatch::{DispatchSettings, Dispatcher};
use crate::platforms::Secret;
use crate::sandbox::{Sandbox, SandboxConfig};
use crate::serving::ServerLimits;
use crate::store::{AnyStore, Store};

/// Whether `serve` rehearses, and what the operator explicitly allowed the rehearsal.
#[derive(Debug, Clone, Copy, Default)]
pub struct Rehearsal {
    pub sandbox: bool,
    pub allow_used_database: bool,
    pub allow_public_rehearsal: bool,
}

pub fn serve(
    database_url: &str,
    config: Option<&Path>,
    listen: SocketAddr,
    metrics_listen: Option<SocketAddr>,
    rehearsal: Rehearsal,
) -> ExitCode {
    let with_sandbox = rehearsal.sandbox;
    if with_sandbox {
        if let Err(code) = check_listener(listen, rehearsal.allow_public_rehearsal) {
            return code;
        }
    }
    let config = match load_config(config) {
        Ok(config) => Arc::new(config),
        Err(code) => return code,
    };
    let runtime = match runtime() {
        Ok(runtime) => runtime,
        Err(code) => return code,
    };
    runtime.block_on(async move {
        let stop_signal = StopSignal::listen();
        let store = match open_store(database_url).await {
            Ok(store) => store,
            Err(code) => return code,
        };
        if let Err(code) =
            check_database(&store, with_sandbox, rehearsal.allow_used_database).await
        {
            return code;
        }
        // A rehearsal's credential is random per process: partner events for its hooks can
        // only be signed by its own sandbox (or by whoever reads this terminal).
        let rehearsal_credential =
            with_sandbox.then(|| Secret::new(crate::auth::random_id(32)));
        let partners = rehearsal_credential.as_ref().map(|credential| {
            Sandbox::new(
                SandboxConfig::rehearsing_with(credential.expose()),
                Arc::new(SystemClock),
            )
        });
        let sandbox = if let Some(partners) = &partners {
            match partners.start(0).await {
                Ok(running) => Some(running),
                Err(error) => {
                    eprintln!("error: cannot start the sandbox: {error}");
                    return ExitCode::FAILURE;
                }
            }
        } else {
            None
        };
        let secret_key = match crate::secrets::SecretKey::from_env() {
            Ok(key) => key,
            Err(message) => {
                eprintln!("error: {message}");
                return ExitCode::FAILURE;
            }
        };
        let stored = match stored_credentials(&store).await {
            Ok(stored) => stored,
            Err(code) => return code,
        };
        let vault = match crate::subscribers::SubscriberVault::from_env() {
            Ok(Some(vault)) => Some(Arc::new(vault)),
            Ok(None) if with_sandbox => match crate::subscribers::SubscriberVault::ephemeral() {
                Ok(vault) => Some(Arc::new(vault)),
                Err(error) => {
                    eprintln!("error: {error}");
                    return ExitCode::FAILURE;
                }
            },
            Ok(None) => None,
            Err(error) => {
                eprintln!("error: {error}");
                return ExitCode::FAILURE;
            }
        };
        let hook_accounts = Arc::new(crate::reach::hook_accounts(
            &config,
            rehearsal_credential.as_ref(),
            &stored,
        ));
        let settings = DispatchSettings {
            retention: chrono::Duration::days(i64::from(config.retention_days)),
            sandbox_url: sandbox.as_ref().map(|s| s.base_url()),
            rehearsal_credential: rehearsal_credential
                .clone()
                .unwrap_or_else(|| DispatchSettings::default().rehearsal_credential),
            ..DispatchSettings::default()
        };
        let api_config = Arc::clone(&config);
        let public_url = config.public_url.clone();
        let trusted_proxies = config.trusted_proxies.clone();
        let click_config = Arc::clone(&config);
        let dispatcher = match Dispatcher::with_stored_credentials(
            store.clone(),
            Arc::new(SystemClock),
            config,
            settings,
            &stored,
        ) {
            Ok(dispatcher) => dispatcher.with_vault(vault.clone()),
            Err(error) => {
                eprintln!("error: {error}");
                return ExitCode::FAILURE;
            }
        };
        let listener = match tokio::net::TcpListener::bind(listen).await {
            Ok(listener) => listener,
            Err(error) => {
                eprintln!("error: cannot listen on {listen}: {error}");
                return ExitCode::FAILURE;
            }
        };
        let address = listener
            .local_addr()
            .map(|a| a.to_string())
            .unwrap_or_else(|_| listen.to_string());
        println!(
            "herald serving on http://{address} (API under /api/v1, web interface under /ui; /healthz, /readyz)"
        );
        if let Some(running) = &sandbox {
            println!(
                "rehearsal: every account points at the in-process sandbox on {}",
                running.base_url()
            );
            println!(
                "  what the partners received: GET {}/sandbox/received",
                running.base_url()
            );
            if let Some(credential) = &rehearsal_credential {
                println!(
                    "  every account's credential in this rehearsal (hooks verify partner events with it): {}",
                    credential.expose()
                );
            }
            if vault.as_ref().is_some_and(|v| v.is_ephemeral()) {
                println!(
                    "  subscriber identifiers are sealed with a key that lives as long as this process (set {} to keep them)",
                    crate::secrets::SECRET_KEY_VARIABLE
                );
            }
        }
        if let Some(metrics_address) = metrics_listen {
            match crate::metrics::listen(metrics_address).await {
                Ok(bound) => println!("metrics on http://{bound}/metrics"),
                Err(error) => {
                    eprintln!("error: cannot listen on {metrics_address} for metrics: {error}");
                    return ExitCode::FAILURE;
                }
            }
        }
        // Partners that take a webhook URL through their API are told where herald's hooks
        // are, once the listener is up (Viber confirms with a call to it).
        let hooks_base = if with_sandbox {
            Some(format!("http://{address}"))
        } else {
            Some(public_url.clone()).filter(|url| url.starts_with("https://"))
        };
        match hooks_base {
            Some(hooks_base) => {
                let partner_base = sandbox.as_ref().map(|s| s.base_url());
                let accounts = Arc::clone(&hook_accounts);
                tokio::spawn(async move {
                    let lines = crate::reach::register_webhooks(
                        &accounts,
                        &hooks_base,
                        partner_base.as_deref(),
                        partners.as_ref(),
                    )
                    .await;
                    for line in lines {
                        println!("webhook: {line}");
                    }
                });
            }
            None if !hook_accounts.is_empty() => println!(
                "webhooks are not registered: `public_url` must be an https:// URL that partners can reach"
            ),
            None => {}
        }
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let dispatching = tokio::spawn(async move { dispatcher.run(stopped).await });
        let api_state = crate::api::ApiState {
            store: store.clone(),
            config: api_config,
            clock: Arc::new(SystemClock),
            limiter: Arc::new(crate::api::LoginLimiter::default()),
            secret_key: secret_key.map(Arc::new),
        };
        // The web interface shares the API's state, so its logins count against the same
        // failed-login limiter.
        let web = crate::web::router(crate::web::WebState::new(api_state.clone()));
        let api = crate::api::router(api_state);
        let clicks =
            crate::reach::ClickState::new(store.clone(), click_config, Arc::new(SystemClock));
        let click_tally = Arc::clone(&clicks.tally);
        let clicks = crate::reach::redirector_router(clicks);
        let hooks = crate::reach::hooks_router(crate::reach::HookState {
            store: store.clone(),
            clock: Arc::new(SystemClock),
            vault,
            ingestor: crate::reach::CallbackIngestor::start(store.clone(), Arc::new(SystemClock)),
            accounts: Arc::clone(&hook_accounts),
        });
        let app = probes(store)
            .merge(api)
            .merge(web)
            .merge(clicks)
            .merge(hooks)
            .layer(axum::middleware::from_fn_with_state(
                crate::api::REQUEST_TIMEOUT,
                crate::serving::with_request_deadline,
            ))
            .layer(axum::middleware::from_fn_with_state(
                crate::serving::HttpsOnly(public_url.starts_with("https://")),
                crate::serving::security_headers,
            ));
        let limits = ServerLimits {
            trusted_proxies: trusted_proxies.clone(),
            ..ServerLimits::default()
        };
        let served = crate::serving::serve(listener, app, limits, async move {
            stop_signal.requested().await;
            eprintln!("stopping: finishing the batch in hand");
            let _ = stop.send(true);
        })
        .await;
        // Clicks are written in batches; what the last batch did not take is written now.
        if let Err(error) = click_tally.flush().await {
            eprintln!("error: the last clicks could not be written: {error}");
        }
        let dispatched = dispatching.await;
        if let Some(running) = sandbox {
            running.shutdown().await;
        }
        match (served, dispatched) {
            (Ok(()), Ok(Ok(()))) => ExitCode::SUCCESS,
            (Err(error), _) => {
                eprintln!("error: {error}");
                ExitCode::FAILURE
            }
            (_, Ok(Err(error))) => {
                eprintln!("error: {error}");
                ExitCode::FAILURE
            }
            (_, Err(error)) => {
                eprintln!("error: the dispatcher stopped: {error}");
                ExitCode::FAILURE
            }
        }
    })
}

/// Liveness (the process answers) and readiness (the database answers).
pub fn probes(store: AnyStore) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(ready))
        .with_state(store)
}

async fn ready(State(store): State<AnyStore>) -> (StatusCode, &'static str) {
    match store.next_due_ms().await {
        Ok(_) => (StatusCode::OK, "ready"),
        Err(error) => {
            tracing::warn!(%error, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    }
}
