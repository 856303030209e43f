//! The OpenAPI 3 document, generated from the same route table as the router and the role
//! matrix, so it lists every route with the roles allowed on it. Served at
//! `/api/openapi.json`, with a Swagger UI at `/api/docs` whose assets are built into the
//! binary (it works on a closed network).

use serde_json::{Map, Value, json};

use axum::http::Method;

use super::routes::route_table;

/// The request body schema of the routes that take one.
fn request_body(path: &str) -> Option<Value> {
    match path {
        "/api/v1/campaigns" => Some(json!({
            "required": true,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Bundle"}}}
        })),
        p if p.ends_with("/credentials/{name}") => Some(json!({
            "required": true,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Credential"}}}
        })),
        "/api/v1/me/notifications" => Some(json!({
            "required": true,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NotificationPreferences"}}}
        })),
        "/api/v1/users" => Some(json!({
            "required": true,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewUser"}}}
        })),
        p if p.ends_with("/resolve") => Some(json!({
            "required": true,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Resolution"}}}
        })),
        p if p.ends_with("/approve") || p.ends_with("/reject") => Some(json!({
            "required": false,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Decision"}}}
        })),
        _ => None,
    }
}

fn query_parameters(path: &str) -> Vec<Value> {
    if path.ends_with("/reports/compare") {
        ["campaigns", "format", "period", "by", "from", "until"]
            .iter()
            .map(|name| json!({"name": name, "in": "query", "required": *name == "campaigns", "schema": {"type": "string"}}))
            .collect()
    } else if path.ends_with("/report") {
        ["format", "period", "by", "from", "until"]
            .iter()
            .map(|name| json!({"name": name, "in": "query", "required": false, "schema": {"type": "string"}}))
            .collect()
    } else if path.ends_with("/dead-letters") || path.ends_with("/unknown-outcomes") {
        vec![
            json!({"name": "after", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 0}}),
            json!({"name": "limit", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 1, "maximum": super::paging::MAX_PAGE}}),
        ]
    } else if path.ends_with("/subscribers/stats") {
        vec![
            json!({"name": "k", "in": "query", "required": false, "schema": {"type": "integer", "minimum": crate::report::MIN_SUBSCRIBER_K, "maximum": crate::report::MAX_SUBSCRIBER_K}}),
        ]
    } else if path.ends_with("/preview") {
        ["segment", "locale", "channel", "variant", "send"]
            .iter()
            .map(|name| json!({"name": name, "in": "query", "required": false, "schema": {"type": "string"}}))
            .collect()
    } else {
        Vec::new()
    }
}

fn path_parameters(path: &str) -> Vec<Value> {
    path.split('/')
        .filter_map(|segment| segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
        .collect()
}

fn error_response(description: &str) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}})
}

/// The whole document.
pub fn document() -> Value {
    let mut paths: Map<String, Value> = Map::new();
    for spec in route_table() {
        let roles: Vec<&str> = spec.roles.iter().map(|r| r.name()).collect();
        let mut parameters = path_parameters(spec.path);
        parameters.extend(query_parameters(spec.path));
        let success = if spec.method == Method::POST
            && (spec.path == "/api/v1/campaigns" || spec.path == "/api/v1/users")
        {
            "201"
        } else {
            "200"
        };
        let mut operation = json!({
            "operationId": format!("{}{}", spec.method.as_str().to_lowercase(), spec.path.replace(['/', '{', '}'], "_")),
            "summary": spec.summary,
            "description": format!("Allowed roles: {}.", roles.join(", ")),
            "x-herald-roles": roles,
            "security": [{"bearer": []}],
            "parameters": parameters,
            "responses": {
                success: {"description": "Done", "content": {"application/json": {"schema": {"type": "object"}}}},
                "400": error_response("Malformed request"),
                "401": error_response("No valid token"),
                "403": error_response("The token's user lacks the role, or four eyes forbid it"),
                "404": error_response("No such thing"),
                "409": error_response("Not allowed in the current state"),
                "413": error_response("Body too large"),
                "422": error_response("Invalid content"),
                "429": error_response("Too many failed authentications"),
            }
        });
        // A DELETE on a path that takes a body elsewhere (a credential) takes none.
        if let Some(body) = request_body(spec.path)
            .filter(|_| spec.method != Method::DELETE && spec.method != Method::GET)
        {
            operation["requestBody"] = body;
        }
        let entry = paths
            .entry(spec.path.to_string())
            .or_insert_with(|| json!({}));
        entry[spec.method.as_str().to_lowercase()] = operation;
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "herald API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Targeted, multilingual public-information campaigns: upload, approve (four eyes), schedule, dispatch and audit."
        },
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "description": "An API token `id.secret` from `herald user add`."}},
            "schemas": schemas()
        }
    })
}

/// The request and error bodies the routes refer to.
fn schemas() -> Value {
    json!({
        "Error": {
            "type": "object",
            "required": ["error"],
            "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "details": {"type": "object"}
            }}}
        },
        "Bundle": {
            "type": "object",
            "required": ["campaign"],
            "additionalProperties": false,
            "properties": {
                "campaign": {"type": "string", "description": "The campaign file (TOML)."},
                "translations": {"type": "object", "additionalProperties": {"type": "string"}, "description": "Fluent files by locale."},
                "layouts": {"type": "object", "additionalProperties": {"type": "string"}, "description": "Handlebars layouts by platform."}
            }
        },
        "Credential": {
            "type": "object",
            "required": ["value"],
            "additionalProperties": false,
            "properties": {"value": {"type": "string", "writeOnly": true}}
        },
        "NewUser": {
            "type": "object",
            "required": ["name", "roles"],
            "additionalProperties": false,
            "properties": {
                "name": {"type": "string", "minLength": 1, "maxLength": 100},
                "roles": {"type": "array", "maxItems": 16, "items": {"type": "string", "enum": ["author", "approver", "scheduler", "evaluator", "admin"]}}
            }
        },
        "Resolution": {
            "type": "object",
            "required": ["outcome"],
            "additionalProperties": false,
            "properties": {
                "outcome": {"type": "string", "enum": ["delivered", "not_delivered"]},
                "resend": {"type": "boolean", "description": "Send it again (only when not delivered)."},
                "confirm_resend": {"type": "boolean", "description": "Required with resend: the person may have the message already."}
            }
        },
        "NotificationPreferences": {
            "type": "object",
            "required": ["channel"],
            "additionalProperties": false,
            "properties": {
                "channel": {"type": "string", "enum": ["email", "webhook", "none"]},
                "kinds": {"type": "array", "maxItems": 6, "items": {"type": "string", "enum": ["version_submitted", "dead_letters", "unknown_outcomes", "template_blocked", "partner_outage", "kill_switch"]}},
                "email": {"type": ["string", "null"], "maxLength": 254}
            }
        },
        "Decision": {
            "type": "object",
            "additionalProperties": false,
            "properties": {"note": {"type": "string"}}
        }
    })
}
