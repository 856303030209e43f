//! X API v2 post lookups: `GET /2/tweets?ids=...` (up to 100) and `GET /2/tweets/:id`, with
//! `tweet.fields` (`created_at`, `author_id`, `conversation_id`, `public_metrics` are filled
//! in; the other fields X knows are accepted and left out, as X leaves out what a post does
//! not have) and `expansions=author_id` (the author in `includes.users`). Unknown ids answer
//! 200 with a "Not Found Error" per id in `errors`, as X does; malformed ones answer 400.
//!
//! Lookups take any caller X takes: OAuth 1.0a user context, a user token or an app-only
//! token. Public metrics grow with the post's age ([`Engagement`]).

use axum::extract::{Path, RawQuery, State};
use axum::http::{Extensions, HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::engagement::Engagement;
use super::http_parts::{Answer, form_pairs, pairs_json, param};
use super::reply::Reply;
use super::x::{Post, invalid_request, x_entry, x_fault};
use super::x_auth::{SignedParts, authenticate};
use super::{Sandbox, SandboxState};

/// Most ids one lookup takes.
const MAX_LOOKUP_IDS: usize = 100;

/// Every `tweet.fields` value X accepts (its API reference for `GET /2/tweets`).
const TWEET_FIELDS: &[&str] = &[
    "article",
    "attachments",
    "author_id",
    "card_uri",
    "community_id",
    "context_annotations",
    "conversation_id",
    "created_at",
    "display_text_range",
    "edit_controls",
    "edit_history_tweet_ids",
    "entities",
    "geo",
    "id",
    "in_reply_to_user_id",
    "lang",
    "media_metadata",
    "non_public_metrics",
    "note_tweet",
    "organic_metrics",
    "possibly_sensitive",
    "promoted_metrics",
    "public_metrics",
    "referenced_tweets",
    "reply_settings",
    "scopes",
    "source",
    "text",
    "withheld",
];

/// Every `expansions` value X accepts on post lookups.
const EXPANSIONS: &[&str] = &[
    "article.cover_media",
    "article.media_entities",
    "attachments.media_keys",
    "attachments.media_source_tweet",
    "attachments.poll_ids",
    "author_id",
    "edit_history_tweet_ids",
    "entities.mentions.username",
    "geo.place_id",
    "in_reply_to_user_id",
    "entities.note.mentions.username",
    "referenced_tweets.id",
    "referenced_tweets.id.attachments.media_keys",
    "referenced_tweets.id.author_id",
];

/// `GET /2/tweets?ids=a,b&tweet.fields=public_metrics`.
pub(crate) async fn lookup_tweets(
    State(sandbox): State<Sandbox>,
    method: Method,
    uri: Uri,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    extensions: Extensions,
) -> Response {
    lookup(sandbox, None, &method, &uri, query, &headers, &extensions).await
}

/// `GET /2/tweets/:id?tweet.fields=created_at`.
pub(crate) async fn lookup_tweet(
    State(sandbox): State<Sandbox>,
    Path(id): Path<String>,
    method: Method,
    uri: Uri,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    extensions: Extensions,
) -> Response {
    lookup(
        sandbox,
        Some(id),
        &method,
        &uri,
        query,
        &headers,
        &extensions,
    )
    .await
}

async fn lookup(
    sandbox: Sandbox,
    single: Option<String>,
    method: &Method,
    uri: &Uri,
    query: Option<String>,
    headers: &HeaderMap,
    extensions: &Extensions,
) -> Response {
    let at = sandbox.clock().now();
    if let Some(delay) = sandbox.roll_slow() {
        tokio::time::sleep(delay).await;
    }
    let params = form_pairs(query.as_deref().unwrap_or(""));
    let parts = SignedParts {
        method: method.as_str(),
        path: uri.path(),
        headers,
        params: &params,
    };
    sandbox
        .x_lookup(&parts, single.as_deref(), at)
        .into_response(extensions)
}

impl Sandbox {
    /// Decides and records one lookup (of `single`, or of the `ids` parameter).
    fn x_lookup(&self, parts: &SignedParts<'_>, single: Option<&str>, at: DateTime<Utc>) -> Answer {
        let now = self.clock().now();
        let mut state = self.state();
        let state = &mut *state;
        let caller = authenticate(
            parts,
            &state.config.rehearsal_credential,
            &mut state.x.nonces,
            &state.x.tokens,
            now,
        );
        let account = caller
            .as_ref()
            .map(|caller| caller.fingerprint().to_string())
            .unwrap_or_default();
        let mut entry = x_entry(&account, at);
        entry.recipient = match single {
            Some(id) => format!("2/tweets/{id}"),
            None => "2/tweets".to_string(),
        };
        entry.body = pairs_json(parts.params);
        let answer = match caller {
            Err(reply) => Answer {
                reply,
                headers: Vec::new(),
            },
            Ok(_) => lookup_decide(state, parts.params, single, now),
        };
        entry.status = answer.reply.recorded_status();
        tracing::debug!(status = entry.status, "sandbox: x lookup");
        state.record.push(entry);
        answer
    }
}

/// A comma-separated parameter's values, or X's 400 naming the first one it does not know.
fn listed<'a>(
    params: &'a [(String, String)],
    name: &str,
    known: &[&str],
) -> Result<Vec<&'a str>, Reply> {
    let Some(raw) = param(params, name) else {
        return Ok(Vec::new());
    };
    let values: Vec<&str> = raw.split(',').map(str::trim).collect();
    match values.iter().find(|value| !known.contains(value)) {
        Some(bad) => Err(invalid_request(
            name,
            Value::from(*bad),
            &format!(
                "The `{name}` query parameter value [{bad}] is not one of [{}]",
                known.join(",")
            ),
        )),
        None => Ok(values),
    }
}

