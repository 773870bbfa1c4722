//! The banner's IAB TCF layer, in the build with the `tcf` feature (sent only to sites whose
//! notice enables TCF): the site's share of the Global Vendor List, the second layer's
//! selection, and what a choice writes — a TC string sent with the event as evidence and the
//! TCData the loader's `__tcfapi` serves. What the layers show and offer is
//! `assent_shared::tcf_layer`'s; what a selection writes is `assent_shared::tcf_choice`'s.

mod first_layer;
mod preferences;
mod vendors;

pub use first_layer::TcfFirstLayer;
pub use preferences::TcfPreferences;

use crate::api::{self, ApiFailure};
use crate::bridge;
use assent_shared::api::NoticeResponse;
use assent_shared::consent::Method;
use assent_shared::notice::TcfSettings;
use assent_shared::regime::gdpr_applies;
use assent_shared::signals::tcf::TcString;
use assent_shared::tcf_api::SiteGvlResponse;
use assent_shared::tcf_choice::{TcfSelection, Writer, tc_string};
use assent_shared::tcf_data::TcData;
use assent_shared::tcf_evidence::TcfChoice;
use assent_shared::tcf_layer::new_vendors_since;
use assent_shared::tcf_texts::TcfTexts;
use leptos::prelude::*;
use std::sync::Arc;
use wasm_bindgen::JsValue;

/// A TCF site's list and words, once fetched for this page view.
#[derive(Debug)]
pub struct Loaded {
    pub gvl: SiteGvlResponse,
    pub settings: TcfSettings,
    pub texts: TcfTexts<'static>,
    /// The GDPR applies to this visitor (`assent_shared::regime::gdpr_applies`): only then
    /// is the TCF layer shown and a TC string written (`gdprApplies`, TCF CMP API v2.2).
    pub gdpr_applies: bool,
}

/// The TCF state of the banner: the loaded list and the second layer's selection.
#[derive(Debug, Clone, Copy)]
pub struct TcfContext {
    pub loaded: RwSignal<Option<Arc<Loaded>>>,
    pub draft: RwSignal<TcfSelection>,
}

/// What a choice writes on the TCF side: the evidence for the event and the stored TCData.
#[derive(Debug)]
pub struct Written {
    /// The event's TC string; none where the GDPR does not apply.
    pub choice: Option<TcfChoice>,
    pub data: JsValue,
    /// Created of the visitor's first TC string (deciseconds), kept for the next ones.
    pub created: Option<u64>,
}

impl Default for TcfContext {
    fn default() -> Self {
        Self {
            loaded: RwSignal::new(None),
            draft: RwSignal::new(TcfSelection::default()),
        }
    }
}

impl TcfContext {
    /// Fetches the site's list in the notice's language when the notice enables TCF. Without
    /// it (TCF off on the server, no list fetched yet) the banner goes on without a TCF
    /// layer and records its choices without a TC string.
    pub async fn load(&self, notice: &NoticeResponse, boot: &bridge::BootConfig) {
        let Some(settings) = notice.notice.tcf.clone() else {
            return;
        };
        let mut url = format!(
            "{}/v1/sites/{}/gvl?lang={}",
            boot.origin,
            boot.site,
            js_sys::encode_uri_component(&notice.notice.language)
        );
        // A draft preview shows the draft's vendors, not the published ones.
        if let Some(token) = &boot.preview_token {
            url.push_str(&format!("&preview={}", js_sys::encode_uri_component(token)));
        }
        let applies = gdpr_applies(&notice.jurisdiction, notice.regime);
        let fetched = api::call_text("GET", &url, &[]).await.and_then(|body| {
            serde_json::from_str::<SiteGvlResponse>(&body).map_err(|e| ApiFailure::Network(e.to_string()))
        });
        match fetched {
            Ok(gvl) => {
                let texts: &'static _ = Box::leak(Box::new(gvl.texts.clone()));
                self.loaded.set(Some(Arc::new(Loaded {
                    texts: TcfTexts::from_map(texts),
                    gdpr_applies: applies,
                    gvl,
                    settings,
                })));
            }
            Err(err) => {
                err.log("could not load the Global Vendor List");
                // Vendors waiting on `__tcfapi` get the CMP API's error state, not silence.
                if applies {
                    bridge::tcf(&JsValue::NULL, "error");
                }
            }
        }
    }

    /// The loaded list where the TCF layer applies to this visitor.
    pub fn applied(&self) -> Option<Arc<Loaded>> {
        self.loaded.get_untracked().filter(|l| l.gdpr_applies)
    }

