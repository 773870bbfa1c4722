//! The table of contents: every route Assent serves, in one place.
//!
//! Each entry is `routes!(handler, …)` (handlers of one path together), and each handler's
//! `#[utoipa::path]` states its method, path, parameters, bodies, security and every answer.
//! The one list builds both the axum router ([`router`]) and the OpenAPI document
//! ([`openapi`], served at `/openapi.json`), so a route cannot be served undocumented or
//! documented unserved. The only route outside it is `/assets/…`, the banner's static files.

pub mod admin;
pub mod api_doc;
mod checkpoints;
mod consents;
mod cors;
mod dashboard;
pub mod demo;
pub mod demo_tcf;
mod docs;
mod embed;
mod gvl;
mod health;
mod identity;
mod metrics;
mod notice;
mod settings;
mod settings_api;
mod settings_page;
mod subjects;
mod sync;
mod well_known;

use crate::error::ApiError;
use crate::state::AppState;
use axum::Router;
use axum::extract::MatchedPath;
use axum::http::Request;
use axum::middleware::from_fn_with_state;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi as _;
use utoipa::openapi::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The public API (`/v1/sites/{site}/…`), which per-site CORS guards; its server-to-server
/// calls (tag `site_backend`) answer only to the site secret.
fn public_api() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(notice::get_notice))
        .routes(routes!(notice::get_notice_version))
        .routes(routes!(gvl::get_site_gvl))
        .routes(routes!(consents::post_consent))
        .routes(routes!(subjects::get_history))
        .routes(routes!(subjects::get_kantara_receipt))
        .routes(routes!(subjects::get_receipt))
        .routes(routes!(subjects::get_current))
        .routes(routes!(subjects::get_export))
        .routes(routes!(subjects::post_erasure))
        .routes(routes!(settings::post_settings_link))
        .routes(routes!(embed::get_loader_json))
        .routes(routes!(checkpoints::get_latest_checkpoint))
        .routes(routes!(sync::post_sync))
        .routes(routes!(identity::post_identity_link))
        .routes(routes!(identity::delete_identity_link))
        .routes(routes!(identity::post_account_assertion))
}

/// `/v1/admin/…`: guards are in the handlers' signatures (see `crate::admin_auth`).
fn admin_api() -> OpenApiRouter<AppState> {
    use admin::{ledger, notices, session, sites, stats, subjects, tcf, users, webhooks};
    OpenApiRouter::default()
        .routes(routes!(session::post_login))
        .routes(routes!(session::post_logout))
        .routes(routes!(session::post_password))
        .routes(routes!(session::get_me))
        .routes(routes!(users::get_users, users::post_user))
        .routes(routes!(users::get_audit))
        .routes(routes!(sites::get_sites, sites::post_site))
        .routes(routes!(sites::get_site, sites::patch_site))
        .routes(routes!(sites::post_archive))
        .routes(routes!(sites::post_secret))
        .routes(routes!(sites::get_members, sites::put_member))
        .routes(routes!(users::get_site_audit))
        .routes(routes!(notices::get_notices))
        .routes(routes!(notices::get_notice_version))
        .routes(routes!(notices::get_draft, notices::put_draft))
        .routes(routes!(notices::post_publish))
        .routes(routes!(notices::post_preview))
        .routes(routes!(notices::post_lint))
        .routes(routes!(subjects::get_subject))
        .routes(routes!(subjects::get_subject_export))
        .routes(routes!(subjects::get_subject_receipt))
        .routes(routes!(subjects::post_subject_erasure))
        .routes(routes!(subjects::get_account))
        .routes(routes!(stats::get_stats))
        .routes(routes!(ledger::get_verify))
        .routes(routes!(ledger::get_export))
        .routes(routes!(ledger::post_checkpoint))
        .routes(routes!(webhooks::get_webhooks, webhooks::post_webhook))
        .routes(routes!(webhooks::patch_webhook, webhooks::delete_webhook))
        .routes(routes!(webhooks::post_rotate_secret))
        .routes(routes!(webhooks::get_deliveries))
        .routes(routes!(tcf::get_gvl))
        .routes(routes!(tcf::post_refresh))
        .routes(routes!(tcf::get_vendors))
}

/// The hosted privacy-settings page, its session, its notice and the subject's records under
/// its path, where its cookie is sent (same origin as this server: no CORS).
fn settings_page() -> OpenApiRouter<AppState> {
    OpenApiRouter::default()
        .routes(routes!(settings_page::get_page))
        .routes(routes!(settings_page::get_boot))
        .routes(routes!(settings::post_session, settings::get_session))
        .routes(routes!(settings_api::get_notice))
        .routes(routes!(settings_api::get_notice_version))
        .routes(routes!(settings_api::get_history))
        .routes(routes!(settings_api::get_current))
        .routes(routes!(settings_api::get_export))
        .routes(routes!(settings_api::get_kantara_receipt))
        .routes(routes!(settings_api::get_receipt))
        .routes(routes!(settings_api::post_erasure))
        .routes(routes!(settings_api::post_consent))
}

