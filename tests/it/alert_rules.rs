//! The alert rules under deploy/prometheus/ are checked by Prometheus's own tool
//! (`promtool test rules`: each alert fires on the series that should fire it, and not
//! before), and every metric they name is one herald exports, so renaming a metric cannot
//! silently leave an alert watching nothing.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

fn prometheus_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/deploy/prometheus"))
}

/// `herald_…` names in `text`, without the suffixes Prometheus adds to a histogram's series.
fn metric_names(text: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut rest = text;
    while let Some(at) = rest.find("herald_") {
        let tail = &rest[at..];
        let end = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(tail.len());
        if !tail[..end].ends_with('_') {
            names.insert(tail[..end].to_string());
        }
        rest = &tail[end..];
    }
    names
}

#[test]
fn every_metric_an_alert_watches_is_exported() {
    let rules = std::fs::read_to_string(prometheus_dir().join("alerts.yml")).unwrap();
    // Every series appears once something was counted; the labels are what tests in this
    // process happened to use, the names are what matter.
    let metrics = &*herald::metrics::METRICS;
    metrics.partner_call(
        "telegram",
        herald::metrics::PartnerCallOutcome::Published,
        std::time::Duration::from_millis(1),
    );
    let exported = metric_names(&metrics.render());
    let watched = metric_names(&rules);
    assert!(watched.len() >= 7, "{watched:?}");
    let missing: Vec<&String> = watched.difference(&exported).collect();
    assert!(
        missing.is_empty(),
        "alerts.yml watches metrics herald does not export: {missing:?}\nexported: {exported:?}"
    );
}

#[test]
fn promtool_passes_the_alert_unit_tests() {
    let run = Command::new("promtool")
        .args(["test", "rules", "alerts.test.yml"])
        .current_dir(prometheus_dir())
        .output();
    let output = match run {
        Ok(output) => output,
        Err(error) => {
            // CI installs promtool (Debian's prometheus package) and sets this variable, so the
            // rules are checked there; a developer without it is told so.
            assert!(
                std::env::var_os("HERALD_REQUIRE_PROMTOOL").is_none(),
                "promtool is required here: {error}"
            );
            eprintln!("promtool not found ({error}): alert rules not checked");
            return;
        }
    };
    assert!(
        output.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
