//! `GET /v1/sites/{site}/gvl?lang=`: the site's share of the IAB Global Vendor List for its
//! banner's TCF layer — the vendors its latest notice declares and what they use
//! (`VendorList::for_site`), texts in the notice's language where a translation is held —
//! with the CMP identity and publisher country its TC strings carry.

use crate::auth::PreviewClaims;
use crate::error::{ApiError, Result};
use crate::extract::{ApiQuery, Site};
use crate::routes::api_doc::answers;
use crate::routes::notice::wanted_languages;
use crate::state::AppState;
use crate::tcf::cache::{LoadedGvl, ServedGvl};
use crate::tcf::fetch::translation_language;
use assent_shared::api::ErrorBody;
use assent_shared::notice::TcfSettings;
use assent_shared::tcf_api::{CmpIdentity, SiteGvlResponse};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

/// `lang`, and a draft preview's token.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GvlQuery {
    /// The visitor's languages, most wanted first, as for the notice (`LangQuery`).
    pub lang: Option<String>,
    /// A preview token (`POST /v1/admin/sites/{site}/draft/preview`): the list for the
    /// draft's `tcf` section (what the dashboard's live preview shows), `Cache-Control:
    /// no-store`.
    pub preview: Option<String>,
}

/// A site's vendor list.
///
/// The Global Vendor List (format version 3) narrowed to the vendors the site's latest
/// notice declares in its `tcf` section, localized to the notice language that best matches
/// `lang` (or `Accept-Language`) when a translation of the list is held, else English.
/// `ETag` and `Cache-Control: no-cache`: a banner revalidates with `If-None-Match` and gets a
/// `304` until the list or the notice changes.
#[utoipa::path(
    get,
    path = "/v1/sites/{site}/gvl",
    tag = "public",
    params(("site" = String, Path, description = "The site's id"), GvlQuery),
    responses(
        (status = 200, description = "The site's vendor list and the CMP identity for its TC strings", body = SiteGvlResponse),
        (status = 304, description = "Unchanged since the `If-None-Match` entity tag"),
        (status = 401, description = "`unauthorized`: the `preview` token is not valid for this site or has expired", body = ErrorBody),
        (status = 403, description = answers::ORIGIN, body = ErrorBody),
        (status = 404, description = "`site_not_found`: no live site has this id; `notice_not_found`: the site has published no notice; `draft_not_found`: a preview of a site without a draft; `tcf_not_enabled`: its latest notice (or the draft) has no `tcf` section", body = ErrorBody),
        (status = 422, description = answers::INVALID, body = ErrorBody),
        (status = 503, description = "`tcf_not_configured`: the operator has set no CMP id (`tcf_cmp_id`); `gvl_not_fetched`: no Global Vendor List has been fetched yet (`Retry-After`)", body = ErrorBody),
        (status = 500, description = answers::INTERNAL, body = ErrorBody),
    )
)]
pub async fn get_site_gvl(
    State(state): State<AppState>,
    Site(site): Site,
    ApiQuery(query): ApiQuery<GvlQuery>,
    headers: HeaderMap,
) -> Result<Response> {
    if let Some(lang) = &query.lang {
        super::notice::check_lang(lang)?;
    }
    let notice = match query.preview.as_deref() {
        None => state
            .notices
            .latest(state.ledger.as_ref(), &site.id)
            .await?
            .ok_or(ApiError::NotFound {
                what: "published notice",
                code: "notice_not_found",
            })?,
        Some(token) => {
            if !PreviewClaims::opens(&state.keys, token, site.id.as_str()) {
                return Err(ApiError::Unauthorized(
                    "the preview link is not valid for this site or has expired; ask for a new one",
                ));
            }
            let draft = state.db.draft(&site.id).await?.ok_or_else(ApiError::draft_not_found)?;
            std::sync::Arc::new(draft.notice)
        }
    };
    let tcf = notice.tcf.as_ref().ok_or(ApiError::NotFound {
        what: "TCF section in the site's notice",
        code: "tcf_not_enabled",
    })?;
    let cmp = crate::tcf::settings::cmp(&state.config).ok_or(ApiError::Unavailable {
        code: "tcf_not_configured",
        message: "TCF is off on this server: its operator has set no IAB CMP id (tcf_cmp_id)",
    })?;
    let gvl = state.gvl.current().ok_or_else(crate::tcf::notice::gvl_not_fetched)?;
    let language = notice.negotiate_language(wanted_languages(query.lang.as_deref(), &headers));
    let translation = translation_language(language).filter(|code| gvl.translations.contains_key(code));
    let key = (
        site.id.clone(),
        notice.version,
        gvl.list.vendor_list_version,
        // The list's texts follow the translation, the layer's own words the notice's language.
        format!("{}|{language}", translation.as_deref().unwrap_or("en")),
    );
    let make = || {
        let texts = assent_shared::tcf_texts::resolve(language);
        answer(
            &gvl,
            tcf,
            translation.as_deref(),
            texts,
            cmp,
            &state.config.tcf_publisher_cc,
        )
    };
    // A draft's list is made for its preview alone: never kept, never cached.
    if query.preview.is_some() {
        let body = make()?.body;
        let headers = [
            (header::CONTENT_TYPE, HeaderValue::from_static("application/json")),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ];
        return Ok((headers, body).into_response());
    }
    let served = state.gvl.served(key, make)?;
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        // RFC 9110 §13.1.2: weak comparison, and `*` matches any current representation.
        .is_some_and(|tags| {
            tags.split(',')
                .map(str::trim)
                .any(|t| t == "*" || t.strip_prefix("W/").unwrap_or(t) == served.etag)
        });
    let etag = HeaderValue::from_str(&served.etag).map_err(|e| ApiError::Internal(e.into()))?;
    let cache = [
        (header::ETAG, etag),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        (header::VARY, HeaderValue::from_static("Accept-Language")),
    ];
    if fresh {
        return Ok((StatusCode::NOT_MODIFIED, cache).into_response());
    }
    let json = (header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Ok((cache, [json], served.body.clone()).into_response())
}

/// The answer's body: the list narrowed to `tcf.vendors`, in `translation` if given.
fn answer(
    gvl: &LoadedGvl,
    tcf: &TcfSettings,
    translation: Option<&str>,
    texts: std::collections::BTreeMap<String, String>,
    cmp: CmpIdentity,
    publisher_cc: &str,
) -> Result<ServedGvl> {
    let site = gvl.list.for_site(tcf.vendors.iter().copied());
    if !(site.unknown.is_empty() && site.deleted.is_empty()) {
        // Checked at publication; the list changed since. They are simply not shown.
        tracing::info!(unknown = ?site.unknown, deleted = ?site.deleted, "a notice declares vendors the current GVL lacks or deleted");
    }
    let mut vendor_list = site.list;
    if let Some(t) = translation.and_then(|code| gvl.translations.get(code)) {
        vendor_list.localize(t);
    }
    let body = SiteGvlResponse {
        cmp,
        publisher_country_code: publisher_cc.to_owned(),
        language: translation.unwrap_or("en").to_owned(),
        vendor_list,
        texts,
    };
    let json = serde_json::to_string(&body).map_err(|e| ApiError::Internal(e.into()))?;
    Ok(ServedGvl::new(json))
}