/// The ids asked for, or X's 400: `ids` must list 1 to 100 numeric ids; the path's `:id`, one.
fn asked_ids<'a>(
    params: &'a [(String, String)],
    single: Option<&'a str>,
) -> Result<Vec<&'a str>, Reply> {
    let (name, raw) = match single {
        Some(id) => ("id", id),
        None => ("ids", param(params, "ids").unwrap_or("")),
    };
    if raw.trim().is_empty() {
        return Err(invalid_request(
            name,
            Value::from(raw),
            &format!("The `{name}` query parameter can not be empty"),
        ));
    }
    let ids: Vec<&str> = raw.split(',').map(str::trim).collect();
    let valid =
        |id: &&str| !id.is_empty() && id.len() <= 19 && id.bytes().all(|b| b.is_ascii_digit());
    if let Some(bad) = ids.iter().find(|id| !valid(id)) {
        return Err(invalid_request(
            name,
            Value::from(*bad),
            &format!("The `{name}` query parameter value [{bad}] is not valid"),
        ));
    }
    if ids.len() > MAX_LOOKUP_IDS || (single.is_some() && ids.len() > 1) {
        return Err(invalid_request(
            name,
            Value::from(raw),
            &format!("The `{name}` query parameter takes at most {MAX_LOOKUP_IDS} ids"),
        ));
    }
    Ok(ids)
}

