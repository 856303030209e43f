//! A small JSON Schema checker over serde_json, for the subset the OpenAPI document uses:
//! `type` (one or several), `enum`, `required`, `properties`, `additionalProperties`, `items`,
//! `oneOf`, `anyOf`, `allOf`, `minimum` and local `$ref`s into the document. Enough to say
//! whether a real answer matches the document, and where it does not.

use serde_json::Value;

/// Every place `value` breaks `schema`, as `PATH: problem`; empty when it matches. `$ref`s
/// resolve against `document`.
pub fn violations(document: &Value, schema: &Value, value: &Value) -> Vec<String> {
    let mut found = Vec::new();
    check(document, schema, value, "$", &mut found, 0);
    found
}

fn check(
    document: &Value,
    schema: &Value,
    value: &Value,
    at: &str,
    found: &mut Vec<String>,
    depth: usize,
) {
    if depth > 64 {
        found.push(format!("{at}: schema nested too deep (a $ref cycle?)"));
        return;
    }
    if let Some(reference) = schema["$ref"].as_str() {
        match resolve(document, reference) {
            Some(target) => check(document, target, value, at, found, depth + 1),
            None => found.push(format!("{at}: dangling reference {reference}")),
        }
        return;
    }
    if let Some(kinds) = kinds(schema)
        && !kinds.iter().any(|kind| is_kind(value, kind))
    {
        found.push(format!(
            "{at}: {value} is not of type {}",
            kinds.join(" or ")
        ));
        return;
    }
    if let Some(allowed) = schema["enum"].as_array()
        && !allowed.contains(value)
    {
        found.push(format!("{at}: {value} is not one of {}", schema["enum"]));
    }
    if let (Some(minimum), Some(number)) = (schema["minimum"].as_f64(), value.as_f64())
        && number < minimum
    {
        found.push(format!("{at}: {number} is below the minimum {minimum}"));
    }
    combinations(document, schema, value, at, found, depth);
    if let Some(object) = value.as_object() {
        for name in schema["required"].as_array().into_iter().flatten() {
            if let Some(name) = name.as_str()
                && !object.contains_key(name)
            {
                found.push(format!("{at}: required property `{name}` is missing"));
            }
        }
        for (name, member) in object {
            let place = format!("{at}.{name}");
            match schema["properties"].get(name) {
                Some(property) => check(document, property, member, &place, found, depth + 1),
                None => match &schema["additionalProperties"] {
                    Value::Bool(false) => {
                        found.push(format!("{place}: property not in the schema"));
                    }
                    extra @ Value::Object(_) => {
                        check(document, extra, member, &place, found, depth + 1);
                    }
                    _ => {}
                },
            }
        }
    }
    if let (Some(items), Some(array)) = (schema.get("items"), value.as_array()) {
        for (index, item) in array.iter().enumerate() {
            check(
                document,
                items,
                item,
                &format!("{at}[{index}]"),
                found,
                depth + 1,
            );
        }
    }
}

/// `oneOf` (exactly one matches), `anyOf` (at least one) and `allOf` (every one).
fn combinations(
    document: &Value,
    schema: &Value,
    value: &Value,
    at: &str,
    found: &mut Vec<String>,
    depth: usize,
) {
    let matching = |key: &str| -> Option<(usize, usize, Vec<String>)> {
        let options = schema[key].as_array()?;
        let mut problems = Vec::new();
        let matched = options
            .iter()
            .filter(|option| {
                let broken = violations_at(document, option, value, at, depth + 1);
                problems.extend(broken.iter().cloned());
                broken.is_empty()
            })
            .count();
        Some((matched, options.len(), problems))
    };
    if let Some((matched, _, problems)) = matching("oneOf")
        && matched != 1
    {
        found.push(format!(
            "{at}: matches {matched} of oneOf, not exactly one ({})",
            problems.join("; ")
        ));
    }
    if let Some((0, _, problems)) = matching("anyOf") {
        found.push(format!(
            "{at}: matches none of anyOf ({})",
            problems.join("; ")
        ));
    }
    if let Some((matched, total, problems)) = matching("allOf")
        && matched != total
    {
        found.push(format!("{at}: breaks allOf ({})", problems.join("; ")));
    }
}

fn violations_at(
    document: &Value,
    schema: &Value,
    value: &Value,
    at: &str,
    depth: usize,
) -> Vec<String> {
    let mut found = Vec::new();
    check(document, schema, value, at, &mut found, depth);
    found
}

/// The schema's `type` as a list, if it has one.
fn kinds(schema: &Value) -> Option<Vec<&str>> {
    match &schema["type"] {
        Value::String(kind) => Some(vec![kind.as_str()]),
        Value::Array(kinds) => Some(kinds.iter().filter_map(Value::as_str).collect()),
        _ => None,
    }
}

fn is_kind(value: &Value, kind: &str) -> bool {
    match kind {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "number" => value.is_number(),
        "integer" => value.is_i64() || value.is_u64(),
        _ => false,
    }
}

/// `#/a/b/c` within the document.
fn resolve<'d>(document: &'d Value, reference: &str) -> Option<&'d Value> {
    document.pointer(reference.strip_prefix('#')?)
}
