//! Headers every answer of this server carries unless a route set its own (the API
//! reference and the preview page set stricter pages' policies): no MIME sniffing, no
//! referrer, never framed, nothing loadable by a document made from an API answer, and HSTS
//! when configured (only behind HTTPS: a browser would ignore it on plain HTTP anyway).
//! Source: OWASP Secure Headers Project; RFC 6797 (HSTS).

use crate::config::Config;
use axum::http::{HeaderName, HeaderValue, header};
use axum::response::Response;
use std::sync::Arc;

/// The policy of an answer that is not a page: it may be fetched, never run as a document.
pub const API_CSP: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// Adds the headers `response` lacks.
pub fn apply(config: &Arc<Config>, mut response: Response) -> Response {
    let h = response.headers_mut();
    let mut set = |name: HeaderName, value: HeaderValue| {
        h.entry(name).or_insert(value);
    };
    set(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    set(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    set(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    set(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(API_CSP));
    if config.hsts_max_age_secs > 0
        && let Ok(value) = HeaderValue::from_str(&format!("max-age={}; includeSubDomains", config.hsts_max_age_secs))
    {
        set(header::STRICT_TRANSPORT_SECURITY, value);
    }
    response
}
