//! WhatsApp Business Cloud API: approved templates sent to one subscriber at a time
//! (`POST {base}/{version}/{phone_number_id}/messages`), and the approval state of those
//! templates (`GET {base}/{version}/{waba_id}/message_templates`).
//!
//! Outside a 24-hour conversation window WhatsApp accepts only approved templates, and herald
//! never waits for a reply before it sends, so every campaign message is a template. Answers are
//! classified as `docs/PARTNERS.md` describes. The recipient's number and the access token never
//! appear in any text this adapter returns: the number identifies a vulnerable person, the token
//! opens the account.

use std::time::Duration;

use reqwest::header::HeaderMap;
use serde_json::{Value, json};

use super::adapter::{PublishResult, transport_failure};
use super::credentials::Secret;
use super::redaction::redact;

/// How many pages of templates [`WhatsAppAdapter::template_statuses`] reads at most, so that a
/// partner (or a fake) answering with an endless `paging.next` cannot keep a worker busy.
const MAX_TEMPLATE_PAGES: usize = 10;

/// Why the review state of a template could not be read. Never contains the access token.
#[derive(Debug, thiserror::Error)]
pub enum TemplateQueryError {
    #[error("the WhatsApp base URL is not usable: {0}")]
    BaseUrl(<reqwest::Url as std::str::FromStr>::Err),
    /// The request or its answer broke off (the error carries no URL).
    #[error("WhatsApp template query failed: {0}")]
    Transport(reqwest::Error),
    /// WhatsApp answered with an error: its reason, redacted.
    #[error("WhatsApp template query refused: {reason}")]
    Refused { reason: String },
    #[error("WhatsApp template query: unreadable answer (HTTP {status})")]
    Unreadable { status: u16 },
    #[error("WhatsApp answered with an unreadable paging link")]
    UnreadablePagingLink,
    #[error("WhatsApp's paging link points to another host; not following it with the token")]
    PagingToAnotherHost,
    #[error(
        "template `{name}` has more than {} pages of languages; stopped reading",
        MAX_TEMPLATE_PAGES
    )]
    TooManyPages { name: String },
}

/// How long a recipient waits after WhatsApp's pair-rate refusal when no `Retry-After` says
/// otherwise: WhatsApp allows about one message per 6 s to the same person.
const PAIR_RATE_WAIT: Duration = Duration::from_secs(6);

/// Error texts are cut to this many characters before they are kept in dead letters.
const MAX_ERROR_TEXT: usize = 300;

/// A WhatsApp Business phone number, sending on behalf of one WhatsApp Business Account.
#[derive(Debug, Clone)]
pub struct WhatsAppAdapter {
    client: reqwest::Client,
    base_url: String,
    api_version: String,
    token: Secret,
    phone_number_id: String,
    waba_id: String,
    timeout: Duration,
}

/// One approved template to send: its name, its WhatsApp language code (see
/// [`whatsapp_language`]) and the values of its body's `{{1}}`, `{{2}}`, ... placeholders.
#[derive(Debug, Clone, Copy)]
pub struct TemplateMessage<'a> {
    pub name: &'a str,
    /// A WhatsApp language code such as `ar`, `en_US` or `prs_AF`, exactly as the template was
    /// approved under.
    pub language: &'a str,
    pub body_parameters: &'a [&'a str],
}

/// One language version of a template and its review state, as WhatsApp reports it
/// (`APPROVED`, `PENDING`, `REJECTED`, `PAUSED`, `DISABLED`, ...), so that staff can see before
/// a send which locales would be refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateStatus {
    pub name: String,
    pub language: String,
    pub status: String,
}

impl WhatsAppAdapter {
    /// `base_url` is `https://graph.facebook.com` for the real API (or the sandbox's address);
    /// `api_version` is a Graph API version such as `v21.0`.
    pub fn new(
        client: reqwest::Client,
        base_url: &str,
        api_version: &str,
        token: Secret,
        phone_number_id: String,
        waba_id: String,
        timeout: Duration,
    ) -> Self {
        WhatsAppAdapter {
            client,
            base_url: base_url.trim_end_matches('/').to_string(),
            api_version: api_version.trim_matches('/').to_string(),
            token,
            phone_number_id,
            waba_id,
            timeout,
        }
    }

