//! `GET /v1/sites/{site}/notice?lang=`: the current notice in the best language, its hash,
//! and the regime and GPC state of this request.

use crate::error::{ApiError, Result};
use crate::extract::Site;
use crate::request_context::RequestContext;
use crate::state::AppState;
use assent_shared::api::NoticeResponse;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, header};
use axum::response::IntoResponse;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct NoticeQuery {
    lang: Option<String>,
}

pub async fn get_notice(
    State(state): State<AppState>,
    Site(site): Site,
    Query(query): Query<NoticeQuery>,
    headers: HeaderMap,
) -> Result<impl IntoResponse> {
    let notice = state.ledger.latest_notice(&site.id).await?.ok_or(ApiError::NotFound {
        what: "published notice",
        code: "notice_not_found",
    })?;
    let shown = state.notices.shown(&site.id, &notice, query.lang.as_deref())?;
    let ctx = RequestContext::from_headers(&state.config, &headers, &site.regime_overrides);
    let consent_valid_from = state
        .notices
        .consent_valid_from(state.ledger.as_ref(), &site.id, notice.version)
        .await?;
    let body = NoticeResponse {
        site_id: site.id,
        notice_hash: shown.hash.clone(),
        notice: shown.notice.clone(),
        jurisdiction: ctx.jurisdiction,
        regime: ctx.regime,
        gpc: ctx.gpc,
        consent_valid_from,
        texts: shown.texts.clone(),
    };
    // The answer depends on the request's region and GPC headers: never share it in a cache.
    Ok(([(header::CACHE_CONTROL, "private, no-store")], Json(body)))
}
