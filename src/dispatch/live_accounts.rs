//! The accounts a worker sends with, as of the credentials it last read. They are built from
//! the configuration, the environment and the credentials stored through the API, and built
//! again at the start of a batch whenever the stored credentials changed: a credential set or
//! deleted through the API takes effect at the next batch, without a restart, in every
//! process that dispatches. An account whose credentials are not all set waits: its jobs are
//! not leased (they stay queued, due, and use no attempts) until they are.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, RwLock};

use super::route::Route;
use super::{DispatchSettings, Dispatcher};
use crate::clock::Clock;
use crate::config::Config;
use crate::platforms::{
    AdAccount, AdapterSetupError, MetricsReader, StoredCredentials, build_adapters,
};
use crate::reach::{AudienceEstimator, EstimateSource, InsightPoller, InsightSource};
use crate::secrets::{StoredVersions, open_sealed_credentials, stored_versions};
use crate::store::{Store, StoreError};

/// The accounts in use for one batch.
pub(super) struct Accounts {
    /// The accounts this worker publishes to, by channel name.
    pub(super) routes: HashMap<String, Arc<Route>>,
    /// Channels whose accounts lack a credential they need to send.
    pub(super) waiting: Vec<String>,
    /// Reads published posts' metrics back, window by window.
    pub(super) insights: InsightPoller,
    /// Asks Meta for the audience of each running version's segments.
    pub(super) estimator: AudienceEstimator,
}

/// A stored credential as last read: `(channel, name, nonce)`.
type StoredRow = (String, String, String);

/// The accounts in use, replaced as a whole when the stored credentials change.
pub(super) struct LiveAccounts {
    current: RwLock<Arc<Accounts>>,
    /// The stored credentials `current` was built from; `None` until they were first read.
    built_from: Mutex<Option<StoredVersions>>,
}

impl LiveAccounts {
    pub(super) fn new(accounts: Accounts) -> LiveAccounts {
        LiveAccounts {
            current: RwLock::new(Arc::new(accounts)),
            built_from: Mutex::new(None),
        }
    }

    /// The accounts as of now; a batch keeps the same ones from start to end.
    pub(super) fn current(&self) -> Arc<Accounts> {
        Arc::clone(&self.current.read().unwrap_or_else(|p| p.into_inner()))
    }

    /// Says which stored credentials the current accounts were built from.
    pub(super) fn built_from_versions(&self, versions: StoredVersions) {
        *self.built_from() = Some(versions);
    }

    fn replace(&self, accounts: Accounts) {
        *self.current.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(accounts);
    }

    fn built_from(&self) -> std::sync::MutexGuard<'_, Option<StoredVersions>> {
        self.built_from.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The accounts built before, and whether a channel's stored credentials changed since.
pub(super) struct Previous<'a> {
    accounts: &'a Accounts,
    changed: &'a dyn Fn(&str) -> bool,
}

/// Builds the accounts for `stored` credentials, keeping the routes (their throttle holds and
/// outage pauses) of `previous` for channels whose credentials did not change.
pub(super) fn build_accounts(
    config: &Config,
    settings: &DispatchSettings,
    stored: &StoredCredentials,
    clock: &Arc<dyn Clock>,
    previous: Option<Previous<'_>>,
) -> Result<Accounts, AdapterSetupError> {
    let adapters = build_adapters(
        &config.accounts,
        settings.rehearsal(),
        stored,
        clock,
        settings.token_vault.as_ref(),
    )?;
    for (channel, missing) in &adapters.waiting {
        let waited_before = previous
            .as_ref()
            .is_some_and(|p| p.accounts.waiting.contains(&channel.to_string()));
        if !waited_before {
            tracing::warn!(error = %missing, "this account's jobs wait until its credentials are set");
        }
    }
    let routes = adapters
        .publishers
        .into_iter()
        .filter_map(|(channel, adapter)| {
            let name = channel.to_string();
            let kept = previous
                .as_ref()
                .filter(|previous| !(previous.changed)(&name))
                .and_then(|previous| previous.accounts.routes.get(&name).cloned());
            let route = match kept {
                Some(route) => route,
                None => Arc::new(Route::new(config.accounts.get(&channel)?.clone(), adapter)),
            };
            Some((name, route))
        })
        .collect();
    Ok(Accounts {
        routes,
        waiting: adapters.waiting.keys().map(ToString::to_string).collect(),
        insights: InsightPoller::new(
            &settings.worker_id,
            insight_sources(adapters.metrics_readers),
        ),
        estimator: AudienceEstimator::new(estimate_sources(adapters.ad_accounts)),
    })
}

