//! The access token of an X account that uses OAuth 2.0, kept fresh. X's access tokens last
//! about two hours, and each refresh spends the refresh token and gives a new one, so:
//!
//! - a token is refreshed a little before it expires (a tenth of its lifetime, at most five
//!   minutes, early), and again when X answers 401 to it;
//! - the new refresh token is stored (sealed, by the [`TokenVault`]) before the new access
//!   token is used, so no post goes out on tokens a crash could lose;
//! - one refresh at a time per account across every worker: a worker takes a short lease in
//!   the vault before calling X, and the others wait for it and read what it stored;
//! - a refresh token X refuses (spent or revoked) is remembered as refused, and nothing calls
//!   X with it again: the account waits until someone stores a new one.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::credentials::Secret;
use super::oauth2::{OAuth2Client, RefreshError, TokenGrant, refresh_tokens};
use crate::clock::Clock;

/// The longest a token is refreshed before it expires.
const MOST_MARGIN: Duration = Duration::from_secs(300);
/// How often a worker waiting for another's refresh looks at the vault again.
const POLL: Duration = Duration::from_millis(100);
/// Tries at storing a refresh's tokens before giving up (and losing them).
const STORE_TRIES: u32 = 5;

/// A vault operation's future.
pub type VaultFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, VaultError>> + Send + 'a>>;

/// The vault could not be read or written (the database, or sealing); the text names no secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("token store: {0}")]
pub struct VaultError(pub String);

/// What the vault holds for one account.
#[derive(Debug, Clone, Default)]
pub struct TokenState {
    /// The refresh token, and its version: anything that changes whenever it is stored.
    pub refresh: Option<(String, Secret)>,
    /// The stored access token and when it should be refreshed.
    pub access: Option<(Secret, DateTime<Utc>)>,
    /// Why X refused the current refresh token, if it did.
    pub refused: Option<String>,
}

/// Where an account's tokens are kept between refreshes, shared by every worker.
pub trait TokenVault: Send + Sync + std::fmt::Debug {
    fn read<'a>(&'a self, channel: &'a str) -> VaultFuture<'a, TokenState>;

    /// Takes the right to refresh until `until`; false while another holder has it.
    fn lease<'a>(
        &'a self,
        channel: &'a str,
        holder: &'a str,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> VaultFuture<'a, bool>;

    /// In one transaction: the grant's refresh token in place of `spent` (unless another one
    /// was stored meanwhile), its access token to refresh at `refresh_at`, and the lease
    /// released.
    fn store_grant<'a>(
        &'a self,
        channel: &'a str,
        spent: &'a Secret,
        grant: &'a TokenGrant,
        refresh_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> VaultFuture<'a, ()>;

    /// Marks the refresh token of `version` refused with `reason` and releases the lease;
    /// false (nothing marked) when another refresh token was stored since.
    fn store_refusal<'a>(
        &'a self,
        channel: &'a str,
        version: &'a str,
        reason: &'a str,
        now: DateTime<Utc>,
    ) -> VaultFuture<'a, bool>;

    fn release<'a>(&'a self, channel: &'a str, holder: &'a str) -> VaultFuture<'a, ()>;
}

/// Why no access token could be had.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// X refused the stored refresh token: a person must authorize the app again and store
    /// the new refresh token.
    #[error(
        "X refused the stored refresh token ({0}); authorize the app again and store the new refresh token (PUT /api/v1/accounts/{{channel}}/credentials/refresh_token)"
    )]
    Refused(String),
    /// No refresh token is stored.
    #[error("no refresh token is stored")]
    Missing,
    /// The refresh did not complete, or another worker's did not in time: try later.
    #[error("{0}")]
    Unavailable(String),
}

impl From<VaultError> for TokenError {
    fn from(error: VaultError) -> TokenError {
        TokenError::Unavailable(error.to_string())
    }
}

