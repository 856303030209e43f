//! The OpenAPI document against the real server: every route of the route table is called
//! (answers that succeed and answers that refuse), and each real answer's status must be one
//! the document lists for that operation, and its JSON body must match the schema the
//! document gives for that status. A handler that changes its answer without its types, or a
//! route left out of the document, fails here.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use common::app::{AppOptions, TestApp, spawn_app};
use common::json_schema::violations;
use herald::api::{OPENAPI_PATH, route_table};
use herald::app::ServiceKeys;
use herald::auth::{Role, issue_token};
use herald::clock::SimulatedClock;
use herald::store::Store;
use serde_json::{Value, json};

/// The app, a token per person, the document it serves, and the operations called so far.
struct Checked {
    app: TestApp,
    tokens: BTreeMap<&'static str, String>,
    document: Value,
    client: reqwest::Client,
    called: BTreeSet<(String, String)>,
    /// A body that is not JSON (a translator's file), sent by the next call.
    next_text: Option<String>,
}

impl Checked {
    async fn start() -> Checked {
        let clock = SimulatedClock::starting_at(Utc.with_ymd_and_hms(2027, 1, 2, 9, 0, 0).unwrap());
        let mut options = AppOptions::new(common::CONFIG, Arc::new(clock));
        options.keys = ServiceKeys::from_hex(&"42".repeat(32)).unwrap();
        let app = spawn_app(options).await;
        let mut tokens = BTreeMap::new();
        for (name, roles) in [
            ("ana", &[Role::Author][..]),
            ("ben", &[Role::Approver]),
            ("sam", &[Role::Scheduler]),
            ("eve", &[Role::Evaluator]),
            ("root", &[Role::Admin]),
            ("tia", &[Role::Translator]),
        ] {
            let user = app.fresh.store.create_user(name, roles, 0).await.unwrap();
            let token = issue_token();
            app.fresh
                .store
                .add_token(&token.id, &user.id, &token.secret_hash, 0)
                .await
                .unwrap();
            tokens.insert(name, token.token);
        }
        let client = reqwest::Client::new();
        let document = fetched_json(&client, &app.url(OPENAPI_PATH)).await;
        Checked {
            app,
            tokens,
            document,
            client,
            called: BTreeSet::new(),
            next_text: None,
        }
    }

    /// Calls `method template` (its `{names}` filled from `values`) as `who` with `body`,
    /// and checks the answer against the document; returns the status and the JSON body.
    async fn call(
        &mut self,
        (method, template): (&str, &str),
        values: &[(&str, &str)],
        who: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut path = template.to_string();
        for (name, value) in values {
            path = path.replace(&format!("{{{name}}}"), value);
        }
        let url = self.app.url(&path);
        let mut request = self.client.request(method.parse().unwrap(), url.clone());
        if let Some(who) = who {
            request = request.bearer_auth(&self.tokens[who]);
        }
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body.to_string());
        }
        if let Some(text) = self.next_text.take() {
            request = request.header("content-type", "text/plain").body(text);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        let text = response.text().await.unwrap();
        let operation_path = template.split('?').next().unwrap();
        self.called
            .insert((method.to_string(), operation_path.to_string()));
        let answer = &self.document["paths"][operation_path][method.to_lowercase()]["responses"]
            [status.to_string()];
        assert!(
            answer.is_object(),
            "{method} {path} answered {status}, which the document does not list: {text}"
        );
        let media = content_type.split(';').next().unwrap_or("").trim();
        if text.is_empty() {
            assert!(
                answer["content"].is_null(),
                "{method} {path} {status}: an empty body where the document promises one"
            );
            return (status, Value::Null);
        }
        let documented = &answer["content"][media];
        assert!(
            documented.is_object(),
            "{method} {path} {status}: content type `{media}` is not in the document ({})",
            answer["content"]
        );
        if media != "application/json" {
            return (status, Value::String(text));
        }
        let value: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{method} {path} {status}: not JSON ({e}): {text}"));
        let broken = violations(&self.document, &documented["schema"], &value);
        assert!(
            broken.is_empty(),
            "{method} {path} {status} does not match the document:\n{}\n{value}",
            broken.join("\n")
        );
        (status, value)
    }
}

