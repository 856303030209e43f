//! Web sessions: a browser exchanges an API token once for a random session id kept in an
//! `HttpOnly; SameSite=Strict` cookie, so the token itself never sits in the browser. Sessions
//! live in this process's memory (a restart signs everyone out, and each replica behind a
//! load balancer has its own), end after [`IDLE_TIMEOUT`] without use, and carry the CSRF
//! token every form must echo.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::auth::{constant_time_eq, random_id};

/// A session unused for this long is gone.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(8 * 60 * 60);
/// The cookie's name.
pub const COOKIE_NAME: &str = "herald_session";
/// Sessions one process keeps at most; past it the least recently used is dropped, so a
/// flood of logins cannot exhaust memory.
const MAX_SESSIONS: usize = 10_000;

/// What a session remembers: whose it is (by token id, so revoking the token ends it) and its
/// CSRF token. Never the token's secret.
#[derive(Clone)]
pub struct Session {
    /// The id part of the API token the session was opened with.
    pub token_id: String,
    /// Echoed by every form of this session; compared in constant time.
    pub csrf: String,
    last_seen: Instant,
}

/// The CSRF token is a credential: never printed, even in debug output.
impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("token_id", &self.token_id)
            .finish_non_exhaustive()
    }
}

impl Session {
    /// Whether `presented` is this session's CSRF token (constant time).
    pub fn csrf_matches(&self, presented: &str) -> bool {
        constant_time_eq(self.csrf.as_bytes(), presented.as_bytes())
    }
}

/// Sessions by id, in memory (never printed: the ids are credentials).
pub struct Sessions {
    by_id: Mutex<HashMap<String, Session>>,
    idle: Duration,
}

impl Default for Sessions {
    fn default() -> Self {
        Sessions::new(IDLE_TIMEOUT)
    }
}

impl Sessions {
    /// Sessions expiring after `idle` without use (tests shorten it).
    pub fn new(idle: Duration) -> Self {
        Sessions {
            by_id: Mutex::new(HashMap::new()),
            idle,
        }
    }

    /// Opens a session for the token with this id; returns the new session id.
    pub fn open(&self, token_id: &str) -> String {
        let id = random_id(43);
        let session = Session {
            token_id: token_id.to_string(),
            csrf: random_id(43),
            last_seen: Instant::now(),
        };
        let mut by_id = self.by_id.lock().unwrap_or_else(|p| p.into_inner());
        by_id.retain(|_, s| s.last_seen.elapsed() < self.idle);
        if by_id.len() >= MAX_SESSIONS
            && let Some(oldest) = by_id
                .iter()
                .min_by_key(|(_, s)| s.last_seen)
                .map(|(k, _)| k.clone())
        {
            by_id.remove(&oldest);
        }
        by_id.insert(id.clone(), session);
        id
    }

    /// The live session with this id, its idle timer restarted; an expired one is removed.
    pub fn touch(&self, id: &str) -> Option<Session> {
        let mut by_id = self.by_id.lock().unwrap_or_else(|p| p.into_inner());
        let session = by_id.get_mut(id)?;
        if session.last_seen.elapsed() >= self.idle {
            by_id.remove(id);
            return None;
        }
        session.last_seen = Instant::now();
        Some(session.clone())
    }

    /// Ends a session (logout, or its token no longer valid).
    pub fn close(&self, id: &str) {
        self.by_id
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(id);
    }
}

/// The session id in a `Cookie` header, if any.
pub fn session_id_from_cookies(header: &str) -> Option<&str> {
    header
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE_NAME)
        .map(|(_, value)| value.trim())
        .filter(|value| !value.is_empty() && value.chars().all(|c| c.is_ascii_alphanumeric()))
}

/// The `Set-Cookie` value that gives the browser its session: never readable by scripts,
/// never sent from another site, only under `/ui`, and only over TLS when herald is served
/// over https.
pub fn session_cookie(id: &str, secure: bool) -> String {
    format!(
        "{COOKIE_NAME}={id}; HttpOnly; SameSite=Strict; Path=/ui; Max-Age={}{}",
        IDLE_TIMEOUT.as_secs(),
        if secure { "; Secure" } else { "" }
    )
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn clearing_cookie(secure: bool) -> String {
    format!(
        "{COOKIE_NAME}=; HttpOnly; SameSite=Strict; Path=/ui; Max-Age=0{}",
        if secure { "; Secure" } else { "" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_open_touch_expire_and_close() {
        let sessions = Sessions::new(Duration::from_millis(50));
        let id = sessions.open("tok1");
        let session = sessions.touch(&id).unwrap();
        assert_eq!(session.token_id, "tok1");
        assert!(session.csrf_matches(&session.csrf));
        assert!(!session.csrf_matches("forged"));
        assert!(sessions.touch("unknown").is_none());
        std::thread::sleep(Duration::from_millis(80));
        assert!(sessions.touch(&id).is_none(), "idle sessions expire");
        let id = sessions.open("tok2");
        sessions.close(&id);
        assert!(sessions.touch(&id).is_none());
    }

    #[test]
    fn cookies_are_http_only_strict_and_secure_over_https() {
        let cookie = session_cookie("abc", true);
        for part in ["HttpOnly", "SameSite=Strict", "Path=/ui", "Secure"] {
            assert!(cookie.contains(part), "{cookie}");
        }
        assert!(!session_cookie("abc", false).contains("Secure"));
        assert_eq!(
            session_id_from_cookies("a=b; herald_session=xyz1; c=d"),
            Some("xyz1")
        );
        assert_eq!(session_id_from_cookies("herald_session=x;y"), Some("x"));
        assert_eq!(session_id_from_cookies("herald_session=<bad>"), None);
        assert_eq!(session_id_from_cookies("other=1"), None);
    }
}
