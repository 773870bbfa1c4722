//! The privacy-settings page (DESIGN, "The privacy-settings page"): the notice as purpose →
//! data → legal basis with the control each basis allows, the current state and where it came
//! from, the subject's history with receipts verified in the browser, export and erasure.
//!
//! It mounts into every `<div data-assent-settings>`: on a site's page (loaded by `/embed.js`
//! only where such an element exists) or on the page Assent hosts (`data-hosted`). Each
//! mount lives in its own shadow root, so the host page's CSS cannot reach it.

mod client;
mod history;
mod purposes;
mod rights;
mod verify;

use crate::api::ApiFailure;
use assent_shared::api::NoticeResponse;
use assent_shared::consent::{ConsentEvent, Decision};
use assent_shared::ids::PurposeKey;
use assent_shared::notice::LocalizedPurpose;
use assent_shared::settings_texts;
use client::{Client, Recorded};
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::BTreeMap;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{HtmlElement, ShadowRootInit, ShadowRootMode};

const CSS: &str = include_str!("../../../style/settings.css");

/// Mounts the page into every `[data-assent-settings]` element not yet mounted.
pub fn mount() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Ok(found) = document.query_selector_all("[data-assent-settings]") else {
        return;
    };
    for i in 0..found.length() {
        let Some(host) = found.item(i).and_then(|n| n.dyn_into::<HtmlElement>().ok()) else {
            continue;
        };
        if host.shadow_root().is_some() {
            continue;
        }
        if let Err(err) = mount_into(&document, &host) {
            web_sys::console::error_2(&"Assent: cannot mount the privacy settings".into(), &err);
        }
    }
}

/// Lets the loader mount elements that enter the page later (`assent._mountSettings()`, called
/// from its watch of the document).
pub fn mount_later() {
    let Some(assent) = web_sys::window().and_then(|w| js_sys::Reflect::get(&w, &"assent".into()).ok()) else {
        return;
    };
    if !assent.is_object() {
        return;
    }
    let again = Closure::<dyn Fn()>::new(mount);
    let _ = js_sys::Reflect::set(&assent, &"_mountSettings".into(), again.as_ref());
    // Lives as long as the page.
    again.forget();
}

fn mount_into(document: &web_sys::Document, host: &HtmlElement) -> Result<(), JsValue> {
    let hosted = host.has_attribute("data-hosted");
    let embedded = if hosted {
        None
    } else {
        let Some(boot) = crate::bridge::boot_config() else {
            return Err("load the privacy settings through /embed.js".into());
        };
        Some(Client::Embedded {
            origin: boot.origin,
            site: boot.site,
            storage_key: boot.storage_key,
        })
    };
    let site = host.get_attribute("data-site").unwrap_or_default();
    // On the hosted page: the site's own address, for its policy link and the way back.
    let home = host.get_attribute("data-site-origin").filter(|o| !o.is_empty());
    // The visitor's whole ordered list; the server picks the first language the notice has.
    let lang = host.get_attribute("data-lang").unwrap_or_else(|| {
        web_sys::window()
            .map(|w| w.navigator().languages())
            .map(|l| l.iter().filter_map(|v| v.as_string()).collect::<Vec<_>>().join(","))
            .unwrap_or_default()
    });
    let shadow = host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))?;
    // A constructed stylesheet works under a CSP without 'unsafe-inline' styles.
    match web_sys::CssStyleSheet::new().and_then(|sheet| sheet.replace_sync(CSS).map(|()| sheet)) {
        Ok(sheet) => shadow.set_adopted_style_sheets(&js_sys::Array::of1(&sheet)),
        Err(_) => {
            let style = document.create_element("style")?;
            style.set_text_content(Some(CSS));
            shadow.append_child(&style)?;
        }
    }
    let container = document.create_element("div")?;
    container.set_class_name("assent-settings");
    shadow.append_child(&container)?;
    let container: HtmlElement = container.unchecked_into();
    leptos::mount::mount_to(container, move || {
        view! { <SettingsPage embedded=embedded.clone() site=site.clone() lang=lang.clone() home=home.clone() /> }
    })
    .forget();
    Ok(())
}

/// Where the page is in its life.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    Loading,
    Ready,
    /// The hosted page's session is missing or over: open the link from the site again.
    SessionOver,
    Failed,
    /// The subject was erased on this page.
    Erased,
}

