//! `GET /{version}/{waba_id}/message_templates`: the template listing of the WhatsApp
//! Business Management API, in its documented shape: one entry per template and language,
//! with `name`, `language` (the real language code, `en_US`, `ar`), `status`, `category`, `id`,
//! `parameter_format` and `components`; the `name`, `language`, `status` and `category`
//! filters; `fields` to choose what each entry shows (`id` always); `summary` with the counts
//! asked for; and cursor paging (`limit`, `after`, `before`, `paging.cursors` and an absolute
//! `paging.next` while more follow).
//!
//! The templates are those of [`super::SandboxConfig::whatsapp_templates`]. One listed by
//! name alone stands for every language: it shows in the languages asked for, else in the
//! languages listed for that name elsewhere, else in `en_US`. When a name and a language are
//! asked and nothing listed matches, the template is shown approved: the sandbox pretends
//! every template a rehearsal asks about exists.

use std::collections::{BTreeMap, BTreeSet};

use axum::extract::{Path, RawQuery, State};
use axum::http::{Extensions, HeaderMap, StatusCode, Uri, header};
use axum::response::Response;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::graph_auth::graph_token;
use super::http_parts::{form_pairs, param};
use super::reply::Reply;
use super::whatsapp::{is_version, unauthorized, unknown_version};
use super::{Sandbox, SandboxState};

/// Graph's default page size.
const DEFAULT_LIMIT: usize = 25;
/// The most entries one page holds, whatever `limit` asks.
const MAX_LIMIT: usize = 1000;
/// The language a template listed by name alone shows when nothing else names one.
const DEFAULT_LANGUAGE: &str = "en_US";
/// Meta's limit of templates per WhatsApp Business Account (an unverified business).
const TEMPLATE_LIMIT: usize = 250;

/// `GET /{version}/{waba_id}/message_templates`.
pub(crate) async fn message_templates(
    State(sandbox): State<Sandbox>,
    Path((version, _waba_id)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let mut state = sandbox.state();
    let refused = if !is_version(&version) {
        Some(unknown_version())
    } else if graph_token(&headers, query.as_deref(), &[]).is_none() {
        Some(unauthorized())
    } else {
        None
    };
    if let Some(error) = refused {
        let trace_id = Sandbox::next_trace_id(&mut state);
        return error.reply(&trace_id).into_response(&Extensions::new());
    }
    let pairs = form_pairs(query.as_deref().unwrap_or(""));
    let all = listing(&state, &pairs);
    let host = headers
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("localhost");
    let base = format!("http://{host}{}", uri.path());
    let answer = page(&state, all, &pairs, &base);
    Reply::json(StatusCode::OK, answer).into_response(&Extensions::new())
}

/// A comma-separated filter as a set; `None` when absent or empty.
fn filter_set(pairs: &[(String, String)], name: &str) -> Option<BTreeSet<String>> {
    let set: BTreeSet<String> = param(pairs, name)?
        .split(',')
        .map(|item| item.trim().to_string())
        .filter(|item| !item.is_empty())
        .collect();
    (!set.is_empty()).then_some(set)
}

/// Every (name, language, status) the filters let through, in a stable order.
fn listing(state: &SandboxState, pairs: &[(String, String)]) -> Vec<(String, String, String)> {
    let templates = &state.config.whatsapp_templates;
    let name = param(pairs, "name")
        .map(str::trim)
        .filter(|n| !n.is_empty());
    let languages = filter_set(pairs, "language");
    let statuses = filter_set(pairs, "status");
    let categories = filter_set(pairs, "category");
    let mut found = BTreeMap::new();
    for (key, status) in templates {
        let (listed_name, listed_language) = match key.split_once(':') {
            Some((listed_name, language)) => (listed_name, Some(language)),
            None => (key.as_str(), None),
        };
        // Graph's name filter matches a part of the name.
        if name.is_some_and(|name| !listed_name.contains(name)) {
            continue;
        }
        let shown: Vec<String> = match (listed_language, &languages) {
            (Some(language), _) => vec![language.to_string()],
            (None, Some(asked)) => asked.iter().cloned().collect(),
            (None, None) => languages_of(templates, listed_name),
        };
        for language in shown {
            if languages
                .as_ref()
                .is_some_and(|asked| !asked.contains(&language))
            {
                continue;
            }
            // A name-and-language key wins over a name-only one.
            if listed_language.is_none()
                && found.contains_key(&(listed_name.to_string(), language.clone()))
            {
                continue;
            }
            found.insert(
                (listed_name.to_string(), language),
                status.to_ascii_uppercase(),
            );
        }
    }
    if let (Some(name), Some(asked), true) = (name, &languages, found.is_empty()) {
        for language in asked {
            found.insert((name.to_string(), language.clone()), "APPROVED".to_string());
        }
    }
    found
        .into_iter()
        .filter(|(_, status)| {
            statuses
                .as_ref()
                .is_none_or(|wanted| wanted.contains(status))
        })
        .filter(|_| {
            categories
                .as_ref()
                .is_none_or(|wanted| wanted.contains("UTILITY"))
        })
        .map(|((name, language), status)| (name, language, status))
        .collect()
}

/// The languages listed for `name` with a language, else the default one.
fn languages_of(templates: &BTreeMap<String, String>, name: &str) -> Vec<String> {
    let listed: Vec<String> = templates
        .keys()
        .filter_map(|key| key.split_once(':'))
        .filter(|(listed_name, _)| *listed_name == name)
        .map(|(_, language)| language.to_string())
        .collect();
    if listed.is_empty() {
        vec![DEFAULT_LANGUAGE.to_string()]
    } else {
        listed
    }
}

/// One page of `all` as Graph answers it: `data`, `paging` (when there is data) and `summary`
/// (when asked).
fn page(
    state: &SandboxState,
    all: Vec<(String, String, String)>,
    pairs: &[(String, String)],
    base: &str,
) -> Value {
    let limit = param(pairs, "limit")
        .and_then(|limit| limit.trim().parse::<usize>().ok())
        .filter(|limit| *limit > 0)
        .unwrap_or(DEFAULT_LIMIT)
        .min(MAX_LIMIT);
    let start = match (param(pairs, "after"), param(pairs, "before")) {
        (Some(after), _) => cursor_index(after).map_or(all.len(), |index| index + 1),
        (None, Some(before)) => cursor_index(before).map_or(0, |index| index.saturating_sub(limit)),
        (None, None) => 0,
    };
    let start = start.min(all.len());
    let end = (start + limit).min(all.len());
    let fields = filter_set(pairs, "fields");
    let data: Vec<Value> = all[start..end]
        .iter()
        .map(|(name, language, status)| entry(name, language, status, fields.as_ref()))
        .collect();
    let mut answer = json!({ "data": data });
    if start < end {
        let mut paging = json!({"cursors": {"before": cursor(start), "after": cursor(end - 1)}});
        if end < all.len() {
            paging["next"] = json!(page_link(base, pairs, "after", &cursor(end - 1)));
        }
        if start > 0 {
            paging["previous"] = json!(page_link(base, pairs, "before", &cursor(start)));
        }
        answer["paging"] = paging;
    }
    if let Some(asked) = filter_set(pairs, "summary") {
        answer["summary"] = summary(state, all.len(), &asked);
    }
    answer
}

/// The summary fields asked for, of those Graph documents for this edge.
fn summary(state: &SandboxState, matching: usize, asked: &BTreeSet<String>) -> Value {
    let mut summary = Map::new();
    for field in asked {
        let value = match field.as_str() {
            "total_count" => json!(matching),
            "message_template_count" => json!(state.config.whatsapp_templates.len()),
            "message_template_limit" => json!(TEMPLATE_LIMIT),
            "are_translations_complete" => json!(true),
            _ => continue,
        };
        summary.insert(field.clone(), value);
    }
    Value::Object(summary)
}

/// A cursor for position `index`; clients treat Graph's cursors as opaque strings.
fn cursor(index: usize) -> String {
    format!("SBX{index:010}")
}

fn cursor_index(cursor: &str) -> Option<usize> {
    cursor.trim().strip_prefix("SBX")?.parse().ok()
}

/// The absolute URL of a neighbouring page: the same query, with the cursor replaced (the
/// token, if it came as a parameter, stays, as in Graph's links).
fn page_link(base: &str, pairs: &[(String, String)], direction: &str, cursor: &str) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (key, value) in pairs {
        if key != "after" && key != "before" {
            query.append_pair(key, value);
        }
    }
    query.append_pair(direction, cursor);
    format!("{base}?{}", query.finish())
}

