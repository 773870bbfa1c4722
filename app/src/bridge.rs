//! The bridge to the loader's `window.assent` object: configuration in, commands in,
//! change notifications out.

use js_sys::{Function, Reflect};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

/// What the loader learned from the script tag.
#[derive(Debug, Clone)]
pub struct BootConfig {
    pub site: String,
    pub origin: String,
    pub build: Option<String>,
    pub storage_key: String,
    /// A draft preview: the banner records nothing.
    pub preview: bool,
    /// The preview's token (`data-preview`): the TCF layer asks for the draft's vendor list
    /// with it, as the loader asks for the draft notice.
    pub preview_token: Option<String>,
    /// An account assertion from the site's backend (`data-account`, `assent.signIn()`): the
    /// visitor is signed in, and this device adopts the account's choices.
    pub account: Option<String>,
    /// The banner's stylesheet, from the server (`boot.css`).
    pub css: String,
}

fn assent_object() -> Option<JsValue> {
    let window = web_sys::window()?;
    Reflect::get(&window, &"assent".into()).ok().filter(|v| v.is_object())
}

fn string_field(obj: &JsValue, key: &str) -> Option<String> {
    Reflect::get(obj, &key.into()).ok().and_then(|v| v.as_string())
}

pub fn boot_config() -> Option<BootConfig> {
    let config = Reflect::get(&assent_object()?, &"config".into()).ok()?;
    Some(BootConfig {
        site: string_field(&config, "site")?,
        origin: string_field(&config, "origin")?,
        build: string_field(&config, "build"),
        storage_key: string_field(&config, "storageKey")?,
        preview: Reflect::get(&config, &"preview".into())
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(false),
        preview_token: string_field(&config, "previewToken").filter(|t| !t.is_empty()),
        account: string_field(&config, "account").filter(|a| !a.is_empty()),
        css: string_field(&config, "css").unwrap_or_default(),
    })
}

/// Commands queued before the banner ran (`show`, `preferences`), then every later one.
pub fn on_command(handler: impl Fn(String) + 'static) {
    let Some(assent) = assent_object() else { return };
    if let Ok(queued) = Reflect::get(&assent, &"_pending".into())
        && let Some(queued) = queued.dyn_ref::<js_sys::Array>()
    {
        for name in queued.iter().filter_map(|v| v.as_string()) {
            handler(name);
        }
        queued.set_length(0);
    }
    let closure = Closure::<dyn Fn(JsValue)>::new(move |name: JsValue| {
        if let Some(name) = name.as_string() {
            handler(name);
        }
    });
    let _ = Reflect::set(&assent, &"_dispatch".into(), closure.as_ref());
    // The banner lives as long as the page.
    closure.forget();
}

/// Why decisions are applied on this page view; the loader tells tag managers
/// (`assent.trigger` of its `dataLayer` event).
#[derive(Debug, Clone, Copy)]
pub enum Trigger {
    /// Decided on this page view: by the visitor, a GPC signal, or a consent's expiry.
    Choice,
    /// A choice stored earlier, applied again (here: one shared by another subdomain, whose
    /// Consent Mode update the loader could not replay).
    Replay,
    /// An opt-out regime's defaults before any choice, for this page view only.
    OptOutDefault,
}

impl Trigger {
    fn as_str(self) -> &'static str {
        match self {
            Self::Choice => "choice",
            Self::Replay => "replay",
            Self::OptOutDefault => "opt_out_default",
        }
    }
}

/// Hands the decisions in force to the loader, which applies them (Consent Mode update and
/// its `dataLayer` event, the vendor integrations' own consent calls, blocked scripts, deleting the declared cookies and storage of
/// refused purposes, a reload if the notice asks for one after a withdrawal) and tells the
/// page (listeners and an `assent:change` event).
pub fn emit_change(
    decisions: &JsValue,
    gcm: &JsValue,
    integrations: &JsValue,
    cleanup: &JsValue,
    reload: bool,
    trigger: Trigger,
) {
    let Some(assent) = assent_object() else { return };
    let Ok(emit) = Reflect::get(&assent, &"_emit".into()) else {
        return;
    };
    let Some(emit) = emit.dyn_ref::<Function>() else { return };
    let args = js_sys::Array::of5(
        decisions,
        gcm,
        cleanup,
        &JsValue::from_bool(reload),
        &JsValue::from_str(trigger.as_str()),
    );
    args.push(integrations);
    let _ = emit.apply(&assent, &args);
}

