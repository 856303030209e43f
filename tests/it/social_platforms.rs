//! The Facebook and X adapters against the sandbox over real HTTP: what they send, how they
//! classify every answer the sandbox can give, and what they read back (insights, audience
//! estimates, public metrics) as simulated time passes.

use crate::common;

use std::sync::Arc;
use std::time::Duration;

use common::noted_requests::NotedRequests;
use common::partner_sandbox::{start, start_time};
use herald::clock::{Clock, SimulatedClock};
use herald::platforms::oauth1::OAuth1Keys;
use herald::platforms::{
    ErrorClass, FacebookAdapter, Publication, PublishResult, REHEARSAL_CREDENTIAL, Secret,
    Targeting, XAdapter,
};
use herald::sandbox::{FaultConfig, Received, Sandbox, SandboxConfig};
use serde_json::{Value, json};

const PAGE: &str = "1234567890";
const PAGE_TOKEN: &str = "EAAB-page-token-secret";
const X_TOKEN: &str = "x-user-token-secret";
const TIMEOUT: Duration = Duration::from_secs(5);

fn facebook(base_url: &str, token: &str) -> FacebookAdapter {
    FacebookAdapter::new(
        reqwest::Client::new(),
        base_url,
        "v21.0",
        Secret::new(token),
        PAGE.to_string(),
        TIMEOUT,
    )
}

/// An X account acting for the user whose access token is `token`, with the secrets the
/// sandbox verifies signatures with.
fn x(base_url: &str, token: &str) -> XAdapter {
    XAdapter::new(
        reqwest::Client::new(),
        base_url,
        OAuth1Keys {
            consumer_key: Secret::new("herald-app"),
            consumer_secret: Secret::new(REHEARSAL_CREDENTIAL),
            access_token: Secret::new(token),
            access_token_secret: Secret::new(REHEARSAL_CREDENTIAL),
        },
        TIMEOUT,
    )
}

fn publication(text: &str) -> Publication<'_> {
    Publication {
        text,
        locale: "en",
        direction: "ltr",
        idempotency_key: "campaign-1:send-1:nl:en:facebook:slot-1",
        recipient: None,
        envelope: herald::platforms::Envelope::default(),
    }
}

fn of_platform(sandbox: &Sandbox, platform: &str) -> Vec<Received> {
    sandbox
        .received()
        .into_iter()
        .filter(|r| r.platform == platform)
        .collect()
}

fn permanent_code(result: &PublishResult) -> &str {
    match result {
        PublishResult::Permanent { code, .. } => code,
        other => panic!("expected a permanent failure, got {other:?}"),
    }
}

#[tokio::test]
async fn facebook_posts_the_message_and_its_link_with_the_token_only_in_a_header() {
    let clock = SimulatedClock::starting_at(start_time());
    let sandbox = Sandbox::new(SandboxConfig::default(), Arc::new(clock.clone()));
    // Served through a layer that notes every request line and authorization header.
    let noted = NotedRequests::serve(sandbox.router()).await;

    let text =
        "Assisted voluntary return: know your options. Read more at https://example.org/return.";
    let result = facebook(&noted.base, PAGE_TOKEN)
        .publish(&publication(text))
        .await;
    let PublishResult::Published {
        platform_id: Some(id),
    } = result
    else {
        panic!("not published: {result:?}");
    };
    assert!(id.starts_with(&format!("{PAGE}_")), "{id}");

    let delivered = sandbox.delivered();
    assert_eq!(delivered.len(), 1);
    let post = &delivered[0];
    assert_eq!(
        (post.platform.as_str(), post.account.as_str()),
        ("facebook", PAGE)
    );
    assert_eq!(post.text, text);
    assert_eq!(post.body["message"], text);
    assert_eq!(post.body["link"], "https://example.org/return");
    assert_eq!(post.platform_id.as_deref(), Some(id.as_str()));
    assert_eq!(post.at, clock.now());

    let seen = noted.requests();
    assert_eq!(
        seen,
        vec![(
            format!("/v21.0/{PAGE}/feed"),
            format!("Bearer {PAGE_TOKEN}")
        )]
    );
    let recorded = serde_json::to_string(&sandbox.received()).unwrap();
    assert!(!recorded.contains(PAGE_TOKEN));
}

