//! Web sessions: a browser exchanges an API token once for a random session secret kept in an
//! `HttpOnly; SameSite=Strict` cookie, so the token itself never sits in the browser.
//!
//! Sessions live in the database ([`crate::store::Store::open_session`]), so every replica
//! behind a load balancer knows them and a restart signs no one out. The database keeps only
//! the SHA-256 of the secret: a copy of it (a backup, a read replica) opens no session, because
//! the hash is not what the cookie holds. A session ends after its idle timeout without use or
//! at its absolute lifetime, whichever comes first ([`SessionPolicy`]), when its token is
//! revoked or expires, when its user signs out, or when an admin ends it. Its last use is
//! written at most once a minute, not on every click. Each user has at most
//! [`MAX_SESSIONS_PER_USER`] live sessions; signing in once more ends the oldest.
//!
//! The CSRF token every form must echo is derived from the session secret (a hash under
//! another label than the stored one), so it is fixed for the session, needs no column, and
//! cannot be computed from what the database holds.

use std::sync::Arc;

use crate::auth::{constant_time_eq, hash_secret, random_id};
use crate::clock::Clock;
use crate::config::SessionPolicy;
use crate::store::{AnyStore, NewSession, Store, StoreError, UserRecord};

/// The cookie's name over plain http (a loopback address while trying herald out).
pub const COOKIE_NAME: &str = "herald_session";
/// The cookie's name when herald is served over https: the browser accepts a `__Host-` cookie
/// only if it is `Secure`, for `Path=/` and without `Domain`, so a neighbouring subdomain
/// cannot plant or overwrite it.
pub const HOST_COOKIE_NAME: &str = "__Host-herald_session";
/// Live sessions one user may have; the next sign-in ends the oldest.
pub const MAX_SESSIONS_PER_USER: u32 = 10;
/// A session's last use is written when the stored one is older than this.
const TOUCH_EVERY_MS: i64 = 60_000;
/// The length of a session secret: 43 characters of `[a-z0-9]`, over 220 random bits.
const SECRET_LENGTH: usize = 43;

/// A live session, found by its cookie: its public id, its CSRF token and its user (roles as
/// stored now).
#[derive(Clone)]
pub struct OpenSession {
    pub id: String,
    pub csrf: String,
    pub user: UserRecord,
    /// The interface language the user chose, as stored (`None`: their browser's).
    pub language: Option<String>,
}

/// The CSRF token is a credential: never printed, even in debug output.
impl std::fmt::Debug for OpenSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenSession")
            .field("id", &self.id)
            .field("user", &self.user.name)
            .finish_non_exhaustive()
    }
}

impl OpenSession {
    /// Whether `presented` is this session's CSRF token (constant time).
    pub fn csrf_matches(&self, presented: &str) -> bool {
        constant_time_eq(self.csrf.as_bytes(), presented.as_bytes())
    }
}

/// The CSRF token of the session with this secret.
fn csrf_of(secret: &str) -> String {
    hash_secret(&format!("herald-csrf.{secret}"))
}

/// The sessions in the store, under the deployment's policy and the service's clock.
pub struct Sessions {
    store: AnyStore,
    clock: Arc<dyn Clock>,
    policy: SessionPolicy,
}

impl Sessions {
    pub fn new(store: AnyStore, clock: Arc<dyn Clock>, policy: SessionPolicy) -> Self {
        Sessions {
            store,
            clock,
            policy,
        }
    }

    /// The policy sessions are held to (the cookie's lifetime follows it).
    pub fn policy(&self) -> SessionPolicy {
        self.policy
    }

    /// Opens a session for the token `token_id` of `user`, ending no later than the user's
    /// expiry; returns the secret for the cookie (never stored).
    pub async fn open(
        &self,
        token_id: &str,
        user: &UserRecord,
        user_expires_at_ms: Option<i64>,
    ) -> Result<String, StoreError> {
        let secret = random_id(SECRET_LENGTH);
        let now = self.clock.now().timestamp_millis();
        let lifetime_end = now.saturating_add(millis(self.policy.lifetime()));
        let session = NewSession {
            id: random_id(16),
            secret_hash: hash_secret(&secret),
            token_id: token_id.to_string(),
            user_id: user.id.clone(),
            at_ms: now,
            idle_until_ms: now.saturating_add(millis(self.policy.idle())),
            expires_at_ms: user_expires_at_ms.map_or(lifetime_end, |u| u.min(lifetime_end)),
        };
        let ended = self
            .store
            .open_session(&session, MAX_SESSIONS_PER_USER)
            .await?;
        if ended > 0 {
            tracing::info!(user = %user.name, ended, "the oldest web sessions of a user ended to make room for a new one");
        }
        Ok(secret)
    }