/// One X account's OAuth 2.0 tokens, as one worker sees them.
#[derive(Debug)]
pub struct XTokens {
    channel: String,
    client: reqwest::Client,
    base_url: String,
    oauth: OAuth2Client,
    timeout: Duration,
    vault: Arc<dyn TokenVault>,
    clock: Arc<dyn Clock>,
    /// Names this keeper's leases.
    holder: String,
    /// The access token last read or obtained, and when to refresh it.
    cached: Mutex<Option<(Secret, DateTime<Utc>)>>,
    /// One refresh at a time in this process.
    refreshing: tokio::sync::Mutex<()>,
}

/// What a refresh came to.
enum Refreshed {
    Token(Secret),
    /// Another worker stored a newer refresh token meanwhile: read the vault again.
    Superseded,
}

impl XTokens {
    /// `base_url` is X's API (`https://api.x.com`) or a sandbox.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        channel: String,
        client: reqwest::Client,
        base_url: &str,
        oauth: OAuth2Client,
        timeout: Duration,
        vault: Arc<dyn TokenVault>,
        clock: Arc<dyn Clock>,
    ) -> XTokens {
        XTokens {
            holder: format!("{channel}/{}", holder_id()),
            channel,
            client,
            base_url: base_url.trim_end_matches('/').to_string(),
            oauth,
            timeout,
            vault,
            clock,
            cached: Mutex::new(None),
            refreshing: tokio::sync::Mutex::new(()),
        }
    }

    /// An access token that is not due for a refresh.
    pub async fn access_token(&self) -> Result<Secret, TokenError> {
        let cached = self
            .cached
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        match cached {
            Some((token, refresh_at)) if self.clock.now() < refresh_at => Ok(token),
            _ => self.fresh_token(None).await,
        }
    }

    /// Another access token than `rejected`, which X answered 401 to.
    pub async fn replace(&self, rejected: &Secret) -> Result<Secret, TokenError> {
        self.fresh_token(Some(rejected)).await
    }

    /// The stored access token if it is usable (and not `rejected`), else a refresh by this
    /// worker, or by another that holds the lease, waited for (up to the call timeout and a
    /// little more).
    async fn fresh_token(&self, rejected: Option<&Secret>) -> Result<Secret, TokenError> {
        let _one_at_a_time = self.refreshing.lock().await;
        let give_up = tokio::time::Instant::now() + self.timeout + Duration::from_secs(10);
        loop {
            let state = self.vault.read(&self.channel).await?;
            if let Ok(token) = self.usable(&state, rejected)? {
                return Ok(token);
            }
            let now = self.clock.now();
            let until = now + lease_length(self.timeout);
            if self
                .vault
                .lease(&self.channel, &self.holder, now, until)
                .await?
            {
                // Another worker may have finished between the read and the lease.
                let state = self.vault.read(&self.channel).await?;
                let (version, refresh) = match self.usable(&state, rejected) {
                    Ok(Err(refresh_with)) => refresh_with,
                    Ok(Ok(token)) => {
                        self.vault.release(&self.channel, &self.holder).await?;
                        return Ok(token);
                    }
                    Err(error) => {
                        self.vault.release(&self.channel, &self.holder).await?;
                        return Err(error);
                    }
                };
                match self.refresh(&version, &refresh).await? {
                    Refreshed::Token(token) => return Ok(token),
                    Refreshed::Superseded => continue,
                }
            }
            if tokio::time::Instant::now() >= give_up {
                return Err(TokenError::Unavailable(
                    "another worker is refreshing this account's tokens and has not finished"
                        .into(),
                ));
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// The stored access token (`Ok(Ok)`), or the refresh token to refresh with (`Ok(Err)`).
    #[allow(clippy::type_complexity)]
    fn usable(
        &self,
        state: &TokenState,
        rejected: Option<&Secret>,
    ) -> Result<Result<Secret, (String, Secret)>, TokenError> {
        if let Some(reason) = &state.refused {
            return Err(TokenError::Refused(reason.clone()));
        }
        let Some((version, refresh)) = state.refresh.clone() else {
            return Err(TokenError::Missing);
        };
        let now = self.clock.now();
        match &state.access {
            Some((token, refresh_at)) if now < *refresh_at && Some(token) != rejected => {
                self.remember(token, *refresh_at);
                Ok(Ok(token.clone()))
            }
            _ => Ok(Err((version, refresh))),
        }
    }

    fn remember(&self, token: &Secret, refresh_at: DateTime<Utc>) {
        *self.cached.lock().unwrap_or_else(|p| p.into_inner()) = Some((token.clone(), refresh_at));
    }

    /// Refreshes with `refresh` (of `version`) while holding the lease.
    async fn refresh(&self, version: &str, refresh: &Secret) -> Result<Refreshed, TokenError> {
        let answer = refresh_tokens(
            &self.client,
            &self.base_url,
            &self.oauth,
            refresh,
            self.timeout,
        )
        .await;
        let now = self.clock.now();
        match answer {
            Ok(grant) => {
                let refresh_at = now + refresh_margin(grant.lifetime);
                self.keep(refresh, &grant, refresh_at).await?;
                self.remember(&grant.access_token, refresh_at);
                tracing::info!(channel = %self.channel, "X access token refreshed; the new refresh token is stored");
                Ok(Refreshed::Token(grant.access_token))
            }
            Err(RefreshError::Refused(reason)) => {
                if self
                    .vault
                    .store_refusal(&self.channel, version, &reason, now)
                    .await?
                {
                    tracing::error!(channel = %self.channel, %reason, "X refused the stored refresh token: the account's posts wait until a new one is stored");
                    Err(TokenError::Refused(reason))
                } else {
                    Ok(Refreshed::Superseded)
                }
            }
            Err(RefreshError::Transient(reason)) => {
                self.vault.release(&self.channel, &self.holder).await?;
                Err(TokenError::Unavailable(format!(
                    "the access token could not be refreshed: {reason}"
                )))
            }
        }
    }

    /// Stores a grant, trying again a few times: X has spent the old refresh token, so the
    /// new one must not be lost to a passing database error.
    async fn keep(
        &self,
        spent: &Secret,
        grant: &TokenGrant,
        refresh_at: DateTime<Utc>,
    ) -> Result<(), TokenError> {
        let mut tries = 0;
        loop {
            let now = self.clock.now();
            match self
                .vault
                .store_grant(&self.channel, spent, grant, refresh_at, now)
                .await
            {
                Ok(()) => return Ok(()),
                Err(error) if tries + 1 < STORE_TRIES => {
                    tries += 1;
                    tracing::warn!(channel = %self.channel, %error, "the refreshed tokens could not be stored yet; trying again");
                    tokio::time::sleep(Duration::from_millis(200 << tries)).await;
                }
                Err(error) => {
                    tracing::error!(channel = %self.channel, %error, "the refreshed tokens could not be stored: store a new refresh token for this account");
                    return Err(error.into());
                }
            }
        }
    }
}

/// A random name for one keeper's leases (the time, should the system's randomness fail).
fn holder_id() -> String {
    let mut bytes = [0u8; 12];
    match getrandom::fill(&mut bytes) {
        Ok(()) => hex::encode(bytes),
        Err(_) => format!("{}-{:?}", std::process::id(), std::time::SystemTime::now()),
    }
}

/// How long before expiry a token of `lifetime` is refreshed: a tenth of it, at most
/// [`MOST_MARGIN`]; the rest is how long it is used.
fn refresh_margin(lifetime: Duration) -> chrono::Duration {
    let margin = (lifetime / 10).min(MOST_MARGIN);
    chrono::Duration::from_std(lifetime.saturating_sub(margin))
        .unwrap_or_else(|_| chrono::Duration::seconds(0))
}

/// How long a refresh lease lasts: the call's timeout and some, so that a worker that stopped
/// mid-refresh holds the others up no longer than that.
fn lease_length(timeout: Duration) -> chrono::Duration {
    chrono::Duration::from_std(timeout + Duration::from_secs(5))
        .unwrap_or_else(|_| chrono::Duration::seconds(60))
}

/// Tokens kept in this process only, for a rehearsal: its refresh token is the rehearsal
/// credential, which the sandbox accepts as a standing grant.
#[derive(Debug, Default)]
pub struct RehearsalVault {
    state: Mutex<std::collections::HashMap<String, (TokenState, Option<String>)>>,
    first_refresh: Option<Secret>,
}

impl RehearsalVault {
    /// Every account starts with `credential` as its refresh token.
    pub fn new(credential: Secret) -> RehearsalVault {
        RehearsalVault {
            state: Mutex::new(Default::default()),
            first_refresh: Some(credential),
        }
    }

    fn with<T>(&self, channel: &str, f: impl FnOnce(&mut (TokenState, Option<String>)) -> T) -> T {
        let mut all = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let entry = all.entry(channel.to_string()).or_insert_with(|| {
            let refresh = self
                .first_refresh
                .clone()
                .map(|token| ("0".to_string(), token));
            (
                TokenState {
                    refresh,
                    ..TokenState::default()
                },
                None,
            )
        });
        f(entry)
    }
}

impl TokenVault for RehearsalVault {
    fn read<'a>(&'a self, channel: &'a str) -> VaultFuture<'a, TokenState> {
        let state = self.with(channel, |(state, _)| state.clone());
        Box::pin(async move { Ok(state) })
    }

    fn lease<'a>(
        &'a self,
        channel: &'a str,
        holder: &'a str,
        _now: DateTime<Utc>,
        _until: DateTime<Utc>,
    ) -> VaultFuture<'a, bool> {
        let taken = self.with(channel, |(_, lease)| match lease {
            Some(other) if other != holder => false,
            _ => {
                *lease = Some(holder.to_string());
                true
            }
        });
        Box::pin(async move { Ok(taken) })
    }

    fn store_grant<'a>(
        &'a self,
        channel: &'a str,
        _spent: &'a Secret,
        grant: &'a TokenGrant,
        refresh_at: DateTime<Utc>,
        _now: DateTime<Utc>,
    ) -> VaultFuture<'a, ()> {
        self.with(channel, |(state, lease)| {
            let version = state
                .refresh
                .as_ref()
                .and_then(|(version, _)| version.parse::<u64>().ok())
                .unwrap_or(0);
            state.refresh = Some(((version + 1).to_string(), grant.refresh_token.clone()));
            state.access = Some((grant.access_token.clone(), refresh_at));
            *lease = None;
        });
        Box::pin(async move { Ok(()) })
    }

    fn store_refusal<'a>(
        &'a self,
        channel: &'a str,
        _version: &'a str,
        reason: &'a str,
        _now: DateTime<Utc>,
    ) -> VaultFuture<'a, bool> {
        self.with(channel, |(state, lease)| {
            state.refused = Some(reason.to_string());
            *lease = None;
        });
        Box::pin(async move { Ok(true) })
    }

    fn release<'a>(&'a self, channel: &'a str, _holder: &'a str) -> VaultFuture<'a, ()> {
        self.with(channel, |(_, lease)| *lease = None);
        Box::pin(async move { Ok(()) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_refreshed_a_little_before_they_expire() {
        assert_eq!(
            refresh_margin(Duration::from_secs(7200)),
            chrono::Duration::seconds(6900)
        );
        assert_eq!(
            refresh_margin(Duration::from_secs(60)),
            chrono::Duration::seconds(54)
        );
        assert_eq!(
            refresh_margin(Duration::from_secs(0)),
            chrono::Duration::seconds(0)
        );
    }
}
