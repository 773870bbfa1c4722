//! The loader (`/embed.js`) and the banner's hashed files (`/assets/banner/…`).

use crate::error::{ApiError, Result};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use serde_json::json;
use std::path::PathBuf;
use tower::ServiceBuilder;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

const LOADER: &str = include_str!("../../../public/embed.js");
const BOOT_PLACEHOLDER: &str = "/*ASSENT_BOOT*/null";

/// The loader, naming the current build's files. Short cache: a new build takes effect in minutes.
pub async fn get_embed_js(State(state): State<AppState>) -> Result<impl IntoResponse> {
    let bundle = state
        .assets
        .find(&state.config.dist_dir)
        .map_err(|e| ApiError::Internal(e.into()))?
        .ok_or_else(|| ApiError::NotReady("the banner is not built yet: see /readyz".into()))?;
    let notices: serde_json::Map<String, serde_json::Value> = state
        .notice_versions
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .iter()
        .map(|(site, version)| (site.to_string(), json!(version)))
        .collect();
    let boot = json!({
        "js": format!("/assets/banner/{}", bundle.js),
        "wasm": format!("/assets/banner/{}", bundle.wasm),
        "build": bundle.build,
        "notices": notices,
    });
    let body = LOADER.replace(BOOT_PLACEHOLDER, &boot.to_string());
    Ok((
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
        ],
        body,
    ))
}

/// Hashed build output: immutable, and CORS-readable because module scripts and wasm are
/// fetched in CORS mode from the host site's origin.
pub fn assets_service(
    dist: PathBuf,
) -> impl tower::Service<
    axum::http::Request<axum::body::Body>,
    Response = axum::response::Response<tower_http::services::fs::ServeFileSystemResponseBody>,
    Error = std::convert::Infallible,
    Future = impl Send,
> + Clone {
    ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=31536000, immutable"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        ))
        .service(ServeDir::new(dist).precompressed_br().precompressed_gzip())
}
