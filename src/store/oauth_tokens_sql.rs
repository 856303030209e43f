//! OAuth 2.0 tokens of X accounts (`oauth_tokens`, and the refresh token among the account
//! secrets). The values arrive sealed and leave sealed: opening them is the caller's business
//! (`crate::dispatch`), which holds the key. What this file guarantees is the order of
//! things: one worker refreshes at a time (a lease), and the rotated refresh token and the
//! access token obtained with it are stored in one transaction, before either is used.

use super::audit_sql::audit_append;
use super::{SqlStore, StoreError};
use crate::audit::NewAuditEntry;

/// The account-secret name of a refresh token.
const REFRESH_TOKEN: &str = "refresh_token";

/// A sealed value as stored: `(nonce, sealed)`.
pub type SealedValue = (String, String);

/// What is stored for one account's OAuth 2.0 tokens, sealed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoredOAuthTokens {
    /// The refresh token; its nonce changes whenever it is written.
    pub refresh: Option<SealedValue>,
    /// The access token and when to refresh it (Unix milliseconds).
    pub access: Option<(SealedValue, i64)>,
    /// The nonce of the refresh token X refused, and X's words.
    pub refused: Option<(String, String)>,
}

/// A refresh's result to store.
#[derive(Debug, Clone)]
pub struct OAuthGrantRecord {
    pub refresh: SealedValue,
    pub access: SealedValue,
    pub refresh_at_ms: i64,
    pub at_ms: i64,
}

type TokenRow = (
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<String>,
);

impl SqlStore {
    /// The stored tokens of `channel`.
    pub async fn oauth_tokens(&self, channel: &str) -> Result<StoredOAuthTokens, StoreError> {
        self.named(async {
            let refresh: Option<(String, String)> = sqlx::query_as(
                "SELECT nonce, sealed FROM account_secrets WHERE channel = $1 AND name = $2",
            )
            .bind(channel.to_string())
            .bind(REFRESH_TOKEN)
            .fetch_optional(&self.pool)
            .await?;
            let row: Option<TokenRow> = sqlx::query_as(
                "SELECT access_nonce, access_sealed, refresh_at, refused_nonce, refused_reason
                 FROM oauth_tokens WHERE channel = $1",
            )
            .bind(channel.to_string())
            .fetch_optional(&self.pool)
            .await?;
            let mut stored = StoredOAuthTokens {
                refresh,
                ..StoredOAuthTokens::default()
            };
            if let Some((nonce, sealed, refresh_at, refused_nonce, reason)) = row {
                if let (Some(nonce), Some(sealed), Some(at)) = (nonce, sealed, refresh_at) {
                    stored.access = Some(((nonce, sealed), at));
                }
                if let (Some(refused), Some(reason)) = (refused_nonce, reason) {
                    stored.refused = Some((refused, reason));
                }
            }
            Ok(stored)
        })
        .await
    }

    /// Takes the right to refresh `channel`'s tokens until `until_ms`, unless another holder
    /// has it and its lease has not run out by `now_ms`. Whether `holder` has it now.
    pub async fn lease_oauth_refresh(
        &self,
        channel: &str,
        holder: &str,
        now_ms: i64,
        until_ms: i64,
    ) -> Result<bool, StoreError> {
        self.named(async {
            let taken = sqlx::query(
                "INSERT INTO oauth_tokens (channel, lease_holder, lease_until, updated_at)
                 VALUES ($1, $2, $3, $4)
                 ON CONFLICT (channel) DO UPDATE SET lease_holder = excluded.lease_holder,
                   lease_until = excluded.lease_until, updated_at = excluded.updated_at
                 WHERE oauth_tokens.lease_holder IS NULL OR oauth_tokens.lease_until < $5
                   OR oauth_tokens.lease_holder = excluded.lease_holder",
            )
            .bind(channel.to_string())
            .bind(holder.to_string())
            .bind(until_ms)
            .bind(now_ms)
            .bind(now_ms)
            .execute(&self.pool)
            .await?
            .rows_affected();
            Ok(taken == 1)
        })
        .await
    }

    /// Gives the lease up (after a refresh that did not complete).
    pub async fn release_oauth_lease(&self, channel: &str, holder: &str) -> Result<(), StoreError> {
        self.named(async {
            sqlx::query(
                "UPDATE oauth_tokens SET lease_holder = NULL, lease_until = NULL
                 WHERE channel = $1 AND lease_holder = $2",
            )
            .bind(channel.to_string())
            .bind(holder.to_string())
            .execute(&self.pool)
            .await?;
            Ok(())
        })
        .await
    }