/// Everything but the public API, on the document's fixed part ([`api_doc::ApiDoc`]).
fn other_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(api_doc::ApiDoc::openapi())
        .routes(routes!(health::get_healthz))
        .routes(routes!(health::get_readyz))
        .routes(routes!(metrics::get_metrics))
        .routes(routes!(docs::get_openapi))
        .routes(routes!(docs::get_page))
        .routes(routes!(docs::get_script))
        .routes(routes!(docs::get_style))
        .routes(routes!(well_known::get_gpc))
        .routes(routes!(well_known::get_jwks))
        .routes(routes!(embed::get_embed_js))
        .routes(routes!(demo::get_preview_page))
        .routes(routes!(dashboard::get_page))
        .routes(routes!(dashboard::get_boot))
        .merge(admin_api())
}

/// The OpenAPI 3.1 document of every route above, as `/openapi.json` serves it.
pub fn openapi() -> OpenApi {
    let mut limited = public_api().merge(settings_page());
    api_doc::rate_limited(limited.get_openapi_mut());
    other_routes().merge(limited).into_openapi()
}

pub fn router(state: AppState) -> Router {
    // The JSON 405 goes in before any layer: axum swaps in a route's 405 answer only while it
    // is the default one, so setting it after a layer would replace the layered default and
    // the layer (CORS preflights, metrics, tracing) would no longer see those requests.
    // Rate limits sit inside CORS, so a 429 still carries the headers that let the page read it.
    let (public, _) = public_api().split_for_parts();
    let public = crate::rate_limit::limit(public.method_not_allowed_fallback(method_not_allowed), &state.config)
        .layer(from_fn_with_state(state.clone(), cors::site_origins));
    let (settings, _) = settings_page().split_for_parts();
    let settings = crate::rate_limit::limit(settings.method_not_allowed_fallback(method_not_allowed), &state.config);
    let (other, _) = other_routes().split_for_parts();
    other
        .merge(public)
        .merge(settings)
        // The banner's hashed build output: static files, not API.
        .nest_service(
            "/assets",
            Router::new()
                .fallback_service(embed::assets_service(state.config.dist_dir.clone()))
                .layer(axum::middleware::map_response(missing_file_as_json))
                .layer(axum::middleware::from_fn(build_output_only)),
        )
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(|| async {
            ApiError::NotFound {
                what: "route",
                code: "not_found",
            }
        })
        .layer(from_fn_with_state(state.config.clone(), crate::request_bound::bound))
        // Outside the bound: what the request line and headers alone refuse is refused before
        // the body is waited for.
        .layer(axum::middleware::from_fn(crate::request_limits::check))
        .layer(from_fn_with_state(state.metrics.clone(), crate::metrics::track))
        .layer(axum::middleware::map_response_with_state(
            state.config.clone(),
            |axum::extract::State(config): axum::extract::State<std::sync::Arc<crate::config::Config>>,
             response: axum::response::Response| async move {
                crate::security_headers::apply(&config, response)
            },
        ))
        // Brotli or gzip for what is not stored compressed already (the loader and the notice
        // are on every first visit's critical path); event streams are left alone.
        .layer(tower_http::compression::CompressionLayer::new())
        .layer(trace_layer())
        .with_state(state)
}

/// A file the build does not have: the one JSON error shape, like every other 404.
async fn missing_file_as_json(response: axum::response::Response) -> axum::response::Response {
    if response.status() == axum::http::StatusCode::NOT_FOUND {
        axum::response::IntoResponse::into_response(ApiError::NotFound {
            what: "file",
            code: "not_found",
        })
    } else {
        response
    }
}

/// Trunk leaves its entry page (`index.html`) beside each bundle; it is no page of Assent's,
/// so only the built files themselves (scripts, wasm, styles) are served under `/assets`.
/// Their names are plain (letters, digits, `.`, `-`, `_`, never starting with a dot) in plain
/// directories: a path with anything else — a percent-escape the file service would decode
/// into `index.html`, an empty or `.` segment it would drop — is not one of them.
async fn build_output_only(
    request: Request<axum::body::Body>,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let path = request.uri().path();
    let plain = path.bytes().all(|b| b.is_ascii_alphanumeric() || b"./-_".contains(&b));
    let segments_plain = path
        .trim_start_matches('/')
        .split('/')
        .all(|segment| !segment.is_empty() && !segment.starts_with('.'));
    if !plain || !segments_plain || path.ends_with(".html") {
        return axum::response::IntoResponse::into_response(ApiError::NotFound {
            what: "file",
            code: "not_found",
        });
    }
    next.run(request).await
}

async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}

/// One span per request, named by the matched route (not the raw path, which holds ids).
pub fn trace_layer() -> TraceLayer<
    tower_http::classify::SharedClassifier<tower_http::classify::ServerErrorsAsFailures>,
    impl Fn(&Request<axum::body::Body>) -> tracing::Span + Clone,
> {
    TraceLayer::new_for_http().make_span_with(|req: &Request<axum::body::Body>| {
        let route = req
            .extensions()
            .get::<MatchedPath>()
            .map_or("unmatched", MatchedPath::as_str);
        tracing::info_span!("http", method = %req.method(), route)
    })
}