/// One template in Graph's listing, with a stable id derived from its name and language; only
/// the `fields` asked for (and `id`) when some are.
fn entry(name: &str, language: &str, status: &str, fields: Option<&BTreeSet<String>>) -> Value {
    let digest = Sha256::digest(format!("{name}:{language}").as_bytes());
    let mut id_bytes = [0u8; 8];
    id_bytes.copy_from_slice(&digest[..8]);
    // Graph ids are decimal strings of up to 16 digits.
    let id = u64::from_be_bytes(id_bytes) % 10_000_000_000_000_000;
    let full = json!({
        "name": name,
        "parameter_format": "POSITIONAL",
        "components": [{
            "type": "BODY",
            "text": "{{1}}",
            "example": {"body_text": [["Sandbox"]]},
        }],
        "language": language,
        "status": status,
        "category": "UTILITY",
        "id": id.to_string(),
    });
    let (Some(fields), Value::Object(all)) = (fields, &full) else {
        return full;
    };
    Value::Object(
        all.iter()
            .filter(|(key, _)| *key == "id" || fields.contains(*key))
            .map(|(key, value)| (key.clone(), value.clone()))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_strangers() {
        assert_eq!(cursor_index(&cursor(7)), Some(7));
        assert_eq!(cursor_index("MAZDZD"), None);
        assert_eq!(cursor_index("SBXx"), None);
    }

    #[test]
    fn entries_show_the_documented_fields_or_the_asked_ones() {
        let full = entry("alert", "ar", "APPROVED", None);
        for field in [
            "name",
            "language",
            "status",
            "category",
            "id",
            "parameter_format",
            "components",
        ] {
            assert!(full.get(field).is_some(), "{field}");
        }
        assert_eq!(full["language"], "ar");
        let fields = BTreeSet::from(["name".to_string(), "status".to_string()]);
        let some = entry("alert", "ar", "APPROVED", Some(&fields));
        let keys: Vec<&String> = some.as_object().unwrap().keys().collect();
        assert_eq!(keys.len(), 3);
        assert_eq!(some["id"], full["id"]);
    }

    #[test]
    fn links_keep_the_query_and_replace_the_cursor() {
        let pairs = form_pairs("name=a&after=old&limit=1");
        assert_eq!(
            page_link("http://h/v1/w/message_templates", &pairs, "after", "Yw=="),
            "http://h/v1/w/message_templates?name=a&limit=1&after=Yw%3D%3D"
        );
    }
}
