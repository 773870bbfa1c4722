//! Accounts (instance administrators) and the audit log.

use crate::admin_auth::{InstanceAdmin, SiteViewer};
use crate::auth::{check_password_rules, hash_password};
use crate::db::accounts::{Created, UserSummary};
use crate::db::audit::{AuditEntry, AuditFilter, AuditRecord};
use crate::error::{ApiError, Result};
use crate::extract::{ApiJson, ApiQuery};
use crate::routes::api_doc::answers;
use crate::state::AppState;
use assent_shared::Invalid;
use assent_shared::admin_api::NewUser;
use assent_shared::api::ErrorBody;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::json;

/// Checks an email address as far as a login name needs: one `@`, at most 254, no spaces,
/// and nothing invisible or reordering (control, zero-width, bidirectional override).
pub fn check_email(raw: &str) -> Result<(), Invalid> {
    let email = raw.trim();
    let ok = email.len() <= 254
        && email
            .split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.') && !domain.contains('@'))
        && !email.chars().any(|c| {
            c.is_whitespace()
                || c.is_control()
                || assent_shared::is_bidi_control(c)
                || c == '\u{200B}'
                || c == '\u{FEFF}'
        });
    if ok {
        Ok(())
    } else {
        Err(Invalid::new("email", "not an email address"))
    }
}

/// List accounts.
///
/// `GET /v1/admin/users` (administrators): every account with its roles.
#[utoipa::path(
    get,
    path = "/v1/admin/users",
    tag = "accounts",
    security(("admin_bearer" = []), ("admin_session" = [])),
    responses(
        (status = 200, description = "Every account", body = Vec<UserSummary>),
        (status = 401, description = answers::ADMIN_401, body = ErrorBody),
        (status = 403, description = answers::INSTANCE_403, body = ErrorBody),
        (status = 500, description = answers::INTERNAL, body = ErrorBody),
    )
)]
pub async fn get_users(State(state): State<AppState>, _admin: InstanceAdmin) -> Result<Json<Vec<UserSummary>>> {
    Ok(Json(state.db.users(None).await?))
}

/// Create an account.
///
/// `POST /v1/admin/users` (administrators): creates an account. 201 with its id; 409 when
/// the email is taken.
#[utoipa::path(
    post,
    path = "/v1/admin/users",
    tag = "accounts",
    request_body = NewUser,
    security(("admin_bearer" = []), ("admin_session" = [], "csrf_token" = [])),
    responses(
        (status = 201, description = "Created: `{\"id\": …}`", body = Object),
        (status = 400, description = answers::MALFORMED_BODY, body = ErrorBody),
        (status = 401, description = answers::ADMIN_401, body = ErrorBody),
        (status = 403, description = answers::INSTANCE_WRITE_403, body = ErrorBody),
        (status = 409, description = "`conflict`: an account with this email exists", body = ErrorBody),
        (status = 413, description = answers::TOO_LARGE, body = ErrorBody),
        (status = 422, description = "`invalid_input`: not an email address, a password that breaks the rules, or a body of the wrong shape", body = ErrorBody),
        (status = 500, description = answers::INTERNAL, body = ErrorBody),
    )
)]
pub async fn post_user(
    State(state): State<AppState>,
    InstanceAdmin(auth): InstanceAdmin,
    ApiJson(new): ApiJson<NewUser>,
) -> Result<(StatusCode, Json<serde_json::Value>)> {
    check_email(&new.email)?;
    check_password_rules(&new.password)?;
    let password = new.password;
    let hash = tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| ApiError::Internal(e.into()))??;
    let record = AuditRecord {
        actor: auth.audit_actor(),
        action: "user_create",
        site_id: None,
        details: json!({ "email": new.email.trim().to_lowercase(), "is_admin": new.is_admin }),
        client_ip: Some(auth.client_ip.clone()),
    };
    match state.db.create_user(&new.email, &hash, new.is_admin, &record).await? {
        Created::Created(id) => Ok((StatusCode::CREATED, Json(json!({ "id": id })))),
        Created::EmailTaken => Err(ApiError::Conflict("an account with this email exists".into())),
    }
}

/// The whole audit log.
///
/// `GET /v1/admin/audit` (administrators): the whole audit log, newest first, filtered by
/// `site`, `action`, `from`, `to`, paged with `before` and `limit`.
#[utoipa::path(
    get,
    path = "/v1/admin/audit",
    tag = "accounts",
    params(AuditFilter),
    security(("admin_bearer" = []), ("admin_session" = [])),
    responses(
        (status = 200, description = "Entries, newest first", body = Vec<AuditEntry>),
        (status = 401, description = answers::ADMIN_401, body = ErrorBody),
        (status = 403, description = answers::INSTANCE_403, body = ErrorBody),
        (status = 422, description = "`invalid_input`: an unknown parameter, `from`/`to` neither RFC 3339 nor `YYYY-MM-DD`, `before` past any seq, or `limit` out of 1–500", body = ErrorBody),
        (status = 500, description = answers::INTERNAL, body = ErrorBody),
    )
)]
pub async fn get_audit(
    State(state): State<AppState>,
    _admin: InstanceAdmin,
    ApiQuery(filter): ApiQuery<AuditFilter>,
) -> Result<Json<Vec<AuditEntry>>> {
    Ok(Json(state.db.audit_entries(&filter.normalized()?).await?))
}

/// A site's audit log.
///
/// `GET /v1/admin/sites/{site}/audit` (viewer): the site's entries, same filters.
#[utoipa::path(
    get,
    path = "/v1/admin/sites/{site}/audit",
    tag = "accounts",
    params(("site" = String, Path, description = "The site's id"), AuditFilter),
    security(("admin_bearer" = []), ("admin_session" = [])),
    responses(
        (status = 200, description = "The site's entries, newest first", body = Vec<AuditEntry>),
        (status = 401, description = answers::ADMIN_401, body = ErrorBody),
        (status = 403, description = answers::VIEWER_403, body = ErrorBody),
        (status = 404, description = answers::ADMIN_SITE_404, body = ErrorBody),
        (status = 422, description = "`invalid_input`: an unknown parameter, `from`/`to` neither RFC 3339 nor `YYYY-MM-DD`, `before` past any seq, or `limit` out of 1–500", body = ErrorBody),
        (status = 500, description = answers::INTERNAL, body = ErrorBody),
    )
)]
pub async fn get_site_audit(
    State(state): State<AppState>,
    SiteViewer { site, .. }: SiteViewer,
    ApiQuery(mut filter): ApiQuery<AuditFilter>,
) -> Result<Json<Vec<AuditEntry>>> {
    filter.site = Some(site.id.to_string());
    Ok(Json(state.db.audit_entries(&filter.normalized()?).await?))
}
