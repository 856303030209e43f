//! SQLite errors whose cause is the database's file or the disk under it, not herald: a full
//! disk, a read-only file, a file that cannot be opened, an I/O error. SQLite reports them with
//! one line ("database or disk is full") that names neither the file nor what to do; these
//! are recognised by their result code so the message can say both.

/// What the file system refused. SQLite's primary result codes: <https://sqlite.org/rescode.html>.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFault {
    /// `SQLITE_FULL` (13): a write needed space the disk (or file system quota) does not have.
    DiskFull,
    /// `SQLITE_READONLY` (8): the file, its folder or the mount is read-only for herald.
    ReadOnly,
    /// `SQLITE_CANTOPEN` (14): the file or its folder is missing or not accessible.
    CannotOpen,
    /// `SQLITE_IOERR` (10): the operating system failed a read, write or sync.
    Io,
}

impl FileFault {
    /// The fault behind a SQLite error, if it is one of these. Other errors (constraints,
    /// SQL mistakes, a busy database) are not about the file and give `None`.
    pub fn of_sqlite(error: &sqlx::Error) -> Option<FileFault> {
        let sqlx::Error::Database(database) = error else {
            return None;
        };
        // SQLite errors carry the extended result code; its low byte is the primary code.
        let extended: i32 = database.code()?.parse().ok()?;
        match extended & 0xff {
            13 => Some(FileFault::DiskFull),
            8 => Some(FileFault::ReadOnly),
            14 => Some(FileFault::CannotOpen),
            10 => Some(FileFault::Io),
            _ => None,
        }
    }

    /// The fault as the start of a sentence, naming the database file.
    pub fn headline(self, file: &str) -> String {
        match self {
            FileFault::DiskFull => format!("the disk holding the database {file} is full"),
            FileFault::ReadOnly => format!("the database {file} is read-only"),
            FileFault::CannotOpen => format!("cannot open the database {file}"),
            FileFault::Io => format!("the disk holding the database {file} failed a read or write"),
        }
    }

    /// What the operator can do about it, as the end of an error message.
    pub fn remedy(self) -> &'static str {
        match self {
            FileFault::DiskFull => {
                "the unfinished write was rolled back; free space on that disk (or move the database: --database-url / HERALD_DATABASE_URL) and try again"
            }
            FileFault::ReadOnly => {
                "give herald write access to the file, its -wal and -shm files and their folder, or point --database-url / HERALD_DATABASE_URL at a writable place"
            }
            FileFault::CannotOpen => {
                "check that the folder exists and that herald may read and write there (--database-url / HERALD_DATABASE_URL)"
            }
            FileFault::Io => "check the disk (system log, free space) and try again",
        }
    }
}

/// Real SQLite errors for tests, made without filling a disk.
#[cfg(test)]
pub(crate) mod real_errors {
    use sqlx::Connection;
    use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};

    /// `SQLITE_FULL` from a database capped at a few pages (`PRAGMA max_page_count`), which
    /// SQLite reports exactly as it reports a full disk.
    pub async fn disk_full() -> sqlx::Error {
        let mut connection = SqliteConnection::connect_with(&SqliteConnectOptions::new())
            .await
            .expect("in-memory database");
        sqlx::raw_sql("CREATE TABLE filler (text TEXT); PRAGMA max_page_count = 4;")
            .execute(&mut connection)
            .await
            .expect("set up");
        sqlx::query("INSERT INTO filler VALUES (zeroblob(100000))")
            .execute(&mut connection)
            .await
            .expect_err("the cap is reached")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{SqliteStore, StoreError};

    #[tokio::test]
    async fn a_full_disk_is_recognised_and_named_with_sqlites_words() {
        let error =
            StoreError::from(real_errors::disk_full().await).in_sqlite_file("data/herald.db");
        assert!(error.is_disk_full());
        let message = error.to_string();
        assert!(
            message.starts_with("the disk holding the database data/herald.db is full ("),
            "{message}"
        );
        assert!(
            message.contains("(code: 13) database or disk is full"),
            "{message}"
        );
        assert!(message.contains("free space on that disk"), "{message}");
        assert!(std::error::Error::source(&error).is_some());
    }

    #[tokio::test]
    async fn a_read_only_database_is_recognised() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("herald.db");
        let url = format!("sqlite://{}", path.display());
        SqliteStore::connect(&url).await.unwrap();
        let read_only = sqlx::SqlitePool::connect(&format!("{url}?mode=ro"))
            .await
            .unwrap();
        let error = sqlx::query("CREATE TABLE t (x INTEGER)")
            .execute(&read_only)
            .await
            .unwrap_err();
        assert_eq!(FileFault::of_sqlite(&error), Some(FileFault::ReadOnly));
    }

    #[tokio::test]
    async fn a_database_in_a_missing_folder_cannot_be_opened_and_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("absent").join("herald.db");
        let error = SqliteStore::connect(&format!("sqlite://{}", path.display()))
            .await
            .unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with(&format!("cannot open the database {} (", path.display())),
            "{error}"
        );
        assert!(!error.is_disk_full());
    }

    #[tokio::test]
    async fn other_database_errors_are_left_as_they_are() {
        let pool = sqlx::SqlitePool::connect("sqlite::memory:").await.unwrap();
        let error = sqlx::query("SELECT * FROM nowhere")
            .fetch_all(&pool)
            .await
            .unwrap_err();
        assert_eq!(FileFault::of_sqlite(&error), None);
        assert!(matches!(
            StoreError::from(error).in_sqlite_file("herald.db"),
            StoreError::Database(_)
        ));
    }
}
