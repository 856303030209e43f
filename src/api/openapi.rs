//! The OpenAPI 3.1 document, derived from the code: each handler carries a
//! `#[utoipa::path]` attribute (method, path, parameters, bodies, answers) and each body type
//! a `ToSchema` or `IntoParams` derive, and [`HeraldApi`] lists the handlers once. The route
//! table stays the one source of routes: the roles, summaries and the answers every route can
//! give (no token, a missing role, a full server) are added from it, and a test refuses a
//! document whose operations differ from the table's routes. Served at
//! `/api/v1/openapi.json` (and `/api/openapi.json`), with a Swagger UI at `/api/docs` whose
//! assets are built into the binary (it works on a closed network).
//!
//! A new route: a `#[utoipa::path]` on its handler, `ToSchema` on its body types, and the
//! handler's name in the `paths(...)` list below.

use serde_json::{Map, Value, json};
use utoipa::OpenApi;

use super::error::ErrorBody;
use super::handlers::{
    accounts, content, dead_letters, lifecycle, notifications, operations, sessions,
    subscriber_stats, translations, unknown_outcomes, users,
};
use super::routes::route_table;

/// The handlers the document describes, by area as in the route table.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "herald API",
        description = "Targeted, multilingual public-information campaigns: upload, approve (four eyes), schedule, dispatch and audit."
    ),
    paths(
        content::me,
        notifications::my_preferences,
        notifications::set_my_preferences,
        content::upload,
        content::versions,
        operations::kill,
        content::version,
        content::completeness,
        content::preview,
        translations::export_translation,
        translations::import_translation,
        lifecycle::submit,
        lifecycle::approve,
        lifecycle::reject,
        lifecycle::schedule,
        lifecycle::pause,
        lifecycle::resume,
        lifecycle::cancel,
        operations::dispatch_status,
        dead_letters::dead_letters,
        dead_letters::retry_dead_letter,
        unknown_outcomes::unknown_outcomes,
        unknown_outcomes::resolve_unknown_outcome,
        subscriber_stats::subscriber_stats,
        operations::report,
        operations::compare_reports,
        accounts::accounts,
        accounts::set_credential,
        accounts::delete_credential,
        sessions::sessions,
        sessions::end_session,
        notifications::all_preferences,
        operations::audit,
        users::users,
        users::add,
        users::revoke,
    ),
    components(schemas(ErrorBody))
)]
struct HeraldApi;

/// What every route can answer, whatever its handler does: the authentication and role
/// guard, the login limiter, the body limit and the request deadline answer before it.
const GUARD_ANSWERS: [(&str, &str); 5] = [
    ("401", "No valid token"),
    (
        "403",
        "The token's user lacks the role, or four eyes forbid it",
    ),
    ("413", "Body too large"),
    ("429", "Too many failed authentications"),
    (
        "503",
        "The server is busy, out of storage or too slow; try again later",
    ),
];

/// The whole document, as JSON.
pub fn document() -> Value {
    let mut document = serde_json::to_value(HeraldApi::openapi())
        .expect("a derived OpenAPI document serialises to JSON");
    let error = json!({"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}});
    for spec in route_table() {
        let method = spec.method.as_str().to_lowercase();
        let Some(operation) = document["paths"][spec.path].get_mut(&method) else {
            // Left out, the route is missing from the document: the test names it.
            continue;
        };
        let roles: Vec<&str> = spec.roles.iter().map(|r| r.name()).collect();
        operation["summary"] = json!(spec.summary);
        operation["description"] = json!(format!("Allowed roles: {}.", roles.join(", ")));
        operation["x-herald-roles"] = json!(roles);
        operation["security"] = json!([{"bearer": []}]);
        let responses = operation["responses"]
            .as_object_mut()
            .expect("every operation lists its responses");
        for (status, description) in GUARD_ANSWERS {
            responses
                .entry(status)
                .or_insert_with(|| json!({"description": description, "content": error}));
        }
    }
    document["info"]["version"] = json!(env!("CARGO_PKG_VERSION"));
    let components = document["components"]
        .as_object_mut()
        .expect("the document has components");
    components.insert(
        "securitySchemes".into(),
        json!({"bearer": {"type": "http", "scheme": "bearer", "description": "An API token `id.secret` from `herald user add`."}}),
    );
    document
}

/// The document's operations as `(METHOD, path)`, in its order: what the route table must
/// match exactly.
pub fn operations(document: &Value) -> Vec<(String, String)> {
    let empty = Map::new();
    let paths = document["paths"].as_object().unwrap_or(&empty);
    paths
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap_or(&empty)
                .keys()
                .map(move |method| (method.to_uppercase(), path.clone()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_has_exactly_the_route_tables_routes() {
        let document = document();
        let mut documented = operations(&document);
        let mut routes: Vec<(String, String)> = route_table()
            .iter()
            .map(|spec| (spec.method.as_str().to_string(), spec.path.to_string()))
            .collect();
        documented.sort();
        routes.sort();
        assert_eq!(
            documented, routes,
            "the `paths(...)` list of HeraldApi and the route table differ"
        );
    }

    #[test]
    fn every_operation_carries_its_roles_and_the_guards_answers() {
        let document = document();
        for spec in route_table() {
            let operation = &document["paths"][spec.path][spec.method.as_str().to_lowercase()];
            let roles: Vec<&str> = spec.roles.iter().map(|r| r.name()).collect();
            assert_eq!(operation["x-herald-roles"], json!(roles), "{}", spec.path);
            for (status, _) in GUARD_ANSWERS {
                assert!(
                    operation["responses"][status].is_object(),
                    "{} {} lacks {status}",
                    spec.method,
                    spec.path
                );
            }
        }
    }

    #[test]
    fn the_report_documents_its_numeric_and_by_parameters() {
        let document = document();
        let parameters =
            document["paths"]["/api/v1/campaigns/{campaign}/report"]["get"]["parameters"]
                .as_array()
                .cloned()
                .unwrap_or_default();
        let of = |name: &str| {
            parameters
                .iter()
                .find(|p| p["name"] == name)
                .cloned()
                .unwrap_or(Value::Null)
        };
        assert_eq!(of("by")["in"], "query");
        for numeric in ["k", "round"] {
            let kind = &of(numeric)["schema"]["type"];
            assert!(
                kind.as_array()
                    .is_some_and(|t| t.contains(&json!("integer")))
                    || kind == "integer",
                "{numeric}: {kind}"
            );
        }
    }
}
