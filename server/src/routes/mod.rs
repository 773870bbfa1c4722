//! The table of contents: every route Assent serves, in one place.

mod admin;
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
use axum::routing::{get, post};
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
        .route(
            "/v1/sites/{site}/checkpoints/latest",
            get(checkpoints::get_latest_checkpoint),
        )
        .layer(axum::middleware::from_fn_with_state(state.clone(), cors::site_origins));

    Router::new()
        .merge(public_api)
        .route("/v1/admin/sites/{site}/verify", get(admin::get_verify))
        .route("/v1/admin/sites/{site}/checkpoints", post(admin::post_checkpoint))
        .route("/healthz", get(health::get_healthz))
        .route("/readyz", get(health::get_readyz))
        .route("/.well-known/gpc.json", get(well_known::get_gpc))
        .route("/.well-known/jwks.json", get(well_known::get_jwks))
        .route("/embed.js", get(embed::get_embed_js))
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
