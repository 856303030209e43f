//! Typed reading of a span-preserving TOML tree. Every problem (unknown key, wrong type,
//! missing field) becomes a diagnostic at the exact place in the file, and reading goes on so
//! that an author sees all problems in one run instead of one per attempt.

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::diagnostic::{Diagnostics, SourceFile};

/// A value together with the byte range it came from, for later diagnostics.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Located<T> {
    pub value: T,
    pub span: Range<usize>,
}

impl<T> Located<T> {
    pub fn new(value: T, span: Range<usize>) -> Self {
        Located { value, span }
    }
}

/// Parses a TOML document, reporting every syntax error (with recovery) as a diagnostic.
pub fn parse_document<'i>(file: &'i SourceFile, diags: &mut Diagnostics) -> Spanned<DeTable<'i>> {
    let (table, errors) = DeTable::parse_recoverable(&file.text);
    for error in errors {
        let span = error.span().unwrap_or(0..0);
        diags.error(file, span, toml_message(error.message()));
    }
    table
}

/// The first line of a toml parse message, without its trailing period, lower-cased first letter.
fn toml_message(message: &str) -> String {
    let line = message.lines().next().unwrap_or("invalid TOML").trim();
    let line = line.trim_end_matches('.');
    let mut chars = line.chars();
    match chars.next() {
        Some(first) => format!("invalid TOML: {}{}", first.to_lowercase(), chars.as_str()),
        None => "invalid TOML".to_string(),
    }
}

/// Reads the fields of one TOML table, knowing which keys are allowed.
pub struct TableReader<'a, 'i> {
    file: &'a SourceFile,
    table: &'a DeTable<'i>,
    span: Range<usize>,
    /// What the table is, for messages: "campaign", "segment `in-eu-nl`", ...
    what: String,
}

impl<'a, 'i> TableReader<'a, 'i> {
    /// Creates a reader and reports every key not in `allowed`.
    pub fn new(
        file: &'a SourceFile,
        table: &'a DeTable<'i>,
        span: Range<usize>,
        what: impl Into<String>,
        allowed: &[&str],
        diags: &mut Diagnostics,
    ) -> Self {
        let what = what.into();
        for key in table.keys() {
            let name: &str = key.get_ref();
            if !allowed.contains(&name) {
                let hint = match closest(name, allowed) {
                    Some(best) => format!("; did you mean `{best}`?"),
                    None => format!("; expected one of: {}", allowed.join(", ")),
                };
                diags.error(
                    file,
                    key.span(),
                    format!("unknown key `{name}` in {what}{hint}"),
                );
            }
        }
        TableReader {
            file,
            table,
            span,
            what,
        }
    }

    /// Renames the table in later messages (once its id is known).
    pub fn set_what(&mut self, what: impl Into<String>) {
        self.what = what.into();
    }

