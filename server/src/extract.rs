//! Extractors whose rejections are our [`ApiError`], so even a malformed request gets the
//! one JSON error shape.

use crate::auth::{Audience, SettingsClaims};
use crate::error::ApiError;
use crate::keys::Keys;
use crate::ledger::{SiteRecord, SubjectStatus};
use crate::state::AppState;
use assent_shared::Invalid;
use assent_shared::ids::{SiteId, SubjectId};
use axum::extract::{FromRequest, FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// A JSON body with our error shape on rejection: 400 `malformed_body` for a wrong content
/// type or JSON that does not parse (with line and column), 413 past the body limit, and
/// 422 `invalid_input` naming the JSON path of the first value of the wrong shape
/// (`details.field`, e.g. `origins[2]` or `purposes[0].legal_basis`).
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        let json_type = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|m| {
                let m = m.trim();
                m.eq_ignore_ascii_case("application/json") || (m.starts_with("application/") && m.ends_with("+json"))
            });
        if !json_type {
            return Err(ApiError::MalformedBody(
                "expected Content-Type: application/json".into(),
            ));
        }
        let bytes = axum::body::Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge
            } else {
                ApiError::MalformedBody(e.body_text())
            }
        })?;
        parse_json(&bytes).map(Self)
    }
}

/// Parses JSON as [`ApiJson`] does, for bodies read by other means.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            ApiError::MalformedBody(format!("not valid JSON: {inner}"))
        } else {
            let field = if path == "." { "body".to_owned() } else { path };
            // serde's message ends with the position in the body: the field already says where.
            let reason = inner.to_string();
            let reason = reason.split(" at line ").next().unwrap_or(&reason).to_owned();
            Invalid::new(field, reason).into()
        }
    })?;
    de.end()
        .map_err(|e| ApiError::MalformedBody(format!("not valid JSON: {e}")))?;
    Ok(value)
}

/// Claims of a subject token (`aud = assent:subject`): proof that the bearer may append to
/// and read this chain. No expiry: it lives as long as the visitor's stored choice.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct SubjectClaims {
    pub aud: String,
    pub site: String,
    pub sub: String,
}

impl SubjectClaims {
    pub fn new(site: &SiteId, subject: &SubjectId) -> Self {
        Self {
            aud: Audience::Subject.as_str().into(),
            site: site.to_string(),
            sub: subject.to_string(),
        }
    }
}

/// The token of an `Authorization: Bearer …` header, if there is one.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

/// The cookie of a privacy-settings page session; its `Path` is that page
/// (`/sites/{site}/privacy`), so browsers send it nowhere else.
pub const SETTINGS_COOKIE: &str = "assent_settings";

/// Checks that the request may act for this subject of this site: `Authorization: Bearer
/// <subject token>`, or — on the hosted privacy-settings page — its session cookie, where a
/// write (any method but GET/HEAD) must also echo the session's CSRF token in
/// `X-CSRF-Token` (403 `csrf_failed`). 401 without a valid credential, 403 for another
/// subject's.
pub fn authorize_subject(
    keys: &Keys,
    headers: &HeaderMap,
    method: &Method,
    site: &SiteId,
    subject: &SubjectId,
) -> Result<(), ApiError> {
    if let Some(token) = bearer(headers) {
        let claims: SubjectClaims = keys
            .verify_token(token, Audience::Subject, false)
            .ok_or(ApiError::Unauthorized("the subject token is not valid"))?;
        return if claims == SubjectClaims::new(site, subject) {
            Ok(())
        } else {
            Err(ApiError::Forbidden("the subject token belongs to another subject"))
        };
    }
    let Some(session) = crate::admin_auth::cookie(headers, SETTINGS_COOKIE) else {
        return Err(ApiError::Unauthorized(
            "this subject's token is required as Authorization: Bearer <subject_token>",
        ));
    };
    let claims = SettingsClaims::verify(keys, session).ok_or(ApiError::Unauthorized(
        "the privacy-settings session has expired; open the site's privacy link again",
    ))?;
    if claims.site != site.as_str() || claims.sub != subject.as_str() {
        return Err(ApiError::Forbidden("this session belongs to another subject"));
    }
    let safe = matches!(*method, Method::GET | Method::HEAD);
    let echoed = headers
        .get(crate::admin_auth::CSRF_HEADER)
        .and_then(|v| v.to_str().ok());
    if !safe && echoed != Some(claims.csrf.as_str()) {
        return Err(ApiError::CsrfFailed);
    }
    Ok(())
}

/// The `{site}` of a public API path: registered and not archived, else 404 `site_not_found`.
#[derive(Debug, Clone)]
pub struct Site(pub SiteRecord);

impl FromRequestParts<AppState> for Site {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::site_not_found())?;
        params
            .iter()
            .find(|(k, _)| *k == "site")
            .and_then(|(_, id)| state.live_site(id))
            .map(Self)
            .ok_or_else(ApiError::site_not_found)
    }
}

/// The `{site}` and `{subject}` of a path, with `Authorization: Bearer <subject token>` (or,
/// on the hosted settings page, its session cookie) for exactly that subject: 401 without a valid token, 403 for another subject's, 404 for an
/// unknown subject, 410 for an erased one.
#[derive(Debug, Clone)]
pub struct SubjectAuth {
    pub site: SiteRecord,
    pub subject: SubjectId,
}

impl FromRequestParts<AppState> for SubjectAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Site(site) = Site::from_request_parts(parts, state).await?;
        let params = RawPathParams::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::site_not_found())?;
        let raw = params
            .iter()
            .find(|(k, _)| *k == "subject")
            .map(|(_, v)| v.to_owned())
            .unwrap_or_default();
        let subject = SubjectId::parse(&raw)?;
        authorize_subject(&state.keys, &parts.headers, &parts.method, &site.id, &subject)?;
        match state.ledger.subject_status(&site.id, &subject).await? {
            SubjectStatus::Active => Ok(Self { site, subject }),
            SubjectStatus::Erased => Err(ApiError::subject_erased()),
            SubjectStatus::Unknown => Err(ApiError::NotFound {
                what: "subject",
                code: "subject_not_found",
            }),
        }
    }
}

/// The query string, parsed like `Query<T>`, with our error body: 422 `invalid_input`
/// naming the parameter whose value is wrong (`details.field`: `limit`, `format`, …), or
/// `query` for what belongs to no one parameter (an unknown one, a repeated one).
#[derive(Debug)]
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, ApiError> {
        let raw = parts.uri.query().unwrap_or_default();
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(raw.as_bytes()));
        serde_path_to_error::deserialize(de).map(Self).map_err(|err| {
            let path = err.path().to_string();
            let field = if path == "." { "query".to_owned() } else { path };
            Invalid::new(field, err.into_inner().to_string()).into()
        })
    }
}
