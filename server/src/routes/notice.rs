//! `GET /v1/sites/{site}/notice?lang=`: the current notice in the best language, its hash,
//! and the regime and GPC state of this request. `&first=1` (the loader, for a visitor with
//! no stored choice) counts one banner shown in the statistics; `&preview=TOKEN` answers the
//! site's notice draft instead (a preview link's token), counted nowhere.

use crate::auth::PreviewClaims;
use crate::error::{ApiError, Result};
use crate::extract::{ApiQuery, Site};
use crate::notice_cache::ShownNotice;
use crate::request_context::{RequestContext, client_ip};
use crate::routes::api_doc::answers;
use crate::state::AppState;
use assent_shared::api::{ErrorBody, NoticeResponse};
use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, header};
use axum::response::IntoResponse;
use serde::Deserialize;
use std::net::SocketAddr;
use std::sync::Arc;

/// The longest `lang` list taken (a browser's whole `navigator.languages` fits many times).
const LANG_MAX_LEN: usize = 256;

/// `lang` is a list of language tags as `Accept-Language` writes it: tags of letters, digits
/// and `-`/`_`, separated by commas, with optional `;q=` weights. An unknown tag falls back
/// to the notice's default language; what cannot be a tag list at all is refused.
fn check_lang(lang: &str) -> Result<(), assent_shared::Invalid> {
    let allowed = |c: u8| c.is_ascii_alphanumeric() || b"-_,;=.* ".contains(&c);
    if lang.len() > LANG_MAX_LEN || !lang.bytes().all(allowed) {
        return Err(assent_shared::Invalid::new(
            "lang",
            format!("must be language tags (`de`, `pt-BR`, `nl-NL,nl;q=0.8`), at most {LANG_MAX_LEN} characters"),
        ));
    }
    Ok(())
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NoticeQuery {
    /// The visitor's languages, most wanted first: one tag (`de`, `pt-BR`) or a list
    /// (`nl-NL,nl,de,en`, or with `;q=` weights); the first the notice has is served.
    /// Without it, the `Accept-Language` header is used.
    lang: Option<String>,
    /// `1` when the loader asks for a visitor with no stored choice: the banner is about to
    /// show, and the anonymous daily counter of the statistics funnel moves.
    first: Option<String>,
    /// A preview token (`POST /v1/admin/sites/{site}/draft/preview`): answer the site's draft
    /// instead of its published notice.
    preview: Option<String>,
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
        (status = 200, description = "The notice (with `preview`, the site's draft)", body = NoticeResponse),
        (status = 401, description = "`unauthorized`: the `preview` token is not valid for this site or has expired", body = ErrorBody),
        (status = 403, description = answers::ORIGIN, body = ErrorBody),
        (status = 404, description = "`site_not_found`: no live site has this id; `notice_not_found`: the site has published no notice; `draft_not_found`: a preview of a site without a draft", body = ErrorBody),
        (status = 422, description = answers::INVALID, body = ErrorBody),
        (status = 500, description = answers::INTERNAL, body = ErrorBody),
    )
)]
pub async fn get_notice(
    State(state): State<AppState>,
    Site(site): Site,
    ApiQuery(query): ApiQuery<NoticeQuery>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Result<impl IntoResponse> {
    if let Some(lang) = &query.lang {
        check_lang(lang)?;
    }
    let ctx = RequestContext::from_headers(&state.config, &headers, &site.regime_overrides);
    // The visitor's languages in order: the loader sends `navigator.languages`; without
    // `lang`, the browser's own `Accept-Language`.
    let wanted = query
        .lang
        .as_deref()
        .or_else(|| headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()));
    let (shown, consent_valid_from) = match query.preview.as_deref() {
        Some(token) => {
            if !PreviewClaims::opens(&state.keys, token, site.id.as_str()) {
                return Err(ApiError::Unauthorized(
                    "the preview link is not valid for this site or has expired; ask for a new one",
                ));
            }
            let notice = state
                .db
                .draft(&site.id)
                .await?
                .ok_or_else(ApiError::draft_not_found)?
                .notice;
            notice.validate()?;
            let language = notice.negotiate_language(wanted).to_owned();
            let version = notice.version;
            (Arc::new(ShownNotice::of(&notice, &language)?), version)
        }
        None => {
            let notice = state.ledger.latest_notice(&site.id).await?.ok_or(ApiError::NotFound {
                what: "published notice",
                code: "notice_not_found",
            })?;
            // Counted only for a page's own request: browsers send `Origin` with the loader's
            // (cross-origin, CORS-mode) fetch, and the CORS layer let only the site's through.
            if query.first.as_deref() == Some("1") && headers.contains_key(header::ORIGIN) {
                let client = client_ip(&state.config, &headers, peer.ip());
                state.impressions.count(&site.id, ctx.regime, client);
            }
            let from = state
                .notices
                .consent_valid_from(state.ledger.as_ref(), &site.id, notice.version)
                .await?;
            (state.notices.shown(&site.id, &notice, wanted)?, from)
        }
    };
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
