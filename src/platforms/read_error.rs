//! Why reading from a partner (post insights, audience estimates, public metrics) failed, in
//! terms a poller can act on: wait, retry later, or give up. Reads are safe to repeat, so a
//! lost connection is simply transient here, unlike a publish whose outcome is unknown.

use std::fmt;
use std::time::Duration;

use super::adapter::{PublishResult, transport_failure};

/// What a poller should do about a failed read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorClass {
    /// Over the partner's limit: nothing more may go to the account for this long.
    Throttled { wait: Duration },
    /// Worth trying again later (5xx, a connection lost, an answer that could not be read).
    Transient,
    /// Repeating the same request cannot help (bad token, invalid metric, refused targeting).
    Permanent,
}

/// A failed read, with the partner's code and words (never a token or a person's identifier:
/// partners' error texts name objects and parameters, not audiences).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformError {
    pub class: ErrorClass,
    /// The partner's error code (`"100"`, `"190/463"` with a Graph subcode, `"88"`), or a short
    /// word for failures herald found itself (`"connect"`, `"targeting"`, `"unreadable"`).
    pub code: String,
    pub text: String,
}

impl PlatformError {
    /// A request herald refuses to send because the partner would refuse it.
    pub fn refused(code: &str, text: impl Into<String>) -> PlatformError {
        PlatformError {
            class: ErrorClass::Permanent,
            code: code.to_string(),
            text: text.into(),
        }
    }

    /// An answer that arrived but could not be understood: possibly a proxy's page or a
    /// partial answer, so worth another try later.
    pub fn unreadable(what: &str) -> PlatformError {
        PlatformError {
            class: ErrorClass::Transient,
            code: "unreadable".to_string(),
            text: format!("unreadable answer: {what}"),
        }
    }

    /// A failed HTTP exchange. Reads change nothing at the partner, so every transport
    /// failure, even one after the request left, is simply worth retrying.
    pub fn transport(error: &reqwest::Error) -> PlatformError {
        PlatformError::from_answer(transport_failure(error))
    }

    /// A partner's answer, as classified by an adapter's `classify`, seen from a read.
    pub fn from_answer(answer: PublishResult) -> PlatformError {
        let (class, code, text) = match answer {
            PublishResult::Throttled { wait, text }
            | PublishResult::RecipientThrottled { wait, text } => (
                ErrorClass::Throttled { wait },
                "throttled".to_string(),
                text,
            ),
            PublishResult::Transient { code, text } => (ErrorClass::Transient, code, text),
            PublishResult::Permanent { code, text }
            | PublishResult::RecipientGone { code, text } => (ErrorClass::Permanent, code, text),
            PublishResult::Unknown { error } => (ErrorClass::Transient, "lost".to_string(), error),
            PublishResult::Published { .. } => (
                ErrorClass::Transient,
                "unreadable".to_string(),
                "a success answer without the expected data".to_string(),
            ),
        };
        PlatformError { class, code, text }
    }

    /// Whether the same request may succeed later (after [`PlatformError::wait`] if any).
    pub fn is_retryable(&self) -> bool {
        !matches!(self.class, ErrorClass::Permanent)
    }

    /// How long the partner asked for before anything else goes to the account.
    pub fn wait(&self) -> Option<Duration> {
        match self.class {
            ErrorClass::Throttled { wait } => Some(wait),
            _ => None,
        }
    }
}

impl fmt::Display for PlatformError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.class {
            ErrorClass::Throttled { wait } => write!(
                f,
                "throttled for {} s: {} ({})",
                wait.as_secs(),
                self.text,
                self.code
            ),
            ErrorClass::Transient => write!(f, "transient: {} ({})", self.text, self.code),
            ErrorClass::Permanent => write!(f, "permanent: {} ({})", self.text, self.code),
        }
    }
}

impl std::error::Error for PlatformError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn publish_classes_map_to_what_a_poller_does() {
        let throttled = PlatformError::from_answer(PublishResult::Throttled {
            wait: Duration::from_secs(60),
            text: "slow down".into(),
        });
        assert_eq!(throttled.wait(), Some(Duration::from_secs(60)));
        assert!(throttled.is_retryable());
        let lost = PlatformError::from_answer(PublishResult::Unknown {
            error: "connection lost".into(),
        });
        assert_eq!(lost.class, ErrorClass::Transient);
        let permanent = PlatformError::from_answer(PublishResult::Permanent {
            code: "100".into(),
            text: "invalid".into(),
        });
        assert!(!permanent.is_retryable());
        assert_eq!(permanent.to_string(), "permanent: invalid (100)");
    }
}
