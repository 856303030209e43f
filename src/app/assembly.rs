//! Building herald from its [`Settings`]: the store opened and migrated, the database's use
//! checked, the partners chosen, the keys handed out, the dispatcher and the HTTP front door
//! assembled and their listeners bound. Nothing runs until [`App::start`]; what was bound can
//! be printed first, so an operator sees the addresses before the first request arrives.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;

use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::dispatch::Dispatcher;
use crate::platforms::{Secret, StoredCredentials};
use crate::reach::{CallbackIngestor, LiveHookAccounts, hook_accounts};
use crate::sandbox::{RunningSandbox, Sandbox, SandboxConfig};
use crate::secrets::StoredVersions;
use crate::serving::ServerLimits;
use crate::store::{AnyStore, Store, connect};

use super::audit_start::{check_audit_key, record_publication_policy};
use crate::notify::Notifier;

use super::database_use::{DatabaseUse, check_database_use};
use super::front_door::{FrontDoorParts, front_door};
use super::hook_credentials::HookCredentials;
use super::running::{Http, RunningApp, WebhookPlan};
use super::stored_credentials::open_stored_credentials;
use super::{Announce, AppError, Dispatching, Overrides, Partners, ServiceKeys, Settings};

/// herald assembled, its listeners bound, nothing running yet.
pub struct App {
    store: AnyStore,
    config: Arc<Config>,
    keys: ServiceKeys,
    dispatcher: Arc<Dispatcher<AnyStore>>,
    dispatching: Dispatching,
    announce: Announce,
    /// The emulator's URL and the credential every account sends it, in a rehearsal.
    emulator: Option<(String, Secret)>,
    /// The built-in emulator of `serve --sandbox`, which the app stops last.
    built_in: Option<RunningSandbox>,
    /// The hooks' accounts, which `serve` keeps up with the stored credentials.
    accounts: Arc<LiveHookAccounts>,
    /// Which stored credentials the accounts were built from.
    stored_versions: StoredVersions,
    http: Option<Http>,
    metrics: Option<TcpListener>,
    /// The staff notifier, when `[notifications]` is configured.
    notifier: Option<Arc<Notifier<AnyStore>>>,
}

impl App {
    /// Assembles herald; every failure is one [`AppError`] for the caller to report.
    pub async fn build(settings: Settings, overrides: Overrides) -> Result<App, AppError> {
        let clock: Arc<dyn Clock> = overrides.clock.unwrap_or_else(|| Arc::new(SystemClock));
        let store = open_store(&settings.database_url)
            .await?
            .with_audit_key(settings.keys.audit.clone());
        check_audit_key(&store).await?;
        check_database_use(
            &store,
            DatabaseUse {
                rehearsing: settings.partners.is_rehearsal(),
                dispatching: settings.dispatching.sends(),
                allow_used_database: settings.allow_used_database,
            },
        )
        .await?;
        let (emulator, built_in) = choose_partners(&settings.partners).await?;
        let keys = match settings.partners {
            Partners::BuiltIn => settings.keys.clone().with_ephemeral_vault()?,
            _ => settings.keys.clone(),
        };
        let starting = open_stored_credentials(&store, keys.credentials.as_deref()).await?;
        let stored = &starting.opened;
        let accounts = Arc::new(LiveHookAccounts::new(hook_accounts(
            &settings.config,
            emulator.as_ref().map(|(_, credential)| credential),
            stored,
        )));
        let dispatcher = build_dispatcher(
            &settings,
            &store,
            &clock,
            &keys,
            &emulator,
            stored,
            starting.versions.clone(),
        )?;
        let http = match bind_front_door(&settings, overrides.listener).await? {
            Some(listener) => Some(assemble_http(
                listener, &settings, &store, &clock, &keys, &accounts,
            )?),
            None => None,
        };
        if http.is_some() {
            record_publication_policy(&store, &settings.config.publication, clock.now()).await?;
        }
        let metrics = match settings.metrics_listen {
            Some(address) => Some(
                TcpListener::bind(address)
                    .await
                    .map_err(|error| AppError::MetricsListen { address, error })?,
            ),
            None => None,
        };
        let notifier = match &settings.notifications {
            Some(notify) => Some(Arc::new(
                Notifier::new(store.clone(), Arc::clone(notify), Arc::clone(&clock))
                    .map_err(AppError::Notify)?,
            )),
            None => None,
        };
        Ok(App {
            notifier,
            store,
            config: settings.config,
            keys,
            dispatcher: Arc::new(dispatcher),
            dispatching: settings.dispatching,
            announce: settings.announce,
            emulator,
            built_in,
            accounts,
            stored_versions: starting.versions,
            http,
            metrics,
        })
    }

