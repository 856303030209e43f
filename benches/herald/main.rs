//! Every benchmark of herald in one run, ending in one table: each figure beside a baseline
//! measured in the same run, so the ratio holds even on a busy or different machine.
//!
//! `cargo bench` runs them all; `cargo bench -- NAME ...` only those whose name contains one of
//! the NAMEs. Progress goes to stderr; the machine line and the table go to stdout, and the
//! table also to `bench-table.md` in the target folder, ready to paste into the README.

mod bare_client;
mod broadcast;
mod child_run;
mod cpu_time;
mod dispatch;
mod emulator;
mod machine;
mod peak_memory;
mod postgres;
mod report;
mod store_plan;
mod table;
mod validate_render;
mod viber_broadcast;
mod whatsapp_broadcast;

use std::path::PathBuf;
use std::time::Instant;

use table::{Row, Rows};

/// A benchmark: measures and pushes its rows.
type Benchmark = fn(&mut Rows);

/// Every benchmark, by name, in the order they run. The WhatsApp broadcast comes first: it reads
/// the peak memory of this process, which earlier benchmarks would have raised (the others that
/// report memory measure it in child processes).
const BENCHMARKS: [(&str, Benchmark); 6] = [
    (whatsapp_broadcast::NAME, whatsapp_broadcast::run),
    (viber_broadcast::NAME, viber_broadcast::run),
    (validate_render::NAME, validate_render::run),
    (store_plan::NAME, store_plan::run),
    (dispatch::NAME, dispatch::run),
    (report::NAME, report::run),
];

/// A tokio runtime with `threads` workers, for one benchmark at a time.
pub fn runtime(threads: usize) -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .enable_all()
        .build()
        .expect("tokio runtime")
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if run_child(&args) {
        return;
    }
    // cargo adds `--bench`; any other flag is a libtest option that means nothing here.
    let filters: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    let selected: Vec<_> = BENCHMARKS
        .iter()
        .filter(|(name, _)| filters.is_empty() || filters.iter().any(|f| name.contains(f.as_str())))
        .collect();
    if selected.is_empty() {
        let names: Vec<&str> = BENCHMARKS.iter().map(|(name, _)| *name).collect();
        eprintln!(
            "no benchmark matches {filters:?}; the benchmarks are: {}",
            names.join(", ")
        );
        std::process::exit(2);
    }

    let started = Instant::now();
    let mut rows = Rows::default();
    let mut failed = false;
    for (name, run) in selected {
        eprintln!("{name} ...");
        let benchmark_started = Instant::now();
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(&mut rows)));
        if let Err(panic) = outcome {
            failed = true;
            rows.push(Row::failed(name, panic_message(panic.as_ref())));
        }
        eprintln!("{name}: {:.0} s", benchmark_started.elapsed().as_secs_f64());
    }
    eprintln!(
        "all selected benchmarks: {:.0} s",
        started.elapsed().as_secs_f64()
    );

    let machine = machine::description();
    println!();
    println!("machine: {machine}");
    println!();
    print!("{}", table::aligned(rows.as_slice()));
    println!();
    println!("{}", table::FOOTNOTE);

    let markdown = format!(
        "Machine: {machine}.\n\n{}\n{}\n",
        table::markdown(rows.as_slice()),
        table::FOOTNOTE
    );
    let path = target_dir().join("bench-table.md");
    match std::fs::write(&path, markdown) {
        Ok(()) => eprintln!("table written to {}", path.display()),
        Err(error) => {
            eprintln!("could not write {}: {error}", path.display());
            failed = true;
        }
    }
    if failed {
        std::process::exit(1);
    }
}

/// Runs the measured child run the arguments ask for, if any (see `dispatch::CHILD_FLAG` and
/// `viber_broadcast::CHILD_FLAG`): true when this process was such a child.
fn run_child(args: &[String]) -> bool {
    if let Some(position) = args.iter().position(|a| a == viber_broadcast::CHILD_FLAG) {
        let usage = format!("{} SUBSCRIBERS EMULATOR_URL", viber_broadcast::CHILD_FLAG);
        let subscribers: usize = args
            .get(position + 1)
            .and_then(|n| n.parse().ok())
            .expect(&usage);
        let emulator = args.get(position + 2).expect(&usage);
        viber_broadcast::child(subscribers, emulator);
        return true;
    }
    if let Some(position) = args.iter().position(|a| a == dispatch::CHILD_FLAG) {
        let usage = format!(
            "{} JOBS STORE EMULATOR_URL large|defaults",
            dispatch::CHILD_FLAG
        );
        let jobs: usize = args
            .get(position + 1)
            .and_then(|n| n.parse().ok())
            .expect(&usage);
        let store = args.get(position + 2).expect(&usage);
        let emulator = args.get(position + 3).expect(&usage);
        let batches = args
            .get(position + 4)
            .and_then(|arg| dispatch::Batches::from_arg(arg))
            .expect(&usage);
        dispatch::child(jobs, store, emulator, batches);
        return true;
    }
    false
}

/// What a benchmark's panic said, for its FAILED row.
fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "panicked".to_string())
}

/// Cargo's target folder: `CARGO_TARGET_DIR` when set, else the folder above this binary that
/// holds cargo's `CACHEDIR.TAG`, else `target` in the package.
fn target_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    let from_binary = std::env::current_exe().ok().and_then(|exe| {
        exe.ancestors()
            .find(|dir| dir.join("CACHEDIR.TAG").is_file())
            .map(PathBuf::from)
    });
    from_binary.unwrap_or_else(|| {
        std::env::var_os("CARGO_MANIFEST_DIR")
            .map(PathBuf::from)
            .unwrap_or_default()
            .join("target")
    })
}
