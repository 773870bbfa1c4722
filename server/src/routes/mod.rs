//! The table of contents: every route Assent serves, in one place.

pub mod admin;
mod checkpoints;
mod consents;
mod cors;
pub mod demo;
mod embed;
mod health;
mod notice;
mod subjects;
mod well_known;

use crate::error::ApiError;
use crate::state::AppState;
use axum::Router;
use axum::extract::MatchedPath;
use axum::http::Request;
use axum::routing::{get, patch, post};
use tower_http::trace::TraceLayer;

pub fn router(state: AppState) -> Router {
    let public_api = Router::new()
        .route("/v1/sites/{site}/notice", get(notice::get_notice))
        .route("/v1/sites/{site}/consents", post(consents::post_consent))
        .route(
            "/v1/sites/{site}/subjects/{subject}/consents",
            get(subjects::get_history),
        )
        .route(
            "/v1/sites/{site}/subjects/{subject}/consents/{event}/kantara",
            get(subjects::get_kantara_receipt),
        )
        .route(
            "/v1/sites/{site}/subjects/{subject}/current",
            get(subjects::get_current),
        )
        .route("/v1/sites/{site}/subjects/{subject}/export", get(subjects::get_export))
        .route(
            "/v1/sites/{site}/subjects/{subject}/erasure",
            post(subjects::post_erasure),
        )
        .route("/v1/sites/{site}/loader.json", get(embed::get_loader_json))
        .route(
            "/v1/sites/{site}/checkpoints/latest",
            get(checkpoints::get_latest_checkpoint),
        )
        .layer(axum::middleware::from_fn_with_state(state.clone(), cors::site_origins));

    Router::new()
        .merge(public_api)
        .merge(admin_api())
        .route("/healthz", get(health::get_healthz))
        .route("/readyz", get(health::get_readyz))
        .route("/.well-known/gpc.json", get(well_known::get_gpc))
        .route("/.well-known/jwks.json", get(well_known::get_jwks))
        .route("/embed.js", get(embed::get_embed_js))
        .route("/preview/{site}", get(demo::get_preview_page))
        .nest_service("/assets", embed::assets_service(state.config.dist_dir.clone()))
        .fallback(|| async {
            ApiError::NotFound {
                what: "route",
                code: "not_found",
            }
        })
        .layer(trace_layer())
        .with_state(state)
}

/// `/v1/admin/…`: guards are in the handlers' signatures (see `crate::admin_auth`).
fn admin_api() -> Router<AppState> {
    use admin::{ledger, notices, session, sites, stats, subjects, users, webhooks};
    Router::new()
        .route("/v1/admin/login", post(session::post_login))
        .route("/v1/admin/logout", post(session::post_logout))
        .route("/v1/admin/password", post(session::post_password))
        .route("/v1/admin/me", get(session::get_me))
        .route("/v1/admin/users", get(users::get_users).post(users::post_user))
        .route("/v1/admin/audit", get(users::get_audit))
        .route("/v1/admin/sites", get(sites::get_sites).post(sites::post_site))
        .route("/v1/admin/sites/{site}", get(sites::get_site).patch(sites::patch_site))
        .route("/v1/admin/sites/{site}/archive", post(sites::post_archive))
        .route("/v1/admin/sites/{site}/secret", post(sites::post_secret))
        .route(
            "/v1/admin/sites/{site}/members",
            get(sites::get_members).put(sites::put_member),
        )
        .route("/v1/admin/sites/{site}/audit", get(users::get_site_audit))
        .route("/v1/admin/sites/{site}/notices", get(notices::get_notices))
        .route(
            "/v1/admin/sites/{site}/notices/{version}",
            get(notices::get_notice_version),
        )
        .route(
            "/v1/admin/sites/{site}/draft",
            get(notices::get_draft).put(notices::put_draft),
        )
        .route("/v1/admin/sites/{site}/draft/publish", post(notices::post_publish))
        .route("/v1/admin/sites/{site}/draft/preview", post(notices::post_preview))
        .route("/v1/admin/sites/{site}/lint", post(notices::post_lint))
        .route("/v1/admin/sites/{site}/subjects/{subject}", get(subjects::get_subject))
        .route("/v1/admin/sites/{site}/stats", get(stats::get_stats))
        .route("/v1/admin/sites/{site}/verify", get(ledger::get_verify))
        .route("/v1/admin/sites/{site}/export", get(ledger::get_export))
        .route("/v1/admin/sites/{site}/checkpoints", post(ledger::post_checkpoint))
        .route(
            "/v1/admin/sites/{site}/webhooks",
            get(webhooks::get_webhooks).post(webhooks::post_webhook),
        )
        .route(
            "/v1/admin/sites/{site}/webhooks/{id}",
            patch(webhooks::patch_webhook).delete(webhooks::delete_webhook),
        )
        .route(
            "/v1/admin/sites/{site}/webhooks/{id}/rotate-secret",
            post(webhooks::post_rotate_secret),
        )
        .route(
            "/v1/admin/sites/{site}/webhooks/{id}/deliveries",
            get(webhooks::get_deliveries),
        )
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
