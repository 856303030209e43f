//! An evaluator who combines published reach reports can work hidden counts out again. These
//! tests run that attacker (tests/common/interval_attack) on reports that small-cell
//! suppression protected, table by table (the saved reports under
//! tests/fixtures/disclosure, from `herald demo --weeks 8 --seed 3`), and on small reports
//! whose answers are worked out by hand, so that the attacker cannot quietly become weaker.

use crate::common;

use std::path::PathBuf;

use serde_json::{Value, json};

use common::interval_attack::{AttackOutcome, TargetRange, attack};
use common::published_reports::{published_reports, published_reports_under};

const AVR: &str = "avr-nl-2027";
const SAHEL: &str = "safe-migration-sahel-2027";

fn fixture_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/disclosure")
        .join(name)
}

/// A saved report: `campaign.period.json`.
fn saved(campaign: &str, period: &str) -> Value {
    let path = fixture_path(&format!("{campaign}.{period}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path:?}: {e}"))
}

/// The whole-run and weekly reports of both demo campaigns, as the evaluator had them.
fn saved_reports() -> Vec<Value> {
    [AVR, SAHEL]
        .iter()
        .flat_map(|c| [saved(c, "run"), saved(c, "week")])
        .collect()
}

/// A true count of the demo run behind the saved reports, per ISO week.
struct TrueCount {
    campaign: String,
    metric: String,
    labels: Vec<(&'static str, String)>,
    week: String,
    count: u64,
}

/// The demo database's counts, summed per week; only the tests read them, never the attacker.
fn true_counts() -> Vec<TrueCount> {
    let text = std::fs::read_to_string(fixture_path("true-counts-by-week.csv")).unwrap();
    text.lines()
        .skip(1)
        .map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            assert_eq!(f.len(), 8, "{line}");
            TrueCount {
                campaign: f[0].to_string(),
                metric: f[1].to_string(),
                labels: vec![
                    ("segment", f[2].to_string()),
                    ("locale", f[3].to_string()),
                    ("variant", f[4].to_string()),
                    ("channel", f[5].to_string()),
                ],
                week: f[6].to_string(),
                count: f[7].parse().unwrap(),
            }
        })
        .collect()
}

fn true_value(range: &TargetRange, truth: &[TrueCount]) -> u64 {
    truth
        .iter()
        .filter(|t| {
            let labels: Vec<(&str, &str)> =
                t.labels.iter().map(|(n, v)| (*n, v.as_str())).collect();
            range
                .target
                .counts(&t.campaign, &t.metric, &labels, &t.week)
        })
        .map(|t| t.count)
        .sum()
}

/// Every range the attacker claims holds the true value: it is never wrong, only unsure.
fn assert_ranges_hold_the_truth(outcome: &AttackOutcome, truth: &[TrueCount]) {
    let wrong: Vec<String> = outcome
        .ranges
        .iter()
        .filter_map(|range| {
            let value = true_value(range, truth);
            let inside = range.low() <= value && range.high().is_none_or(|h| value <= h);
            (!inside).then(|| {
                format!(
                    "{}: true {value}, range [{}, {:?}]",
                    range.target,
                    range.low(),
                    range.high()
                )
            })
        })
        .collect();
    assert!(wrong.is_empty(), "ranges that miss the truth: {wrong:#?}");
}

fn assert_consistent(outcome: &AttackOutcome) {
    assert!(
        outcome.contradictions.is_empty(),
        "the reports do not fit the attacker's model: {:#?}",
        &outcome.contradictions[..outcome.contradictions.len().min(10)]
    );
}

