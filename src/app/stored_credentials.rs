//! Opening the partner credentials that operators stored through the API, at start-up: the
//! hooks partners call verify events with them. (The dispatcher reads them again whenever
//! they change; see `crate::dispatch`.)

use crate::platforms::StoredCredentials;
use crate::secrets::{
    SealedCredentialsError, SecretKey, StoredVersions, open_sealed_credentials, stored_versions,
};
use crate::store::{AnyStore, Store};

use super::AppError;

/// The stored credentials as the app starts with them: opened, and which version of each
/// (so that following them later starts from here).
pub struct StartingCredentials {
    pub opened: StoredCredentials,
    pub versions: StoredVersions,
}

/// Every stored credential, opened with `key`. No stored credentials need no key.
pub async fn open_stored_credentials(
    store: &AnyStore,
    key: Option<&SecretKey>,
) -> Result<StartingCredentials, AppError> {
    let rows = store.account_secrets().await?;
    let opened = open_sealed_credentials(&rows, key).map_err(|error| match error {
        SealedCredentialsError::NoKey => AppError::NoKeyForStoredCredentials,
        SealedCredentialsError::CannotOpen(error) => AppError::StoredCredential(error.to_string()),
    })?;
    Ok(StartingCredentials {
        opened,
        versions: stored_versions(&rows),
    })
}