/// Faults, the parameters, then the posts found (each with the fields asked for) and a "Not
/// Found Error" for each id not found: `data` is one object for `GET /2/tweets/:id`.
fn lookup_decide(
    state: &mut SandboxState,
    params: &[(String, String)],
    single: Option<&str>,
    now: DateTime<Utc>,
) -> Answer {
    if let Some(answer) = x_fault(state, now) {
        return answer;
    }
    let answer = |reply| Answer {
        reply,
        headers: Vec::new(),
    };
    let checked = asked_ids(params, single).and_then(|ids| {
        let fields = listed(params, "tweet.fields", TWEET_FIELDS)?;
        let expansions = listed(params, "expansions", EXPANSIONS)?;
        Ok((ids, fields, expansions))
    });
    let (ids, fields, expansions) = match checked {
        Ok(checked) => checked,
        Err(reply) => return answer(reply),
    };
    let engagement = Engagement::new(state.engagement_seed);
    let mut data = Vec::new();
    let mut errors = Vec::new();
    let mut authors: Vec<String> = Vec::new();
    for id in ids {
        match state.x.posts.get(id) {
            Some(post) => {
                data.push(render(id, post, &fields, &engagement, now));
                if !authors.contains(&post.author) {
                    authors.push(post.author.clone());
                }
            }
            None => errors.push(not_found(id, single.is_some())),
        }
    }
    let mut body = Map::new();
    match (single, data.pop()) {
        (Some(_), Some(post)) => {
            body.insert("data".into(), post);
        }
        (None, Some(last)) => {
            data.push(last);
            body.insert("data".into(), Value::Array(data));
        }
        (_, None) => {}
    }
    if expansions.contains(&"author_id") && !authors.is_empty() {
        let users: Vec<Value> = authors.iter().map(|author| user(author)).collect();
        body.insert("includes".into(), json!({ "users": users }));
    }
    if !errors.is_empty() {
        body.insert("errors".into(), Value::Array(errors));
    }
    let reply = Reply::json(StatusCode::OK, Value::Object(body));
    let faults = state.config.faults.clone();
    if state.dice.roll_drop(&faults) {
        answer(reply.dropped())
    } else {
        answer(reply)
    }
}

/// One post with the default fields (`id`, `text`, `edit_history_tweet_ids`) and those asked
/// for that the sandbox knows.
fn render(
    id: &str,
    post: &Post,
    fields: &[&str],
    engagement: &Engagement,
    now: DateTime<Utc>,
) -> Value {
    let mut out = json!({"id": id, "edit_history_tweet_ids": [id], "text": post.text});
    for field in fields {
        let value = match *field {
            "created_at" => Value::from(post.at.to_rfc3339_opts(SecondsFormat::Millis, true)),
            "author_id" => Value::from(user_id(&post.author)),
            "conversation_id" => Value::from(id),
            "public_metrics" => {
                let numbers = engagement.x(id, now - post.at);
                json!({
                    "retweet_count": numbers.retweets,
                    "reply_count": numbers.replies,
                    "like_count": numbers.likes,
                    "quote_count": numbers.quotes,
                    "bookmark_count": numbers.bookmarks,
                    "impression_count": numbers.impressions,
                })
            }
            _ => continue,
        };
        out[*field] = value;
    }
    out
}

/// X's "Not Found Error" for one id (`parameter` is `id` for a single lookup).
fn not_found(id: &str, single: bool) -> Value {
    let (parameter, plural) = if single { ("id", "") } else { ("ids", "s") };
    json!({
        "value": id,
        "detail": format!("Could not find tweet with id{plural}: [{id}]."),
        "title": "Not Found Error",
        "resource_type": "tweet",
        "parameter": parameter,
        "resource_id": id,
        "type": "https://api.twitter.com/2/problems/resource-not-found",
    })
}

/// A stable numeric user id for the token that posted (the sandbox has no user directory).
fn user_id(author: &str) -> String {
    let digest = Sha256::digest(author.as_bytes());
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&digest[..8]);
    // 60 bits: at most 19 digits, as X's user ids.
    (u64::from_be_bytes(bytes) >> 4).to_string()
}

/// The author as `includes.users` shows it.
fn user(author: &str) -> Value {
    let id = user_id(author);
    let suffix: String = author
        .trim_start_matches("token-")
        .chars()
        .take(7)
        .collect();
    json!({"id": id, "name": "Sandbox user", "username": format!("sandbox_{suffix}")})
}
