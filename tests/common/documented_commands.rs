//! The shell commands a guide gives, run as written: a test that follows a runbook reads its
//! commands from the guide itself, so the guide cannot drift from what was tested.

use std::path::Path;
use std::process::Command;

/// The ```sh block of `guide` (a path from the repository root) whose first line starts with
/// `heading` (a `# …` comment naming what the block does). There must be exactly one.
pub fn documented_block(guide: &str, heading: &str) -> String {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(guide))
        .unwrap_or_else(|error| panic!("cannot read {guide}: {error}"));
    let blocks: Vec<String> = text
        .split("```sh\n")
        .skip(1)
        .filter_map(|rest| rest.split_once("```").map(|(block, _)| block.to_string()))
        .filter(|block| block.starts_with(heading))
        .collect();
    assert_eq!(
        blocks.len(),
        1,
        "{guide} should have one ```sh block starting with `{heading}`"
    );
    blocks[0].clone()
}

/// Whether `tool` is installed (answers `--version`).
pub fn installed(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|output| output.status.success())
}

/// Runs the block of `guide` that starts with `heading` with `sh -e` in `dir`, with `env` set
/// and this build's `herald` first on the PATH; fails the test unless every command succeeds.
/// Returns what the block printed.
pub fn run_documented(guide: &str, heading: &str, dir: &Path, env: &[(&str, &str)]) -> String {
    let block = documented_block(guide, heading);
    let output = shell(&block, dir, env).output().expect("run sh");
    assert!(
        output.status.success(),
        "{guide}, `{heading}` failed:\n{block}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// `sh -e -c block` in `dir`, with `env` set and this build's `herald` first on the PATH, as a
/// reader following the guide would run it (no colours, no log filter, no database chosen).
pub fn shell(block: &str, dir: &Path, env: &[(&str, &str)]) -> Command {
    let herald = Path::new(env!("CARGO_BIN_EXE_herald"));
    let bin = herald.parent().expect("the folder of herald");
    let path = match std::env::var_os("PATH") {
        Some(path) => {
            let mut all = vec![bin.to_path_buf()];
            all.extend(std::env::split_paths(&path));
            std::env::join_paths(all).expect("a PATH")
        }
        None => bin.as_os_str().to_owned(),
    };
    let mut command = Command::new("sh");
    command
        .args(["-e", "-c", block])
        .current_dir(dir)
        .env("PATH", path)
        .env("NO_COLOR", "1")
        .env_remove("HERALD_DATABASE_URL")
        .env_remove("RUST_LOG");
    for (name, value) in env {
        command.env(name, value);
    }
    command
}

/// One step of a guide: a ```sh block, and the ```text block right after it (nothing but
/// blank lines between), which shows lines the commands print.
#[derive(Debug, Clone)]
pub struct DocumentedStep {
    pub commands: String,
    /// The lines the guide shows, `…` standing for what differs between runs.
    pub shows: Vec<String>,
}

/// Every ```sh block of `guide`, in order, with what the guide shows it prints.
pub fn documented_steps(guide: &str) -> Vec<DocumentedStep> {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(guide))
        .unwrap_or_else(|error| panic!("cannot read {guide}: {error}"));
    let mut steps: Vec<DocumentedStep> = Vec::new();
    let mut rest = text.as_str();
    // Whether only blank lines stand between the last ```sh block and here.
    let mut right_after_commands = false;
    while let Some(start) = rest.find("```") {
        let between = &rest[..start];
        let opened = &rest[start + 3..];
        let (info, body) = opened.split_once('\n').unwrap_or((opened, ""));
        let (block, after) = body
            .split_once("```")
            .unwrap_or_else(|| panic!("{guide}: a ``` block is not closed"));
        let follows = right_after_commands && between.trim().is_empty();
        match info.trim() {
            "sh" => {
                steps.push(DocumentedStep {
                    commands: block.to_string(),
                    shows: Vec::new(),
                });
                right_after_commands = true;
            }
            "text" if follows => {
                let step = steps.last_mut().expect("a step before");
                step.shows = block
                    .lines()
                    .filter(|line| !line.trim().is_empty())
                    .map(str::to_string)
                    .collect();
                right_after_commands = false;
            }
            _ => right_after_commands = false,
        }
        rest = after;
    }
    steps
}

/// Whether `printed` has a line that `shown` describes: the parts of `shown` between its `…`
/// appear in that line, in that order.
pub fn shows_line(printed: &str, shown: &str) -> bool {
    printed.lines().any(|line| {
        let mut from = 0;
        shown.split('…').all(|part| match line[from..].find(part) {
            Some(at) => {
                from += at + part.len();
                true
            }
            None => false,
        })
    })
}
