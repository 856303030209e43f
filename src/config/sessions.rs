//! How long a web-interface session lasts (`[sessions]` in `herald.toml`, or the environment):
//! an idle timeout that each use moves forward, and an absolute lifetime that nothing extends,
//! so a cookie taken from a browser left signed in stops working within a working day even if
//! the thief keeps using it. Checked once, when the process starts.

use std::time::Duration;

use crate::source::diagnostic::{Diagnostics, SourceFile};
use crate::source::toml_reader::TableReader;

/// Default idle timeout, in minutes.
pub const DEFAULT_IDLE_MINUTES: u32 = 30;
/// Default absolute lifetime, in hours.
pub const DEFAULT_LIFETIME_HOURS: u32 = 12;
/// The environment variable that overrides `idle_minutes`.
pub const IDLE_MINUTES_VARIABLE: &str = "HERALD_SESSION_IDLE_MINUTES";
/// The environment variable that overrides `lifetime_hours`.
pub const LIFETIME_HOURS_VARIABLE: &str = "HERALD_SESSION_LIFETIME_HOURS";

/// The accepted ranges: at most a day unused, at most a week in all.
const IDLE_MINUTES: std::ops::RangeInclusive<u32> = 1..=1440;
const LIFETIME_HOURS: std::ops::RangeInclusive<u32> = 1..=168;

/// A session's two limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    idle_minutes: u32,
    lifetime_hours: u32,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        SessionPolicy {
            idle_minutes: DEFAULT_IDLE_MINUTES,
            lifetime_hours: DEFAULT_LIFETIME_HOURS,
        }
    }
}

/// A session setting from the environment that herald refuses, naming the variable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionPolicyError {
    #[error("{variable} must be a whole number from {min} to {max}, not `{value}`")]
    OutOfRange {
        variable: &'static str,
        value: String,
        min: u32,
        max: u32,
    },
    #[error(
        "the session idle timeout ({idle_minutes} minutes) is longer than the session lifetime ({lifetime_hours} hours); check `[sessions]` in herald.toml, {IDLE_MINUTES_VARIABLE} and {LIFETIME_HOURS_VARIABLE}"
    )]
    IdleBeyondLifetime {
        idle_minutes: u32,
        lifetime_hours: u32,
    },
}

impl SessionPolicy {
    /// A policy with these limits, checked as a configuration file's are.
    pub fn new(idle_minutes: u32, lifetime_hours: u32) -> Result<Self, SessionPolicyError> {
        for (variable, value, range) in [
            (IDLE_MINUTES_VARIABLE, idle_minutes, IDLE_MINUTES),
            (LIFETIME_HOURS_VARIABLE, lifetime_hours, LIFETIME_HOURS),
        ] {
            if !range.contains(&value) {
                return Err(SessionPolicyError::OutOfRange {
                    variable,
                    value: value.to_string(),
                    min: *range.start(),
                    max: *range.end(),
                });
            }
        }
        let policy = SessionPolicy {
            idle_minutes,
            lifetime_hours,
        };
        if policy.idle() > policy.lifetime() {
            return Err(SessionPolicyError::IdleBeyondLifetime {
                idle_minutes,
                lifetime_hours,
            });
        }
        Ok(policy)
    }

    /// How long a session may go unused.
    pub fn idle(&self) -> Duration {
        Duration::from_secs(u64::from(self.idle_minutes) * 60)
    }

    /// How long a session lasts at most after sign-in, however much it is used.
    pub fn lifetime(&self) -> Duration {
        Duration::from_secs(u64::from(self.lifetime_hours) * 3600)
    }

    /// This policy with what the environment sets ([`IDLE_MINUTES_VARIABLE`],
    /// [`LIFETIME_HOURS_VARIABLE`]; empty counts as unset) in place of the file's values.
    pub fn with_overrides(
        self,
        variable: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, SessionPolicyError> {
        let read = |name: &'static str, range: std::ops::RangeInclusive<u32>, current: u32| {
            match variable(name).filter(|v| !v.trim().is_empty()) {
                None => Ok(current),
                Some(text) => text
                    .trim()
                    .parse::<u32>()
                    .ok()
                    .filter(|v| range.contains(v))
                    .ok_or(SessionPolicyError::OutOfRange {
                        variable: name,
                        value: text.chars().take(40).collect(),
                        min: *range.start(),
                        max: *range.end(),
                    }),
            }
        };
        SessionPolicy::new(
            read(IDLE_MINUTES_VARIABLE, IDLE_MINUTES, self.idle_minutes)?,
            read(LIFETIME_HOURS_VARIABLE, LIFETIME_HOURS, self.lifetime_hours)?,
        )
    }
}

