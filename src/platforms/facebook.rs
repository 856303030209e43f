//! Meta Graph API: posts on a Facebook Page (`POST /{version}/{page_id}/feed`), the post
//! insights that measure their reach, and the Marketing API's audience estimate for a
//! targeting. Answers are classified as `docs/PARTNERS.md` describes: throttling codes wait for the
//! time the usage headers give, codes 1 and 2 and 5xx are transient, everything else
//! (expired token, bad parameter, duplicate post) is permanent with Meta's code and words.
//!
//! Tokens travel in the `Authorization` header only, never in a URL, so no proxy log, error
//! message or trace can show them.

use std::time::Duration;

use reqwest::header::HeaderMap;
use serde_json::{Map, Value, json};

use super::adapter::{Publication, PublishResult, transport_failure};
use super::credentials::Secret;
use super::endpoint::endpoint_url;
use super::read_error::PlatformError;

/// Graph error codes that mean "over a rate limit": application (4), user (17), page (32),
/// API-specific (613), and the business-use-case limits (80000-80014, of which 80004 is the
/// Marketing API's), which Meta documents as rate limits too.
fn is_throttle_code(code: i64) -> bool {
    matches!(code, 4 | 17 | 32 | 613) || (80_000..=80_014).contains(&code)
}

/// Graph error codes Meta marks as temporary: unknown error (1), service unavailable (2).
fn is_transient_code(code: i64) -> bool {
    matches!(code, 1 | 2)
}

/// How long to wait when Meta throttles without saying for how long.
const DEFAULT_THROTTLE_WAIT: Duration = Duration::from_secs(60);

/// The youngest and oldest ages Meta's targeting accepts (younger audiences were removed
/// in 2023; 65 means "65 and over").
pub const META_MIN_AGE: u8 = 18;
pub const META_MAX_AGE: u8 = 65;

/// Insights metrics Meta has retired; asking for them answers "invalid metric".
const RETIRED_METRICS: &[&str] = &[
    "post_impressions",
    "post_impressions_unique",
    "post_impressions_paid",
    "post_impressions_paid_unique",
    "post_impressions_organic",
    "post_impressions_organic_unique",
    "post_engaged_users",
];

/// One Facebook Page, and the ad account used for audience estimates.
#[derive(Debug, Clone)]
pub struct FacebookAdapter {
    client: reqwest::Client,
    base_url: String,
    api_version: String,
    page_token: Secret,
    /// The Marketing API token, when it differs from the page token.
    ads_token: Option<Secret>,
    page_id: String,
    timeout: Duration,
}

/// One insights value of a post, as of the time it was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InsightValue {
    pub metric: String,
    /// `lifetime` for post metrics.
    pub period: String,
    /// The latest value; metrics broken down by type (reactions) are summed.
    pub value: i64,
}

/// Who an audience estimate is for, in the terms of Meta's targeting spec.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Targeting {
    /// ISO 3166-1 alpha-2 codes (`NL`); at least one, as Meta requires a location.
    pub countries: Vec<String>,
    /// At least [`META_MIN_AGE`].
    pub age_min: Option<u8>,
    /// At most [`META_MAX_AGE`].
    pub age_max: Option<u8>,
    /// Meta's numeric locale keys (for example 28 for Arabic); empty means any language.
    pub locales: Vec<u32>,
}

/// Meta's estimate of how many people a targeting reaches. Meta gives ranges, never exact
/// counts, which also keeps small audiences from being singled out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AudienceEstimate {
    /// Monthly active people, lower bound.
    pub lower: u64,
    /// Monthly active people, upper bound (never below `lower`).
    pub upper: u64,
    /// Daily active people, when Meta gives it.
    pub daily: Option<u64>,
    /// False while Meta is still computing; the bounds may then be rough or zero.
    pub ready: bool,
}

