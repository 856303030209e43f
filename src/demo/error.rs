//! Why the demo could not run, as one type for `herald demo` to print.

use crate::app::AppError;
use crate::store::StoreError;

#[derive(Debug)]
pub enum DemoError {
    /// The example project is not valid; the diagnostics, one per line.
    Project {
        folder: String,
        problems: String,
    },
    /// `--keep-database FILE` names a file that exists.
    DatabaseExists(String),
    /// Something the demo needs from the machine: a folder, a port, randomness.
    Setup(String),
    App(AppError),
    Store(StoreError),
    /// The simulated people could not act through the emulator.
    Audience(String),
    /// A report could not be written.
    Write(String),
}

impl std::fmt::Display for DemoError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DemoError::Project { folder, problems } => write!(
                f,
                "the demo runs the campaigns in {folder} (campaigns/, locales/, herald.toml), and they are not valid:\n{problems}"
            ),
            DemoError::DatabaseExists(file) => write!(
                f,
                "{file} already exists: the demo keeps its database only in a new file"
            ),
            DemoError::Setup(message)
            | DemoError::Audience(message)
            | DemoError::Write(message) => f.write_str(message),
            DemoError::App(error) => write!(f, "{error}"),
            DemoError::Store(error) => write!(f, "{error}"),
        }
    }
}

impl std::error::Error for DemoError {}

impl From<AppError> for DemoError {
    fn from(error: AppError) -> Self {
        DemoError::App(error)
    }
}

impl From<StoreError> for DemoError {
    fn from(error: StoreError) -> Self {
        DemoError::Store(error)
    }
}
