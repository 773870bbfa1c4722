//! The consent banner: first layer, preferences panel and the floating way back.

mod first_layer;
mod floating_button;
mod focus;
mod location_prompt;
mod per_item;
mod preferences;

use crate::bridge;
use crate::contexts::consent::{ConsentContext, Layer, provide_consent_context};
use assent_shared::first_layer::{frame, status_line};
use first_layer::FirstLayer;
use floating_button::FloatingButton;
use leptos::prelude::*;
use location_prompt::LocationPrompt;
use per_item::PerItemLayer;
use preferences::Preferences;
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, ShadowRootInit, ShadowRootMode};

/// The styles of the layers the server never renders, added to the first layer's (`boot.css`,
/// from the server): the panel, the per-item layer, the location prompt, and in the TCF
/// build the TCF layer.
#[cfg(not(feature = "tcf"))]
const OWN_CSS: &str = include_str!("../../../../style/banner-panel.css");
#[cfg(feature = "tcf")]
const OWN_CSS: &str = concat!(
    include_str!("../../../../style/banner-panel.css"),
    include_str!("../../../../style/banner-tcf.css")
);
pub const HOST_ID: &str = "assent-host";
/// Set by the loader on a host holding the first layer the server rendered, until the banner
/// mounts beside it and takes over.
const PRERENDERED: &str = "data-prerendered";

/// Mounts the banner in the host element first in `<body>` (so the banner is reached first
/// with Tab), in an open shadow root with the banner's CSS. Where the loader already shows the
/// first layer the server rendered, the banner mounts beside it in the same shadow root, and
/// the loader removes it once the banner drew its own (`bridge::took_over`).
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
    let existing = document.get_element_by_id(HOST_ID);
    if existing.as_ref().is_some_and(|host| !host.has_attribute(PRERENDERED)) {
        return;
    }
    let mount_point = (|| -> Result<HtmlElement, wasm_bindgen::JsValue> {
        let container = document.create_element("div")?;
        container.set_class_name("assent");
        match existing.and_then(|host| host.shadow_root().map(|shadow| (host, shadow))) {
            Some((host, shadow)) => {
                host.remove_attribute(PRERENDERED)?;
                container.set_class_name("assent assent--still");
                // First in the shadow root: the banner's elements are the ones found by name,
                // and the server's layer (painted above it) hides nothing that differs.
                shadow.prepend_with_node_1(&container)?;
                add_style(&document, &shadow, OWN_CSS)?;
            }
            None => {
                let host = document.create_element("div")?;
                host.set_id(HOST_ID);
                body.prepend_with_node_1(&host)?;
                let shadow = host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))?;
                add_style(&document, &shadow, &boot.css)?;
                add_style(&document, &shadow, OWN_CSS)?;
                shadow.append_child(&container)?;
            }
        }
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

/// Adds `css` to the styles of `shadow`, after those it has. A constructed stylesheet is not an
/// inline style: a page whose CSP allows no 'unsafe-inline' styles still gets a styled banner.
/// Without the API, a <style>.
fn add_style(
    document: &web_sys::Document,
    shadow: &web_sys::ShadowRoot,
    css: &str,
) -> Result<(), wasm_bindgen::JsValue> {
    match web_sys::CssStyleSheet::new().and_then(|sheet| sheet.replace_sync(css).map(|()| sheet)) {
        Ok(sheet) => {
            let sheets = shadow.adopted_style_sheets();
            sheets.push(&sheet);
            shadow.set_adopted_style_sheets(&sheets);
        }
        Err(_) => {
            let style = document.create_element("style")?;
            style.set_text_content(Some(css));
            shadow.append_child(&style)?;
        }
    }
    Ok(())
}

#[component]
fn BannerApp(boot: bridge::BootConfig) -> impl IntoView {
    let ctx = provide_consent_context(boot);
    ctx.start();
    bridge::on_command(move |name| ctx.command(&name));
    focus::follow_focus_requests(ctx);
    Effect::new(move |_| bridge::display(!matches!(ctx.layer.get(), Layer::Hidden)));
    // Once the notice is here the banner draws its layer: the server's rendering can go.
    Effect::new(move |_| {
        if ctx.notice.with(Option::is_some) {
            bridge::took_over();
        }
    });
    let language = move || {
        ctx.notice
            .with_untracked(|n| n.as_ref().map(|n| n.notice.language.clone()).unwrap_or_default())
    };
    let layer = move || match ctx.layer.get() {
        Layer::FirstLayer if ctx.per_item() => view! { <PerItemLayer /> }.into_any(),
        Layer::FirstLayer => view! { <FirstLayer /> }.into_any(),
        Layer::Preferences => view! { <Preferences /> }.into_any(),
        Layer::Location => view! { <LocationPrompt /> }.into_any(),
        Layer::Hidden => view! { <FloatingButton /> }.into_any(),
    };
    view! {
        <Show when=move || ctx.notice.with(Option::is_some)>
            {frame(&language(), (layer, save_status(ctx)))}
        </Show>
    }
}

/// Announces the outcome of a save to screen readers.
fn save_status(ctx: ConsentContext) -> impl IntoView {
    status_line(move || ctx.status_text())
}

/// The IAB TCF part of the first layer, in the build that has one.
fn tcf_first_layer() -> Option<AnyView> {
    #[cfg(feature = "tcf")]
    return Some(view! { <crate::tcf::TcfFirstLayer /> }.into_any());
    #[cfg(not(feature = "tcf"))]
    None
}

/// The IAB TCF part of the preferences, in the build that has one.
fn tcf_preferences() -> AnyView {
    #[cfg(feature = "tcf")]
    return view! { <crate::tcf::TcfPreferences /> }.into_any();
    #[cfg(not(feature = "tcf"))]
    ().into_any()
}
