//! Guards for the admin API, declared in handler signatures: [`AdminAuth`] (any signed-in
//! person or service token), [`SiteViewer`] and [`SiteOwner`] (a role on the `{site}` of the
//! path), and [`InstanceAdmin`].
//!
//! Order of refusals: no or bad credentials → 401; a role too weak or on another site → 403
//! (also for a site that does not exist, so the answer does not reveal which sites exist);
//! only then an unknown site → 404, to an instance administrator.

use crate::auth::{Audience, Role, ServiceClaims, SessionClaims};
use crate::db::accounts::Access;
use crate::error::ApiError;
use crate::extract::bearer;
use crate::ledger::SiteRecord;
use crate::request_context::client_ip;
use crate::state::AppState;
use assent_shared::ids::SiteId;
use axum::extract::{ConnectInfo, FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Name of the session cookie (`HttpOnly; Secure; SameSite=Strict`).
pub const SESSION_COOKIE: &str = "assent_session";
/// Name of the cookie holding the CSRF token the dashboard echoes in [`CSRF_HEADER`].
pub const CSRF_COOKIE: &str = "assent_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";
/// How long an account's access is cached per process: the bound on how late a logout,
/// password change or revoked role is noticed by another process.
pub const ACCESS_TTL: Duration = Duration::from_secs(2);

/// Who is calling the admin API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    User { id: String, email: String },
    Service,
}

/// A verified admin caller and what it may do.
#[derive(Debug, Clone)]
pub struct AdminAuth {
    pub actor: Actor,
    pub is_admin: bool,
    roles: std::collections::BTreeMap<SiteId, Role>,
    service: Option<ServiceClaims>,
    /// The client address (trusted header or peer), for the audit log.
    pub client_ip: String,
    /// The session's claims, for a person.
    pub session: Option<SessionClaims>,
}

impl AdminAuth {
    /// The role on `site`: instance administrators own every site.
    pub fn role_on(&self, site: &SiteId) -> Option<Role> {
        if self.is_admin {
            return Some(Role::Owner);
        }
        match &self.service {
            Some(claims) => claims.role_on(site),
            None => self.roles.get(site).copied(),
        }
    }

    /// The sites this caller may see (`None` = every site).
    pub fn visible_sites(&self) -> Option<Vec<SiteId>> {
        if self.is_admin || self.service.as_ref().is_some_and(|c| c.sites.iter().any(|s| s == "*")) {
            return None;
        }
        Some(match &self.service {
            Some(claims) => claims.sites.iter().filter_map(|s| SiteId::parse(s).ok()).collect(),
            None => self.roles.keys().cloned().collect(),
        })
    }

    /// How the audit log names this caller.
    pub fn audit_actor(&self) -> String {
        match &self.actor {
            Actor::User { email, .. } => format!("user:{email}"),
            Actor::Service => "service".into(),
        }
    }

    pub fn user_id(&self) -> Option<&str> {
        match &self.actor {
            Actor::User { id, .. } => Some(id),
            Actor::Service => None,
        }
    }
}

/// Per-process cache of accounts' access (see [`ACCESS_TTL`]).
#[derive(Debug, Default)]
pub struct AccessCache(Mutex<HashMap<String, (Instant, Option<Access>)>>);

impl AccessCache {
    pub async fn get(&self, state: &AppState, user_id: &str) -> Result<Option<Access>, ApiError> {
        if let Some((at, access)) = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(user_id)
            && at.elapsed() < ACCESS_TTL
        {
            return Ok(access.clone());
        }
        let access = state.db.access(user_id).await?;
        let mut map = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if map.len() > 10_000 {
            map.retain(|_, (at, _)| at.elapsed() < ACCESS_TTL);
        }
        map.insert(user_id.to_owned(), (Instant::now(), access.clone()));
        Ok(access)
    }

    /// Forgets an account here at once (this process made the change).
    pub fn forget(&self, user_id: &str) {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(user_id);
    }
}

/// The value of one cookie of the request.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