/// The example: in the whole-run sent table, row in-eu-nl / ar / a hides Telegram
/// and Viber but shows WhatsApp (383) and the total (747). The delivered table shows Viber
/// (359), and Viber's sent and delivered columns have the same total, so every Viber message
/// was delivered: Telegram sent = 747 − 383 − 359 = 5.
#[test]
fn suppressed_reports_give_back_telegram_sent_of_the_example_row() {
    let outcome = attack(&[saved(AVR, "run")]);
    assert_consistent(&outcome);
    let sent = |channel: &str| {
        outcome
            .range(
                AVR,
                "sent",
                &[
                    ("segment", "in-eu-nl"),
                    ("locale", "ar"),
                    ("variant", "a"),
                    ("channel", channel),
                ],
            )
            .unwrap_or_else(|| panic!("{channel} sent is hidden in the example row"))
            .clone()
    };
    assert_eq!(sent("telegram:nl-info").recovered(), Some(5));
    assert_eq!(sent("viber:nl-community").recovered(), Some(359));
}

/// Both campaigns' whole-run and weekly reports together: most hidden values come back, and
/// every range the attacker claims holds the true value.
#[test]
fn suppressed_reports_give_back_most_hidden_counts() {
    let outcome = attack(&saved_reports());
    eprintln!("{}", outcome.summary());
    assert_consistent(&outcome);
    let truth = true_counts();
    assert_ranges_hold_the_truth(&outcome, &truth);
    let recovered: Vec<_> = outcome.recovered().collect();
    let small = recovered
        .iter()
        .filter(|(_, v)| (1..10).contains(v))
        .count();
    eprintln!(
        "{} of {} hidden values recovered, {small} of them counts from 1 to 9",
        recovered.len(),
        outcome.ranges.len()
    );
    for (range, value) in recovered.iter().take(15) {
        eprintln!("  {} = {value}", range.target);
    }
    assert!(
        recovered.len() >= 400 && small >= 250,
        "the attacker recovered only {} values ({small} small): {}",
        recovered.len(),
        outcome.summary()
    );
}

/// The delivery rate is published from the true counts: an evaluator who has the sent counts
/// and the rate (0.99783… = 460 / 461) knows delivered, and so the one message that failed
/// in row in-eu-nl / en / no variants on WhatsApp, suppressed as it is. To show that the rate
/// alone does it, every delivered count is hidden here.
#[test]
fn suppressed_reports_give_back_failed_from_the_delivery_rate() {
    let mut report = saved(AVR, "run");
    let hidden = json!("suppressed");
    for table in report["tables"].as_array_mut().unwrap() {
        if table["metric"] != "delivered" {
            continue;
        }
        for field in ["cells", "row_totals", "column_totals"] {
            for value in table[field].as_array_mut().unwrap() {
                match value.as_array_mut() {
                    Some(row) => row.iter_mut().for_each(|c| *c = hidden.clone()),
                    None => *value = hidden.clone(),
                }
            }
        }
        table["grand_total"] = hidden.clone();
    }
    let failed_of = |outcome: &AttackOutcome| {
        outcome
            .range(
                AVR,
                "failed",
                &[
                    ("segment", "in-eu-nl"),
                    ("locale", "en"),
                    ("variant", "no variants"),
                    ("channel", "whatsapp:nl-optin"),
                ],
            )
            .expect("failed is hidden in that row")
            .clone()
    };
    let outcome = attack(std::slice::from_ref(&report));
    assert_consistent(&outcome);
    assert_eq!(failed_of(&outcome).recovered(), Some(1));
    // Without the rates the same reports leave it open.
    report["rates"] = json!([]);
    let blind = attack(&[report]);
    assert_eq!(
        failed_of(&blind).recovered(),
        None,
        "{:?}",
        failed_of(&blind)
    );
}

/// The attacker's reading of cell-key perturbation, checked on the same true counts published
/// that way by this test (independent noise of at most 2 on every count and total, 1 to 9
/// hidden and so is a count the noise takes below 10, 0 shown): the reports fit its model, and every range it claims holds the truth.
#[test]
fn simulated_perturbation_fits_the_attackers_model() {
    let truth = true_counts();
    let mut seed = 0x5eed_u64;
    let reports: Vec<Value> = saved_reports()
        .into_iter()
        .map(|r| perturbed(r, &truth, 2, &mut seed))
        .collect();
    let outcome = attack(&reports);
    eprintln!("{}", outcome.summary());
    assert_consistent(&outcome);
    assert_ranges_hold_the_truth(&outcome, &truth);
    let hidden = outcome
        .recovered()
        .filter(|(r, _)| r.target.published == "suppressed")
        .count();
    eprintln!("hidden values recovered through noise of at most 2: {hidden}");
    // Published counts are targets now: the noise leaves most of them open.
    let shown = outcome
        .ranges
        .iter()
        .filter(|r| r.target.published != "suppressed")
        .count();
    assert!(shown > 1000, "{shown} published counts attacked");
}

