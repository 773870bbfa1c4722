//! The demo site: a separate origin that embeds Assent exactly as a third-party site does,
//! and the `demo` site record and notice it uses.

use crate::auth::PreviewClaims;
use crate::ledger::{Ledger, SiteRecord};
use crate::state::AppState;
use anyhow::Context;
use assent_shared::ids::SiteId;
use assent_shared::notice::Notice;
use assent_shared::regime::Regime;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use std::net::SocketAddr;

const DEMO_PAGE: &str = include_str!("../../../public/demo/index.html");
/// The demo of a tag manager driven by Assent's `dataLayer` event, and its stand-in container.
const GTM_PAGE: &str = include_str!("../../../public/demo/gtm.html");
const GTM_CONTAINER: &str = include_str!("../../../public/demo/gtm-container.js");
const PRIVACY_PAGE: &str = include_str!("../../../public/demo/privacy.html");
const PRIVACY_SCRIPT: &str = include_str!("../../../public/demo/privacy.js");
/// The demo site's notice; also the template of every new site's starter notice.
pub const DEMO_NOTICE: &str = include_str!("../../demo/notice.json");
/// How the demo notice's texts name the demo site.
pub const DEMO_SITE_NAME: &str = "Northwind Journal";
pub const DEMO_SITE: &str = "demo";
/// The demo's parent domain for sharing one choice across subdomains
/// (`http://www.demo.localhost:8081`, `http://shop.demo.localhost:8081`).
const SHARED_DOMAIN: &str = "demo.localhost";

/// Registers the `demo` site for the demo origin and publishes its notice (idempotent).
pub async fn seed(ledger: &dyn Ledger, demo_addr: SocketAddr) -> anyhow::Result<()> {
    let id = SiteId::parse(DEMO_SITE)?;
    let origins = origins(demo_addr);
    ledger
        .put_site(&SiteRecord {
            id: id.clone(),
            name: format!("{DEMO_SITE_NAME} (demo)"),
            origins,
            regime_overrides: Default::default(),
            archived: false,
            starter_notice: false,
        })
        .await?;
    let notice = demo_notice()?;
    ledger
        .publish_notice(&id, &notice)
        .await
        .context("publishing the demo notice")
}

/// The demo site's origins.
pub fn origins(demo_addr: SocketAddr) -> Vec<String> {
    vec![
        format!("http://{demo_addr}"),
        format!("http://localhost:{}", demo_addr.port()),
        // Any subdomain of demo.localhost (Chromium resolves *.localhost to loopback): the
        // demo of one choice shared across a site's subdomains.
        format!("http://*.{SHARED_DOMAIN}:{}", demo_addr.port()),
    ]
}

pub fn demo_notice() -> anyhow::Result<Notice> {
    let notice: Notice = serde_json::from_str(DEMO_NOTICE).context("parsing demo/notice.json")?;
    notice.validate().context("validating demo/notice.json")?;
    Ok(notice)
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(get_page))
        // The demo site's own GPC statement (each origin speaks for itself), same content.
        .route("/.well-known/gpc.json", get(super::well_known::get_gpc))
        .route("/analytics.js", get(get_analytics_js))
        .route("/gtm", get(get_gtm_page))
        .route("/gtm-container.js", get(get_gtm_container))
        .route("/video", get(get_video))
        .route("/privacy", get(get_privacy_page))
        .route("/privacy.js", get(get_privacy_script))
        // No icon, and no 404 in the console for the one the browser asks for.
        .route("/favicon.ico", get(|| async { axum::http::StatusCode::NO_CONTENT }))
        .merge(super::demo_tcf::routes())
        .layer(super::trace_layer())
        .with_state(state)
}

/// The demo page for `site`, embedding Assent with `extra` attributes on the script tag.
pub(super) fn render(state: &AppState, site: &str, extra: &str) -> String {
    DEMO_PAGE
        .replace("{{SCRIPT_ATTRIBUTES}}", extra)
        .replace("{{ASSENT_ORIGIN}}", &state.public_origin)
        .replace("{{SITE}}", site)
        .replace(
            "{{ANALYTICS_ORIGIN}}",
            &format!("http://localhost:{}", state.demo_port.unwrap_or(0)),
        )
}

