//! Everything herald needs to start, gathered once: the service part of `herald.toml`, the
//! database, where to listen, the keys, which partners to talk to and how to dispatch. The
//! command line builds a [`Settings`] from the file, the environment and its flags; the demo
//! and the tests build one in code. Nothing after this point reads the environment.

use std::net::SocketAddr;
use std::sync::Arc;

use crate::config::Config;
use crate::dispatch::DispatchSettings;
use crate::notify::NotifierSettings;
use crate::platforms::Secret;

use super::ServiceKeys;

/// Which partners herald talks to.
#[derive(Debug, Clone, Default)]
pub enum Partners {
    /// Every account's own partner, with its real credentials.
    #[default]
    Real,
    /// A partner emulator at this base URL, reached over HTTP like a partner: every account
    /// points at it and sends `credential` for every secret (a rehearsal).
    Emulator { url: String, credential: Secret },
    /// The built-in emulator, started by herald itself on a loopback port with a credential
    /// random per process (`herald serve --sandbox`).
    BuiltIn,
}

impl Partners {
    /// Whether this is a rehearsal: nothing reaches a real partner.
    pub fn is_rehearsal(&self) -> bool {
        !matches!(self, Partners::Real)
    }
}

/// How the dispatcher runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Dispatching {
    /// Plans and sends until the app stops (`serve`, `worker`).
    #[default]
    Continuous,
    /// Only when the caller asks, through [`super::App::dispatcher`]: the demo's simulated
    /// time, `worker --once`, and tests.
    OnRequest,
    /// Never: an API-only replica (`serve --no-dispatch`) leaves every job to the workers.
    Off,
}

impl Dispatching {
    /// Whether this process sends anything to partners (or their emulator).
    pub fn sends(self) -> bool {
        self != Dispatching::Off
    }
}

/// How webhook registration reports what it did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Announce {
    /// One `webhook: …` line per account on standard output, for the operator.
    #[default]
    Stdout,
    /// Only in the debug log (the demo prints its own progress).
    Log,
}

/// The settings of one herald process.
#[derive(Debug, Clone)]
pub struct Settings {
    /// `sqlite://FILE` or `postgres://…`.
    pub database_url: String,
    /// The service configuration: accounts, `public_url`, proxies, retention, publication.
    pub config: Arc<Config>,
    /// Where the HTTP front door listens; `None` for a process without one (`worker`).
    pub listen: Option<SocketAddr>,
    /// Where Prometheus scrapes `/metrics`, kept off the public listener.
    pub metrics_listen: Option<SocketAddr>,
    pub keys: ServiceKeys,
    pub partners: Partners,
    pub dispatch: DispatchSettings,
    pub dispatching: Dispatching,
    /// A rehearsal may use a database that has sent for real only when the operator says so.
    pub allow_used_database: bool,
    pub announce: Announce,
    /// Staff notifications, resolved from `[notifications]` and the environment; none without.
    pub notifications: Option<Arc<NotifierSettings>>,
}

impl Settings {
    /// The defaults for this configuration and database: real partners, no keys, no
    /// listener, continuous dispatching, rows kept as long as the configuration says.
    pub fn new(database_url: &str, config: Config) -> Settings {
        let dispatch = DispatchSettings {
            retention: chrono::Duration::days(i64::from(config.retention_days)),
            ..DispatchSettings::default()
        };
        Settings {
            database_url: database_url.to_string(),
            config: Arc::new(config),
            listen: None,
            metrics_listen: None,
            keys: ServiceKeys::default(),
            partners: Partners::Real,
            dispatch,
            dispatching: Dispatching::Continuous,
            allow_used_database: false,
            announce: Announce::Stdout,
            notifications: None,
        }
    }
}
