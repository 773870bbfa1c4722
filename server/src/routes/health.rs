//! Liveness and readiness.

use crate::assets::BundleName;
use crate::error::{ApiError, Result};
use crate::routes::api_doc::answers;
use crate::state::AppState;
use assent_shared::api::ErrorBody;
use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

/// Liveness: the process answers.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "operations",
    responses((status = 200, description = "Alive", body = Object, example = json!({"status": "ok"})))
)]
pub async fn get_healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// Readiness.
///
/// Ready when the database answers and takes a write (a probe that is rolled back), and the
/// banner bundle has been built. Otherwise 503 `not_ready` saying why: the database is out
/// of reach, full or read-only, or the front end is not built.
#[utoipa::path(
    get,
    path = "/readyz",
    tag = "operations",
    responses(
        (status = 200, description = "Ready, with the banner build served", body = Object, example = json!({"status": "ready", "banner_build": "9f2c…"})),
        (status = 503, description = answers::NOT_READY, body = ErrorBody),
    )
)]
pub async fn get_readyz(State(state): State<AppState>) -> Result<Json<Value>> {
    let limit = std::time::Duration::from_millis(state.config.db_timeout_ms.max(1));
    let check = async {
        state.ledger.ping().await?;
        state.ledger.write_probe().await
    };
    match tokio::time::timeout(limit, check).await {
        Err(_) => {
            return Err(ApiError::NotReady(format!(
                "the database did not answer within {} ms",
                limit.as_millis()
            )));
        }
        Ok(Err(err)) => {
            tracing::warn!(error = ?err, "readiness: the database failed its check");
            let why = crate::ledger::outage(&err).map_or("the database failed its check", |kind| kind.readiness());
            return Err(ApiError::NotReady(why.into()));
        }
        Ok(Ok(())) => {}
    }
    let dist = &state.config.dist_dir;
    match state.assets.find(dist, BundleName::Banner) {
        Ok(Some(bundle)) => Ok(Json(json!({ "status": "ready", "banner_build": bundle.build }))),
        _ => Err(ApiError::NotReady(format!(
            "the front end is not built (no banner bundle in {}): run `bash scripts/run`, or `trunk build --release` in the repository root",
            dist.join(BundleName::Banner.dir()).display()
        ))),
    }
}
