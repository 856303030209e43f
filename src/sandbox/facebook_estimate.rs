//! The Marketing API's audience estimate
//! (`GET /{version}/act_{id}/delivery_estimate?optimization_goal=REACH&targeting_spec=...`):
//! Meta's checks on the targeting spec (ages 18 to 65, a location) and a deterministic
//! estimate from a built-in table of Facebook audiences per country, the age span and the
//! number of locales, answered as Meta does: a range (about 0.8 to 1.2 times a central
//! value), a daily figure and `estimate_ready`.

use axum::extract::{Path, RawQuery, State};
use axum::http::{Extensions, HeaderMap, StatusCode};
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::facebook::{
    Usage, graph_error, graph_fault, is_graph_version, no_token, query_pairs, unknown_path,
    unsupported_get, usage_headers,
};
use super::graph_auth::graph_token;
use super::http_parts::{Answer, pairs_json, param};
use super::reply::Reply;
use super::{Received, Sandbox, SandboxState};

/// The youngest and oldest ages Meta's targeting accepts.
const MIN_AGE: i64 = 18;
const MAX_AGE: i64 = 65;

/// Rough Facebook audiences aged 18-65 per country, enough for plausible estimates.
const AUDIENCES: [(&str, u64); 20] = [
    ("AF", 4_000_000),
    ("AT", 5_500_000),
    ("BD", 50_000_000),
    ("BE", 7_500_000),
    ("DE", 50_000_000),
    ("ER", 200_000),
    ("ES", 30_000_000),
    ("ET", 8_000_000),
    ("FR", 40_000_000),
    ("GR", 6_000_000),
    ("IQ", 22_000_000),
    ("IT", 35_000_000),
    ("MA", 20_000_000),
    ("NG", 35_000_000),
    ("NL", 11_000_000),
    ("PK", 45_000_000),
    ("SE", 7_000_000),
    ("SO", 2_000_000),
    ("SY", 7_000_000),
    ("TR", 50_000_000),
];
/// The audience of a country not in the table, and of one region.
const OTHER_AUDIENCE: u64 = 3_000_000;
/// The share of a country's audience one targeted locale (language) keeps.
const LOCALE_SHARE: f64 = 0.08;

