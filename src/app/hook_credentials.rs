//! The partner hooks following the credentials stored through the API. The dispatcher reads
//! them again at every batch; the hooks have no batches, so `serve` (dispatching or not) reads
//! the stored credentials' versions every few seconds and, when they changed, opens them and
//! builds the hooks' accounts again. A `webhook_secret`, `app_secret` or `verify_token` stored
//! after the start is checked within seconds, without a restart. (Registering a hook with its
//! partner still happens once, at the start.)

use std::sync::Arc;
use std::time::Duration;

use crate::config::Config;
use crate::reach::{LiveHookAccounts, hook_accounts};
use crate::secrets::{SecretKey, StoredVersions, open_sealed_credentials, stored_versions};
use crate::store::{AnyStore, Store};

use super::Shutdown;

/// How often the stored credentials are looked at.
const FOLLOW_EVERY: Duration = Duration::from_secs(2);

/// What following needs.
pub(super) struct HookCredentials {
    pub store: AnyStore,
    pub config: Arc<Config>,
    pub key: Option<Arc<SecretKey>>,
    pub accounts: Arc<LiveHookAccounts>,
    /// The stored credentials the hooks' accounts were built from, at the start.
    pub built_from: StoredVersions,
}

impl HookCredentials {
    /// Follows the stored credentials until the stop. A database that fails is tried again at
    /// the next look; credentials that cannot be opened leave the hooks as they are.
    pub(super) async fn follow(self, shutdown: Shutdown) {
        let stopped = shutdown.requested();
        tokio::pin!(stopped);
        let mut seen = self.built_from.clone();
        loop {
            tokio::select! {
                _ = tokio::time::sleep(FOLLOW_EVERY) => {}
                _ = &mut stopped => return,
            }
            let rows = match self.store.account_secrets().await {
                Ok(rows) => rows,
                Err(error) => {
                    tracing::debug!(%error, "the hooks could not read the stored credentials");
                    continue;
                }
            };
            let versions = stored_versions(&rows);
            if seen == versions {
                continue;
            }
            seen = versions;
            match open_sealed_credentials(&rows, self.key.as_deref()) {
                Ok(stored) => self
                    .accounts
                    .replace(hook_accounts(&self.config, None, &stored)),
                Err(error) => {
                    tracing::error!(%error, "stored credentials changed but cannot be opened; the hooks stay as they were");
                }
            }
        }
    }
}
