//! Measured runs in a child process of the bench binary, so that the peak memory a run reads of
//! its own process is that run's alone: the child prints one `RESULT ...` line of numbers.

/// The numbers of the child's `RESULT` line, or a panic with what the child said when it
/// failed (`what` names the run in the message).
pub fn result_fields(output: &std::process::Output, what: &str) -> Vec<f64> {
    let stdout = String::from_utf8_lossy(&output.stdout);
    if let Some(line) = stdout.lines().find(|l| l.starts_with("RESULT ")) {
        let fields: Vec<f64> = line
            .split_whitespace()
            .skip(1)
            .filter_map(|f| f.parse().ok())
            .collect();
        return fields;
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    eprint!("{stderr}");
    let reason: Vec<&str> = stderr
        .lines()
        .skip_while(|l| !l.contains("panicked at"))
        .skip(1)
        .take_while(|l| !l.starts_with("stack backtrace") && !l.starts_with("note:"))
        .collect();
    panic!(
        "the run of {what} failed ({}): {}",
        output.status,
        reason.join(" ")
    );
}