    /// Where the front door listens, when there is one.
    pub fn address(&self) -> Option<SocketAddr> {
        self.http.as_ref().map(|http| http.address)
    }

    /// Where `/metrics` is served, when asked for.
    pub fn metrics_address(&self) -> Option<SocketAddr> {
        self.metrics.as_ref().and_then(|l| l.local_addr().ok())
    }

    /// The partner emulator's base URL, in a rehearsal.
    pub fn emulator_url(&self) -> Option<&str> {
        self.emulator.as_ref().map(|(url, _)| url.as_str())
    }

    /// The credential every account sends in a rehearsal; partner events for herald's hooks
    /// must be signed with it.
    pub fn rehearsal_credential(&self) -> Option<&Secret> {
        self.emulator.as_ref().map(|(_, credential)| credential)
    }

    /// Whether subscribers' identifiers are sealed with a key that dies with this process.
    pub fn vault_is_ephemeral(&self) -> bool {
        self.keys.vault.as_ref().is_some_and(|v| v.is_ephemeral())
    }

    pub fn store(&self) -> &AnyStore {
        &self.store
    }

    pub fn dispatcher(&self) -> &Dispatcher<AnyStore> {
        &self.dispatcher
    }

    /// The staff notifier, when notifications are configured.
    pub fn notifier(&self) -> Option<&Arc<Notifier<AnyStore>>> {
        self.notifier.as_ref()
    }

    /// Starts every task under one shutdown signal.
    pub fn start(self) -> RunningApp {
        let webhooks = self.http.as_ref().map(|http| WebhookPlan {
            hooks_base: self.hooks_base(http.address),
            emulator: self.emulator_url().map(str::to_string),
            accounts: self.accounts.current(),
            announce: self.announce,
        });
        // A rehearsal's hooks check the rehearsal's credential, never a stored one.
        let hook_credentials =
            (self.http.is_some() && self.emulator.is_none()).then(|| HookCredentials {
                store: self.store.clone(),
                config: Arc::clone(&self.config),
                key: self.keys.credentials.clone(),
                accounts: Arc::clone(&self.accounts),
                built_from: self.stored_versions.clone(),
            });
        RunningApp::start(super::running::Parts {
            store: self.store,
            dispatcher: self.dispatcher,
            dispatching: self.dispatching,
            http: self.http,
            metrics: self.metrics,
            webhooks,
            hook_credentials,
            built_in: self.built_in,
            notifier: self.notifier,
        })
    }

    /// Where partners are told to call herald's hooks: this listener in a rehearsal, else the
    /// public URL when it is https (partners call nothing else).
    fn hooks_base(&self, address: SocketAddr) -> Option<String> {
        if self.emulator.is_some() {
            Some(format!("http://{address}"))
        } else {
            Some(self.config.public_url.clone()).filter(|url| url.starts_with("https://"))
        }
    }
}

/// Connects and applies pending migrations (refusing a newer schema).
pub async fn open_store(database_url: &str) -> Result<AnyStore, AppError> {
    let store = connect(database_url).await?;
    store.migrate().await?;
    Ok(store)
}

