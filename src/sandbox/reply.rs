//! A decided answer, built while the sandbox state is locked and turned into an HTTP response
//! (or a dropped connection) afterwards.

use axum::Json;
use axum::http::{Extensions, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::connection;

/// What to answer a request.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) body: Value,
    /// Seconds for a `Retry-After` header (the generic webhook; Telegram sends none).
    pub(crate) retry_after: Option<u64>,
    /// Drop the connection instead of answering.
    pub(crate) drop_connection: bool,
}

impl Reply {
    pub(crate) fn json(status: StatusCode, body: Value) -> Reply {
        Reply {
            status,
            body,
            retry_after: None,
            drop_connection: false,
        }
    }

    pub(crate) fn with_retry_after(mut self, seconds: u64) -> Reply {
        self.retry_after = Some(seconds);
        self
    }

    /// This success answer is never sent: the connection is dropped instead.
    pub(crate) fn dropped(mut self) -> Reply {
        self.drop_connection = true;
        self
    }

    /// The status the record keeps: 0 for a dropped connection.
    pub(crate) fn recorded_status(&self) -> u16 {
        if self.drop_connection {
            0
        } else {
            self.status.as_u16()
        }
    }

    /// The HTTP response; `extensions` are the request's, which tell whether its connection can
    /// be dropped.
    pub(crate) fn into_response(self, extensions: &Extensions) -> Response {
        if self.drop_connection {
            if connection::drop_connection(extensions) {
                // Never reaches the client: writing it fails and closes the connection.
                return StatusCode::OK.into_response();
            }
            // Served by someone else's listener: the closest an answer gets to a lost one.
            let mut response = StatusCode::BAD_GATEWAY.into_response();
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
            return response;
        }
        let mut response = (self.status, Json(self.body)).into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}
