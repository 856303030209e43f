//! `herald demo` as a newcomer runs it, shortened to two weeks of campaign time: the example
//! campaigns go out through the emulated partners, people subscribe and click, and the
//! reports it writes carry what happened.

use crate::common;

use std::process::Command;

use common::published_reports::published_reports;

#[test]
fn the_demo_runs_the_example_campaigns_and_writes_their_reports() {
    let out = tempfile::tempdir().unwrap();
    let run = Command::new(env!("CARGO_BIN_EXE_herald"))
        .args([
            "demo",
            "--project",
            env!("CARGO_MANIFEST_DIR"),
            "--weeks",
            "2",
            "--subscribers",
            "80",
            "--keep-database",
        ])
        .arg(out.path().join("demo.db"))
        .arg("--out")
        .arg(out.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("80 people subscribed to the messaging channels"),
        "{stderr}"
    );
    // The summary: the Netherlands campaign's messages were sent, delivered and read.
    let row = stdout
        .lines()
        .find(|l| l.starts_with("avr-nl-2027"))
        .unwrap_or_else(|| panic!("{stdout}"));
    let numbers: Vec<i64> = row
        .split_whitespace()
        .skip(1)
        .map(|n| n.parse().unwrap())
        .collect();
    let (sent, delivered, read) = (numbers[0], numbers[1], numbers[2]);
    assert!(sent > 100, "{row}");
    assert!(delivered > 0 && delivered <= sent, "{row}");
    assert!(read > 0 && read <= delivered, "{row}");
    for name in [
        "avr-nl-2027.html",
        "avr-nl-2027.csv",
        "safe-migration-sahel-2027.html",
        "safe-migration-sahel-2027.csv",
    ] {
        let path = out.path().join(name);
        assert!(
            stdout.contains(&path.display().to_string()),
            "{name} listed: {stdout}"
        );
    }
    let html = std::fs::read_to_string(out.path().join("avr-nl-2027.html")).unwrap();
    assert!(html.contains("<h1>Reach report: avr-nl-2027</h1>"));
    assert!(html.contains("<svg"), "charts");
    assert!(html.contains("whatsapp:nl-optin") && html.contains("viber:nl-community"));
    let csv = std::fs::read_to_string(out.path().join("avr-nl-2027.csv")).unwrap();
    assert!(csv.contains("delivered"), "{csv}");
    // The report's sent total is the summary's with its cell-key noise (at most ±3 under
    // the default publication policy), never further off.
    assert!(
        (sent - 3..=sent + 3).any(|n| html.contains(&format!("<td>{n}</td>"))),
        "sent {sent} in the report"
    );
    // The kept database publishes the same counts again, by week too.
    let url = format!("sqlite://{}", out.path().join("demo.db").display());
    let reports = published_reports(
        &url,
        "avr-nl-2027",
        &["segment,locale,channel,variant"],
        &["run", "week"],
    );
    for report in &reports {
        let sent_table = report["tables"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["metric"] == "sent")
            .unwrap_or_else(|| panic!("a sent table: {report}"));
        let total = sent_table["grand_total"].as_i64().unwrap();
        assert!((total - sent).abs() <= 3, "sent {total} against {sent}");
    }
    assert_eq!(reports[1]["period"], "week");
    // A second demo does not write over a kept database.
    let again = Command::new(env!("CARGO_BIN_EXE_herald"))
        .args([
            "demo",
            "--project",
            env!("CARGO_MANIFEST_DIR"),
            "--weeks",
            "1",
        ])
        .arg("--keep-database")
        .arg(out.path().join("demo.db"))
        .arg("--out")
        .arg(out.path())
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("already exists"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
}
