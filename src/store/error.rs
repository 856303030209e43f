//! What can go wrong in storage, in words a user can act on.

use std::fmt;

use super::file_fault::FileFault;
use crate::campaign::{ContentHash, TransitionError, VersionState};

#[derive(Debug)]
pub enum StoreError {
    /// The database URL is neither `sqlite:` nor `postgres:`.
    UnsupportedUrl(String),
    Database(sqlx::Error),
    /// The SQLite file or the disk under it refused: full, read-only, unopenable, failing.
    /// Kept apart from `Database` so the message names the file and what to do about it.
    DatabaseFile {
        file: String,
        fault: FileFault,
        source: sqlx::Error,
    },
    /// The database was migrated by a newer herald.
    SchemaTooNew {
        found: i64,
        known: i64,
    },
    /// A command that must not change the database found it at an older schema.
    SchemaTooOld {
        found: i64,
        known: i64,
    },
    UnknownVersion(ContentHash),
    Transition(TransitionError),
    /// Another process changed the version's state between reading and writing it.
    ConcurrentChange {
        hash: ContentHash,
        expected: VersionState,
    },
    /// A stored value that this binary cannot read (a corrupted or foreign row).
    Corrupt(String),
    /// A shared rate bucket kept changing under us (many workers); try again shortly.
    Contended(String),
    /// The audit chain is keyed with `chain` (a key id) and this process holds another key, or
    /// none: an entry written now would break the chain, so the change is refused.
    AuditKeyMismatch {
        chain: String,
        ours: Option<String>,
    },
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::UnsupportedUrl(url) => write!(
                f,
                "unsupported database URL `{}`: use sqlite://FILE or postgres://…",
                redact(url)
            ),
            StoreError::Database(error) if is_postgres_disk_full(error) => write!(
                f,
                "the database server's disk is full ({error}); the unfinished write was rolled back; free space on the database server and try again"
            ),
            StoreError::Database(error) => write!(f, "database error: {error}"),
            StoreError::DatabaseFile {
                file,
                fault,
                source,
            } => write!(f, "{} ({source}); {}", fault.headline(file), fault.remedy()),
            StoreError::SchemaTooNew { found, known } => write!(
                f,
                "the database schema is at version {found}, newer than this herald knows ({known}); upgrade herald instead of running an older binary against it"
            ),
            StoreError::SchemaTooOld { found, known } => write!(
                f,
                "the database schema is at version {found}, older than this herald's ({known}); this command leaves the database as it is: run it with the herald that wrote the database, or `herald migrate` first"
            ),
            StoreError::UnknownVersion(hash) => write!(f, "no campaign version {}", hash.short()),
            StoreError::Transition(error) => write!(f, "{error}"),
            StoreError::ConcurrentChange { hash, expected } => write!(
                f,
                "version {} is no longer {expected}: someone else changed it; reload and try again",
                hash.short()
            ),
            StoreError::Corrupt(what) => write!(f, "unreadable stored data: {what}"),
            StoreError::Contended(bucket) => {
                write!(f, "rate bucket `{bucket}` is contended; retrying later")
            }
            StoreError::AuditKeyMismatch { chain, ours: None } => write!(
                f,
                "the audit chain is keyed (key id {chain}) and {} is not set: set it to the service's key to make changes",
                crate::secrets::SECRET_KEY_VARIABLE
            ),
            StoreError::AuditKeyMismatch {
                chain,
                ours: Some(ours),
            } => write!(
                f,
                "the audit chain is keyed with key id {chain}, but this {} has key id {ours}: use the service's key, or during a rotation set {} to the key it replaces",
                crate::secrets::SECRET_KEY_VARIABLE,
                crate::secrets::PREVIOUS_SECRET_KEY_VARIABLE
            ),
        }
    }
}

impl std::error::Error for StoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StoreError::Database(error) | StoreError::DatabaseFile { source: error, .. } => {
                Some(error)
            }
            _ => None,
        }
    }
}

impl StoreError {
    /// Names the SQLite file in an error caused by that file or its disk (see [`FileFault`]);
    /// any other error is returned unchanged.
    pub fn in_sqlite_file(self, file: &str) -> StoreError {
        match self {
            StoreError::Database(source) => match FileFault::of_sqlite(&source) {
                Some(fault) => StoreError::DatabaseFile {
                    file: file.to_string(),
                    fault,
                    source,
                },
                None => StoreError::Database(source),
            },
            other => other,
        }
    }

    /// The disk under the database is full: the write was rolled back and may succeed once
    /// space is freed, so a long-running worker can wait and retry instead of exiting.
    pub fn is_disk_full(&self) -> bool {
        match self {
            StoreError::DatabaseFile {
                fault: FileFault::DiskFull,
                ..
            } => true,
            StoreError::Database(error) => is_postgres_disk_full(error),
            _ => false,
        }
    }
}

