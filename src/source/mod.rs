//! What authors and operators write, as herald reads it: TOML read with the exact span of every
//! value (`toml_reader`), and diagnostics that point at a file, line and column
//! (`diagnostic`). Campaign files and `herald.toml` are both read this way; this module imports
//! nothing of herald's, so the configuration and the campaign model can share it without
//! depending on each other.

pub mod diagnostic;
pub mod toml_reader;

pub use diagnostic::{Diagnostic, Diagnostics, Severity, SourceFile};
