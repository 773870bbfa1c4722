//! Notice versions: the draft of the next one (saved as the owner types), the lint, and
//! publishing, which freezes a version with its hash.

use crate::admin_auth::{SiteOwner, SiteViewer};
use crate::db::audit::AuditRecord;
use crate::error::{ApiError, Result};
use crate::extract::ApiJson;
use crate::routes::api_doc::answers;
use crate::state::AppState;
use assent_shared::Invalid;
use assent_shared::admin_api::{DraftView, NoticeVersion, PreviewLink, Publish};
use assent_shared::api::ErrorBody;
use assent_shared::lint::{Finding, Severity, lint};
use assent_shared::notice::Notice;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, header};
use serde_json::json;

/// Validation and lint findings of a notice: the first validation error (as a finding with
/// code `invalid`), then every lint finding. The site's languages are the notice's own.
pub fn findings(notice: &Notice) -> Vec<Finding> {
    let mut out = Vec::new();
    if let Err(invalid) = notice.validate() {
        out.push(Finding {
            code: "invalid".into(),
            severity: Severity::Error,
            field: invalid.field,
            message: invalid.reason,
        });
    }
    let languages: Vec<String> = notice.texts.keys().cloned().collect();
    out.extend(lint(notice, &languages));
    out
}

/// List published notice versions.
///
/// `GET /v1/admin/sites/{site}/notices` (viewer): the published versions, oldest first.
#[utoipa::path(
    get,
    path = "/v1/admin/sites/{site}/notices",
    tag = "notices",
    params(("site" = String, Path, description = "The site's id")),
    security(("admin_bearer" = []), ("admin_session" = [])),
    responses(
        (status = 200, description = "Published versions, oldest first", body = Vec<NoticeVersion>),
        (status = 401, description = answers::ADMIN_401, body = ErrorBody),
        (status = 403, description = answers::VIEWER_403, body = ErrorBody),
        (status = 404, description = answers::ADMIN_SITE_404, body = ErrorBody),
        (status = 500, description = answers::INTERNAL, body = ErrorBody),
    )
)]
pub async fn get_notices(
    State(state): State<AppState>,
    SiteViewer { site, .. }: SiteViewer,
) -> Result<Json<Vec<NoticeVersion>>> {
    Ok(Json(state.db.notice_versions(&site.id).await?))
}

/// Read a published notice version.
///
/// `GET /v1/admin/sites/{site}/notices/{version}` (viewer): one published version as stored.
#[utoipa::path(
    get,
    path = "/v1/admin/sites/{site}/notices/{version}",
    tag = "notices",
    params(("site" = String, Path, description = "The site's id"), ("version" = u32, Path, description = "A published version number")),
    security(("admin_bearer" = []), ("admin_session" = [])),
    responses(
        (status = 200, description = "The version as published", body = Notice),
        (status = 401, description = answers::ADMIN_401, body = ErrorBody),
        (status = 403, description = answers::VIEWER_403, body = ErrorBody),
        (status = 404, description = "`site_not_found`: the site does not exist (told only to an instance administrator); `notice_not_found`: no such version", body = ErrorBody),
        (status = 422, description = "`invalid_input`: the version is not a positive number", body = ErrorBody),
        (status = 500, description = answers::INTERNAL, body = ErrorBody),
    )
)]
pub async fn get_notice_version(
    State(state): State<AppState>,
    SiteViewer { site, .. }: SiteViewer,
    Path((_, version)): Path<(String, String)>,
) -> Result<Json<Notice>> {
    let version: u32 = version
        .parse()
        .map_err(|_| Invalid::new("version", "a notice version is a positive number"))?;
    state
        .ledger
        .notice(&site.id, version)
        .await?
        .map(Json)
        .ok_or(ApiError::NotFound {
            what: "notice version",
            code: "notice_not_found",
        })
}

