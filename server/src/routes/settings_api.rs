//! The subject endpoints again, under the hosted privacy-settings page's own path
//! (`/sites/{site}/privacy/…`), where its session cookie is sent: the same handlers, bodies
//! and answers as `/v1/sites/{site}/subjects/…` and `POST /v1/sites/{site}/consents`, with
//! the session in place of the subject token ([`crate::extract::authorize_subject`]) and the
//! CSRF token on writes; and the notice the page shows (current, and each published version
//! an event was recorded under), so the page needs nothing from any other path or origin.

use super::{consents, notice, subjects};
use crate::error::Result;
use crate::extract::{ApiJson, ApiQuery, Site, SubjectAuth};
use crate::routes::api_doc::answers;
use crate::state::AppState;
use assent_shared::Invalid;
use assent_shared::api::{
    ConsentHistory, ConsentRecorded, ConsentRequest, CurrentState, ErrorBody, EventReceipt, NoticeResponse,
    NoticeVersionResponse,
};
use axum::Json;
use axum::extract::{ConnectInfo, OriginalUri, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::Value;
use std::net::SocketAddr;

const SESSION_401: &str = "`unauthorized`: no settings session, or an expired one (open the site's privacy link again)";
const SESSION_403: &str =
    "`forbidden`: the session belongs to another subject; `csrf_failed`: a write without the session's `X-CSRF-Token`";
const SUBJECT_404: &str =
    "`site_not_found`: no live site has this id; `subject_not_found`: no such subject on this site";

/// The subject's history, on the settings page.
///
/// `GET /sites/{site}/privacy/subjects/{subject}/consents`: as `GET
/// /v1/sites/{site}/subjects/{subject}/consents`, with the page's session.
#[utoipa::path(
    get,
    path = "/sites/{site}/privacy/subjects/{subject}/consents",
    tag = "settings",
    params(("site" = String, Path, description = "The site's id"), ("subject" = String, Path, description = "The session's subject")),
    security(("settings_session" = [])),
    responses(
        (status = 200, description = "Every event of the subject's chain", body = ConsentHistory),
        (status = 401, description = SESSION_401, body = ErrorBody),
        (status = 403, description = SESSION_403, body = ErrorBody),
        (status = 404, description = SUBJECT_404, body = ErrorBody),
        (status = 410, description = answers::SUBJECT_GONE, body = ErrorBody),
        (status = 422, description = answers::SUBJECT_422, body = ErrorBody),
        (status = 500, description = answers::INTERNAL, body = ErrorBody),
    )
)]
pub async fn get_history(state: State<AppState>, auth: SubjectAuth) -> Result<Json<ConsentHistory>> {
    subjects::get_history(state, auth).await
}

/// The subject's current decisions, on the settings page.
///
/// `GET /sites/{site}/privacy/subjects/{subject}/current`.
#[utoipa::path(
    get,
    path = "/sites/{site}/privacy/subjects/{subject}/current",
    tag = "settings",
    params(("site" = String, Path, description = "The site's id"), ("subject" = String, Path, description = "The session's subject")),
    security(("settings_session" = [])),
    responses(
        (status = 200, description = "The latest decision per purpose", body = CurrentState),
        (status = 401, description = SESSION_401, body = ErrorBody),
        (status = 403, description = SESSION_403, body = ErrorBody),
        (status = 404, description = SUBJECT_404, body = ErrorBody),
        (status = 410, description = answers::SUBJECT_GONE, body = ErrorBody),
        (status = 422, description = answers::SUBJECT_422, body = ErrorBody),
        (status = 500, description = answers::INTERNAL, body = ErrorBody),
    )
)]
pub async fn get_current(state: State<AppState>, auth: SubjectAuth) -> Result<Json<CurrentState>> {
    subjects::get_current(state, auth).await
}

/// Export the subject's history, on the settings page.
///
/// `GET /sites/{site}/privacy/subjects/{subject}/export?format=json|csv`.
#[utoipa::path(
    get,
    path = "/sites/{site}/privacy/subjects/{subject}/export",
    tag = "settings",
    params(("site" = String, Path, description = "The site's id"), ("subject" = String, Path, description = "The session's subject"), subjects::ExportQuery),
    security(("settings_session" = [])),
    responses(
        (status = 200, description = "A download (`Content-Disposition: attachment`)", content(
            (ConsentHistory = "application/json"),
            (String = "text/csv"),
        )),
        (status = 401, description = SESSION_401, body = ErrorBody),
        (status = 403, description = SESSION_403, body = ErrorBody),
        (status = 404, description = SUBJECT_404, body = ErrorBody),
        (status = 410, description = answers::SUBJECT_GONE, body = ErrorBody),
        (status = 422, description = "`invalid_input`: the subject id is not a UUID, or `format` is neither `json` nor `csv`", body = ErrorBody),
        (status = 500, description = answers::INTERNAL, body = ErrorBody),
    )
)]
pub async fn get_export(
    state: State<AppState>,
    auth: SubjectAuth,
    query: ApiQuery<subjects::ExportQuery>,
) -> Result<Response> {
    subjects::get_export(state, auth, query).await
}

