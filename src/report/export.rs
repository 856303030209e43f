//! Reports as files: JSON for machines, CSV (one line per published value) for spreadsheets,
//! and one self-contained HTML page (no external assets) for people.

use std::fmt::Write as _;

use super::build::Report;

pub fn to_json(report: &Report) -> String {
    serde_json::to_string_pretty(report).expect("a report always serialises")
}

/// `metric,period,<dimensions…>,channel,value` — totals appear with `total` in place of the
/// dimension they sum over.
pub fn to_csv(report: &Report) -> String {
    let mut out = String::from("metric,period_kind,row,channel,value\n");
    for table in &report.tables {
        for (r, row) in table.rows.iter().enumerate() {
            let label = csv_field(&row.join(" / "));
            for (c, column) in table.columns.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "{},{},{label},{},{}",
                    csv_field(&table.metric),
                    table.period,
                    csv_field(column),
                    table.cells[r][c].text()
                );
            }
            let _ = writeln!(
                out,
                "{},{},{label},total,{}",
                csv_field(&table.metric),
                table.period,
                table.row_totals[r].text()
            );
        }
        for (c, column) in table.columns.iter().enumerate() {
            let _ = writeln!(
                out,
                "{},{},total,{},{}",
                csv_field(&table.metric),
                table.period,
                csv_field(column),
                table.column_totals[c].text()
            );
        }
        let _ = writeln!(
            out,
            "{},{},total,total,{}",
            csv_field(&table.metric),
            table.period,
            table.grand_total.text()
        );
    }
    for rates in &report.rates {
        for (r, row) in rates.rows.iter().enumerate() {
            let label = csv_field(&row.join(" / "));
            for (c, column) in rates.columns.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "{},{},{label},{},{}",
                    csv_field(&rates.rate),
                    period_kind(report),
                    csv_field(column),
                    rate_text(&rates.cells[r][c])
                );
            }
        }
    }
    out
}

fn period_kind(report: &Report) -> &'static str {
    match report.period {
        super::build::Period::Run => "run",
        super::build::Period::Day => "day",
        super::build::Period::Week => "week",
    }
}

fn rate_text(cell: &super::rates::RateCell) -> String {
    match cell {
        super::rates::RateCell::Rate(r) => format!("{r:.4}"),
        super::rates::RateCell::Withheld(why) => why.to_string(),
    }
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// One page with charts (the delivery funnel per channel, variants compared with their
/// intervals), every table, the definitions and the protection used.
pub fn to_html(report: &Report) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Reach report: {campaign}</title>\
         <style>body{{font-family:system-ui,sans-serif;margin:2rem;color:#111}}table{{border-collapse:collapse;margin:1rem 0}}\
         th,td{{border:1px solid #999;padding:.25rem .5rem;text-align:right}}th{{background:#eee}}td.s{{color:#555;font-style:italic}}\
         @media print{{body{{margin:0}}}}</style></head><body>\n<h1>Reach report: {campaign}</h1>\n\
         <p>Generated {generated}. Counts from 1 to {k_minus} and counts that could be worked out from the rest of their table are suppressed (k = {k}); published counts are rounded to multiples of {round}.</p>\n",
        campaign = escape(&report.campaign),
        generated = report.generated_at.format("%Y-%m-%d %H:%M UTC"),
        k_minus = report.protection.k.max(5) - 1,
        k = report.protection.k.max(5),
        round = report.protection.round_to.max(1),
    );
    if let Some(svg) = super::charts::funnel(report) {
        let _ = writeln!(
            out,
            "<h2>Delivery funnel per channel</h2>\n<figure>{svg}</figure>"
        );
    }
    if let Some(svg) = super::charts::variants(report) {
        let _ = writeln!(
            out,
            "<h2>Variants compared (B − A, 95% interval)</h2>\n<figure>{svg}</figure>"
        );
    }
    for table in &report.tables {
        let _ = write!(
            out,
            "<h2>{} ({})</h2>\n<table><thead><tr>",
            escape(&table.metric),
            escape(&table.period)
        );
        for dimension in &table.row_dimensions {
            let _ = write!(out, "<th scope=\"col\">{}</th>", escape(dimension));
        }
        for column in &table.columns {
            let _ = write!(out, "<th scope=\"col\">{}</th>", escape(column));
        }
        out.push_str("<th scope=\"col\">total</th></tr></thead><tbody>\n");
        for (r, row) in table.rows.iter().enumerate() {
            out.push_str("<tr>");
            for label in row {
                let _ = write!(out, "<th scope=\"row\">{}</th>", escape(label));
            }
            for cell in table.cells[r].iter().chain([&table.row_totals[r]]) {
                let class = if matches!(cell, super::published::Cell::Suppressed(_)) {
                    " class=\"s\""
                } else {
                    ""
                };
                let _ = write!(out, "<td{class}>{}</td>", cell.text());
            }
            out.push_str("</tr>\n");
        }
        let _ = write!(
            out,
            "<tr><th scope=\"row\" colspan=\"{}\">total</th>",
            table.row_dimensions.len()
        );
        for cell in table.column_totals.iter().chain([&table.grand_total]) {
            let _ = write!(out, "<td>{}</td>", cell.text());
        }
        out.push_str("</tr></tbody></table>\n");
    }
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
                let _ = write!(out, "<td>{}</td>", escape(&rate_text(cell)));
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</tbody></table>\n");
    }
    if !report.comparisons.is_empty() {
        out.push_str("<h2>Variants compared</h2>\n<table><thead><tr><th scope=\"col\">row</th><th scope=\"col\">channel</th><th scope=\"col\">rate</th><th scope=\"col\">B − A (95% interval)</th></tr></thead><tbody>\n");
        for comparison in &report.comparisons {
            let result = match (&comparison.lift, comparison.withheld) {
                (
                    Some(super::statistics::Lift::Estimate {
                        difference,
                        low,
                        high,
                        ..
                    }),
                    _,
                ) => format!("{difference:+.4} ({low:+.4} to {high:+.4})"),
                (Some(super::statistics::Lift::NotEnoughData { .. }), _) => {
                    "not enough data".to_string()
                }
                (None, Some(why)) => why.to_string(),
                (None, None) => "-".to_string(),
            };
            let _ = writeln!(
                out,
                "<tr><th scope=\"row\">{}</th><td>{}</td><td>{} ({} vs {})</td><td>{}</td></tr>",
                escape(&comparison.row.join(" / ")),
                escape(&comparison.channel),
                escape(&comparison.rate),
                escape(&comparison.b),
                escape(&comparison.a),
                escape(&result)
            );
        }
        out.push_str("</tbody></table>\n");
    }
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
    out.push_str("</ul>\n</body></html>\n");
    out
}
