//! Where each credential of an account comes from, and whether the account can send: what an
//! operator sees in `GET /api/v1/accounts`, `/readyz` and the web interface. It reads only
//! names (the environment variable set or not, a stored row there or not), never a value,
//! so it answers from any process, dispatching or not.

use std::collections::BTreeSet;

use serde::Serialize;

use super::credentials::environment_value;
use crate::config::Account;

/// Where a credential's value comes from; the environment wins over a stored value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CredentialSource {
    Environment,
    Stored,
    Missing,
}

/// One credential an account can use, by name.
#[derive(Debug, Clone, Serialize)]
pub struct CredentialState {
    pub name: &'static str,
    /// The environment variable the configuration names for it, if any.
    pub variable: Option<String>,
    /// Whether the account needs it to send.
    pub required: bool,
    pub source: CredentialSource,
}

/// The channels (`platform:account`) that have a credential stored, by credential name.
pub type StoredNames = BTreeSet<(String, String)>;

/// The names in the rows of `Store::account_secrets` (`(channel, name, nonce, sealed)`).
pub fn stored_names(rows: &[(String, String, String, String)]) -> StoredNames {
    rows.iter()
        .map(|(channel, name, _, _)| (channel.clone(), name.clone()))
        .collect()
}

/// Every credential `account`'s platform can use, required ones first, with where its value
/// would come from when sending for real.
pub fn credential_states(account: &Account, stored: &StoredNames) -> Vec<CredentialState> {
    let channel = account.channel.to_string();
    let required = account.required_credential_keys();
    account
        .usable_credential_keys()
        .into_iter()
        .map(|name| {
            let variable = account.credentials.get(name).cloned();
            let source = if variable.as_deref().and_then(environment_value).is_some() {
                CredentialSource::Environment
            } else if stored.contains(&(channel.clone(), name.to_string())) {
                CredentialSource::Stored
            } else {
                CredentialSource::Missing
            };
            CredentialState {
                name,
                variable,
                required: required.contains(&name),
                source,
            }
        })
        .collect()
}

/// The credentials `account` needs to send and has in neither place: empty when it is ready.
/// In a rehearsal every account sends the rehearsal's credential, so none is missing.
pub fn missing_required(
    account: &Account,
    stored: &StoredNames,
    rehearsal: bool,
) -> Vec<&'static str> {
    if rehearsal {
        return Vec::new();
    }
    credential_states(account, stored)
        .into_iter()
        .filter(|state| state.required && state.source == CredentialSource::Missing)
        .map(|state| state.name)
        .collect()
}

/// The accounts that cannot send yet, each with the credentials it lacks, by channel.
pub fn waiting_accounts<'a>(
    accounts: impl IntoIterator<Item = &'a Account>,
    stored: &StoredNames,
    rehearsal: bool,
) -> Vec<(String, Vec<&'static str>)> {
    accounts
        .into_iter()
        .filter_map(|account| {
            let missing = missing_required(account, stored, rehearsal);
            (!missing.is_empty()).then(|| (account.channel.to_string(), missing))
        })
        .collect()
}
