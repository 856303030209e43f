//! The dispatcher: one worker's accounts, caches and settings, and its run loop, which plans
//! every minute and sends whenever jobs are due. What a tick does is in `send.rs`; the
//! periodic upkeep in `maintenance.rs`.

use std::sync::Arc;

use tokio::sync::watch;

use super::backoff::{STORE_RETRY_BASE, STORE_RETRY_MAX, retry_delay};
use super::live_accounts::{LiveAccounts, build_accounts};
use super::plan_cadence::{PlanCadence, PlanPass};
use super::recent_posts::RecentPosts;
use super::{DispatchSettings, TickReport};
use crate::clock::Clock;
use crate::config::Config;
use crate::loaded_version::VersionCache;
use crate::platforms::{AdapterSetupError, StoredCredentials};
use crate::secrets::{SecretKey, StoredVersions};
use crate::store::{Store, StoreError};
use crate::subscribers::SubscriberVault;

pub struct Dispatcher<S: Store> {
    pub(super) store: S,
    pub(super) clock: Arc<dyn Clock>,
    pub(super) config: Arc<Config>,
    pub(super) settings: DispatchSettings,
    /// The accounts this worker publishes to, and those waiting for credentials, built again
    /// when the stored credentials change.
    pub(super) accounts: LiveAccounts,
    /// Opens the credentials stored through the API; without it, only the environment's are
    /// used.
    pub(super) credentials_key: Option<Arc<SecretKey>>,
    pub(super) versions: VersionCache,
    /// Posts this worker published on Facebook and X in the last day: a job for another
    /// segment with the same words shares that post, since these partners refuse the same
    /// text twice within a day (Telegram channels take repeats).
    pub(super) recent_posts: RecentPosts,
    /// Opens subscribers' identifiers; without it, deliveries to subscribers wait.
    pub(super) vault: Option<Arc<SubscriberVault>>,
}

impl<S: Store> Dispatcher<S> {
    /// Builds adapters for every configured account whose platform herald can publish to.
    /// An account whose credentials are not all set waits (outside a rehearsal).
    pub fn new(
        store: S,
        clock: Arc<dyn Clock>,
        config: Arc<Config>,
        settings: DispatchSettings,
    ) -> Result<Self, AdapterSetupError> {
        Dispatcher::with_stored_credentials(
            store,
            clock,
            config,
            settings,
            &StoredCredentials::new(),
        )
    }

    /// As [`Dispatcher::new`], with credentials stored through the API (already opened) for
    /// accounts whose environment variables are not set. Give it the key
    /// ([`Dispatcher::following_stored_credentials`]) to follow the credentials stored later.
    pub fn with_stored_credentials(
        store: S,
        clock: Arc<dyn Clock>,
        config: Arc<Config>,
        settings: DispatchSettings,
        stored: &StoredCredentials,
    ) -> Result<Self, AdapterSetupError> {
        let accounts = build_accounts(&config, &settings, stored, &clock, None)?;
        Ok(Dispatcher {
            store,
            clock,
            config,
            accounts: LiveAccounts::new(accounts),
            credentials_key: None,
            versions: VersionCache::default(),
            vault: None,
            recent_posts: RecentPosts::default(),
            settings,
        })
    }

    /// Lets this worker open the credentials stored through the API, and so follow them as
    /// they are set and deleted. `built_from` are the versions of the stored credentials it
    /// was built with (see [`crate::secrets::stored_versions`]); without this, it builds its
    /// accounts again at its first batch.
    pub fn following_stored_credentials(
        mut self,
        key: Option<Arc<SecretKey>>,
        built_from: StoredVersions,
    ) -> Self {
        self.credentials_key = key;
        self.accounts.built_from_versions(built_from);
        self
    }

    /// The channels whose accounts wait for a credential (as of the last batch).
    pub fn waiting_channels(&self) -> Vec<String> {
        self.accounts.current().waiting.clone()
    }

    /// Lets this worker deliver to subscribers, whose identifiers only the vault opens.
    pub fn with_vault(mut self, vault: Option<Arc<SubscriberVault>>) -> Self {
        self.vault = vault;
        self
    }

    pub fn store(&self) -> &S {
        &self.store
    }

    /// Runs until `shutdown` turns true: plans every minute and whenever a version is
    /// scheduled or resumed (see [`PlanCadence`]), dispatches whenever jobs are due,
    /// and finishes the batch in hand before returning. A failing database (a restart, a full
    /// disk, a dropped connection) does not stop the worker: it logs the error and tries again
    /// with growing pauses (up to a minute), so a database restart needs no worker restart.
    pub async fn run(&self, mut shutdown: watch::Receiver<bool>) -> Result<(), StoreError> {
        let mut cadence = PlanCadence::default();
        let mut failures: u32 = 0;
        let accounts = self.accounts.current();
        tracing::info!(
            worker = %self.settings.worker_id,
            batch_size = self.settings.batch_size,
            routes = accounts.routes.len(),
            waiting = accounts.waiting.len(),
            "dispatching"
        );
        drop(accounts);
        while !*shutdown.borrow() {
            let pause = match self.plan_and_tick(&mut cadence).await {
                Ok(report) if report.leased > 0 => None,
                Ok(_) => Some(self.clock.now() + chrono::Duration::milliseconds(500)),
                Err(error) => {
                    failures += 1;
                    let delay = retry_delay(
                        failures,
                        STORE_RETRY_BASE,
                        STORE_RETRY_MAX,
                        &self.settings.worker_id,
                    );
                    crate::metrics::METRICS.store_failed();
                    tracing::error!(
                        %error,
                        failures,
                        retry_in_ms = delay.as_millis() as u64,
                        "the database failed; the worker keeps its place and tries again"
                    );
                    tokio::select! {
                        _ = tokio::time::sleep(delay) => {}
                        _ = shutdown.changed() => {}
                    }
                    continue;
                }
            };
            if failures > 0 {
                tracing::info!(failures, "the database answers again");
                failures = 0;
            }
            if let Some(until) = pause {
                tokio::select! {
                    _ = self.clock.sleep_until(until) => {}
                    _ = shutdown.changed() => {}
                }
            }
        }
        Ok(())
    }

    /// Plans when its cadence says so, then dispatches a batch.
    async fn plan_and_tick(&self, cadence: &mut PlanCadence) -> Result<TickReport, StoreError> {
        let now = self.clock.now();
        if let Some(pass) = cadence.due(&self.store, now).await? {
            let planned = match pass {
                PlanPass::Full => self.plan().await?,
                PlanPass::Versions => self.plan_versions().await?,
            };
            tracing::info!(
                versions = planned.versions,
                jobs = planned.jobs_inserted,
                ?pass,
                "planned"
            );
            cadence.planned(pass, now);
        }
        let report = self.tick().await?;
        if report.leased > 0 {
            tracing::info!(?report, "dispatched a batch");
        }
        Ok(report)
    }
}
