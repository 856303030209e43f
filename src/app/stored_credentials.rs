//! Opening the partner credentials that operators stored through the API. They are sealed in
//! the database; only the service key opens them, and only once, at start-up.

use crate::platforms::StoredCredentials;
use crate::secrets::SecretKey;
use crate::store::{AnyStore, Store};

use super::AppError;

/// Every stored credential, opened with `key`. No stored credentials need no key.
pub async fn open_stored_credentials(
    store: &AnyStore,
    key: Option<&SecretKey>,
) -> Result<StoredCredentials, AppError> {
    let rows = store.account_secrets().await?;
    let mut out = StoredCredentials::new();
    if rows.is_empty() {
        return Ok(out);
    }
    let key = key.ok_or(AppError::NoKeyForStoredCredentials)?;
    for (channel, name, nonce, sealed) in rows {
        let secret = key
            .open(&channel, &name, &nonce, &sealed)
            .map_err(|e| AppError::StoredCredential(e.to_string()))?;
        out.insert((channel, name), secret);
    }
    Ok(out)
}
