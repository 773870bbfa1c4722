//! The Global Vendor List cache, for instance administrators: where it stands
//! (`GET /v1/admin/tcf/gvl`) and a refresh now (`POST /v1/admin/tcf/gvl/refresh`), which
//! the refresher — whichever process holds its lease (`crate::tcf::refresh`) — runs within
//! a second. For the people of a site, the list's vendors to declare in its notice
//! (`GET /v1/admin/sites/{site}/tcf/vendors`).

use crate::admin_auth::{InstanceAdmin, SiteViewer};
use crate::clock;
use crate::db::audit::AuditRecord;
use crate::error::{ApiError, Result};
use crate::routes::api_doc::answers;
use crate::state::AppState;
use assent_shared::api::ErrorBody;
use assent_shared::tcf_api::{GvlCacheStatus, GvlVendorCatalog, GvlVersionInfo};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::json;

/// Versions listed in the history.
const HISTORY: i64 = 20;

/// The GVL cache's state.
///
/// `GET /v1/admin/tcf/gvl` (administrators): the version served, the stored history, the
/// last attempt and its error, the next scheduled fetch, and the CMP settings.
#[utoipa::path(
    get,
    path = "/v1/admin/tcf/gvl",
    tag = "tcf",
    security(("admin_bearer" = []), ("admin_session" = [])),
    responses(
        (status = 200, description = "The cache's state", body = GvlCacheStatus),
        (status = 401, description = answers::ADMIN_401, body = ErrorBody),
        (status = 403, description = answers::INSTANCE_403, body = ErrorBody),
        (status = 500, description = answers::INTERNAL, body = ErrorBody),
    )
)]
pub async fn get_gvl(State(state): State<AppState>, _admin: InstanceAdmin) -> Result<Json<GvlCacheStatus>> {
    let status = state.db.gvl_status().await?;
    let history: Vec<GvlVersionInfo> = state
        .db
        .gvl_history(HISTORY)
        .await?
        .into_iter()
        .map(|(vendor_list_version, fetched_at, languages)| GvlVersionInfo {
            vendor_list_version,
            fetched_at,
            languages,
        })
        .collect();
    let next_fetch_at = status
        .next_fetch_at
        .filter(|_| state.config.tcf_gvl_refresh_secs > 0)
        .map(|ms| {
            time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
                .map(clock::format_rfc3339)
                .map_err(|e| ApiError::Internal(e.into()))
        })
        .transpose()?;
    Ok(Json(GvlCacheStatus {
        source: state.config.tcf_gvl_url.clone(),
        cmp: crate::tcf::settings::cmp(&state.config),
        publisher_country_code: state.config.tcf_publisher_cc.clone(),
        in_use: history.first().cloned(),
        history,
        last_attempt_at: status.last_attempt_at,
        last_success_at: status.last_success_at,
        last_error: status.last_error,
        next_fetch_at,
        refresh_requested: status.refresh_requested != 0,
    }))
}

/// Refresh the GVL now.
///
/// `POST /v1/admin/tcf/gvl/refresh` (administrators): asks the refresher to fetch the list
/// and its translations at once, whatever its schedule and the list's max-age; `202`, then
/// `GET /v1/admin/tcf/gvl` shows the outcome. Audited as `gvl_refresh`.
#[utoipa::path(
    post,
    path = "/v1/admin/tcf/gvl/refresh",
    tag = "tcf",
    security(("admin_bearer" = []), ("admin_session" = [], "csrf_token" = [])),
    responses(
        (status = 202, description = "Asked: the refresher runs within a second"),
        (status = 401, description = answers::ADMIN_401, body = ErrorBody),
        (status = 403, description = answers::INSTANCE_WRITE_403, body = ErrorBody),
        (status = 409, description = "`conflict`: TCF is off on this server (no `tcf_cmp_id`), so nothing refreshes", body = ErrorBody),
        (status = 500, description = answers::INTERNAL, body = ErrorBody),
    )
)]
pub async fn post_refresh(State(state): State<AppState>, InstanceAdmin(auth): InstanceAdmin) -> Result<StatusCode> {
    if crate::tcf::settings::cmp(&state.config).is_none() {
        return Err(ApiError::Conflict(
            "TCF is off on this server (no tcf_cmp_id), so no Global Vendor List is fetched".into(),
        ));
    }
    state.db.request_gvl_refresh().await?;
    state
        .db
        .audit(&AuditRecord {
            actor: auth.audit_actor(),
            action: "gvl_refresh",
            site_id: None,
            details: json!({ "source": state.config.tcf_gvl_url }),
            client_ip: Some(auth.client_ip.clone()),
        })
        .await?;
    Ok(StatusCode::ACCEPTED)
}

/// The vendors a notice may declare.
///
/// `GET /v1/admin/sites/{site}/tcf/vendors` (the site's viewers and owners): every vendor of
/// the Global Vendor List in use, with what it asks for, for the notice editor's TCF section.
#[utoipa::path(
    get,
    path = "/v1/admin/sites/{site}/tcf/vendors",
    tag = "tcf",
    params(("site" = String, Path, description = "The site's id")),
    security(("admin_bearer" = []), ("admin_session" = [])),
    responses(
        (status = 200, description = "The list's vendors, purposes and special features", body = GvlVendorCatalog),
        (status = 401, description = answers::ADMIN_401, body = ErrorBody),
        (status = 403, description = answers::VIEWER_403, body = ErrorBody),
        (status = 404, description = answers::ADMIN_SITE_404, body = ErrorBody),
        (status = 409, description = "`conflict`: TCF is off on this server (no `tcf_cmp_id`)", body = ErrorBody),
        (status = 503, description = "`gvl_not_fetched`: no Global Vendor List has been fetched yet (`Retry-After`)", body = ErrorBody),
        (status = 500, description = answers::INTERNAL, body = ErrorBody),
    )
)]
pub async fn get_vendors(State(state): State<AppState>, _viewer: SiteViewer) -> Result<Json<GvlVendorCatalog>> {
    // A setting, not an outage: nothing to retry (409, no Retry-After).
    if crate::tcf::settings::cmp(&state.config).is_none() {
        return Err(ApiError::Conflict(
            "TCF is off on this server: its operator has set no IAB CMP id (tcf_cmp_id)".into(),
        ));
    }
    let gvl = state.gvl.current().ok_or_else(crate::tcf::notice::gvl_not_fetched)?;
    Ok(Json(GvlVendorCatalog::of(&gvl.list)))
}
