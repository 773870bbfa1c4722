//! `GET /v1/sites/{site}/notice?lang=`: the current notice in the best language, its hash,
//! and the regime and GPC state of this request. `&first=1` (the loader, for a visitor with
//! no stored choice) counts one banner shown in the statistics; `&layer=1` adds the first
//! layer rendered as HTML (`assent_shared::first_layer`), which the loader shows at once;
//! `&preview=TOKEN` answers the site's notice draft instead (a preview link's token),
//! counted nowhere. `GET
//! /v1/sites/{site}/notice/versions/{version}?lang=`: a published version, as an event
//! recorded under it was shown. The hosted settings page asks the same under its own path
//! ([`super::settings_api`]).

use crate::auth::PreviewClaims;
use crate::error::{ApiError, Result};
use crate::extract::{ApiQuery, Site};
use crate::ledger::SiteRecord;
use crate::notice_cache::ShownNotice;
use crate::request_context::{RequestContext, client_ip};
use crate::routes::api_doc::answers;
use crate::state::AppState;
use assent_shared::Invalid;
use assent_shared::api::{ErrorBody, NoticeResponse, NoticeVersionResponse};
use assent_shared::arrival::PageView;
use assent_shared::banner_texts::BannerTexts;
use assent_shared::first_layer::{self, FirstLayer};
use assent_shared::regime::Regime;
use axum::Json;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::net::{IpAddr, SocketAddr};

/// The longest `lang` list taken (a browser's whole `navigator.languages` fits many times).
const LANG_MAX_LEN: usize = 256;

/// `lang` is a list of language tags as `Accept-Language` writes it: tags of letters, digits
/// and `-`/`_`, separated by commas, with optional `;q=` weights. An unknown tag falls back
/// to the notice's default language; what cannot be a tag list at all is refused.
pub(super) fn check_lang(lang: &str) -> Result<(), assent_shared::Invalid> {
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
    /// With `preview` only: answer as a request from a place under this regime would be
    /// answered (`opt_in`, `opt_out`, `notice`), so the dashboard's preview can show each.
    /// Refused without `preview`: a visitor's regime comes from trusted headers alone.
    #[param(value_type = Option<String>)]
    regime: Option<Regime>,
    /// `1`: answer the first layer too, rendered as HTML (`first_layer`), as a visitor with no
    /// stored choice sees it; `0` or absent: not.
    #[param(value_type = Option<String>)]
    layer: Option<Flag>,
    /// `1`: the page's script sees a Global Privacy Control signal
    /// (`navigator.globalPrivacyControl`), which the rendered layer acknowledges like the
    /// `Sec-GPC` header; `0` or absent: only the header counts.
    #[param(value_type = Option<String>)]
    gpc: Option<Flag>,
}

/// A yes/no query parameter: `1` or `0`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
enum Flag {
    #[serde(rename = "1")]
    Yes,
    #[serde(rename = "0")]
    No,
}

impl Flag {
    fn is_set(flag: Option<Flag>) -> bool {
        flag == Some(Flag::Yes)
    }
}

/// What the answer renders of the first layer: nothing, or the layer for this GPC state of
/// the page's script.
#[derive(Debug, Clone, Copy)]
pub(super) struct Render {
    layer: bool,
    script_gpc: bool,
}

impl Render {
    /// The notice alone.
    pub(super) const NOTHING: Render = Render {
        layer: false,
        script_gpc: false,
    };
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
) -> Result<Response> {
    if let Some(lang) = &query.lang {
        check_lang(lang)?;
    }
    let wanted = wanted_languages(query.lang.as_deref(), &headers);
    let render = Render {
        layer: Flag::is_set(query.layer),
        script_gpc: Flag::is_set(query.gpc),
    };
    let Some(token) = query.preview.as_deref() else {
        if query.regime.is_some() {
            return Err(Invalid::new("regime", "is taken only with `preview` (a draft preview's token)").into());
        }
        // Counted only for a page's own request: browsers send `Origin` with the loader's
        // (cross-origin, CORS-mode) fetch, and the CORS layer let only the site's through.
        let count = query.first.as_deref() == Some("1") && headers.contains_key(header::ORIGIN);
        let client = count.then(|| client_ip(&state.config, &headers, peer.ip()));
        return current_notice(&state, site, wanted, &headers, client, render).await;
    };
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
    let shown = ShownNotice::of(&notice, &language)?;
    let mut ctx = RequestContext::from_headers(&state.config, &headers, &site.regime_overrides);
    if let Some(regime) = query.regime {
        ctx.regime = regime;
    }
    Ok(respond(site, ctx, &shown, notice.version, render))
}

/// The visitor's languages in order: the loader sends `navigator.languages` as `lang`;
/// without it, the browser's own `Accept-Language`.
pub(super) fn wanted_languages<'a>(lang: Option<&'a str>, headers: &'a HeaderMap) -> Option<&'a str> {
    lang.or_else(|| headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()))
}

