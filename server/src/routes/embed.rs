//! The loader (`/embed.js`) and the front end's hashed files (`/assets/banner/…`,
//! `/assets/settings/…`).

use crate::assets::BundleName;
use crate::error::{ApiError, Result};
use crate::extract::{ApiQuery, Site};
use crate::routes::api_doc::answers;
use crate::state::AppState;
use assent_shared::api::ErrorBody;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use tower::ServiceBuilder;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

const LOADER: &str = include_str!("../../../public/embed.js");
/// Replaced by the boot object; a plain expression, so a minifier keeps it verbatim.
const BOOT_PLACEHOLDER: &str = "window.__assentBoot";

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EmbedQuery {
    /// The site that embeds the loader: it then carries that site's one fact it needs.
    site: Option<String>,
}

/// The loader script.
///
/// The loader, naming the current build's files (the banner's; the settings component's as
/// `settings`, once built) and, with `?site=`, the facts of that site it needs (the notice version from which stored choices stay valid, its vendor integrations, and on an IAB TCF site the CMP identity `__tcfapi` reports) — never another
/// site's id, and the same bytes however many sites exist. Without `?site=` it carries no
/// site's data and asks `/v1/sites/{site}/loader.json` on a returning visit.
#[utoipa::path(
    get,
    path = "/embed.js",
    tag = "public",
    params(EmbedQuery, ("If-None-Match" = Option<String>, Header, description = "The `ETag` of a loader already held")),
    responses(
        (status = 200, description = "The loader script (`Cache-Control: no-cache`, with an `ETag`)", content_type = "text/javascript", body = String),
        (status = 304, description = "Not modified: the `If-None-Match` loader is current"),
        (status = 422, description = answers::INVALID, body = ErrorBody),
        (status = 500, description = answers::INTERNAL, body = ErrorBody),
        (status = 503, description = "`not_ready`: the banner is not built yet", body = ErrorBody),
    )
)]
pub async fn get_embed_js(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<EmbedQuery>,
    headers: HeaderMap,
) -> Result<Response> {
    let find = |name| {
        state
            .assets
            .find(&state.config.dist_dir, name)
            .map_err(|e| ApiError::Internal(e.into()))
    };
    let bundle = find(BundleName::Banner)?
        .ok_or_else(|| ApiError::NotReady("the banner is not built yet: see /readyz".into()))?;
    let mut notices = serde_json::Map::new();
    let mut integrations = serde_json::Map::new();
    let mut tcf = serde_json::Map::new();
    if let Some(site) = query.site.as_deref().and_then(|id| state.live_site(id))
        && let Some(facts) = state.loader_facts(&site.id).await?
    {
        notices.insert(site.id.to_string(), json!(facts.consent_valid_from));
        if !facts.integrations.is_empty() {
            integrations.insert(site.id.to_string(), json!(facts.integrations));
        }
        if facts.tcf
            && let Some(identity) = tcf_identity(&state)
        {
            tcf.insert(site.id.to_string(), identity);
        }
    }
    // A TCF site's visitors get the banner built with its TCF layer (once built); the others
    // never download that layer.
    let bundle = if tcf.is_empty() {
        bundle
    } else {
        find(BundleName::BannerTcf)?.unwrap_or(bundle)
    };
    let mut boot = json!({
        "js": bundle.js_url(),
        "wasm": bundle.wasm_url(),
        "build": bundle.build,
        "notices": notices,
        "integrations": integrations,
        // IAB TCF sites: the loader installs `__tcfapi` at once (see `tcf_identity`).
        "tcf": tcf,
        "location": assent_shared::consent::PRECISE_LOCATION,
        // GPP's `supportedAPIs`: every section the banner may write.
        "gpp": assent_shared::signals::gpp::supported_apis(),
        // The banner's stylesheet: the loader styles the server-rendered first layer with it
        // before the wasm arrives, and hands it to the banner.
        "css": crate::assets::banner_css(),
    });
    // A first visit runs the banner's consent context alone while the server's first layer
    // shows (the banner itself loads when a view is needed).
    if let Some(first) = &bundle.first_visit {
        boot["first"] = json!({ "js": first.js_url(), "wasm": first.wasm_url() });
    }
    // The settings component's bundle, for pages with `<div data-assent-settings>`: named only
    // once built, so a loader never asks for files that are not there.
    if let Some(settings) = find(BundleName::Settings)? {
        boot["settings"] = json!({
            "js": settings.js_url(),
            "wasm": settings.wasm_url(),
            "build": settings.build,
        });
    }
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

/// What `__tcfapi` reports before the banner runs (IAB CMP API v2.2, `PingReturn`): the CMP's
/// id and version, the Global Vendor List in use and its policy version. Only when TC strings
/// can be made at all: the operator set a CMP id and a list has been fetched (else the banner
/// has no TCF layer, and the site's pages get no `__tcfapi`).
fn tcf_identity(state: &AppState) -> Option<serde_json::Value> {
    let cmp = crate::tcf::settings::cmp(&state.config)?;
    let gvl = state.gvl.current()?;
    Some(json!({
        "cmpId": cmp.id,
        "cmpVersion": cmp.version,
        "gvlVersion": gvl.list.vendor_list_version,
        "tcfPolicyVersion": gvl.list.tcf_policy_version,
    }))
}

/// What a loader needs on a returning visit.
///
/// `GET /v1/sites/{site}/loader.json`: what a loader without `?site=` needs on a returning
/// visit: `{"consent_valid_from": N}` (choices stored under an earlier version are asked again).
#[utoipa::path(
    get,
    path = "/v1/sites/{site}/loader.json",
    tag = "public",
    params(("site" = String, Path, description = "The site's id")),
    responses(
        (status = 200, description = "`{\"consent_valid_from\": N}`", body = Object, example = json!({"consent_valid_from": 1})),
        (status = 403, description = answers::ORIGIN, body = ErrorBody),
        (status = 404, description = "`site_not_found`: no live site has this id; `notice_not_found`: the site has published no notice", body = ErrorBody),
        (status = 500, description = answers::INTERNAL, body = ErrorBody),
    )
)]
pub async fn get_loader_json(State(state): State<AppState>, Site(site): Site) -> Result<Response> {
    let from = state
        .loader_facts(&site.id)
        .await?
        .ok_or(ApiError::NotFound {
            what: "published notice",
            code: "notice_not_found",
        })?
        .consent_valid_from;
    Ok((
        [(header::CACHE_CONTROL, "no-cache")],
        axum::Json(json!({ "consent_valid_from": from })),
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
        // No directory answers: Trunk's index.html is no page of Assent's, and a redirect to
        // the directory with a slash would drop the `/assets` prefix the service is nested under.
        .service(
            ServeDir::new(dist)
                .append_index_html_on_directories(false)
                .precompressed_br()
                .precompressed_gzip(),
        )
}

#[cfg(test)]
mod tests {
    /// The server fills in the first occurrence: in the unminified loader it must be the code
    /// (a mention in a comment would take the boot object instead, and the loader would stop).
    #[test]
    fn the_unminified_loader_names_the_boot_placeholder_once() {
        assert_eq!(super::LOADER.matches(super::BOOT_PLACEHOLDER).count(), 1);
    }
}
