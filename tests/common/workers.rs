//! `herald worker` processes as an operator starts several of them on one database: the real
//! binary, so that a test can kill one with SIGKILL mid-batch and watch the others take over.

use std::path::Path;
use std::process::{Child, Command, Stdio};

/// Starts `herald worker` on `database` with the configuration at `config`, sending to the
/// sandbox at `sandbox`. Leases last `lease_seconds`: short, so that a killed worker's jobs are
/// taken over within the test. `stderr` is where its log goes: `Stdio::piped()` for a test
/// that reads it after the worker stops, `Stdio::null()` for one that never does (a pipe
/// nobody reads would stall a long-running worker).
pub fn spawn_worker(
    database: &str,
    config: &Path,
    sandbox: &str,
    lease_seconds: u32,
    stderr: Stdio,
) -> Child {
    Command::new(env!("CARGO_BIN_EXE_herald"))
        .args(["worker", "--lease-seconds", &lease_seconds.to_string()])
        .args(["--sandbox-url", sandbox])
        .arg("--database-url")
        .arg(database)
        .arg("--config")
        .arg(config)
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .expect("start a worker")
}

/// Stops a worker as an orchestrator does, with SIGTERM, and fails the test unless it finishes
/// its batch and exits 0.
pub fn stop_gracefully(worker: Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &worker.id().to_string()])
        .status();
    let output = worker.wait_with_output().expect("wait for the worker");
    assert!(
        output.status.success(),
        "a worker stopped cleanly on SIGTERM: {:?} {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
}