    /// Sends `template` to the WhatsApp number `to` (digits, international format). Success
    /// carries the message's `wamid`, which later status callbacks name.
    pub async fn send_template(&self, to: &str, template: &TemplateMessage<'_>) -> PublishResult {
        let url = format!(
            "{}/{}/{}/messages",
            self.base_url, self.api_version, self.phone_number_id
        );
        let parameters: Vec<Value> = template
            .body_parameters
            .iter()
            .map(|text| json!({"type": "text", "text": text}))
            .collect();
        let mut body = json!({
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": to,
            "type": "template",
            "template": {
                "name": template.name,
                "language": {"code": template.language},
            },
        });
        if !parameters.is_empty() {
            body["template"]["components"] = json!([{"type": "body", "parameters": parameters}]);
        }
        let sent = self
            .client
            .post(url)
            .timeout(self.timeout)
            .bearer_auth(self.token.expose())
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await;
        let response = match sent {
            Ok(response) => response,
            Err(error) => return transport_failure(&error),
        };
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = match response.bytes().await {
            Ok(bytes) => bytes,
            Err(error) => return transport_failure(&error),
        };
        let result = classify(status, &headers, &bytes);
        redact(result, &[to, self.token.expose()])
    }

    /// The review state of every language version of the template called `name`. Follows
    /// `paging.next` (at most ten pages), but only to the configured host: the access token
    /// goes with every request and must not be handed to another server.
    pub async fn template_statuses(
        &self,
        name: &str,
    ) -> Result<Vec<TemplateStatus>, TemplateQueryError> {
        self.template_statuses_in(name, None).await
    }

    /// As [`WhatsAppAdapter::template_statuses`], for one language (the `language` filter of
    /// the template list) when `language` is given.
    pub async fn template_statuses_in(
        &self,
        name: &str,
        language: Option<&str>,
    ) -> Result<Vec<TemplateStatus>, TemplateQueryError> {
        let mut url = reqwest::Url::parse(&format!(
            "{}/{}/{}/message_templates",
            self.base_url, self.api_version, self.waba_id
        ))
        .map_err(TemplateQueryError::BaseUrl)?;
        url.query_pairs_mut()
            .append_pair("name", name)
            .append_pair("fields", "name,language,status");
        if let Some(language) = language {
            url.query_pairs_mut().append_pair("language", language);
        }
        let origin = url.origin();
        let mut statuses = Vec::new();
        for _ in 0..MAX_TEMPLATE_PAGES {
            let page = self.read_template_page(url.clone()).await?;
            if let Some(data) = page["data"].as_array() {
                statuses.extend(
                    data.iter()
                        .filter_map(template_status)
                        // Graph may match names loosely; only the asked-for template counts.
                        .filter(|status| status.name == name),
                );
            }
            let Some(next) = page["paging"]["next"].as_str() else {
                return Ok(statuses);
            };
            let next =
                reqwest::Url::parse(next).map_err(|_| TemplateQueryError::UnreadablePagingLink)?;
            if next.origin() != origin {
                return Err(TemplateQueryError::PagingToAnotherHost);
            }
            url = next;
        }
        Err(TemplateQueryError::TooManyPages {
            name: name.to_string(),
        })
    }

    async fn read_template_page(&self, url: reqwest::Url) -> Result<Value, TemplateQueryError> {
        let response = self
            .client
            .get(url)
            .timeout(self.timeout)
            .bearer_auth(self.token.expose())
            .send()
            .await
            .map_err(|e| TemplateQueryError::Transport(e.without_url()))?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| TemplateQueryError::Transport(e.without_url()))?;
        if !(200..300).contains(&status) {
            let reason = match redact(classify(status, &headers, &bytes), &[self.token.expose()]) {
                PublishResult::Throttled { text, .. }
                | PublishResult::RecipientThrottled { text, .. } => {
                    format!("throttled: {text}")
                }
                PublishResult::Transient { code, text }
                | PublishResult::Permanent { code, text }
                | PublishResult::RecipientGone { code, text } => {
                    format!("error {code}: {text}")
                }
                PublishResult::Unknown { error } => error,
                PublishResult::Published { .. } => format!("HTTP {status}"),
            };
            return Err(TemplateQueryError::Refused { reason });
        }
        serde_json::from_slice(&bytes).map_err(|_| TemplateQueryError::Unreadable { status })
    }
}

