//! Who may do what: the six roles, and API tokens of the form `id.secret`. Only a SHA-256
//! hash of the secret is stored: the secret is 256 random bits, so a slow password hash (argon2)
//! would add nothing but cost; comparison is constant-time.

pub mod role_groups;

use std::fmt;

use serde::Serialize;
use sha2::{Digest, Sha256};

/// A role a user holds; a user may hold several.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Writes campaigns and translations, uploads and submits versions.
    Author,
    /// Approves or rejects submitted versions, never their own.
    Approver,
    /// Schedules, pauses, resumes, cancels; holds the kill switch.
    Scheduler,
    /// Reads reach reports (aggregates only).
    Evaluator,
    /// Manages users, accounts and deployment; reads the audit log.
    Admin,
    /// Changes the translations of the locales that are not a campaign's default, and nothing
    /// else: never a campaign file, a layout or a version's state. Each import is a new draft
    /// version that an author submits and an approver approves.
    Translator,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Author,
        Role::Approver,
        Role::Scheduler,
        Role::Evaluator,
        Role::Admin,
        Role::Translator,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Role::Author => "author",
            Role::Approver => "approver",
            Role::Scheduler => "scheduler",
            Role::Evaluator => "evaluator",
            Role::Admin => "admin",
            Role::Translator => "translator",
        }
    }

    pub fn from_name(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.name() == name)
    }

    /// `author,approver` as stored.
    pub fn join(roles: &[Role]) -> String {
        roles.iter().map(|r| r.name()).collect::<Vec<_>>().join(",")
    }

    /// The inverse of [`Role::join`]; unknown names are dropped (they grant nothing).
    pub fn split(text: &str) -> Vec<Role> {
        text.split(',')
            .filter_map(|r| Role::from_name(r.trim()))
            .collect()
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// `len` random characters from `[a-z0-9]`, from the operating system's generator.
pub fn random_id(len: usize) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut bytes = vec![0u8; len];
    getrandom::fill(&mut bytes).expect("the operating system's random generator works");
    bytes
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect()
}

/// A new token: what to show the user once (`id.secret`), its id, and the hash to store.
pub struct IssuedToken {
    pub token: String,
    pub id: String,
    pub secret_hash: String,
}

pub fn issue_token() -> IssuedToken {
    let id = random_id(12);
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret).expect("the operating system's random generator works");
    let secret: String = secret.iter().map(|b| format!("{b:02x}")).collect();
    IssuedToken {
        token: format!("{id}.{secret}"),
        secret_hash: hash_secret(&secret),
        id,
    }
}

pub fn hash_secret(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Splits `id.secret`; `None` for anything else.
pub fn parse_token(token: &str) -> Option<(&str, &str)> {
    let (id, secret) = token.split_once('.')?;
    let valid = |s: &str, max: usize| {
        !s.is_empty() && s.len() <= max && s.chars().all(|c| c.is_ascii_alphanumeric())
    };
    (valid(id, 64) && valid(secret, 128)).then_some((id, secret))
}

/// Equality whose time does not depend on where the inputs differ (only on their lengths,
/// which are public): `subtle`'s.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.ct_eq(b).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_only_their_hash_is_kept() {
        let issued = issue_token();
        let (id, secret) = parse_token(&issued.token).unwrap();
        assert_eq!(id, issued.id);
        assert!(constant_time_eq(
            hash_secret(secret).as_bytes(),
            issued.secret_hash.as_bytes()
        ));
        assert!(!issued.secret_hash.contains(secret));
        assert!(parse_token("no-dot").is_none());
        assert!(parse_token("a.b c").is_none());
        assert!(!constant_time_eq(b"abc", b"abd"));
    }

    #[test]
    fn roles_round_trip() {
        assert_eq!(
            Role::split(&Role::join(&[Role::Author, Role::Approver])),
            [Role::Author, Role::Approver]
        );
        assert_eq!(Role::split("author,wizard"), [Role::Author]);
    }
}
