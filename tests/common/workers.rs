//! `herald worker` processes as an operator starts several of them on one database: the real
//! binary, so that a test can kill one with SIGKILL mid-batch and watch the others take over.

use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::thread::JoinHandle;

/// Starts `herald worker` on `database` with the configuration at `config`, sending to the
/// sandbox at `sandbox`. Leases last `lease_seconds`: short, so that a killed worker's jobs are
/// taken over within the test. `stderr` is where its log goes: `Stdio::piped()` for a test
/// that reads it (through [`drain_stderr`], at once: a pipe nobody reads would stall a
/// worker that logs), `Stdio::null()` for one that never does.
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

/// Reads a child's piped standard error on a thread of its own as the child writes it, so the
/// child never blocks on a full pipe; joining gives everything it wrote.
pub fn drain_stderr(child: &mut Child) -> JoinHandle<String> {
    let mut stderr = child.stderr.take().expect("stderr is piped");
    std::thread::spawn(move || {
        let mut text = Vec::new();
        let _ = stderr.read_to_end(&mut text);
        String::from_utf8_lossy(&text).into_owned()
    })
}

/// Stops a worker as an orchestrator does, with SIGTERM, and fails the test unless it finishes
/// its batch and exits 0; its log (from [`drain_stderr`]) is shown if it does not.
pub fn stop_gracefully(mut worker: Child, log: JoinHandle<String>) {
    let _ = Command::new("kill")
        .args(["-TERM", &worker.id().to_string()])
        .status();
    let status = worker.wait().expect("wait for the worker");
    let log = log.join().unwrap_or_default();
    assert!(
        status.success(),
        "a worker stopped cleanly on SIGTERM: {status:?} {log}"
    );
}
