//! `docs/TUTORIAL.md` as a reader follows it: every ```sh block, read from the tutorial itself,
//! run in order in a new folder with this build's `herald`, and every line of the ```text
//! block after it found in what the commands printed. `herald serve --sandbox` runs in the
//! background on a free port (the tutorial's 8080 is replaced by it everywhere), as in a
//! second terminal window; the step that says "ask again" is asked again until the first
//! posts have gone out. So the tutorial fails the build when it stops being true: from
//! `herald init` through four-eyes approval and a rehearsed send to the report. Its attack is
//! the tutorial's own: the author approving her version is refused.

use crate::common;

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::background::Background;
use common::documented_commands::{DocumentedStep, documented_steps, installed, shell, shows_line};

const GUIDE: &str = "docs/TUTORIAL.md";

/// How long a step that says "ask again" is asked again: a minute's slot, and some.
const PATIENCE: Duration = Duration::from_secs(90);

/// A loopback port nobody listens on now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

/// The lines of `step` that `printed` lacks.
fn missing(step: &DocumentedStep, printed: &str) -> Vec<String> {
    step.shows
        .iter()
        .filter(|shown| !shows_line(printed, shown))
        .cloned()
        .collect()
}

/// Runs one step in `dir` (again, while it says so and the lines are not there yet).
fn run_step(step: &DocumentedStep, dir: &Path) {
    let asks_again = step
        .commands
        .lines()
        .next()
        .is_some_and(|line| line.contains("ask again"));
    let deadline = Instant::now() + if asks_again { PATIENCE } else { Duration::ZERO };
    loop {
        let output = shell(&step.commands, dir, &[]).output().expect("run sh");
        let printed = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        let lacking = missing(step, &printed);
        if output.status.success() && lacking.is_empty() {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{GUIDE}: the step\n{}\nexited {:?} and did not print\n{}\nbut\n{printed}",
            step.commands,
            output.status.code(),
            lacking.join("\n")
        );
        std::thread::sleep(Duration::from_secs(2));
    }
}

/// Starts the service step in the background, listening on `port`, and waits for the lines
/// the tutorial shows it printing.
fn start_service(step: &DocumentedStep, dir: &Path, port: u16) -> Background {
    let command = step
        .commands
        .lines()
        .map(str::trim)
        .find(|line| line.starts_with("herald serve"))
        .expect("the service's command");
    let mut sh = shell(
        &format!("exec {command} --listen 127.0.0.1:{port}"),
        dir,
        &[],
    );
    sh.stderr(Stdio::null());
    let service = Background::spawn(sh);
    service.line_containing("herald serving on");
    for shown in &step.shows {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !shows_line(&service.lines().join("\n"), shown) {
            assert!(
                Instant::now() < deadline,
                "{GUIDE}: the service did not print {shown:?}:\n{}",
                service.lines().join("\n")
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    service
}

#[test]
fn the_tutorial_runs_as_written() {
    for tool in ["jq", "curl"] {
        if !installed(tool) {
            // CI installs both and sets this variable, so the tutorial is checked there.
            assert!(
                std::env::var_os("HERALD_REQUIRE_TUTORIAL_TOOLS").is_none(),
                "{tool} is required here"
            );
            eprintln!("{tool} is not installed: the tutorial test is skipped");
            return;
        }
    }
    let root = tempfile::tempdir().unwrap();
    let mut dir = root.path().to_path_buf();
    let port = free_port();
    let ours = |text: &str| text.replace("127.0.0.1:8080", &format!("127.0.0.1:{port}"));
    let steps = documented_steps(GUIDE);
    assert!(steps.len() >= 10, "{steps:#?}");
    assert!(
        steps.iter().all(|step| !step.shows.is_empty()),
        "every step shows what it prints: {steps:#?}"
    );
    let mut service = None;
    for step in &steps {
        // The commands reach the service on our port; what herald prints from the project's
        // files (the preview's links, from `public_url`) stays as the tutorial shows it.
        let mut step = DocumentedStep {
            commands: ours(&step.commands),
            shows: step.shows.clone(),
        };
        if step.commands.trim_start().starts_with("herald serve") {
            step.shows = step.shows.iter().map(|line| ours(line)).collect();
            service = Some(start_service(&step, &dir, port));
            continue;
        }
        run_step(&step, &dir);
        if let Some(folder) = step
            .commands
            .lines()
            .find_map(|l| l.trim().strip_prefix("cd "))
        {
            dir = dir.join(folder.trim());
        }
    }
    let service = service.expect("the tutorial starts the service");
    assert_eq!(service.stop(), Some(0), "Ctrl-C's twin stops the service");
    let report = std::fs::read_to_string(dir.join("report.html")).expect("the report");
    assert!(
        report.contains("<h1>Reach report: return-advice</h1>"),
        "{report}"
    );
}
