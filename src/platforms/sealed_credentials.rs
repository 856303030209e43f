//! Opening the credentials operators stored through the API. They are sealed in the database
//! under `HERALD_SECRET_KEY`; only the key opens them, in the process that sends with them.

use super::StoredCredentials;
use crate::secrets::{CredentialError, SECRET_KEY_VARIABLE, SecretKey};

/// Why stored credentials could not be opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealedCredentialsError {
    #[error("credentials are stored in the database; set {SECRET_KEY_VARIABLE} to open them")]
    NoKey,
    #[error(transparent)]
    CannotOpen(#[from] CredentialError),
}

/// Opens the rows of `Store::account_secrets` (`(channel, name, nonce, sealed)`) with `key`.
/// No rows need no key.
pub fn open_sealed_credentials(
    rows: &[(String, String, String, String)],
    key: Option<&SecretKey>,
) -> Result<StoredCredentials, SealedCredentialsError> {
    let mut opened = StoredCredentials::new();
    if rows.is_empty() {
        return Ok(opened);
    }
    let key = key.ok_or(SealedCredentialsError::NoKey)?;
    for (channel, name, nonce, sealed) in rows {
        let secret = key.open(channel, name, nonce, sealed)?;
        opened.insert((channel.clone(), name.clone()), secret);
    }
    Ok(opened)
}
