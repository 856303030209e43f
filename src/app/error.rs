//! What can stop herald from starting or running, as one type: the command line turns it into
//! a message and an exit code in one place.

use std::net::SocketAddr;

use crate::store::StoreError;

#[derive(Debug)]
pub enum AppError {
    /// `HERALD_SECRET_KEY` is not a key, or a key could not be made.
    Key(String),
    /// Credentials are stored in the database but no key was given to open them.
    NoKeyForStoredCredentials,
    /// A stored credential could not be opened with this key.
    StoredCredential(String),
    Store(StoreError),
    /// Recording how the database is used (real sending or a rehearsal) failed.
    MarkDatabaseUse(StoreError),
    /// Reading how the database was used failed.
    ReadDatabaseUse(StoreError),
    /// A rehearsal on a database that has sent for real, not explicitly allowed.
    UsedDatabase {
        since: String,
    },
    /// A process that sends to the real partners on a database a rehearsal dispatched on.
    RehearsalDatabase {
        since: String,
    },
    /// The dispatcher could not be assembled (its partner client or an account).
    Dispatcher(String),
    Listen {
        address: SocketAddr,
        error: std::io::Error,
    },
    MetricsListen {
        address: SocketAddr,
        error: std::io::Error,
    },
    /// The built-in partner emulator could not start.
    Emulator(std::io::Error),
    /// The HTTP server failed while running.
    Serve(std::io::Error),
    /// A task of the app panicked or was cancelled.
    Task(String),
    /// Staff notifications could not be set up.
    Notify(crate::notify::NotifyError),
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::secrets::SECRET_KEY_VARIABLE;
        match self {
            AppError::Key(message) | AppError::StoredCredential(message) => f.write_str(message),
            AppError::NoKeyForStoredCredentials => write!(
                f,
                "credentials are stored in the database; set {SECRET_KEY_VARIABLE} to open them"
            ),
            AppError::Store(error) => write!(f, "{error}"),
            AppError::MarkDatabaseUse(error) => write!(
                f,
                "cannot record on the database how it is used (real sending or a rehearsal): {error}"
            ),
            AppError::ReadDatabaseUse(error) => {
                write!(f, "cannot read how this database has been used: {error}")
            }
            AppError::UsedDatabase { since } => write!(
                f,
                "this database has sent to the real partners (recorded {since}); a rehearsal on it would mark real people's messages as sent to the sandbox and take sandbox events into real data. Rehearse on a fresh database (--database-url), or pass {} if you really mean to",
                super::ALLOW_USED_DATABASE
            ),
            AppError::RehearsalDatabase { since } => write!(
                f,
                "a rehearsal dispatched on this database (recorded {since}): its jobs would go to the real partners. Send for real on a database of its own (--database-url), rehearse on this one (--sandbox, --sandbox-url), or run serve with --no-dispatch"
            ),
            AppError::Dispatcher(message) => f.write_str(message),
            AppError::Listen { address, error } => {
                write!(f, "cannot listen on {address}: {error}")
            }
            AppError::MetricsListen { address, error } => {
                write!(f, "cannot listen on {address} for metrics: {error}")
            }
            AppError::Emulator(error) => write!(f, "cannot start the sandbox: {error}"),
            AppError::Serve(error) => write!(f, "{error}"),
            AppError::Task(message) => f.write_str(message),
            AppError::Notify(error) => write!(f, "{error}"),
        }
    }
}

impl std::error::Error for AppError {}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> Self {
        AppError::Store(error)
    }
}
