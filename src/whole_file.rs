//! Files herald writes for people to read (reports, previews): each is written whole or not at
//! all. The text goes to a temporary file in the target's own folder, is synced to disk, and
//! only then renamed over the target. A full disk, a quota or a crash midway therefore never
//! leaves half a report that looks like a finished one: the temporary file is removed and the
//! target keeps what it had before (or stays absent).

use std::fmt;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// A file that could not be written; nothing was left at its path.
#[derive(Debug)]
pub struct WriteError {
    pub path: PathBuf,
    pub source: io::Error,
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.path.display();
        if self.source.kind() == io::ErrorKind::StorageFull {
            write!(
                f,
                "cannot write {path}: the disk is full ({}); nothing was written there, free space (or choose another place) and run the command again",
                self.source
            )
        } else {
            write!(
                f,
                "cannot write {path}: {}; nothing was written there",
                self.source
            )
        }
    }
}

impl std::error::Error for WriteError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// Writes `contents` to `path` so that the path holds either all of it or what it held before.
/// The new file gets the permissions an ordinary new file gets (0666 less the umask).
pub fn write_whole(path: &Path, contents: &[u8]) -> Result<(), WriteError> {
    let failed = |source: io::Error| WriteError {
        path: path.to_path_buf(),
        source,
    };
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .ok_or_else(|| failed(io::Error::other("the path names no file")))?;
    let mut prefix = std::ffi::OsString::from(".");
    prefix.push(name);
    prefix.push(".");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".partial");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    // Dropping the temporary file on any error below removes it.
    let mut temporary = builder.tempfile_in(folder).map_err(failed)?;
    temporary.write_all(contents).map_err(failed)?;
    // Some file systems only report a full disk when the data is flushed.
    temporary.as_file().sync_all().map_err(failed)?;
    temporary
        .persist(path)
        .map_err(|error| failed(error.error))?;
    // The rename itself lives in the folder: sync it too, so that after a power cut the path
    // holds the new file rather than the old one (or nothing). A folder that cannot be opened
    // for syncing (some platforms) leaves the file written, which is what the caller asked.
    #[cfg(unix)]
    if let Ok(folder) = std::fs::File::open(folder) {
        let _ = folder.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_target_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.csv");
        std::fs::write(&path, "old, longer contents").unwrap();
        write_whole(&path, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("report.csv")]);
    }

    #[test]
    fn a_missing_folder_is_an_error_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("absent").join("report.csv");
        let error = write_whole(&path, b"text").unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with(&format!("cannot write {}: ", path.display())),
            "{error}"
        );
        assert!(!path.exists());
    }

    #[cfg(unix)]
    #[test]
    fn a_new_file_is_as_readable_as_one_made_by_fs_write() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("plain.txt");
        let whole = dir.path().join("whole.txt");
        std::fs::write(&plain, "x").unwrap();
        write_whole(&whole, b"x").unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&whole), mode(&plain));
    }
}
