//! Reading a callback's JSON with the path of every value at hand, so that a refusal says
//! exactly what is wrong and where (`entry[0].changes[1].value.statuses[0].timestamp`) without
//! ever quoting the value itself, which may identify a person.

use std::fmt;

use chrono::{DateTime, Utc};
use serde_json::Value;

/// A callback body herald cannot read. Says where and what, never the offending value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// A JSON path such as `entry[0].changes[1].value.statuses[0].timestamp`; empty for the
    /// body as a whole.
    pub path: String,
    /// What is wrong there, e.g. `expected a string`.
    pub problem: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "callback body: {}", self.problem)
        } else {
            write!(f, "callback body at `{}`: {}", self.path, self.problem)
        }
    }
}

impl std::error::Error for ParseError {}

/// Parses a body as JSON; serde_json's message names only the position, never the content.
pub(super) fn parse_json(body: &[u8]) -> Result<Value, ParseError> {
    serde_json::from_slice(body).map_err(|error| ParseError {
        path: String::new(),
        problem: format!(
            "not JSON (line {}, column {})",
            error.line(),
            error.column()
        ),
    })
}

/// A value in a callback body together with its path.
#[derive(Clone)]
pub(super) struct Node<'a> {
    value: &'a Value,
    path: String,
}

impl<'a> Node<'a> {
    pub(super) fn root(value: &'a Value) -> Node<'a> {
        Node {
            value,
            path: String::new(),
        }
    }

    /// The member `name`, or a null node if it is absent (or this is not an object).
    pub(super) fn field(&self, name: &str) -> Node<'a> {
        const NULL: &Value = &Value::Null;
        let path = if self.path.is_empty() {
            name.to_string()
        } else {
            format!("{}.{name}", self.path)
        };
        Node {
            value: self.value.get(name).unwrap_or(NULL),
            path,
        }
    }

    pub(super) fn is_present(&self) -> bool {
        !self.value.is_null()
    }

    pub(super) fn error(&self, problem: &str) -> ParseError {
        ParseError {
            path: self.path.clone(),
            problem: problem.to_string(),
        }
    }

    /// The elements of an array; absent or null is an empty list.
    pub(super) fn items(&self) -> Result<Vec<Node<'a>>, ParseError> {
        match self.value {
            Value::Null => Ok(Vec::new()),
            Value::Array(items) => Ok(items
                .iter()
                .enumerate()
                .map(|(index, value)| Node {
                    value,
                    path: format!("{}[{index}]", self.path),
                })
                .collect()),
            _ => Err(self.error("expected an array")),
        }
    }

    /// The object itself; absent, null or anything else is refused.
    pub(super) fn object(&self) -> Result<&'a serde_json::Map<String, Value>, ParseError> {
        self.value
            .as_object()
            .ok_or_else(|| self.error("expected an object"))
    }

    /// A string, if present; anything but a string or null is refused.
    pub(super) fn opt_str(&self) -> Result<Option<&'a str>, ParseError> {
        match self.value {
            Value::Null => Ok(None),
            Value::String(text) => Ok(Some(text)),
            _ => Err(self.error("expected a string")),
        }
    }

    /// A string that must be present.
    pub(super) fn str(&self) -> Result<&'a str, ParseError> {
        self.opt_str()?.ok_or_else(|| self.error("missing"))
    }

    /// An identifier that platforms send as a number or a string, as text; must be present
    /// and not empty.
    pub(super) fn id(&self) -> Result<String, ParseError> {
        match self.value {
            Value::Null => Err(self.error("missing")),
            Value::Number(number) if number.is_i64() || number.is_u64() => Ok(number.to_string()),
            Value::String(text) if !text.trim().is_empty() => Ok(text.clone()),
            Value::String(_) => Err(self.error("empty")),
            _ => Err(self.error("expected an integer or a string")),
        }
    }

    /// An epoch timestamp, as a number or a string of digits. Platforms mostly send seconds
    /// but sometimes milliseconds: values above 10^11 (beyond the year 5138 in seconds, early
    /// 1973 in milliseconds) are milliseconds.
    pub(super) fn timestamp(&self) -> Result<DateTime<Utc>, ParseError> {
        let raw: i64 = match self.value {
            Value::Null => return Err(self.error("missing")),
            Value::Number(number) => number
                .as_i64()
                .ok_or_else(|| self.error("expected whole epoch seconds or milliseconds"))?,
            Value::String(text) => text
                .trim()
                .parse()
                .map_err(|_| self.error("expected whole epoch seconds or milliseconds"))?,
            _ => return Err(self.error("expected a timestamp")),
        };
        let at = if raw > 100_000_000_000 {
            DateTime::from_timestamp_millis(raw)
        } else {
            DateTime::from_timestamp(raw, 0)
        };
        at.filter(|_| raw >= 0)
            .ok_or_else(|| self.error("timestamp out of range"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_name_the_place_and_never_the_value() {
        let body = json!({"entry": [{"changes": [{}, {"value": {"statuses": [{"timestamp": "31612345678x"}]}}]}]});
        let root = Node::root(&body);
        let change = &root.field("entry").items().unwrap()[0]
            .field("changes")
            .items()
            .unwrap()[1];
        let status = &change.field("value").field("statuses").items().unwrap()[0];
        let error = status.field("timestamp").timestamp().unwrap_err();
        assert_eq!(
            error.path,
            "entry[0].changes[1].value.statuses[0].timestamp"
        );
        let shown = error.to_string();
        assert!(!shown.contains("31612345678"), "{shown}");
        assert!(shown.contains("entry[0].changes[1].value.statuses[0].timestamp"));
        assert_eq!(
            root.field("entry").field("x").str().unwrap_err().path,
            "entry.x"
        );
        assert!(root.field("entry").object().is_err());
        let not_json = parse_json(b"{\"user\": 31612345678").unwrap_err();
        assert!(!not_json.to_string().contains("31612345678"));
    }

    #[test]
    fn timestamps_in_seconds_or_milliseconds() {
        let seconds = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        for value in [
            json!("1700000000"),
            json!(1_700_000_000),
            json!("1700000000000"),
            json!(1_700_000_000_000i64),
        ] {
            assert_eq!(Node::root(&value).timestamp().unwrap(), seconds, "{value}");
        }
        let with_millis = json!(1_457_764_197_627i64);
        assert_eq!(
            Node::root(&with_millis).timestamp().unwrap(),
            DateTime::from_timestamp_millis(1_457_764_197_627).unwrap()
        );
        for bad in [json!("soon"), json!(1.5), json!(-5), json!(null), json!([])] {
            assert!(Node::root(&bad).timestamp().is_err(), "{bad}");
        }
    }

    #[test]
    fn ids_come_as_numbers_or_strings() {
        assert_eq!(Node::root(&json!(123456789)).id().unwrap(), "123456789");
        assert_eq!(
            Node::root(&json!("01234567890A=")).id().unwrap(),
            "01234567890A="
        );
        assert!(Node::root(&json!("")).id().is_err());
        assert!(Node::root(&json!(null)).id().is_err());
        assert!(Node::root(&json!(1.5)).id().is_err());
    }
}