/// The demo page with a site's notice draft.
///
/// `GET /preview/{site}?token=…` (on the API's origin): the demo page showing `site`'s notice
/// draft in the real banner, from a link made by `POST /v1/admin/sites/{site}/draft/preview`.
/// The loader keeps the preview's choices apart from real ones and the banner records
/// nothing. A missing, expired or foreign token gets a plain page saying so (401).
#[utoipa::path(
    get,
    path = "/preview/{site}",
    tag = "notices",
    params(("site" = String, Path, description = "The site's id"), PreviewQuery),
    responses(
        (status = 200, description = "An HTML page", content_type = "text/html", body = String),
        (status = 401, description = "An HTML page saying the link is not valid (expired, another site's, or incomplete)", content_type = "text/html", body = String),
    )
)]
pub async fn get_preview_page(
    State(state): State<AppState>,
    Path(site): Path<String>,
    Query(query): Query<PreviewQuery>,
) -> Response {
    let valid = query
        .token
        .as_deref()
        .is_some_and(|t| PreviewClaims::opens(&state.keys, t, &site) && state.live_site(&site).is_some());
    // The token is in the URL: no referrer carries it elsewhere, no cache keeps the page. The
    // page lives on this server's origin, where admin sessions live too: it runs nothing but
    // Assent's own loader and banner, and only this origin (the dashboard's live preview) may
    // frame it.
    let headers = [
        (header::CACHE_CONTROL, "no-store"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::HeaderName::from_static("x-robots-tag"), "noindex"),
        (header::CONTENT_SECURITY_POLICY, PREVIEW_CSP),
        (header::X_FRAME_OPTIONS, "SAMEORIGIN"),
    ];
    if !valid {
        return (
            StatusCode::UNAUTHORIZED,
            headers,
            Html(
                "<!DOCTYPE html><html lang=\"en\"><meta charset=\"utf-8\"><title>Preview link not valid</title>\
                 <body style=\"font:16px/1.5 system-ui;max-width:40em;margin:3em auto;padding:0 1em\">\
                 <h1>This preview link is not valid</h1><p>It has expired (links work for 30 minutes), \
                 belongs to another site, or was copied incompletely. Ask for a new one: \
                 <code>POST /v1/admin/sites/SITE/draft/preview</code>.</p></body></html>",
            ),
        )
            .into_response();
    }
    let token = query.token.unwrap_or_default();
    // Both are checked by what they parse to before they reach the page (a token is
    // base64url and dots: checked by `opens`).
    let mut attributes = format!(" data-preview=\"{token}\"");
    if let Some(lang) = query.lang.as_deref().filter(|l| is_language_tag(l)) {
        attributes.push_str(&format!(" data-lang=\"{lang}\""));
    }
    if let Some(regime) = query.regime.as_deref().and_then(Regime::parse) {
        attributes.push_str(&format!(" data-preview-regime=\"{}\"", regime.as_str()));
    }
    if let Some(scheme) = query.scheme.as_deref().filter(|s| matches!(*s, "light" | "dark")) {
        attributes.push_str(&format!(" data-color-scheme=\"{scheme}\""));
    }
    let page = without_demo_parts(&render(&state, &site, &attributes)).replacen(
        "<body>",
        &format!(
            "<body><p role=\"status\" data-test=\"preview-ribbon\" style=\"margin:0;padding:.5em 1em;\
             background:#1d3557;color:#fff;font:600 15px/1.4 system-ui\">Preview of the draft notice of \
             <code>{site}</code>: choices made here are not recorded.</p>"
        ),
        1,
    );
    (headers, Html(page)).into_response()
}

/// The preview page's policy: its own scripts (the loader, the banner's module and wasm) and
/// the banner's injected styles, nothing from elsewhere, framed by this origin only.
const PREVIEW_CSP: &str = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; \
     connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'";

