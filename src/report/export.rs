//! Reports as files: JSON for machines and one self-contained HTML page (no external assets)
//! for people, both opening with the summary; the CSV is in `tidy_csv`.

use std::fmt::Write as _;

use serde::Serialize;

use super::build::Report;
use super::published::PublishedTable;
use super::rates::VariantComparison;
use super::statistics::{Lift, RelativeLift};
use super::summary::{Summary, summarize};
use super::summary_html::summary_html;

/// The report as JSON, with its [`Summary`](super::summary::Summary) under `summary`
/// (computed here from the published tables, so it can never say more than they do).
pub fn to_json(report: &Report) -> String {
    serde_json::to_string_pretty(&WithSummary::of(report)).expect("a report always serialises")
}

/// A report as published in JSON: its summary first, then everything else.
#[derive(Serialize)]
pub(super) struct WithSummary<'a> {
    summary: Summary,
    #[serde(flatten)]
    report: &'a Report,
}

impl<'a> WithSummary<'a> {
    pub(super) fn of(report: &'a Report) -> WithSummary<'a> {
        WithSummary {
            summary: summarize(report),
            report,
        }
    }
}

/// A comparison's result as one phrase: the difference with its interval and the relative
/// lift with its interval, or why there is none.
fn comparison_text(comparison: &VariantComparison) -> String {
    match (&comparison.lift, comparison.withheld) {
        (
            Some(Lift::Estimate {
                difference,
                low,
                high,
                relative,
                ..
            }),
            _,
        ) => {
            let relative = match relative {
                RelativeLift::Estimate { value, low, high } => format!(
                    "{:+.1}% ({:+.1}% to {})",
                    value * 100.0,
                    low * 100.0,
                    high.map_or("no upper bound".to_string(), |h| format!(
                        "{:+.1}%",
                        h * 100.0
                    ))
                ),
                RelativeLift::NotDefined { .. } => "not defined (A's rate is 0)".to_string(),
            };
            format!("{difference:+.4} ({low:+.4} to {high:+.4}); relative {relative}")
        }
        (Some(Lift::NotEnoughData { .. }), _) => "not enough data".to_string(),
        (None, Some(why)) => why.to_string(),
        (None, None) => "not known".to_string(),
    }
}

pub(super) use crate::html_text::escape_html as escape;

/// One page that opens with the summary in plain words, then charts (the delivery funnel per
/// channel, variants compared with their intervals), every table, the definitions and the
/// protection used.
pub fn to_html(report: &Report) -> String {
    let mut out = String::new();
    html_opening(&mut out, report);
    html_charts(&mut out, report);
    for table in &report.tables {
        let heading = format!("{} ({})", table.metric, table.period);
        html_table(&mut out, &heading, table, true);
    }
    html_rate_tables(&mut out, report);
    html_comparisons(&mut out, report);
    html_post_metrics(&mut out, report);
    html_definitions_and_sources(&mut out, report);
    html_api_versions(&mut out, report);
    html_audience_estimates(&mut out, report);
    out.push_str("</body></html>\n");
    out
}

/// The page's head and styles, its title, the summary, and how the figures are protected.
fn html_opening(out: &mut String, report: &Report) {
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Reach report: {campaign}</title>\
         <style>body{{font-family:system-ui,sans-serif;margin:2rem;color:#111}}table{{border-collapse:collapse;margin:1rem 0}}\
         th,td{{border:1px solid #999;padding:.25rem .5rem;text-align:right}}th{{background:#eee}}td.s{{color:#555;font-style:italic}}\
         section.summary{{max-width:60rem;background:#f3f6fa;border:1px solid #b8c7d9;border-radius:4px;padding:.25rem 1.25rem .5rem;margin:1rem 0 1.5rem}}\
         section.summary h2{{margin-top:.75rem}}section.summary h3{{margin:1rem 0 .25rem;font-size:1.05rem}}section.summary li{{margin:.3rem 0}}\
         @media print{{body{{margin:0}}section.summary{{break-inside:avoid}}}}</style></head><body>\n<h1>Reach report: {campaign}</h1>\n{summary}\
         <p>Generated {generated}.{through} Counts from 1 to {k_minus} are suppressed (k = {k}); every other count and total carries a small noise of at most ±{noise}, the same wherever the same messages are counted, so tables cannot be subtracted to single anyone out; {rounding}.</p>\n",
        campaign = escape(&report.campaign),
        summary = summary_html(&summarize(report)),
        generated = report.generated_at.format("%Y-%m-%d %H:%M UTC"),
        through = match report.published_through {
            Some(day) => format!(
                " Counts events through {day}: only settled days of closed periods are published, so these figures do not change."
            ),
            None => String::new(),
        },
        k_minus = report.protection.k.max(5) - 1,
        k = report.protection.k.max(5),
        noise = report.protection.max_noise,
        rounding = match report.protection.round_to {
            0 | 1 => "published counts are not rounded".to_string(),
            n => format!("published counts are rounded to multiples of {n}"),
        },
    );
}

/// The delivery funnel and the variants compared, where there is something to draw.
fn html_charts(out: &mut String, report: &Report) {
    if let Some(svg) = super::charts::funnel(report) {
        let _ = writeln!(
            out,
            "<h2>Delivery funnel per channel</h2>\n<figure>{svg}</figure>"
        );
    }
    if let Some(svg) = super::charts::variants(report) {
        let _ = writeln!(
            out,
            "<h2>Variants compared (B − A, 95% Newcombe interval)</h2>\n<figure>{svg}</figure>"
        );
    }
}

/// The delivery and read rate tables.
fn html_rate_tables(out: &mut String, report: &Report) {
    for rates in &report.rates {
        let _ = write!(
            out,
            "<h2>{} ({})</h2>\n<table><thead><tr><th scope=\"col\">row</th>",
            escape(&rates.rate),
            escape(&rates.definition)
        );
        for column in &rates.columns {
            let _ = write!(out, "<th scope=\"col\">{}</th>", escape(column));
        }
        out.push_str("</tr></thead><tbody>\n");
        for (r, row) in rates.rows.iter().enumerate() {
            let _ = write!(
                out,
                "<tr><th scope=\"row\">{}</th>",
                escape(&row.join(" / "))
            );
            for cell in &rates.cells[r] {
                html_rate_cell(out, cell, 4);
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</tbody></table>\n");
    }
}

/// The variant comparisons as a table, where variants were compared.
fn html_comparisons(out: &mut String, report: &Report) {
    if !report.comparisons.is_empty() {
        out.push_str("<h2>Variants compared</h2>\n<table><thead><tr><th scope=\"col\">row</th><th scope=\"col\">channel</th><th scope=\"col\">rate</th><th scope=\"col\">B − A (95% interval); relative lift (95% interval)</th></tr></thead><tbody>\n");
        for comparison in &report.comparisons {
            let _ = writeln!(
                out,
                "<tr><th scope=\"row\">{}</th><td>{}</td><td>{} ({} vs {})</td><td>{}</td></tr>",
                escape(&comparison.row.join(" / ")),
                escape(&comparison.channel),
                escape(&comparison.rate),
                escape(&comparison.b),
                escape(&comparison.a),
                escape(&comparison_text(comparison))
            );
        }
        out.push_str("</tbody></table>\n");
    }
}

/// What each figure means and where it comes from.
fn html_definitions_and_sources(out: &mut String, report: &Report) {
    out.push_str("<h2>Definitions</h2>\n<dl>");
    for (term, definition) in &report.definitions {
        let _ = write!(
            out,
            "<dt>{}</dt><dd>{}</dd>",
            escape(term),
            escape(definition)
        );
    }
    out.push_str("</dl>\n<h2>Sources</h2>\n<ul>");
    for source in &report.sources {
        let _ = write!(out, "<li>{}</li>", escape(source));
    }
    out.push_str("</ul>\n");
}

/// The platform API versions some of the figures came from, where there are any.
fn html_api_versions(out: &mut String, report: &Report) {
    if !report.platform_api_versions.is_empty() {
        out.push_str("<h2>Platform API versions</h2>\n<ul>");
        for v in &report.platform_api_versions {
            let _ = write!(
                out,
                "<li>{}: {}</li>",
                escape(&v.channel),
                escape(&v.api_version)
            );
        }
        out.push_str("</ul>\n");
    }
}

/// The audience estimates taken when versions started running, where there are any.
fn html_audience_estimates(out: &mut String, report: &Report) {
    if !report.audience_estimates.is_empty() {
        out.push_str("<h2>Audience estimates</h2>\n<table><thead><tr><th scope=\"col\">segment</th><th scope=\"col\">version</th><th scope=\"col\">channel</th><th scope=\"col\">lower</th><th scope=\"col\">upper</th><th scope=\"col\">daily</th><th scope=\"col\">API version</th><th scope=\"col\">estimated at</th></tr></thead><tbody>\n");
        for e in &report.audience_estimates {
            let _ = writeln!(
                out,
                "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&e.segment),
                escape(&e.version),
                escape(&e.channel),
                e.lower,
                e.upper,
                e.daily.map_or("-".to_string(), |d| d.to_string()),
                escape(&e.api_version),
                e.estimated_at.format("%Y-%m-%d %H:%M UTC")
            );
        }
        out.push_str("</tbody></table>\n");
    }
}

/// A rate cell: a rate a platform does not report is set apart, with its reason on hover.
fn html_rate_cell(out: &mut String, cell: &super::rates::RateCell, decimals: usize) {
    match cell {
        super::rates::RateCell::NotReported { value, reason } => {
            let _ = write!(
                out,
                "<td class=\"s\" title=\"{}\">{}</td>",
                escape(reason),
                escape(value)
            );
        }
        _ => {
            let _ = write!(out, "<td>{}</td>", escape(&cell.text(decimals)));
        }
    }
}

/// One protected table with its heading; `row_totals` false leaves out each row's total.
fn html_table(out: &mut String, heading: &str, table: &PublishedTable, row_totals: bool) {
    let _ = write!(out, "<h2>{}</h2>\n<table><thead><tr>", escape(heading));
    for dimension in &table.row_dimensions {
        let _ = write!(out, "<th scope=\"col\">{}</th>", escape(dimension));
    }
    for column in &table.columns {
        let _ = write!(out, "<th scope=\"col\">{}</th>", escape(column));
    }
    if row_totals {
        let _ = write!(out, "<th scope=\"col\">{}</th>", escape(&table.total_label));
    }
    out.push_str("</tr></thead><tbody>\n");
    let cell_html = |out: &mut String, cell: &super::published::Cell| {
        let class = if matches!(cell, super::published::Cell::Suppressed(_)) {
            " class=\"s\""
        } else {
            ""
        };
        let _ = write!(out, "<td{class}>{}</td>", cell.text());
    };
    for (r, row) in table.rows.iter().enumerate() {
        out.push_str("<tr>");
        for label in row {
            let _ = write!(out, "<th scope=\"row\">{}</th>", escape(label));
        }
        for cell in &table.cells[r] {
            cell_html(out, cell);
        }
        if row_totals {
            cell_html(out, &table.row_totals[r]);
        }
        out.push_str("</tr>\n");
    }
    let _ = write!(
        out,
        "<tr><th scope=\"row\" colspan=\"{}\">{}</th>",
        table.row_dimensions.len(),
        escape(&table.total_label)
    );
    for cell in &table.column_totals {
        let _ = write!(out, "<td>{}</td>", cell.text());
    }
    if row_totals {
        let _ = write!(out, "<td>{}</td>", table.grand_total.text());
    }
    out.push_str("</tr></tbody></table>\n");
}

/// The platform-reported section: the reach chart, the post tables (per metric and window),
/// frequency and CTR, penetration and cost per 1,000 reached.
fn html_post_metrics(out: &mut String, report: &Report) {
    let metrics = &report.post_metrics;
    if metrics.is_empty() {
        return;
    }
    out.push_str("<h2>What the platforms report about the posts</h2>\n<p>Per post and reporting window (1h, 24h, 7d after publishing; end of the campaign), per source. Reach is never added up as if it counted people: a sum of reach is labelled as an upper bound.</p>\n");
    if let Some(svg) = super::charts::reach_over_time(report) {
        let _ = writeln!(
            out,
            "<h2>Reach over time per locale</h2>\n<figure>{svg}</figure>"
        );
    }
    for table in &metrics.tables {
        let heading = format!(
            "{} (window {}, {})",
            table.metric,
            table.period,
            table.columns.join(", ")
        );
        html_table(out, &heading, table, false);
    }
    for rates in &metrics.rates {
        let _ = write!(
            out,
            "<h2>{} (window {}; {})</h2>\n<table><thead><tr><th scope=\"col\">post</th>",
            escape(&rates.rate),
            escape(&rates.window),
            escape(&rates.definition)
        );
        for column in &rates.columns {
            let _ = write!(out, "<th scope=\"col\">{}</th>", escape(column));
        }
        out.push_str("</tr></thead><tbody>\n");
        for (r, row) in rates.rows.iter().enumerate() {
            let _ = write!(
                out,
                "<tr><th scope=\"row\">{}</th>",
                escape(&row.join(" / "))
            );
            for cell in &rates.cells[r] {
                html_rate_cell(out, cell, rates.decimals);
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</tbody></table>\n");
    }
    if !metrics.penetration.is_empty() {
        out.push_str("<h2>Penetration (reach / audience estimate)</h2>\n<p>R is the largest reach of a single post of the segment on the channel, in the latest window observed; A is the platform's audience estimate at launch. The interval is [R / A_upper, R / A_lower], each end capped at 1.</p>\n<table><thead><tr><th scope=\"col\">segment</th><th scope=\"col\">version</th><th scope=\"col\">channel</th><th scope=\"col\">A (lower to upper)</th><th scope=\"col\">window</th><th scope=\"col\">R</th><th scope=\"col\">penetration</th></tr></thead><tbody>\n");
        for p in &metrics.penetration {
            let interval = match (p.low, p.high) {
                (Some(low), Some(high)) => format!("{low:.6} to {high:.6}"),
                _ => p.withheld.unwrap_or("not known").to_string(),
            };
            let _ = writeln!(
                out,
                "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td>{} to {}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&p.segment),
                escape(&p.version),
                escape(&p.channel),
                p.audience_lower,
                p.audience_upper,
                escape(p.window.as_deref().unwrap_or("-")),
                p.reach.map_or("-".to_string(), |r| r.to_string()),
                escape(&interval)
            );
        }
        out.push_str("</tbody></table>\n");
    }
    let _ = writeln!(
        out,
        "<h2>Cost per 1,000 reached</h2>\n<p>{}</p>",
        escape(&metrics.cost_per_1000_reached)
    );
}
