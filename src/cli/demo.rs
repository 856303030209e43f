//! `herald demo`: the example campaigns from approval to report, in under a minute, on a
//! temporary database, a simulated clock and the in-process sandbox. With `--serve`, the demo's
//! herald stays up afterwards on a loopback port, so that a newcomer can browse what happened
//! in the web interface, signed in as each demo user, until Ctrl-C.

use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::time::Instant;

use super::DemoArgs;
use super::runtime::{StopSignal, runtime};
use crate::demo::{
    DemoOptions, DemoOutcome, ServedDemo, listen_on, run_demo, serve_demo, summary_table,
};

pub fn demo(args: DemoArgs) -> ExitCode {
    let runtime = match runtime() {
        Ok(runtime) => runtime,
        Err(code) => return code,
    };
    let started = Instant::now();
    eprintln!(
        "herald demo: the example campaigns, approved by demo users, dispatched on a simulated clock through emulated partners, then reported"
    );
    let options = DemoOptions {
        project: args.project,
        out: args.out,
        weeks: args.weeks,
        subscribers: args.subscribers,
        seed: args.seed,
        keep_database: args.keep_database,
    };
    let ran = if args.serve {
        runtime.block_on(serve_until_stopped(&options, args.port, started))
    } else {
        runtime
            .block_on(run_demo(&options))
            .map(|outcome| print_outcome(&outcome, started))
    };
    match ran {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

/// The summary and the reports' paths.
fn print_outcome(outcome: &DemoOutcome, started: Instant) {
    crate::say!(
        "{} simulated days in {:.1} s\n",
        outcome.simulated_days,
        started.elapsed().as_secs_f64()
    );
    crate::stdout_lines::say_text(&summary_table(&outcome.campaigns));
    crate::say!("\nreports (counts below 10 suppressed):");
    for path in &outcome.reports {
        crate::say!("  {}", path.display());
    }
}

/// Runs the demo, serves it on loopback until Ctrl-C or SIGTERM (also while it still runs),
/// then removes its database. Only loopback: the tokens printed open every page.
async fn serve_until_stopped(
    options: &DemoOptions,
    port: u16,
    started: Instant,
) -> Result<(), crate::demo::DemoError> {
    let stop_signal = StopSignal::listen();
    let listener = listen_on(SocketAddr::from((Ipv4Addr::LOCALHOST, port))).await?;
    let stopping = stop_signal.requested();
    tokio::pin!(stopping);
    let served = tokio::select! {
        served = serve_demo(options, listener) => served?,
        () = &mut stopping => {
            // Dropping the demo under way drops its temporary folder, database and all.
            eprintln!("stopped before the demo had finished; its database is removed");
            return Ok(());
        }
    };
    print_outcome(&served.outcome, started);
    print_sign_ins(&served);
    stopping.await;
    eprintln!("stopping: the demo's database and temporary folder are removed");
    served.stop().await
}

/// Where to go and how to sign in. The tokens go to standard output only, never to the log.
fn print_sign_ins(served: &ServedDemo) {
    let address = served.address();
    crate::say!(
        "\nherald demo serving on {address} (web interface under /ui, API under /api/v1), with the emulated partners"
    );
    if served.removes_database() {
        crate::say!(
            "database: {} (removed when you stop the demo with Ctrl-C)",
            served.database().display()
        );
    } else {
        crate::say!("database: {} (kept)", served.database().display());
    }
    crate::say!(
        "sign in at {address}/ui/login with a demo user's token (valid in this demo's database only):"
    );
    for sign_in in &served.sign_ins {
        crate::say!(
            "  {} ({}): {}",
            sign_in.name,
            sign_in.role.name(),
            sign_in.token.expose()
        );
    }
    if let Some(campaign) = served.campaigns().next() {
        crate::say!("what to open, for example:");
        crate::say!(
            "  versions and who approved them (ana, ben, sam): {address}/ui/campaigns/{campaign}"
        );
        crate::say!("  the schedule (sam): {address}/ui/campaigns/{campaign}/schedule");
        crate::say!("  the dispatch monitor (sam): {address}/ui/campaigns/{campaign}/dispatch");
        crate::say!("  the report with its charts (eve): {address}/ui/campaigns/{campaign}/report");
    }
    crate::say!("Ctrl-C stops the demo.");
}
