//! What the sandbox answers at a path it does not serve: each partner's own error shape,
//! chosen by the path, so that a client library pointed at the sandbox reports a wrong or
//! unemulated call as its partner would, instead of choking on another partner's JSON.
//!
//! * `/v{N}[.{M}]/...` (the Graph API: WhatsApp, Pages, the Marketing API): a Graph error,
//!   HTTP 400, `{"error": {"message", "type": "OAuthException", "code", "error_subcode"?,
//!   "fbtrace_id"}}`. An object alone (`/v21.0/{id}`) is Graph's "Unsupported get/post
//!   request" (code 100, subcode 33); an object and an edge is "Unknown path components"
//!   (code 2500).
//! * `/2/...` (X API v2): a problem document (RFC 7807, as X sends), HTTP 404,
//!   `{"title", "detail", "type", "status"}`.
//! * `/pa/...` (Viber's REST API): Viber answers every call with HTTP 200 and a status in the
//!   body; it documents no code for an unknown method, so the sandbox gives the closest
//!   documented failure, 3 `badData` (the request does not name a method Viber has).
//! * anything else: Telegram's `{"ok": false, "error_code": 404, "description": "Not Found"}`.

use axum::extract::State;
use axum::http::{Extensions, Method, StatusCode, Uri};
use axum::response::Response;
use serde_json::json;

use super::facebook::{graph_error, is_graph_version};
use super::reply::Reply;
use super::{Sandbox, telegram};

/// The fallback of the sandbox's router.
pub(crate) async fn not_found(
    State(sandbox): State<Sandbox>,
    method: Method,
    uri: Uri,
) -> Response {
    let segments: Vec<&str> = uri.path().split('/').filter(|s| !s.is_empty()).collect();
    let reply = match segments.as_slice() {
        [version, rest @ ..] if is_graph_path_version(version) => {
            graph_not_found(&sandbox, &method, rest)
        }
        ["2", ..] => x_not_found(),
        ["pa", ..] => viber_not_found(),
        _ => return telegram::not_found().await,
    };
    reply.into_response(&Extensions::new())
}

/// `v21.0` or `v21`: Graph takes a version with or without its minor number.
fn is_graph_path_version(segment: &str) -> bool {
    is_graph_version(segment) || is_graph_version(&format!("{segment}.0"))
}

/// Graph's answer to a path under a version that the sandbox does not serve.
fn graph_not_found(sandbox: &Sandbox, method: &Method, rest: &[&str]) -> Reply {
    let mut state = sandbox.state();
    match rest {
        [] => graph_error(
            &mut state,
            StatusCode::BAD_REQUEST,
            2500,
            None,
            "An active access token must be used to query information about the current user.",
        ),
        [object] => graph_error(
            &mut state,
            StatusCode::BAD_REQUEST,
            100,
            Some(33),
            &format!(
                "Unsupported {} request. Object with ID '{object}' does not exist, cannot be \
                 loaded due to missing permissions, or does not support this operation.",
                method.as_str().to_ascii_lowercase()
            ),
        ),
        [_, edge, ..] => graph_error(
            &mut state,
            StatusCode::BAD_REQUEST,
            2500,
            None,
            &format!("Unknown path components: /{edge}"),
        ),
    }
}

fn x_not_found() -> Reply {
    Reply::json(
        StatusCode::NOT_FOUND,
        json!({
            "title": "Not Found Error",
            "detail": "Sorry, that page does not exist.",
            "type": "https://api.twitter.com/2/problems/resource-not-found",
            "status": 404,
        }),
    )
}

fn viber_not_found() -> Reply {
    Reply::json(
        StatusCode::OK,
        json!({"status": 3, "status_message": "badData"}),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graph_versions_with_and_without_minor() {
        assert!(is_graph_path_version("v21.0"));
        assert!(is_graph_path_version("v3"));
        assert!(!is_graph_path_version("v"));
        assert!(!is_graph_path_version("2"));
        assert!(!is_graph_path_version("bot123:abc"));
    }
}
