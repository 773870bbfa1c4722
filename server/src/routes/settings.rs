//! The hand-off to the privacy-settings page Assent hosts per site (`/sites/{site}/privacy`)
//! and its session. The hosted page cannot read the site's storage, so the site's page asks
//! for a single-use link for the subject it holds the token of; the page exchanges the link's
//! code for a session in an `HttpOnly`, `Secure`, `SameSite=Strict` cookie whose `Path` is
//! the page, so browsers send it nowhere else. With that cookie the page uses the subject
//! endpoints under its own path ([`super::settings_api`]); every write echoes the session's
//! CSRF token (`X-CSRF-Token`).

use crate::auth::SettingsClaims;
use crate::clock;
use crate::db::settings::Refused;
use crate::error::{ApiError, Result};
use crate::extract::{ApiJson, SETTINGS_COOKIE, Site, SubjectAuth};
use crate::routes::api_doc::answers;
use crate::state::AppState;
use assent_shared::Invalid;
use assent_shared::api::ErrorBody;
use assent_shared::ids::SiteId;
use assent_shared::settings::{SettingsCode, SettingsLink, SettingsSession};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use time::OffsetDateTime;

/// How long a settings page session lasts after the exchange.
const SESSION_LIFETIME: time::Duration = time::Duration::minutes(30);
/// The longest `code` looked up; anything longer is refused as input (422), not as unknown.
const MAX_CODE_LEN: usize = 256;

/// Make a link to the hosted privacy-settings page.
///
/// `POST /v1/sites/{site}/subjects/{subject}/settings-link` (the subject's token, as
/// `assent.settingsLink()` sends it): a link to `/sites/{site}/privacy` carrying a code that
/// works once, within five minutes, for this subject only.
#[utoipa::path(
    post,
    path = "/v1/sites/{site}/subjects/{subject}/settings-link",
    tag = "subject",
    params(("site" = String, Path, description = "The site's id"), ("subject" = String, Path, description = "The subject's id (a UUID)")),
    security(("subject_token" = [])),
    responses(
        (status = 201, description = "The link", body = SettingsLink),
        (status = 401, description = answers::SUBJECT_401, body = ErrorBody),
        (status = 403, description = answers::SUBJECT_403, body = ErrorBody),
        (status = 404, description = answers::SUBJECT_404, body = ErrorBody),
        (status = 410, description = answers::SUBJECT_GONE, body = ErrorBody),
        (status = 422, description = answers::SUBJECT_422, body = ErrorBody),
        (status = 500, description = answers::INTERNAL, body = ErrorBody),
    )
)]
pub async fn post_settings_link(
    State(state): State<AppState>,
    SubjectAuth { site, subject }: SubjectAuth,
) -> Result<(axum::http::StatusCode, Json<SettingsLink>)> {
    let (code, expires_ms) = state.db.create_settings_code(&site.id, &subject).await?;
    let expires = OffsetDateTime::from_unix_timestamp_nanos(i128::from(expires_ms) * 1_000_000)
        .map_err(|e| ApiError::Internal(e.into()))?;
    Ok((
        axum::http::StatusCode::CREATED,
        Json(SettingsLink {
            url: format!("{}/sites/{}/privacy?code={code}", state.public_origin, site.id),
            expires_at: clock::format_rfc3339(expires),
        }),
    ))
}

/// Open a settings page session with a link's code.
///
/// `POST /sites/{site}/privacy/session` with `{"code": …}` from the link: exchanges the code
/// (once) for the session cookie and answers the session. A code of another site is unknown.
#[utoipa::path(
    post,
    path = "/sites/{site}/privacy/session",
    tag = "settings",
    params(("site" = String, Path, description = "The site's id")),
    request_body = SettingsCode,
    responses(
        (status = 200, description = "The session; its cookie is set for `/sites/{site}/privacy`", body = SettingsSession),
        (status = 400, description = answers::MALFORMED_BODY, body = ErrorBody),
        (status = 404, description = "`site_not_found`: no live site has this id; `settings_code_not_found`: no such code for this site", body = ErrorBody),
        (status = 410, description = "`settings_code_used`: the link was opened before (ask the site for a new one); `settings_code_expired`: the link is older than five minutes", body = ErrorBody),
        (status = 413, description = answers::TOO_LARGE, body = ErrorBody),
        (status = 422, description = answers::INVALID, body = ErrorBody),
        (status = 500, description = answers::INTERNAL, body = ErrorBody),
    )
)]
pub async fn post_session(
    State(state): State<AppState>,
    Site(site): Site,
    ApiJson(body): ApiJson<SettingsCode>,
) -> Result<Response> {
    // Codes are 43 characters (32 random bytes, base64url); far longer is no code at all.
    if body.code.len() > MAX_CODE_LEN {
        return Err(Invalid::new(
            "code",
            format!("longer than {MAX_CODE_LEN} characters: not a settings link's code"),
        )
        .into());
    }
    let opened = open_session(&state, &site.id, &body.code).await?.map_err(refusal)?;
    let mut response = Json(opened.session).into_response();
    let headers = response.headers_mut();
    headers.insert(header::SET_COOKIE, opened.cookie);
    no_store(headers);
    Ok(response)
}