fn template_status(entry: &Value) -> Option<TemplateStatus> {
    Some(TemplateStatus {
        name: entry["name"].as_str()?.to_string(),
        language: entry["language"].as_str()?.to_string(),
        status: entry["status"].as_str()?.to_string(),
    })
}

/// The Cloud API's error codes that say a message template cannot be used as it stands:
/// parameters that do not match it (132000, 132012), a template that does not exist in the
/// language (132001), text too long once translated (132005), a policy violation (132007),
/// a template Meta paused for low quality (132015) or disabled (132016). Messages refused
/// with them are dead letters until someone fixes the template; operators are alerted, and
/// schedulers notified. Defined beside the channels, where the store can read it too.
pub use crate::channel::WHATSAPP_TEMPLATE_BLOCKED_CODES as TEMPLATE_BLOCKED_CODES;

/// The Cloud API's answer as a [`PublishResult`], as `docs/PARTNERS.md` describes:
///
/// * 2xx with `messages[0].id` → `Published` with that `wamid`; a 2xx without one cannot be
///   told apart from a proxy's page, so it is `Unknown` (never blindly re-sent).
/// * code 131056 (the same recipient too often) → `RecipientThrottled`, waiting
///   `Retry-After` or 6 s; only that person waits.
/// * HTTP 429 or codes 4, 80007, 130429, 131048, 133016 → `Throttled`, waiting `Retry-After`,
///   else 1 s for the throughput limits (130429, 80007, a bare 429) and 60 s for the
///   application, spam-rate and registration limits (4, 131048, 133016), which hold back the
///   whole number, not one person.
/// * 5xx and codes 1, 2, 131000, 131016, 131053 → `Transient`.
/// * 131026 (undeliverable) and 131050 (the person stopped marketing messages) →
///   `RecipientGone`: herald erases them.
/// * anything else (131009, 131047, 132000, 132001, 368, 100, 190, ...) → `Permanent` with the
///   code and `message: error_data.details`.
pub fn classify(status: u16, headers: &HeaderMap, body: &[u8]) -> PublishResult {
    let answer: Option<Value> = serde_json::from_slice(body).ok();
    if (200..300).contains(&status) {
        return accepted(status, answer.as_ref());
    }
    let error = answer.as_ref().map(|a| &a["error"]).unwrap_or(&Value::Null);
    let code = error["code"].as_i64();
    let text = error_text(error, status);
    let code_text = code.map_or_else(|| status.to_string(), |c| c.to_string());
    let retry_after = retry_after(headers);
    match code {
        Some(131056) => PublishResult::RecipientThrottled {
            wait: retry_after.unwrap_or(PAIR_RATE_WAIT),
            text,
        },
        Some(4 | 131048 | 133016) => PublishResult::Throttled {
            wait: retry_after.unwrap_or(Duration::from_secs(60)),
            text,
        },
        Some(80007 | 130429) => PublishResult::Throttled {
            wait: retry_after.unwrap_or(Duration::from_secs(1)),
            text,
        },
        _ if status == 429 => PublishResult::Throttled {
            wait: retry_after.unwrap_or(Duration::from_secs(1)),
            text,
        },
        Some(1 | 2 | 131000 | 131016 | 131053) => PublishResult::Transient {
            code: code_text,
            text,
        },
        Some(131026 | 131050) => PublishResult::RecipientGone {
            code: code_text,
            text,
        },
        _ if (500..600).contains(&status) => PublishResult::Transient {
            code: code_text,
            text,
        },
        _ => PublishResult::Permanent {
            code: code_text,
            text,
        },
    }
}