#[tokio::test]
async fn facebook_refusals_are_permanent_with_graphs_codes() {
    let (sandbox, running, _clock) = start(SandboxConfig::default()).await;
    let base = running.base_url();
    let adapter = facebook(&base, PAGE_TOKEN);

    // No token: 190.
    let no_token = facebook(&base, "").publish(&publication("hello")).await;
    assert_eq!(permanent_code(&no_token), "190");

    // Longer than Facebook's 63,206 characters: 100.
    let long = "a".repeat(63_207);
    let too_long = adapter.publish(&publication(&long)).await;
    assert_eq!(permanent_code(&too_long), "100");
    assert!(matches!(&too_long, PublishResult::Permanent { text, .. } if text.contains("63206")));

    // The same message twice within a day: 506, with Meta's words.
    let first = adapter.publish(&publication("Office hours changed")).await;
    assert!(
        matches!(first, PublishResult::Published { .. }),
        "{first:?}"
    );
    let again = adapter.publish(&publication("Office hours changed")).await;
    assert_eq!(permanent_code(&again), "506");
    assert!(
        matches!(&again, PublishResult::Permanent { text, .. } if text.contains("Duplicate status message"))
    );

    let posts = of_platform(&sandbox, "facebook");
    assert_eq!(
        posts.iter().map(|r| r.status).collect::<Vec<_>>(),
        vec![400, 400, 200, 400]
    );
    assert_eq!(sandbox.delivered().len(), 1);
}