/// A session just opened with a link's code: what the page is told, and the `Set-Cookie`
/// value that carries it.
pub(super) struct Opened {
    pub session: SettingsSession,
    pub cookie: HeaderValue,
}

/// Exchanges a link's `code` (once) for a session of its subject on `site`: the one place a
/// code is redeemed and a session signed, for both ways in — the link opened in a browser
/// (`GET /sites/{site}/privacy?code=…`, [`super::settings_page`]) and `POST …/session`. A
/// refused code (unknown, used, expired) writes nothing and opens nothing.
pub(super) async fn open_session(state: &AppState, site: &SiteId, code: &str) -> Result<Result<Opened, Refused>> {
    let subject = match state.db.redeem_settings_code(site, code).await? {
        Ok(subject) => subject,
        Err(refused) => return Ok(Err(refused)),
    };
    let expires = OffsetDateTime::now_utc() + SESSION_LIFETIME;
    let claims = SettingsClaims::new(site, &subject, expires.unix_timestamp());
    let token = state.keys.sign(&claims)?;
    let cookie = format!(
        "{SETTINGS_COOKIE}={token}; Path=/sites/{site}/privacy; Max-Age={}; HttpOnly; Secure; SameSite=Strict",
        SESSION_LIFETIME.whole_seconds()
    );
    Ok(Ok(Opened {
        session: SettingsSession {
            site_id: site.to_string(),
            subject_id: subject.to_string(),
            csrf_token: claims.csrf,
            expires_at: clock::format_rfc3339(expires),
        },
        cookie: HeaderValue::from_str(&cookie).map_err(|e| ApiError::Internal(e.into()))?,
    }))
}

/// A refused code as the API answers it (the hosted page says the same in HTML).
fn refusal(refused: Refused) -> ApiError {
    match refused {
        Refused::Unknown => ApiError::NotFound {
            what: "settings code",
            code: "settings_code_not_found",
        },
        Refused::Used => ApiError::Gone {
            code: "settings_code_used",
            message: "this privacy link was opened before; ask the site for a new one",
        },
        Refused::Expired => ApiError::Gone {
            code: "settings_code_expired",
            message: "this privacy link has expired (links work for five minutes); ask the site for a new one",
        },
    }
}

/// The current settings page session.
///
/// `GET /sites/{site}/privacy/session` (the session cookie): who the page acts for and the
/// CSRF token its writes echo.
#[utoipa::path(
    get,
    path = "/sites/{site}/privacy/session",
    tag = "settings",
    params(("site" = String, Path, description = "The site's id")),
    security(("settings_session" = [])),
    responses(
        (status = 200, description = "The session", body = SettingsSession),
        (status = 401, description = "`unauthorized`: no session, or an expired one (open the site's privacy link again)", body = ErrorBody),
        (status = 404, description = answers::SITE_NOT_FOUND, body = ErrorBody),
        (status = 500, description = answers::INTERNAL, body = ErrorBody),
    )
)]
pub async fn get_session(State(state): State<AppState>, Site(site): Site, headers: HeaderMap) -> Result<Response> {
    let claims = crate::admin_auth::cookie(&headers, SETTINGS_COOKIE)
        .and_then(|t| SettingsClaims::verify(&state.keys, t))
        .filter(|c| c.site == site.id.as_str())
        .ok_or(ApiError::Unauthorized(
            "no privacy-settings session, or an expired one; open the site's privacy link again",
        ))?;
    let expires = OffsetDateTime::from_unix_timestamp(claims.exp).map_err(|e| ApiError::Internal(e.into()))?;
    let mut response = Json(SettingsSession {
        site_id: claims.site,
        subject_id: claims.sub,
        csrf_token: claims.csrf,
        expires_at: clock::format_rfc3339(expires),
    })
    .into_response();
    no_store(response.headers_mut());
    Ok(response)
}

/// Session answers are never cached, and no link from the page carries its address.
pub(super) fn no_store(headers: &mut HeaderMap) {
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
}
