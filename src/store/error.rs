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
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::UnsupportedUrl(url) => write!(
                f,
                "unsupported database URL `{}`: use sqlite://FILE or postgres://…",
                redact(url)
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
        matches!(
            self,
            StoreError::DatabaseFile {
                fault: FileFault::DiskFull,
                ..
            }
        )
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
    fn passwords_never_reach_messages() {
        assert_eq!(
            redact("postgres://herald:s3cret@db:5432/herald"),
            "postgres://herald:***@db:5432/herald"
        );
        assert_eq!(redact("sqlite://herald.db"), "sqlite://herald.db");
    }
}