/// The page's state, shared by its parts.
#[derive(Debug, Clone, Copy)]
pub struct Page {
    pub client: StoredValue<Option<Client>>,
    pub notice: RwSignal<Option<NoticeResponse>>,
    pub events: RwSignal<Vec<ConsentEvent>>,
    /// Per purpose: the decision in force and the event that set it.
    pub current: RwSignal<BTreeMap<PurposeKey, (Decision, String)>>,
    pub phase: RwSignal<Phase>,
    /// The last outcome, announced to screen readers.
    pub status: RwSignal<String>,
    /// A change is on its way: controls wait.
    pub busy: RwSignal<bool>,
    /// On the hosted page, the site's own address (else `None`: the page is on the site).
    pub home: StoredValue<Option<String>>,
    /// Embedded in a site's page the headings start one level down (the page has its `<h1>`).
    pub top: u8,
}

impl Page {
    /// The page's own word for `key`, in the notice's language.
    pub fn w(&self, key: &str) -> &'static str {
        let lang = self.language();
        settings_texts::text(&lang, key)
    }

    /// A word the page shares with the banner (legal bases, *Retention*, …), as the server
    /// resolved it for this notice with the site's overrides.
    pub fn banner_text(&self, key: &str) -> String {
        self.notice
            .with_untracked(|n| n.as_ref().and_then(|n| n.texts.get(key).cloned()))
            .unwrap_or_default()
    }

    pub fn language(&self) -> String {
        self.notice
            .with_untracked(|n| n.as_ref().map(|n| n.notice.language.clone()))
            .unwrap_or_else(|| "en".into())
    }

    pub fn client(&self) -> Option<Client> {
        self.client.get_value()
    }

    /// Reads the current state and history again (after a change, or when the banner
    /// recorded something on this page).
    pub fn refresh(self) {
        spawn_local(async move {
            let Some(client) = self.client() else { return };
            match load_records(&client).await {
                Ok((events, current)) => {
                    self.events.set(events);
                    self.current.set(current);
                }
                Err(err) => self.fail(&err),
            }
        });
    }

    fn fail(&self, err: &ApiFailure) {
        match err {
            ApiFailure::Refused { status: 401 | 403, .. } if self.client().is_some_and(|c| c.is_hosted()) => {
                self.phase.set(Phase::SessionOver);
            }
            ApiFailure::Refused { status: 410, .. } => self.phase.set(Phase::Erased),
            _ => {
                err.log("the privacy settings could not be loaded");
                self.phase.set(Phase::Failed);
            }
        }
    }

    /// The decision in force for a purpose: recorded, or the default of its legal basis.
    pub fn decision(&self, purpose: &LocalizedPurpose) -> Decision {
        self.current
            .with(|c| c.get(&purpose.key).map(|(d, _)| *d))
            .unwrap_or_else(|| assent_shared::settings::default_decision(purpose))
    }

    /// The event that set a purpose's decision, if any.
    pub fn setting_event(&self, purpose: &LocalizedPurpose) -> Option<ConsentEvent> {
        let id = self.current.with(|c| c.get(&purpose.key).map(|(_, e)| e.clone()))?;
        self.events
            .with(|events| events.iter().find(|e| e.event_id.as_str() == id).cloned())
    }

    /// Applies one change the visitor made (see [`assent_shared::settings::change`]).
    pub fn change(self, purpose: LocalizedPurpose, wanted: Decision) {
        let held = self.current.with_untracked(|c| c.get(&purpose.key).map(|(d, _)| *d));
        let Some((method, decisions)) = assent_shared::settings::change(&purpose, held, wanted) else {
            return;
        };
        let (Some(client), Some(notice)) = (self.client(), self.notice.get_untracked()) else {
            return;
        };
        self.busy.set(true);
        spawn_local(async move {
            let outcome = client.record(&notice, method, decisions).await;
            self.busy.set(false);
            match outcome {
                Ok(Recorded::Done) => {
                    self.status.set(self.w("saved").to_owned());
                    self.refresh();
                }
                Ok(Recorded::Queued) => {
                    self.current.update(|c| {
                        c.insert(purpose.key.clone(), (wanted, String::new()));
                    });
                    self.status.set(self.banner_text("save_failed"));
                }
                Err(err) => {
                    self.status
                        .set(self.w("save_failed").replace("{reason}", &verify::describe(&err)));
                    if matches!(err, ApiFailure::Refused { status: 401 | 403, .. }) && client.is_hosted() {
                        self.phase.set(Phase::SessionOver);
                    }
                    // The control shows what is recorded again (a reply lost on the way may
                    // still have been recorded: the records are read back).
                    self.current.update(|_| ());
                    self.refresh();
                }
            }
        });
    }
}

