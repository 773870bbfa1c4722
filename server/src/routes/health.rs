//! Liveness and readiness.

use crate::error::{ApiError, Result};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

pub async fn get_healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// Ready when the database answers and the banner bundle has been built.
pub async fn get_readyz(State(state): State<AppState>) -> Result<Json<Value>> {
    if let Err(err) = state.ledger.ping().await {
        tracing::warn!(error = ?err, "readiness: database unreachable");
        return Err(ApiError::NotReady("the database is not reachable".into()));
    }
    let dist = &state.config.dist_dir;
    match state.assets.find(dist) {
        Ok(Some(bundle)) => Ok(Json(json!({ "status": "ready", "banner_build": bundle.build }))),
        _ => Err(ApiError::NotReady(format!(
            "the front end is not built (no banner bundle in {}): run `bash scripts/run`, or `trunk build --release` in the repository root",
            dist.join(crate::assets::BANNER_DIR).display()
        ))),
    }
}