/// `report` published again from the true counts under perturbation with `noise`.
fn perturbed(mut report: Value, truth: &[TrueCount], noise: u64, seed: &mut u64) -> Value {
    const K: u64 = 10;
    let campaign = report["campaign"].as_str().unwrap().to_string();
    report["protection"] =
        json!({"method": "cell key perturbation", "k": K, "round_to": 1, "max_noise": noise});
    let mut publish = |v: u64| -> Value {
        if v == 0 {
            json!(0)
        } else if v < K {
            json!("suppressed")
        } else {
            *seed ^= *seed << 13;
            *seed ^= *seed >> 7;
            *seed ^= *seed << 17;
            let noisy = v + *seed % (2 * noise + 1) - noise;
            if noisy < K {
                json!("suppressed")
            } else {
                json!(noisy)
            }
        }
    };
    for table in report["tables"].as_array_mut().unwrap() {
        let metric = table["metric"].as_str().unwrap().to_string();
        let text = |v: &Value| -> Vec<String> {
            v.as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_str().unwrap().to_string())
                .collect()
        };
        let dimensions = text(&table["row_dimensions"]);
        let rows: Vec<Vec<String>> = table["rows"].as_array().unwrap().iter().map(text).collect();
        let columns = text(&table["columns"]);
        let sum = |row: Option<&Vec<String>>, column: Option<&String>| -> u64 {
            truth
                .iter()
                .filter(|t| t.campaign == campaign && t.metric == metric)
                .filter(|t| {
                    row.is_none_or(|row| {
                        dimensions.iter().zip(row).all(|(d, v)| match d.as_str() {
                            "period" => v == "whole run" || *v == t.week,
                            d => t.labels.iter().any(|(n, l)| *n == d && l == v),
                        })
                    })
                })
                .filter(|t| column.is_none_or(|c| c == "all channels" || t.labels[3].1 == *c))
                .map(|t| t.count)
                .sum()
        };
        for (r, row) in rows.iter().enumerate() {
            for (c, column) in columns.iter().enumerate() {
                table["cells"][r][c] = publish(sum(Some(row), Some(column)));
            }
            table["row_totals"][r] = publish(sum(Some(row), None));
        }
        for (c, column) in columns.iter().enumerate() {
            table["column_totals"][c] = publish(sum(None, Some(column)));
        }
        table["grand_total"] = publish(sum(None, None));
    }
    report
}

/// Runs `herald demo` for `weeks` with `seed`, keeping its database; its URL.
fn demo_database(folder: &std::path::Path, weeks: &str, seed: &str) -> String {
    let database = folder.join("demo.db");
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_herald"))
        .args(["demo", "--project", env!("CARGO_MANIFEST_DIR")])
        .args(["--weeks", weeks, "--seed", seed, "--keep-database"])
        .arg(&database)
        .arg("--out")
        .arg(folder.join("reports"))
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    format!("sqlite://{}", database.display())
}

