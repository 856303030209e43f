//! Headless Chromium for tests of what people see: the distribution's `chromium`, started as
//! the machine's closed network needs (no background networking, no component updates), with
//! a fresh profile each time. Where Chromium is missing, browser tests are skipped, unless
//! `HERALD_REQUIRE_BROWSER` is set (CI installs Chromium and sets it), where they fail.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The browser, or `None` (the test then returns early, saying so).
pub fn chromium() -> Option<PathBuf> {
    let found = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.exists());
    if found.is_none() {
        assert!(
            std::env::var_os("HERALD_REQUIRE_BROWSER").is_none(),
            "HERALD_REQUIRE_BROWSER is set but Chromium is not installed (apt-get install chromium chromium-driver)"
        );
        eprintln!("Chromium is not installed: browser test skipped");
    }
    found
}

/// Runs Chromium headless on `url` with `extra` arguments; returns standard output.
pub fn headless(browser: &Path, url: &str, extra: &[&str]) -> String {
    let profile = tempfile::tempdir().expect("profile folder");
    let output = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(url)
        .output()
        .expect("run chromium");
    assert!(
        output.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Where screenshots of a test run are kept for people to look at: `target/screenshots/`.
pub fn screenshot_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"));
    let dir = target.join("screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot folder");
    dir
}
