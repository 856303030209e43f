//! `herald sandbox [--port P] [--no-limits] [--count-only]`: the emulated partners alone, for
//! rehearsals, adapters, client libraries and benchmarks.

use std::process::ExitCode;
use std::sync::Arc;

use super::runtime::{StopSignal, runtime};
use crate::clock::SystemClock;
use crate::sandbox::{Sandbox, SandboxConfig, SandboxLimits};

pub fn sandbox(port: u16, no_limits: bool, count_only: bool) -> ExitCode {
    let runtime = match runtime() {
        Ok(runtime) => runtime,
        Err(code) => return code,
    };
    runtime.block_on(async {
        let stop_signal = StopSignal::listen();
        let mut config = SandboxConfig::default();
        if no_limits {
            config.limits = SandboxLimits::off();
        }
        config.keep_record = !count_only;
        let sandbox = Sandbox::new(config, Arc::new(SystemClock));
        let running = match sandbox.start(port).await {
            Ok(running) => running,
            Err(error) => {
                eprintln!("error: cannot listen on port {port}: {error}");
                return ExitCode::FAILURE;
            }
        };
        crate::say!("sandbox partners listening on {}", running.base_url());
        crate::say!(
            "  Telegram: POST {}/bot<token>/sendMessage",
            running.base_url()
        );
        crate::say!("  webhooks: POST {}/webhook/<account>", running.base_url());
        crate::say!("  received: GET  {}/sandbox/received", running.base_url());
        stop_signal.requested().await;
        running.shutdown().await;
        ExitCode::SUCCESS
    })
}
