//! Where the settings page reads and writes, in its two homes:
//!
//! - **embedded** in a site's page: the visitor's subject id and token come from the site's
//!   storage (the banner's stored choice); reads go to `/v1/sites/{site}/…` with the token, and
//!   a change goes through the banner, which applies it to the page (Consent Mode, blocked
//!   scripts, cookies) and records it — one implementation of what a choice does;
//! - **hosted** by Assent at `/sites/{site}/privacy`: a session cookie the script cannot read
//!   (set when the hand-off link was opened) and its CSRF token; reads and writes go to
//!   `/sites/{site}/privacy/…`.

use crate::api::{self, ApiFailure};
use crate::storage::StoredChoice;
use assent_shared::api::{
    ConsentHistory, ConsentRecorded, ConsentRequest, CurrentState, EventReceipt, NoticeResponse, NoticeVersionResponse,
};
use assent_shared::consent::{Decisions, Method, Source};
use assent_shared::ids::{EventId, SubjectId};
use assent_shared::settings::{SettingsChange, SettingsSession};
use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// How long the embedded page waits for the banner to have a change recorded before saying
/// it is applied but not yet sent (the banner keeps resending it).
const RECORD_WAIT_MS: i32 = 15_000;

#[derive(Debug, Clone)]
pub enum Client {
    Embedded {
        /// Assent's origin, from the loader.
        origin: String,
        site: String,
        storage_key: String,
    },
    Hosted {
        site: String,
        session: SettingsSession,
    },
}

/// What became of a change.
#[derive(Debug, Clone)]
pub enum Recorded {
    /// Recorded; its receipt is in the history.
    Done,
    /// Applied on this device and queued; the banner sends it when the server answers.
    Queued,
}

impl Client {
    /// The hosted page's client, once its session is confirmed (`GET …/session`): a `401`
    /// means the link was never opened here or the session ended.
    pub async fn hosted(site: String) -> Result<Self, ApiFailure> {
        let session: SettingsSession = api::call("GET", &format!("/sites/{site}/privacy/session"), None, &[]).await?;
        Ok(Self::Hosted { site, session })
    }

    pub fn site(&self) -> &str {
        match self {
            Self::Embedded { site, .. } | Self::Hosted { site, .. } => site,
        }
    }

    pub fn is_hosted(&self) -> bool {
        matches!(self, Self::Hosted { .. })
    }

    /// Where the subject's records are, for this page.
    fn base(&self) -> String {
        match self {
            Self::Embedded { origin, site, .. } => format!("{origin}/v1/sites/{site}"),
            Self::Hosted { site, .. } => format!("/sites/{site}/privacy"),
        }
    }

    /// The subject this page acts for, if any (on a site's page: none before the first choice).
    pub fn subject(&self) -> Option<String> {
        match self {
            Self::Embedded { storage_key, .. } => StoredChoice::load(storage_key).subject_id,
            Self::Hosted { session, .. } => Some(session.subject_id.clone()),
        }
    }

    /// The headers that prove who is asking: the subject token on a site's page; the CSRF
    /// token for writes on the hosted page (its cookie goes by itself).
    fn auth(&self, write: bool) -> Vec<(&'static str, String)> {
        match self {
            Self::Embedded { storage_key, .. } => StoredChoice::load(storage_key)
                .subject_token
                .map(|t| vec![("authorization", format!("Bearer {t}"))])
                .unwrap_or_default(),
            Self::Hosted { session, .. } if write => vec![("x-csrf-token", session.csrf_token.clone())],
            Self::Hosted { .. } => Vec::new(),
        }
    }

    async fn get<T: serde::de::DeserializeOwned>(&self, path: &str) -> Result<T, ApiFailure> {
        let auth = self.auth(false);
        let headers: Vec<(&str, &str)> = auth.iter().map(|(k, v)| (*k, v.as_str())).collect();
        api::call("GET", &format!("{}{path}", self.base()), None, &headers).await
    }

    fn subject_path(&self, rest: &str) -> Option<String> {
        self.subject().map(|s| format!("/subjects/{s}{rest}"))
    }

    /// The notice in the visitor's language (their whole ordered list, negotiated by the server).
    pub async fn notice(&self, lang: &str) -> Result<NoticeResponse, ApiFailure> {
        self.get(&format!("/notice?lang={}", encode(lang))).await
    }

    /// A past notice version, in the language an event was recorded in.
    pub async fn notice_version(&self, version: u32, lang: &str) -> Result<NoticeVersionResponse, ApiFailure> {
        self.get(&format!("/notice/versions/{version}?lang={}", encode(lang)))
            .await
    }

    /// The current decision per purpose; `None` without a subject.
    pub async fn current(&self) -> Result<Option<CurrentState>, ApiFailure> {
        match self.subject_path("/current") {
            Some(path) => self.get(&path).await.map(Some),
            None => Ok(None),
        }
    }

    /// The subject's events, oldest first; `None` without a subject.
    pub async fn history(&self) -> Result<Option<ConsentHistory>, ApiFailure> {
        match self.subject_path("/consents") {
            Some(path) => self.get(&path).await.map(Some),
            None => Ok(None),
        }
    }

    /// The signed receipt (compact JWS) of one of the subject's events.
    pub async fn receipt(&self, event: &EventId) -> Result<String, ApiFailure> {
        let path = self
            .subject_path(&format!("/consents/{event}/receipt"))
            .ok_or_else(|| ApiFailure::Network("no subject".into()))?;
        self.get::<EventReceipt>(&path).await.map(|r| r.receipt)
    }