/// A GET without a token, answered 200 with JSON.
async fn fetched_json(client: &reqwest::Client, url: &str) -> Value {
    let response = client.get(url).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200, "{url}");
    serde_json::from_str(&response.text().await.unwrap()).unwrap()
}

fn bundle() -> Value {
    json!({"campaign": common::CAMPAIGN, "translations": {"en": common::EN, "ar": common::AR, "fr": common::FR}})
}

const VERSION: &str = "/api/v1/versions/{hash}";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_routes_real_answers_match_the_openapi_document() {
    let mut api = Checked::start().await;
    let legacy = fetched_json(&api.client, &api.app.url("/api/openapi.json")).await;
    assert_eq!(
        legacy, api.document,
        "both addresses serve the one document"
    );

    // Who is calling, and the guard's refusals.
    let me = ("GET", "/api/v1/me");
    assert_eq!(
        api.call(me, &[], Some("ana"), None).await.1["roles"],
        json!(["author"])
    );
    assert_eq!(api.call(me, &[], None, None).await.0, 401);

    // Uploads: a good bundle, an invalid campaign (with diagnostics), malformed JSON and a
    // field the body does not have.
    let upload = ("POST", "/api/v1/campaigns");
    let (status, uploaded) = api.call(upload, &[], Some("ana"), Some(bundle())).await;
    assert_eq!(status, 201, "{uploaded}");
    let hash = uploaded["version"].as_str().unwrap().to_string();
    let broken = json!({"campaign": "id = \"demo\"\nnot toml ="});
    assert_eq!(
        api.call(upload, &[], Some("ana"), Some(broken)).await.0,
        422
    );
    let extra = json!({"campaign": "id = \"x\"", "extra": 1});
    assert_eq!(api.call(upload, &[], Some("ana"), Some(extra)).await.0, 422);
    assert_eq!(
        api.call(upload, &[], Some("sam"), Some(bundle())).await.0,
        403
    );

    let demo = [("campaign", "demo")];
    let at = [("hash", hash.as_str())];
    let nowhere = [("hash", "0")];
    let versions = ("GET", "/api/v1/campaigns/{campaign}/versions");
    assert_eq!(api.call(versions, &demo, Some("ana"), None).await.0, 200);
    let version = ("GET", VERSION);
    assert_eq!(api.call(version, &at, Some("ana"), None).await.0, 200);
    assert_eq!(api.call(version, &nowhere, Some("ana"), None).await.0, 404);
    let completeness = ("GET", "/api/v1/versions/{hash}/completeness");
    assert_eq!(api.call(completeness, &at, Some("ben"), None).await.0, 200);
    let (status, preview) = api
        .call(
            ("GET", "/api/v1/versions/{hash}/preview"),
            &at,
            Some("ben"),
            None,
        )
        .await;
    assert!(status == 200 && !preview["items"].as_array().unwrap().is_empty());
    let odd_query = ("GET", "/api/v1/versions/{hash}/preview?colour=red");
    let (status, refused) = api.call(odd_query, &at, Some("ben"), None).await;
    assert_eq!(
        (status, refused["error"]["code"].as_str()),
        (400, Some("invalid_query"))
    );

    // A translator's export and import: XLIFF and Fluent, a refused file, the default locale.
    let french = [("hash", hash.as_str()), ("locale", "fr")];
    let english = [("hash", hash.as_str()), ("locale", "en")];
    let xliff = (
        "GET",
        "/api/v1/versions/{hash}/translations/{locale}?format=xliff",
    );
    let (status, exported) = api.call(xliff, &french, Some("tia"), None).await;
    assert_eq!(status, 200, "{exported}");
    let fluent = (
        "GET",
        "/api/v1/versions/{hash}/translations/{locale}?format=fluent",
    );
    assert_eq!(api.call(fluent, &french, Some("tia"), None).await.0, 200);
    assert_eq!(api.call(xliff, &english, Some("tia"), None).await.0, 422);
    let odd = (
        "GET",
        "/api/v1/versions/{hash}/translations/{locale}?format=docx",
    );
    assert_eq!(api.call(odd, &french, Some("tia"), None).await.0, 422);
    let import = (
        "POST",
        "/api/v1/versions/{hash}/translations/{locale}?format=xliff",
    );
    let changed = exported
        .as_str()
        .unwrap()
        .replace("Vous avez des options.", "Vous avez le choix.");
    api.next_text = Some(changed);
    let (status, imported) = api.call(import, &french, Some("tia"), None).await;
    assert_eq!(status, 201, "{imported}");
    api.next_text = Some(exported.as_str().unwrap().to_string());
    assert_eq!(api.call(import, &french, Some("tia"), None).await.0, 200);
    api.next_text = Some("<!DOCTYPE x []><x/>".into());
    assert_eq!(api.call(import, &french, Some("tia"), None).await.0, 422);
    api.next_text = Some(common::EN.into());
    let default = (
        "POST",
        "/api/v1/versions/{hash}/translations/{locale}?format=fluent",
    );
    assert_eq!(api.call(default, &english, Some("tia"), None).await.0, 403);
    assert_eq!(api.call(import, &french, Some("eve"), None).await.0, 403);

    // The version's life, with the four-eyes refusal and a state conflict on the way.
    let step = |name: &str| format!("{VERSION}/{name}");
    assert_eq!(
        api.call(("POST", &step("approve")), &at, Some("ben"), None)
            .await
            .0,
        409
    );
    assert_eq!(
        api.call(("POST", &step("submit")), &at, Some("ana"), None)
            .await
            .0,
        200
    );
    let note = json!({"note": "checked"});
    assert_eq!(
        api.call(("POST", &step("approve")), &at, Some("ben"), Some(note))
            .await
            .0,
        200
    );
    assert_eq!(
        api.call(("POST", &step("reject")), &at, Some("ben"), None)
            .await
            .0,
        409
    );
    let odd_note = json!({"note": 5});
    assert_eq!(
        api.call(("POST", &step("reject")), &at, Some("ben"), Some(odd_note))
            .await
            .0,
        422
    );
    for (name, state) in [("schedule", "scheduled"), ("pause", "paused")] {
        let (status, moved) = api
            .call(("POST", &step(name)), &at, Some("sam"), None)
            .await;
        assert_eq!(
            (status, moved["state"].as_str()),
            (200, Some(state)),
            "{moved}"
        );
    }
    assert_eq!(
        api.call(("POST", &step("resume")), &at, Some("sam"), None)
            .await
            .0,
        200
    );
    let dispatch = ("GET", "/api/v1/versions/{hash}/dispatch");
    assert_eq!(api.call(dispatch, &at, Some("sam"), None).await.0, 200);
    let kill = ("POST", "/api/v1/campaigns/{campaign}/kill");
    assert_eq!(
        api.call(kill, &demo, Some("sam"), None).await.1["killed"],
        true
    );
    assert_eq!(
        api.call(kill, &[("campaign", "nope")], Some("sam"), None)
            .await
            .0,
        404
    );
    let (status, _) = api
        .call(("POST", &step("cancel")), &at, Some("sam"), None)
        .await;
    assert!(status == 200 || status == 409, "{status}");

    reports(&mut api).await;
    administration(&mut api).await;
    follow_ups(&mut api).await;
    notifications(&mut api).await;
    users(&mut api).await;

    let every: BTreeSet<(String, String)> = route_table()
        .iter()
        .map(|spec| (spec.method.as_str().to_string(), spec.path.to_string()))
        .collect();
    let missed: Vec<_> = every.difference(&api.called).collect();
    assert!(
        missed.is_empty(),
        "routes this test never called: {missed:?}"
    );
}

