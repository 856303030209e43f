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
        .args(["-e", "-c", &block])
        .current_dir(dir)
        .env("PATH", path)
        .env("NO_COLOR", "1")
        .env_remove("HERALD_DATABASE_URL")
        .env_remove("RUST_LOG");
    for (name, value) in env {
        command.env(name, value);
    }
    let output = command.output().expect("run sh");
    assert!(
        output.status.success(),
        "{guide}, `{heading}` failed:\n{block}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}
