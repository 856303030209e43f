//! The machine a run measured, in one line, so a table is never read without it: timings only
//! compare on the same hardware, and the ratios still depend on core count and memory.

/// CPU model, cores, memory, OS and kernel, rustc, build profile and the date, as far as this
/// system tells them; what it does not tell is left out.
pub fn description() -> String {
    let mut parts = Vec::new();
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    if let Some(model) = field(&cpuinfo, "model name") {
        parts.push(model);
    }
    let listed = cpuinfo
        .lines()
        .filter(|line| line.starts_with("processor"))
        .count();
    match std::thread::available_parallelism().map(usize::from) {
        Ok(usable) if listed > usable => parts.push(format!("{usable} of {listed} cores usable")),
        Ok(usable) => parts.push(format!("{usable} cores")),
        Err(_) if listed > 0 => parts.push(format!("{listed} cores")),
        Err(_) => {}
    }
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    if let Some(kb) = field(&meminfo, "MemTotal")
        .and_then(|total| total.split_whitespace().next()?.parse::<f64>().ok())
    {
        parts.push(format!("{:.1} GiB memory", kb / 1024.0 / 1024.0));
    }
    let os = std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|release| {
            release
                .lines()
                .find_map(|line| line.strip_prefix("PRETTY_NAME="))
                .map(|name| name.trim_matches('"').to_string())
        });
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .ok()
        .map(|release| format!("Linux {}", release.trim()));
    match (os, kernel) {
        (Some(os), Some(kernel)) => parts.push(format!("{os}, {kernel}")),
        (Some(one), None) | (None, Some(one)) => parts.push(one),
        (None, None) => {}
    }
    if let Some(rustc) = rustc_version() {
        parts.push(rustc);
    }
    parts.push(
        if cfg!(debug_assertions) {
            "debug build"
        } else {
            "optimized build (bench profile)"
        }
        .to_string(),
    );
    parts.push(format!("run on {}", chrono::Utc::now().format("%Y-%m-%d")));
    parts.join(", ")
}

/// The value of the first `name : value` line of a `/proc` file.
fn field(text: &str, name: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        (key.trim() == name).then(|| value.trim().to_string())
    })
}

/// `rustc --version` of the compiler cargo uses (`$RUSTC` or the one on the path): under
/// `cargo bench` the one that just built this binary. Nothing when it cannot be run.
fn rustc_version() -> Option<String> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let output = std::process::Command::new(rustc)
        .arg("--version")
        .output()
        .ok()?;
    let version = String::from_utf8(output.stdout).ok()?;
    let version = version.trim();
    (output.status.success() && !version.is_empty()).then(|| version.to_string())
}
