//! `herald keys rotate`: re-seals stored credentials and subscribers' identifiers under the
//! current `HERALD_SECRET_KEY` and recomputes lookup hashes, a batch per transaction, while the
//! service keeps running with both keys. What is left is what does not carry the current key's
//! id, so an interrupted rotation resumes by running it again, and no batch depends on another.
//! Nothing is deleted: a row neither key opens stays as it is and is counted.

use std::sync::Arc;

use crate::sealed_format::prefix_of;
use crate::secrets::SecretKey;
use crate::store::{AnyStore, RekeyedSubscriber, RotationRun, SealedSubscriber, Store, StoreError};
use crate::subscribers::SubscriberVault;

use super::ServiceKeys;

/// Why a rotation could not run or stopped.
#[derive(Debug, thiserror::Error)]
pub enum KeyRotationError {
    #[error(
        "set {} to the new key (and {} to the old one) to rotate",
        crate::secrets::SECRET_KEY_VARIABLE,
        crate::secrets::PREVIOUS_SECRET_KEY_VARIABLE
    )]
    NoKey,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("a batch stopped: {0}")]
    Batch(#[from] tokio::task::JoinError),
}

/// Where a rotation is, after each batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RotationProgress {
    pub rekeyed: u64,
    /// Subscribers not under the current key when this run started.
    pub to_do: i64,
}

/// How a rotation runs.
#[derive(Debug, Clone, Copy)]
pub struct RotationPlan {
    /// Subscribers per transaction.
    pub batch: u32,
    /// Stop after this many batches (the rest is done by the next run).
    pub max_batches: Option<u64>,
}

/// Re-seals everything it can under the current key; `progress` hears after each batch. The
/// run is audited (key ids and counts only), finished or not.
pub async fn rotate_keys(
    store: &AnyStore,
    keys: &ServiceKeys,
    plan: RotationPlan,
    mut progress: impl FnMut(RotationProgress),
) -> Result<RotationRun, KeyRotationError> {
    let (Some(credentials), Some(vault)) = (&keys.credentials, &keys.vault) else {
        return Err(KeyRotationError::NoKey);
    };
    let prefix = prefix_of(vault.key_id());
    let mut run = RotationRun {
        to_key: vault.key_id().to_string(),
        from_key: vault.previous_key_id().map(str::to_string),
        ..RotationRun::default()
    };
    reseal_credentials(store, credentials, &mut run).await?;
    let to_do = store.subscribers_left_to_rekey(&prefix).await?;
    let mut after = 0;
    let mut batches = 0;
    while plan.max_batches.is_none_or(|most| batches < most) {
        let read = store
            .subscribers_to_rekey(&prefix, after, plan.batch)
            .await?;
        let Some(last) = read.last() else { break };
        after = last.id;
        let vault = Arc::clone(vault);
        let (rekeyed, unopenable) =
            tokio::task::spawn_blocking(move || rekey_batch(&vault, read)).await?;
        run.unopenable += unopenable;
        let now_ms = chrono::Utc::now().timestamp_millis();
        run.subscribers += store.rekey_subscribers(&rekeyed, now_ms).await?;
        batches += 1;
        progress(RotationProgress {
            rekeyed: run.subscribers,
            to_do,
        });
    }
    run.remaining = store.subscribers_left_to_rekey(&prefix).await?
        + store
            .account_secrets()
            .await?
            .iter()
            .filter(|(_, _, _, sealed)| !sealed.starts_with(&prefix))
            .count() as i64;
    store
        .record_key_rotation(&run, chrono::Utc::now().timestamp_millis())
        .await?;
    Ok(run)
}

/// Re-seals the stored credentials not under the current key.
async fn reseal_credentials(
    store: &AnyStore,
    key: &SecretKey,
    run: &mut RotationRun,
) -> Result<(), KeyRotationError> {
    let prefix = prefix_of(key.key_id());
    for (channel, name, nonce, sealed) in store.account_secrets().await? {
        if sealed.starts_with(&prefix) {
            continue;
        }
        let resealed = key
            .open(&channel, &name, &nonce, &sealed)
            .and_then(|secret| key.seal(&channel, &name, secret.expose()));
        match resealed {
            Ok((new_nonce, new_sealed)) => {
                if store
                    .reseal_account_secret(&channel, &name, &sealed, &new_nonce, &new_sealed)
                    .await?
                {
                    run.credentials += 1;
                }
            }
            Err(_) => run.unopenable += 1,
        }
    }
    Ok(())
}

/// Opens each subscriber's identifier and seals and hashes it under the current key; with how
/// many neither key opens (left as they are).
fn rekey_batch(
    vault: &SubscriberVault,
    read: Vec<SealedSubscriber>,
) -> (Vec<RekeyedSubscriber>, u64) {
    let mut unopenable = 0;
    let mut rekeyed = Vec::with_capacity(read.len());
    for row in read {
        let identifier = match vault.open(&row.channel, &row.sealed) {
            Ok(identifier) => identifier,
            Err(_) => {
                unopenable += 1;
                continue;
            }
        };
        match vault.seal(&row.channel, &identifier) {
            Ok(sealed) => rekeyed.push(RekeyedSubscriber {
                lookup: vault.lookup(&row.channel, &identifier),
                sealed,
                read: row,
            }),
            Err(_) => unopenable += 1,
        }
    }
    (rekeyed, unopenable)
}
