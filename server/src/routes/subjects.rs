//! A subject's own records, readable only with its subject token.

use crate::error::{ApiError, Result};
use crate::extract::authorize_subject;
use crate::state::AppState;
use assent_shared::Invalid;
use assent_shared::api::ConsentHistory;
use assent_shared::ids::SubjectId;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderMap;

/// `GET /v1/sites/{site}/subjects/{subject}/consents`: the subject's chain, oldest first.
pub async fn get_history(
    State(state): State<AppState>,
    Path((site, subject)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Json<ConsentHistory>> {
    let site = state.site(&site).ok_or_else(ApiError::site_not_found)?;
    let subject = SubjectId::parse(&subject).map_err(|e: Invalid| ApiError::Invalid(e))?;
    authorize_subject(&state.keys, &headers, &site.id, &subject)?;
    if !state.ledger.subject_exists(&site.id, &subject).await? {
        return Err(ApiError::NotFound {
            what: "subject",
            code: "subject_not_found",
        });
    }
    let events = state.ledger.history(&site.id, &subject).await?;
    Ok(Json(ConsentHistory {
        site_id: site.id,
        subject_id: subject,
        events,
    }))
}
