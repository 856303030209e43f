//! Campaigns side by side (`--compare ID,ID`): each campaign's report under the same
//! definitions, the same publication policy, period, breakdown and dates, and a headline
//! table of their published totals per metric and channel.
//!
//! The headline holds only values the campaigns' own reports publish (their column totals),
//! so comparing adds no count that could be differenced against another.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::build::Report;

use super::export::{WithSummary, escape, to_html};
use super::published::Cell;
use super::range::DateRange;
use super::tidy_csv::to_csv;
use crate::publication::Protection;
use crate::publication::PublicationPolicy;
use crate::publication::{Breakdown, Period};

/// The most campaigns one comparison holds: enough for a year of quarterly campaigns, few
/// enough that the page stays readable and the request cheap.
pub const MAX_COMPARED: usize = 8;

#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    pub generated_at: DateTime<Utc>,
    pub period: Period,
    pub breakdown: Breakdown,
    pub range: Option<DateRange>,
    pub protection: Protection,
    pub policy: PublicationPolicy,
    /// Per metric and channel, each campaign's published column total, in campaign order.
    pub headline: Vec<HeadlineRow>,
    /// Each campaign's report, with its summary, as its own JSON has it.
    #[serde(serialize_with = "with_summaries")]
    pub reports: Vec<Report>,
}

fn with_summaries<S: serde::Serializer>(
    reports: &[Report],
    serializer: S,
) -> Result<S::Ok, S::Error> {
    serializer.collect_seq(reports.iter().map(WithSummary::of))
}

#[derive(Debug, Clone, Serialize)]
pub struct HeadlineRow {
    pub metric: String,
    pub channel: String,
    /// One per compared campaign; `None` where that campaign has no such column.
    pub values: Vec<Option<Cell>>,
}

/// Why campaigns cannot be compared as asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CompareError {
    TooFew,
    TooMany,
    Repeated(String),
}

impl std::fmt::Display for CompareError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CompareError::TooFew => write!(
                f,
                "--compare needs at least two campaign ids, separated by commas"
            ),
            CompareError::TooMany => write!(f, "--compare takes at most {MAX_COMPARED} campaigns"),
            CompareError::Repeated(id) => write!(f, "campaign `{id}` is listed twice"),
        }
    }
}

impl std::error::Error for CompareError {}

/// The campaign ids of `ID,ID,…`, checked.
pub fn compared_ids(list: &str) -> Result<Vec<String>, CompareError> {
    let ids: Vec<String> = list
        .split(',')
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .map(str::to_string)
        .collect();
    if ids.len() < 2 {
        return Err(CompareError::TooFew);
    }
    if ids.len() > MAX_COMPARED {
        return Err(CompareError::TooMany);
    }
    for (i, id) in ids.iter().enumerate() {
        if ids[..i].contains(id) {
            return Err(CompareError::Repeated(id.clone()));
        }
    }
    Ok(ids)
}

impl Comparison {
    /// The comparison of `reports`, all made under the same policy and request.
    pub fn of(reports: Vec<Report>, generated_at: DateTime<Utc>) -> Option<Comparison> {
        let first = reports.first()?;
        let mut keys: Vec<(String, String)> = Vec::new();
        for report in &reports {
            for table in &report.tables {
                for column in &table.columns {
                    let key = (table.metric.clone(), column.clone());
                    if !keys.contains(&key) {
                        keys.push(key);
                    }
                }
            }
        }
        let headline = keys
            .into_iter()
            .map(|(metric, channel)| HeadlineRow {
                values: reports
                    .iter()
                    .map(|report| {
                        let table = report.tables.iter().find(|t| t.metric == metric)?;
                        let c = table.columns.iter().position(|x| *x == channel)?;
                        table.column_totals.get(c).copied()
                    })
                    .collect(),
                metric,
                channel,
            })
            .collect();
        Some(Comparison {
            generated_at,
            period: first.period,
            breakdown: first.breakdown,
            range: first.range,
            protection: first.protection,
            policy: first.policy.clone(),
            headline,
            reports,
        })
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|_| "{}".to_string())
    }

    /// The campaigns' CSV reports one after another, under one header line.
    pub fn to_csv(&self) -> String {
        let mut out = String::new();
        for (i, report) in self.reports.iter().enumerate() {
            let text = to_csv(report);
            let mut lines = text.lines();
            let header = lines.next().unwrap_or_default();
            if i == 0 {
                out.push_str(header);
                out.push('\n');
            }
            for line in lines {
                out.push_str(line);
                out.push('\n');
            }
        }
        out
    }

    /// One page: the headline side by side, then each campaign's report.
    pub fn to_html(&self) -> String {
        let campaigns: Vec<String> = self.reports.iter().map(|r| escape(&r.campaign)).collect();
        let mut out = format!(
            "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Reach reports compared: {names}</title>\
             <style>body{{font-family:system-ui,sans-serif;margin:2rem;color:#111}}table{{border-collapse:collapse;margin:1rem 0}}\
             th,td{{border:1px solid #999;padding:.25rem .5rem;text-align:right}}th{{background:#eee}}td.s{{color:#555;font-style:italic}}\
             section{{border-top:3px solid #333;margin-top:2rem}}@media print{{body{{margin:0}}}}</style></head><body>\n\
             <h1>Reach reports compared: {names}</h1>\n<p>Generated {generated}. Every campaign under the same definitions and the same publication policy; the figures below are the totals each campaign's own report publishes.</p>\n\
             <table><caption>Published totals per metric and channel</caption><thead><tr><th scope=\"col\">metric</th><th scope=\"col\">channel</th>",
            names = campaigns.join(", "),
            generated = self.generated_at.format("%Y-%m-%d %H:%M UTC"),
        );
        for name in &campaigns {
            out.push_str(&format!("<th scope=\"col\">{name}</th>"));
        }
        out.push_str("</tr></thead><tbody>\n");
        for row in &self.headline {
            out.push_str(&format!(
                "<tr><th scope=\"row\">{}</th><th scope=\"row\">{}</th>",
                escape(&row.metric),
                escape(&row.channel)
            ));
            for value in &row.values {
                match value {
                    Some(Cell::Count(n)) => out.push_str(&format!("<td>{n}</td>")),
                    Some(Cell::Suppressed(_)) => out.push_str("<td class=\"s\">suppressed</td>"),
                    None => out.push_str("<td class=\"s\">none</td>"),
                }
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</tbody></table>\n");
        for report in &self.reports {
            let html = to_html(report);
            out.push_str(&format!(
                "<section id=\"campaign-{id}\">\n{body}\n</section>\n",
                id = escape(&report.campaign),
                body = body_of(&html)
            ));
        }
        out.push_str("</body></html>\n");
        out
    }
}

/// What lies between `<body>` and `</body>` of a stand-alone report.
fn body_of(html: &str) -> &str {
    let start = html.find("<body>").map(|i| i + "<body>".len()).unwrap_or(0);
    let end = html.rfind("</body>").unwrap_or(html.len());
    html.get(start..end).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compared_ids_are_two_to_eight_distinct_campaigns() {
        assert_eq!(
            compared_ids("avr-nl-2027, safe-migration-sahel-2027"),
            Ok(vec![
                "avr-nl-2027".to_string(),
                "safe-migration-sahel-2027".to_string()
            ])
        );
        assert_eq!(compared_ids("one"), Err(CompareError::TooFew));
        assert_eq!(
            compared_ids("a,b,a"),
            Err(CompareError::Repeated("a".to_string()))
        );
        assert_eq!(
            compared_ids("a,b,c,d,e,f,g,h,i"),
            Err(CompareError::TooMany)
        );
    }
}