/// The demo page without its third-party stand-ins and inline handlers (`<!--demo-only-->`
/// … `<!--/demo-only-->`), which have no place on this server's own origin.
fn without_demo_parts(page: &str) -> String {
    let mut out = String::with_capacity(page.len());
    let mut rest = page;
    while let Some(start) = rest.find("<!--demo-only-->") {
        out.push_str(&rest[..start]);
        rest = rest[start..]
            .find("<!--/demo-only-->")
            .map_or("", |end| &rest[start + end + "<!--/demo-only-->".len()..]);
    }
    out.push_str(rest);
    out
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PreviewQuery {
    /// The token of a link from `POST /v1/admin/sites/{site}/draft/preview`.
    token: Option<String>,
    /// Show the draft in this language (a tag such as `de` or `pt-BR`; one the draft lacks
    /// falls back to its default language). Without it, the browser's languages decide.
    lang: Option<String>,
    /// Show the draft as a visitor under this regime sees it: `opt_in`, `opt_out` or
    /// `notice`. Without it, the request's own region decides.
    regime: Option<String>,
    /// Show the banner in this colour scheme, `light` or `dark` (the script tag's
    /// `data-color-scheme`). Without it, the browser's setting decides.
    scheme: Option<String>,
}

/// One language tag (`de`, `pt-BR`, `zh-Hant-TW`): letters, digits and `-`, 2 to 35 characters.
fn is_language_tag(raw: &str) -> bool {
    (2..=35).contains(&raw.len()) && raw.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-')
}

async fn get_page(State(state): State<AppState>, headers: HeaderMap) -> impl IntoResponse {
    // Served under a subdomain of demo.localhost, the page shares its choice with the others.
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    let host = host.rsplit_once(':').map_or(host, |(name, _)| name);
    let cookie_domain = if host.ends_with(&format!(".{SHARED_DOMAIN}")) {
        format!(" data-cookie-domain=\"{SHARED_DOMAIN}\"")
    } else {
        String::new()
    };
    let page = render(&state, DEMO_SITE, &cookie_domain);
    ([(header::CACHE_CONTROL, "no-store")], Html(page))
}

/// The tag manager demo: Assent first, then a container whose tag fires on Assent's event.
async fn get_gtm_page(State(state): State<AppState>) -> impl IntoResponse {
    let page = GTM_PAGE
        .replace("{{ASSENT_ORIGIN}}", &state.public_origin)
        .replace("{{SITE}}", DEMO_SITE);
    ([(header::CACHE_CONTROL, "no-store")], Html(page))
}

/// The site's own account page with the privacy-settings component embedded.
async fn get_privacy_page(State(state): State<AppState>) -> impl IntoResponse {
    let page = PRIVACY_PAGE
        .replace("{{ASSENT_ORIGIN}}", &state.public_origin)
        .replace("{{SITE}}", DEMO_SITE)
        .replace(
            "{{ANALYTICS_ORIGIN}}",
            &format!("http://localhost:{}", state.demo_port.unwrap_or(0)),
        );
    ([(header::CACHE_CONTROL, "no-store")], Html(page))
}

async fn get_privacy_script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        PRIVACY_SCRIPT,
    )
}

async fn get_gtm_container() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        GTM_CONTAINER,
    )
}

/// A stand-in third-party analytics vendor. The page loads it from `localhost` instead of
/// `127.0.0.1` (same listener, another origin), so tests can tell its requests apart.
async fn get_analytics_js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        "document.cookie = '_nwa_id=' + Math.random().toString(36).slice(2) + '; path=/; max-age=34214400';\nlocalStorage.setItem('nwa_last_visit', String(Date.now()));\nwindow.__demoAnalyticsLoaded = true;\n",
    )
}

/// A stand-in third-party video embed (served from the second origin, like the analytics).
async fn get_video() -> impl IntoResponse {
    Html(
        "<!DOCTYPE html><title>Video</title><body style=\"margin:0;font:16px system-ui;display:grid;place-items:center;height:100vh;background:#111;color:#eee\">▶ Tidal turbines at work (demo video)</body>",
    )
}