/// Read the draft.
///
/// `GET /v1/admin/sites/{site}/draft` (viewer): the draft with its findings; 404
/// `draft_not_found` when there is none (start one from the latest version).
#[utoipa::path(
    get,
    path = "/v1/admin/sites/{site}/draft",
    tag = "notices",
    params(("site" = String, Path, description = "The site's id")),
    security(("admin_bearer" = []), ("admin_session" = [])),
    responses(
        (status = 200, description = "The draft and its findings", body = DraftView),
        (status = 401, description = answers::ADMIN_401, body = ErrorBody),
        (status = 403, description = answers::VIEWER_403, body = ErrorBody),
        (status = 404, description = "`site_not_found`: the site does not exist (told only to an instance administrator); `draft_not_found`: there is no draft", body = ErrorBody),
        (status = 500, description = answers::INTERNAL, body = ErrorBody),
    )
)]
pub async fn get_draft(State(state): State<AppState>, SiteViewer { site, .. }: SiteViewer) -> Result<Json<DraftView>> {
    let draft = state.db.draft(&site.id).await?.ok_or_else(ApiError::draft_not_found)?;
    Ok(Json(DraftView {
        findings: findings(&draft.notice),
        notice: draft.notice,
        updated_at: draft.updated_at,
        updated_by: draft.updated_by,
        revision: draft.revision,
    }))
}

/// Save the draft.
///
/// `PUT /v1/admin/sites/{site}/draft` (owner): saves the draft of the next version (its
/// `version` is set to the next number). A body of the wrong shape is refused with the JSON
/// path of the problem; a draft that would not publish yet is saved, with its findings. With
/// `If-Match: "REVISION"` (the `revision` last read), only that revision is replaced: 412
/// `precondition_failed` when the draft changed, was published or is gone, and nothing is
/// written (two tabs cannot overwrite each other's edits).
#[utoipa::path(
    put,
    path = "/v1/admin/sites/{site}/draft",
    tag = "notices",
    params(
        ("site" = String, Path, description = "The site's id"),
        ("If-Match" = Option<String>, Header, description = "The draft's `revision` as last read (quoted or bare): save only over that revision"),
    ),
    request_body = Notice,
    security(("admin_bearer" = []), ("admin_session" = [], "csrf_token" = [])),
    responses(
        (status = 200, description = "Saved, with what would stop publication now", body = DraftView),
        (status = 412, description = "`precondition_failed`: the draft is no longer the revision named in `If-Match` (saved or published since, or gone); nothing was written", body = ErrorBody),
        (status = 400, description = answers::MALFORMED_BODY, body = ErrorBody),
        (status = 401, description = answers::ADMIN_401, body = ErrorBody),
        (status = 403, description = answers::OWNER_403, body = ErrorBody),
        (status = 404, description = answers::ADMIN_SITE_404, body = ErrorBody),
        (status = 413, description = answers::TOO_LARGE, body = ErrorBody),
        (status = 422, description = answers::INVALID, body = ErrorBody),
        (status = 500, description = answers::INTERNAL, body = ErrorBody),
    )
)]
pub async fn put_draft(
    State(state): State<AppState>,
    SiteOwner { site, auth }: SiteOwner,
    headers: HeaderMap,
    ApiJson(mut notice): ApiJson<Notice>,
) -> Result<Json<DraftView>> {
    // An entity tag is quoted (RFC 9110 §8.8.3); the bare revision is taken too.
    let expected = headers
        .get(header::IF_MATCH)
        .map(|v| v.to_str().unwrap_or_default().trim().trim_matches('"').to_owned());
    let latest = state.ledger.latest_notice(&site.id).await?.map_or(0, |n| n.version);
    notice.version = latest + 1;
    let by = auth.audit_actor();
    let (updated_at, revision) = state
        .db
        .save_draft(&site.id, &notice, &by, expected.as_deref())
        .await?
        .ok_or(ApiError::PreconditionFailed(
            "the draft changed since this revision was read (another tab or person saved or published it); \
             read it again before saving",
        ))?;
    Ok(Json(DraftView {
        findings: findings(&notice),
        notice,
        updated_at,
        updated_by: by,
        revision,
    }))
}