/// One event's consent receipt, on the settings page.
///
/// `GET /sites/{site}/privacy/subjects/{subject}/consents/{event}/kantara`.
#[utoipa::path(
    get,
    path = "/sites/{site}/privacy/subjects/{subject}/consents/{event}/kantara",
    tag = "settings",
    params(
        ("site" = String, Path, description = "The site's id"),
        ("subject" = String, Path, description = "The session's subject"),
        ("event" = String, Path, description = "An event of the subject's chain"),
    ),
    security(("settings_session" = [])),
    responses(
        (status = 200, description = "A Kantara Consent Receipt v1.1 (JSON)", body = Object),
        (status = 401, description = SESSION_401, body = ErrorBody),
        (status = 403, description = SESSION_403, body = ErrorBody),
        (status = 404, description = answers::EVENT_404, body = ErrorBody),
        (status = 410, description = answers::SUBJECT_GONE, body = ErrorBody),
        (status = 422, description = answers::SUBJECT_422, body = ErrorBody),
        (status = 500, description = answers::INTERNAL, body = ErrorBody),
    )
)]
pub async fn get_kantara_receipt(
    state: State<AppState>,
    auth: SubjectAuth,
    path: Path<(String, String, String)>,
) -> Result<Json<Value>> {
    subjects::get_kantara_receipt(state, auth, path).await
}

/// One event's signed receipt, on the settings page.
///
/// `GET /sites/{site}/privacy/subjects/{subject}/consents/{event}/receipt`: as `GET
/// /v1/sites/{site}/subjects/{subject}/consents/{event}/receipt`, with the page's session.
#[utoipa::path(
    get,
    path = "/sites/{site}/privacy/subjects/{subject}/consents/{event}/receipt",
    tag = "settings",
    params(
        ("site" = String, Path, description = "The site's id"),
        ("subject" = String, Path, description = "The session's subject"),
        ("event" = String, Path, description = "An event of the subject's chain"),
    ),
    security(("settings_session" = [])),
    responses(
        (status = 200, description = "The event's id and the receipt its recording answered (compact JWS)", body = EventReceipt),
        (status = 401, description = SESSION_401, body = ErrorBody),
        (status = 403, description = SESSION_403, body = ErrorBody),
        (status = 404, description = answers::EVENT_404, body = ErrorBody),
        (status = 410, description = answers::SUBJECT_GONE, body = ErrorBody),
        (status = 422, description = answers::SUBJECT_422, body = ErrorBody),
        (status = 500, description = answers::INTERNAL, body = ErrorBody),
    )
)]
pub async fn get_receipt(
    state: State<AppState>,
    auth: SubjectAuth,
    path: Path<(String, String, String)>,
) -> Result<Json<EventReceipt>> {
    subjects::get_receipt(state, auth, path).await
}

/// The current notice, on the settings page.
///
/// `GET /sites/{site}/privacy/notice?lang=`: the answer of `GET /v1/sites/{site}/notice` (the
/// notice in the best language, its hash, this request's regime and GPC signal), on the
/// page's own origin and path; it counts no banner shown.
#[utoipa::path(
    get,
    path = "/sites/{site}/privacy/notice",
    tag = "settings",
    params(("site" = String, Path, description = "The site's id"), notice::LangQuery),
    responses(
        (status = 200, description = "The current notice", body = NoticeResponse),
        (status = 404, description = "`site_not_found`: no live site has this id; `notice_not_found`: the site has published no notice", body = ErrorBody),
        (status = 422, description = answers::INVALID, body = ErrorBody),
        (status = 500, description = answers::INTERNAL, body = ErrorBody),
    )
)]
pub async fn get_notice(
    State(state): State<AppState>,
    Site(site): Site,
    ApiQuery(query): ApiQuery<notice::LangQuery>,
    headers: HeaderMap,
) -> Result<Response> {
    let wanted = notice::wanted_languages(query.lang.as_deref(), &headers);
    notice::current_notice(&state, site, wanted, &headers, None, notice::Render::NOTHING).await
}