/// PostgreSQL's `disk_full` (SQLSTATE 53100): the server could not extend a file, so the
/// statement failed and its transaction was rolled back, as with SQLite's full disk.
fn is_postgres_disk_full(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Database(database) => database.code().as_deref() == Some("53100"),
        _ => false,
    }
}

impl StoreError {
    /// Whether trying again later may succeed: the connection failed or dropped (a database
    /// restarting), the pool had no connection in time, the database is busy, locked, out of
    /// space or resources, or a transaction lost a serialization race. Workers retry these with
    /// backoff instead of stopping; anything else is a bug or bad data and is reported at once.
    pub fn is_transient(&self) -> bool {
        match self {
            StoreError::Contended(_) => true,
            StoreError::Database(error) | StoreError::DatabaseFile { source: error, .. } => {
                match error {
                    sqlx::Error::Io(_)
                    | sqlx::Error::Tls(_)
                    | sqlx::Error::Protocol(_)
                    | sqlx::Error::PoolTimedOut
                    | sqlx::Error::PoolClosed
                    | sqlx::Error::WorkerCrashed => true,
                    sqlx::Error::Database(database) => database.code().is_some_and(|code| {
                        let code = code.as_ref();
                        // PostgreSQL: connection exceptions (08…), the server shutting down or
                        // starting (57P01–57P03), insufficient resources (53…), serialization
                        // failures and deadlocks (40001, 40P01).
                        code.starts_with("08")
                        || code.starts_with("53")
                        || matches!(code, "57P01" | "57P02" | "57P03" | "40001" | "40P01")
                        // SQLite: busy (5), locked (6), I/O error (10), full (13); extended
                        // codes keep the primary code in their low byte.
                        || code
                            .parse::<i64>()
                            .is_ok_and(|n| matches!(n & 0xff, 5 | 6 | 10 | 13))
                    }),
                    _ => false,
                }
            }
            _ => false,
        }
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        StoreError::Database(error)
    }
}

/// A URL with its password replaced, safe to print.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_failures_are_retried_and_bugs_are_not() {
        assert!(StoreError::Database(sqlx::Error::PoolTimedOut).is_transient());
        assert!(
            StoreError::Database(sqlx::Error::Io(std::io::ErrorKind::ConnectionReset.into()))
                .is_transient()
        );
        assert!(StoreError::Contended("bucket".into()).is_transient());
        assert!(!StoreError::Database(sqlx::Error::RowNotFound).is_transient());
        assert!(!StoreError::Corrupt("row".into()).is_transient());
    }

    /// A database error with a given SQLSTATE, as a server would send it.
    #[derive(Debug)]
    struct ServerError {
        code: &'static str,
        message: &'static str,
    }

    impl fmt::Display for ServerError {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.message)
        }
    }

    impl std::error::Error for ServerError {}

    impl sqlx::error::DatabaseError for ServerError {
        fn message(&self) -> &str {
            self.message
        }
        fn code(&self) -> Option<std::borrow::Cow<'_, str>> {
            Some(self.code.into())
        }
        fn as_error(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
            self
        }
        fn as_error_mut(&mut self) -> &mut (dyn std::error::Error + Send + Sync + 'static) {
            self
        }
        fn into_error(self: Box<Self>) -> Box<dyn std::error::Error + Send + Sync + 'static> {
            self
        }
        fn kind(&self) -> sqlx::error::ErrorKind {
            sqlx::error::ErrorKind::Other
        }
    }

    fn server_error(code: &'static str, message: &'static str) -> StoreError {
        StoreError::Database(sqlx::Error::Database(Box::new(ServerError {
            code,
            message,
        })))
    }

    #[test]
    fn a_full_postgresql_disk_says_so_and_is_retried() {
        let full = server_error(
            "53100",
            "could not extend file \"base/16384/16385\": No space left on device",
        );
        assert!(full.is_disk_full());
        assert!(full.is_transient());
        let text = full.to_string();
        assert!(
            text.starts_with("the database server's disk is full (")
                && text.contains("No space left on device")
                && text.ends_with("free space on the database server and try again"),
            "{text}"
        );
        let other = server_error("53200", "out of memory");
        assert!(!other.is_disk_full());
        assert_eq!(
            other.to_string(),
            "database error: error returned from database: out of memory"
        );
    }

    #[test]
    fn passwords_never_reach_messages() {
        assert_eq!(
            redact("postgres://herald:s3cret@db:5432/herald"),
            "postgres://herald:***@db:5432/herald"
        );
        assert_eq!(redact("sqlite://herald.db"), "sqlite://herald.db");
    }
}