/// `[sessions]`: `idle_minutes` and `lifetime_hours`.
pub(super) fn parse_sessions(
    file: &SourceFile,
    table: &toml::de::DeTable<'_>,
    span: std::ops::Range<usize>,
    keys: &[&str],
    diags: &mut Diagnostics,
) -> SessionPolicy {
    let reader = TableReader::new(file, table, span.clone(), "[sessions]", keys, diags);
    let mut policy = SessionPolicy::default();
    let mut read = |key: &str, range: std::ops::RangeInclusive<u32>, into: &mut u32| {
        if let Some(value) = reader.opt_int(key, diags) {
            match u32::try_from(value.value) {
                Ok(v) if range.contains(&v) => *into = v,
                _ => diags.error(
                    file,
                    value.span,
                    format!(
                        "`{key}` must be a whole number from {} to {}",
                        range.start(),
                        range.end()
                    ),
                ),
            }
        }
    };
    read("idle_minutes", IDLE_MINUTES, &mut policy.idle_minutes);
    read("lifetime_hours", LIFETIME_HOURS, &mut policy.lifetime_hours);
    if policy.idle() > policy.lifetime() {
        diags.error(
            file,
            span,
            "`idle_minutes` must not be longer than `lifetime_hours`",
        );
    }
    policy
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (SessionPolicy, Vec<String>) {
        let mut diags = Diagnostics::default();
        let config = crate::config::Config::parse(
            &SourceFile::new("herald.toml", text.to_string()),
            &mut diags,
        );
        let problems = diags.into_sorted().iter().map(|d| d.to_string()).collect();
        (config.sessions, problems)
    }

    #[test]
    fn defaults_are_thirty_minutes_idle_and_twelve_hours_in_all() {
        let (policy, problems) = parse("");
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(policy.idle(), Duration::from_secs(30 * 60));
        assert_eq!(policy.lifetime(), Duration::from_secs(12 * 3600));
    }

    #[test]
    fn the_file_sets_both_and_bad_values_name_their_place() {
        let (policy, problems) = parse("[sessions]\nidle_minutes = 10\nlifetime_hours = 2\n");
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(policy, SessionPolicy::new(10, 2).unwrap());
        let (_, problems) = parse("[sessions]\nidle_minutes = 0\n");
        assert_eq!(
            problems,
            ["herald.toml:2:16: error: `idle_minutes` must be a whole number from 1 to 1440"]
        );
        let (_, problems) = parse("[sessions]\nidle_minutes = 600\nlifetime_hours = 2\n");
        assert!(
            problems[0].contains("must not be longer than `lifetime_hours`"),
            "{problems:?}"
        );
        let (_, problems) = parse("[sessions]\nidle = 5\n");
        assert!(problems[0].contains("idle"), "{problems:?}");
    }

    #[test]
    fn the_environment_overrides_the_file_and_is_checked() {
        let file = SessionPolicy::new(10, 2).unwrap();
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(file.with_overrides(env(&[])).unwrap(), file);
        assert_eq!(
            file.with_overrides(env(&[
                (IDLE_MINUTES_VARIABLE, "5"),
                (LIFETIME_HOURS_VARIABLE, "")
            ]))
            .unwrap(),
            SessionPolicy::new(5, 2).unwrap()
        );
        let error = file
            .with_overrides(env(&[(LIFETIME_HOURS_VARIABLE, "forever")]))
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "HERALD_SESSION_LIFETIME_HOURS must be a whole number from 1 to 168, not `forever`"
        );
        let error = file
            .with_overrides(env(&[(IDLE_MINUTES_VARIABLE, "1440")]))
            .unwrap_err();
        assert!(matches!(
            error,
            SessionPolicyError::IdleBeyondLifetime { .. }
        ));
    }
}
