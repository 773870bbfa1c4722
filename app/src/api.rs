//! Typed calls to the Assent API (plain `fetch`, no HTTP crate: every byte counts in the banner).

use assent_shared::api::{ConsentRecorded, CurrentState, NoticeResponse, SyncRequest, SyncResponse};
use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, Request, RequestInit, RequestMode, Response};

#[derive(Debug, Clone)]
pub enum ApiFailure {
    /// No answer (offline, server down): worth retrying.
    Network(String),
    /// The server answered with an error (its JSON error body, kept for the console).
    Refused { status: u16, body: String },
}

impl ApiFailure {
    /// Whether sending the same request again may succeed.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Network(_) => true,
            Self::Refused { status, .. } => *status >= 500 || *status == 429,
        }
    }

    /// The subject was erased (`410 subject_erased`): nothing more is recorded for it.
    pub fn is_erased(&self) -> bool {
        matches!(self, Self::Refused { status: 410, .. })
    }

    /// The failure as the page sees it: the server's error body (a JSON string), or the
    /// network's message.
    pub fn to_js(&self) -> JsValue {
        match self {
            Self::Network(message) => JsValue::from_str(message),
            Self::Refused { body, .. } => JsValue::from_str(body),
        }
    }

    /// Writes the failure to the console (no formatting machinery compiled in for it).
    pub fn log(&self, what: &str) {
        let (detail, status) = match self {
            Self::Network(message) => (message.as_str(), JsValue::UNDEFINED),
            Self::Refused { status, body } => (body.as_str(), JsValue::from(*status)),
        };
        web_sys::console::error_3(&format!("Assent: {what}:").into(), &status, &detail.into());
    }
}

fn js_err(e: JsValue) -> ApiFailure {
    ApiFailure::Network(
        e.as_string()
            .or_else(|| js_sys::Error::from(e).message().as_string())
            .unwrap_or_default(),
    )
}

/// Starts one `fetch`: `headers` are sent as given (`authorization`, `x-csrf-token`, …); a
/// page on Assent's own origin sends its cookies with it (the browser's `same-origin` default).
fn send(
    method: &str,
    url: &str,
    body: Option<String>,
    headers: &[(&str, &str)],
) -> Result<js_sys::Promise, ApiFailure> {
    let init = RequestInit::new();
    init.set_method(method);
    init.set_mode(RequestMode::Cors);
    let sent = Headers::new().map_err(js_err)?;
    if let Some(body) = &body {
        sent.set("content-type", "application/json").map_err(js_err)?;
        init.set_body(&JsValue::from_str(body));
    }
    for (name, value) in headers {
        sent.set(name, value).map_err(js_err)?;
    }
    init.set_headers(&sent);
    let request = Request::new_with_str_and_init(url, &init).map_err(js_err)?;
    let window = web_sys::window().ok_or_else(|| ApiFailure::Network("no window".into()))?;
    Ok(window.fetch_with_request(&request))
}

/// A JSON call: the answer decoded as `T`.
pub async fn call<T: DeserializeOwned>(
    method: &str,
    url: &str,
    body: Option<String>,
    headers: &[(&str, &str)],
) -> Result<T, ApiFailure> {
    read(send(method, url, body, headers)?).await
}

/// A JSON call for a subject, with its token as `Authorization: Bearer` when there is one.
async fn call_as<T: DeserializeOwned>(
    method: &str,
    url: &str,
    body: Option<String>,
    token: Option<&str>,
) -> Result<T, ApiFailure> {
    let bearer = token.map(|t| format!("Bearer {t}"));
    let headers: &[(&str, &str)] = match &bearer {
        Some(b) => &[("authorization", b)],
        None => &[],
    };
    call(method, url, body, headers).await
}

/// A call whose answer is kept as text (a CSV download, an empty `204`).
pub async fn call_text(method: &str, url: &str, headers: &[(&str, &str)]) -> Result<String, ApiFailure> {
    read_text(send(method, url, None, headers)?).await
}

/// Reads a `fetch` answer: the body on success, the status and error body otherwise.
async fn read<T: DeserializeOwned>(response: js_sys::Promise) -> Result<T, ApiFailure> {
    let text = read_text(response).await?;
    crate::json::from_str(&text).ok_or_else(|| ApiFailure::Network("unreadable answer".into()))
}

/// Reads a `fetch` answer as text.
async fn read_text(response: js_sys::Promise) -> Result<String, ApiFailure> {
    let response: Response = JsFuture::from(response)
        .await
        .map_err(js_err)?
        .dyn_into()
        .map_err(js_err)?;
    let text = JsFuture::from(response.text().map_err(js_err)?)
        .await
        .map_err(js_err)?
        .as_string()
        .unwrap_or_default();
    if response.ok() {
        Ok(text)
    } else {
        Err(ApiFailure::Refused {
            status: response.status(),
            body: text,
        })
    }
}

/// The notice, from the request the loader started while the banner was downloading (it
/// knows the site, the language and the Assent origin as early as anyone).
pub async fn notice() -> Result<NoticeResponse, ApiFailure> {
    let request = crate::bridge::notice_request().ok_or_else(|| ApiFailure::Network("no notice request".into()))?;
    read(request).await
}

pub async fn post_consent(
    origin: &str,
    site: &str,
    request: &JsValue,
    token: Option<&str>,
) -> Result<ConsentRecorded, ApiFailure> {
    let body = crate::json::stringify(request);
    call_as("POST", &format!("{origin}/v1/sites/{site}/consents"), Some(body), token).await
}

/// The subject's current decisions as the server holds them (changed on the hosted settings
/// page, or erased there: `410`).
pub async fn current(origin: &str, site: &str, subject: &str, token: &str) -> Result<CurrentState, ApiFailure> {
    call_as(
        "GET",
        &format!("{origin}/v1/sites/{site}/subjects/{subject}/current"),
        None,
        Some(token),
    )
    .await
}

/// `POST /v1/sites/{site}/sync`: this device adopts its linked account's current choices.
pub async fn sync(
    origin: &str,
    site: &str,
    request: &SyncRequest,
    token: Option<&str>,
) -> Result<SyncResponse, ApiFailure> {
    call_as(
        "POST",
        &format!("{origin}/v1/sites/{site}/sync"),
        Some(crate::json::to_string(request)),
        token,
    )
    .await
}
