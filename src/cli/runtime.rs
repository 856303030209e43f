//! What the long-running commands share: an async runtime, the configuration, and a store that
//! is migrated before use.

use std::path::Path;
use std::process::ExitCode;

use crate::campaign::Diagnostics;
use crate::config::Config;
use crate::project::DEFAULT_CONFIG;
use crate::report::PublicationPolicy;
use crate::store::AnyStore;

pub fn runtime() -> Result<tokio::runtime::Runtime, ExitCode> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|error| {
            eprintln!("error: cannot start the async runtime: {error}");
            ExitCode::FAILURE
        })
}

/// The service configuration; a missing file or any error in it stops the command.
pub fn load_config(explicit: Option<&Path>) -> Result<Config, ExitCode> {
    let path = explicit
        .map(Path::to_path_buf)
        .unwrap_or_else(|| DEFAULT_CONFIG.into());
    if !path.is_file() {
        eprintln!(
            "error: no configuration at {} (pass --config FILE)",
            path.display()
        );
        return Err(ExitCode::FAILURE);
    }
    let mut diags = Diagnostics::default();
    let config = Config::load(&path, &mut diags);
    let failed = diags.has_errors();
    for diagnostic in diags.into_sorted() {
        eprintln!("{diagnostic}");
    }
    if failed {
        return Err(ExitCode::FAILURE);
    }
    Ok(config)
}

/// The deployment's publication policy: from `--config FILE`, else from `herald.toml` when
/// there is one, else the default policy (k = 10, noise up to ±3, the full breakdown, periods
/// run and week).
pub fn publication_policy(explicit: Option<&Path>) -> Result<PublicationPolicy, ExitCode> {
    if explicit.is_none() && !Path::new(DEFAULT_CONFIG).is_file() {
        return Ok(PublicationPolicy::default());
    }
    load_config(explicit).map(|config| config.publication)
}

/// Runs `work` with a migrated store on a fresh runtime: the frame of every command that
/// only needs the database.
pub fn with_store<F, Fut>(database_url: &str, work: F) -> ExitCode
where
    F: FnOnce(AnyStore) -> Fut,
    Fut: std::future::Future<Output = ExitCode>,
{
    on_runtime(open_store(database_url), work)
}

/// Like [`with_store`], but never migrates: the database must already be at this herald's
/// schema (`audit verify` on a restored backup must not move it past the release that wrote
/// it).
pub fn with_store_as_is<F, Fut>(database_url: &str, work: F) -> ExitCode
where
    F: FnOnce(AnyStore) -> Fut,
    Fut: std::future::Future<Output = ExitCode>,
{
    let opening = async {
        crate::app::open_store_as_is(database_url)
            .await
            .map_err(fail)
    };
    on_runtime(opening, work)
}

/// Opens the store with `opening` on a fresh runtime, then runs `work` with it.
fn on_runtime<O, F, Fut>(opening: O, work: F) -> ExitCode
where
    O: std::future::Future<Output = Result<AnyStore, ExitCode>>,
    F: FnOnce(AnyStore) -> Fut,
    Fut: std::future::Future<Output = ExitCode>,
{
    let runtime = match runtime() {
        Ok(runtime) => runtime,
        Err(code) => return code,
    };
    runtime.block_on(async {
        match opening.await {
            Ok(store) => work(store).await,
            Err(code) => code,
        }
    })
}

/// Prints an error the way every command does and gives the failure exit code.
pub fn fail(error: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {error}");
    ExitCode::FAILURE
}

/// Connects and applies pending migrations (refusing a newer schema); the audit entries the
/// command writes are keyed with `HERALD_SECRET_KEY` when it is set. A change that would
/// write to a keyed chain without its key is refused when it comes (commands that only read
/// need no key).
pub async fn open_store(database_url: &str) -> Result<AnyStore, ExitCode> {
    let key = audit_key()?;
    Ok(crate::app::open_store(database_url)
        .await
        .map_err(fail)?
        .with_audit_key(key))
}

/// The audit key from `HERALD_SECRET_KEY`, when it is set; a malformed key stops the command.
pub fn audit_key() -> Result<Option<std::sync::Arc<crate::audit::AuditKey>>, ExitCode> {
    crate::app::ServiceKeys::from_env()
        .map(|keys| keys.audit)
        .map_err(fail)
}

/// Ctrl-C and SIGTERM, listened for from the moment this is made: a signal that comes while a
/// command is still starting is kept for later, instead of the default action killing the
/// process halfway through its start.
pub struct StopSignal {
    #[cfg(unix)]
    signals: Option<(tokio::signal::unix::Signal, tokio::signal::unix::Signal)>,
}

impl StopSignal {
    /// Must be called inside the runtime.
    pub fn listen() -> StopSignal {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let signals = signal(SignalKind::interrupt())
                .and_then(|interrupt| Ok((interrupt, signal(SignalKind::terminate())?)))
                .ok();
            StopSignal { signals }
        }
        #[cfg(not(unix))]
        {
            StopSignal {}
        }
    }

    /// Resolves at the first Ctrl-C or SIGTERM since [`StopSignal::listen`].
    pub async fn requested(self) {
        #[cfg(unix)]
        {
            match self.signals {
                Some((mut interrupt, mut terminate)) => {
                    tokio::select! {
                        _ = interrupt.recv() => {}
                        _ = terminate.recv() => {}
                    }
                }
                None => {
                    let _ = tokio::signal::ctrl_c().await;
                }
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
