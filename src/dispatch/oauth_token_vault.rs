//! The token vault of X accounts using OAuth 2.0, in the database: tokens sealed with
//! `HERALD_SECRET_KEY` like every stored credential (bound to their account and name, so the
//! refresh token re-seals in `herald keys rotate` with the others), one refresh at a time
//! across every worker on the database, and the rotated refresh token stored in the same
//! transaction as the access token obtained with it.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::platforms::oauth2::TokenGrant;
use crate::platforms::{Secret, TokenState, TokenVault, VaultError, VaultFuture};
use crate::secrets::SecretKey;
use crate::store::{AnyStore, OAuthGrantRecord, SealedValue, StoreError};

/// The name an access token is sealed under (not a credential anyone can store).
const ACCESS_TOKEN: &str = "oauth2_access_token";
/// The name the refresh token is stored under, as a credential.
const REFRESH_TOKEN: &str = "refresh_token";

/// The database's token vault.
pub struct StoredTokenVault {
    store: AnyStore,
    key: Arc<SecretKey>,
}

impl std::fmt::Debug for StoredTokenVault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StoredTokenVault")
    }
}

impl StoredTokenVault {
    pub fn new(store: AnyStore, key: Arc<SecretKey>) -> StoredTokenVault {
        StoredTokenVault { store, key }
    }

    fn open(&self, channel: &str, name: &str, (nonce, sealed): &SealedValue) -> Option<Secret> {
        self.key.open(channel, name, nonce, sealed).ok()
    }

    fn seal(&self, channel: &str, name: &str, value: &Secret) -> Result<SealedValue, VaultError> {
        self.key
            .seal(channel, name, value.expose())
            .map_err(|error| VaultError(error.to_string()))
    }

    async fn read_state(&self, channel: &str) -> Result<TokenState, VaultError> {
        let stored = self.store.oauth_tokens(channel).await.map_err(failed)?;
        let Some(refresh) = stored.refresh else {
            return Ok(TokenState::default());
        };
        // A refresh token that cannot be opened (another key) is no token to refresh with.
        let Some(token) = self.open(channel, REFRESH_TOKEN, &refresh) else {
            return Err(VaultError(format!(
                "the stored refresh token of `{channel}` cannot be opened with this {}",
                crate::secrets::SECRET_KEY_VARIABLE
            )));
        };
        // An access token sealed under a retired key is simply refreshed.
        let access = stored.access.and_then(|(sealed, at_ms)| {
            let token = self.open(channel, ACCESS_TOKEN, &sealed)?;
            Some((token, DateTime::from_timestamp_millis(at_ms)?))
        });
        let refused = stored
            .refused
            .filter(|(nonce, _)| *nonce == refresh.0)
            .map(|(_, reason)| reason);
        Ok(TokenState {
            refresh: Some((refresh.0, token)),
            access,
            refused,
        })
    }

    async fn keep_grant(
        &self,
        channel: &str,
        spent: &Secret,
        grant: &TokenGrant,
        refresh_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(), VaultError> {
        let record = OAuthGrantRecord {
            refresh: self.seal(channel, REFRESH_TOKEN, &grant.refresh_token)?,
            access: self.seal(channel, ACCESS_TOKEN, &grant.access_token)?,
            refresh_at_ms: refresh_at.timestamp_millis(),
            at_ms: now.timestamp_millis(),
        };
        let is_spent = |current: &SealedValue| {
            self.open(channel, REFRESH_TOKEN, current)
                .is_some_and(|token| token == *spent)
        };
        self.store
            .store_oauth_grant(channel, &record, is_spent)
            .await
            .map_err(failed)
    }
}

fn failed(error: StoreError) -> VaultError {
    VaultError(error.to_string())
}

impl TokenVault for StoredTokenVault {
    fn read<'a>(&'a self, channel: &'a str) -> VaultFuture<'a, TokenState> {
        Box::pin(self.read_state(channel))
    }

    fn lease<'a>(
        &'a self,
        channel: &'a str,
        holder: &'a str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> VaultFuture<'a, bool> {
        Box::pin(async move {
            self.store
                .lease_oauth_refresh(
                    channel,
                    holder,
                    now.timestamp_millis(),
                    until.timestamp_millis(),
                )
                .await
                .map_err(failed)
        })
    }

    fn store_grant<'a>(
        &'a self,
        channel: &'a str,
        spent: &'a Secret,
        grant: &'a TokenGrant,
        refresh_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> VaultFuture<'a, ()> {
        Box::pin(self.keep_grant(channel, spent, grant, refresh_at, now))
    }

    fn store_refusal<'a>(
        &'a self,
        channel: &'a str,
        version: &'a str,
        reason: &'a str,
        now: DateTime<Utc>,
    ) -> VaultFuture<'a, bool> {
        Box::pin(async move {
            self.store
                .store_oauth_refusal(channel, version, reason, now.timestamp_millis())
                .await
                .map_err(failed)
        })
    }

    fn release<'a>(&'a self, channel: &'a str, holder: &'a str) -> VaultFuture<'a, ()> {
        Box::pin(async move {
            self.store
                .release_oauth_lease(channel, holder)
                .await
                .map_err(failed)
        })
    }
}