impl Targeting {
    /// The targeting spec Meta expects, or why Meta would refuse it (checked here, so the
    /// refusal costs no request and names Meta's bounds).
    pub fn spec(&self) -> Result<Value, PlatformError> {
        if self.countries.is_empty() {
            return Err(PlatformError::refused(
                "targeting",
                "Meta's targeting needs at least one country",
            ));
        }
        let mut countries = Vec::with_capacity(self.countries.len());
        for country in &self.countries {
            let code = country.trim().to_ascii_uppercase();
            if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
                return Err(PlatformError::refused(
                    "targeting",
                    format!("`{country}` is not a two-letter country code"),
                ));
            }
            countries.push(code);
        }
        if let Some(age) = self.age_min.filter(|age| *age < META_MIN_AGE) {
            return Err(PlatformError::refused(
                "targeting",
                format!(
                    "age_min {age} is below Meta's minimum of {META_MIN_AGE}: Meta accepts ages {META_MIN_AGE} to {META_MAX_AGE}"
                ),
            ));
        }
        if let Some(age) = self.age_max.filter(|age| *age > META_MAX_AGE) {
            return Err(PlatformError::refused(
                "targeting",
                format!(
                    "age_max {age} is above Meta's maximum of {META_MAX_AGE}: Meta accepts ages {META_MIN_AGE} to {META_MAX_AGE}"
                ),
            ));
        }
        if let (Some(min), Some(max)) = (self.age_min, self.age_max) {
            if min > max {
                return Err(PlatformError::refused(
                    "targeting",
                    format!("age_min {min} is above age_max {max}"),
                ));
            }
        }
        let mut spec = Map::new();
        spec.insert("geo_locations".into(), json!({ "countries": countries }));
        if let Some(age) = self.age_min {
            spec.insert("age_min".into(), age.into());
        }
        if let Some(age) = self.age_max {
            spec.insert("age_max".into(), age.into());
        }
        if !self.locales.is_empty() {
            spec.insert("locales".into(), json!(self.locales));
        }
        Ok(Value::Object(spec))
    }
}

impl FacebookAdapter {
    /// `base_url` is `https://graph.facebook.com` or a sandbox; `api_version` like `v21.0`.
    pub fn new(
        client: reqwest::Client,
        base_url: &str,
        api_version: &str,
        page_token: Secret,
        page_id: String,
        timeout: Duration,
    ) -> Self {
        FacebookAdapter {
            client,
            base_url: base_url.trim_end_matches('/').to_string(),
            api_version: api_version.trim_matches('/').to_string(),
            page_token,
            ads_token: None,
            page_id,
            timeout,
        }
    }

    /// Uses `token` for the Marketing API (audience estimates) instead of the page token, as
    /// an ad account is usually reached with a system user's token.
    pub fn with_ads_token(mut self, token: Secret) -> Self {
        self.ads_token = Some(token);
        self
    }

    /// Posts the text on the page, with its first web address as the post's link (Facebook
    /// shows a preview card for it). Facebook has no idempotency key: an unknown outcome must
    /// be reconciled, not re-sent.
    pub async fn publish(&self, publication: &Publication<'_>) -> PublishResult {
        let url = match endpoint_url(
            &self.base_url,
            &[&self.api_version, &self.page_id, "feed"],
            &[],
        ) {
            Ok(url) => url,
            Err(error) => {
                return PublishResult::Permanent {
                    code: "base_url".into(),
                    text: error.to_string(),
                };
            }
        };
        let mut body = Map::new();
        body.insert("message".into(), publication.text.into());
        if let Some(link) = first_link(publication.text) {
            body.insert("link".into(), link.into());
        }
        let sent = self
            .client
            .post(url)
            .timeout(self.timeout)
            .bearer_auth(self.page_token.expose())
            .header("content-type", "application/json")
            .body(Value::Object(body).to_string())
            .send()
            .await;
        let response = match sent {
            Ok(response) => response,
            Err(error) => return transport_failure(&error),
        };
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        match response.bytes().await {
            Ok(bytes) => classify(status, &headers, &bytes),
            Err(error) => transport_failure(&error),
        }
    }

