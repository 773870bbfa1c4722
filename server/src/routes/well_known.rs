//! `/.well-known/` documents: this origin's GPC support and the receipt-signing keys.

use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use serde_json::{Value, json};

/// This origin's Global Privacy Control support.
///
/// GPC support of *this* origin (each site serves its own; see the README).
#[utoipa::path(
    get,
    path = "/.well-known/gpc.json",
    tag = "public",
    responses((status = 200, description = "The GPC support resource", body = Object, example = json!({"gpc": true, "lastUpdate": "2026-11-01"})))
)]
pub async fn get_gpc(State(state): State<AppState>) -> Json<Value> {
    Json(json!({ "gpc": true, "lastUpdate": state.config.gpc_last_update }))
}

/// The signing keys.
///
/// The public keys that sign receipts, checkpoints and tokens (a JSON Web Key Set, RFC 7517),
/// so anyone can verify a receipt offline.
#[utoipa::path(
    get,
    path = "/.well-known/jwks.json",
    tag = "public",
    responses((status = 200, description = "The key set (`Cache-Control: public, max-age=300`)", body = Object))
)]
pub async fn get_jwks(State(state): State<AppState>) -> impl IntoResponse {
    (
        [
            (header::CACHE_CONTROL, "public, max-age=300"),
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
        ],
        Json(state.keys.jwks()),
    )
}