#[tokio::test]
async fn facebook_page_limit_throttles_for_the_time_the_usage_header_gives() {
    let (sandbox, running, clock) = start(SandboxConfig::default()).await;
    let adapter = facebook(&running.base_url(), PAGE_TOKEN);
    // The default budget: 200 calls an hour about one page.
    for n in 0..200 {
        let result = adapter.publish(&publication(&format!("update {n}"))).await;
        assert!(
            matches!(result, PublishResult::Published { .. }),
            "{n}: {result:?}"
        );
    }
    clock.advance(chrono::Duration::minutes(10));
    let throttled = adapter.publish(&publication("one too many")).await;
    // The first of the 200 leaves the window 50 minutes from now.
    assert_eq!(
        throttled,
        PublishResult::Throttled {
            wait: Duration::from_secs(50 * 60),
            text: "(#32) Page request limit reached".into()
        }
    );

    // The same answer seen raw: code 32 and the minutes in X-Business-Use-Case-Usage.
    let raw = reqwest::Client::new()
        .post(format!("{}/v21.0/{PAGE}/feed", running.base_url()))
        .bearer_auth(PAGE_TOKEN)
        .header("content-type", "application/json")
        .body(json!({"message": "still too many"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 400);
    let usage: Value =
        serde_json::from_str(raw.headers()["x-business-use-case-usage"].to_str().unwrap()).unwrap();
    assert_eq!(usage[PAGE][0]["estimated_time_to_regain_access"], 50);
    assert_eq!(usage[PAGE][0]["call_count"], 100);
    assert!(raw.headers().contains_key("x-app-usage"));
    let body: Value = raw.json_text().await;
    assert_eq!(body["error"]["code"], 32);

    // Once the window has moved on, the page takes posts again.
    clock.advance(chrono::Duration::minutes(50));
    let healed = adapter.publish(&publication("later")).await;
    assert!(
        matches!(healed, PublishResult::Published { .. }),
        "{healed:?}"
    );
    assert_eq!(sandbox.delivered().len(), 201);
}

#[tokio::test]
async fn facebook_faults_are_throttled_transient_or_unknown() {
    let (sandbox, running, _clock) = start(SandboxConfig::default()).await;
    let adapter = facebook(&running.base_url(), PAGE_TOKEN);

    sandbox.set_faults(FaultConfig {
        rate_429: 1.0,
        ..FaultConfig::default()
    });
    let storm = adapter.publish(&publication("storm")).await;
    assert_eq!(
        storm,
        PublishResult::Throttled {
            wait: Duration::from_secs(60),
            text: "(#4) Application request limit reached".into()
        }
    );

    sandbox.set_faults(FaultConfig {
        rate_5xx: 1.0,
        ..FaultConfig::default()
    });
    let burst = adapter.publish(&publication("burst")).await;
    assert!(
        matches!(&burst, PublishResult::Transient { code, text } if code == "2" && text.starts_with("Service temporarily unavailable")),
        "{burst:?}"
    );

    sandbox.set_faults(FaultConfig {
        rate_drop: 1.0,
        ..FaultConfig::default()
    });
    let dropped = adapter.publish(&publication("dropped")).await;
    assert!(
        matches!(dropped, PublishResult::Unknown { .. }),
        "{dropped:?}"
    );
    // Published all the same: an unknown outcome must be reconciled, not re-sent.
    let delivered = sandbox.delivered();
    assert_eq!(delivered.len(), 1);
    assert_eq!(
        (delivered[0].text.as_str(), delivered[0].status),
        ("dropped", 0)
    );
}

#[tokio::test]
async fn facebook_insights_grow_with_simulated_time_and_retired_metrics_are_refused() {
    let (sandbox, running, clock) = start(SandboxConfig::default()).await;
    let adapter = facebook(&running.base_url(), PAGE_TOKEN);
    let PublishResult::Published {
        platform_id: Some(post),
    } = adapter.publish(&publication("Know your options")).await
    else {
        panic!("not published");
    };
    let metrics = ["post_total_media_view_unique", "post_clicks"];
    let read = |values: Vec<herald::platforms::InsightValue>| -> (i64, i64) {
        assert_eq!(values.len(), 2);
        assert!(values.iter().all(|v| v.period == "lifetime"));
        let value = |name: &str| values.iter().find(|v| v.metric == name).unwrap().value;
        (value("post_total_media_view_unique"), value("post_clicks"))
    };

    clock.advance(chrono::Duration::hours(1));
    let hour = read(adapter.post_insights(&post, &metrics).await.unwrap());
    clock.advance(chrono::Duration::hours(23));
    let day = read(adapter.post_insights(&post, &metrics).await.unwrap());
    clock.advance(chrono::Duration::days(30));
    let month = read(adapter.post_insights(&post, &metrics).await.unwrap());
    clock.advance(chrono::Duration::days(30));
    let later = read(adapter.post_insights(&post, &metrics).await.unwrap());
    assert!(
        hour.0 > 0 && hour.0 < day.0 && day.0 < month.0,
        "{hour:?} {day:?} {month:?}"
    );
    assert!(hour.1 <= day.1 && day.1 <= month.1);
    assert!(month.1 > 0 && month.1 < month.0 / 10, "{month:?}");
    assert_eq!(month, later, "saturated after a week");

    let reactions = adapter
        .post_insights(&post, &["post_reactions_by_type_total"])
        .await
        .unwrap();
    assert!(reactions[0].value > 0);

    let retired = adapter
        .post_insights(&post, &["post_clicks", "post_impressions_unique"])
        .await
        .unwrap_err();
    assert_eq!(
        (retired.class.clone(), retired.code.as_str()),
        (ErrorClass::Permanent, "100")
    );
    assert!(
        retired.text.contains("`post_impressions_unique`"),
        "{}",
        retired.text
    );

    let unknown = adapter
        .post_insights(&format!("{PAGE}_1"), &metrics)
        .await
        .unwrap_err();
    assert_eq!(unknown.code, "100/33");

    // Reads are recorded, but are not deliveries; the token is in none of them.
    let reads: Vec<Received> = of_platform(&sandbox, "facebook")
        .into_iter()
        .filter(|r| r.recipient.ends_with("/insights"))
        .collect();
    assert_eq!(reads.len(), 7);
    assert_eq!(
        reads[0].body["metric"],
        "post_total_media_view_unique,post_clicks"
    );
    assert_eq!(sandbox.delivered().len(), 1);

    // Views (Meta's replacement for post impressions) count repeat views: at least the reach.
    let both = adapter
        .post_insights(&post, &["post_total_media_view_unique", "post_media_view"])
        .await
        .unwrap();
    let value = |name: &str| both.iter().find(|v| v.metric == name).unwrap().value;
    let (reach, views) = (
        value("post_total_media_view_unique"),
        value("post_media_view"),
    );
    assert_eq!(reach, month.0);
    assert!(
        views >= reach && views <= reach * 5,
        "reach {reach}, views {views}"
    );

    sandbox.set_faults(FaultConfig {
        rate_5xx: 1.0,
        ..FaultConfig::default()
    });
    let busy = adapter.post_insights(&post, &metrics).await.unwrap_err();
    assert!(busy.is_retryable() && busy.wait().is_none(), "{busy}");
    sandbox.set_faults(FaultConfig {
        rate_drop: 1.0,
        ..FaultConfig::default()
    });
    let lost = adapter.post_insights(&post, &metrics).await.unwrap_err();
    assert_eq!(
        lost.class,
        ErrorClass::Transient,
        "a lost read is simply retried"
    );
}

#[tokio::test]
async fn delivery_estimates_are_ranges_and_meta_bounds_are_checked_before_sending() {
    let (sandbox, running, _clock) = start(SandboxConfig::default()).await;
    let adapter = facebook(&running.base_url(), PAGE_TOKEN).with_ads_token(Secret::new("ads"));
    let targeting = Targeting {
        countries: vec!["NL".into(), "BE".into()],
        age_min: Some(18),
        age_max: Some(65),
        locales: vec![28],
    };
    let estimate = adapter
        .delivery_estimate("act_998877", &targeting)
        .await
        .unwrap();
    assert!(estimate.ready);
    assert!(
        estimate.lower > 0 && estimate.lower <= estimate.upper,
        "{estimate:?}"
    );
    assert!(estimate.daily.is_some_and(|daily| daily > 0));

    // The account id works without its prefix too, and a narrower audience is smaller.
    let narrower = Targeting {
        age_max: Some(30),
        ..targeting.clone()
    };
    let smaller = adapter
        .delivery_estimate("998877", &narrower)
        .await
        .unwrap();
    assert!(
        smaller.upper < estimate.upper,
        "{smaller:?} vs {estimate:?}"
    );

    let asked = of_platform(&sandbox, "meta_ads");
    assert_eq!(asked.len(), 2);
    assert_eq!(asked[0].account, "act_998877");
    assert_eq!(asked[0].body["optimization_goal"], "REACH");
    let spec: Value =
        serde_json::from_str(asked[0].body["targeting_spec"].as_str().unwrap()).unwrap();
    assert_eq!(
        spec,
        json!({"geo_locations": {"countries": ["NL", "BE"]}, "age_min": 18, "age_max": 65, "locales": [28]})
    );

    let young = Targeting {
        age_min: Some(16),
        ..targeting.clone()
    };
    let refused = adapter
        .delivery_estimate("act_998877", &young)
        .await
        .unwrap_err();
    assert_eq!(refused.class, ErrorClass::Permanent);
    assert!(refused.text.contains("18"), "{}", refused.text);
    assert_eq!(
        of_platform(&sandbox, "meta_ads").len(),
        2,
        "refused without a request"
    );
}

#[tokio::test]
async fn x_posts_and_refusals() {
    let (sandbox, running, _clock) = start(SandboxConfig::default()).await;
    let base = running.base_url();
    let adapter = x(&base, X_TOKEN);
    let now = start_time();

    let text = "Know your options: https://example.org/return";
    let published = adapter.publish(&publication(text), now).await;
    let PublishResult::Published {
        platform_id: Some(id),
    } = published
    else {
        panic!("not published: {published:?}");
    };
    assert_eq!(id.len(), 19);
    assert!(id.bytes().all(|b| b.is_ascii_digit()));
    let delivered = sandbox.delivered();
    assert_eq!(delivered.len(), 1);
    assert_eq!(
        (delivered[0].platform.as_str(), delivered[0].text.as_str()),
        ("x", text)
    );
    assert!(delivered[0].account.starts_with("token-"));
    assert!(
        !serde_json::to_string(&sandbox.received())
            .unwrap()
            .contains(X_TOKEN)
    );

    // 150 characters, but CJK weighs 2 each: 300 > 280.
    let heavy = "你".repeat(150);
    let refused = adapter.publish(&publication(&heavy), now).await;
    assert_eq!(permanent_code(&refused), "400");
    assert!(matches!(&refused, PublishResult::Permanent { text, .. } if text.contains("too long")));
    // 140 of them fit.
    let fits = "你".repeat(140);
    assert!(matches!(
        adapter.publish(&publication(&fits), now).await,
        PublishResult::Published { .. }
    ));

    let duplicate = adapter.publish(&publication(text), now).await;
    assert_eq!(
        duplicate,
        PublishResult::Permanent {
            code: "403".into(),
            text: "You are not allowed to create a Tweet with duplicate content.".into()
        }
    );
    // Another account may say the same.
    assert!(matches!(
        x(&base, "another-token")
            .publish(&publication(text), now)
            .await,
        PublishResult::Published { .. }
    ));

    let unauthorized = x(&base, "").publish(&publication("hi"), now).await;
    assert_eq!(permanent_code(&unauthorized), "401");

    sandbox.set_faults(FaultConfig {
        rate_5xx: 1.0,
        ..FaultConfig::default()
    });
    assert!(matches!(
        adapter.publish(&publication("busy"), now).await,
        PublishResult::Transient { .. }
    ));
    sandbox.set_faults(FaultConfig {
        rate_429: 1.0,
        ..FaultConfig::default()
    });
    assert!(matches!(
        adapter.publish(&publication("storm"), now).await,
        PublishResult::Throttled { wait, .. } if wait == Duration::from_secs(1)
    ));
    sandbox.set_faults(FaultConfig {
        rate_drop: 1.0,
        ..FaultConfig::default()
    });
    assert!(matches!(
        adapter.publish(&publication("dropped"), now).await,
        PublishResult::Unknown { .. }
    ));
    assert_eq!(sandbox.delivered().len(), 4);
}

#[tokio::test]
async fn x_limit_throttles_until_the_reset_and_time_heals_it() {
    let (sandbox, running, clock) = start(SandboxConfig::default()).await;
    let adapter = x(&running.base_url(), X_TOKEN);
    for n in 0..100 {
        let result = adapter
            .publish(&publication(&format!("post {n}")), clock.now())
            .await;
        assert!(
            matches!(result, PublishResult::Published { .. }),
            "{n}: {result:?}"
        );
    }
    clock.advance(chrono::Duration::minutes(5));
    let throttled = adapter.publish(&publication("post 100"), clock.now()).await;
    // The window began with the first post and resets 15 minutes after it.
    assert_eq!(
        throttled,
        PublishResult::Throttled {
            wait: Duration::from_secs(10 * 60),
            text: "Rate limit exceeded".into()
        }
    );

    let raw = reqwest::Client::new()
        .post(format!("{}/2/tweets", running.base_url()))
        .bearer_auth(X_TOKEN)
        .header("content-type", "application/json")
        .body(json!({"text": "raw"}).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 429);
    let header = |name: &str| raw.headers()[name].to_str().unwrap().to_string();
    assert_eq!(header("x-rate-limit-limit"), "100");
    assert_eq!(header("x-rate-limit-remaining"), "0");
    let reset = start_time() + chrono::Duration::minutes(15);
    assert_eq!(header("x-rate-limit-reset"), reset.timestamp().to_string());
    let body: Value = raw.json_text().await;
    assert_eq!(body["errors"][0]["code"], 88);

    clock.advance_to(reset);
    let healed = adapter.publish(&publication("post 100"), clock.now()).await;
    assert!(
        matches!(healed, PublishResult::Published { .. }),
        "{healed:?}"
    );
    assert_eq!(sandbox.delivered().len(), 101);
}

#[tokio::test]
async fn x_public_metrics_for_known_and_unknown_posts() {
    let (sandbox, running, clock) = start(SandboxConfig::default()).await;
    let adapter = x(&running.base_url(), X_TOKEN);
    let mut ids = Vec::new();
    for text in ["first", "second"] {
        match adapter.publish(&publication(text), clock.now()).await {
            PublishResult::Published {
                platform_id: Some(id),
            } => ids.push(id),
            other => panic!("{other:?}"),
        }
    }
    clock.advance(chrono::Duration::hours(6));
    let unknown = "1000000000000000001";
    let asked = [ids[0].as_str(), unknown, ids[1].as_str()];
    let early = adapter.public_metrics(&asked, clock.now()).await.unwrap();
    assert_eq!(
        early.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>(),
        vec![ids[0].as_str(), ids[1].as_str()]
    );
    assert!(early.iter().all(|(_, m)| m.impression_count > 0));

    clock.advance(chrono::Duration::days(3));
    let late = adapter.public_metrics(&asked, clock.now()).await.unwrap();
    for ((_, before), (_, after)) in early.iter().zip(&late) {
        assert!(after.impression_count > before.impression_count);
        assert!(after.like_count >= before.like_count);
        assert!(after.like_count < after.impression_count);
    }

    // More than 100 ids go in several lookups.
    let many: Vec<String> = (0..150)
        .map(|n| format!("{}", 1_100_000_000_000_000_000u64 + n))
        .collect();
    let mut many_refs: Vec<&str> = many.iter().map(String::as_str).collect();
    many_refs.push(&ids[0]);
    let found = adapter
        .public_metrics(&many_refs, clock.now())
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    let lookups: Vec<Received> = of_platform(&sandbox, "x")
        .into_iter()
        .filter(|r| r.recipient == "2/tweets")
        .collect();
    assert_eq!(lookups.len(), 4);
    assert_eq!(lookups[2].body["tweet.fields"], "public_metrics");

    assert!(
        adapter
            .public_metrics(&[], clock.now())
            .await
            .unwrap()
            .is_empty()
    );
    let unauthorized = x(&running.base_url(), "")
        .public_metrics(&asked, clock.now())
        .await
        .unwrap_err();
    assert_eq!(
        (unauthorized.class, unauthorized.code.as_str()),
        (ErrorClass::Permanent, "401")
    );
}

#[tokio::test]
async fn the_sandbox_takes_graph_forms_and_never_records_a_token() {
    let (sandbox, running, _clock) = start(SandboxConfig::default()).await;
    let answer = reqwest::Client::new()
        .post(format!(
            "{}/v21.0/{PAGE}/feed?access_token=leaked-token",
            running.base_url()
        ))
        .bearer_auth(PAGE_TOKEN)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("message=Hello+from+a+form&link=https%3A%2F%2Fexample.org%2Fform")
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    assert!(answer.headers().contains_key("x-app-usage"));
    let post = &sandbox.delivered()[0];
    assert_eq!(post.text, "Hello from a form");
    assert_eq!(post.body["link"], "https://example.org/form");
    assert!(post.body.get("access_token").is_none());

    let bad_version = reqwest::Client::new()
        .post(format!("{}/21.0/{PAGE}/feed", running.base_url()))
        .bearer_auth(PAGE_TOKEN)
        .header("content-type", "application/json")
        .body(r#"{"message":"x"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(bad_version.status(), 400);
    assert_eq!(bad_version.json_text().await["error"]["code"], 2500);
    let recorded = serde_json::to_string(&sandbox.received()).unwrap();
    assert!(!recorded.contains("leaked-token") && !recorded.contains(PAGE_TOKEN));
}

/// Reading a body as JSON without reqwest's `json` feature.
trait JsonText {
    async fn json_text(self) -> Value;
}

impl JsonText for reqwest::Response {
    async fn json_text(self) -> Value {
        serde_json::from_str(&self.text().await.unwrap()).unwrap()
    }
}
