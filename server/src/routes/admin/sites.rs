//! Sites: register, list, read, change, archive, rotate the secret, and manage members.

use crate::admin_auth::{AdminAuth, InstanceAdmin, SiteOwner, SiteViewer};
use crate::db::accounts::UserSummary;
use crate::db::audit::AuditRecord;
use crate::db::sites::{NewSecret, SiteChanges};
use crate::error::{ApiError, Result};
use crate::extract::ApiJson;
use crate::ledger::SiteRecord;
use crate::routes::api_doc::answers;
use crate::state::AppState;
use assent_shared::Invalid;
use assent_shared::admin_api::{
    Install, MemberChange, NewSite, RotateSecret, SecretRotated, SiteCreated, SitePatch, SiteView, check_origin,
};
use assent_shared::api::ErrorBody;
use assent_shared::ids::SiteId;
use assent_shared::regime::{Jurisdiction, Regime};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::json;
use std::collections::BTreeMap;

/// At most this many origins per site.
const MAX_ORIGINS: usize = 100;
const MAX_NAME_CHARS: usize = 120;

/// How a site is embedded: the canonical tag (`?site=` makes the loader carry this site's
/// data and nothing else) and the CSP directives the site's pages need.
pub fn install(public_origin: &str, site: &SiteId) -> Install {
    Install {
        script_tag: format!(r#"<script src="{public_origin}/embed.js?site={site}" data-site="{site}"></script>"#),
        csp: vec![
            format!("script-src {public_origin} 'wasm-unsafe-eval'"),
            format!("connect-src {public_origin}"),
        ],
    }
}

fn view(state: &AppState, site: &SiteRecord) -> SiteView {
    SiteView {
        id: site.id.to_string(),
        name: site.name.clone(),
        origins: site.origins.clone(),
        regime_overrides: site.regime_overrides.clone(),
        archived: site.archived,
        starter_notice: site.starter_notice,
        install: install(&state.public_origin, &site.id),
    }
}

fn check_name(name: &str) -> Result<String, Invalid> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err(Invalid::new("name", format!("1 to {MAX_NAME_CHARS} characters")));
    }
    if name
        .chars()
        .any(|c| c.is_control() || assent_shared::is_bidi_control(c))
    {
        return Err(Invalid::new(
            "name",
            "no control characters, nor bidirectional overrides (U+202A–U+202E, U+2066–U+2069)",
        ));
    }
    Ok(name.to_owned())
}

/// Origins as registered: each checked, duplicates removed, order kept.
pub fn check_origins(origins: &[String]) -> Result<Vec<String>, Invalid> {
    if origins.len() > MAX_ORIGINS {
        return Err(Invalid::new("origins", format!("at most {MAX_ORIGINS} origins")));
    }
    let mut out: Vec<String> = Vec::new();
    for (i, origin) in origins.iter().enumerate() {
        check_origin(origin).map_err(|reason| Invalid::new(format!("origins[{i}]"), reason))?;
        if !out.contains(origin) {
            out.push(origin.clone());
        }
    }
    Ok(out)
}

/// Region keys: `*`, a country (`US`) or a subdivision (`US-CA`), upper case.
pub fn check_regime_overrides(overrides: &BTreeMap<String, Regime>) -> Result<BTreeMap<String, Regime>, Invalid> {
    let mut out = BTreeMap::new();
    for (key, regime) in overrides {
        let upper = key.trim().to_ascii_uppercase();
        let valid = upper == "*" || Jurisdiction::parse(&upper, None).is_some_and(|j| j.code() == upper);
        if !valid {
            return Err(Invalid::new(
                format!("regime_overrides.{key}"),
                "use a country (US), a subdivision (US-CA) or *",
            ));
        }
        out.insert(upper, *regime);
    }
    Ok(out)
}

fn check_policy_url(raw: Option<&str>) -> Result<String, Invalid> {
    let url = raw.map_or("/privacy", str::trim);
    assent_shared::notice::check_policy_url(url)?;
    Ok(url.to_owned())
}

fn audit(auth: &AdminAuth, action: &'static str, site: &SiteId, details: serde_json::Value) -> AuditRecord {
    AuditRecord {
        actor: auth.audit_actor(),
        action,
        site_id: Some(site.to_string()),
        details,
        client_ip: Some(auth.client_ip.clone()),
    }
}

