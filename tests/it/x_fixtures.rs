//! X's own answers (`tests/fixtures/partners/x/`, sources in its `SOURCES.md`) through herald's
//! X parsers, and the sandbox held to the same answers: what herald makes of each documented
//! body, and that the sandbox's refusals are those bodies, not look-alikes. Also what the
//! sandbox refuses of OAuth 1.0a: a replayed nonce, a stale timestamp, a wrong secret, and an
//! app-only token on the posting endpoint.

use crate::common;

use std::time::Duration;

use chrono::{DateTime, Utc};
use common::partner_sandbox::{start, start_time};
use herald::clock::Clock;
use herald::platforms::oauth1::OAuth1Keys;
use herald::platforms::{
    PublicMetrics, Publication, PublishResult, REHEARSAL_CREDENTIAL, Secret, XAdapter, classify,
    lookup_metrics,
};
use herald::sandbox::SandboxConfig;
use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::{Value, json};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/partners/x/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|error| panic!("{path}: {error}"))
}

fn fixture_json(name: &str) -> Value {
    serde_json::from_slice(&fixture(name)).unwrap()
}

fn now() -> DateTime<Utc> {
    start_time()
}

fn permanent(code: &str, text: &str) -> PublishResult {
    PublishResult::Permanent {
        code: code.into(),
        text: text.into(),
    }
}

#[test]
fn documented_answers_classify() {
    let none = HeaderMap::new();
    assert_eq!(
        classify::x(201, &none, &fixture("create_tweet.json"), now()),
        PublishResult::Published {
            platform_id: Some("1445880548472328192".into())
        }
    );
    // A 2xx that is not a created post is reported, never taken for one.
    assert!(matches!(
        classify::x(201, &none, br#"{"data": {"text": "hello"}}"#, now()),
        PublishResult::Unknown { error } if error.contains("data.id")
    ));
    let mut reset = HeaderMap::new();
    reset.insert(
        "x-rate-limit-reset",
        HeaderValue::from(now().timestamp() + 420),
    );
    assert_eq!(
        classify::x(429, &reset, &fixture("rate_limited_429.json"), now()),
        PublishResult::Throttled {
            wait: Duration::from_secs(420),
            text: "Rate limit exceeded".into()
        }
    );
    assert_eq!(
        classify::x(400, &none, &fixture("invalid_request_400.json"), now()),
        permanent("400", "The 'query' parameter is required.")
    );
    assert_eq!(
        classify::x(401, &none, &fixture("unauthorized_401.json"), now()),
        permanent("401", "Unauthorized")
    );
    assert_eq!(
        classify::x(403, &none, &fixture("duplicate_403.json"), now()),
        permanent(
            "403",
            "You are not allowed to create a Tweet with duplicate content."
        )
    );
    let unsupported = classify::x(
        403,
        &none,
        &fixture("unsupported_authentication_403.json"),
        now(),
    );
    assert!(
        matches!(&unsupported, PublishResult::Permanent { code, text } if code == "403" && text.starts_with("Authenticating with OAuth 2.0 Application-Only is forbidden")),
        "{unsupported:?}"
    );
}

#[test]
fn documented_lookups_give_their_metrics() {
    assert_eq!(
        lookup_metrics(&fixture("lookup_public_metrics.json")),
        Some(vec![(
            "1234567890".to_string(),
            PublicMetrics {
                impression_count: 5432,
                like_count: 234,
                retweet_count: 50,
                reply_count: 12,
                quote_count: 5,
                bookmark_count: 8,
            }
        )])
    );
    // The missing id is only in `errors`; the post found has no metrics asked for: zeros.
    assert_eq!(
        lookup_metrics(&fixture("lookup_partial_errors.json")),
        Some(vec![("123".to_string(), PublicMetrics::default())])
    );
    assert_eq!(lookup_metrics(b"<html>"), None);
}

fn adapter(base_url: &str, token: &str, secret: &str) -> XAdapter {
    XAdapter::new(
        reqwest::Client::new(),
        base_url,
        OAuth1Keys {
            consumer_key: Secret::new("herald-app"),
            consumer_secret: Secret::new(secret),
            access_token: Secret::new(token),
            access_token_secret: Secret::new(secret),
        },
        Duration::from_secs(5),
    )
}

fn publication(text: &str) -> Publication<'_> {
    Publication {
        text,
        locale: "en",
        direction: "ltr",
        idempotency_key: "campaign-1:send-1:nl:en:x:slot-1",
        recipient: None,
        envelope: herald::platforms::Envelope::default(),
    }
}

async fn answer(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let body = serde_json::from_str(&response.text().await.unwrap()).unwrap_or(Value::Null);
    (status, body)
}

