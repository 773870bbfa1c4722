//! The loader (`/embed.js`) and the banner's hashed files (`/assets/banner/…`).

use crate::error::{ApiError, Result};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use tower::ServiceBuilder;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

const LOADER: &str = include_str!("../../../public/embed.js");
/// Replaced by the boot object; a plain expression, so a minifier keeps it verbatim.
const BOOT_PLACEHOLDER: &str = "window.__assentBoot";

/// The loader, naming the current build's files. Short cache: a new build takes effect in minutes.
pub async fn get_embed_js(State(state): State<AppState>, headers: HeaderMap) -> Result<Response> {
    let bundle = state
        .assets
        .find(&state.config.dist_dir)
        .map_err(|e| ApiError::Internal(e.into()))?
        .ok_or_else(|| ApiError::NotReady("the banner is not built yet: see /readyz".into()))?;
    let notices: serde_json::Map<String, serde_json::Value> = state
        .consent_valid_from_by_site()
        .await?
        .into_iter()
        .map(|(site, version)| (site.to_string(), json!(version)))
        .collect();
    let boot = json!({
        "js": format!("/assets/banner/{}", bundle.js),
        "wasm": format!("/assets/banner/{}", bundle.wasm),
        "build": bundle.build,
        "notices": notices,
    });
    // The minified loader of the build when there is one, else the source compiled in.
    let body = bundle
        .loader
        .as_deref()
        .unwrap_or(LOADER)
        .replacen(BOOT_PLACEHOLDER, &boot.to_string(), 1);
    // Revalidated on every page view (a new build or a material notice change must reach
    // returning visitors at once); an unchanged loader costs a 304.
    let etag = format!("\"{}\"", &hex::encode(Sha256::digest(body.as_bytes()))[..32]);
    if headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(etag.as_str()) {
        return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response());
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8".to_owned()),
            (header::CACHE_CONTROL, "no-cache".to_owned()),
            (header::ETAG, etag),
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*".to_owned()),
        ],
        body,
    )
        .into_response())
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