/// A 2xx send answer, checked against the documented shape
/// (`{"messaging_product": "whatsapp", "contacts": [{"input", "wa_id"}], "messages": [{"id",
/// "message_status"}]}`): `Published` with `messages[0].id`; anything else is `Unknown` with
/// the reason, because herald cannot tell a message WhatsApp took from a proxy's or a fake's
/// page, and must neither count it as sent nor blindly send it again.
fn accepted(status: u16, answer: Option<&Value>) -> PublishResult {
    let unknown = |why: &str| PublishResult::Unknown {
        error: format!("WhatsApp answered HTTP {status} {why}"),
    };
    let Some(answer) = answer.filter(|answer| answer.is_object()) else {
        return unknown("with an unreadable body");
    };
    match answer.get("messaging_product").and_then(Value::as_str) {
        None | Some("whatsapp") => {}
        Some(_) => return unknown("for another messaging product"),
    }
    let Some(message) = answer["messages"].as_array().and_then(|m| m.first()) else {
        return unknown("without a message id");
    };
    match message["id"].as_str().map(str::trim) {
        Some(id) if !id.is_empty() => PublishResult::Published {
            platform_id: Some(id.to_string()),
        },
        _ => unknown("without a message id"),
    }
}

/// `message: details`, bounded, with anything that looks like a phone number masked: Meta's
/// texts sometimes quote the recipient.
fn error_text(error: &Value, status: u16) -> String {
    let message = error["message"].as_str().unwrap_or("").trim();
    let details = error["error_data"]["details"].as_str().unwrap_or("").trim();
    let text = match (message.is_empty(), details.is_empty()) {
        (true, true) => format!("HTTP {status}"),
        (false, true) => message.to_string(),
        (true, false) => details.to_string(),
        (false, false) => format!("{message}: {details}"),
    };
    let text = mask_numbers(&text);
    text.chars().take(MAX_ERROR_TEXT).collect()
}

/// Replaces every run of 7 or more digits (optionally preceded by `+`) with `[number]`.
fn mask_numbers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut digits = String::new();
    let flush = |digits: &mut String, out: &mut String| {
        let count = digits.chars().filter(char::is_ascii_digit).count();
        if count >= 7 {
            out.push_str("[number]");
        } else {
            out.push_str(digits);
        }
        digits.clear();
    };
    for c in text.chars() {
        if c.is_ascii_digit() || (c == '+' && digits.is_empty()) {
            digits.push(c);
        } else {
            flush(&mut digits, &mut out);
            out.push(c);
        }
    }
    flush(&mut digits, &mut out);
    out
}

fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    headers
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(|seconds| Duration::from_secs(seconds.max(1)))
}

/// Region-specific language codes WhatsApp lists for templates (Meta's supported-languages
/// reference, 2025). A herald locale with one of these regions keeps it; any other region is
/// dropped, because WhatsApp refuses codes it does not list (`fr_FR` does not exist, `fr` does).
const REGIONAL_CODES: &[&str] = &[
    "ar_AE", "ar_EG", "ar_LB", "ar_MA", "ar_QA", "be_BY", "bn_IN", "de_AT", "de_CH", "en_AE",
    "en_AU", "en_CA", "en_GB", "en_GH", "en_IE", "en_IN", "en_JM", "en_MY", "en_NZ", "en_QA",
    "en_SG", "en_UG", "en_US", "en_ZA", "es_AR", "es_CL", "es_CO", "es_CR", "es_DO", "es_EC",
    "es_ES", "es_HN", "es_MX", "es_PA", "es_PE", "es_UY", "fr_BE", "fr_CA", "fr_CH", "fr_CI",
    "fr_MA", "ky_KG", "nl_BE", "prs_AF", "ps_AF", "pt_BR", "pt_PT", "rw_RW", "si_LK", "zh_CN",
    "zh_HK", "zh_TW",
];

/// Languages WhatsApp lists only with a region, and the region herald assumes when a locale
/// names none. Pashto and Dari are listed as Afghan variants only.
const DEFAULT_REGIONS: &[(&str, &str)] = &[
    ("be", "BY"),
    ("ky", "KG"),
    ("prs", "AF"),
    ("ps", "AF"),
    ("pt", "BR"),
    ("rw", "RW"),
    ("si", "LK"),
    ("zh", "CN"),
];

