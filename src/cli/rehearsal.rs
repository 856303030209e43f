//! Keeping rehearsals and real sending apart. A rehearsal (`serve --sandbox`, `worker
//! --sandbox-url`) on a database that has sent to the real partners would mark real people's
//! messages as sent to a sandbox, and a rehearsing service reachable from the network would
//! take partner events signed with a rehearsal secret into real data. Both need the operator
//! to say so explicitly; a real run records on its database that it sends for real.

use std::net::SocketAddr;
use std::process::ExitCode;

use crate::store::{AnyStore, Store};

/// The flag that lets a rehearsal use a database that has sent for real.
pub const ALLOW_USED_DATABASE: &str = "--allow-used-database";
/// The flag that lets `serve --sandbox` listen on a non-loopback address.
pub const ALLOW_PUBLIC_REHEARSAL: &str = "--allow-public-rehearsal";

/// Before a run: a rehearsal refuses a database marked as used for real sending (unless
/// `allow_used_database`); a real run marks it.
pub async fn check_database(
    store: &AnyStore,
    rehearsing: bool,
    allow_used_database: bool,
) -> Result<(), ExitCode> {
    if !rehearsing {
        let now = chrono::Utc::now().timestamp_millis();
        return store.mark_real_sending(now).await.map_err(|error| {
            eprintln!("error: cannot record on the database that it sends for real: {error}");
            ExitCode::FAILURE
        });
    }
    let since = store.real_sending_since().await.map_err(|error| {
        eprintln!("error: cannot read how this database has been used: {error}");
        ExitCode::FAILURE
    })?;
    match since {
        Some(at_ms) if !allow_used_database => {
            let when = chrono::DateTime::from_timestamp_millis(at_ms)
                .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
                .unwrap_or_else(|| "an unknown date".to_string());
            eprintln!(
                "error: this database has sent to the real partners (recorded {when}); a rehearsal on it would mark real people's messages as sent to the sandbox and take sandbox events into real data. Rehearse on a fresh database (--database-url), or pass {ALLOW_USED_DATABASE} if you really mean to"
            );
            Err(ExitCode::FAILURE)
        }
        _ => Ok(()),
    }
}

/// A rehearsing service listens on a loopback address unless `allow_public`.
pub fn check_listener(listen: SocketAddr, allow_public: bool) -> Result<(), ExitCode> {
    if listen.ip().is_loopback() || allow_public {
        return Ok(());
    }
    eprintln!(
        "error: a rehearsal listens on a loopback address only (its partner hooks accept events signed with a secret printed on this terminal); to listen on {listen}, pass {ALLOW_PUBLIC_REHEARSAL}"
    );
    Err(ExitCode::from(2))
}