impl FromRequestParts<AppState> for AdminAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(std::net::IpAddr::from([127, 0, 0, 1]), |c| c.0.ip());
        let client_ip = client_ip(&state.config, &parts.headers, peer).to_string();
        let keys = &state.keys;
        let (token, from_cookie) = match bearer(&parts.headers) {
            Some(token) => (token, false),
            None => match cookie(&parts.headers, SESSION_COOKIE) {
                Some(token) => (token, true),
                None => {
                    return Err(ApiError::Unauthorized(
                        "sign in first: POST /v1/admin/login, then send the session cookie or Authorization: Bearer <token>",
                    ));
                }
            },
        };
        if let Some(claims) = keys.verify_token::<SessionClaims>(token, Audience::Admin, true) {
            // A cookie is sent by the browser on its own: a write must prove it comes from our
            // dashboard by echoing the CSRF token (double submit, bound to the session).
            let safe = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
            if from_cookie && !safe {
                let echoed = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
                if echoed != Some(claims.csrf.as_str()) {
                    return Err(ApiError::CsrfFailed);
                }
            }
            let access = state
                .access
                .get(state, &claims.sub)
                .await?
                .filter(|a| a.token_version == claims.ver)
                .ok_or(ApiError::Unauthorized(
                    "this session has ended (signed out or password changed); sign in again",
                ))?;
            return Ok(Self {
                actor: Actor::User {
                    id: claims.sub.clone(),
                    email: access.email,
                },
                is_admin: access.is_admin,
                roles: access.roles,
                service: None,
                client_ip,
                session: Some(claims),
            });
        }
        if !from_cookie && let Some(claims) = keys.verify_token::<ServiceClaims>(token, Audience::Service, true) {
            // A service token for every site with the owner role acts as an administrator.
            let is_admin = claims.role == Role::Owner && claims.sites.iter().any(|s| s == "*");
            return Ok(Self {
                actor: Actor::Service,
                is_admin,
                roles: Default::default(),
                service: Some(claims),
                client_ip,
                session: None,
            });
        }
        Err(ApiError::Unauthorized(
            "the admin token is not valid, of another kind, or expired",
        ))
    }
}

/// The `{site}` of the path, checked against the caller's role.
async fn site_guard(parts: &mut Parts, state: &AppState, min: Role) -> Result<(SiteRecord, AdminAuth), ApiError> {
    let auth = AdminAuth::from_request_parts(parts, state).await?;
    let params = RawPathParams::from_request_parts(parts, state)
        .await
        .map_err(|_| ApiError::site_not_found())?;
    let raw = params
        .iter()
        .find(|(k, _)| *k == "site")
        .map(|(_, v)| v.to_owned())
        .unwrap_or_default();
    // A malformed id names no site: an instance administrator (who may learn which sites
    // exist) hears so, anyone else gets the same 403 as for any site they have no role on.
    let Ok(id) = SiteId::parse(&raw) else {
        return Err(if auth.is_admin {
            ApiError::site_not_found()
        } else {
            ApiError::Forbidden("you have no role on this site")
        });
    };
    match auth.role_on(&id) {
        None => return Err(ApiError::Forbidden("you have no role on this site")),
        Some(role) if role < min => {
            return Err(ApiError::Forbidden(
                "this needs the owner role on the site; you are a viewer",
            ));
        }
        Some(_) => {}
    }
    let site = state.site(id.as_str()).ok_or_else(ApiError::site_not_found)?;
    Ok((site, auth))
}

/// A caller with at least the viewer role on the path's `{site}`.
#[derive(Debug)]
pub struct SiteViewer {
    pub site: SiteRecord,
    pub auth: AdminAuth,
}

impl FromRequestParts<AppState> for SiteViewer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let (site, auth) = site_guard(parts, state, Role::Viewer).await?;
        Ok(Self { site, auth })
    }
}

/// A caller with the owner role on the path's `{site}`.
#[derive(Debug)]
pub struct SiteOwner {
    pub site: SiteRecord,
    pub auth: AdminAuth,
}

impl FromRequestParts<AppState> for SiteOwner {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let (site, auth) = site_guard(parts, state, Role::Owner).await?;
        Ok(Self { site, auth })
    }
}

/// An instance administrator (creates sites and accounts).
#[derive(Debug)]
pub struct InstanceAdmin(pub AdminAuth);

impl FromRequestParts<AppState> for InstanceAdmin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let auth = AdminAuth::from_request_parts(parts, state).await?;
        if auth.is_admin {
            Ok(Self(auth))
        } else {
            Err(ApiError::Forbidden("this needs an instance administrator"))
        }
    }
}
