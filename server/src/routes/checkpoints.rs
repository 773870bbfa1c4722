//! `GET /v1/sites/{site}/checkpoints/latest`: the latest signed checkpoint root, public so
//! anyone can archive it outside Assent's database.

use crate::error::{ApiError, Result};
use crate::extract::Site;
use crate::state::AppState;
use assent_shared::api::PublicCheckpoint;
use axum::Json;
use axum::extract::State;

pub async fn get_latest_checkpoint(State(state): State<AppState>, Site(site): Site) -> Result<Json<PublicCheckpoint>> {
    let latest = state.ledger.checkpoints(&site.id).await?.pop();
    latest.map(|c| Json(c.into())).ok_or(ApiError::NotFound {
        what: "checkpoint",
        code: "checkpoint_not_found",
    })
}