    /// The current values of `metrics` for a post (`{page}_{post}` as [`FacebookAdapter::publish`]
    /// returned it). A retired or unknown metric is a permanent error naming it.
    pub async fn post_insights(
        &self,
        post_id: &str,
        metrics: &[&str],
    ) -> Result<Vec<InsightValue>, PlatformError> {
        if metrics.is_empty() {
            return Ok(Vec::new());
        }
        let joined = metrics.join(",");
        let answer = self
            .read(
                &[&self.api_version, post_id, "insights"],
                &[("metric", &joined)],
                &self.page_token,
            )
            .await
            .map_err(|error| name_invalid_metric(error, metrics))?;
        let Some(data) = answer.get("data").and_then(Value::as_array) else {
            return Err(PlatformError::unreadable("insights without `data`"));
        };
        Ok(data.iter().filter_map(insight_value).collect())
    }

    /// Meta's estimate of the audience `targeting` reaches through ad account
    /// `ad_account_id` (with or without its `act_` prefix). Targeting Meta would refuse is
    /// refused here, without a request.
    pub async fn delivery_estimate(
        &self,
        ad_account_id: &str,
        targeting: &Targeting,
    ) -> Result<AudienceEstimate, PlatformError> {
        let spec = targeting.spec()?;
        let account = ad_account_id.trim();
        let account = account.strip_prefix("act_").unwrap_or(account);
        if account.is_empty() {
            return Err(PlatformError::refused(
                "ad_account",
                "no ad account id configured",
            ));
        }
        let account = format!("act_{account}");
        let spec = spec.to_string();
        let token = self.ads_token.as_ref().unwrap_or(&self.page_token);
        let answer = self
            .read(
                &[&self.api_version, &account, "delivery_estimate"],
                &[("optimization_goal", "REACH"), ("targeting_spec", &spec)],
                token,
            )
            .await?;
        let Some(estimate) = answer
            .get("data")
            .and_then(Value::as_array)
            .and_then(|data| data.first())
        else {
            return Err(PlatformError::unreadable(
                "delivery estimate without `data`",
            ));
        };
        audience_estimate(estimate)
            .ok_or_else(|| PlatformError::unreadable("delivery estimate without bounds"))
    }

    /// A GET on the Graph API: the answer's JSON, or why there is none.
    async fn read(
        &self,
        segments: &[&str],
        query: &[(&str, &str)],
        token: &Secret,
    ) -> Result<Value, PlatformError> {
        let url = endpoint_url(&self.base_url, segments, query)
            .map_err(|error| PlatformError::refused("base_url", error.to_string()))?;
        let response = self
            .client
            .get(url)
            .timeout(self.timeout)
            .bearer_auth(token.expose())
            .send()
            .await
            .map_err(|error| PlatformError::transport(&error))?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response
            .bytes()
            .await
            .map_err(|error| PlatformError::transport(&error))?;
        let answer: Option<Value> = serde_json::from_slice(&bytes).ok();
        match answer {
            Some(answer) if (200..300).contains(&status) && answer.get("error").is_none() => {
                Ok(answer)
            }
            None if (200..300).contains(&status) => {
                Err(PlatformError::unreadable(&format!("HTTP {status}")))
            }
            _ => Err(PlatformError::from_answer(classify(
                status, &headers, &bytes,
            ))),
        }
    }
}

