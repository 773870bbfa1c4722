//! `GET /v1/sites/{site}/checkpoints/latest`: the latest signed checkpoint root, public so
//! anyone can archive it outside Assent's database.

use crate::error::{ApiError, Result};
use crate::extract::Site;
use crate::routes::api_doc::answers;
use crate::state::AppState;
use assent_shared::api::{ErrorBody, PublicCheckpoint};
use axum::Json;
use axum::extract::State;

/// The latest signed checkpoint.
///
/// The latest signed checkpoint of the site (no subject ids), for third parties to archive.
#[utoipa::path(
    get,
    path = "/v1/sites/{site}/checkpoints/latest",
    tag = "public",
    params(("site" = String, Path, description = "The site's id")),
    responses(
        (status = 200, description = "The latest checkpoint", body = PublicCheckpoint),
        (status = 403, description = answers::ORIGIN, body = ErrorBody),
        (status = 404, description = "`site_not_found`: no live site has this id; `checkpoint_not_found`: no checkpoint made yet", body = ErrorBody),
        (status = 500, description = answers::INTERNAL, body = ErrorBody),
    )
)]
pub async fn get_latest_checkpoint(State(state): State<AppState>, Site(site): Site) -> Result<Json<PublicCheckpoint>> {
    let latest = state.ledger.latest_checkpoint(&site.id).await?;
    latest.map(Json).ok_or(ApiError::NotFound {
        what: "checkpoint",
        code: "checkpoint_not_found",
    })
}