/// The WhatsApp template language code for a herald locale (BCP 47), by default:
///
/// * the language is lower-cased and a region upper-cased, joined with `_` (`en-us` → `en_US`);
///   scripts and variants are dropped (`zh-Hant-TW` → `zh_TW`);
/// * a region is kept only where WhatsApp lists that regional code, otherwise the plain language
///   is used (`fr-FR` → `fr`, `ar-SY` → `ar`);
/// * `fa-AF` is Dari, which WhatsApp calls `prs_AF` (plain `fa` stays Persian, `fa`);
/// * languages WhatsApp lists only with a region get it (`ps` → `ps_AF`, `pt` → `pt_BR`).
///
/// A template is approved under one exact code, so an account may name another code for a
/// locale; the caller applies such overrides before falling back to this mapping.
pub fn whatsapp_language(locale: &str) -> String {
    let mut parts = locale.trim().split(['-', '_']).filter(|p| !p.is_empty());
    let language = parts.next().unwrap_or("").to_ascii_lowercase();
    // The region is the first two-letter subtag after the language (scripts have four).
    let region = parts
        .find(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_alphabetic()))
        .map(str::to_ascii_uppercase);
    let (language, region) = match (language.as_str(), region.as_deref()) {
        ("fa", Some("AF")) => ("prs".to_string(), Some("AF".to_string())),
        _ => (language, region),
    };
    if let Some(region) = region {
        let code = format!("{language}_{region}");
        if REGIONAL_CODES.contains(&code.as_str()) {
            return code;
        }
    }
    match DEFAULT_REGIONS.iter().find(|(l, _)| *l == language) {
        Some((language, region)) => format!("{language}_{region}"),
        None => language,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn error_body(code: i64, message: &str) -> Vec<u8> {
        json!({"error": {
            "message": message,
            "type": "OAuthException",
            "code": code,
            "error_data": {"messaging_product": "whatsapp", "details": "more words"},
            "fbtrace_id": "AbCdEf"
        }})
        .to_string()
        .into_bytes()
    }

    fn no_headers() -> HeaderMap {
        HeaderMap::new()
    }

    #[test]
    fn success_carries_the_wamid() {
        let body = json!({
            "messaging_product": "whatsapp",
            "contacts": [{"input": "31612345678", "wa_id": "31612345678"}],
            "messages": [{"id": "wamid.HBgLMzE2MTIzNDU2NzgVAgARGBI", "message_status": "accepted"}]
        });
        assert_eq!(
            classify(200, &no_headers(), body.to_string().as_bytes()),
            PublishResult::Published {
                platform_id: Some("wamid.HBgLMzE2MTIzNDU2NzgVAgARGBI".into())
            }
        );
        let unknown = |why: &str| PublishResult::Unknown {
            error: format!("WhatsApp answered HTTP 200 {why}"),
        };
        assert_eq!(
            classify(200, &no_headers(), b"<html>portal</html>"),
            unknown("with an unreadable body")
        );
        for body in [
            json!({"messaging_product": "whatsapp", "messages": []}),
            json!({"messaging_product": "whatsapp", "messages": [{"id": " "}]}),
            json!({"messaging_product": "whatsapp", "messages": [{"id": 7}]}),
            json!({"success": true}),
        ] {
            assert_eq!(
                classify(200, &no_headers(), body.to_string().as_bytes()),
                unknown("without a message id"),
                "{body}"
            );
        }
        assert_eq!(
            classify(
                200,
                &no_headers(),
                br#"{"messaging_product":"messenger","messages":[{"id":"m"}]}"#
            ),
            unknown("for another messaging product")
        );
    }

    #[test]
    fn metas_template_list_example_reads_as_statuses() {
        // Meta's "Get all templates" example (tests/fixtures/partners/whatsapp/SOURCES.md).
        let page: Value = serde_json::from_str(include_str!(
            "../../tests/fixtures/partners/whatsapp/template_list.json"
        ))
        .unwrap();
        let statuses: Vec<TemplateStatus> = page["data"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(template_status)
            .collect();
        let read: Vec<(&str, &str, &str)> = statuses
            .iter()
            .map(|s| (s.name.as_str(), s.language.as_str(), s.status.as_str()))
            .collect();
        assert_eq!(
            read,
            vec![
                ("reservation_confirmation", "en_US", "APPROVED"),
                ("coupon_expiration_reminder_number_vars", "en", "APPROVED"),
            ]
        );
    }

    #[test]
    fn throttles_wait_as_the_code_says_or_as_retry_after_says() {
        for (code, seconds) in [(130429, 1), (80007, 1), (4, 60), (133016, 60)] {
            assert_eq!(
                classify(400, &no_headers(), &error_body(code, "Rate limit hit")),
                PublishResult::Throttled {
                    wait: Duration::from_secs(seconds),
                    text: "Rate limit hit: more words".into()
                },
                "code {code}"
            );
        }
        let mut headers = HeaderMap::new();
        headers.insert("retry-after", HeaderValue::from_static("17"));
        assert!(matches!(
            classify(429, &headers, &error_body(130429, "Rate limit hit")),
            PublishResult::Throttled { wait, .. } if wait == Duration::from_secs(17)
        ));
        assert!(matches!(
            classify(429, &no_headers(), b""),
            PublishResult::Throttled { wait, .. } if wait == Duration::from_secs(1)
        ));
    }

    #[test]
    fn pair_rate_only_holds_back_the_recipient() {
        for (status, code) in [(400, 131056), (403, 131056)] {
            assert_eq!(
                classify(
                    status,
                    &no_headers(),
                    &error_body(code, "Pair rate limit hit")
                ),
                PublishResult::RecipientThrottled {
                    wait: Duration::from_secs(6),
                    text: "Pair rate limit hit: more words".into()
                }
            );
        }
        // The spam-rate limit holds back the whole number.
        assert!(matches!(
            classify(400, &no_headers(), &error_body(131048, "Spam rate limit hit")),
            PublishResult::Throttled { wait, .. } if wait == Duration::from_secs(60)
        ));
        // Even when it arrives as a 429, the pair code decides.
        assert!(matches!(
            classify(
                429,
                &no_headers(),
                &error_body(131056, "Pair rate limit hit")
            ),
            PublishResult::RecipientThrottled { .. }
        ));
    }

    #[test]
    fn transient_gone_and_permanent_codes() {
        for (status, code) in [(500, 1), (503, 2), (400, 131000), (400, 131053)] {
            assert!(
                matches!(
                    classify(status, &no_headers(), &error_body(code, "Something went wrong")),
                    PublishResult::Transient { code: c, .. } if c == code.to_string()
                ),
                "code {code}"
            );
        }
        assert_eq!(
            classify(502, &no_headers(), b"Bad Gateway"),
            PublishResult::Transient {
                code: "502".into(),
                text: "HTTP 502".into()
            }
        );
        for code in [131026, 131050] {
            assert!(
                matches!(
                    classify(400, &no_headers(), &error_body(code, "Message undeliverable")),
                    PublishResult::RecipientGone { code: c, .. } if c == code.to_string()
                ),
                "code {code}"
            );
        }
        for code in [131009, 131047, 132000, 132001, 368, 100, 190, 999_999] {
            assert!(
                matches!(
                    classify(400, &no_headers(), &error_body(code, "Refused")),
                    PublishResult::Permanent { code: c, text }
                        if c == code.to_string() && text == "Refused: more words"
                ),
                "code {code}"
            );
        }
        assert_eq!(
            classify(404, &no_headers(), b"not json"),
            PublishResult::Permanent {
                code: "404".into(),
                text: "HTTP 404".into()
            }
        );
    }

    #[test]
    fn error_texts_never_carry_a_phone_number() {
        let body = json!({"error": {
            "message": "(#131026) Message undeliverable",
            "code": 131026,
            "error_data": {"details": "Recipient +31 612345678 / 31612345678 is not on WhatsApp"}
        }});
        let PublishResult::RecipientGone { text, .. } =
            classify(400, &no_headers(), body.to_string().as_bytes())
        else {
            panic!("expected RecipientGone");
        };
        assert!(!text.contains("31612345678"), "{text}");
        assert!(!text.contains("612345678"), "{text}");
        assert!(text.contains("(#131026) Message undeliverable"), "{text}");
    }

    #[test]
    fn maps_herald_locales_to_whatsapp_codes() {
        for (locale, code) in [
            ("en", "en"),
            ("en-US", "en_US"),
            ("en_us", "en_US"),
            ("ar", "ar"),
            ("ar-EG", "ar_EG"),
            ("ar-SY", "ar"),
            ("fa", "fa"),
            ("fa-AF", "prs_AF"),
            ("fa-IR", "fa"),
            ("ps", "ps_AF"),
            ("ps-AF", "ps_AF"),
            ("ti", "ti"),
            ("so", "so"),
            ("fr", "fr"),
            ("fr-FR", "fr"),
            ("fr-CA", "fr_CA"),
            ("pt", "pt_BR"),
            ("pt-PT", "pt_PT"),
            ("zh-Hant-TW", "zh_TW"),
            ("es-419", "es"),
        ] {
            assert_eq!(whatsapp_language(locale), code, "locale {locale}");
        }
    }

    mod against_a_fake {
        use std::sync::{Arc, Mutex};

        use axum::Router;
        use axum::extract::{Path, RawQuery, State};
        use axum::http::{HeaderMap, StatusCode};
        use axum::routing::{get, post};

        use super::*;

        /// What the fake received: path parameter, authorization header, content type, body
        /// or query.
        type Seen = Arc<Mutex<Vec<(String, String, String, String)>>>;

        async fn serve(router: Router) -> String {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let address = listener.local_addr().unwrap();
            tokio::spawn(async move {
                let _ = axum::serve(listener, router).await;
            });
            format!("http://{address}")
        }

        fn header(headers: &HeaderMap, name: &str) -> String {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string()
        }

        fn adapter(base: &str) -> WhatsAppAdapter {
            WhatsAppAdapter::new(
                reqwest::Client::new(),
                base,
                "v21.0",
                Secret::new("EAAG-token"),
                "106540352242922".into(),
                "102290129340398".into(),
                Duration::from_secs(5),
            )
        }

        #[tokio::test]
        async fn sends_a_template_as_the_cloud_api_expects() {
            let seen = Seen::default();
            let router = Router::new()
                .route(
                    "/v21.0/{phone_number_id}/messages",
                    post(
                        |State(seen): State<Seen>,
                         Path(id): Path<String>,
                         headers: HeaderMap,
                         body: String| async move {
                            seen.lock().unwrap().push((
                                id,
                                header(&headers, "authorization"),
                                header(&headers, "content-type"),
                                body,
                            ));
                            (
                                StatusCode::OK,
                                r#"{"messaging_product":"whatsapp","contacts":[{"input":"31612345678","wa_id":"31612345678"}],"messages":[{"id":"wamid.ABC"}]}"#,
                            )
                        },
                    ),
                )
                .with_state(seen.clone());
            let base = serve(router).await;
            let result = adapter(&base)
                .send_template(
                    "31612345678",
                    &TemplateMessage {
                        name: "avr_intro",
                        language: "ar",
                        body_parameters: &["مرحبا", "https://example.org/r/abc"],
                    },
                )
                .await;
            assert_eq!(
                result,
                PublishResult::Published {
                    platform_id: Some("wamid.ABC".into())
                }
            );
            let seen = seen.lock().unwrap();
            let (id, authorization, content_type, body) = &seen[0];
            assert_eq!(id, "106540352242922");
            assert_eq!(authorization, "Bearer EAAG-token");
            assert_eq!(content_type, "application/json");
            let body: Value = serde_json::from_str(body).unwrap();
            assert_eq!(
                body,
                json!({
                    "messaging_product": "whatsapp",
                    "recipient_type": "individual",
                    "to": "31612345678",
                    "type": "template",
                    "template": {
                        "name": "avr_intro",
                        "language": {"code": "ar"},
                        "components": [{"type": "body", "parameters": [
                            {"type": "text", "text": "مرحبا"},
                            {"type": "text", "text": "https://example.org/r/abc"}
                        ]}]
                    }
                })
            );
        }

        #[tokio::test]
        async fn refusals_never_echo_the_number_or_the_token() {
            let router = Router::new().route(
                "/v21.0/{phone_number_id}/messages",
                post(|| async {
                    (
                        StatusCode::BAD_REQUEST,
                        r#"{"error":{"message":"(#131026) Message undeliverable to 31612345678","code":131026,"error_data":{"details":"token EAAG-token rejected"}}}"#,
                    )
                }),
            );
            let base = serve(router).await;
            let result = adapter(&base)
                .send_template(
                    "31612345678",
                    &TemplateMessage {
                        name: "avr_intro",
                        language: "ar",
                        body_parameters: &[],
                    },
                )
                .await;
            let PublishResult::RecipientGone { code, text } = result else {
                panic!("expected RecipientGone, got {result:?}");
            };
            assert_eq!(code, "131026");
            assert!(
                !text.contains("31612345678") && !text.contains("EAAG-token"),
                "{text}"
            );
        }

        #[tokio::test]
        async fn reads_template_statuses_across_pages() {
            let seen = Seen::default();
            let router = Router::new()
                .route(
                    "/v21.0/{waba_id}/message_templates",
                    get(
                        |State(seen): State<Seen>,
                         Path(id): Path<String>,
                         RawQuery(query): RawQuery,
                         headers: HeaderMap| async move {
                            let query = query.unwrap_or_default();
                            seen.lock().unwrap().push((
                                id,
                                header(&headers, "authorization"),
                                String::new(),
                                query.clone(),
                            ));
                            let host = header(&headers, "host");
                            if query.contains("after=") {
                                json!({"data": [
                                    {"name": "avr_intro", "language": "prs_AF", "status": "REJECTED", "id": "3"}
                                ], "paging": {"cursors": {"before": "b", "after": "c"}}})
                                .to_string()
                            } else {
                                json!({"data": [
                                    {"name": "avr_intro", "language": "ar", "status": "APPROVED", "id": "1"},
                                    {"name": "avr_intro_old", "language": "ar", "status": "PAUSED", "id": "9"},
                                    {"name": "avr_intro", "language": "fa", "status": "PENDING", "id": "2"}
                                ], "paging": {
                                    "cursors": {"before": "a", "after": "b"},
                                    "next": format!("http://{host}/v21.0/102290129340398/message_templates?name=avr_intro&fields=name,language,status&after=b")
                                }})
                                .to_string()
                            }
                        },
                    ),
                )
                .with_state(seen.clone());
            let base = serve(router).await;
            let statuses = adapter(&base).template_statuses("avr_intro").await.unwrap();
            let status = |language: &str, status: &str| TemplateStatus {
                name: "avr_intro".into(),
                language: language.into(),
                status: status.into(),
            };
            assert_eq!(
                statuses,
                vec![
                    status("ar", "APPROVED"),
                    status("fa", "PENDING"),
                    status("prs_AF", "REJECTED")
                ]
            );
            let seen = seen.lock().unwrap();
            assert_eq!(seen.len(), 2);
            assert_eq!(seen[0].0, "102290129340398");
            assert_eq!(seen[0].1, "Bearer EAAG-token");
            assert_eq!(seen[0].3, "name=avr_intro&fields=name%2Clanguage%2Cstatus");
        }

        #[tokio::test]
        async fn paging_to_another_host_is_not_followed() {
            let router = Router::new().route(
                "/v21.0/{waba_id}/message_templates",
                get(|| async {
                    json!({"data": [], "paging": {"next": "http://198.51.100.7/v21.0/1/message_templates?after=x"}})
                        .to_string()
                }),
            );
            let base = serve(router).await;
            let error = adapter(&base)
                .template_statuses("avr_intro")
                .await
                .unwrap_err();
            assert!(
                matches!(error, TemplateQueryError::PagingToAnotherHost),
                "{error}"
            );
        }
    }
}