/// The subject's events (oldest first) and current decisions; empty without a subject.
async fn load_records(
    client: &Client,
) -> Result<(Vec<ConsentEvent>, BTreeMap<PurposeKey, (Decision, String)>), ApiFailure> {
    let history = client.history().await?;
    let current = client.current().await?;
    let events = history.map(|h| h.events).unwrap_or_default();
    let current = current
        .map(|c| {
            c.purposes
                .into_iter()
                .map(|(k, d)| (k, (d.decision, d.event_id)))
                .collect()
        })
        .unwrap_or_default();
    Ok((events, current))
}

#[component]
fn SettingsPage(embedded: Option<Client>, site: String, lang: String, home: Option<String>) -> impl IntoView {
    let page = Page {
        client: StoredValue::new(embedded.clone()),
        notice: RwSignal::new(None),
        events: RwSignal::new(Vec::new()),
        current: RwSignal::new(BTreeMap::new()),
        phase: RwSignal::new(Phase::Loading),
        status: RwSignal::new(String::new()),
        busy: RwSignal::new(false),
        home: StoredValue::new(home),
        top: if embedded.is_some() { 2 } else { 1 },
    };
    provide_context(page);
    spawn_local(async move {
        let client = match embedded {
            Some(client) => client,
            None => match Client::hosted(site).await {
                Ok(client) => client,
                // No session here: the link was never opened in this browser, or it ended.
                Err(ApiFailure::Refused { status: 401 | 403, .. }) => return page.phase.set(Phase::SessionOver),
                Err(err) => return page.fail(&err),
            },
        };
        page.client.set_value(Some(client.clone()));
        let notice = match client.notice(&lang).await {
            Ok(notice) => notice,
            Err(err) => return page.fail(&err),
        };
        page.notice.set(Some(notice));
        match load_records(&client).await {
            Ok((events, current)) => {
                page.events.set(events);
                page.current.set(current);
                page.phase.set(Phase::Ready);
            }
            Err(err) => page.fail(&err),
        }
    });
    // On a site's page the banner may record for this subject too (its own choices, GPC,
    // expiry): whatever it records shows here at once.
    if page.client.with_value(|c| c.as_ref().is_some_and(|c| !c.is_hosted())) {
        let on_recorded = Closure::<dyn Fn()>::new(move || page.refresh());
        if let Some(window) = web_sys::window() {
            let _ = window.add_event_listener_with_callback("assent:recorded", on_recorded.as_ref().unchecked_ref());
        }
        on_recorded.forget();
        // A choice made in another tab (or this tab's banner) applies on this device at once:
        // the switches follow it, and the records are read again once it is recorded.
        let on_change = Closure::<dyn Fn(web_sys::CustomEvent)>::new(move |ev: web_sys::CustomEvent| {
            if page.busy.get_untracked() {
                return;
            }
            let Some(decisions) = crate::json::from_js::<assent_shared::consent::Decisions>(ev.detail()) else {
                return;
            };
            page.current.update(|current| {
                for (key, decision) in decisions {
                    let event = current.get(&key).map(|(_, e)| e.clone()).unwrap_or_default();
                    current.insert(key, (decision, event));
                }
            });
        });
        if let Some(window) = web_sys::window() {
            let _ = window.add_event_listener_with_callback("assent:change", on_change.as_ref().unchecked_ref());
        }
        on_change.forget();
    }
    let lang_attr = move || page.notice.with(|n| n.as_ref().map(|n| n.notice.language.clone()));
    let dir = move || {
        let rtl = page.notice.with(|n| {
            n.as_ref()
                .is_some_and(|n| matches!(n.notice.language.split('-').next(), Some("ar" | "he" | "fa" | "ur")))
        });
        if rtl { "rtl" } else { "ltr" }
    };
    view! {
        <div class="as-page" lang=lang_attr dir=dir data-test="settings">
            {move || match page.phase.get() {
                Phase::Loading => view! { <p class="as-note" role="status">{page.w("loading")}</p> }.into_any(),
                Phase::Failed => view! { <p class="as-note as-note--error" role="alert" data-test="settings-failed">{page.w("load_failed")}</p> }.into_any(),
                Phase::SessionOver => view! { <p class="as-note as-note--error" role="alert" data-test="session-over">{page.w("session_over")}</p> }.into_any(),
                Phase::Erased => view! { <p class="as-note" role="status" data-test="erased">{page.w("erased")}</p> }.into_any(),
                Phase::Ready => view! { <Ready /> }.into_any(),
            }}
        </div>
    }
}