/// A published notice version, on the settings page.
///
/// `GET /sites/{site}/privacy/notice/versions/{version}?lang=`: as `GET
/// /v1/sites/{site}/notice/versions/{version}` — the text an event of the history was
/// recorded under, in that event's `language`.
#[utoipa::path(
    get,
    path = "/sites/{site}/privacy/notice/versions/{version}",
    tag = "settings",
    params(("site" = String, Path, description = "The site's id"), ("version" = u32, Path, description = "A published version number (an event's `notice_version`)"), notice::LangQuery),
    responses(
        (status = 200, description = "The version in the best language, and its hash", body = NoticeVersionResponse),
        (status = 404, description = "`site_not_found`: no live site has this id; `notice_not_found`: the site never published this version", body = ErrorBody),
        (status = 422, description = "`invalid_input`: the version is not a positive number, or a query parameter of the wrong shape", body = ErrorBody),
        (status = 500, description = answers::INTERNAL, body = ErrorBody),
    )
)]
pub async fn get_notice_version(
    state: State<AppState>,
    site: Site,
    path: Path<(String, String)>,
    query: ApiQuery<notice::LangQuery>,
    headers: HeaderMap,
) -> Result<Response> {
    notice::get_notice_version(state, site, path, query, headers).await
}

/// Erase the subject, from the settings page.
///
/// `POST /sites/{site}/privacy/subjects/{subject}/erasure` (with `X-CSRF-Token`).
#[utoipa::path(
    post,
    path = "/sites/{site}/privacy/subjects/{subject}/erasure",
    tag = "settings",
    params(("site" = String, Path, description = "The site's id"), ("subject" = String, Path, description = "The session's subject")),
    security(("settings_session" = [])),
    responses(
        (status = 204, description = "Erased: the link to the person is gone; the chain stays as pseudonymous evidence"),
        (status = 401, description = SESSION_401, body = ErrorBody),
        (status = 403, description = SESSION_403, body = ErrorBody),
        (status = 404, description = SUBJECT_404, body = ErrorBody),
        (status = 410, description = answers::SUBJECT_GONE, body = ErrorBody),
        (status = 422, description = answers::SUBJECT_422, body = ErrorBody),
        (status = 500, description = answers::INTERNAL, body = ErrorBody),
    )
)]
pub async fn post_erasure(state: State<AppState>, auth: SubjectAuth) -> Result<StatusCode> {
    subjects::post_erasure(state, auth).await
}

/// Record a decision from the settings page.
///
/// `POST /sites/{site}/privacy/consents` (with `X-CSRF-Token`): the body of `POST
/// /v1/sites/{site}/consents` for the session's subject (`subject_id` required).
#[utoipa::path(
    post,
    path = "/sites/{site}/privacy/consents",
    tag = "settings",
    params(("site" = String, Path, description = "The site's id")),
    request_body = ConsentRequest,
    security(("settings_session" = [])),
    responses(
        (status = 201, description = "Recorded (or the identical retry of a recorded event): the event and its signed receipt", body = ConsentRecorded),
        (status = 400, description = answers::MALFORMED_BODY, body = ErrorBody),
        (status = 401, description = SESSION_401, body = ErrorBody),
        (status = 403, description = SESSION_403, body = ErrorBody),
        (status = 404, description = answers::SITE_NOT_FOUND, body = ErrorBody),
        (status = 409, description = "`conflict`: this `event_id` was recorded with another body", body = ErrorBody),
        (status = 410, description = answers::SUBJECT_GONE, body = ErrorBody),
        (status = 413, description = answers::TOO_LARGE, body = ErrorBody),
        (status = 422, description = "`invalid_input`: a field of the wrong shape, `subject_id` missing, a purpose not in that notice version (`details.field` names it); `notice_mismatch`: the notice hash does not match the version and language", body = ErrorBody),
        (status = 500, description = answers::INTERNAL, body = ErrorBody),
    )
)]
pub async fn post_consent(
    state: State<AppState>,
    site: Site,
    peer: ConnectInfo<SocketAddr>,
    uri: OriginalUri,
    headers: HeaderMap,
    ApiJson(request): ApiJson<ConsentRequest>,
) -> Result<(StatusCode, Json<ConsentRecorded>)> {
    // The page acts for its session's subject; it never starts a new one.
    if request.subject_id.is_none() {
        return Err(Invalid::new("subject_id", "required on the settings page: the session's subject").into());
    }
    consents::post_consent(state, site, peer, uri, headers, ApiJson(request)).await
}
