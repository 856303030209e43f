//! The service's keys, read once. `HERALD_SECRET_KEY` seals account credentials stored through
//! the API and, under labels of its own, subscribers' identifiers and the audit chain; the front
//! door reads the variable a single time and hands each part its typed key, so that no task
//! reads the environment again and tests can give keys without touching it.

use std::sync::Arc;

use crate::audit::AuditKey;
use crate::secrets::{SECRET_KEY_VARIABLE, SecretKey};
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
    /// From the environment: unset or empty means no keys; anything else must be a key.
    pub fn from_env() -> Result<ServiceKeys, AppError> {
        match std::env::var(SECRET_KEY_VARIABLE) {
            Ok(text) if !text.is_empty() => ServiceKeys::from_hex(&text),
            _ => Ok(ServiceKeys::default()),
        }
    }

    /// From 64 hexadecimal characters.
    pub fn from_hex(text: &str) -> Result<ServiceKeys, AppError> {
        let credentials = SecretKey::from_hex(text).map_err(|e| AppError::Key(e.to_string()))?;
        let vault = SubscriberVault::from_hex(text).map_err(|e| AppError::Key(e.to_string()))?;
        let audit = AuditKey::from_hex(text).map_err(|e| AppError::Key(e.to_string()))?;
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
