//! CORS for the public API, per site: a browser may call `/v1/sites/{site}/…` only from an
//! origin registered for that site (or from this server's own origin). Requests without an
//! `Origin` header (servers, curl) pass; a refused origin gets a 403 in the one error shape.

use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

pub async fn site_origins(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Some(origin) = request.headers().get(header::ORIGIN).cloned() else {
        return next.run(request).await;
    };
    let site_id = request.uri().path().split('/').nth(3).unwrap_or_default().to_owned();
    let Some(site) = state.live_site(&site_id) else {
        // Unknown site: let the handler answer 404 (with CORS so the browser can read it).
        return with_cors(next.run(request).await, origin);
    };
    let origin_str = origin.to_str().unwrap_or_default();
    let allowed = origin_str == &*state.public_origin || site.origins.iter().any(|o| origin_allowed(o, origin_str));
    if !allowed {
        return ApiError::OriginNotAllowed(origin_str.to_owned()).into_response();
    }
    if request.method() == Method::OPTIONS {
        let mut preflight = StatusCode::NO_CONTENT.into_response();
        let h = preflight.headers_mut();
        h.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, POST"),
        );
        h.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("content-type, authorization"),
        );
        h.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
        return with_cors(preflight, origin);
    }
    with_cors(next.run(request).await, origin)
}

/// Whether a registered origin allows `origin`: the same origin, or a pattern
/// `scheme://*.domain[:port]`, which allows every subdomain of `domain` (not `domain` itself)
/// with that scheme and port — one registration for a site that shares one choice across
/// its subdomains.
pub fn origin_allowed(registered: &str, origin: &str) -> bool {
    if registered == origin {
        return true;
    }
    let Some((scheme, domain)) = registered.split_once("://*.") else {
        return false;
    };
    let Some(host) = origin.strip_prefix(scheme).and_then(|rest| rest.strip_prefix("://")) else {
        return false;
    };
    let Some(labels) = host.strip_suffix(domain).and_then(|rest| rest.strip_suffix('.')) else {
        return false;
    };
    !labels.is_empty()
        && labels
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
}

fn with_cors(mut response: Response, origin: HeaderValue) -> Response {
    let h = response.headers_mut();
    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    h.append(header::VARY, HeaderValue::from_static("Origin"));
    response
}

#[cfg(test)]
mod tests {
    use super::origin_allowed;

    #[test]
    fn exact_origins_and_subdomain_patterns() {
        let pattern = "https://*.example.com";
        for (origin, allowed) in [
            ("https://www.example.com", true),
            ("https://a.b.example.com", true),
            ("https://example.com", false),
            ("http://www.example.com", false),
            ("https://www.example.com:8443", false),
            ("https://evilexample.com", false),
            ("https://www.example.com.evil.net", false),
            ("https://x@www.example.com", false),
            ("https://WWW.example.com", false),
        ] {
            assert_eq!(origin_allowed(pattern, origin), allowed, "{origin}");
        }
        assert!(origin_allowed(
            "http://*.demo.localhost:8081",
            "http://shop.demo.localhost:8081"
        ));
        assert!(!origin_allowed(
            "http://*.demo.localhost:8081",
            "http://shop.demo.localhost:8082"
        ));
        assert!(origin_allowed("https://example.com", "https://example.com"));
        assert!(!origin_allowed("https://example.com", "https://www.example.com"));
    }
}