/// Attacks `reports` and fails on any hidden count from 1 to k−1 that comes back. A hidden
/// cell pinned to 0 is reported, not failed: it says that nobody was there, which singles
/// nobody out.
fn assert_no_small_count_comes_back(reports: &[Value]) {
    let outcome = attack(reports);
    eprintln!("{}", outcome.summary());
    assert_consistent(&outcome);
    let zeros = outcome
        .recovered()
        .filter(|(r, v)| r.target.published == "suppressed" && *v == 0)
        .count();
    eprintln!("{zeros} hidden cells pinned to 0");
    for (range, value) in outcome
        .recovered()
        .filter(|(r, _)| r.target.published != "suppressed")
    {
        eprintln!("a published count pinned: {} = {value}", range.target);
    }
    let hidden: Vec<String> = outcome
        .recovered()
        .filter(|(r, v)| r.target.published == "suppressed" && *v > 0)
        .map(|(r, v)| format!("{} = {v}", r.target))
        .collect();
    assert!(
        hidden.is_empty(),
        "{} hidden counts recovered: {:#?}",
        hidden.len(),
        &hidden[..hidden.len().min(20)]
    );
}

/// herald's reports as published today under the default policy (the whole run and weeks),
/// for the demo run behind the saved ones (seed 3) and for the run whose noise pinned the most
/// published counts when this was written (seed 6), both campaigns attacked together. No
/// hidden count may come back, and the reports must fit the attacker's model of the
/// protection they state.
#[test]
fn protected_demo_reports_give_back_no_hidden_count() {
    for seed in ["3", "6"] {
        let folder = tempfile::tempdir().unwrap();
        let url = demo_database(folder.path(), "8", seed);
        let reports: Vec<Value> = [AVR, SAHEL]
            .iter()
            .flat_map(|campaign| {
                published_reports(
                    &url,
                    campaign,
                    &["segment,locale,channel,variant"],
                    &["run", "week"],
                )
            })
            .collect();
        eprintln!("seed {seed}:");
        assert_no_small_count_comes_back(&reports);
    }
}

/// A deployment that also publishes days and a second breakdown: every table of that policy,
/// over two weeks of the demo, attacked together.
#[test]
fn a_policy_with_days_and_two_breakdowns_gives_back_no_hidden_count() {
    let folder = tempfile::tempdir().unwrap();
    let url = demo_database(folder.path(), "2", "5");
    let config = folder.path().join("herald.toml");
    let base = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("herald.toml"),
    )
    .unwrap();
    std::fs::write(
        &config,
        format!(
            "{base}\n[publication]\nperiods = [\"run\", \"week\", \"day\"]\nbreakdowns = [\"segment,locale,channel,variant\", \"locale,channel\"]\n"
        ),
    )
    .unwrap();
    let reports: Vec<Value> = [AVR, SAHEL]
        .iter()
        .flat_map(|campaign| {
            published_reports_under(
                Some(&config),
                &url,
                campaign,
                &["segment,locale,channel,variant", "locale,channel"],
                &["run", "week", "day"],
            )
        })
        .collect();
    assert_no_small_count_comes_back(&reports);
}

// --- Small reports with hand-worked answers ---------------------------------------------

/// A report of one campaign `c` with `tables` (and rates) under `protection`.
fn report(protection: Value, tables: Vec<Value>, rates: Vec<Value>) -> Value {
    json!({
        "campaign": "c",
        "period": "run",
        "protection": protection,
        "tables": tables,
        "rates": rates,
    })
}

fn suppression() -> Value {
    json!({"k": 10, "round_to": 1})
}

fn perturbation(max_noise: u64) -> Value {
    json!({"method": "cell key perturbation", "k": 10, "round_to": 1, "max_noise": max_noise})
}

/// A whole-run table by locale (rows) and channel (columns x, y); `cells` row by row, each
/// value a count or "suppressed", then the row totals, column totals and grand total.
fn table(
    metric: &str,
    locales: &[&str],
    cells: Value,
    rows: Value,
    columns: Value,
    all: Value,
) -> Value {
    json!({
        "metric": metric,
        "period": "run",
        "row_dimensions": ["locale", "period"],
        "rows": locales.iter().map(|l| json!([l, "whole run"])).collect::<Vec<_>>(),
        "columns": ["x", "y"],
        "cells": cells,
        "row_totals": rows,
        "column_totals": columns,
        "grand_total": all,
        "total_label": "total",
    })
}

