//! `/.well-known/` documents: this origin's GPC support and the receipt-signing keys.

use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use serde_json::{Value, json};

/// GPC support of *this* origin (each site serves its own; see the README).
pub async fn get_gpc(State(state): State<AppState>) -> Json<Value> {
    Json(json!({ "gpc": true, "lastUpdate": state.config.gpc_last_update }))
}

pub async fn get_jwks(State(state): State<AppState>) -> impl IntoResponse {
    (
        [
            (header::CACHE_CONTROL, "public, max-age=300"),
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
        ],
        Json(state.keys.jwks()),
    )
}