/// List sites.
///
/// `GET /v1/admin/sites`: the sites the caller has a role on (every site, for an administrator).
#[utoipa::path(
    get,
    path = "/v1/admin/sites",
    tag = "sites",
    security(("admin_bearer" = []), ("admin_session" = [])),
    responses(
        (status = 200, description = "The sites the caller has a role on (every site, for an administrator)", body = Vec<SiteView>),
        (status = 401, description = answers::ADMIN_401, body = ErrorBody),
        (status = 500, description = answers::INTERNAL, body = ErrorBody),
    )
)]
pub async fn get_sites(State(state): State<AppState>, auth: AdminAuth) -> Result<Json<Vec<SiteView>>> {
    let visible = auth.visible_sites();
    let mut sites: Vec<SiteRecord> = state
        .sites
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .values()
        .filter(|s| visible.as_ref().is_none_or(|v| v.contains(&s.id)))
        .cloned()
        .collect();
    sites.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(Json(sites.iter().map(|s| view(&state, s)).collect()))
}

/// Register a site.
///
/// `POST /v1/admin/sites` (administrators): registers a site with its starter notice and a
/// secret (shown only in this answer). 201; 409 `conflict` when the id is taken.
#[utoipa::path(
    post,
    path = "/v1/admin/sites",
    tag = "sites",
    request_body = NewSite,
    security(("admin_bearer" = []), ("admin_session" = [], "csrf_token" = [])),
    responses(
        (status = 201, description = "Registered, with its starter notice; the secret is shown only here", body = SiteCreated),
        (status = 400, description = answers::MALFORMED_BODY, body = ErrorBody),
        (status = 401, description = answers::ADMIN_401, body = ErrorBody),
        (status = 403, description = answers::INSTANCE_WRITE_403, body = ErrorBody),
        (status = 409, description = "`conflict`: a site with this id exists", body = ErrorBody),
        (status = 413, description = answers::TOO_LARGE, body = ErrorBody),
        (status = 422, description = answers::INVALID, body = ErrorBody),
        (status = 500, description = answers::INTERNAL, body = ErrorBody),
    )
)]
pub async fn post_site(
    State(state): State<AppState>,
    InstanceAdmin(auth): InstanceAdmin,
    ApiJson(new): ApiJson<NewSite>,
) -> Result<(StatusCode, Json<SiteCreated>)> {
    let id = SiteId::parse(&new.id).map_err(|e| Invalid::new("id", e.reason))?;
    let site = SiteRecord {
        id: id.clone(),
        name: check_name(&new.name)?,
        origins: check_origins(&new.origins)?,
        regime_overrides: check_regime_overrides(&new.regime_overrides)?,
        archived: false,
        starter_notice: true,
    };
    let policy_url = check_policy_url(new.policy_url.as_deref())?;
    let starter = crate::starter::starter_notice(&site.name, &policy_url)?;
    let secret = NewSecret::generate();
    let record = audit(
        &auth,
        "site_create",
        &id,
        json!({ "name": site.name, "origins": site.origins, "regime_overrides": site.regime_overrides }),
    );
    if !state
        .db
        .create_site(&site, &starter, &secret, auth.user_id(), &record)
        .await?
    {
        return Err(ApiError::Conflict(format!("a site with id {id} already exists").into()));
    }
    state.reload_sites().await?;
    if let Some(user) = auth.user_id() {
        state.access.forget(user);
    }
    Ok((
        StatusCode::CREATED,
        Json(SiteCreated {
            site: view(&state, &site),
            secret: secret.secret,
        }),
    ))
}

/// Read a site.
///
/// `GET /v1/admin/sites/{site}` (viewer).
#[utoipa::path(
    get,
    path = "/v1/admin/sites/{site}",
    tag = "sites",
    params(("site" = String, Path, description = "The site's id")),
    security(("admin_bearer" = []), ("admin_session" = [])),
    responses(
        (status = 200, description = "The site", body = SiteView),
        (status = 401, description = answers::ADMIN_401, body = ErrorBody),
        (status = 403, description = answers::VIEWER_403, body = ErrorBody),
        (status = 404, description = answers::ADMIN_SITE_404, body = ErrorBody),
        (status = 500, description = answers::INTERNAL, body = ErrorBody),
    )
)]
pub async fn get_site(State(state): State<AppState>, SiteViewer { site, .. }: SiteViewer) -> Json<SiteView> {
    Json(view(&state, &site))
}