impl<S: Store> Dispatcher<S> {
    /// Builds the accounts again when the stored credentials changed since they were last
    /// read (a rehearsal sends its own credential and reads none). Credentials that cannot be
    /// opened leave the accounts as they are, with an error in the log.
    pub(super) async fn refresh_accounts(&self) -> Result<(), StoreError> {
        if self.settings.rehearsal().is_some() {
            return Ok(());
        }
        let rows = self.store.account_secrets().await?;
        let now = stored_versions(&rows);
        let mut built_from = self.accounts.built_from();
        if built_from.as_ref() == Some(&now) {
            return Ok(());
        }
        let before = built_from.replace(now.clone());
        let stored = match open_sealed_credentials(&rows, self.credentials_key.as_deref()) {
            Ok(stored) => stored,
            Err(error) => {
                tracing::error!(%error, "stored credentials changed but cannot be opened; the accounts stay as they were");
                return Ok(());
            }
        };
        let changed = changed_channels(before.as_deref(), &now);
        let previous = self.accounts.current();
        let is_changed = |channel: &str| {
            changed
                .as_ref()
                .is_none_or(|changed| changed.get(channel).copied().unwrap_or(false))
        };
        match build_accounts(
            &self.config,
            &self.settings,
            &stored,
            &self.clock,
            Some(Previous {
                accounts: &previous,
                changed: &is_changed,
            }),
        ) {
            Ok(accounts) => {
                for channel in previous.waiting.iter() {
                    if !accounts.waiting.contains(channel) {
                        tracing::info!(%channel, "this account has its credentials: its jobs go out");
                    }
                }
                self.accounts.replace(accounts);
            }
            Err(error) => {
                tracing::error!(%error, "stored credentials changed but the accounts cannot be built again; they stay as they were");
            }
        }
        Ok(())
    }
}

/// Whether each channel's stored credentials differ between `before` and `now`; `None` (every
/// channel changed) when they were never read before.
fn changed_channels(
    before: Option<&[StoredRow]>,
    now: &[StoredRow],
) -> Option<HashMap<String, bool>> {
    let by_channel = |rows: &[StoredRow]| {
        let mut map: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
        for (channel, name, nonce) in rows {
            map.entry(channel.clone())
                .or_default()
                .push((name.clone(), nonce.clone()));
        }
        map
    };
    let now = by_channel(now);
    let before = before.map(by_channel)?;
    let mut changed = HashMap::new();
    for channel in before.keys().chain(now.keys()) {
        changed.insert(channel.clone(), before.get(channel) != now.get(channel));
    }
    Some(changed)
}

/// The accounts whose posts' metrics the insight poller reads.
fn insight_sources(readers: HashMap<String, MetricsReader>) -> HashMap<String, InsightSource> {
    readers
        .into_iter()
        .map(|(channel, reader)| {
            let source = match reader {
                MetricsReader::Facebook {
                    adapter,
                    api_version,
                } => InsightSource::Facebook {
                    adapter,
                    api_version,
                },
                MetricsReader::X(adapter) => InsightSource::X(adapter),
            };
            (channel, source)
        })
        .collect()
}

/// The ad accounts the audience estimator asks.
fn estimate_sources(accounts: HashMap<String, AdAccount>) -> HashMap<String, EstimateSource> {
    accounts
        .into_iter()
        .map(|(channel, account)| {
            let source = EstimateSource {
                adapter: account.adapter,
                ad_account: account.ad_account,
                api_version: account.api_version,
            };
            (channel, source)
        })
        .collect()
}
