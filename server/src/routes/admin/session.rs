//! Signing in and out: `POST /v1/admin/login`, `/logout`, `/password`, `GET /v1/admin/me`.
//!
//! A session is a JWT (`aud = assent:admin`) set as an `HttpOnly; Secure; SameSite=Strict`
//! cookie and also returned in the body for API clients. The dashboard never stores it: the
//! browser sends the cookie, and writes echo the session's CSRF token in `X-CSRF-Token`.

use crate::admin_auth::{AdminAuth, CSRF_COOKIE, SESSION_COOKIE};
use crate::auth::{
    Audience, SessionClaims, check_password_rules, decoy_hash, hash_password, random_token, verify_password,
};
use crate::clock;
use crate::db::accounts::{UserRow, normalize_email};
use crate::db::audit::AuditRecord;
use crate::error::{ApiError, Result};
use crate::extract::ApiJson;
use crate::request_context::client_ip;
use crate::routes::api_doc::answers;
use crate::state::AppState;
use assent_shared::admin_api::{LoginRequest, Me, PasswordChange, Session};
use assent_shared::api::ErrorBody;
use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use std::net::SocketAddr;

const WRONG_CREDENTIALS: &str = "wrong email or password";

/// Runs argon2 off the async threads.
async fn password_matches(password: String, phc: String) -> Result<bool> {
    tokio::task::spawn_blocking(move || verify_password(&password, &phc))
        .await
        .map_err(|e| ApiError::Internal(e.into()))
}

/// Sign in.
///
/// `POST /v1/admin/login`: 200 with a [`Session`] and its cookies; 401 for a wrong email or
/// password (the same answer and about the same time for both); 429 with `Retry-After` when
/// this address or account tried too often.
#[utoipa::path(
    post,
    path = "/v1/admin/login",
    tag = "session",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in: the session, also set as the `assent_session` and `assent_csrf` cookies", body = Session),
        (status = 400, description = answers::MALFORMED_BODY, body = ErrorBody),
        (status = 401, description = "`unauthorized`: wrong email or password (the same answer for both)", body = ErrorBody),
        (status = 413, description = answers::TOO_LARGE, body = ErrorBody),
        (status = 422, description = answers::INVALID, body = ErrorBody),
        (status = 429, description = "`too_many_requests`: too many attempts from this address or for this account; `Retry-After` and `details.retry_after_secs` say when to try again", body = ErrorBody),
        (status = 500, description = answers::INTERNAL, body = ErrorBody),
    )
)]
pub async fn post_login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ApiJson(request): ApiJson<LoginRequest>,
) -> Result<Response> {
    let ip = client_ip(&state.config, &headers, peer.ip());
    state.login_limiter.check(ip, &normalize_email(&request.email))?;
    let user = state.db.user_by_email(&request.email).await?;
    let phc = user
        .as_ref()
        .map_or_else(|| decoy_hash().to_owned(), |u| u.password_hash.clone());
    let matches = password_matches(request.password, phc).await?;
    let Some(user) = user.filter(|_| matches) else {
        return Err(ApiError::Unauthorized(WRONG_CREDENTIALS));
    };
    state
        .db
        .audit(&AuditRecord {
            actor: format!("user:{}", user.email),
            action: "login",
            site_id: None,
            details: json!({}),
            client_ip: Some(ip.to_string()),
        })
        .await?;
    session_response(&state, &user, StatusCode::OK).await
}

/// Issues a session for `user` at its current token version.
async fn session_response(state: &AppState, user: &UserRow, status: StatusCode) -> Result<Response> {
    let access = state
        .db
        .access(&user.id)
        .await?
        .ok_or(ApiError::Unauthorized(WRONG_CREDENTIALS))?;
    let now = time::OffsetDateTime::now_utc();
    let lifetime = time::Duration::hours(i64::from(state.config.admin_session_hours));
    let sites: std::collections::BTreeMap<String, _> = access.roles.iter().map(|(s, r)| (s.to_string(), *r)).collect();
    let claims = SessionClaims {
        aud: Audience::Admin.as_str().into(),
        sub: user.id.clone(),
        email: access.email.clone(),
        admin: access.is_admin,
        sites: sites.clone(),
        ver: access.token_version,
        csrf: random_token(24),
        iat: now.unix_timestamp(),
        exp: (now + lifetime).unix_timestamp(),
    };
    let token = state.keys.sign(&claims)?;
    let max_age = lifetime.whole_seconds();
    let body = Session {
        token: token.clone(),
        csrf_token: claims.csrf.clone(),
        expires_at: clock::format_rfc3339(now + lifetime),
        user: Me {
            id: Some(user.id.clone()),
            email: Some(access.email),
            is_admin: access.is_admin,
            sites,
        },
    };
    let mut response = (status, Json(body)).into_response();
    set_cookies(
        response.headers_mut(),
        &[
            format!("{SESSION_COOKIE}={token}; Path=/; Max-Age={max_age}; HttpOnly; Secure; SameSite=Strict"),
            format!(
                "{CSRF_COOKIE}={}; Path=/; Max-Age={max_age}; Secure; SameSite=Strict",
                claims.csrf
            ),
        ],
    )?;
    Ok(response)
}

fn set_cookies(headers: &mut HeaderMap, cookies: &[String]) -> Result<()> {
    for c in cookies {
        headers.append(
            header::SET_COOKIE,
            HeaderValue::from_str(c).map_err(|e| ApiError::Internal(e.into()))?,
        );
    }
    Ok(())
}

