//! API errors: a status, a stable machine-readable code, and a message a person can act on.
//! Internal details (database errors) are logged, never returned.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::bounded_work::{RETRY_AFTER, WorkRefused};
use crate::store::StoreError;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub details: Option<serde_json::Value>,
    /// Seconds for a `Retry-After` header (a busy server).
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            details: None,
            retry_after: None,
        }
    }

    pub fn with_details(mut self, details: serde_json::Value) -> Self {
        self.details = Some(details);
        self
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    pub fn forbidden(code: &'static str, message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::FORBIDDEN, code, message)
    }
}

/// The body of every error answer, as the OpenAPI document describes it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// What went wrong: a stable code for programs and a message for people.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable and machine-readable (`not_found`, `illegal_transition`, `invalid_body`, ...).
    pub code: String,
    /// More about the error where there is more (an invalid campaign's diagnostics).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub details: Option<serde_json::Value>,
    pub message: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.to_string(),
                message: self.message,
                details: self.details,
            },
        };
        let mut response = (self.status, Json(body)).into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, seconds.into());
        }
        response
    }
}

impl From<WorkRefused> for ApiError {
    fn from(refused: WorkRefused) -> Self {
        let message = refused.to_string();
        match refused {
            WorkRefused::Busy => {
                let mut error = ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "busy", message);
                error.retry_after = Some(RETRY_AFTER.as_secs());
                error
            }
            // Within the limits every bundle is checked in well under the budget, so one that
            // is not is the bundle's doing: a client error the author can act on.
            WorkRefused::OverBudget(_) => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "too_slow", message)
            }
            WorkRefused::Failed => {
                ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", message)
            }
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        if error.is_disk_full() {
            // The write was rolled back; the caller can try again once the operator frees
            // space. The log names the file; the answer does not reveal the server's paths.
            tracing::error!(error = %error, "storage is full; a request was refused");
            return ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "storage_full",
                "the server's storage is full, so nothing was saved; try again later",
            );
        }
        match error {
            StoreError::Transition(transition) => ApiError::new(
                StatusCode::CONFLICT,
                "illegal_transition",
                transition.to_string(),
            ),
            StoreError::ConcurrentChange { .. } => {
                ApiError::new(StatusCode::CONFLICT, "concurrent_change", error.to_string())
            }
            StoreError::UnknownVersion(_) => ApiError::not_found(error.to_string()),
            other => {
                tracing::error!(error = %other, "storage failed while answering a request");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "the request could not be completed; see the server log",
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busy_work_is_a_503_with_retry_after_and_slow_work_a_422() {
        let busy = ApiError::from(WorkRefused::Busy).into_response();
        assert_eq!(busy.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            busy.headers().get(axum::http::header::RETRY_AFTER),
            Some(&axum::http::HeaderValue::from(RETRY_AFTER.as_secs()))
        );
        let slow = ApiError::from(WorkRefused::OverBudget(std::time::Duration::from_secs(20)));
        assert_eq!(
            (slow.status, slow.code),
            (StatusCode::UNPROCESSABLE_ENTITY, "too_slow")
        );
        assert!(
            slow.message.contains("longer than 20 seconds"),
            "{}",
            slow.message
        );
        let slow = slow.into_response();
        assert!(
            slow.headers()
                .get(axum::http::header::RETRY_AFTER)
                .is_none()
        );
    }

    #[tokio::test]
    async fn a_full_disk_is_a_503_that_reveals_no_path() {
        let full = crate::store::file_fault_errors::disk_full().await;
        let error = ApiError::from(StoreError::from(full).in_sqlite_file("/srv/herald/herald.db"));
        assert_eq!(error.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(error.code, "storage_full");
        assert!(!error.message.contains("/srv"), "{}", error.message);
    }
}