/// `GET /{version}/{ad_account}/delivery_estimate`.
pub(crate) async fn delivery_estimate(
    State(sandbox): State<Sandbox>,
    Path((version, account)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    extensions: Extensions,
) -> Response {
    let at = sandbox.clock().now();
    if let Some(delay) = sandbox.roll_slow() {
        tokio::time::sleep(delay).await;
    }
    let pairs = query_pairs(query.as_deref());
    sandbox
        .delivery_estimate(
            &version,
            &account,
            graph_token(&headers, query.as_deref(), &[]).as_deref(),
            &pairs,
            at,
        )
        .into_response(&extensions)
}

impl Sandbox {
    /// Decides and records one audience estimate.
    fn delivery_estimate(
        &self,
        version: &str,
        account: &str,
        token: Option<&str>,
        query: &[(String, String)],
        at: DateTime<Utc>,
    ) -> Answer {
        let mut entry = Received::arriving("meta_ads", account, at);
        entry.recipient = format!("{account}/delivery_estimate");
        entry.body = pairs_json(query);
        let now = self.clock().now();
        let mut state = self.state();
        let mut usage = Usage::default();
        let reply = estimate_decide(&mut state, version, account, token, query, &mut usage);
        entry.status = reply.recorded_status();
        tracing::debug!(status = entry.status, "sandbox: delivery estimate");
        state.record.push(entry);
        let headers = usage_headers(&mut state, None, usage, now);
        Answer { reply, headers }
    }
}

/// Path, token, faults, parameters, the targeting spec, then the estimate.
fn estimate_decide(
    state: &mut SandboxState,
    version: &str,
    account: &str,
    token: Option<&str>,
    query: &[(String, String)],
    usage: &mut Usage,
) -> Reply {
    if !is_graph_version(version) {
        return unknown_path(state, version);
    }
    if token.is_none() {
        return no_token(state);
    }
    // Ad account ids are digits; a rehearsing worker sends the rehearsal placeholder for
    // every credential, the ad account included, and the sandbox accepts it as an account.
    let is_ad_account = account.strip_prefix("act_").is_some_and(|id| {
        id == state.config.rehearsal_credential
            || (!id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
    });
    if !is_ad_account {
        return unsupported_get(state, account);
    }
    if let Some(reply) = graph_fault(state, usage) {
        return reply;
    }
    if param(query, "optimization_goal").is_none_or(str::is_empty) {
        return invalid(state, "(#100) The parameter optimization_goal is required");
    }
    let Some(spec) = param(query, "targeting_spec") else {
        return invalid(state, "(#100) The parameter targeting_spec is required");
    };
    let central = match central_estimate(spec) {
        Ok(central) => central,
        Err(why) => return invalid(state, &why.to_string()),
    };
    let reply = Reply::json(StatusCode::OK, estimate_answer(central));
    let faults = state.config.faults.clone();
    if state.dice.roll_drop(&faults) {
        reply.dropped()
    } else {
        reply
    }
}

fn invalid(state: &mut SandboxState, message: &str) -> Reply {
    graph_error(state, StatusCode::BAD_REQUEST, 100, None, message)
}

/// Why Meta refuses a targeting spec, in Meta's words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
enum TargetingError {
    #[error("(#100) Param targeting_spec must be a JSON-encoded object")]
    NotAnObject,
    #[error("(#100) Param targeting_spec[{0}] must be a number")]
    AgeNotANumber(&'static str),
    #[error("(#100) Param targeting_spec[age_min] must be at least {}", MIN_AGE)]
    TooYoung,
    #[error("(#100) Param targeting_spec[age_max] must be at most {}", MAX_AGE)]
    TooOld,
    #[error("(#100) Param targeting_spec[age_min] must not exceed age_max")]
    AgesReversed,
    #[error("(#100) Invalid targeting spec: a location (geo_locations) is required")]
    NoLocation,
}

/// The central audience of a targeting spec, or Meta's reason to refuse it.
fn central_estimate(spec: &str) -> Result<f64, TargetingError> {
    let spec: Value = serde_json::from_str(spec)
        .ok()
        .filter(Value::is_object)
        .ok_or(TargetingError::NotAnObject)?;
    let age = |name: &'static str, default: i64| match spec.get(name) {
        None | Some(Value::Null) => Ok(default),
        Some(value) => value
            .as_i64()
            .or_else(|| value.as_str().and_then(|text| text.trim().parse().ok()))
            .ok_or(TargetingError::AgeNotANumber(name)),
    };
    let age_min = age("age_min", MIN_AGE)?;
    let age_max = age("age_max", MAX_AGE)?;
    if age_min < MIN_AGE {
        return Err(TargetingError::TooYoung);
    }
    if age_max > MAX_AGE {
        return Err(TargetingError::TooOld);
    }
    if age_min > age_max {
        return Err(TargetingError::AgesReversed);
    }
    let geo = &spec["geo_locations"];
    let countries: Vec<&str> = geo["countries"]
        .as_array()
        .map(|list| list.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let regions = geo["regions"].as_array().map_or(0, Vec::len);
    if countries.is_empty() && regions == 0 {
        return Err(TargetingError::NoLocation);
    }
    let people: u64 = countries
        .iter()
        .map(|country| {
            AUDIENCES
                .iter()
                .find(|(code, _)| code.eq_ignore_ascii_case(country))
                .map_or(OTHER_AUDIENCE, |(_, people)| *people)
        })
        .sum::<u64>()
        + regions as u64 * OTHER_AUDIENCE;
    let locales = spec["locales"].as_array().map_or(0, Vec::len);
    let age_share = (age_max - age_min + 1) as f64 / (MAX_AGE - MIN_AGE + 1) as f64;
    let locale_share = if locales == 0 {
        1.0
    } else {
        (LOCALE_SHARE * locales as f64).min(1.0)
    };
    Ok((people as f64 * age_share * locale_share).max(1_000.0))
}

/// Meta's answer for a central audience: a range of about ±20 %, rounded as Meta rounds.
fn estimate_answer(central: f64) -> Value {
    let lower = round_two_digits(central * 0.8);
    let upper = round_two_digits(central * 1.2).max(lower);
    let daily = round_two_digits(central * 0.55);
    let curve: Vec<Value> = [0.0_f64, 50.0, 200.0, 1_000.0]
        .iter()
        .map(|spend| {
            // Reach grows with spend, ever more slowly, towards the whole audience.
            let reach = (central * (1.0 - (-spend / 2_000.0).exp())).round() as u64;
            json!({
                "spend": (spend * 100.0) as u64,
                "reach": reach,
                "impressions": reach * 2,
                "actions": reach,
            })
        })
        .collect();
    json!({
        "data": [{
            "daily_outcomes_curve": curve,
            "estimate_dau": daily,
            "estimate_mau_lower_bound": lower,
            "estimate_mau_upper_bound": upper,
            "estimate_ready": true,
        }]
    })
}

/// `value` rounded to two significant digits (12,345 → 12,000).
fn round_two_digits(value: f64) -> u64 {
    if value < 1.0 {
        return 0;
    }
    let magnitude = 10f64.powi(value.log10().floor() as i32 - 1);
    ((value / magnitude).round() * magnitude) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimates_follow_countries_ages_and_locales() {
        let nl = central_estimate(r#"{"geo_locations":{"countries":["NL"]}}"#).unwrap();
        assert_eq!(nl, 11_000_000.0);
        let half_ages =
            central_estimate(r#"{"geo_locations":{"countries":["NL"]},"age_min":18,"age_max":41}"#)
                .unwrap();
        assert_eq!(half_ages, 5_500_000.0);
        let two_locales =
            central_estimate(r#"{"geo_locations":{"countries":["NL"]},"locales":[28,6]}"#).unwrap();
        assert!((two_locales - 11_000_000.0 * 0.16).abs() < 1.0);
        let unknown = central_estimate(r#"{"geo_locations":{"countries":["ZZ"]}}"#).unwrap();
        assert_eq!(unknown, OTHER_AUDIENCE as f64);
    }

    #[test]
    fn metas_bounds_are_enforced() {
        for (spec, words) in [
            (
                r#"{"geo_locations":{"countries":["NL"]},"age_min":16}"#,
                "at least 18",
            ),
            (
                r#"{"geo_locations":{"countries":["NL"]},"age_max":70}"#,
                "at most 65",
            ),
            (r#"{"age_min":20}"#, "location"),
            ("[1]", "JSON-encoded object"),
            ("not json", "JSON-encoded object"),
        ] {
            let error = central_estimate(spec).unwrap_err().to_string();
            assert!(error.contains(words), "{spec}: {error}");
        }
    }

    #[test]
    fn answers_are_ranges_rounded_like_metas() {
        assert_eq!(round_two_digits(12_345.0), 12_000);
        assert_eq!(round_two_digits(8_800_000.0), 8_800_000);
        assert_eq!(round_two_digits(0.5), 0);
        let answer = estimate_answer(11_000_000.0);
        let estimate = &answer["data"][0];
        assert_eq!(estimate["estimate_mau_lower_bound"], 8_800_000);
        assert_eq!(estimate["estimate_mau_upper_bound"], 13_000_000);
        assert_eq!(estimate["estimate_ready"], true);
        assert!(estimate["estimate_dau"].as_u64().unwrap() > 0);
    }
}
