//! A `herald` process left running while a test talks to it: its standard output read line by
//! line as it comes (a service prints its address, tokens and notes while it runs), stopped
//! with SIGTERM as Ctrl-C would, and killed when the test ends early.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub struct Background {
    child: Mutex<Child>,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Background {
    /// Starts `command` with its standard output kept for the test (standard error goes
    /// where the command says).
    pub fn spawn(mut command: Command) -> Background {
        command.stdout(Stdio::piped());
        let mut child = command.spawn().expect("start the command");
        let lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let kept = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&kept);
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        Background {
            child: Mutex::new(child),
            lines: kept,
        }
    }

    /// Every line printed so far.
    pub fn lines(&self) -> Vec<String> {
        self.lines.lock().unwrap().clone()
    }

    /// The first line printed that contains `needle`, waiting up to `patience`.
    pub fn line_containing_within(&self, needle: &str, patience: Duration) -> String {
        let deadline = Instant::now() + patience;
        loop {
            if let Some(line) = self.lines().into_iter().find(|line| line.contains(needle)) {
                return line;
            }
            let ended = self.child.lock().unwrap().try_wait();
            if let Ok(Some(status)) = ended {
                // It may have printed the line just before it ended.
                std::thread::sleep(Duration::from_millis(100));
                if let Some(line) = self.lines().into_iter().find(|l| l.contains(needle)) {
                    return line;
                }
                panic!(
                    "the process ended ({status}) without printing {needle:?}:\n{}",
                    self.lines().join("\n")
                );
            }
            assert!(
                Instant::now() < deadline,
                "no line with {needle:?} within {patience:?}:\n{}",
                self.lines().join("\n")
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// [`Background::line_containing_within`] ten seconds.
    pub fn line_containing(&self, needle: &str) -> String {
        self.line_containing_within(needle, Duration::from_secs(10))
    }

    /// The process id, for a test that signals it itself.
    pub fn id(&self) -> u32 {
        self.child.lock().unwrap().id()
    }

    /// SIGTERM, then the exit code (within 20 s, or the test fails).
    pub fn stop(mut self) -> Option<i32> {
        let child = self.child.get_mut().unwrap();
        let status = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success());
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = child.try_wait().expect("wait for the process") {
                return status.code();
            }
            assert!(
                Instant::now() < deadline,
                "still running 20 s after SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        if let Ok(child) = self.child.get_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