fn range_of(outcome: &AttackOutcome, metric: &str, locale: &str, channel: &str) -> TargetRange {
    outcome
        .range("c", metric, &[("locale", locale), ("channel", channel)])
        .unwrap_or_else(|| {
            panic!(
                "{metric} {locale} {channel} is a target: {:#?}",
                outcome.ranges
            )
        })
        .clone()
}

/// 3 + 20 = 23 and 3 + 30 = 33: one hidden cell with its margins shown is pinned.
#[test]
fn one_hidden_cell_with_its_margins_is_pinned() {
    let sent = table(
        "sent",
        &["ar", "fr"],
        json!([["suppressed", 20], [30, 40]]),
        json!([23, 70]),
        json!([33, 60]),
        json!(93),
    );
    let outcome = attack(&[report(suppression(), vec![sent], vec![])]);
    assert_consistent(&outcome);
    let hidden = range_of(&outcome, "sent", "ar", "x");
    assert_eq!(hidden.recovered(), Some(3), "{hidden:?}");
    assert_eq!(outcome.recovered().count(), 1, "{:#?}", outcome.ranges);
}

/// Two hidden cells in a row whose total is 14: each is 1 to 13 from that row alone.
#[test]
fn two_hidden_cells_in_a_row_stay_open() {
    let sent = table(
        "sent",
        &["ar", "fr"],
        json!([["suppressed", "suppressed"], [30, 40]]),
        json!([14, 70]),
        json!(["suppressed", "suppressed"]),
        json!(84),
    );
    let outcome = attack(&[report(suppression(), vec![sent], vec![])]);
    assert_consistent(&outcome);
    let x = range_of(&outcome, "sent", "ar", "x");
    assert_eq!((x.low(), x.high()), (1, Some(13)), "{x:?}");
    assert_eq!(x.recovered(), None);
}

/// The same 2×2 table under perturbation with noise up to 2: the hidden cell is the row
/// total 23 ± 2 minus 20 ± 2, somewhere in 1 to 7, not one value.
#[test]
fn noise_of_two_keeps_the_hidden_cell_open() {
    let sent = table(
        "sent",
        &["ar", "fr"],
        json!([["suppressed", 20], [30, 40]]),
        json!([23, 70]),
        json!([33, 60]),
        json!(93),
    );
    let outcome = attack(&[report(perturbation(2), vec![sent], vec![])]);
    assert_consistent(&outcome);
    let hidden = range_of(&outcome, "sent", "ar", "x");
    assert_eq!(hidden.recovered(), None, "{hidden:?}");
    assert!(
        hidden.low() <= 3 && hidden.high() >= Some(3) && hidden.high() > Some(hidden.low()),
        "{hidden:?}"
    );
    // The published counts themselves are targets now, and the noise keeps them open.
    let shown = range_of(&outcome, "sent", "ar", "y");
    assert_eq!(shown.recovered(), None, "{shown:?}");
    // Without noise the same table pins it again.
    let outcome = attack(&[report(
        perturbation(0),
        vec![table(
            "sent",
            &["ar", "fr"],
            json!([["suppressed", 20], [30, 40]]),
            json!([23, 70]),
            json!([33, 60]),
            json!(93),
        )],
        vec![],
    )]);
    assert_eq!(range_of(&outcome, "sent", "ar", "x").recovered(), Some(3));
}