/// The Graph API's answer as a [`PublishResult`].
pub fn classify(status: u16, headers: &HeaderMap, body: &[u8]) -> PublishResult {
    let answer: Option<Value> = serde_json::from_slice(body).ok();
    let error = answer.as_ref().and_then(|answer| answer.get("error"));
    let Some(error) = error else {
        return match status {
            // Graph documents `{"id": "{page-id}_{post-id}"}`: a 2xx without an id is not a
            // post herald can follow, and may not be one at all (a proxy's page), so it is
            // reported, never counted as published.
            200..=299 => match answer.as_ref().and_then(|answer| answer["id"].as_str()) {
                Some(id) if !id.trim().is_empty() => PublishResult::Published {
                    platform_id: Some(id.to_string()),
                },
                _ if answer.is_some() => PublishResult::Unknown {
                    error: format!("Facebook answered HTTP {status} without a post id"),
                },
                _ => PublishResult::Unknown {
                    error: format!("unreadable answer (HTTP {status})"),
                },
            },
            429 => PublishResult::Throttled {
                wait: usage_wait(headers).unwrap_or(DEFAULT_THROTTLE_WAIT),
                text: format!("HTTP {status}"),
            },
            500..=599 => PublishResult::Transient {
                code: status.to_string(),
                text: format!("HTTP {status}"),
            },
            _ => PublishResult::Permanent {
                code: status.to_string(),
                text: short_text(body, status),
            },
        };
    };
    let code = lenient_i64(&error["code"]);
    let subcode = lenient_i64(&error["error_subcode"]);
    let mut text = error["message"]
        .as_str()
        .filter(|m| !m.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| format!("HTTP {status}"));
    let code_text = match (code, subcode) {
        (Some(code), Some(subcode)) => format!("{code}/{subcode}"),
        (Some(code), None) => code.to_string(),
        (None, _) => status.to_string(),
    };
    if status == 429 || code.is_some_and(is_throttle_code) {
        return PublishResult::Throttled {
            wait: usage_wait(headers).unwrap_or(DEFAULT_THROTTLE_WAIT),
            text,
        };
    }
    // Meta support asks for the trace id; it names a request, not a person.
    if let Some(trace) = error["fbtrace_id"].as_str().filter(|t| !t.is_empty()) {
        text = format!("{text} (fbtrace_id {trace})");
    }
    if code.is_some_and(is_transient_code) || status >= 500 {
        PublishResult::Transient {
            code: code_text,
            text,
        }
    } else {
        PublishResult::Permanent {
            code: code_text,
            text,
        }
    }
}

/// The wait Meta's usage headers announce (`estimated_time_to_regain_access`, minutes; the
/// longest of all business use cases), business-use-case header first.
fn usage_wait(headers: &HeaderMap) -> Option<Duration> {
    ["x-business-use-case-usage", "x-app-usage"]
        .into_iter()
        .filter_map(|name| headers.get(name)?.to_str().ok())
        .filter_map(|text| serde_json::from_str::<Value>(text).ok())
        .filter_map(|usage| regain_minutes(&usage))
        .find(|minutes| *minutes > 0)
        .map(|minutes| Duration::from_secs(minutes.saturating_mul(60)))
}

/// The largest `estimated_time_to_regain_access` anywhere in a usage header's JSON (keyed by
/// business id, each a list of objects).
fn regain_minutes(usage: &Value) -> Option<u64> {
    match usage {
        Value::Object(map) => {
            let own = map
                .get("estimated_time_to_regain_access")
                .and_then(lenient_u64);
            map.iter()
                .filter(|(key, _)| *key != "estimated_time_to_regain_access")
                .filter_map(|(_, value)| regain_minutes(value))
                .chain(own)
                .max()
        }
        Value::Array(items) => items.iter().filter_map(regain_minutes).max(),
        _ => None,
    }
}

/// The first `http://` or `https://` address in `text`, without trailing punctuation or the
/// direction marks that right-to-left text puts around it.
pub fn first_link(text: &str) -> Option<&str> {
    let start = [text.find("https://"), text.find("http://")]
        .into_iter()
        .flatten()
        .min()?;
    let rest = &text[start..];
    let end = rest
        .find(|c: char| c.is_whitespace() || is_bidi_control(c) || matches!(c, '<' | '>' | '"'))
        .unwrap_or(rest.len());
    let mut link = &rest[..end];
    loop {
        let trimmed = link.trim_end_matches(['.', ',', ';', ':', '!', '?', '\'', '»', '”', '’']);
        let trimmed = if trimmed.ends_with(')') && !trimmed.contains('(') {
            &trimmed[..trimmed.len() - 1]
        } else {
            trimmed
        };
        if trimmed.len() == link.len() {
            break;
        }
        link = trimmed;
    }
    let host = link.split_once("://").map_or("", |(_, rest)| rest);
    (!host.is_empty()).then_some(link)
}

