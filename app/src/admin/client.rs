//! The dashboard's calls to the admin API (`/v1/admin/…`, same origin). The browser sends the
//! `HttpOnly` session cookie by itself; a write echoes the session's CSRF token, read from the
//! `assent_csrf` cookie the login set, in `X-CSRF-Token` (see `server/src/admin_auth.rs`).
//! Every failure arrives as one [`Failure`], decoded from the API's one error shape.

use crate::api::{self, ApiFailure};
use assent_shared::api::ErrorBody;
use assent_shared::lint::Finding;
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::JsCast;

/// The cookie holding the session's CSRF token (readable by the page, unlike the session).
const CSRF_COOKIE: &str = "assent_csrf";

/// Why a request failed, as the dashboard shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The HTTP status; 0 when no answer came.
    pub status: u16,
    /// The API's stable code (`invalid_input`, `conflict`, …), or `network`.
    pub code: String,
    /// What the server said, in words a person can act on.
    pub message: String,
    /// For `invalid_input`: the field named (`name`, `origins[1]`, …) and why.
    pub field: Option<(String, String)>,
    /// For `notice_lint_failed`: the lint's findings that refused the notice.
    pub findings: Vec<Finding>,
}

impl Failure {
    fn from_api(failure: ApiFailure) -> Self {
        match failure {
            ApiFailure::Network(_) => Self {
                status: 0,
                code: "network".into(),
                message: "Assent did not answer. Check the connection, then try again.".into(),
                field: None,
                findings: Vec::new(),
            },
            ApiFailure::Refused { status, body } => {
                let Some(body) = crate::json::from_str::<ErrorBody>(&body) else {
                    return Self {
                        status,
                        code: "unknown".into(),
                        message: format!("The server answered {status} without saying why. Try again in a moment."),
                        field: None,
                        findings: Vec::new(),
                    };
                };
                let field = body.error.details.as_ref().and_then(|d| {
                    Some((
                        d.get("field")?.as_str()?.to_owned(),
                        d.get("reason")?.as_str()?.to_owned(),
                    ))
                });
                let findings = body
                    .error
                    .details
                    .as_ref()
                    .and_then(|d| d.get("findings"))
                    .and_then(|f| serde_json::from_value(f.clone()).ok())
                    .unwrap_or_default();
                Self {
                    status,
                    code: body.error.code,
                    message: body.error.message,
                    field,
                    findings,
                }
            }
        }
    }

    /// The session is missing, ended or expired: sign in again.
    pub fn signed_out(&self) -> bool {
        self.status == 401
    }

    /// The reason a field was refused, when this failure names `field` (or one of its items,
    /// `origins[2]` for `origins`).
    pub fn reason_for(&self, field: &str) -> Option<String> {
        let (named, reason) = self.field.as_ref()?;
        let matches = named == field
            || named
                .strip_prefix(field)
                .is_some_and(|rest| rest.starts_with(['[', '.']));
        matches.then(|| format!("{named}: {reason}"))
    }
}

/// The session's CSRF token, from its cookie.
fn csrf_token() -> Option<String> {
    let document: web_sys::HtmlDocument = web_sys::window()?.document()?.dyn_into().ok()?;
    let cookies = document.cookie().ok()?;
    cookies
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == CSRF_COOKIE)
        .map(|(_, value)| value.to_owned())
        .filter(|value| !value.is_empty())
}

/// `GET path`, decoded as `T`.
pub async fn get<T: DeserializeOwned>(path: &str) -> Result<T, Failure> {
    api::call("GET", path, None, &[]).await.map_err(Failure::from_api)
}

/// A write (`POST`, `PATCH`, `PUT`) with a JSON body, its answer decoded as `T`.
pub async fn send<T: DeserializeOwned, B: Serialize>(method: &str, path: &str, body: &B) -> Result<T, Failure> {
    send_if(method, path, body, None).await
}

/// [`send`], conditioned on the resource still being `revision` (`If-Match`): 412
/// `precondition_failed` when it changed since.
pub async fn send_if<T: DeserializeOwned, B: Serialize>(
    method: &str,
    path: &str,
    body: &B,
    revision: Option<&str>,
) -> Result<T, Failure> {
    let csrf = csrf_token().unwrap_or_default();
    let body = crate::json::to_string(body);
    let tag = revision.map(|r| format!("\"{r}\""));
    let mut headers = vec![("x-csrf-token", csrf.as_str())];
    if let Some(tag) = &tag {
        headers.push(("if-match", tag.as_str()));
    }
    api::call(method, path, Some(body), &headers)
        .await
        .map_err(Failure::from_api)
}

/// A write without a body or an answer (`POST /v1/admin/logout`: 204).
pub async fn send_empty(method: &str, path: &str) -> Result<(), Failure> {
    let csrf = csrf_token().unwrap_or_default();
    api::call_text(method, path, &[("x-csrf-token", &csrf)])
        .await
        .map(drop)
        .map_err(Failure::from_api)
}
