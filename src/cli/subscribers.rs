//! `herald subscribers stats`: how many people follow each messaging channel, by segment and
//! locale, with small counts suppressed (and a second cell where needed, so no hidden count
//! can be recovered from the totals). The only view of subscribers herald offers.

use std::collections::BTreeMap;
use std::io::Write;
use std::process::ExitCode;

use super::Format;
use super::runtime::{fail, with_store};
use crate::report::{Cell, Protection, PublishedTable};
use crate::store::Store;

/// Counts below this are never shown, whatever is asked.
pub const MIN_K: u64 = 5;

pub fn subscribers_stats(database_url: &str, k: u64, format: Format) -> ExitCode {
    if k < MIN_K {
        eprintln!("error: --k must be at least {MIN_K}: smaller counts could single people out");
        return ExitCode::from(2);
    }
    with_store(database_url, |store| async move {
        let counts = match store.subscriber_counts().await {
            Ok(counts) => counts,
            Err(error) => return fail(error),
        };
        let mut by_channel: BTreeMap<String, BTreeMap<(Vec<String>, String), u64>> =
            BTreeMap::new();
        for count in counts {
            by_channel.entry(count.channel).or_default().insert(
                (vec![count.segment], count.locale),
                count.count.max(0) as u64,
            );
        }
        let protection = Protection {
            k,
            round_to: 1,
            ..Protection::DEFAULT
        };
        let tables: Vec<(String, PublishedTable)> = by_channel
            .into_iter()
            .map(|(channel, counts)| {
                let table = PublishedTable::protect(
                    "subscribers",
                    "now",
                    &["segment"],
                    &counts,
                    protection,
                );
                (channel, table)
            })
            .collect();
        let mut out = std::io::stdout().lock();
        let written = match format {
            Format::Json => {
                let json = serde_json::json!({
                    "k": k,
                    "channels": tables
                        .iter()
                        .map(|(channel, table)| serde_json::json!({"channel": channel, "table": table}))
                        .collect::<Vec<_>>(),
                });
                writeln!(out, "{json:#}")
            }
            Format::Text => write_text(&mut out, &tables, k),
        };
        match crate::stdout_lines::closed_pipe_is_done(written) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => fail(error),
        }
    })
}

fn write_text(
    out: &mut impl Write,
    tables: &[(String, PublishedTable)],
    k: u64,
) -> std::io::Result<()> {
    if tables.is_empty() {
        return writeln!(out, "no subscribers");
    }
    for (channel, table) in tables {
        writeln!(out, "{channel}")?;
        let mut header = vec!["segment".to_string()];
        header.extend(table.columns.iter().cloned());
        header.push("total".into());
        let mut lines = vec![header];
        for (row, cells) in table.rows.iter().zip(&table.cells) {
            let mut line = vec![row.join("/")];
            line.extend(cells.iter().map(text));
            line.push(text(&table.row_totals[lines.len() - 1]));
            lines.push(line);
        }
        let mut total = vec!["total".to_string()];
        total.extend(table.column_totals.iter().map(text));
        total.push(text(&table.grand_total));
        lines.push(total);
        write!(out, "{}", crate::text_table::aligned(&lines, "  "))?;
    }
    writeln!(
        out,
        "suppressed: a count below {k}, or a second count hidden so that none can be derived from the totals"
    )
}

fn text(cell: &Cell) -> String {
    match cell {
        Cell::Count(n) => n.to_string(),
        Cell::Suppressed(_) => "suppressed".to_string(),
    }
}