/// Invisible marks and isolates that control text direction.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Says which metric Meta refused: its message does not.
fn name_invalid_metric(mut error: PlatformError, metrics: &[&str]) -> PlatformError {
    let is_code_100 = error.code == "100" || error.code.starts_with("100/");
    if !is_code_100 || !error.text.contains("metric") {
        return error;
    }
    let retired: Vec<&str> = metrics
        .iter()
        .copied()
        .filter(|metric| RETIRED_METRICS.contains(metric))
        .collect();
    let named = match (metrics, retired.as_slice()) {
        ([only], _) => format!("`{only}` is not a valid insights metric"),
        (_, [one]) => format!("`{one}` is not a valid insights metric (Meta retired it)"),
        (_, []) => format!(
            "one of `{}` is not a valid insights metric",
            metrics.join("`, `")
        ),
        (_, several) => format!(
            "`{}` are not valid insights metrics (Meta retired them)",
            several.join("`, `")
        ),
    };
    error.text = format!("{named}: {}", error.text);
    error
}

/// One entry of an insights answer's `data`.
fn insight_value(entry: &Value) -> Option<InsightValue> {
    let metric = entry.get("name")?.as_str()?.to_string();
    let period = entry["period"].as_str().unwrap_or_default().to_string();
    let value = entry["values"]
        .as_array()
        .and_then(|values| values.last())
        .map(|last| metric_number(&last["value"]))
        .unwrap_or(0);
    Some(InsightValue {
        metric,
        period,
        value,
    })
}

/// A metric value: a number, a numeric string, or an object of numbers (summed).
fn metric_number(value: &Value) -> i64 {
    match value {
        Value::Object(parts) => parts.values().map(metric_number).sum(),
        other => lenient_i64(other).unwrap_or(0),
    }
}

/// The first entry of a delivery estimate's `data`.
fn audience_estimate(entry: &Value) -> Option<AudienceEstimate> {
    let lower = entry.get("estimate_mau_lower_bound").and_then(lenient_u64);
    let upper = entry.get("estimate_mau_upper_bound").and_then(lenient_u64);
    let (lower, upper) = match (lower, upper) {
        (Some(lower), Some(upper)) => (lower.min(upper), lower.max(upper)),
        (Some(one), None) | (None, Some(one)) => (one, one),
        (None, None) => return None,
    };
    let ready = match &entry["estimate_ready"] {
        Value::Bool(ready) => *ready,
        Value::String(text) => text.eq_ignore_ascii_case("true"),
        _ => false,
    };
    Some(AudienceEstimate {
        lower,
        upper,
        daily: entry.get("estimate_dau").and_then(lenient_u64),
        ready,
    })
}

/// A count Meta sends as a number or as a string of digits (its Marketing API does both).
fn lenient_u64(value: &Value) -> Option<u64> {
    lenient_i64(value).and_then(|n| u64::try_from(n).ok())
}

fn lenient_i64(value: &Value) -> Option<i64> {
    match value {
        Value::Number(number) => number
            .as_i64()
            .or_else(|| number.as_f64().map(|f| f.round() as i64)),
        Value::String(text) => {
            let text = text.trim();
            text.parse::<i64>()
                .ok()
                .or_else(|| text.parse::<f64>().ok().map(|f| f.round() as i64))
        }
        _ => None,
    }
}