/// The site's latest published notice as `GET /v1/sites/{site}/notice` answers it, in the
/// best of `wanted`, for this request's region and GPC signal; with `count_for`, one banner
/// shown is counted for that client in the anonymous statistics.
pub(super) async fn current_notice(
    state: &AppState,
    site: SiteRecord,
    wanted: Option<&str>,
    headers: &HeaderMap,
    count_for: Option<IpAddr>,
    render: Render,
) -> Result<Response> {
    let notice = state
        .notices
        .latest(state.ledger.as_ref(), &site.id)
        .await?
        .ok_or_else(notice_not_found)?;
    let ctx = RequestContext::from_headers(&state.config, headers, &site.regime_overrides);
    if let Some(client) = count_for {
        state.impressions.count(&site.id, ctx.regime, client);
    }
    let from = state
        .notices
        .consent_valid_from(state.ledger.as_ref(), &site.id, notice.version)
        .await?;
    let shown = state.notices.shown(&site.id, &notice, wanted)?;
    Ok(respond(site, ctx, &shown, from, render))
}

/// The answer for `shown`: the notice, its hash, this request's region and GPC state, and
/// with `render.layer` the first layer a visitor without a stored choice sees.
fn respond(
    site: SiteRecord,
    ctx: RequestContext,
    shown: &ShownNotice,
    consent_valid_from: u32,
    render: Render,
) -> Response {
    let first_layer = render
        .layer
        .then(|| {
            let page = PageView {
                regime: ctx.regime,
                consent_valid_from,
                gpc_signal: render.script_gpc || ctx.gpc,
            };
            let texts = BannerTexts::from_map(&shown.texts);
            FirstLayer::first_visit(&shown.notice, &texts, page, &ctx.jurisdiction)
        })
        .flatten()
        .map(first_layer::render);
    let body = NoticeResponse {
        site_id: site.id,
        notice_hash: shown.hash.clone(),
        notice: shown.notice.clone(),
        jurisdiction: ctx.jurisdiction,
        regime: ctx.regime,
        gpc: ctx.gpc,
        consent_valid_from,
        texts: shown.texts.clone(),
        first_layer,
    };
    // The answer depends on the request's region and GPC headers: never share it in a cache.
    ([(header::CACHE_CONTROL, "private, no-store")], Json(body)).into_response()
}

fn notice_not_found() -> ApiError {
    ApiError::NotFound {
        what: "published notice",
        code: "notice_not_found",
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LangQuery {
    /// The visitor's languages, most wanted first: one tag (`de`, `pt-BR`) or a list
    /// (`nl-NL,nl,de,en`, or with `;q=` weights); the first the notice has is served.
    /// Without it, the `Accept-Language` header is used.
    pub lang: Option<String>,
}

/// A published notice version, localized.
///
/// `GET /v1/sites/{site}/notice/versions/{version}?lang=`: a notice version as visitors were
/// shown it in the best of `lang` — with an event's `language`, exactly what that event was
/// recorded under (its `notice_hash` equals the event's). Only published versions: a draft is
/// never answered here.
#[utoipa::path(
    get,
    path = "/v1/sites/{site}/notice/versions/{version}",
    tag = "public",
    params(("site" = String, Path, description = "The site's id"), ("version" = u32, Path, description = "A published version number (an event's `notice_version`)"), LangQuery),
    responses(
        (status = 200, description = "The version in the best language, and its hash", body = NoticeVersionResponse),
        (status = 403, description = answers::ORIGIN, body = ErrorBody),
        (status = 404, description = "`site_not_found`: no live site has this id; `notice_not_found`: the site never published this version", body = ErrorBody),
        (status = 422, description = "`invalid_input`: the version is not a positive number, or a query parameter of the wrong shape", body = ErrorBody),
        (status = 500, description = answers::INTERNAL, body = ErrorBody),
    )
)]
pub async fn get_notice_version(
    State(state): State<AppState>,
    Site(site): Site,
    Path((_, version)): Path<(String, String)>,
    ApiQuery(query): ApiQuery<LangQuery>,
    headers: HeaderMap,
) -> Result<Response> {
    let version: u32 = version
        .parse()
        .map_err(|_| Invalid::new("version", "a notice version is a positive number"))?;
    let notice = state
        .notices
        .version(state.ledger.as_ref(), &site.id, version)
        .await?
        .ok_or_else(notice_not_found)?;
    let shown = state
        .notices
        .shown(&site.id, &notice, wanted_languages(query.lang.as_deref(), &headers))?;
    let body = NoticeVersionResponse {
        version,
        notice_hash: shown.hash.clone(),
        notice: shown.notice.clone(),
    };
    // A published version never changes; which language is answered may follow the
    // browser's `Accept-Language`.
    Ok((
        [
            (header::CACHE_CONTROL, "private, max-age=86400"),
            (header::VARY, "Accept-Language"),
        ],
        Json(body),
    )
        .into_response())
}
