//! Which credentials one account uses. Most platforms have one set; X has two (OAuth 1.0a, or
//! OAuth 2.0 with a refresh token), and the account chooses by the keys it names, so what is
//! required, what may be stored and what `GET /api/v1/accounts` lists depend on the account,
//! not only on its platform.

use std::collections::BTreeMap;

use super::Account;
use crate::channel::{AlternativeCredentials, ChannelRef, Platform, ROTATED_CREDENTIALS};
use crate::source::diagnostic::{Diagnostics, SourceFile};
use crate::source::toml_reader::TableReader;

/// The set of credentials an account of `platform` naming `named` uses: the alternative set
/// when it names that set's first key, else the platform's own.
pub(super) fn chosen_set(
    platform: Platform,
    named: &BTreeMap<String, String>,
) -> Option<AlternativeCredentials> {
    platform.alternative_credentials().filter(|set| {
        set.required
            .first()
            .is_some_and(|key| named.contains_key(*key))
    })
}

/// Every key an account of `platform` may name in its `credentials`, whichever set it uses
/// (rotated credentials excepted: those are only stored).
pub(super) fn nameable_keys(platform: Platform) -> Vec<&'static str> {
    let alternative = platform.alternative_credentials();
    platform
        .usable_credential_keys()
        .chain(
            alternative
                .iter()
                .flat_map(|set| set.required.iter().copied()),
        )
        .chain(
            alternative
                .iter()
                .flat_map(|set| set.optional.iter().copied()),
        )
        .filter(|key| !ROTATED_CREDENTIALS.contains(key))
        .collect()
}

/// The keys `channel`'s account must name in `credentials` (a rotated one is stored instead),
/// and the error for naming keys of both sets: an account uses one set, and naming both would
/// leave the reader guessing which.
pub(super) fn keys_to_name(
    channel: &ChannelRef,
    named: &BTreeMap<String, String>,
) -> (Vec<&'static str>, Option<String>) {
    let platform = channel.platform;
    let Some(set) = chosen_set(platform, named) else {
        return (platform.credential_keys().to_vec(), None);
    };
    let mixed: Vec<&str> = platform
        .usable_credential_keys()
        .filter(|key| named.contains_key(*key))
        .collect();
    let error = (!mixed.is_empty()).then(|| {
        format!(
            "account `{channel}` names `{}` and {}: these are two ways to sign in, name one set",
            set.required.first().copied().unwrap_or_default(),
            mixed.join(", ")
        )
    });
    let required = set
        .required
        .iter()
        .copied()
        .filter(|key| !ROTATED_CREDENTIALS.contains(key))
        .collect();
    (required, error)
}

/// A rotated credential named in `credentials`: an error saying where it goes instead.
pub(super) fn refuse_rotated(
    file: &SourceFile,
    reader: &TableReader<'_, '_>,
    diags: &mut Diagnostics,
) {
    for key in ROTATED_CREDENTIALS {
        if let Some(var) = reader.opt_str(key, diags) {
            diags.error(
                file,
                var.span,
                format!(
                    "credential `{key}` cannot come from an environment variable: the partner \
                     replaces it at every refresh, so herald keeps it stored and sealed; store \
                     the first one with PUT /api/v1/accounts/{{channel}}/credentials/{key}"
                ),
            );
        }
    }
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

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use crate::source::diagnostic::{Diagnostics, SourceFile};

    fn problems(credentials: &str) -> (Config, Vec<String>) {
        let text = format!(
            "[[accounts]]\nname = \"civic\"\nplatform = \"x\"\nbase_url = \"https://api.x.com\"\ncredentials = {{ {credentials} }}\n"
        );
        let mut diags = Diagnostics::default();
        let config = Config::parse(&SourceFile::new("herald.toml", text), &mut diags);
        let problems = diags
            .into_sorted()
            .iter()
            .map(ToString::to_string)
            .collect();
        (config, problems)
    }

    #[test]
    fn an_x_account_naming_a_client_id_uses_oauth2_and_stores_its_refresh_token() {
        let (config, found) = problems(r#"client_id = "HERALD_X_CLIENT_ID""#);
        assert!(found.is_empty(), "{found:?}");
        let account = config.accounts.values().next().unwrap();
        assert!(account.uses_refresh_token());
        assert_eq!(
            account.required_credential_keys(),
            ["client_id", "refresh_token"]
        );
        assert_eq!(
            account.usable_credential_keys(),
            ["client_id", "refresh_token", "client_secret"]
        );
        // OAuth 1.0a stays as it was.
        let (config, found) = problems(
            r#"consumer_key = "A", consumer_secret = "B", access_token = "C", access_token_secret = "D""#,
        );
        assert!(found.is_empty(), "{found:?}");
        let account = config.accounts.values().next().unwrap();
        assert!(!account.uses_refresh_token());
        assert!(!account.usable_credential_keys().contains(&"refresh_token"));
    }

    #[test]
    fn a_refresh_token_in_the_environment_or_both_sets_are_refused() {
        let (_, found) =
            problems(r#"client_id = "HERALD_X_CLIENT_ID", refresh_token = "HERALD_X_REFRESH""#);
        let text = found.join("\n");
        assert!(
            text.contains("credential `refresh_token` cannot come from an environment variable"),
            "{text}"
        );
        let (_, found) = problems(r#"client_id = "HERALD_X_CLIENT_ID", consumer_key = "A""#);
        let text = found.join("\n");
        assert!(
            text.contains("names `client_id` and consumer_key: these are two ways to sign in"),
            "{text}"
        );
        // A client secret alone chooses nothing: the OAuth 1.0a keys are missing.
        let (_, found) = problems(r#"client_secret = "HERALD_X_SECRET""#);
        let text = found.join("\n");
        assert!(
            text.contains("names no environment variable for credential `consumer_key`"),
            "{text}"
        );
    }
}
