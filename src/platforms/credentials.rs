//! Credentials, read from the environment variables a channel account names. A [`Secret`]
//! never shows its value in logs, errors or debug output.

use std::collections::BTreeMap;
use std::fmt;

use crate::config::Account;

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

/// Reads every credential of an account. With `placeholder` (a rehearsal against the sandbox,
/// which accepts any credentials), a missing variable gets that value instead of an error.
pub fn resolve_credentials(
    account: &Account,
    placeholder: Option<&str>,
) -> Result<BTreeMap<String, Secret>, String> {
    let mut out = BTreeMap::new();
    for (key, variable) in &account.credentials {
        match std::env::var(variable) {
            Ok(value) if !value.is_empty() => {
                out.insert(key.clone(), Secret(value));
            }
            _ => match placeholder {
                Some(value) => {
                    out.insert(key.clone(), Secret(value.to_string()));
                }
                None => {
                    return Err(format!(
                        "account `{}`: environment variable {variable} (credential `{key}`) is not set",
                        account.channel
                    ));
                }
            },
        }
    }
    Ok(out)
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
