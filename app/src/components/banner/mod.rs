//! The consent banner: first layer, preferences panel and the floating way back.

mod first_layer;
mod floating_button;
mod focus;
mod location_prompt;
mod per_item;
mod preferences;

use crate::bridge;
use crate::contexts::consent::{ConsentContext, Layer, SaveStatus, provide_consent_context};
use first_layer::FirstLayer;
use floating_button::FloatingButton;
use leptos::prelude::*;
use location_prompt::LocationPrompt;
use per_item::PerItemLayer;
use preferences::Preferences;
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, ShadowRootInit, ShadowRootMode};

#[cfg(not(feature = "tcf"))]
const CSS: &str = include_str!("../../../../style/banner.css");
#[cfg(feature = "tcf")]
const CSS: &str = concat!(
    include_str!("../../../../style/banner.css"),
    include_str!("../../../../style/banner-tcf.css")
);
pub const HOST_ID: &str = "assent-host";

/// Creates the host element first in `<body>` (so the banner is reached first with Tab),
/// attaches an open shadow root with the banner's CSS, and mounts the app inside it.
pub fn mount() {
    let Some(boot) = bridge::boot_config() else {
        web_sys::console::error_1(&"Assent: load the banner through /embed.js".into());
        return;
    };
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    // The loader starts the banner as soon as it is compiled, possibly before the parser
    // reached `<body>`: then it mounts once the document is parsed.
    let Some(body) = document.body() else {
        let later = wasm_bindgen::closure::Closure::once_into_js(mount);
        let _ = document.add_event_listener_with_callback("DOMContentLoaded", later.unchecked_ref());
        return;
    };
    if document.get_element_by_id(HOST_ID).is_some() {
        return;
    }
    let mount_point = (|| -> Result<HtmlElement, wasm_bindgen::JsValue> {
        let host = document.create_element("div")?;
        host.set_id(HOST_ID);
        body.prepend_with_node_1(&host)?;
        let shadow = host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))?;
        // A constructed stylesheet is not an inline style: a page whose CSP allows no
        // 'unsafe-inline' styles still gets a styled banner. Without the API, a <style>.
        match web_sys::CssStyleSheet::new().and_then(|sheet| sheet.replace_sync(CSS).map(|()| sheet)) {
            Ok(sheet) => shadow.set_adopted_style_sheets(&js_sys::Array::of1(&sheet)),
            Err(_) => {
                let style = document.create_element("style")?;
                style.set_text_content(Some(CSS));
                shadow.append_child(&style)?;
            }
        }
        let container = document.create_element("div")?;
        container.set_class_name("assent");
        shadow.append_child(&container)?;
        Ok(container.unchecked_into())
    })();
    match mount_point {
        Ok(container) => {
            leptos::mount::mount_to(container, move || view! { <BannerApp boot=boot.clone() /> }).forget();
            bridge::mounted();
        }
        Err(err) => web_sys::console::error_2(&"Assent: cannot mount the banner".into(), &err),
    }
}

#[component]
fn BannerApp(boot: bridge::BootConfig) -> impl IntoView {
    let ctx = provide_consent_context(boot);
    ctx.start();
    bridge::on_command(move |name| ctx.command(&name));
    focus::follow_focus_requests(ctx);
    Effect::new(move |_| bridge::display(!matches!(ctx.layer.get(), Layer::Hidden)));
    let dir = move || {
        let rtl = ctx.notice.with(|n| {
            n.as_ref()
                .is_some_and(|n| matches!(n.notice.language.split('-').next(), Some("ar" | "he" | "fa" | "ur")))
        });
        if rtl { "rtl" } else { "ltr" }
    };
    let lang = move || {
        ctx.notice
            .with(|n| n.as_ref().map(|n| n.notice.language.clone()).unwrap_or_default())
    };
    view! {
        <div dir=dir lang=lang>
            <Show when=move || ctx.notice.with(Option::is_some)>
                {move || match ctx.layer.get() {
                    Layer::FirstLayer if ctx.per_item() => view! { <PerItemLayer /> }.into_any(),
                    Layer::FirstLayer => view! { <FirstLayer /> }.into_any(),
                    Layer::Preferences => view! { <Preferences /> }.into_any(),
                    Layer::Location => view! { <LocationPrompt /> }.into_any(),
                    Layer::Hidden => view! { <FloatingButton /> }.into_any(),
                }}
                <StatusLine ctx=ctx />
            </Show>
        </div>
    }
}

/// Announces the outcome of a save to screen readers (and shows it briefly).
#[component]
fn StatusLine(ctx: ConsentContext) -> impl IntoView {
    let t = ctx.texts();
    let message = move || match ctx.status.get() {
        Some(SaveStatus::Saved) => t.saved,
        Some(SaveStatus::Queued) => t.save_failed,
        None => "",
    };
    view! {
        <div class="assent-status" role="status" aria-live="polite" data-test="status">{message}</div>
    }
}

/// The IAB TCF part of the first layer, in the build that has one.
fn tcf_first_layer() -> AnyView {
    #[cfg(feature = "tcf")]
    return view! { <crate::tcf::TcfFirstLayer /> }.into_any();
    #[cfg(not(feature = "tcf"))]
    ().into_any()
}

/// The IAB TCF part of the preferences, in the build that has one.
fn tcf_preferences() -> AnyView {
    #[cfg(feature = "tcf")]
    return view! { <crate::tcf::TcfPreferences /> }.into_any();
    #[cfg(not(feature = "tcf"))]
    ().into_any()
}