    /// Stores a refresh's tokens in one transaction, the lease released and any refusal
    /// forgotten. The refresh token replaces the stored one only when `is_spent` says the
    /// stored one is the token just spent (re-sealed by a key rotation meanwhile, perhaps);
    /// one stored by someone else meanwhile stays. Audited without any value.
    pub async fn store_oauth_grant(
        &self,
        channel: &str,
        grant: &OAuthGrantRecord,
        is_spent: impl FnOnce(&SealedValue) -> bool + Send,
    ) -> Result<(), StoreError> {
        self.named(async {
            let mut tx = self.begin_write().await?;
            let current: Option<(String, String)> = sqlx::query_as(
                "SELECT nonce, sealed FROM account_secrets WHERE channel = $1 AND name = $2",
            )
            .bind(channel.to_string())
            .bind(REFRESH_TOKEN)
            .fetch_optional(&mut *tx)
            .await?;
            let replaced = current.as_ref().is_some_and(is_spent);
            if replaced {
                sqlx::query(
                    "UPDATE account_secrets SET nonce = $1, sealed = $2, updated_at = $3,
                       updated_by = 'herald' WHERE channel = $4 AND name = $5",
                )
                .bind(grant.refresh.0.clone())
                .bind(grant.refresh.1.clone())
                .bind(grant.at_ms)
                .bind(channel.to_string())
                .bind(REFRESH_TOKEN)
                .execute(&mut *tx)
                .await?;
            }
            sqlx::query(
                "INSERT INTO oauth_tokens (channel, access_nonce, access_sealed, refresh_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (channel) DO UPDATE SET access_nonce = excluded.access_nonce,
                   access_sealed = excluded.access_sealed, refresh_at = excluded.refresh_at,
                   updated_at = excluded.updated_at, lease_holder = NULL, lease_until = NULL,
                   refused_nonce = NULL, refused_reason = NULL",
            )
            .bind(channel.to_string())
            .bind(grant.access.0.clone())
            .bind(grant.access.1.clone())
            .bind(grant.refresh_at_ms)
            .bind(grant.at_ms)
            .execute(&mut *tx)
            .await?;
            audit_append(
                &mut tx,
                self.audit_key(),
                NewAuditEntry {
                    at_ms: grant.at_ms,
                    actor: "herald".into(),
                    action: "account.token_refreshed".into(),
                    subject: channel.to_string(),
                    version: None,
                    details: serde_json::json!({
                        "credential": REFRESH_TOKEN,
                        "rotated": replaced,
                    }),
                },
            )
            .await?;
            tx.commit().await?;
            Ok(())
        })
        .await
    }

    /// Marks the refresh token of nonce `version` refused with X's words, and releases the
    /// lease; false (nothing marked) when another refresh token was stored since. Audited.
    pub async fn store_oauth_refusal(
        &self,
        channel: &str,
        version: &str,
        reason: &str,
        at_ms: i64,
    ) -> Result<bool, StoreError> {
        self.named(async {
            let mut tx = self.begin_write().await?;
            let current: Option<String> = sqlx::query_scalar(
                "SELECT nonce FROM account_secrets WHERE channel = $1 AND name = $2",
            )
            .bind(channel.to_string())
            .bind(REFRESH_TOKEN)
            .fetch_optional(&mut *tx)
            .await?;
            let still = current.as_deref() == Some(version);
            sqlx::query(
                "UPDATE oauth_tokens SET lease_holder = NULL, lease_until = NULL, updated_at = $1
                 WHERE channel = $2",
            )
            .bind(at_ms)
            .bind(channel.to_string())
            .execute(&mut *tx)
            .await?;
            if still {
                sqlx::query(
                    "UPDATE oauth_tokens SET refused_nonce = $1, refused_reason = $2
                     WHERE channel = $3",
                )
                .bind(version.to_string())
                .bind(reason.to_string())
                .bind(channel.to_string())
                .execute(&mut *tx)
                .await?;
                audit_append(
                    &mut tx,
                    self.audit_key(),
                    NewAuditEntry {
                        at_ms,
                        actor: "herald".into(),
                        action: "account.token_refused".into(),
                        subject: channel.to_string(),
                        version: None,
                        details: serde_json::json!({ "credential": REFRESH_TOKEN, "reason": reason }),
                    },
                )
                .await?;
            }
            tx.commit().await?;
            Ok(still)
        })
        .await
    }

    /// The channels whose stored refresh token X refused, with X's words: what staff see
    /// about an account that waits for a new authorization.
    pub async fn refused_oauth_tokens(&self) -> Result<Vec<(String, String)>, StoreError> {
        self.named(async {
            Ok(sqlx::query_as(
                "SELECT t.channel, t.refused_reason FROM oauth_tokens t
                 JOIN account_secrets s ON s.channel = t.channel AND s.name = $1
                 WHERE t.refused_nonce = s.nonce AND t.refused_reason IS NOT NULL
                 ORDER BY t.channel",
            )
            .bind(REFRESH_TOKEN)
            .fetch_all(&self.pool)
            .await?)
        })
        .await
    }
}