/// Sent hides x and y of row ar (total 14): x is 1 to 13 from the table alone. The delivered
/// table shows 11 for ar on x, and nothing is delivered that was not sent: x is 11 to 13.
/// Delivered 13 would pin it.
#[test]
fn delivered_no_more_than_sent_tightens_the_range() {
    let sent = || {
        table(
            "sent",
            &["ar", "fr"],
            json!([["suppressed", "suppressed"], [30, 40]]),
            json!([14, 70]),
            json!(["suppressed", "suppressed"]),
            json!(84),
        )
    };
    let delivered = |x: u64| {
        table(
            "delivered",
            &["ar", "fr"],
            json!([[x, 0], [30, 40]]),
            json!([x, 70]),
            json!([x + 30, 40]),
            json!(x + 70),
        )
    };
    let outcome = attack(&[report(suppression(), vec![sent(), delivered(11)], vec![])]);
    assert_consistent(&outcome);
    let x = range_of(&outcome, "sent", "ar", "x");
    assert_eq!((x.low(), x.high()), (11, Some(13)), "{x:?}");
    let outcome = attack(&[report(suppression(), vec![sent(), delivered(13)], vec![])]);
    assert_eq!(range_of(&outcome, "sent", "ar", "x").recovered(), Some(13));
    assert_eq!(range_of(&outcome, "sent", "ar", "y").recovered(), Some(1));
}

/// A rate printed with 4 decimals from true counts: 0.9964 of 845 sent leaves only 842
/// delivered (841.92 to 842.0003).
#[test]
fn a_four_decimal_rate_pins_its_numerator() {
    let sent = table(
        "sent",
        &["ar", "fr"],
        json!([[845, 30], [30, 40]]),
        json!([875, 70]),
        json!([875, 70]),
        json!(945),
    );
    let delivered = table(
        "delivered",
        &["ar", "fr"],
        json!([["suppressed", 30], [30, 40]]),
        json!(["suppressed", 70]),
        json!(["suppressed", 70]),
        json!("suppressed"),
    );
    let rates = json!({
        "rate": "delivery rate",
        "definition": "delivered / sent",
        "rows": [["ar", "whole run"], ["fr", "whole run"]],
        "columns": ["x", "y"],
        "cells": [[0.9964, 1.0], [1.0, 1.0]],
    });
    let outcome = attack(&[report(suppression(), vec![sent, delivered], vec![rates])]);
    assert_consistent(&outcome);
    let x = range_of(&outcome, "delivered", "ar", "x");
    assert_eq!(x.recovered(), Some(842), "{x:?}");
}

/// A weekly table hides week 3 of ar on x with every total that would give it away; the
/// whole-run report shows ar on x (23) and week 4 shows 20: week 3 is 3, since a coarser
/// period is the sum of the finer ones.
#[test]
fn a_whole_run_count_pins_a_hidden_week() {
    let weekly = json!({
        "metric": "sent",
        "period": "week",
        "row_dimensions": ["locale", "period"],
        "rows": [["ar", "2027-W03"], ["ar", "2027-W04"]],
        "columns": ["x", "y"],
        "cells": [["suppressed", 50], [20, 60]],
        "row_totals": [53, 80],
        "column_totals": [23, 110],
        "grand_total": 133,
        "total_label": "total",
    });
    let mut weekly_report = report(suppression(), vec![weekly], vec![]);
    weekly_report["period"] = json!("week");
    // Alone, the weekly table pins it already (53 − 50); make the row total hidden instead.
    weekly_report["tables"][0]["row_totals"][0] = json!("suppressed");
    weekly_report["tables"][0]["column_totals"][0] = json!("suppressed");
    weekly_report["tables"][0]["grand_total"] = json!("suppressed");
    let alone = attack(std::slice::from_ref(&weekly_report));
    let week = |o: &AttackOutcome| {
        o.range(
            "c",
            "sent",
            &[("locale", "ar"), ("period", "2027-W03"), ("channel", "x")],
        )
        .expect("a target")
        .clone()
    };
    assert_eq!(week(&alone).recovered(), None, "{:?}", week(&alone));
    let run = json!({
        "metric": "sent",
        "period": "run",
        "row_dimensions": ["locale", "period"],
        "rows": [["ar", "whole run"]],
        "columns": ["x", "y"],
        "cells": [[23, 110]],
        "row_totals": [133],
        "column_totals": [23, 110],
        "grand_total": 133,
        "total_label": "total",
    });
    let both = attack(&[weekly_report, report(suppression(), vec![run], vec![])]);
    assert_consistent(&both);
    assert_eq!(week(&both).recovered(), Some(3));
}
