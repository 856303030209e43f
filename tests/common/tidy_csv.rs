//! Reading the tidy CSV report as R's `read.csv` and pandas do: quote-aware, every record
//! with the documented columns, and rows found by their dimensions.

use std::collections::BTreeMap;

/// The header of the tidy CSV report, exactly as docs/report-data-dictionary.md lists it.
pub const HEADER: [&str; 13] = [
    "campaign", "metric", "segment", "locale", "variant", "send", "post", "version", "channel",
    "period", "window", "value", "status",
];

/// Splits CSV text into records, honouring quotes (a quoted field may hold commas, doubled
/// quotes and line breaks).
pub fn parse(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let (mut record, mut field, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\n') => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, c) => field.push(c),
        }
    }
    assert!(
        !quoted && field.is_empty() && record.is_empty(),
        "the CSV ends with a line break"
    );
    records
}

/// One row: column → field.
pub type Row = BTreeMap<String, String>;

/// The rows of a tidy CSV report, after checking its header and that every record has
/// every column and a suppressed value is empty.
pub fn rows(csv: &str) -> Vec<Row> {
    let records = parse(csv);
    assert_eq!(
        records.first().map(Vec::as_slice),
        Some(HEADER.map(String::from).as_slice())
    );
    records[1..]
        .iter()
        .map(|record| {
            assert_eq!(record.len(), HEADER.len(), "{record:?}");
            let row: Row = HEADER
                .iter()
                .map(|c| c.to_string())
                .zip(record.clone())
                .collect();
            if row["status"] != "published" {
                assert_eq!(row["value"], "", "no value unless published: {row:?}");
            }
            row
        })
        .collect()
}

/// `(value, status)` of the one row of `metric` whose dimensions are those of `key`, the
/// others empty.
pub fn find(rows: &[Row], metric: &str, key: &[(&str, &str)]) -> (String, String) {
    let matching: Vec<&Row> = rows
        .iter()
        .filter(|r| r["metric"] == metric)
        .filter(|r| {
            HEADER[2..11].iter().all(|c| {
                let want = key.iter().find(|(k, _)| k == c).map_or("", |(_, v)| *v);
                r[*c] == want
            })
        })
        .collect();
    assert_eq!(
        matching.len(),
        1,
        "one {metric} row for {key:?}: {matching:#?}"
    );
    (matching[0]["value"].clone(), matching[0]["status"].clone())
}

/// A published value, as [`find`] returns it.
pub fn published(value: &str) -> (String, String) {
    (value.to_string(), "published".to_string())
}

/// No value, and why, as [`find`] returns it.
pub fn withheld(status: &str) -> (String, String) {
    (String::new(), status.to_string())
}

/// The key of a row of herald's own counts in a report broken down by everything, for
/// segment `in-eu` over the whole run.
pub fn counted<'a>(locale: &'a str, variant: &'a str, channel: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("segment", "in-eu"),
        ("locale", locale),
        ("variant", variant),
        ("channel", channel),
        ("period", "whole run"),
    ]
}

/// The key of a platform metric of one post (send `weekly`) in a window.
pub fn post_key<'a>(
    [segment, locale, variant, channel, post]: [&'a str; 5],
    window: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("segment", segment),
        ("locale", locale),
        ("variant", variant),
        ("send", "weekly"),
        ("post", post),
        ("channel", channel),
        ("window", window),
    ]
}
