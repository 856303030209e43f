//! herald's partner emulator in a process of its own (`herald sandbox --no-limits
//! --count-only`), so that what a benchmark reads of the process it measures (peak memory) is
//! herald's alone, and the emulator's bookkeeping never counts against herald.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// A running `herald sandbox`, stopped when dropped.
pub struct Emulator {
    child: Child,
    /// Where it listens, e.g. `http://127.0.0.1:41234`.
    pub base_url: String,
}

/// What the emulator took so far (`GET /sandbox/counts`; its request count is left aside).
#[derive(serde::Deserialize)]
pub struct Counts {
    pub new_deliveries: u64,
}

impl Emulator {
    /// Starts `herald sandbox` on a free port, limits off, counting only.
    pub fn start() -> Emulator {
        let mut child = Command::new(env!("CARGO_BIN_EXE_herald"))
            .args(["sandbox", "--port", "0", "--no-limits", "--count-only"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start herald sandbox");
        let mut lines = BufReader::new(child.stdout.take().expect("its output")).lines();
        let first = lines.next().and_then(Result::ok).unwrap_or_default();
        let base_url = first
            .strip_prefix("sandbox partners listening on ")
            .unwrap_or_else(|| panic!("herald sandbox did not start: {first:?}"))
            .trim()
            .to_string();
        // Keep its output drained so that it never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Emulator { child, base_url }
    }

    /// Seconds of CPU the emulator's process has used so far.
    pub fn cpu_seconds(&self) -> f64 {
        crate::cpu_time::cpu_seconds(Some(self.child.id()))
    }

    /// What it took so far.
    pub async fn counts(&self) -> Counts {
        let body = reqwest::get(format!("{}/sandbox/counts", self.base_url))
            .await
            .expect("ask the emulator for its counts")
            .bytes()
            .await
            .expect("its counts");
        serde_json::from_slice(&body).expect("counts as JSON")
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