/// The sandbox's refusals are X's bodies: unauthorized, duplicate, app-only.
#[tokio::test]
async fn the_sandbox_refuses_with_xs_bodies() {
    let (sandbox, running, clock) = start(SandboxConfig::default()).await;
    let base = running.base_url();
    let user = adapter(&base, "42-user", REHEARSAL_CREDENTIAL);
    let forged = adapter(&base, "42-user", "not-the-secret");
    let client = reqwest::Client::new();

    let refused = forged.publish(&publication("forged"), clock.now()).await;
    assert_eq!(refused, permanent("401", "Unauthorized"));
    let (status, body) = answer(
        client
            .post(format!("{base}/2/tweets"))
            .header("content-type", "application/json")
            .body(json!({"text": "no credentials"}).to_string())
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, body), (401, fixture_json("unauthorized_401.json")));

    assert!(matches!(
        user.publish(&publication("once"), clock.now()).await,
        PublishResult::Published { .. }
    ));
    let twice = user.publish(&publication("once"), clock.now()).await;
    assert_eq!(
        twice,
        permanent(
            "403",
            "You are not allowed to create a Tweet with duplicate content."
        )
    );

    let token = app_only_token(&client, &base).await;
    let (status, body) = answer(
        client
            .post(format!("{base}/2/tweets"))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(json!({"text": "app only"}).to_string())
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, body),
        (403, fixture_json("unsupported_authentication_403.json"))
    );
    // An app-only token may still read.
    let (status, _) = answer(
        client
            .get(format!("{base}/2/tweets?ids=1"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(sandbox.delivered().len(), 1);
}

/// `POST /oauth2/token` with the app's key and the sandbox's secret.
async fn app_token_answer(client: &reqwest::Client, base: &str, secret: &str) -> (u16, Value) {
    answer(
        client
            .post(format!("{base}/oauth2/token"))
            .basic_auth("herald-app", Some(secret))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("grant_type=client_credentials")
            .send()
            .await
            .unwrap(),
    )
    .await
}

async fn app_only_token(client: &reqwest::Client, base: &str) -> String {
    let (status, body) = app_token_answer(client, base, REHEARSAL_CREDENTIAL).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token_type"], "bearer");
    let token = body["access_token"].as_str().unwrap().to_string();
    assert!(token.starts_with("AAAAAAAAAAAAAAAAAAAAA"), "{token}");
    token
}

#[tokio::test]
async fn app_tokens_need_the_app_secret() {
    let (_sandbox, running, _clock) = start(SandboxConfig::default()).await;
    let client = reqwest::Client::new();
    let (status, body) = app_token_answer(&client, &running.base_url(), "wrong").await;
    assert_eq!(status, 403);
    assert_eq!(body["errors"][0]["code"], 99);
}

/// A signature is good once, and only near the sandbox clock.
#[tokio::test]
async fn replays_and_stale_timestamps_are_unauthorized() {
    let (sandbox, running, clock) = start(SandboxConfig::default()).await;
    let base = running.base_url();
    let user = adapter(&base, "42-user", REHEARSAL_CREDENTIAL);

    let stale = clock.now() - chrono::Duration::minutes(6);
    assert_eq!(
        user.publish(&publication("late"), stale).await,
        permanent("401", "Unauthorized")
    );
    let early = clock.now() + chrono::Duration::minutes(4);
    assert!(matches!(
        user.publish(&publication("a little early"), early).await,
        PublishResult::Published { .. }
    ));

    // The same signed request twice: the second is a replay.
    let url = reqwest::Url::parse(&format!("{base}/2/tweets")).unwrap();
    let keys = OAuth1Keys {
        consumer_key: Secret::new("herald-app"),
        consumer_secret: Secret::new(REHEARSAL_CREDENTIAL),
        access_token: Secret::new("42-user"),
        access_token_secret: Secret::new(REHEARSAL_CREDENTIAL),
    };
    let freshness = herald::platforms::oauth1::Freshness {
        nonce: "replayed-nonce".into(),
        timestamp: clock.now().timestamp(),
    };
    let header = herald::platforms::oauth1::authorization_header(&keys, "POST", &url, &freshness);
    let client = reqwest::Client::new();
    let mut statuses = Vec::new();
    for text in ["first", "second"] {
        let response = client
            .post(url.clone())
            .header("authorization", &header)
            .header("content-type", "application/json")
            .body(json!({ "text": text }).to_string())
            .send()
            .await
            .unwrap();
        statuses.push(response.status().as_u16());
    }
    assert_eq!(statuses, [201, 401]);
    assert_eq!(sandbox.delivered().len(), 2);
}

/// `GET /2/tweets/:id` with fields, and an unknown id as X answers it.
#[tokio::test]
async fn single_lookups_take_fields_and_expansions() {
    let (_sandbox, running, clock) = start(SandboxConfig::default()).await;
    let base = running.base_url();
    let user = adapter(&base, "42-user", REHEARSAL_CREDENTIAL);
    let PublishResult::Published {
        platform_id: Some(id),
    } = user.publish(&publication("look me up"), clock.now()).await
    else {
        panic!("not published");
    };
    let client = reqwest::Client::new();
    let (status, body) = answer(
        client
            .get(format!(
                "{base}/2/tweets/{id}?tweet.fields=created_at,public_metrics,author_id&expansions=author_id"
            ))
            .bearer_auth("user-token")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["id"], id.as_str());
    assert_eq!(body["data"]["text"], "look me up");
    assert_eq!(body["data"]["edit_history_tweet_ids"], json!([id]));
    assert_eq!(body["data"]["created_at"], "2027-01-15T10:00:00.000Z");
    assert_eq!(
        body["includes"]["users"][0]["id"],
        body["data"]["author_id"]
    );
    assert_eq!(
        lookup_metrics(body.to_string().as_bytes()).map(|found| found.len()),
        Some(1)
    );

    let (status, body) = answer(
        client
            .get(format!("{base}/2/tweets/1000000000000000001"))
            .bearer_auth("user-token")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    assert!(body.get("data").is_none());
    let documented = &fixture_json("lookup_partial_errors.json")["errors"][0];
    let error = &body["errors"][0];
    for key in ["resource_id", "resource_type", "title"] {
        assert!(
            error.get(key).is_some() && documented.get(key).is_some(),
            "{key}"
        );
    }
    assert_eq!(
        error["detail"],
        "Could not find tweet with id: [1000000000000000001]."
    );

    let (status, body) = answer(
        client
            .get(format!("{base}/2/tweets/{id}?tweet.fields=nonsense"))
            .bearer_auth("user-token")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["title"], "Invalid Request");
}