/// Change a site.
///
/// `PATCH /v1/admin/sites/{site}` (owner): changes name, origins or regime overrides;
/// every process honours it within `config_poll_ms`. Only a real change is written and
/// audited: fields absent or equal to their current value change nothing.
#[utoipa::path(
    patch,
    path = "/v1/admin/sites/{site}",
    tag = "sites",
    params(("site" = String, Path, description = "The site's id")),
    request_body = SitePatch,
    security(("admin_bearer" = []), ("admin_session" = [], "csrf_token" = [])),
    responses(
        (status = 200, description = "The site as changed", body = SiteView),
        (status = 400, description = answers::MALFORMED_BODY, body = ErrorBody),
        (status = 401, description = answers::ADMIN_401, body = ErrorBody),
        (status = 403, description = answers::OWNER_403, body = ErrorBody),
        (status = 404, description = answers::ADMIN_SITE_404, body = ErrorBody),
        (status = 413, description = answers::TOO_LARGE, body = ErrorBody),
        (status = 422, description = answers::INVALID, body = ErrorBody),
        (status = 500, description = answers::INTERNAL, body = ErrorBody),
    )
)]
pub async fn patch_site(
    State(state): State<AppState>,
    SiteOwner { site, auth }: SiteOwner,
    ApiJson(patch): ApiJson<SitePatch>,
) -> Result<Json<SiteView>> {
    // A field set to what it already is changes nothing; a patch that changes nothing writes
    // nothing (no audit entry for an action that did not happen).
    let changes = SiteChanges {
        name: patch
            .name
            .as_deref()
            .map(check_name)
            .transpose()?
            .filter(|n| *n != site.name),
        origins: patch
            .origins
            .as_deref()
            .map(check_origins)
            .transpose()?
            .filter(|o| *o != site.origins),
        regime_overrides: patch
            .regime_overrides
            .as_ref()
            .map(check_regime_overrides)
            .transpose()?
            .filter(|r| *r != site.regime_overrides),
    };
    if changes.name.is_none() && changes.origins.is_none() && changes.regime_overrides.is_none() {
        return Ok(Json(view(&state, &site)));
    }
    let record = audit(
        &auth,
        "site_update",
        &site.id,
        json!({ "name": changes.name, "origins": changes.origins, "regime_overrides": changes.regime_overrides }),
    );
    state.db.update_site(&site.id, &changes, &record).await?;
    state.reload_sites().await?;
    let updated = state.site(site.id.as_str()).ok_or_else(ApiError::site_not_found)?;
    Ok(Json(view(&state, &updated)))
}

/// Archive a site.
///
/// `POST /v1/admin/sites/{site}/archive` (owner): the public API stops serving the site;
/// its ledger stays readable and verifiable here.
#[utoipa::path(
    post,
    path = "/v1/admin/sites/{site}/archive",
    tag = "sites",
    params(("site" = String, Path, description = "The site's id")),
    security(("admin_bearer" = []), ("admin_session" = [], "csrf_token" = [])),
    responses(
        (status = 200, description = "The site, archived", body = SiteView),
        (status = 401, description = answers::ADMIN_401, body = ErrorBody),
        (status = 403, description = answers::OWNER_403, body = ErrorBody),
        (status = 404, description = answers::ADMIN_SITE_404, body = ErrorBody),
        (status = 500, description = answers::INTERNAL, body = ErrorBody),
    )
)]
pub async fn post_archive(
    State(state): State<AppState>,
    SiteOwner { site, auth }: SiteOwner,
) -> Result<Json<SiteView>> {
    let record = audit(&auth, "site_archive", &site.id, json!({}));
    state.db.archive_site(&site.id, &record).await?;
    state.reload_sites().await?;
    let updated = state.site(site.id.as_str()).ok_or_else(ApiError::site_not_found)?;
    Ok(Json(view(&state, &updated)))
}

