//! Opening the partner credentials that operators stored through the API, at start-up: the
//! hooks partners call verify events with them. (The dispatcher reads them again whenever
//! they change; see `crate::dispatch`.)

use crate::platforms::StoredCredentials;
use crate::secrets::{SealedCredentialsError, SecretKey, open_sealed_credentials};
use crate::store::{AnyStore, Store};

use super::AppError;

/// Every stored credential, opened with `key`. No stored credentials need no key.
pub async fn open_stored_credentials(
    store: &AnyStore,
    key: Option<&SecretKey>,
) -> Result<StoredCredentials, AppError> {
    let rows = store.account_secrets().await?;
    open_sealed_credentials(&rows, key).map_err(|error| match error {
        SealedCredentialsError::NoKey => AppError::NoKeyForStoredCredentials,
        SealedCredentialsError::CannotOpen(error) => AppError::StoredCredential(error.to_string()),
    })
}
