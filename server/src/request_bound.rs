//! A bound on how long a request may wait for its answer. A database that stops answering
//! in the middle of a query (a hung server, a network that drops everything) raises no error
//! by itself: sqlx has no statement timeout and the connection stays open, so a request that
//! took its connection just before would wait for good, and the next ones would pile up
//! behind it. The pool's acquire timeout (`db_timeout_ms`) bounds only the wait for a
//! connection; this bounds the rest. A request still unanswered after five times
//! `db_timeout_ms` (the bound of a group-commit batch too) is answered `503
//! database_unavailable`; a write it had begun may or may not have committed, so clients send
//! it again with the same ids (a consent event is recorded once). The body of a streamed
//! answer is not bounded, only the wait for its first byte; an export bounds each of its
//! reads instead (`ledger::snapshot`). The request's body is read before that clock starts,
//! within [`BODY_READ_TIMEOUT`] of its own: a slow client is not a database outage.

use crate::config::Config;
use crate::error::{ApiError, BODY_LIMIT_BYTES};
use crate::ledger::Outage;
use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::error::Error as _;
use std::sync::Arc;
use std::time::Duration;

/// Routes that walk a whole site's ledger, and may take long on a large one without any
/// outage: unbounded.
pub const WALKS_A_LEDGER: [&str; 2] = ["/v1/admin/sites/{site}/verify", "/v1/admin/sites/{site}/export"];

/// How long a request's body may take to arrive once its headers have: `408
/// request_timeout` past it (RFC 9110 §15.5.9).
pub const BODY_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// The longest a request waits for its answer once its body is in: five times `db_timeout_ms`.
pub fn limit(config: &Config) -> Duration {
    Duration::from_millis(config.db_timeout_ms.max(1)) * 5
}

/// Answers `503 database_unavailable` for a request unanswered within [`limit`].
pub async fn bound(State(config): State<Arc<Config>>, request: Request, next: Next) -> Response {
    let route = request.extensions().get::<MatchedPath>().map(|p| p.as_str().to_owned());
    if route.as_deref().is_some_and(|r| WALKS_A_LEDGER.contains(&r)) {
        return next.run(request).await;
    }
    // The body first, on a clock of its own: a client that sends it slowly is told so (408),
    // not answered as if the database were out of reach.
    let (parts, body) = request.into_parts();
    let read = tokio::time::timeout(BODY_READ_TIMEOUT, axum::body::to_bytes(body, BODY_LIMIT_BYTES)).await;
    let body = match read {
        Err(_) => return ApiError::RequestTimeout.into_response(),
        Ok(Err(e)) if e.source().is_some_and(|s| s.is::<http_body_util::LengthLimitError>()) => {
            return ApiError::PayloadTooLarge.into_response();
        }
        Ok(Err(e)) => return ApiError::MalformedBody(format!("the body could not be read: {e}")).into_response(),
        Ok(Ok(bytes)) => bytes,
    };
    let request = Request::from_parts(parts, axum::body::Body::from(body));
    let limit = limit(&config);
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(
                route = route.as_deref().unwrap_or("-"),
                limit_ms = limit.as_millis(),
                "no answer in time; answered as a database outage"
            );
            ApiError::DatabaseUnavailable(Outage::Unreachable).into_response()
        }
    }
}