/// Rotate the site secret.
///
/// `POST /v1/admin/sites/{site}/secret` (owner): a new secret, shown once; the previous ones
/// keep working for `overlap_hours` (default 24, at most 720).
#[utoipa::path(
    post,
    path = "/v1/admin/sites/{site}/secret",
    tag = "sites",
    params(("site" = String, Path, description = "The site's id")),
    request_body = RotateSecret,
    security(("admin_bearer" = []), ("admin_session" = [], "csrf_token" = [])),
    responses(
        (status = 200, description = "The new secret, shown only here", body = SecretRotated),
        (status = 400, description = answers::MALFORMED_BODY, body = ErrorBody),
        (status = 401, description = answers::ADMIN_401, body = ErrorBody),
        (status = 403, description = answers::OWNER_403, body = ErrorBody),
        (status = 404, description = answers::ADMIN_SITE_404, body = ErrorBody),
        (status = 413, description = answers::TOO_LARGE, body = ErrorBody),
        (status = 422, description = "`invalid_input`: `overlap_hours` is over 720, or the body has the wrong shape", body = ErrorBody),
        (status = 500, description = answers::INTERNAL, body = ErrorBody),
    )
)]
pub async fn post_secret(
    State(state): State<AppState>,
    SiteOwner { site, auth }: SiteOwner,
    ApiJson(request): ApiJson<RotateSecret>,
) -> Result<Json<SecretRotated>> {
    let hours = request.overlap_hours.unwrap_or(24);
    if hours > 720 {
        return Err(Invalid::new("overlap_hours", "0 to 720").into());
    }
    let secret = NewSecret::generate();
    let record = audit(
        &auth,
        "secret_rotate",
        &site.id,
        json!({ "overlap_hours": hours, "secret_id": secret.id }),
    );
    let until = state
        .db
        .rotate_secret(&site.id, &secret, time::Duration::hours(i64::from(hours)), &record)
        .await?;
    Ok(Json(SecretRotated {
        secret: secret.secret,
        previous_valid_until: until,
    }))
}

/// List a site's members.
///
/// `GET /v1/admin/sites/{site}/members` (viewer): accounts with a role on the site.
#[utoipa::path(
    get,
    path = "/v1/admin/sites/{site}/members",
    tag = "sites",
    params(("site" = String, Path, description = "The site's id")),
    security(("admin_bearer" = []), ("admin_session" = [])),
    responses(
        (status = 200, description = "Accounts with a role on the site", body = Vec<UserSummary>),
        (status = 401, description = answers::ADMIN_401, body = ErrorBody),
        (status = 403, description = answers::VIEWER_403, body = ErrorBody),
        (status = 404, description = answers::ADMIN_SITE_404, body = ErrorBody),
        (status = 500, description = answers::INTERNAL, body = ErrorBody),
    )
)]
pub async fn get_members(
    State(state): State<AppState>,
    SiteViewer { site, .. }: SiteViewer,
) -> Result<Json<Vec<UserSummary>>> {
    Ok(Json(state.db.users(Some(&site.id)).await?))
}

/// Give or take a role on a site.
///
/// `PUT /v1/admin/sites/{site}/members` (owner): gives an existing account a role on the
/// site, or removes it (`role: null`). 204; 404 `user_not_found`.
#[utoipa::path(
    put,
    path = "/v1/admin/sites/{site}/members",
    tag = "sites",
    params(("site" = String, Path, description = "The site's id")),
    request_body = MemberChange,
    security(("admin_bearer" = []), ("admin_session" = [], "csrf_token" = [])),
    responses(
        (status = 204, description = "Done"),
        (status = 400, description = answers::MALFORMED_BODY, body = ErrorBody),
        (status = 401, description = answers::ADMIN_401, body = ErrorBody),
        (status = 403, description = answers::OWNER_403, body = ErrorBody),
        (status = 404, description = "`site_not_found`: the site does not exist (told only to an instance administrator); `user_not_found`: no account has this email", body = ErrorBody),
        (status = 413, description = answers::TOO_LARGE, body = ErrorBody),
        (status = 422, description = answers::INVALID, body = ErrorBody),
        (status = 500, description = answers::INTERNAL, body = ErrorBody),
    )
)]
pub async fn put_member(
    State(state): State<AppState>,
    SiteOwner { site, auth }: SiteOwner,
    ApiJson(change): ApiJson<MemberChange>,
) -> Result<StatusCode> {
    let user = state.db.user_by_email(&change.email).await?.ok_or(ApiError::NotFound {
        what: "user",
        code: "user_not_found",
    })?;
    let action = if change.role.is_some() {
        "role_grant"
    } else {
        "role_revoke"
    };
    let record = audit(
        &auth,
        action,
        &site.id,
        json!({ "email": user.email, "role": change.role }),
    );
    state.db.set_role(&user.id, &site.id, change.role, &record).await?;
    state.access.forget(&user.id);
    Ok(StatusCode::NO_CONTENT)
}
