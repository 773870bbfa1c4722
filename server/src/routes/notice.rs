//! `GET /v1/sites/{site}/notice?lang=`: the current notice in the best language, its hash,
//! and the regime and GPC state of this request.

use crate::error::{ApiError, Result};
use crate::extract::{ApiQuery, Site};
use crate::request_context::RequestContext;
use crate::routes::api_doc::answers;
use crate::state::AppState;
use assent_shared::api::{ErrorBody, NoticeResponse};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::IntoResponse;
use serde::Deserialize;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NoticeQuery {
    /// The visitor's preferred language (`de`, `pt-BR`); the best the notice has is served.
    lang: Option<String>,
}

/// The current notice, its hash, and this request's regime.
///
/// The current notice in the best language, its hash (echo it when recording a decision),
/// and the regime and GPC state of this request. Never cached by shared caches.
#[utoipa::path(
    get,
    path = "/v1/sites/{site}/notice",
    tag = "public",
    params(("site" = String, Path, description = "The site's id"), NoticeQuery),
    responses(
        (status = 200, description = "The notice", body = NoticeResponse),
        (status = 403, description = answers::ORIGIN, body = ErrorBody),
        (status = 404, description = "`site_not_found`: no live site has this id; `notice_not_found`: the site has published no notice", body = ErrorBody),
        (status = 422, description = answers::INVALID, body = ErrorBody),
        (status = 500, description = answers::INTERNAL, body = ErrorBody),
    )
)]
pub async fn get_notice(
    State(state): State<AppState>,
    Site(site): Site,
    ApiQuery(query): ApiQuery<NoticeQuery>,
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
