//! The service's keys, read once. `HERALD_SECRET_KEY` seals account credentials stored through
//! the API and, under labels of its own, subscribers' identifiers and the audit chain; the front
//! door reads the variable a single time and hands each part its typed key, so that no task
//! reads the environment again and tests can give keys without touching it.

use std::sync::Arc;

use crate::audit::AuditKey;
use crate::secrets::{PREVIOUS_SECRET_KEY_VARIABLE, SECRET_KEY_VARIABLE, SecretKey};
use crate::subscribers::SubscriberVault;

use super::AppError;

/// The keys derived from `HERALD_SECRET_KEY`, or none when it is not set.
#[derive(Clone, Default)]
pub struct ServiceKeys {
    /// Seals and opens account credentials kept in the database.
    pub credentials: Option<Arc<SecretKey>>,
    /// Seals subscribers' identifiers and keys their lookups.
    pub vault: Option<Arc<SubscriberVault>>,
    /// Keys the audit chain.
    pub audit: Option<Arc<AuditKey>>,
}

impl std::fmt::Debug for ServiceKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServiceKeys")
            .field("credentials", &self.credentials.is_some())
            .field("vault", &self.vault)
            .field("audit", &self.audit)
            .finish()
    }
}

impl ServiceKeys {
    /// From the environment: unset or empty means no keys; anything else must be a key. The
    /// previous key, during a rotation, needs the current one beside it.
    pub fn from_env() -> Result<ServiceKeys, AppError> {
        let read = |name| std::env::var(name).ok().filter(|text| !text.is_empty());
        match (
            read(SECRET_KEY_VARIABLE),
            read(PREVIOUS_SECRET_KEY_VARIABLE),
        ) {
            (Some(current), previous) => ServiceKeys::rotating(&current, previous.as_deref()),
            (None, Some(_)) => Err(AppError::Key(format!(
                "{PREVIOUS_SECRET_KEY_VARIABLE} is set but {SECRET_KEY_VARIABLE} is not: the previous key is only read beside the current one"
            ))),
            (None, None) => Ok(ServiceKeys::default()),
        }
    }

    /// From 64 hexadecimal characters.
    pub fn from_hex(text: &str) -> Result<ServiceKeys, AppError> {
        ServiceKeys::rotating(text, None)
    }

    /// From the current key and, during a rotation, the previous one (both 64 hexadecimal
    /// characters): sealing and hashing use the current key, opening and finding use both.
    pub fn rotating(current: &str, previous: Option<&str>) -> Result<ServiceKeys, AppError> {
        let refuse = |variable: &str, error: String| {
            AppError::Key(error.replace(SECRET_KEY_VARIABLE, variable))
        };
        let mut credentials =
            SecretKey::from_hex(current).map_err(|e| refuse(SECRET_KEY_VARIABLE, e.to_string()))?;
        let mut vault = SubscriberVault::from_hex(current)
            .map_err(|e| refuse(SECRET_KEY_VARIABLE, e.to_string()))?;
        let mut audit =
            AuditKey::from_hex(current).map_err(|e| refuse(SECRET_KEY_VARIABLE, e.to_string()))?;
        if let Some(previous) = previous {
            audit = audit
                .with_previous(previous)
                .map_err(|e| refuse(PREVIOUS_SECRET_KEY_VARIABLE, e.to_string()))?;
            credentials = credentials
                .with_previous(previous)
                .map_err(|e| refuse(PREVIOUS_SECRET_KEY_VARIABLE, e.to_string()))?;
            vault = vault
                .with_previous(previous)
                .map_err(|e| refuse(PREVIOUS_SECRET_KEY_VARIABLE, e.to_string()))?;
        }
        Ok(ServiceKeys {
            credentials: Some(Arc::new(credentials)),
            vault: Some(Arc::new(vault)),
            audit: Some(Arc::new(audit)),
        })
    }

    /// These keys, with a vault that lives as long as this process where none was given: a
    /// rehearsal's and the demo's subscribers die with their database.
    pub fn with_ephemeral_vault(mut self) -> Result<ServiceKeys, AppError> {
        if self.vault.is_none() {
            let vault = SubscriberVault::ephemeral().map_err(|e| AppError::Key(e.to_string()))?;
            self.vault = Some(Arc::new(vault));
        }
        Ok(self)
    }
}