    /// Starts the second layer from the visitor's last string (`stored`: its TCData).
    pub fn open(&self, stored: &JsValue) {
        if let Some(loaded) = self.applied() {
            let last = stored_string(stored).and_then(|s| TcString::decode(&s).ok());
            self.draft
                .set(assent_shared::tcf_layer::draft(&loaded.gvl.vendor_list, last.as_ref()));
        }
    }

    /// What `method` writes: *Accept all* and *Reject all* (and closing, a refusal) their
    /// selections, *Save* the second layer's; other methods (a placeholder's grant, an
    /// opt-out) leave the TC string as it was (`None`). Outside the GDPR no string, and the
    /// TCData saying so.
    pub fn write(&self, method: Method, created: Option<u64>, language: &str) -> Option<Written> {
        let loaded = self.loaded.get_untracked()?;
        if !loaded.gdpr_applies {
            // Kept with the choice, so later page views answer `__tcfapi` without the banner.
            return Some(Written {
                choice: None,
                data: loaded.not_applicable(),
                created,
            });
        }
        let site = &loaded.gvl.vendor_list;
        let (selection, screen) = match method {
            Method::AcceptAll => (TcfSelection::accept_all(site), 1),
            Method::RejectAll | Method::Close => (TcfSelection::reject_all(site), 1),
            Method::Save => (self.draft.get_untracked(), 2),
            _ => return None,
        };
        let now = (js_sys::Date::now() / 100.0) as u64;
        // A clock set back since the first string (a fast clock corrected) must not make
        // Created later than LastUpdated.
        let created = created.map_or(now, |c| c.min(now));
        let writer = Writer {
            cmp: loaded.gvl.cmp,
            publisher_cc: &loaded.gvl.publisher_country_code,
            language,
            created,
            now,
            screen,
        };
        let tc = tc_string(&selection, site, &loaded.settings, writer).ok()?;
        let encoded = tc.encode().ok()?;
        Some(Written {
            data: crate::json::to_js(&TcData::new(&tc, true)),
            choice: Some(TcfChoice { tc_string: encoded }),
            created: Some(created),
        })
    }

    /// What the page's vendors learn on arrival (`stored`: the TCData kept with the choice,
    /// `has_choice`: a choice is stored, `banner_shows`: the first layer is about to show):
    /// outside the GDPR, that it does not apply (`tcloaded`, and kept with the choice so the
    /// loader answers later page views itself); under it, the stored TCData when no banner
    /// shows (`tcloaded`) — and a choice without a TC string (made before the site enabled
    /// TCF) or whose string did not disclose a vendor the site has added since is asked
    /// again, since those vendors have nothing to read.
    pub fn arrived(&self, stored: &JsValue, has_choice: bool, banner_shows: bool) -> Arrived {
        let Some(loaded) = self.loaded.get_untracked() else {
            return Arrived::default();
        };
        if !loaded.gdpr_applies {
            let data = loaded.not_applicable();
            bridge::tcf(&data, "tcloaded");
            return Arrived {
                store: has_choice.then_some(data),
                ask: false,
            };
        }
        let last = stored_string(stored).and_then(|s| TcString::decode(&s).ok());
        // A vendor added since the visitor's string was not disclosed to them: asked again.
        let current = last
            .as_ref()
            .is_some_and(|tc| !new_vendors_since(&loaded.gvl.vendor_list, tc));
        if !banner_shows && current {
            bridge::tcf(stored, "tcloaded");
        }
        Arrived {
            store: None,
            ask: has_choice && !current,
        }
    }
}

/// What [`TcfContext::arrived`] found.
#[derive(Debug, Default)]
pub struct Arrived {
    /// TCData to keep with the choice in place of the stored one.
    pub store: Option<JsValue>,
    /// Show the first layer although the choice is current.
    pub ask: bool,
}

impl Loaded {
    /// The TCData of a visitor outside the GDPR.
    fn not_applicable(&self) -> JsValue {
        let cmp = self.gvl.cmp;
        let data = TcData::not_applicable(cmp.id, cmp.version, self.gvl.vendor_list.tcf_policy_version);
        crate::json::to_js(&data)
    }
}

/// The TC string of a stored TCData (`tcString`), if any.
fn stored_string(stored: &JsValue) -> Option<String> {
    js_sys::Reflect::get(stored, &"tcString".into())
        .ok()
        .and_then(|s| s.as_string())
        .filter(|s| !s.is_empty())
}

/// `{count}` / `{n}` filled in.
pub fn fill(text: &str, placeholder: &str, value: usize) -> String {
    text.replace(placeholder, &value.to_string())
}
