//! Lines for the operator on standard output. A reader that went away (`herald serve | head`,
//! a closed terminal) is not an error: Rust's `println!` panics on it, which would take a task
//! or the whole command down for a line nobody can read any more. Here a closed pipe is
//! quietly the end of the output, and the command goes on (a service keeps serving, a
//! one-shot command finishes and exits as it would have).

use std::fmt::Arguments;
use std::io::{ErrorKind, Write};

/// Writes one line on standard output; a closed pipe drops it, another failure is logged.
pub fn say_line(line: Arguments<'_>) {
    write_out(format_args!("{line}\n"));
}

/// Writes `text` as it is (a report, a table that ends its own lines).
pub fn say_text(text: &str) {
    write_out(format_args!("{text}"));
}

fn write_out(text: Arguments<'_>) {
    let mut out = std::io::stdout().lock();
    if let Err(error) = out.write_fmt(text).and_then(|()| out.flush()) {
        if error.kind() != ErrorKind::BrokenPipe {
            tracing::warn!(%error, "cannot write to standard output");
        }
    }
}

/// `println!` for the operator, through [`say_line`].
#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::stdout_lines::say_line(format_args!($($arg)*))
    };
}

/// A command's writing to standard output, with a reader that went away counted as done.
pub fn closed_pipe_is_done(written: std::io::Result<()>) -> std::io::Result<()> {
    match written {
        Err(error) if error.kind() == ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}
