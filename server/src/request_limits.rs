//! Limits on a request's target, header section and announced body, answered in the one
//! JSON error shape with Assent's security headers.
//!
//! hyper refuses past its own limits (a target over 64 KiB, a header section over ~400 KiB
//! or more than 100 headers) before any of Assent's code runs, with an empty body. These
//! lower limits — those front proxies commonly keep (nginx: 8 KiB per request line) — catch
//! what a client can send by mistake with a message that states the limit. Nothing Assent
//! serves needs more: its longest legitimate targets carry a JWT in the query (< 1 KiB).

use crate::error::ApiError;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The longest request target (path and query) accepted, in bytes: `414 uri_too_long` past it
/// (RFC 9110 §15.5.15).
pub const URI_LIMIT_BYTES: usize = 8 * 1024;

/// The largest header section accepted (each field's name and value, plus 4 bytes of `": "`
/// and CRLF, as on the wire), in bytes: `431 headers_too_large` past it (RFC 6585 §5).
pub const HEADERS_LIMIT_BYTES: usize = 32 * 1024;

/// Refuses a request over a limit (a `Content-Length` over the body limit included: `413`
/// before any byte of the body is read); passes every other on unchanged.
pub async fn check(request: Request, next: Next) -> Response {
    let target = request.uri().path_and_query().map_or(0, |pq| pq.as_str().len());
    if target > URI_LIMIT_BYTES {
        return ApiError::UriTooLong.into_response();
    }
    let headers: usize = request
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum();
    if headers > HEADERS_LIMIT_BYTES {
        return ApiError::HeadersTooLarge.into_response();
    }
    // A body announced over the limit is refused before it is read: waiting for it would
    // hold the request until the request bound answers it as an outage.
    let announced = request
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|n| n > crate::error::BODY_LIMIT_BYTES as u64) {
        return ApiError::PayloadTooLarge.into_response();
    }
    next.run(request).await
}