/// Reports in each format, and the parameters the policy refuses.
async fn reports(api: &mut Checked) {
    let demo = [("campaign", "demo")];
    let report = "/api/v1/campaigns/{campaign}/report";
    // The whole run is not settled yet: a 409 that says so.
    let (status, unsettled) = api.call(("GET", report), &demo, Some("eve"), None).await;
    assert_eq!(status, 409, "{unsettled}");
    for format in ["json", "csv", "html"] {
        let weekly = format!("{report}?period=week&format={format}");
        let (status, body) = api.call(("GET", &weekly), &demo, Some("eve"), None).await;
        assert_eq!(status, 200, "{format}: {body}");
    }
    for refused in [
        "k=5",
        "round=10",
        "k=many",
        "period=week&format=pdf",
        "by=colour",
    ] {
        let query = format!("{report}?{refused}");
        let (status, body) = api.call(("GET", &query), &demo, Some("eve"), None).await;
        assert_eq!(status, 400, "{refused}: {body}");
    }
    let nope = [("campaign", "nope")];
    assert_eq!(
        api.call(("GET", report), &nope, Some("eve"), None).await.0,
        404
    );
    let compare = "/api/v1/reports/compare";
    let both = ("GET", "/api/v1/reports/compare?campaigns=demo,demo2");
    let (status, body) = api.call(both, &[], Some("eve"), None).await;
    assert!(status < 500, "{body}");
    assert_eq!(
        api.call(("GET", compare), &[], Some("eve"), None).await.0,
        400
    );
}

