//! Ledger verification and checkpoints of one site.

use crate::admin_auth::{SiteOwner, SiteViewer};
use crate::error::Result;
use crate::ledger::{checkpoint, verify};
use crate::state::AppState;
use assent_shared::api::{Checkpoint, VerifyReport};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

/// `GET /v1/admin/sites/{site}/verify` (viewer): re-walks every chain and checkpoint.
pub async fn get_verify(
    State(state): State<AppState>,
    SiteViewer { site, .. }: SiteViewer,
) -> Result<Json<VerifyReport>> {
    let file = Some(state.config.checkpoint_file.as_path());
    Ok(Json(
        verify::verify_site(state.ledger.as_ref(), &state.keys, &site.id, file).await?,
    ))
}

/// `POST /v1/admin/sites/{site}/checkpoints` (owner): makes a signed checkpoint now.
pub async fn post_checkpoint(
    State(state): State<AppState>,
    SiteOwner { site, .. }: SiteOwner,
) -> Result<(StatusCode, Json<Checkpoint>)> {
    let file = Some(state.config.checkpoint_file.as_path());
    let made = checkpoint::make(state.ledger.as_ref(), &state.keys, &site.id, file).await?;
    Ok((StatusCode::CREATED, Json(made)))
}