    pub fn file(&self) -> &'a SourceFile {
        self.file
    }

    pub fn span(&self) -> Range<usize> {
        self.span.clone()
    }

    pub fn get(&self, key: &str) -> Option<&'a Spanned<DeValue<'i>>> {
        self.table.get(key)
    }

    /// The span of a key's value, or of the table when the key is absent.
    pub fn span_of(&self, key: &str) -> Range<usize> {
        self.get(key).map(|v| v.span()).unwrap_or(self.span.clone())
    }

    fn missing(&self, key: &str, diags: &mut Diagnostics) {
        diags.error(
            self.file,
            self.span.clone(),
            format!("missing field `{key}` in {}", self.what),
        );
    }

    fn wrong_type(
        &self,
        key: &str,
        expected: &str,
        value: &Spanned<DeValue<'_>>,
        diags: &mut Diagnostics,
    ) {
        diags.error(
            self.file,
            value.span(),
            format!(
                "`{key}` in {} must be {expected}, found {}",
                self.what,
                value.get_ref().type_str()
            ),
        );
    }

    pub fn opt_str(&self, key: &str, diags: &mut Diagnostics) -> Option<Located<String>> {
        let value = self.get(key)?;
        match value.get_ref().as_str() {
            Some(s) => Some(Located::new(s.to_string(), value.span())),
            None => {
                self.wrong_type(key, "a string", value, diags);
                None
            }
        }
    }

    pub fn req_str(&self, key: &str, diags: &mut Diagnostics) -> Option<Located<String>> {
        if self.get(key).is_none() {
            self.missing(key, diags);
            return None;
        }
        let value = self.opt_str(key, diags)?;
        if value.value.trim().is_empty() {
            diags.error(
                self.file,
                value.span.clone(),
                format!("`{key}` in {} must not be empty", self.what),
            );
            return None;
        }
        Some(value)
    }

    pub fn opt_str_list(&self, key: &str, diags: &mut Diagnostics) -> Option<Vec<Located<String>>> {
        let value = self.get(key)?;
        let Some(array) = value.get_ref().as_array() else {
            self.wrong_type(key, "an array of strings", value, diags);
            return None;
        };
        let mut out = Vec::with_capacity(array.len());
        for item in array.iter() {
            match item.get_ref().as_str() {
                Some(s) => out.push(Located::new(s.to_string(), item.span())),
                None => diags.error(
                    self.file,
                    item.span(),
                    format!(
                        "`{key}` in {} must contain only strings, found {}",
                        self.what,
                        item.get_ref().type_str()
                    ),
                ),
            }
        }
        Some(out)
    }

    pub fn req_str_list(&self, key: &str, diags: &mut Diagnostics) -> Option<Vec<Located<String>>> {
        if self.get(key).is_none() {
            self.missing(key, diags);
            return None;
        }
        let list = self.opt_str_list(key, diags)?;
        if list.is_empty() {
            diags.error(
                self.file,
                self.span_of(key),
                format!("`{key}` in {} must not be empty", self.what),
            );
            return None;
        }
        Some(list)
    }

    /// A calendar date, written as a TOML local date (`2027-01-15`) or a string of that form.
    pub fn req_date(
        &self,
        key: &str,
        diags: &mut Diagnostics,
    ) -> Option<Located<chrono::NaiveDate>> {
        let Some(value) = self.get(key) else {
            self.missing(key, diags);
            return None;
        };
        let parsed = match value.get_ref() {
            DeValue::Datetime(dt) if dt.time.is_none() && dt.offset.is_none() => {
                let date = dt.date.and_then(|d| {
                    chrono::NaiveDate::from_ymd_opt(d.year.into(), d.month.into(), d.day.into())
                });
                // An impossible day (2027-02-30) was already reported by the TOML parser.
                date?;
                date
            }
            DeValue::String(s) => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok(),
            _ => None,
        };
        match parsed {
            Some(date) => Some(Located::new(date, value.span())),
            None => {
                diags.error(
                    self.file,
                    value.span(),
                    format!("`{key}` in {} must be a date such as 2027-01-15", self.what),
                );
                None
            }
        }
    }

    pub fn opt_int(&self, key: &str, diags: &mut Diagnostics) -> Option<Located<i64>> {
        let value = self.get(key)?;
        match as_i64(value.get_ref()) {
            Some(n) => Some(Located::new(n, value.span())),
            None => {
                self.wrong_type(key, "an integer", value, diags);
                None
            }
        }
    }

    /// A number that may be written as an integer or a float.
    pub fn opt_number(&self, key: &str, diags: &mut Diagnostics) -> Option<Located<f64>> {
        let value = self.get(key)?;
        let number = match value.get_ref() {
            DeValue::Float(f) => f.as_str().parse::<f64>().ok(),
            other => as_i64(other).map(|n| n as f64),
        };
        match number {
            Some(n) => Some(Located::new(n, value.span())),
            None => {
                self.wrong_type(key, "a number", value, diags);
                None
            }
        }
    }

    pub fn opt_int_list(&self, key: &str, diags: &mut Diagnostics) -> Option<Vec<Located<i64>>> {
        let value = self.get(key)?;
        let Some(array) = value.get_ref().as_array() else {
            self.wrong_type(key, "an array of integers", value, diags);
            return None;
        };
        let mut out = Vec::with_capacity(array.len());
        for item in array.iter() {
            match as_i64(item.get_ref()) {
                Some(n) => out.push(Located::new(n, item.span())),
                None => {
                    self.wrong_type(key, "an array of integers", item, diags);
                    return None;
                }
            }
        }
        Some(out)
    }

    /// A sub-table (inline or not).
    pub fn opt_table(
        &self,
        key: &str,
        diags: &mut Diagnostics,
    ) -> Option<(&'a DeTable<'i>, Range<usize>)> {
        let value = self.get(key)?;
        match value.get_ref() {
            DeValue::Table(table) => Some((table, value.span())),
            _ => {
                self.wrong_type(key, "a table", value, diags);
                None
            }
        }
    }

    /// The tables of an array of tables (`[[segments]]`).
    pub fn tables(
        &self,
        key: &str,
        required: bool,
        diags: &mut Diagnostics,
    ) -> Vec<(&'a DeTable<'i>, Range<usize>)> {
        let Some(value) = self.get(key) else {
            if required {
                diags.error(
                    self.file,
                    self.span.clone(),
                    format!(
                        "missing `[[{key}]]` in {}: at least one is needed",
                        self.what
                    ),
                );
            }
            return Vec::new();
        };
        let Some(array) = value.get_ref().as_array() else {
            self.wrong_type(key, "an array of tables", value, diags);
            return Vec::new();
        };
        let mut out = Vec::with_capacity(array.len());
        for item in array.iter() {
            match item.get_ref() {
                DeValue::Table(table) => out.push((table, item.span())),
                other => diags.error(
                    self.file,
                    item.span(),
                    format!(
                        "`{key}` in {} must contain tables, found {}",
                        self.what,
                        other.type_str()
                    ),
                ),
            }
        }
        out
    }
}

/// The integer value of a TOML integer, honouring its radix.
pub fn as_i64(value: &DeValue<'_>) -> Option<i64> {
    let int = value.as_integer()?;
    i64::from_str_radix(&int.as_str().replace('_', ""), int.radix()).ok()
}

/// The allowed key closest to a misspelt one, when it is close enough to be a likely typo.
fn closest<'k>(name: &str, allowed: &[&'k str]) -> Option<&'k str> {
    allowed
        .iter()
        .map(|candidate| (edit_distance(name, candidate), *candidate))
        .filter(|(distance, candidate)| *distance <= 2.max(candidate.len() / 4))
        .min()
        .map(|(_, candidate)| candidate)
}

/// Levenshtein distance, for "did you mean" hints.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous + usize::from(ca != *cb);
            previous = row[j + 1];
            row[j + 1] = substitute.min(row[j] + 1).min(previous + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_keys_only() {
        assert_eq!(closest("timezon", &["id", "timezone"]), Some("timezone"));
        assert_eq!(closest("colour", &["id", "timezone"]), None);
    }
}