/// Hands fresh GPP / `us_privacy` data to the loader's `__gpp` and `__uspapi`.
pub fn emit_signals(signals: &JsValue) {
    call_hook_with("_signals", signals);
}

/// Gives the loader the click-to-load placeholder's words (`PlaceholderWords`): it rewrites
/// the placeholders already drawn and uses them for later ones.
pub fn placeholder_words(words: &JsValue) {
    call_hook_with("_placeholders", words);
}

/// Sets the notice's theme as custom properties on the banner's host element.
pub fn apply_theme(theme: &std::collections::BTreeMap<String, String>) {
    let Some(host) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(crate::components::banner::HOST_ID))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    else {
        return;
    };
    for (key, value) in theme {
        let _ = host
            .style()
            .set_property(&format!("--assent-{}", key.replace('_', "-")), value);
    }
}

/// Tells the loader the stored choice changed (it mirrors it into the cookie shared by the
/// site's subdomains, when the site configured one).
pub fn choice_saved() {
    call_hook("_saved");
}

/// Calls one of the loader's one-argument hooks, if it has it.
fn call_hook_with(name: &str, argument: &JsValue) {
    let Some(assent) = assent_object() else { return };
    if let Ok(f) = Reflect::get(&assent, &name.into())
        && let Some(f) = f.dyn_ref::<Function>()
    {
        let _ = f.call1(&assent, argument);
    }
}

fn call_hook(name: &str) {
    let Some(assent) = assent_object() else { return };
    if let Ok(f) = Reflect::get(&assent, &name.into())
        && let Some(f) = f.dyn_ref::<Function>()
    {
        let _ = f.call0(&assent);
    }
}

/// Tells the loader what became of a queued event: `recorded` is the server's
/// `ConsentRecorded` (then `error` is `null`), or `recorded` is the event id and `error` why
/// it was refused for good. The loader announces it to the page (`assent:recorded` /
/// `assent:refused`), where the settings component waits for its own changes.
pub fn outcome(recorded: &JsValue, error: &JsValue) {
    call_hook_with2("_outcome", recorded, error);
}

/// Calls one of the loader's two-argument hooks, if it has it.
fn call_hook_with2(name: &str, first: &JsValue, second: &JsValue) {
    let Some(assent) = assent_object() else { return };
    if let Ok(f) = Reflect::get(&assent, &name.into())
        && let Some(f) = f.dyn_ref::<Function>()
    {
        let _ = f.call2(&assent, first, second);
    }
}

/// Runs `task` (a function starting a promise) alone across the site's tabs, through the
/// loader's Web Locks wrapper (`assent._exclusive`); directly where there is none. `task`
/// learns whether it waited for another tab to finish first: that tab's writes to storage
/// may still be on their way to this one (storage is shared between tabs, but not at once).
pub async fn exclusive(task: impl FnOnce(bool) -> js_sys::Promise + 'static) {
    let run = assent_object().and_then(|assent| {
        Reflect::get(&assent, &"_exclusive".into())
            .ok()
            .and_then(|f| f.dyn_into::<Function>().ok())
            .map(|run| (assent, run))
    });
    let Some((assent, run)) = run else {
        let _ = wasm_bindgen_futures::JsFuture::from(task(false)).await;
        return;
    };
    let task = Closure::once_into_js(move |waited: JsValue| task(waited.as_bool().unwrap_or(false)));
    if let Ok(promise) = run.call1(&assent, &task)
        && let Ok(promise) = promise.dyn_into::<js_sys::Promise>()
    {
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    }
}

/// A promise that resolves (to `undefined`) after `ms` milliseconds.
pub fn sleep(ms: i32) -> js_sys::Promise {
    js_sys::Promise::new(&mut |resolve: Function, _| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    })
}

/// Tells the loader a recheck after the hosted settings page is done (it stops asking).
pub fn rechecked() {
    call_hook("_rechecked");
}

