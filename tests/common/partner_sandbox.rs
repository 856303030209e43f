//! The sandbox as the partner adapters' tests meet it: on a simulated clock from a fixed
//! moment, so that rate windows and callback delays pass without waiting.

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use herald::clock::SimulatedClock;
use herald::sandbox::{RunningSandbox, Sandbox, SandboxConfig};

/// When the simulated clock starts: Friday 15 January 2027, 10:00 UTC.
pub fn start_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 1, 15, 10, 0, 0).unwrap()
}

/// A simulated clock at [`start_time`].
pub fn simulated_clock() -> SimulatedClock {
    SimulatedClock::starting_at(start_time())
}

/// A sandbox with `config` on a fresh simulated clock, serving on a free port.
pub async fn start(config: SandboxConfig) -> (Sandbox, RunningSandbox, SimulatedClock) {
    let clock = simulated_clock();
    let sandbox = Sandbox::new(config, Arc::new(clock.clone()));
    let running = sandbox.start(0).await.expect("sandbox starts");
    (sandbox, running, clock)
}
