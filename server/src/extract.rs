//! Extractors whose rejections are our [`ApiError`], so even a malformed request gets the
//! one JSON error shape.

use crate::error::ApiError;
use crate::keys::Keys;
use assent_shared::Invalid;
use assent_shared::ids::{SiteId, SubjectId};
use axum::extract::FromRequest;
use axum::extract::rejection::JsonRejection;
use axum::http::HeaderMap;
use serde::{Deserialize, Serialize};

/// `Json<T>` with our error body on rejection.
#[derive(Debug, FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct ApiJson<T>(pub T);

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        match rejection {
            JsonRejection::JsonDataError(e) => Invalid::new("body", e.body_text()).into(),
            JsonRejection::MissingJsonContentType(_) => {
                ApiError::MalformedBody("expected Content-Type: application/json".into())
            }
            other => ApiError::MalformedBody(other.body_text()),
        }
    }
}

/// Claims of a subject token: proof that the bearer may append to and read this chain.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct SubjectClaims {
    pub typ: String,
    pub site: String,
    pub sub: String,
}

impl SubjectClaims {
    pub fn new(site: &SiteId, subject: &SubjectId) -> Self {
        Self {
            typ: "subject".into(),
            site: site.to_string(),
            sub: subject.to_string(),
        }
    }
}

/// The token of an `Authorization: Bearer …` header, if there is one.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

/// Checks `Authorization: Bearer <subject token>` for this site and subject.
pub fn authorize_subject(keys: &Keys, headers: &HeaderMap, site: &SiteId, subject: &SubjectId) -> Result<(), ApiError> {
    let token = bearer(headers).ok_or(ApiError::Unauthorized(
        "this subject's token is required as Authorization: Bearer <subject_token>",
    ))?;
    let claims: SubjectClaims = keys
        .verify(token)
        .ok_or(ApiError::Unauthorized("the subject token is not valid"))?;
    if claims == SubjectClaims::new(site, subject) {
        Ok(())
    } else {
        Err(ApiError::Forbidden("the subject token belongs to another subject"))
    }
}

/// Claims of an admin token (`assent admin-token`): which sites it may manage, until when.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct AdminClaims {
    pub typ: String,
    /// Site ids, or `*` for every site.
    pub sites: Vec<String>,
    /// Expiry, seconds since the Unix epoch.
    pub exp: i64,
}

/// Checks `Authorization: Bearer <admin token>` for this site.
pub fn authorize_admin(keys: &Keys, headers: &HeaderMap, site: &SiteId) -> Result<(), ApiError> {
    let token = bearer(headers).ok_or(ApiError::Unauthorized(
        "an admin token is required as Authorization: Bearer <token>",
    ))?;
    let claims: AdminClaims = keys
        .verify(token)
        .filter(|c: &AdminClaims| c.typ == "admin")
        .ok_or(ApiError::Unauthorized("the admin token is not valid"))?;
    if claims.exp <= time::OffsetDateTime::now_utc().unix_timestamp() {
        return Err(ApiError::Unauthorized("the admin token has expired"));
    }
    if claims.sites.iter().any(|s| s == "*" || s == site.as_str()) {
        Ok(())
    } else {
        Err(ApiError::Forbidden("the admin token does not cover this site"))
    }
}