/// Lint a notice.
///
/// `POST /v1/admin/sites/{site}/lint` (viewer): the findings for a notice body, saving nothing.
#[utoipa::path(
    post,
    path = "/v1/admin/sites/{site}/lint",
    tag = "notices",
    params(("site" = String, Path, description = "The site's id")),
    request_body = Notice,
    security(("admin_bearer" = []), ("admin_session" = [], "csrf_token" = [])),
    responses(
        (status = 200, description = "The findings; nothing is saved", body = Vec<Finding>),
        (status = 400, description = answers::MALFORMED_BODY, body = ErrorBody),
        (status = 401, description = answers::ADMIN_401, body = ErrorBody),
        (status = 403, description = "`forbidden`: no role on this site (also when it does not exist); `csrf_failed`: a write authenticated by the session cookie without its `X-CSRF-Token`", body = ErrorBody),
        (status = 404, description = answers::ADMIN_SITE_404, body = ErrorBody),
        (status = 413, description = answers::TOO_LARGE, body = ErrorBody),
        (status = 422, description = answers::INVALID, body = ErrorBody),
        (status = 500, description = answers::INTERNAL, body = ErrorBody),
    )
)]
pub async fn post_lint(_viewer: SiteViewer, ApiJson(notice): ApiJson<Notice>) -> Json<Vec<Finding>> {
    Json(findings(&notice))
}

/// Publish the draft.
///
/// `POST /v1/admin/sites/{site}/draft/publish` (owner): validates and lints the draft and
/// publishes it as the next version. 422 `invalid_input` or `notice_lint_failed` (one finding
/// per problem in `details.findings`) refuses it and changes nothing.
#[utoipa::path(
    post,
    path = "/v1/admin/sites/{site}/draft/publish",
    tag = "notices",
    params(("site" = String, Path, description = "The site's id")),
    request_body = Publish,
    security(("admin_bearer" = []), ("admin_session" = [], "csrf_token" = [])),
    responses(
        (status = 200, description = "Published: the new version", body = NoticeVersion),
        (status = 400, description = answers::MALFORMED_BODY, body = ErrorBody),
        (status = 401, description = answers::ADMIN_401, body = ErrorBody),
        (status = 403, description = answers::OWNER_403, body = ErrorBody),
        (status = 404, description = "`site_not_found`: the site does not exist (told only to an instance administrator); `draft_not_found`: there is no draft", body = ErrorBody),
        (status = 409, description = "`conflict`: the draft changed or was published since `draft_revision`", body = ErrorBody),
        (status = 413, description = answers::TOO_LARGE, body = ErrorBody),
        (status = 422, description = "`invalid_input`: the draft does not validate, a material change lacks its summary, or its `tcf` section names vendors the Global Vendor List lacks or deleted (`details.field` is the first, `tcf.vendors[i]`; the message names them all) or TCF is off on this server; `notice_lint_failed`: the lint found errors (`details.findings`)", body = ErrorBody),
        (status = 503, description = "`gvl_not_fetched`: the draft enables TCF and no Global Vendor List has been fetched yet to check its vendors against", body = ErrorBody),
        (status = 500, description = answers::INTERNAL, body = ErrorBody),
    )
)]
pub async fn post_publish(
    State(state): State<AppState>,
    SiteOwner { site, auth }: SiteOwner,
    ApiJson(publish): ApiJson<Publish>,
) -> Result<Json<NoticeVersion>> {
    let draft = state.db.draft(&site.id).await?.ok_or_else(ApiError::draft_not_found)?;
    let mut notice = draft.notice;
    let latest = state.ledger.latest_notice(&site.id).await?.map_or(0, |n| n.version);
    notice.version = latest + 1;
    notice.material_change = publish.material_change;
    notice.change_summary = publish.change_summary;
    if notice.material_change && !notice.change_summary.contains_key(&notice.default_language) {
        return Err(Invalid::new(
            format!("change_summary.{}", notice.default_language),
            "a material change needs a summary in the notice's default language: visitors are told what changed",
        )
        .into());
    }
    notice.validate()?;
    crate::tcf::notice::check(&state, &notice)?;
    let problems = findings(&notice);
    if problems.iter().any(|f| f.severity == Severity::Error) {
        return Err(ApiError::Lint(problems));
    }
    let record = AuditRecord {
        actor: auth.audit_actor(),
        action: "notice_publish",
        site_id: Some(site.id.to_string()),
        details: json!({ "version": notice.version, "material_change": notice.material_change }),
        client_ip: Some(auth.client_ip.clone()),
    };
    if publish
        .draft_revision
        .as_ref()
        .is_some_and(|seen| *seen != draft.revision)
        || !state.db.publish(&site.id, &notice, &draft.revision, &record).await?
    {
        return Err(ApiError::Conflict(
            "the draft changed or was published since you loaded it; reload it and review again".into(),
        ));
    }
    state.reload_sites().await?;
    if notice.tcf.is_some() {
        // The list's translations follow the TCF sites' languages: fetch the new ones now.
        state.db.request_gvl_refresh().await?;
    }
    let published = state
        .db
        .notice_versions(&site.id)
        .await?
        .into_iter()
        .find(|v| v.version == notice.version)
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("published version not found")))?;
    Ok(Json(published))
}

