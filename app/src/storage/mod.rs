//! The visitor's choice in the host page's localStorage under `assent.v1.<site>`: the
//! subject id and token and the decisions; the events not yet acknowledged by the server
//! are queued beside it ([`queue`]).

pub mod queue;

use assent_shared::consent::Decisions;
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StoredChoice {
    #[serde(default)]
    pub subject_id: Option<String>,
    #[serde(default)]
    pub subject_token: Option<String>,
    #[serde(default)]
    pub notice_version: Option<u32>,
    #[serde(default)]
    pub decisions: Option<Decisions>,
    #[serde(default)]
    pub updated_at: Option<String>,
    /// The Consent Mode update these decisions produce, precomputed so the loader can replay it
    /// on later page views without the banner. Written by the banner, read by the loader: kept
    /// as the JS object it is (no decoding compiled into the banner).
    #[serde(default, with = "serde_wasm_bindgen::preserve")]
    pub gcm: JsValue,
    /// The vendors whose own consent APIs the loader signals (from the notice), so it can
    /// send their defaults and replay their updates on later page views without the banner.
    #[serde(default)]
    pub integrations: Vec<assent_shared::consent_mode::Integration>,
    /// When each purpose was last decided (the browser's clock, RFC 3339).
    #[serde(default)]
    pub decided_at: std::collections::BTreeMap<String, String>,
    /// When a consent expires or a refusal may be asked again (ms since the epoch): the loader
    /// loads the banner from then on.
    #[serde(default)]
    pub recheck_at: Option<f64>,
    /// The "Privacy choices" label in the visitor's language, for the loader's fast path.
    #[serde(default)]
    pub label: Option<String>,
    /// The click-to-load placeholder's words in the visitor's language (see
    /// [`placeholder_words`]), for the loader's fast path (no banner on later page views);
    /// like `gcm`, only ever written by the banner.
    #[serde(default, with = "serde_wasm_bindgen::preserve")]
    pub placeholder: JsValue,
    /// A Global Privacy Control opt-out was recorded for this subject (once, not per page view).
    #[serde(default)]
    pub gpc_honored: bool,
    /// Ad-tech signals derived from the decisions ([`Signals`]), served by the loader's
    /// `__gpp` / `__uspapi`; like `gcm`, only ever written by the banner.
    #[serde(default, with = "serde_wasm_bindgen::preserve")]
    pub signals: JsValue,
    /// The TCData of the visitor's TC string (IAB TCF CMP API v2.2, without `eventStatus`,
    /// `cmpStatus` and `listenerId`), served by the loader's `__tcfapi`; only ever written by
    /// the banner's TCF build.
    #[serde(default, with = "serde_wasm_bindgen::preserve")]
    pub tcf: JsValue,
    /// Created of the visitor's first TC string (deciseconds since the epoch): later strings
    /// keep it (TCF "Consent string and vendor list formats", Created).
    #[serde(default)]
    pub tcf_created: Option<u64>,
    /// The `seq` of the subject's latest event this browser saw acknowledged: an
    /// acknowledgement of an older one (an idempotent replay of an event another tab sent
    /// first) says nothing about what the ledger holds last.
    #[serde(default)]
    pub seq: Option<u64>,
    /// Where a banner before the per-event [`queue`] kept its unsent requests; read once at
    /// start and moved into the queue (never written again).
    #[serde(default, skip_serializing)]
    pending: Vec<Pending>,
}

/// What the loader writes on a blocked embed's click-to-load placeholder, in the visitor's
/// language, as the JS object the loader reads: `text` with `{host}` and `{purpose}` to fill
/// in, `button`, `region` (the box's accessible name), and `purposes` (each choosable
/// purpose's title by key). Built by hand: a serde type would cost the banner kilobytes.
pub fn placeholder_words(texts: &crate::i18n::Texts, notice: &assent_shared::notice::LocalizedNotice) -> JsValue {
    let set = |object: &js_sys::Object, key: &str, value: &JsValue| {
        let _ = js_sys::Reflect::set(object, &key.into(), value);
    };
    let purposes = js_sys::Object::new();
    for p in notice.purposes.iter().filter(|p| p.is_choosable()) {
        set(&purposes, p.key.as_str(), &p.title.as_str().into());
    }
    let words = js_sys::Object::new();
    set(&words, "text", &texts.blocked_content.into());
    set(&words, "button", &texts.allow_and_load.into());
    set(&words, "region", &texts.blocked_region.into());
    set(&words, "purposes", &purposes);
    words.into()
}

