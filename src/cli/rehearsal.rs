//! Keeping rehearsals off the network. A rehearsing service reachable from the network would
//! take partner events signed with a rehearsal secret into real data, so `serve --sandbox`
//! listens on loopback unless the operator says otherwise. (The database's side of the same
//! rule, a rehearsal on a database that has sent for real, is checked as herald assembles:
//! see `crate::app::check_database_use`.)

use std::net::SocketAddr;
use std::process::ExitCode;

use crate::app::Partners;
use crate::platforms::{REHEARSAL_CREDENTIAL, Secret};

/// The flag that lets `serve --sandbox` listen on a non-loopback address.
pub const ALLOW_PUBLIC_REHEARSAL: &str = "--allow-public-rehearsal";

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

/// The partners a dispatching command talks to: the real ones, the built-in emulator
/// (`--sandbox`), or the emulator at `--sandbox-url`, which every account sends the public
/// rehearsal credential.
pub fn partners(built_in: bool, sandbox_url: Option<&str>) -> Partners {
    match (built_in, sandbox_url) {
        (true, _) => Partners::BuiltIn,
        (false, Some(url)) => Partners::Emulator {
            url: url.to_string(),
            credential: Secret::new(REHEARSAL_CREDENTIAL),
        },
        (false, None) => Partners::Real,
    }
}