/// How long a preview link works.
const PREVIEW_LIFETIME_SECS: i64 = 30 * 60;

/// Make a link that previews the draft.
///
/// `POST /v1/admin/sites/{site}/draft/preview` (viewer): a 30-minute link that shows the
/// draft — as it is whenever the page loads — in the real banner on the demo page, without
/// publishing it; choices made there are not recorded. 404 `draft_not_found`; a draft that
/// does not validate is refused (422 `invalid_input` naming the field), as the banner could
/// not draw it.
#[utoipa::path(
    post,
    path = "/v1/admin/sites/{site}/draft/preview",
    tag = "notices",
    params(("site" = String, Path, description = "The site's id")),
    security(("admin_bearer" = []), ("admin_session" = [], "csrf_token" = [])),
    responses(
        (status = 200, description = "The preview link", body = PreviewLink),
        (status = 401, description = answers::ADMIN_401, body = ErrorBody),
        (status = 403, description = "`forbidden`: no role on this site (also when it does not exist); `csrf_failed`: a request authenticated by the session cookie without its `X-CSRF-Token`", body = ErrorBody),
        (status = 404, description = "`site_not_found`: the site does not exist (told only to an instance administrator); `draft_not_found`: there is no draft", body = ErrorBody),
        (status = 422, description = "`invalid_input`: the draft does not validate (`details.field` names the problem)", body = ErrorBody),
        (status = 500, description = answers::INTERNAL, body = ErrorBody),
    )
)]
pub async fn post_preview(
    State(state): State<AppState>,
    SiteViewer { site, auth }: SiteViewer,
) -> Result<Json<PreviewLink>> {
    let draft = state.db.draft(&site.id).await?.ok_or_else(ApiError::draft_not_found)?;
    draft.notice.validate()?;
    let expires = time::OffsetDateTime::now_utc() + time::Duration::seconds(PREVIEW_LIFETIME_SECS);
    let token = state
        .keys
        .sign(&crate::auth::PreviewClaims::new(&site.id, expires.unix_timestamp()))?;
    // A link that shows unpublished text to whoever holds it: who made one, and until when.
    state
        .db
        .audit(&AuditRecord {
            actor: auth.audit_actor(),
            action: "draft_preview",
            site_id: Some(site.id.to_string()),
            details: json!({ "expires_at": crate::clock::format_rfc3339(expires) }),
            client_ip: Some(auth.client_ip.clone()),
        })
        .await?;
    Ok(Json(PreviewLink {
        url: format!("{}/preview/{}?token={token}", state.public_origin, site.id),
        token,
        expires_at: crate::clock::format_rfc3339(expires),
    }))
}