/// One `ConsentRequest` an earlier banner queued inside the stored choice, as a JS object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Pending(#[serde(with = "serde_wasm_bindgen::preserve")] JsValue);

thread_local! {
    static WARNED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// The subject id this page last wrote under `<key>.subject`: written once, not with
    /// every choice (a click is one write of the choice).
    static SUBJECT_WRITTEN: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The subject id and token, also kept under a key of their own (`<key>.subject`) that only
/// a tab holding them ever writes. Tabs see each other's writes late: a tab that has not yet
/// seen the subject another tab just created writes the choice without it, and that copy
/// replaces the one that had it. The subject must outlive such a copy: it is the only key to
/// the chain, and a tab without it would start a second one.
#[derive(Serialize, Deserialize)]
struct StoredSubject {
    subject_id: String,
    subject_token: String,
}

fn subject_key(key: &str) -> String {
    format!("{key}.subject")
}

impl StoredChoice {
    pub fn load(key: &str) -> Self {
        let storage = local_storage();
        let read = |key: &str| storage.as_ref().and_then(|s| s.get_item(key).ok().flatten());
        let mut choice: Self = read(key)
            .and_then(|raw| crate::json::from_str(&raw))
            .unwrap_or_default();
        if choice.subject_id.is_none()
            && let Some(subject) = read(&subject_key(key)).and_then(|raw| crate::json::from_str::<StoredSubject>(&raw))
        {
            choice.subject_id = Some(subject.subject_id);
            choice.subject_token = Some(subject.subject_token);
        }
        choice
    }

    /// Moves the events an earlier banner queued inside the stored choice into the [`queue`],
    /// in their order, and stores the choice without them.
    pub fn migrate_queue(&mut self, key: &str) {
        if self.pending.is_empty() {
            return;
        }
        for Pending(request) in std::mem::take(&mut self.pending) {
            if let Some(event_id) = js_sys::Reflect::get(&request, &"event_id".into())
                .ok()
                .and_then(|v| v.as_string())
            {
                queue::push(key, &event_id, request);
            }
        }
        self.save(key);
    }

    /// Removes the stored choice and its queue (after an erasure: the next page view is a
    /// first visit, and nothing queued for the erased subject is sent).
    pub fn clear(key: &str) {
        queue::clear(key);
        if let Some(storage) = local_storage() {
            let _ = storage.remove_item(&subject_key(key));
            SUBJECT_WRITTEN.set(None);
            let _ = storage.remove_item(key);
            crate::bridge::choice_saved();
        }
    }

    pub fn save(&self, key: &str) {
        if let Some(storage) = local_storage() {
            if let (Some(subject_id), Some(subject_token)) = (&self.subject_id, &self.subject_token)
                && SUBJECT_WRITTEN.with_borrow(|w| w.as_ref() != Some(subject_id))
            {
                let subject = StoredSubject {
                    subject_id: subject_id.clone(),
                    subject_token: subject_token.clone(),
                };
                if storage
                    .set_item(&subject_key(key), &crate::json::to_string(&subject))
                    .is_ok()
                {
                    SUBJECT_WRITTEN.set(Some(subject_id.clone()));
                }
            }
            let raw = crate::json::to_string(self);
            // Storage can be full or disabled; the choice still applies for this page view,
            // but the next one will ask again (and start a new subject): say so, once.
            if storage.set_item(key, &raw).is_ok() {
                crate::bridge::choice_saved();
            } else if !WARNED.replace(true) {
                web_sys::console::warn_1(
                    &"Assent: localStorage refused the choice (full?); it applies on this page only".into(),
                );
            }
        }
    }
}

/// What the loader answers `__gpp` and `__uspapi` with, precomputed by the banner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Signals {
    /// A US section applies (an opt-out regime).
    pub applicable: bool,
    pub gpp_string: String,
    /// The US section written: usnat or the visitor's state's own, by its id (7 to 27), its
    /// API prefix (`usnat`, `usca`, …) and its fields as `__gpp('getSection')` returns them.
    /// (Signals stored before state sections hold usnat's fields under `usnat` instead.)
    pub section_id: u64,
    pub section_name: &'static str,
    pub section: assent_shared::signals::gpp::UsSection,
    pub us_privacy: String,
}
