//! `herald serve` as an operator starts it: the real binary on port 0, its address read from
//! its first line, the rest of its standard output kept for the test, stopped with SIGTERM
//! (or killed when the test ends early).

use std::process::{Command, Stdio};

use super::Project;
use super::background::Background;

pub struct Served {
    process: Background,
    /// `127.0.0.1:PORT`.
    pub address: String,
}

impl Served {
    /// Starts `herald serve --listen 127.0.0.1:0 ARGS` in the project, with `env` set, on the
    /// project's own SQLite database.
    pub fn start(project: &Project, args: &[&str], env: &[(&str, &str)]) -> Served {
        let database = format!("sqlite://{}", project.path("herald.db").display());
        let mut command = Command::new(env!("CARGO_BIN_EXE_herald"));
        command
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--database-url",
                &database,
            ])
            .args(args)
            .current_dir(project.dir.path())
            .env_remove("RUST_LOG")
            .stderr(Stdio::null());
        for (name, value) in env {
            command.env(name, value);
        }
        let process = Background::spawn(command);
        let first = process.line_containing("herald serving on http://");
        let address = first
            .strip_prefix("herald serving on http://")
            .and_then(|rest| rest.split_whitespace().next())
            .unwrap_or_else(|| panic!("unexpected first line: {first}"))
            .to_string();
        Served { process, address }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// The first line printed after the address that contains `needle`, waiting up to 10 s.
    pub fn line_containing(&self, needle: &str) -> String {
        self.process.line_containing(needle)
    }

    /// SIGTERM, then the exit code.
    pub fn stop(self) -> Option<i32> {
        self.process.stop()
    }
}