    /// The live session whose secret is `secret`, its last use recorded when the stored one is
    /// over a minute old. A session found ended (unused too long, past its lifetime, its
    /// token revoked or expired) is deleted and is `None`, as is an unknown secret.
    pub async fn find(&self, secret: &str) -> Result<Option<OpenSession>, StoreError> {
        let Some(found) = self
            .store
            .session_by_secret_hash(&hash_secret(secret))
            .await?
        else {
            return Ok(None);
        };
        let now = self.clock.now().timestamp_millis();
        if !found.live_at(now) {
            self.store.end_session(&found.id).await?;
            return Ok(None);
        }
        if now - found.last_seen_ms >= TOUCH_EVERY_MS {
            let idle_until = now.saturating_add(millis(self.policy.idle()));
            self.store.touch_session(&found.id, now, idle_until).await?;
        }
        Ok(Some(OpenSession {
            id: found.id,
            csrf: csrf_of(secret),
            user: found.user,
            language: found.language,
        }))
    }

    /// Ends a session (signing out).
    pub async fn close(&self, id: &str) -> Result<(), StoreError> {
        self.store.end_session(id).await.map(|_| ())
    }
}

fn millis(duration: std::time::Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

/// The session cookie as this deployment writes it: `__Host-herald_session` (`Secure`,
/// `Path=/`) when herald is served over https, `herald_session` (`Path=/ui`) otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionCookie {
    secure: bool,
}

impl SessionCookie {
    /// The cookie for a deployment whose public URL is `public_url`.
    pub fn for_public_url(public_url: &str) -> Self {
        SessionCookie {
            secure: public_url.starts_with("https://"),
        }
    }

    pub fn name(&self) -> &'static str {
        if self.secure {
            HOST_COOKIE_NAME
        } else {
            COOKIE_NAME
        }
    }

    fn attributes(&self) -> &'static str {
        if self.secure {
            "HttpOnly; SameSite=Strict; Path=/; Secure"
        } else {
            "HttpOnly; SameSite=Strict; Path=/ui"
        }
    }

    /// The session secret in a `Cookie` header, if any: only under this deployment's name
    /// (over https, a plain `herald_session` that a subdomain could have planted is ignored),
    /// and only if it is made of the characters a secret has.
    pub fn read<'h>(&self, header: &'h str) -> Option<&'h str> {
        header
            .split(';')
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == self.name())
            .map(|(_, value)| value.trim())
            .filter(|value| {
                !value.is_empty()
                    && value.len() <= 128
                    && value.chars().all(|c| c.is_ascii_alphanumeric())
            })
    }

    /// The `Set-Cookie` value that gives the browser its session: never readable by scripts,
    /// never sent from another site, and kept by the browser no longer than the session lives.
    pub fn set(&self, secret: &str, policy: SessionPolicy) -> String {
        format!(
            "{}={secret}; {}; Max-Age={}",
            self.name(),
            self.attributes(),
            policy.lifetime().as_secs()
        )
    }

    /// The `Set-Cookie` value that removes the session cookie.
    pub fn clear(&self) -> String {
        format!("{}=; {}; Max-Age=0", self.name(), self.attributes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn over_https_the_cookie_is_host_prefixed_secure_and_for_the_whole_site() {
        let policy = SessionPolicy::default();
        let https = SessionCookie::for_public_url("https://herald.example.org");
        let cookie = https.set("abc", policy);
        assert!(
            cookie.starts_with("__Host-herald_session=abc; "),
            "{cookie}"
        );
        for part in [
            "HttpOnly",
            "SameSite=Strict",
            "Path=/;",
            "Secure",
            "Max-Age=43200",
        ] {
            assert!(cookie.contains(part), "{cookie}");
        }
        assert!(!cookie.contains("Domain"), "{cookie}");
        let http = SessionCookie::for_public_url("http://127.0.0.1:8080");
        let cookie = http.set("abc", policy);
        assert!(cookie.starts_with("herald_session=abc; "), "{cookie}");
        assert!(
            !cookie.contains("Secure") && cookie.contains("Path=/ui"),
            "{cookie}"
        );
        assert!(https.clear().contains("Max-Age=0"));
    }

    #[test]
    fn only_this_deployments_cookie_name_and_well_formed_secrets_are_read() {
        let http = SessionCookie::for_public_url("http://127.0.0.1:8080");
        let https = SessionCookie::for_public_url("https://herald.example.org");
        assert_eq!(http.read("a=b; herald_session=xyz1; c=d"), Some("xyz1"));
        assert_eq!(http.read("herald_session=x;y"), Some("x"));
        assert_eq!(http.read("herald_session=<bad>"), None);
        assert_eq!(http.read("other=1"), None);
        assert_eq!(https.read("herald_session=planted"), None);
        assert_eq!(https.read("__Host-herald_session=abc"), Some("abc"));
        assert_eq!(
            http.read(&format!("herald_session={}", "a".repeat(200))),
            None
        );
    }

    #[test]
    fn the_csrf_token_is_not_the_stored_hash_and_is_compared_whole() {
        let secret = random_id(SECRET_LENGTH);
        assert_ne!(csrf_of(&secret), hash_secret(&secret));
        let session = OpenSession {
            id: "s".into(),
            csrf: csrf_of(&secret),
            user: UserRecord {
                id: "u".into(),
                name: "ana".into(),
                roles: vec![],
            },
            language: None,
        };
        assert!(session.csrf_matches(&csrf_of(&secret)));
        assert!(!session.csrf_matches(&session.csrf[..10]));
        assert!(!format!("{session:?}").contains(&session.csrf));
    }
}