/// Connects without migrating, and only to a database at exactly this herald's schema: for
/// commands that must leave the database as they found it.
pub async fn open_store_as_is(database_url: &str) -> Result<AnyStore, AppError> {
    let store = connect(database_url).await?;
    store.check_schema().await?;
    Ok(store)
}

/// The emulator to talk to, if any; the built-in one is started here, on a loopback port,
/// with a credential random per process so that only it can sign events for herald's hooks.
async fn choose_partners(
    partners: &Partners,
) -> Result<(Option<(String, Secret)>, Option<RunningSandbox>), AppError> {
    match partners {
        Partners::Real => Ok((None, None)),
        Partners::Emulator { url, credential } => {
            Ok((Some((url.clone(), credential.clone())), None))
        }
        Partners::BuiltIn => {
            let credential = Secret::new(crate::auth::random_id(32));
            let emulator = Sandbox::new(
                SandboxConfig::rehearsing_with(credential.expose()),
                Arc::new(SystemClock),
            );
            let running = emulator.start(0).await.map_err(AppError::Emulator)?;
            Ok((Some((running.base_url(), credential)), Some(running)))
        }
    }
}

fn build_dispatcher(
    settings: &Settings,
    store: &AnyStore,
    clock: &Arc<dyn Clock>,
    keys: &ServiceKeys,
    emulator: &Option<(String, Secret)>,
    stored: &StoredCredentials,
    built_from: StoredVersions,
) -> Result<Dispatcher<AnyStore>, AppError> {
    let mut dispatch = settings.dispatch.clone();
    if let Some((url, credential)) = emulator {
        dispatch.sandbox_url = Some(url.clone());
        dispatch.rehearsal_credential = credential.clone();
    }
    if dispatch.token_vault.is_none() {
        dispatch.token_vault = keys.credentials.clone().map(|key| {
            Arc::new(crate::dispatch::StoredTokenVault::new(store.clone(), key))
                as Arc<dyn crate::platforms::TokenVault>
        });
    }
    let dispatcher = Dispatcher::with_stored_credentials(
        store.clone(),
        Arc::clone(clock),
        Arc::clone(&settings.config),
        dispatch,
        stored,
    )
    .map_err(|error| AppError::Dispatcher(error.to_string()))?;
    Ok(dispatcher
        .with_vault(keys.vault.clone())
        .following_stored_credentials(keys.credentials.clone(), built_from))
}

/// The listener given by the caller, or one bound where the settings say.
async fn bind_front_door(
    settings: &Settings,
    given: Option<TcpListener>,
) -> Result<Option<TcpListener>, AppError> {
    match (given, settings.listen) {
        (Some(listener), _) => Ok(Some(listener)),
        (None, Some(address)) => TcpListener::bind(address)
            .await
            .map(Some)
            .map_err(|error| AppError::Listen { address, error }),
        (None, None) => Ok(None),
    }
}

fn assemble_http(
    listener: TcpListener,
    settings: &Settings,
    store: &AnyStore,
    clock: &Arc<dyn Clock>,
    keys: &ServiceKeys,
    accounts: &Arc<LiveHookAccounts>,
) -> Result<Http, AppError> {
    let address = listener.local_addr().map_err(|error| AppError::Listen {
        address: settings
            .listen
            .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 0))),
        error,
    })?;
    let (ingestor, ingesting) = CallbackIngestor::spawn(store.clone(), Arc::clone(clock));
    let door = front_door(FrontDoorParts {
        store,
        config: &settings.config,
        rehearsing: settings.partners.is_rehearsal(),
        clock,
        keys,
        ingestor,
        accounts,
    });
    Ok(Http {
        listener,
        address,
        door,
        limits: ServerLimits {
            trusted_proxies: settings.config.trusted_proxies.clone(),
            ..ServerLimits::default()
        },
        ingestor: ingesting,
    })
}
