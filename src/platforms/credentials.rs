//! Credentials, read from the environment variables a channel account names. A [`Secret`]
//! never shows its value in logs, errors or debug output.

use std::collections::BTreeMap;
use std::fmt;

use super::ChannelRef;
use crate::config::Account;

/// The credential a rehearsing worker sends for every account, and the sandbox expects:
/// real secrets never leave for a sandbox. It is public, so it only serves where nothing
/// can be forged with it (`herald worker --sandbox-url`, tests); `herald serve --sandbox`,
/// which also takes partner events, uses a random one instead.
pub const REHEARSAL_CREDENTIAL: &str = "sandbox";

#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The value, for the one place that must send it (a header, a URL path, an HMAC key).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Credentials set through the API, opened: `(channel, name)` to value.
pub type StoredCredentials = BTreeMap<(String, String), Secret>;

/// A credential of an account that is neither in its environment variable nor stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingCredential {
    pub channel: ChannelRef,
    /// The environment variable the configuration names for it; empty for a credential that
    /// is only ever stored (a refresh token).
    pub variable: String,
    pub key: String,
}

impl fmt::Display for MissingCredential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let MissingCredential {
            channel,
            variable,
            key,
        } = self;
        if variable.is_empty() {
            write!(f, "account `{channel}`: credential `{key}` is not stored")
        } else {
            write!(
                f,
                "account `{channel}`: environment variable {variable} (credential `{key}`) is not set, and none is stored"
            )
        }
    }
}

impl std::error::Error for MissingCredential {}

/// Reads every credential an account can use: its environment variable (when the
/// configuration names one), else a credential stored through the API. A credential the platform does not need to send (a webhook's signing
/// secret, a verify token) is left out when it is in neither place; one it needs is an
/// error. In a rehearsal every credential is the rehearsal's credential instead
/// ([`REHEARSAL_CREDENTIAL`], or a random one per `herald serve --sandbox`): the environment
/// is not even read.
pub fn resolve_credentials(
    account: &Account,
    rehearsal: Option<&Secret>,
    stored: &StoredCredentials,
) -> Result<BTreeMap<String, Secret>, MissingCredential> {
    let mut out = BTreeMap::new();
    if let Some(credential) = rehearsal {
        let required = account.required_credential_keys().iter();
        for key in account
            .credentials
            .keys()
            .map(String::as_str)
            .chain(required.copied())
        {
            out.insert(key.to_string(), credential.clone());
        }
        return Ok(out);
    }
    let channel = account.channel.to_string();
    let required = account.required_credential_keys();
    for key in account.usable_credential_keys() {
        let variable = account.credentials.get(key);
        let value = variable
            .and_then(|variable| environment_value(variable))
            .map(Secret)
            .or_else(|| stored.get(&(channel.clone(), key.to_string())).cloned());
        match value {
            Some(secret) => {
                out.insert(key.to_string(), secret);
            }
            None if required.contains(&key) => {
                return Err(MissingCredential {
                    channel: account.channel.clone(),
                    variable: variable.cloned().unwrap_or_default(),
                    key: key.to_string(),
                });
            }
            None => {}
        }
    }
    Ok(out)
}

/// The value of a credential's environment variable; unset and empty are the same.
pub(super) fn environment_value(variable: &str) -> Option<String> {
    std::env::var(variable)
        .ok()
        .filter(|value| !value.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_do_not_print() {
        let secret = Secret::new("123:ABC");
        assert_eq!(format!("{secret:?}"), "Secret(***)");
        assert_eq!(secret.expose(), "123:ABC");
    }
}
