//! What a starting process does for the audit chain: it refuses to start with a key that
//! would break the chain (none, or another one, once the chain is keyed), so that an operator
//! learns it at start and not from a failed approval; and a process that serves reports records
//! the publication policy it publishes under whenever that changed since the last record, so
//! that the log shows which protection every report since was made with.

use sha2::{Digest, Sha256};

use super::AppError;
use crate::audit::NewAuditEntry;
use crate::publication::PublicationPolicy;
use crate::store::{AnyStore, Store, StoreError};

/// The action of a publication-policy entry.
pub const POLICY_CHANGED: &str = "publication.policy_changed";

/// Fails when the audit chain is keyed and this process's key (the one the store writes
/// with) is another key, or none. During a rotation the chain may still be under the previous
/// key: the first entry this process writes moves it to the current one.
pub async fn check_audit_key(store: &AnyStore) -> Result<(), AppError> {
    let Some(chain) = store.audit_chain_key().await? else {
        return Ok(());
    };
    let key = store.audit_key();
    if key.is_some_and(|key| key.id() == chain || key.previous_id() == Some(chain.as_str())) {
        return Ok(());
    }
    let ours = key.map(|key| key.id().to_string());
    Err(AppError::Store(StoreError::AuditKeyMismatch {
        chain,
        ours,
    }))
}

/// Records `policy` with its fingerprint when it differs from the last recorded one; whether
/// it did. The policy holds no secret: it is printed in every report.
pub async fn record_publication_policy(
    store: &AnyStore,
    policy: &PublicationPolicy,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<bool, AppError> {
    let described = serde_json::to_value(policy).unwrap_or_default();
    let fingerprint: String = Sha256::digest(described.to_string().as_bytes())
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect();
    let entry = NewAuditEntry {
        at_ms: at.timestamp_millis(),
        actor: "herald".into(),
        action: POLICY_CHANGED.into(),
        subject: "herald.toml [publication]".into(),
        version: None,
        details: serde_json::json!({ "fingerprint": fingerprint, "policy": described }),
    };
    Ok(store.append_audit_on_change(&entry).await?)
}
