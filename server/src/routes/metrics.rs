//! `GET /metrics`: this process's metrics ([`crate::metrics`]) in the Prometheus text format,
//! for the bearer of the `metrics_token` setting only. Without the setting it answers 403:
//! request counts per route describe every site's traffic, which is not for anyone to read.

use crate::error::{ApiError, Result};
use crate::extract::bearer;
use crate::routes::api_doc::answers;
use crate::state::AppState;
use assent_shared::api::ErrorBody;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::IntoResponse;
use sha2::{Digest, Sha256};

/// Prometheus metrics.
///
/// Metrics of this process: requests by method, route and status, request durations, the
/// ledger writer's batch sizes and queue, the webhook outbox, the database pool.
#[utoipa::path(
    get,
    path = "/metrics",
    tag = "operations",
    security(("metrics_token" = [])),
    responses(
        (status = 200, description = "Prometheus text format 0.0.4", content_type = "text/plain; version=0.0.4", body = String),
        (status = 401, description = "`unauthorized`: no bearer token, or not the `metrics_token`", body = ErrorBody),
        (status = 403, description = "`forbidden`: metrics are off (no `metrics_token` is set)", body = ErrorBody),
        (status = 500, description = answers::INTERNAL, body = ErrorBody),
    )
)]
pub async fn get_metrics(State(state): State<AppState>, headers: HeaderMap) -> Result<impl IntoResponse> {
    let expected = state.config.metrics_token.as_deref().ok_or(ApiError::Forbidden(
        "metrics are off: set metrics_token (ASSENT_METRICS_TOKEN) and scrape with Authorization: Bearer <token>",
    ))?;
    // Digests compare in time independent of where the token differs.
    let given = bearer(&headers).map(|t| Sha256::digest(t.as_bytes()));
    if given != Some(Sha256::digest(expected.as_bytes())) {
        return Err(ApiError::Unauthorized(
            "scrape with Authorization: Bearer <metrics_token>",
        ));
    }
    let text = state.metrics.scrape(&state).await?;
    Ok(([(header::CONTENT_TYPE, crate::metrics::CONTENT_TYPE)], text))
}
