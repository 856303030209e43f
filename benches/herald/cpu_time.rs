//! CPU time a process has used, user and system together, from `/proc/<pid>/stat`: what a
//! delivery costs herald, the emulator and the bare client, which explains a ratio when the
//! two cores are what all three share.

/// Seconds of CPU the process `pid` (this one when `None`) has used so far; 0 where the kernel
/// does not say. The kernel counts in clock ticks (1/100 s here), so read it over runs of
/// seconds.
pub fn cpu_seconds(pid: Option<u32>) -> f64 {
    let path = match pid {
        Some(pid) => format!("/proc/{pid}/stat"),
        None => "/proc/self/stat".to_string(),
    };
    let Ok(stat) = std::fs::read_to_string(path) else {
        return 0.0;
    };
    // The command name (field 2) may hold spaces; the fields after its `)` are plain numbers.
    let Some((_, after_name)) = stat.rsplit_once(')') else {
        return 0.0;
    };
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
    let ticks: f64 = [11, 12]
        .iter()
        .filter_map(|&i| fields.get(i).and_then(|f| f.parse::<f64>().ok()))
        .sum();
    ticks / CLOCK_TICKS_PER_SECOND
}

/// `sysconf(_SC_CLK_TCK)` on Linux, which is 100 on every architecture herald builds for.
const CLOCK_TICKS_PER_SECOND: f64 = 100.0;

/// Microseconds of CPU per unit of work.
pub fn micros_per(seconds: f64, units: usize) -> f64 {
    seconds * 1e6 / units.max(1) as f64
}
