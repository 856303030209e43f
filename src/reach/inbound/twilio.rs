//! Twilio's webhooks for SMS, form-encoded and signed with `X-Twilio-Signature`: the base64
//! HMAC-SHA1, keyed with the account's auth token, of the full URL Twilio called followed by
//! every POST parameter, sorted by name, as name and value run together.
//!
//! One hook receives both kinds of request Twilio sends about a number:
//! * status callbacks (`MessageSid`, `MessageStatus`, `ErrorCode`, `To`): `delivered` →
//!   delivered, `failed` and `undelivered` → failed with Twilio's error code, `read` → read,
//!   `sent` → sent; `queued`, `accepted`, `sending` and the rest say nothing herald counts.
//! * incoming messages (`MessageSid`, `From`, `Body`, and `OptOutType` when the Messaging
//!   Service's Advanced Opt-Out is on): a stop word of any language (see
//!   [`super::sms_keywords`]) or `OptOutType=STOP` unsubscribes; a start word or
//!   `OptOutType=START` subscribes, with what follows the word as the link's payload; anything
//!   else is text.
//!
//! Twilio's requests carry no time of their own, so an event is stamped with the time herald
//! receives it, and its `MessageSid` is its id: a captured request sent again repeats an id
//! already applied and changes nothing (see [`super::EventWindow`] for how long ids are kept).

use axum::http::HeaderMap;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha1::Sha1;

use super::event::{DeliveryStatus, EventStamp, InboundEvent, OptOutReason, StatusEvent};
use super::keywords::is_stop_word;
use super::payload::ParseError;
use super::signature::{SignatureError, header};
use super::sms_keywords::{is_sms_stop, sms_start};

/// The header carrying the base64 HMAC-SHA1.
pub const TWILIO_SIGNATURE_HEADER: &str = "x-twilio-signature";

/// Most parameters one Twilio request may carry; an inbound message has about twenty.
pub const MAX_TWILIO_PARAMS: usize = 200;

/// A request's form parameters, in the order sent.
pub type FormParams = Vec<(String, String)>;

/// Reads a form-encoded body, refusing more than [`MAX_TWILIO_PARAMS`] parameters.
pub fn read_twilio_form(body: &[u8]) -> Result<FormParams, ParseError> {
    let mut params = Vec::new();
    for pair in form_urlencoded::parse(body) {
        if params.len() == MAX_TWILIO_PARAMS {
            return Err(ParseError {
                path: String::new(),
                problem: format!("more than {MAX_TWILIO_PARAMS} form parameters"),
            });
        }
        params.push((pair.0.into_owned(), pair.1.into_owned()));
    }
    Ok(params)
}

/// The string Twilio signs: `url`, then each parameter's name and value, sorted by name.
fn signed_string(url: &str, params: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort();
    let mut out = url.to_string();
    for (name, value) in sorted {
        out.push_str(name);
        out.push_str(value);
    }
    out
}

/// The signature Twilio sends for a request to `url` with `params`, for tests and the sandbox.
pub fn twilio_signature(auth_token: &str, url: &str, params: &[(String, String)]) -> String {
    crate::base64::encode(&mac(auth_token, url, params).finalize().into_bytes())
}