/// Hands the loader's `__tcfapi` the TCData of the visitor's TC string (`TcData`, without
/// the fields the loader adds) and the event it is for: `tcloaded` (found on arrival) or
/// `useractioncomplete` (a choice just made, already stored) — TCF CMP API v2.2,
/// "addEventListener"; or `null` and `error`: the site's list could not be had.
#[cfg(feature = "tcf")]
pub fn tcf(data: &JsValue, event_status: &str) {
    call_hook_with2("_tcf", data, &event_status.into());
}

/// Tells the loader whether the banner is on screen (GPP's `cmpDisplayStatus`).
pub fn display(visible: bool) {
    call_hook_with("_display", &JsValue::from_bool(visible));
}

/// Tells the loader the banner has its notice and draws its own layer: the first layer the
/// server rendered, if the loader shows one, goes in the same task (nothing is painted in
/// between, so nothing moves or flickers).
pub fn took_over() {
    call_hook("_tookOver");
}

/// Tells the loader the first layer it shows (the server's) is answered, or not needed on
/// this page view: it takes it away and draws the way back in, labelled `label` (*Privacy
/// choices*), focused if `focus` (the layer was just answered on it). The first-visit bundle
/// only ([`crate::first_visit`]).
pub fn answered(focus: bool, label: &str) {
    call_hook_with2("_answered", &JsValue::from_bool(focus), &JsValue::from_str(label));
}

/// Hands the loader what became of the choice's event (`ConsentContext::status_text`), which it
/// announces in the status line it kept. The first-visit bundle only.
pub fn status(text: &str) {
    call_hook_with("_status", &JsValue::from_str(text));
}

/// Whether the loader has handed the page to the banner instead of the first-visit bundle
/// (`_upgraded`): a first-visit bundle instantiated after that must not start.
pub fn upgraded() -> bool {
    assent_object()
        .and_then(|assent| Reflect::get(&assent, &"_upgraded".into()).ok())
        .is_some_and(|v| v.is_truthy())
}

/// Set once by the first-visit bundle (`first_visit::start`): this wasm is that bundle.
static FIRST_VISIT: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Marks this wasm as the first-visit bundle, for [`retired`].
pub fn is_first_visit_bundle() {
    FIRST_VISIT.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// Whether this is the first-visit bundle and the banner has taken over from it: it sends
/// nothing more (the banner sends the queue, acknowledgments and all) and tells nothing.
pub fn retired() -> bool {
    FIRST_VISIT.load(std::sync::atomic::Ordering::Relaxed) && upgraded()
}

/// Hands the loader a command that reached the first-visit bundle after the banner took over
/// (it waited for the notice): the banner runs it.
pub fn forward(command: &str) {
    call_hook_with("_forward", &JsValue::from_str(command));
}

/// Tells the loader this bundle cannot do `command` (it needs a view): the loader loads the
/// whole banner, which takes over and runs it. The first-visit bundle only.
pub fn upgrade(command: &str) {
    call_hook_with("_upgrade", &JsValue::from_str(command));
}

/// Tells the loader the banner is mounted (it removes its own fast-path button).
pub fn mounted() {
    call_hook("_mounted");
}

/// `navigator.globalPrivacyControl`, which only the browser (or an extension) can set.
pub fn navigator_gpc() -> bool {
    web_sys::window()
        .and_then(|w| Reflect::get(&w.navigator(), &"globalPrivacyControl".into()).ok())
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
}

/// The loader's request for the notice (a `fetch` promise), taken once.
pub fn notice_request() -> Option<js_sys::Promise> {
    let assent = assent_object()?;
    let request = Reflect::get(&assent, &"_notice".into()).ok()?.dyn_into().ok()?;
    let _ = Reflect::set(&assent, &"_notice".into(), &JsValue::NULL);
    Some(request)
}

/// A random (v4) UUID from `crypto.getRandomValues`, which, unlike `randomUUID`, also
/// exists on plain-http pages.
pub fn random_uuid() -> Option<String> {
    let crypto = web_sys::window()?.crypto().ok()?;
    let mut b = [0u8; 16];
    crypto.get_random_values_with_u8_array(&mut b).ok()?;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut id = String::with_capacity(36);
    for (i, byte) in b.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            id.push('-');
        }
        id.push(char::from(HEX[usize::from(byte >> 4)]));
        id.push(char::from(HEX[usize::from(byte & 0xf)]));
    }
    Some(id)
}

pub fn now_iso() -> String {
    js_sys::Date::new_0().to_iso_string().into()
}
