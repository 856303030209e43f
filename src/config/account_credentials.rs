//! Which credentials one account uses. Most platforms have one set; X has two (OAuth 1.0a, or
//! OAuth 2.0 with a refresh token), and the account chooses by the keys it names, so what is
//! required, what may be stored and what `GET /api/v1/accounts` lists depend on the account,
//! not only on its platform.

use std::collections::BTreeMap;

use super::Account;
use crate::channel::{AlternativeCredentials, Platform, ROTATED_CREDENTIALS};

/// The set of credentials an account of `platform` naming `named` uses: the alternative set
/// when it names that set's first key, else the platform's own.
pub(super) fn chosen_set(
    platform: Platform,
    named: &BTreeMap<String, String>,
) -> Option<AlternativeCredentials> {
    platform
        .alternative_credentials()
        .filter(|set| set.required.first().is_some_and(|key| named.contains_key(*key)))
}

/// Every key an account of `platform` may name in its `credentials`, whichever set it uses
/// (rotated credentials excepted: those are only stored).
pub(super) fn nameable_keys(platform: Platform) -> Vec<&'static str> {
    let alternative = platform.alternative_credentials();
    platform
        .usable_credential_keys()
        .chain(alternative.iter().flat_map(|set| set.required.iter().copied()))
        .chain(alternative.iter().flat_map(|set| set.optional.iter().copied()))
        .filter(|key| !ROTATED_CREDENTIALS.contains(key))
        .collect()
}

/// Keys of the other set named next to the chosen alternative one: an account uses one set,
/// and naming both would leave the reader guessing which.
pub(super) fn mixed_keys(platform: Platform, named: &BTreeMap<String, String>) -> Vec<&str> {
    if chosen_set(platform, named).is_none() {
        return Vec::new();
    }
    platform
        .usable_credential_keys()
        .filter(|key| named.contains_key(*key))
        .collect()
}

impl Account {
    /// The credentials this account needs to send.
    pub fn required_credential_keys(&self) -> &'static [&'static str] {
        let platform = self.channel.platform;
        match chosen_set(platform, &self.credentials) {
            Some(set) => set.required,
            None => platform.credential_keys(),
        }
    }

    /// Every credential this account can use, required ones first: the only ones that can be
    /// stored for it.
    pub fn usable_credential_keys(&self) -> Vec<&'static str> {
        let platform = self.channel.platform;
        match chosen_set(platform, &self.credentials) {
            Some(set) => set.required.iter().chain(set.optional).copied().collect(),
            None => platform.usable_credential_keys().collect(),
        }
    }

    /// Whether this is an X account acting for its user with OAuth 2.0 (a refresh token).
    pub fn uses_refresh_token(&self) -> bool {
        self.required_credential_keys()
            .iter()
            .any(|key| ROTATED_CREDENTIALS.contains(key))
    }
}
