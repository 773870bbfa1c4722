//! Admin API (`/v1/admin/…`, Bearer admin token scoped per site): ledger verification and
//! checkpoints.

use crate::error::{ApiError, Result};
use crate::extract::authorize_admin;
use crate::ledger::{checkpoint, verify};
use crate::state::AppState;
use assent_shared::api::{Checkpoint, VerifyReport};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};

/// `GET /v1/admin/sites/{site}/verify`: re-walks every chain and checkpoint of the site.
pub async fn get_verify(
    State(state): State<AppState>,
    Path(site): Path<String>,
    headers: HeaderMap,
) -> Result<Json<VerifyReport>> {
    let site = state.site(&site).ok_or_else(ApiError::site_not_found)?;
    authorize_admin(&state.keys, &headers, &site.id)?;
    let file = Some(state.config.checkpoint_file.as_path());
    Ok(Json(
        verify::verify_site(state.ledger.as_ref(), &state.keys, &site.id, file).await?,
    ))
}

/// `POST /v1/admin/sites/{site}/checkpoints`: makes a signed checkpoint now.
pub async fn post_checkpoint(
    State(state): State<AppState>,
    Path(site): Path<String>,
    headers: HeaderMap,
) -> Result<(StatusCode, Json<Checkpoint>)> {
    let site = state.site(&site).ok_or_else(ApiError::site_not_found)?;
    authorize_admin(&state.keys, &headers, &site.id)?;
    let file = Some(state.config.checkpoint_file.as_path());
    let made = checkpoint::make(state.ledger.as_ref(), &state.keys, &site.id, file).await?;
    Ok((StatusCode::CREATED, Json(made)))
}