#[component]
fn Ready() -> impl IntoView {
    let page = expect_context::<Page>();
    let title = page
        .notice
        .with_untracked(|n| n.as_ref().map(|n| n.notice.title.clone()));
    let home = page.home.get_value();
    // A relative policy link is the site's: on the hosted page it is resolved against the
    // site's address (and left out when that is unknown).
    let policy = page
        .notice
        .with_untracked(|n| n.as_ref().map(|n| n.notice.policy_url.clone()))
        .and_then(|url| match (&home, url.starts_with('/')) {
            (_, false) => Some(url),
            (Some(home), true) => Some(format!("{home}{url}")),
            (None, true) if page.client().is_some_and(|c| !c.is_hosted()) => Some(url),
            (None, true) => None,
        });
    // The site's GPC opt-out, honored (CCPA regs §7025(c)(6)): said once, at the top.
    let gpc = move || {
        page.events
            .with(|e| e.iter().any(|e| e.method == assent_shared::consent::Method::Gpc))
    };
    view! {
        <header class="as-header">
            {home.map(|home| view! { <p><a href=home class="as-link" data-test="back-to-site">{page.w("back_to_site")}</a></p> })}
            <Heading level=page.top class="as-title">{page.w("title")}</Heading>
            <p class="as-site">{title}</p>
            <p class="as-intro">{page.w("intro")}</p>
            {policy.map(|url| view! { <p><a href=url class="as-link">{page.banner_text("policy")}</a></p> })}
            <Show when=move || page.events.with(Vec::is_empty)>
                <p class="as-note" data-test="no-choice">{page.w("no_choice")}</p>
            </Show>
            <Show when=gpc>
                <p class="as-gpc" data-test="gpc-honored">{page.banner_text("gpc_honored")}</p>
            </Show>
        </header>
        <purposes::Purposes />
        <history::History />
        <rights::Rights />
        <div class="as-status" role="status" aria-live="polite" data-test="settings-status">
            {move || page.status.get()}
        </div>
    }
}

/// An RFC 3339 time in the visitor's language and time zone ("12 Mar 2026, 14:05").
pub fn local_time(iso: &str, lang: &str) -> String {
    let date = js_sys::Date::new(&JsValue::from_str(iso));
    if date.get_time().is_nan() {
        return iso.to_owned();
    }
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"dateStyle".into(), &"medium".into());
    let _ = js_sys::Reflect::set(&options, &"timeStyle".into(), &"short".into());
    date.to_locale_string(lang, &options).into()
}

/// Offers `content` as a file download named `name`.
pub fn download(name: &str, mime: &str, content: &str) {
    let run = || -> Result<(), JsValue> {
        let document = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
        let options = web_sys::BlobPropertyBag::new();
        options.set_type(mime);
        let blob = web_sys::Blob::new_with_str_sequence_and_options(&js_sys::Array::of1(&content.into()), &options)?;
        let url = web_sys::Url::create_object_url_with_blob(&blob)?;
        let link: web_sys::HtmlAnchorElement = document.create_element("a")?.unchecked_into();
        link.set_href(&url);
        link.set_download(name);
        link.click();
        web_sys::Url::revoke_object_url(&url)?;
        Ok(())
    };
    if let Err(err) = run() {
        web_sys::console::error_2(&"Assent: the download failed".into(), &err);
    }
}

/// A heading at `level` (1–6): the page's own levels shift down by one when it is embedded.
#[component]
pub fn Heading(
    level: u8,
    #[prop(optional)] class: &'static str,
    #[prop(optional, into)] id: String,
    children: Children,
) -> impl IntoView {
    let children = children();
    match level {
        1 => view! { <h1 class=class id=id>{children}</h1> }.into_any(),
        2 => view! { <h2 class=class id=id>{children}</h2> }.into_any(),
        3 => view! { <h3 class=class id=id>{children}</h3> }.into_any(),
        4 => view! { <h4 class=class id=id>{children}</h4> }.into_any(),
        5 => view! { <h5 class=class id=id>{children}</h5> }.into_any(),
        _ => view! { <h6 class=class id=id>{children}</h6> }.into_any(),
    }
}
