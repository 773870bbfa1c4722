//! The API's own description: `/openapi.json` (OpenAPI 3.1, made from the handlers by
//! [`super::openapi`]) and the reference page `/docs/api` that renders it. The page is three
//! files of `public/docs/` compiled into the binary; it loads nothing from anywhere else and
//! runs under a CSP that allows only this origin's script, style and `fetch`.

use crate::routes::api_doc::answers;
use axum::Json;
use axum::http::header;
use axum::response::IntoResponse;
use std::sync::LazyLock;
use utoipa::openapi::OpenApi;

const PAGE: &str = include_str!("../../../public/docs/api.html");
const SCRIPT: &str = include_str!("../../../public/docs/api.js");
const STYLE: &str = include_str!("../../../public/docs/api.css");
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; \
                   base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The document depends only on the code: built once per process.
static SPEC: LazyLock<OpenApi> = LazyLock::new(super::openapi);

/// This OpenAPI document.
///
/// This document: every operation with its parameters, bodies, security and answers.
#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "operations",
    responses(
        (status = 200, description = "The OpenAPI 3.1 document", content_type = "application/json", body = Object),
        (status = 500, description = answers::INTERNAL, body = assent_shared::api::ErrorBody),
    )
)]
pub async fn get_openapi() -> impl IntoResponse {
    (
        [
            (header::CACHE_CONTROL, "no-cache"),
            // Public and credential-free: API tools on other origins may read it.
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
        ],
        Json(&*SPEC),
    )
}

/// The API reference page.
///
/// The API reference: a page that renders `/openapi.json` (endpoints, parameters, bodies,
/// schemas, security and error codes).
#[utoipa::path(
    get,
    path = "/docs/api",
    tag = "operations",
    responses((status = 200, description = "An HTML page", content_type = "text/html", body = String))
)]
pub async fn get_page() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CONTENT_SECURITY_POLICY, CSP),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        PAGE,
    )
}

/// The reference page's script.
#[utoipa::path(
    get,
    path = "/docs/api.js",
    tag = "operations",
    responses((status = 200, description = "JavaScript", content_type = "text/javascript", body = String))
)]
pub async fn get_script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        SCRIPT,
    )
}

/// The reference page's style sheet.
#[utoipa::path(
    get,
    path = "/docs/api.css",
    tag = "operations",
    responses((status = 200, description = "CSS", content_type = "text/css", body = String))
)]
pub async fn get_style() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        STYLE,
    )
}
