//! The peak memory of the process measuring itself: herald's, when the partner emulator runs in
//! a process of its own (see `emulator.rs`).

/// The peak resident set size of this process so far, in kB (`VmHWM`); 0 where the kernel does
/// not say.
pub fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(str::to_string)
        })
        .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        .unwrap_or(0)
}