/// A non-JSON error body, shortened, for the dead letters.
fn short_text(body: &[u8], status: u16) -> String {
    let text: String = String::from_utf8_lossy(body).chars().take(300).collect();
    if text.trim().is_empty() {
        format!("HTTP {status}")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn graph_error(code: i64, subcode: Option<i64>, message: &str) -> Vec<u8> {
        let mut error = json!({
            "message": message,
            "type": "OAuthException",
            "code": code,
            "fbtrace_id": "AbC123",
        });
        if let Some(subcode) = subcode {
            error["error_subcode"] = subcode.into();
        }
        json!({ "error": error }).to_string().into_bytes()
    }

    fn usage_headers(business: &str, app: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if !business.is_empty() {
            headers.insert(
                "x-business-use-case-usage",
                HeaderValue::from_str(business).unwrap(),
            );
        }
        if !app.is_empty() {
            headers.insert("x-app-usage", HeaderValue::from_str(app).unwrap());
        }
        headers
    }

    #[test]
    fn success_carries_the_post_id() {
        assert_eq!(
            classify(200, &HeaderMap::new(), br#"{"id":"123_456"}"#),
            PublishResult::Published {
                platform_id: Some("123_456".into())
            }
        );
        assert!(matches!(
            classify(200, &HeaderMap::new(), b"<html>"),
            PublishResult::Unknown { .. }
        ));
        for body in [&br#"{"success":true}"#[..], br#"{"id":""}"#, br#"{"id":7}"#] {
            assert_eq!(
                classify(200, &HeaderMap::new(), body),
                PublishResult::Unknown {
                    error: "Facebook answered HTTP 200 without a post id".into()
                }
            );
        }
    }

    #[test]
    fn throttling_codes_wait_as_the_usage_headers_say() {
        let business = r#"{"1234":[{"type":"pages","call_count":100,"total_cputime":20,"total_time":30,"estimated_time_to_regain_access":7},{"type":"pages","call_count":5,"estimated_time_to_regain_access":2}]}"#;
        for (status, code) in [(400, 32), (403, 17), (400, 4), (400, 613), (429, 80004)] {
            let answer = classify(
                status,
                &usage_headers(business, ""),
                &graph_error(code, None, "(#32) Page request limit reached"),
            );
            assert_eq!(
                answer,
                PublishResult::Throttled {
                    wait: Duration::from_secs(7 * 60),
                    text: "(#32) Page request limit reached".into()
                },
                "code {code}"
            );
        }
        // Only the application header: its estimate, if it has one.
        let app_only = usage_headers(
            "",
            r#"{"call_count":100,"total_time":10,"total_cputime":10,"estimated_time_to_regain_access":3}"#,
        );
        assert!(matches!(
            classify(400, &app_only, &graph_error(4, None, "(#4) Application request limit reached")),
            PublishResult::Throttled { wait, .. } if wait == Duration::from_secs(180)
        ));
        // Nothing to go by: a minute.
        let plain = usage_headers(
            "",
            r#"{"call_count":100,"total_time":10,"total_cputime":10}"#,
        );
        assert!(matches!(
            classify(400, &plain, &graph_error(4, None, "(#4) Application request limit reached")),
            PublishResult::Throttled { wait, .. } if wait == DEFAULT_THROTTLE_WAIT
        ));
        assert!(matches!(
            classify(429, &HeaderMap::new(), b""),
            PublishResult::Throttled { wait, .. } if wait == DEFAULT_THROTTLE_WAIT
        ));
    }

    #[test]
    fn temporary_codes_and_server_errors_are_transient() {
        assert_eq!(
            classify(
                500,
                &HeaderMap::new(),
                &graph_error(2, None, "Service temporarily unavailable")
            ),
            PublishResult::Transient {
                code: "2".into(),
                text: "Service temporarily unavailable (fbtrace_id AbC123)".into()
            }
        );
        assert!(matches!(
            classify(400, &HeaderMap::new(), &graph_error(1, None, "An unknown error occurred")),
            PublishResult::Transient { code, .. } if code == "1"
        ));
        assert!(matches!(
            classify(502, &HeaderMap::new(), b"<html>Bad Gateway</html>"),
            PublishResult::Transient { code, .. } if code == "502"
        ));
    }

    #[test]
    fn everything_else_is_permanent_with_code_subcode_and_text() {
        assert_eq!(
            classify(
                401,
                &HeaderMap::new(),
                &graph_error(
                    190,
                    Some(463),
                    "Error validating access token: Session has expired"
                )
            ),
            PublishResult::Permanent {
                code: "190/463".into(),
                text: "Error validating access token: Session has expired (fbtrace_id AbC123)"
                    .into()
            }
        );
        for (code, message) in [
            (100, "(#100) Invalid parameter"),
            (
                10,
                "(#10) Application does not have permission for this action",
            ),
            (200, "(#200) Permissions error"),
            (506, "Duplicate status message"),
            (368, "The action attempted has been deemed abusive"),
        ] {
            assert!(matches!(
                classify(400, &HeaderMap::new(), &graph_error(code, None, message)),
                PublishResult::Permanent { code: got, text } if got == code.to_string() && text.starts_with(message)
            ));
        }
        assert_eq!(
            classify(404, &HeaderMap::new(), b"no such page"),
            PublishResult::Permanent {
                code: "404".into(),
                text: "no such page".into()
            }
        );
    }

    #[test]
    fn targeting_spec_is_metas_shape() {
        let targeting = Targeting {
            countries: vec!["nl".into(), "BE".into()],
            age_min: Some(18),
            age_max: Some(65),
            locales: vec![28, 1001],
        };
        assert_eq!(
            targeting.spec().unwrap(),
            json!({
                "geo_locations": {"countries": ["NL", "BE"]},
                "age_min": 18,
                "age_max": 65,
                "locales": [28, 1001],
            })
        );
        let minimal = Targeting {
            countries: vec!["DE".into()],
            ..Targeting::default()
        };
        assert_eq!(
            minimal.spec().unwrap(),
            json!({"geo_locations": {"countries": ["DE"]}})
        );
    }

    #[test]
    fn targeting_outside_metas_bounds_is_refused() {
        let young = Targeting {
            countries: vec!["NL".into()],
            age_min: Some(16),
            ..Targeting::default()
        };
        let error = young.spec().unwrap_err();
        assert!(!error.is_retryable());
        assert!(error.text.contains("18 to 65"), "{}", error.text);
        let old = Targeting {
            countries: vec!["NL".into()],
            age_max: Some(70),
            ..Targeting::default()
        };
        assert!(old.spec().unwrap_err().text.contains("maximum of 65"));
        let inverted = Targeting {
            countries: vec!["NL".into()],
            age_min: Some(40),
            age_max: Some(30),
            ..Targeting::default()
        };
        assert!(inverted.spec().is_err());
        assert!(Targeting::default().spec().is_err());
        let bad_country = Targeting {
            countries: vec!["Netherlands".into()],
            ..Targeting::default()
        };
        assert!(bad_country.spec().is_err());
    }

    #[test]
    fn the_first_link_is_found_without_punctuation_or_direction_marks() {
        assert_eq!(
            first_link("Read more: https://example.org/return. Thanks"),
            Some("https://example.org/return")
        );
        assert_eq!(
            first_link("\u{2067}اقرأ المزيد https://example.org/ar\u{2069}"),
            Some("https://example.org/ar")
        );
        assert_eq!(
            first_link("(see http://a.example/x) and https://b.example"),
            Some("http://a.example/x")
        );
        assert_eq!(
            first_link("https://en.wikipedia.org/wiki/Foo_(bar)"),
            Some("https://en.wikipedia.org/wiki/Foo_(bar)")
        );
        assert_eq!(first_link("no link here, not even https://"), None);
    }

    #[test]
    fn insights_and_estimates_accept_numbers_or_strings() {
        let entry =
            json!({"name": "post_clicks", "period": "lifetime", "values": [{"value": "12"}]});
        assert_eq!(
            insight_value(&entry),
            Some(InsightValue {
                metric: "post_clicks".into(),
                period: "lifetime".into(),
                value: 12
            })
        );
        let reactions = json!({"name": "post_reactions_by_type_total", "period": "lifetime", "values": [{"value": {"like": 3, "love": 2}}]});
        assert_eq!(insight_value(&reactions).unwrap().value, 5);
        let estimate = json!({
            "estimate_dau": "1200",
            "estimate_mau_lower_bound": 8000,
            "estimate_mau_upper_bound": "12000",
            "estimate_ready": true,
        });
        assert_eq!(
            audience_estimate(&estimate),
            Some(AudienceEstimate {
                lower: 8000,
                upper: 12000,
                daily: Some(1200),
                ready: true
            })
        );
        assert_eq!(audience_estimate(&json!({"estimate_ready": true})), None);
    }

    #[test]
    fn a_refused_metric_is_named() {
        let error = PlatformError {
            class: super::super::read_error::ErrorClass::Permanent,
            code: "100".into(),
            text: "(#100) The value must be a valid insights metric".into(),
        };
        let named = name_invalid_metric(error.clone(), &["post_clicks", "post_impressions_unique"]);
        assert!(
            named
                .text
                .starts_with("`post_impressions_unique` is not a valid insights metric"),
            "{}",
            named.text
        );
        let only = name_invalid_metric(error, &["post_bogus"]);
        assert!(only.text.starts_with("`post_bogus`"));
    }
}
