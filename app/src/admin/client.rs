//! The dashboard's calls to the admin API (`/v1/admin/…`, same origin). The browser sends the
//! `HttpOnly` session cookie by itself; a write echoes the session's CSRF token, read from the
//! `assent_csrf` cookie the login set, in `X-CSRF-Token` (see `server/src/admin_auth.rs`).
//! Every failure arrives as one [`Failure`], decoded from the API's one error shape.

use crate::api::{self, ApiFailure};
use assent_shared::api::ErrorBody;
use assent_shared::lint::Finding;
use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::Response;

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
    pub(super) fn from_api(failure: ApiFailure) -> Self {
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

/// A write without a body, its answer decoded as `T` (`POST …/checkpoints`, `…/erasure`).
pub async fn send_bare<T: DeserializeOwned>(method: &str, path: &str) -> Result<T, Failure> {
    let csrf = csrf_token().unwrap_or_default();
    api::call(method, path, None, &[("x-csrf-token", &csrf)])
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

/// A file the browser saved from the admin API.
#[derive(Debug, Clone, PartialEq)]
pub struct Saved {
    /// The name the server gave it (`Content-Disposition`), or the caller's.
    pub name: String,
    pub bytes: f64,
    /// For a ledger export, the events it holds (`X-Assent-Events`).
    pub events: Option<u64>,
}

/// `GET path` saved as a file: the answer is read chunk by chunk, `progress` hears the bytes
/// received so far (a ledger export can be large and streams), then the browser saves it
/// through a Blob URL under the server's file name (`fallback` if it gave none).
pub async fn download(path: &str, fallback: &str, progress: impl Fn(f64)) -> Result<Saved, Failure> {
    let network = |e: JsValue| Failure::from_api(ApiFailure::Network(format!("{e:?}")));
    let window = web_sys::window().ok_or_else(|| network(JsValue::NULL))?;
    let response: Response = JsFuture::from(window.fetch_with_str(path))
        .await
        .and_then(JsCast::dyn_into)
        .map_err(network)?;
    if !response.ok() {
        let text = match response.text() {
            Ok(text) => JsFuture::from(text).await.ok().and_then(|t| t.as_string()),
            Err(_) => None,
        };
        return Err(Failure::from_api(ApiFailure::Refused {
            status: response.status(),
            body: text.unwrap_or_default(),
        }));
    }
    let headers = response.headers();
    let header = |name: &str| headers.get(name).ok().flatten();
    let name = header("content-disposition")
        .and_then(|d| file_name(&d))
        .unwrap_or_else(|| fallback.to_owned());
    let events = header("x-assent-events").and_then(|n| n.parse().ok());
    let kind = header("content-type").unwrap_or_default();
    let chunks = js_sys::Array::new();
    let mut bytes = 0.0;
    if let Some(body) = response.body() {
        let reader: web_sys::ReadableStreamDefaultReader = body.get_reader().unchecked_into();
        loop {
            let step = JsFuture::from(reader.read()).await.map_err(network)?;
            if js_sys::Reflect::get(&step, &"done".into())
                .map_err(network)?
                .is_truthy()
            {
                break;
            }
            let chunk: js_sys::Uint8Array = js_sys::Reflect::get(&step, &"value".into())
                .map_err(network)?
                .unchecked_into();
            bytes += f64::from(chunk.byte_length());
            chunks.push(&chunk);
            progress(bytes);
        }
    }
    save(&chunks, &kind, &name).map_err(network)?;
    Ok(Saved { name, bytes, events })
}

/// The `filename` of a `Content-Disposition: attachment; filename="…"` header.
fn file_name(disposition: &str) -> Option<String> {
    let (_, rest) = disposition.split_once("filename=\"")?;
    let (name, _) = rest.split_once('"')?;
    (!name.is_empty()).then(|| name.to_owned())
}

/// Hands `chunks` to the browser as a file named `name` (an `<a download>` on a Blob URL).
fn save(chunks: &js_sys::Array, kind: &str, name: &str) -> Result<(), JsValue> {
    let document = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(kind);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(chunks, &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let link: web_sys::HtmlAnchorElement = document.create_element("a")?.unchecked_into();
    link.set_href(&url);
    link.set_download(name);
    link.click();
    // The click has started the download; the URL is no longer needed.
    web_sys::Url::revoke_object_url(&url)
}

/// A byte count for people: `812 B`, `14.2 kB`, `3.1 MB`.
pub fn size(bytes: f64) -> String {
    if bytes < 1000.0 {
        format!("{bytes} B")
    } else if bytes < 1_000_000.0 {
        format!("{:.1} kB", bytes / 1000.0)
    } else {
        format!("{:.1} MB", bytes / 1_000_000.0)
    }
}