    /// The published signing keys that receipts are checked against.
    pub fn jwks_url(&self) -> String {
        match self {
            Self::Embedded { origin, .. } => format!("{origin}/.well-known/jwks.json"),
            Self::Hosted { .. } => "/.well-known/jwks.json".into(),
        }
    }

    /// The subject's records as a download (`json` or `csv`).
    pub async fn export(&self, format: &str) -> Result<String, ApiFailure> {
        let path = self
            .subject_path(&format!("/export?format={format}"))
            .ok_or_else(|| ApiFailure::Network("no subject".into()))?;
        let auth = self.auth(false);
        let headers: Vec<(&str, &str)> = auth.iter().map(|(k, v)| (*k, v.as_str())).collect();
        api::call_text("GET", &format!("{}{path}", self.base()), &headers).await
    }

    /// Erases the subject (its link to the person; the pseudonymous events stay). On a site's
    /// page the banner then forgets the choice and asks again.
    pub async fn erase(&self) -> Result<(), ApiFailure> {
        let path = self
            .subject_path("/erasure")
            .ok_or_else(|| ApiFailure::Network("no subject".into()))?;
        let auth = self.auth(true);
        let headers: Vec<(&str, &str)> = auth.iter().map(|(k, v)| (*k, v.as_str())).collect();
        api::call_text("POST", &format!("{}{path}", self.base()), &headers).await?;
        if !self.is_hosted() {
            banner_command("erased");
        }
        Ok(())
    }

    /// Records a change (see [`assent_shared::settings::change`] for what it is).
    pub async fn record(
        &self,
        notice: &NoticeResponse,
        method: Method,
        decisions: Decisions,
    ) -> Result<Recorded, ApiFailure> {
        let event_id = crate::bridge::random_uuid()
            .and_then(|id| EventId::parse(&id).ok())
            .ok_or_else(|| ApiFailure::Network("no random numbers".into()))?;
        match self {
            Self::Hosted { site, session } => {
                let request = ConsentRequest {
                    event_id,
                    subject_id: SubjectId::parse(&session.subject_id).ok(),
                    notice_version: notice.notice.version,
                    notice_hash: notice.notice_hash.clone(),
                    language: notice.notice.language.clone(),
                    method,
                    source: Source::SettingsPage,
                    decisions,
                    client_time: Some(crate::bridge::now_iso()),
                    gpc: false,
                    signal_source: None,
                    banner_build: None,
                    retry_secret: None,
                    tcf: None,
                };
                let body = crate::json::to_string(&request);
                let headers = [("x-csrf-token", session.csrf_token.as_str())];
                api::call::<ConsentRecorded>("POST", &format!("/sites/{site}/privacy/consents"), Some(body), &headers)
                    .await
                    .map(|_| Recorded::Done)
            }
            Self::Embedded { .. } => {
                let change = SettingsChange {
                    event_id: event_id.clone(),
                    method,
                    decisions,
                };
                let outcome = wait_for_outcome(event_id.as_str());
                banner_command(&format!("settings:{}", crate::json::to_string(&change)));
                outcome.await
            }
        }
    }
}

/// A query value, percent-encoded.
fn encode(value: &str) -> String {
    js_sys::encode_uri_component(value).into()
}

/// Hands a command to the banner (`window.assent`), queued until it runs.
fn banner_command(name: &str) {
    let Some(assent) = web_sys::window().and_then(|w| Reflect::get(&w, &"assent".into()).ok()) else {
        return;
    };
    if let Ok(dispatch) = Reflect::get(&assent, &"_dispatch".into())
        && let Some(dispatch) = dispatch.dyn_ref::<Function>()
    {
        let _ = dispatch.call1(&assent, &name.into());
    } else if let Ok(pending) = Reflect::get(&assent, &"_pending".into())
        && let Some(pending) = pending.dyn_ref::<js_sys::Array>()
    {
        pending.push(&name.into());
    }
}

/// Waits for the banner's word on one event: `assent:recorded` or `assent:refused` with its
/// id, or the timeout (then it is queued: applied here, sent later).
async fn wait_for_outcome(event_id: &str) -> Result<Recorded, ApiFailure> {
    let id = event_id.to_owned();
    let promise = Promise::new(&mut |resolve: Function, _reject: Function| {
        let Some(window) = web_sys::window() else { return };
        let id = id.clone();
        let settle = Closure::<dyn Fn(web_sys::CustomEvent)>::new(move |ev: web_sys::CustomEvent| {
            let detail = ev.detail();
            let matches = Reflect::get(&detail, &"event_id".into())
                .ok()
                .and_then(|v| v.as_string())
                .is_some_and(|e| e == id);
            if matches {
                let _ = resolve.call1(&JsValue::NULL, &ev);
            }
        });
        let _ = window.add_event_listener_with_callback("assent:recorded", settle.as_ref().unchecked_ref());
        let _ = window.add_event_listener_with_callback("assent:refused", settle.as_ref().unchecked_ref());
        // Listeners stay for the page's life; each settles one change and ignores the rest.
        settle.forget();
    });
    let timed = Promise::race(&js_sys::Array::of2(&promise, &crate::bridge::sleep(RECORD_WAIT_MS)));
    let answer = JsFuture::from(timed).await.unwrap_or(JsValue::UNDEFINED);
    let Some(event) = answer.dyn_ref::<web_sys::CustomEvent>() else {
        return Ok(Recorded::Queued);
    };
    if event.type_() == "assent:recorded" {
        return Ok(Recorded::Done);
    }
    let error = Reflect::get(&event.detail(), &"error".into())
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default();
    Err(ApiFailure::Refused {
        status: 422,
        body: error,
    })
}