/// Accounts, credentials, web sessions and the audit log, as an admin.
async fn administration(api: &mut Checked) {
    let (status, accounts) = api
        .call(("GET", "/api/v1/accounts"), &[], Some("root"), None)
        .await;
    assert_eq!(status, 200);
    assert!(accounts["accounts"].as_array().unwrap().len() >= 2);
    let credential = "/api/v1/accounts/{channel}/credentials/{name}";
    let token = [("channel", "telegram:info"), ("name", "token")];
    let value = json!({"value": "123:abc"});
    let (status, _) = api
        .call(("PUT", credential), &token, Some("root"), Some(value))
        .await;
    assert!(status == 204 || status == 409, "{status}");
    let empty = json!({"value": ""});
    assert_eq!(
        api.call(("PUT", credential), &token, Some("root"), Some(empty))
            .await
            .0,
        422
    );
    let (status, _) = api
        .call(("DELETE", credential), &token, Some("root"), None)
        .await;
    assert!(status == 204 || status == 404, "{status}");
    let unknown = [("channel", "telegram:info"), ("name", "password")];
    assert_eq!(
        api.call(("DELETE", credential), &unknown, Some("root"), None)
            .await
            .0,
        404
    );

    // A web session to list and end.
    let signed_in = api
        .client
        .post(api.app.url("/ui/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("token={}", api.tokens["root"]))
        .send()
        .await
        .unwrap();
    assert!(signed_in.status().as_u16() < 400);
    let (_, sessions) = api
        .call(("GET", "/api/v1/sessions"), &[], Some("root"), None)
        .await;
    let id = sessions["sessions"][0]["id"].as_str().unwrap().to_string();
    let end = ("DELETE", "/api/v1/sessions/{session}");
    assert_eq!(
        api.call(end, &[("session", &id)], Some("root"), None)
            .await
            .0,
        200
    );
    assert_eq!(
        api.call(end, &[("session", &id)], Some("root"), None)
            .await
            .0,
        404
    );

    let (status, audit) = api
        .call(("GET", "/api/v1/audit"), &[], Some("root"), None)
        .await;
    assert_eq!((status, audit["verified"].as_bool()), (200, Some(true)));
}

/// Dead letters, unknown outcomes and subscriber statistics: pages, refusals, nothing to do.
async fn follow_ups(api: &mut Checked) {
    for list in ["/api/v1/dead-letters", "/api/v1/unknown-outcomes"] {
        let (status, page) = api.call(("GET", list), &[], Some("sam"), None).await;
        assert_eq!((status, page["limit"].as_u64()), (200, Some(50)), "{page}");
        let limited = format!("{list}?limit=2&after=0");
        let (status, page) = api.call(("GET", &limited), &[], Some("sam"), None).await;
        assert_eq!((status, page["limit"].as_u64()), (200, Some(2)), "{page}");
        for refused in ["limit=0", "limit=201", "after=-1", "offset=3"] {
            let query = format!("{list}?{refused}");
            let (status, body) = api.call(("GET", &query), &[], Some("sam"), None).await;
            assert_eq!(status, 422, "{query}: {body}");
        }
    }
    let retry = ("POST", "/api/v1/dead-letters/{id}/retry");
    assert_eq!(
        api.call(retry, &[("id", "999")], Some("sam"), None).await.0,
        409
    );
    assert_eq!(
        api.call(retry, &[("id", "x")], Some("sam"), None).await.0,
        404
    );
    let resolve = ("POST", "/api/v1/unknown-outcomes/{id}/resolve");
    let delivered = json!({"outcome": "delivered"});
    let (status, body) = api
        .call(resolve, &[("id", "999")], Some("sam"), Some(delivered))
        .await;
    assert_eq!(status, 404, "{body}");
    let unconfirmed = json!({"outcome": "not_delivered", "resend": true});
    let (status, body) = api
        .call(resolve, &[("id", "999")], Some("sam"), Some(unconfirmed))
        .await;
    assert_eq!(
        (status, &body["error"]["details"]["field"]),
        (422, &json!("confirm_resend"))
    );
    let unknown_field = json!({"outcome": "delivered", "why": "x"});
    assert_eq!(
        api.call(resolve, &[("id", "1")], Some("sam"), Some(unknown_field))
            .await
            .0,
        422
    );
    let stats = "/api/v1/subscribers/stats";
    let (status, body) = api.call(("GET", stats), &[], Some("eve"), None).await;
    assert_eq!((status, body["k"].as_u64()), (200, Some(10)), "{body}");
    for refused in ["k=1", "k=x", "n=10"] {
        let query = format!("{stats}?{refused}");
        assert_eq!(
            api.call(("GET", &query), &[], Some("eve"), None).await.0,
            422
        );
    }
}

/// Each user's own notification preferences, and every user's for an admin.
async fn notifications(api: &mut Checked) {
    let mine = "/api/v1/me/notifications";
    let (status, body) = api.call(("GET", mine), &[], Some("sam"), None).await;
    assert_eq!(
        (status, body["channel"].as_str()),
        (200, Some("none")),
        "{body}"
    );
    let chosen = json!({"channel": "email", "kinds": ["dead_letters"], "email": "sam@example.org"});
    let (status, body) = api
        .call(("PUT", mine), &[], Some("sam"), Some(chosen))
        .await;
    assert_eq!(
        (status, body["kinds"].clone()),
        (200, json!(["dead_letters"])),
        "{body}"
    );
    // An approver does not hear of dead letters; an e-mail channel needs an address.
    let foreign = json!({"channel": "webhook", "kinds": ["dead_letters"]});
    assert_eq!(
        api.call(("PUT", mine), &[], Some("ben"), Some(foreign))
            .await
            .0,
        422
    );
    let no_address = json!({"channel": "email"});
    assert_eq!(
        api.call(("PUT", mine), &[], Some("ben"), Some(no_address))
            .await
            .0,
        422
    );
    let all = "/api/v1/notifications/preferences";
    let (status, body) = api.call(("GET", all), &[], Some("root"), None).await;
    assert_eq!(status, 200);
    assert!(
        body["users"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["user"] == "sam"),
        "{body}"
    );
}

/// Users added (the token shown once), listed and revoked by an admin.
async fn users(api: &mut Checked) {
    let list = ("GET", "/api/v1/users");
    let add = ("POST", "/api/v1/users");
    let new = json!({"name": "zoe", "roles": ["evaluator"]});
    let (status, added) = api.call(add, &[], Some("root"), Some(new.clone())).await;
    assert_eq!(
        (status, added["name"].as_str()),
        (201, Some("zoe")),
        "{added}"
    );
    assert!(
        added["token"]
            .as_str()
            .unwrap()
            .starts_with(added["token_id"].as_str().unwrap())
    );
    assert_eq!(api.call(add, &[], Some("root"), Some(new)).await.0, 409);
    let nameless = json!({"name": " zoe", "roles": ["evaluator"]});
    assert_eq!(
        api.call(add, &[], Some("root"), Some(nameless)).await.0,
        422
    );
    let roleless = json!({"name": "yan", "roles": ["owner"]});
    assert_eq!(
        api.call(add, &[], Some("root"), Some(roleless)).await.0,
        422
    );
    let (status, listed) = api.call(list, &[], Some("root"), None).await;
    assert_eq!(status, 200);
    assert!(
        !listed
            .to_string()
            .contains(added["token"].as_str().unwrap())
    );
    let revoke = ("POST", "/api/v1/users/{name}/revoke");
    let (status, body) = api
        .call(revoke, &[("name", "zoe")], Some("root"), None)
        .await;
    assert_eq!(
        (status, body["revoked_tokens"].as_array().map(Vec::len)),
        (200, Some(1))
    );
    assert_eq!(
        api.call(revoke, &[("name", "zoe")], Some("root"), None)
            .await
            .0,
        409
    );
    assert_eq!(
        api.call(revoke, &[("name", "root")], Some("root"), None)
            .await
            .0,
        409
    );
    assert_eq!(
        api.call(revoke, &[("name", "nobody")], Some("root"), None)
            .await
            .0,
        404
    );
}

#[test]
fn the_checker_refuses_what_the_schema_does_not_allow() {
    let document = json!({"components": {"schemas": {
        "State": {"type": "string", "enum": ["draft", "approved"]},
        "Moved": {"type": "object", "required": ["version", "state"], "properties": {
            "version": {"type": "string"},
            "state": {"$ref": "#/components/schemas/State"},
            "jobs": {"type": "integer", "minimum": 0},
            "note": {"type": ["string", "null"]},
            "tags": {"type": "array", "items": {"type": "string"}},
            "why": {"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/State"}]}
        }, "additionalProperties": false}
    }}});
    let schema = json!({"$ref": "#/components/schemas/Moved"});
    let good = json!({"version": "ab", "state": "draft", "jobs": 3, "note": null, "tags": ["x"], "why": "approved"});
    assert_eq!(violations(&document, &schema, &good), Vec::<String>::new());
    for (bad, problem) in [
        (json!({"version": "ab"}), "required property `state`"),
        (
            json!({"version": 1, "state": "draft"}),
            "$.version: 1 is not of type string",
        ),
        (json!({"version": "ab", "state": "gone"}), "is not one of"),
        (
            json!({"version": "ab", "state": "draft", "jobs": -1}),
            "below the minimum",
        ),
        (
            json!({"version": "ab", "state": "draft", "jobs": 1.5}),
            "not of type integer",
        ),
        (
            json!({"version": "ab", "state": "draft", "tags": [1]}),
            "$.tags[0]",
        ),
        (
            json!({"version": "ab", "state": "draft", "extra": 1}),
            "$.extra: property not in the schema",
        ),
        (
            json!({"version": "ab", "state": "draft", "why": "gone"}),
            "oneOf",
        ),
        (json!([]), "is not of type object"),
    ] {
        let found = violations(&document, &schema, &bad).join("\n");
        assert!(
            found.contains(problem),
            "{bad}: wanted `{problem}` in {found:?}"
        );
    }
    let dangling = json!({"$ref": "#/components/schemas/Nothing"});
    assert!(violations(&document, &dangling, &json!(1))[0].contains("dangling"));
}