/// Sign out everywhere.
///
/// `POST /v1/admin/logout`: ends every session of this account (all devices) and clears the
/// cookies. 204.
#[utoipa::path(
    post,
    path = "/v1/admin/logout",
    tag = "session",
    security(("admin_bearer" = []), ("admin_session" = [], "csrf_token" = [])),
    responses(
        (status = 204, description = "Signed out everywhere; the cookies are cleared"),
        (status = 401, description = answers::ADMIN_401, body = ErrorBody),
        (status = 403, description = "`forbidden`: a service token cannot sign out; `csrf_failed`: a write authenticated by the session cookie without its `X-CSRF-Token`", body = ErrorBody),
        (status = 500, description = answers::INTERNAL, body = ErrorBody),
    )
)]
pub async fn post_logout(State(state): State<AppState>, auth: AdminAuth) -> Result<Response> {
    let user = auth.user_id().ok_or(ApiError::Forbidden(
        "a service token cannot sign out; it ends at its expiry",
    ))?;
    let record = AuditRecord {
        actor: auth.audit_actor(),
        action: "logout",
        site_id: None,
        details: json!({}),
        client_ip: Some(auth.client_ip.clone()),
    };
    state.db.revoke_sessions(user, None, &record).await?;
    state.access.forget(user);
    let mut response = StatusCode::NO_CONTENT.into_response();
    set_cookies(
        response.headers_mut(),
        &[
            format!("{SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Strict"),
            format!("{CSRF_COOKIE}=; Path=/; Max-Age=0; Secure; SameSite=Strict"),
        ],
    )?;
    Ok(response)
}

/// Change the password.
///
/// `POST /v1/admin/password`: checks the current password, sets the new one, ends every
/// earlier session and answers with a fresh one (200, like a login).
#[utoipa::path(
    post,
    path = "/v1/admin/password",
    tag = "session",
    request_body = PasswordChange,
    security(("admin_bearer" = []), ("admin_session" = [], "csrf_token" = [])),
    responses(
        (status = 200, description = "Changed: every earlier session has ended; this is the new one (cookies set too)", body = Session),
        (status = 400, description = answers::MALFORMED_BODY, body = ErrorBody),
        (status = 401, description = answers::ADMIN_401, body = ErrorBody),
        (status = 403, description = "`forbidden`: the current password is wrong, or a service token (which has no password); `csrf_failed`: a write authenticated by the session cookie without its `X-CSRF-Token`", body = ErrorBody),
        (status = 413, description = answers::TOO_LARGE, body = ErrorBody),
        (status = 422, description = "`invalid_input`: the new password breaks the rules (`details.field` = `new_password`) or the body has the wrong shape", body = ErrorBody),
        (status = 429, description = "`too_many_requests`: too many attempts for this account or address; `Retry-After` says when", body = ErrorBody),
        (status = 500, description = answers::INTERNAL, body = ErrorBody),
    )
)]
pub async fn post_password(
    State(state): State<AppState>,
    auth: AdminAuth,
    ApiJson(change): ApiJson<PasswordChange>,
) -> Result<Response> {
    let id = auth
        .user_id()
        .ok_or(ApiError::Forbidden("a service token has no password"))?;
    check_password_rules(&change.new_password).map_err(|e| assent_shared::Invalid::new("new_password", e.reason))?;
    // Guessing the current password from a stolen session is throttled like a login.
    let ip = auth.client_ip.parse().unwrap_or(std::net::IpAddr::from([0, 0, 0, 0]));
    if let crate::admin_auth::Actor::User { email, .. } = &auth.actor {
        state.login_limiter.check(ip, email)?;
    }
    let user = state
        .db
        .user_by_id(id)
        .await?
        .ok_or(ApiError::Unauthorized(WRONG_CREDENTIALS))?;
    if !password_matches(change.current_password, user.password_hash.clone()).await? {
        return Err(ApiError::Forbidden("the current password is wrong"));
    }
    let new = change.new_password;
    let hash = tokio::task::spawn_blocking(move || hash_password(&new))
        .await
        .map_err(|e| ApiError::Internal(e.into()))??;
    let record = AuditRecord {
        actor: auth.audit_actor(),
        action: "password_change",
        site_id: None,
        details: json!({}),
        client_ip: Some(auth.client_ip.clone()),
    };
    state.db.revoke_sessions(id, Some(&hash), &record).await?;
    state.access.forget(id);
    let user = state
        .db
        .user_by_id(id)
        .await?
        .ok_or(ApiError::Unauthorized(WRONG_CREDENTIALS))?;
    session_response(&state, &user, StatusCode::OK).await
}

/// Who is signed in.
///
/// `GET /v1/admin/me`: the caller and its roles.
#[utoipa::path(
    get,
    path = "/v1/admin/me",
    tag = "session",
    security(("admin_bearer" = []), ("admin_session" = [])),
    responses(
        (status = 200, description = "The caller", body = Me),
        (status = 401, description = answers::ADMIN_401, body = ErrorBody),
        (status = 500, description = answers::INTERNAL, body = ErrorBody),
    )
)]
pub async fn get_me(auth: AdminAuth) -> Json<Me> {
    let (id, email) = match &auth.actor {
        crate::admin_auth::Actor::User { id, email } => (Some(id.clone()), Some(email.clone())),
        crate::admin_auth::Actor::Service => (None, None),
    };
    let sites = auth
        .visible_sites()
        .unwrap_or_default()
        .into_iter()
        .filter_map(|s| auth.role_on(&s).map(|r| (s.to_string(), r)))
        .collect();
    Json(Me {
        id,
        email,
        is_admin: auth.is_admin,
        sites,
    })
}
