//! The one error type of the HTTP layer.
//!
//! Policy: every refusal is a specific 4xx with a stable `code` and a message a client
//! developer can act on, in the shared [`ErrorBody`] shape. A database that is out of reach,
//! full or read-only is a 503 `database_unavailable` with `Retry-After` (see
//! [`mod@crate::ledger::outage`]). Anything else unexpected is an opaque 500: its cause is logged
//! here and never sent to the client. A refused request writes nothing.

use assent_shared::Invalid;
use assent_shared::api::{ErrorBody, ErrorDetail};
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// Why an erased subject is refused (410 `subject_erased`).
pub const SUBJECT_ERASED: &str = "this subject was erased; start again without subject_id";

/// The largest request body accepted (axum's default limit, stated here for the message).
pub const BODY_LIMIT_BYTES: usize = 2 * 1024 * 1024;

pub type Result<T, E = ApiError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    Invalid(#[from] Invalid),
    #[error("malformed request body: {0}")]
    MalformedBody(String),
    #[error(
        "the request body is larger than the limit of {} bytes",
        crate::error::BODY_LIMIT_BYTES
    )]
    PayloadTooLarge,
    #[error(
        "the request target (path and query) is longer than the limit of {} bytes",
        crate::request_limits::URI_LIMIT_BYTES
    )]
    UriTooLong,
    #[error(
        "the request body did not arrive within {} seconds",
        crate::request_bound::BODY_READ_TIMEOUT.as_secs()
    )]
    RequestTimeout,
    #[error(
        "the request's headers are larger than the limit of {} bytes in all",
        crate::request_limits::HEADERS_LIMIT_BYTES
    )]
    HeadersTooLarge,
    #[error("{what} not found")]
    NotFound { what: &'static str, code: &'static str },
    #[error("this path does not serve this method; the Allow header lists those it does")]
    MethodNotAllowed,
    #[error("{0}")]
    Unauthorized(&'static str),
    #[error("{0}")]
    Forbidden(&'static str),
    /// A credential carried in the body (a subject token, an account assertion) does not
    /// allow this: forged, expired, or for another subject or site. `field` names it.
    #[error("{reason}")]
    CredentialRefused { field: &'static str, reason: &'static str },
    #[error("a write with the session cookie must send the session's CSRF token in X-CSRF-Token")]
    CsrfFailed,
    #[error("origin {0} is not registered for this site")]
    OriginNotAllowed(String),
    #[error("{0}")]
    Conflict(std::borrow::Cow<'static, str>),
    /// A write conditioned on what the caller read (`If-Match`) found it changed since: nothing
    /// was written (RFC 9110 §13.1.1).
    #[error("{0}")]
    PreconditionFailed(&'static str),
    #[error("too many attempts; try again in {retry_after_secs} seconds")]
    TooManyRequests { retry_after_secs: u64 },
    /// The notice lint refused a publication: one finding per problem.
    #[error(
        "the notice has {} error(s) to fix before publishing (warnings, if any, are listed too but do not block)",
        .0.iter().filter(|f| f.severity == assent_shared::lint::Severity::Error).count()
    )]
    Lint(Vec<assent_shared::lint::Finding>),
    /// 410: what was asked for existed and is gone for good (`code` names it).
    #[error("{message}")]
    Gone { code: &'static str, message: &'static str },
    #[error("the notice you answered does not match: {0}")]
    NoticeMismatch(String),
    #[error("{0}")]
    NotReady(String),
    /// 503: a part of the service cannot answer until the operator or a background job acts
    /// (`code` names which; `Retry-After: 60`), e.g. no Global Vendor List fetched yet.
    #[error("{message}")]
    Unavailable { code: &'static str, message: &'static str },
    /// 503: the database is out of reach, full or read-only (`Retry-After: 1`,
    /// `details.reason` says which); nothing was recorded that a retry with the same ids
    /// would record twice.
    #[error("{}", .0.message())]
    DatabaseUnavailable(crate::ledger::Outage),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    pub fn status_code(&self) -> StatusCode {
        match self {
            Self::Invalid(_) | Self::NoticeMismatch(_) | Self::Lint(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::MalformedBody(_) => StatusCode::BAD_REQUEST,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UriTooLong => StatusCode::URI_TOO_LONG,
            Self::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            Self::HeadersTooLarge => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            Self::NotFound { .. } => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) | Self::OriginNotAllowed(_) | Self::CsrfFailed | Self::CredentialRefused { .. } => {
                StatusCode::FORBIDDEN
            }
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::PreconditionFailed(_) => StatusCode::PRECONDITION_FAILED,
            Self::Gone { .. } => StatusCode::GONE,
            Self::NotReady(_) | Self::DatabaseUnavailable(_) | Self::Unavailable { .. } => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            Self::Invalid(_) => "invalid_input",
            Self::MalformedBody(_) => "malformed_body",
            Self::PayloadTooLarge => "payload_too_large",
            Self::UriTooLong => "uri_too_long",
            Self::RequestTimeout => "request_timeout",
            Self::HeadersTooLarge => "headers_too_large",
            Self::NotFound { code, .. } => code,
            Self::MethodNotAllowed => "method_not_allowed",
            Self::Unauthorized(_) => "unauthorized",
            Self::Forbidden(_) => "forbidden",
            Self::CsrfFailed => "csrf_failed",
            Self::CredentialRefused { .. } => "credential_refused",
            Self::OriginNotAllowed(_) => "origin_not_allowed",
            Self::Conflict(_) => "conflict",
            Self::PreconditionFailed(_) => "precondition_failed",
            Self::TooManyRequests { .. } => "too_many_requests",
            Self::Lint(_) => "notice_lint_failed",
            Self::Gone { code, .. } => code,
            Self::NoticeMismatch(_) => "notice_mismatch",
            Self::NotReady(_) => "not_ready",
            Self::Unavailable { code, .. } => code,
            Self::DatabaseUnavailable(_) => "database_unavailable",
            Self::Internal(_) => "internal",
        }
    }

    pub fn subject_erased() -> Self {
        Self::Gone {
            code: "subject_erased",
            message: SUBJECT_ERASED,
        }
    }

    /// The site has no notice draft (start one from the latest version).
    pub fn draft_not_found() -> Self {
        Self::NotFound {
            what: "draft",
            code: "draft_not_found",
        }
    }

    pub fn site_not_found() -> Self {
        Self::NotFound {
            what: "site",
            code: "site_not_found",
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        // A database out of reach, full or read-only is not a bug: say so, and when to try again.
        if let Self::Internal(cause) = &self
            && let Some(kind) = crate::ledger::outage(cause)
        {
            tracing::warn!(error = %cause, reason = kind.reason(), "database unavailable");
            return Self::DatabaseUnavailable(kind).into_response();
        }
        let message = match &self {
            Self::Internal(cause) => {
                tracing::error!(error = ?cause, "internal error");
                "internal server error".to_owned()
            }
            other => other.to_string(),
        };
        let details = match &self {
            Self::Invalid(invalid) => Some(json!({ "field": invalid.field, "reason": invalid.reason })),
            Self::Lint(findings) => Some(json!({ "findings": findings })),
            Self::CredentialRefused { field, reason } => Some(json!({ "field": field, "reason": reason })),
            Self::TooManyRequests { retry_after_secs } => Some(json!({ "retry_after_secs": retry_after_secs })),
            Self::DatabaseUnavailable(kind) => Some(json!({ "reason": kind.reason() })),
            _ => None,
        };
        let retry_after = match &self {
            Self::TooManyRequests { retry_after_secs } => Some(*retry_after_secs),
            Self::DatabaseUnavailable(_) => Some(1),
            Self::Unavailable { .. } => Some(60),
            _ => None,
        };
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code().to_owned(),
                message,
                details,
            },
        };
        let mut response = (self.status_code(), Json(body)).into_response();
        if let Some(secs) = retry_after {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from(secs));
        }
        response
    }
}