fn mac(auth_token: &str, url: &str, params: &[(String, String)]) -> Hmac<Sha1> {
    // HMAC takes keys of any length.
    let mut mac = <Hmac<Sha1> as Mac>::new_from_slice(auth_token.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(signed_string(url, params).as_bytes());
    mac
}

/// Checks `X-Twilio-Signature` for a request with `params` against each URL Twilio may have
/// called (the configured public address, the address the request names), in constant time
/// for each.
pub fn verify_twilio(
    headers: &HeaderMap,
    urls: &[String],
    params: &[(String, String)],
    auth_token: &str,
) -> Result<(), SignatureError> {
    if auth_token.is_empty() {
        return Err(SignatureError::NotConfigured);
    }
    let given = header(headers, TWILIO_SIGNATURE_HEADER)?;
    let given = crate::base64::decode(given.trim()).ok_or(SignatureError::Malformed)?;
    if given.len() != 20 {
        return Err(SignatureError::Malformed);
    }
    let mut matched = false;
    for url in urls {
        // Every URL is checked, so the time taken does not say which one matched.
        matched |= mac(auth_token, url, params).verify_slice(&given).is_ok();
    }
    if matched {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

/// The events of one Twilio request (zero or one), stamped `now`.
pub fn parse_twilio(
    params: &[(String, String)],
    now: DateTime<Utc>,
) -> Result<Vec<InboundEvent>, ParseError> {
    let get = |name: &str| {
        params
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    };
    let required = |name: &str| {
        get(name)
            .filter(|value| !value.trim().is_empty())
            .ok_or_else(|| ParseError {
                path: name.to_string(),
                problem: "missing".to_string(),
            })
    };
    if let Some(status) = get("MessageStatus") {
        let status = match status {
            "delivered" => DeliveryStatus::Delivered,
            "failed" | "undelivered" => DeliveryStatus::Failed,
            "read" => DeliveryStatus::Read,
            "sent" => DeliveryStatus::Sent,
            _ => return Ok(Vec::new()),
        };
        let error = (status == DeliveryStatus::Failed).then(|| {
            let code = get("ErrorCode").filter(|c| !c.is_empty()).unwrap_or("");
            let words = get("MessageStatus").unwrap_or("failed");
            (code.to_string(), words.to_string())
        });
        return Ok(vec![InboundEvent::Status(StatusEvent {
            platform_message_id: required("MessageSid")?.to_string(),
            recipient: get("To").filter(|to| !to.is_empty()).map(str::to_string),
            status,
            at: now,
            error,
        })]);
    }
    let Some(text) = get("Body") else {
        return Ok(Vec::new());
    };
    let user = required("From")?.to_string();
    let stamp = EventStamp::new(required("MessageSid")?.to_string(), now);
    let opt_out_type = get("OptOutType").map(str::to_ascii_uppercase);
    if opt_out_type.as_deref() == Some("STOP") || is_sms_stop(text) || is_stop_word(text) {
        return Ok(vec![InboundEvent::Unsubscribe {
            user,
            reason: OptOutReason::Stop,
            stamp,
        }]);
    }
    let start = sms_start(text).or((opt_out_type.as_deref() == Some("START")).then_some(None));
    Ok(vec![match start {
        Some(payload) => InboundEvent::Subscribe {
            user,
            language: None,
            payload,
            stamp,
        },
        None => InboundEvent::Text {
            user,
            text: text.to_string(),
        },
    }])
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    const TOKEN: &str = "12345";
    const URL: &str = "https://mycompany.com/myapp.php?foo=1&bar=2";

    fn params(pairs: &[(&str, &str)]) -> FormParams {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn signed(signature: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            TWILIO_SIGNATURE_HEADER,
            HeaderValue::from_str(signature).unwrap(),
        );
        headers
    }

    /// Twilio's own worked example of the scheme (its webhook-security documentation).
    fn example() -> FormParams {
        params(&[
            ("CallSid", "CA1234567890ABCDE"),
            ("Caller", "+14158675310"),
            ("Digits", "1234"),
            ("From", "+14158675310"),
            ("To", "+18005551212"),
        ])
    }

    #[test]
    fn signs_as_twilios_documented_example() {
        assert_eq!(
            twilio_signature(TOKEN, URL, &example()),
            "GvWf1cFY/Q7PnoempGyD5oXAezc="
        );
    }

    #[test]
    fn signature_valid_tampered_wrong_url_wrong_key_missing_malformed() {
        let good = signed("GvWf1cFY/Q7PnoempGyD5oXAezc=");
        let urls = vec!["https://elsewhere.example/".to_string(), URL.to_string()];
        assert_eq!(verify_twilio(&good, &urls, &example(), TOKEN), Ok(()));
        let mut tampered = example();
        tampered[2].1 = "1235".into();
        assert_eq!(
            verify_twilio(&good, &urls, &tampered, TOKEN),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify_twilio(&good, &urls[..1], &example(), TOKEN),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify_twilio(&good, &urls, &example(), "54321"),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify_twilio(&HeaderMap::new(), &urls, &example(), TOKEN),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            verify_twilio(&signed("not base64!"), &urls, &example(), TOKEN),
            Err(SignatureError::Malformed)
        );
        assert_eq!(
            verify_twilio(&signed("AAAA"), &urls, &example(), TOKEN),
            Err(SignatureError::Malformed)
        );
        assert_eq!(
            verify_twilio(&good, &urls, &example(), ""),
            Err(SignatureError::NotConfigured)
        );
    }

    #[test]
    fn status_callbacks_become_statuses() {
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let status = |s: &str, code: &str| {
            parse_twilio(
                &params(&[
                    ("MessageSid", "SM1"),
                    ("MessageStatus", s),
                    ("ErrorCode", code),
                    ("To", "+31612345678"),
                    ("AccountSid", "AC1"),
                ]),
                now,
            )
            .unwrap()
        };
        assert_eq!(
            status("delivered", ""),
            vec![InboundEvent::Status(StatusEvent {
                platform_message_id: "SM1".into(),
                recipient: Some("+31612345678".into()),
                status: DeliveryStatus::Delivered,
                at: now,
                error: None,
            })]
        );
        for failed in ["failed", "undelivered"] {
            let InboundEvent::Status(event) = &status(failed, "30006")[0] else {
                panic!()
            };
            assert_eq!(event.status, DeliveryStatus::Failed);
            assert_eq!(event.error, Some(("30006".into(), failed.into())));
        }
        for quiet in ["queued", "accepted", "sending", "scheduled", "canceled"] {
            assert_eq!(status(quiet, ""), vec![], "{quiet}");
        }
        let error = parse_twilio(&params(&[("MessageStatus", "delivered")]), now).unwrap_err();
        assert_eq!(error.path, "MessageSid");
    }

    #[test]
    fn incoming_messages_stop_start_or_are_text() {
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let stamp = EventStamp::new("SM9".into(), now);
        let inbound = |body: &str, opt_out: Option<&str>| {
            let mut p = params(&[
                ("MessageSid", "SM9"),
                ("From", "+31611111111"),
                ("Body", body),
            ]);
            if let Some(kind) = opt_out {
                p.push(("OptOutType".into(), kind.into()));
            }
            parse_twilio(&p, now).unwrap()
        };
        for stop in ["STOP", "Arrêt", "إيقاف", "ودروه", "ኣቋርጽ"] {
            assert_eq!(
                inbound(stop, None),
                vec![InboundEvent::Unsubscribe {
                    user: "+31611111111".into(),
                    reason: OptOutReason::Stop,
                    stamp: stamp.clone()
                }],
                "{stop}"
            );
        }
        // A keyword the operator added in Twilio's Advanced Opt-Out.
        assert!(matches!(
            inbound("BASTA YA", Some("STOP"))[..],
            [InboundEvent::Unsubscribe { .. }]
        ));
        assert_eq!(
            inbound("START in-eu", None),
            vec![InboundEvent::Subscribe {
                user: "+31611111111".into(),
                language: None,
                payload: Some("in-eu".into()),
                stamp: stamp.clone()
            }]
        );
        assert!(matches!(
            inbound("OUI", Some("START"))[..],
            [InboundEvent::Subscribe { payload: None, .. }]
        ));
        assert!(matches!(
            inbound("Where is the office?", None)[..],
            [InboundEvent::Text { .. }]
        ));
        assert_eq!(
            parse_twilio(&params(&[("MessageSid", "SM9"), ("Body", "STOP")]), now)
                .unwrap_err()
                .path,
            "From"
        );
        assert_eq!(
            parse_twilio(&params(&[("AccountSid", "AC1")]), now).unwrap(),
            vec![]
        );
    }

    #[test]
    fn forms_are_bounded() {
        let many = "a=1&".repeat(MAX_TWILIO_PARAMS + 1);
        assert!(read_twilio_form(many.as_bytes()).is_err());
        assert_eq!(
            read_twilio_form(b"Body=Hallo+%E2%82%AC&From=%2B316").unwrap(),
            params(&[("Body", "Hallo €"), ("From", "+316")])
        );
    }
}
