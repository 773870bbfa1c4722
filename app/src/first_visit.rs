//! The banner on a first visit, before any of its views is needed. The loader shows the first
//! layer the server rendered; this bundle (`assent-first-visit`: no views, so no Leptos
//! rendering, 29% less wasm than the banner) is the consent context alone: it applies a click
//! on that layer with the consent rules, stores and records it, exactly as the banner does —
//! it is the banner's own context ([`crate::contexts::consent`]), only without the components.
//! What the banner's views would show, the loader shows: the way back in once the layer is
//! answered (`bridge::answered`) and the outcome of the save in the layer's status line, for
//! screen readers (`bridge::status`).
//!
//! Whatever needs a view (the preferences panel, the location prompt, the first layer again
//! once answered) upgrades to the whole banner: the loader loads it with the command queued,
//! and the banner takes over the host as it takes over the server's layer.

use crate::bridge;
use crate::contexts::consent::{Layer, provide_consent_context};
use leptos::prelude::*;

/// Starts the consent context and hands the loader what a view would otherwise show.
pub fn start() {
    let Some(boot) = bridge::boot_config() else {
        web_sys::console::error_1(&"Assent: load the banner through /embed.js".into());
        return;
    };
    if bridge::upgraded() {
        return;
    }
    let _ = any_spawner::Executor::init_wasm_bindgen();
    // The context lives as long as the page.
    let owner = Owner::new();
    owner.set();
    std::mem::forget(owner);
    let ctx = provide_consent_context(boot);
    ctx.start();
    bridge::on_command(move |name| ctx.command(&name));
    // The loader shows the server's first layer until it is answered.
    let shown = StoredValue::new(true);
    Effect::new(move |_| {
        if ctx.notice.with(Option::is_none) {
            return;
        }
        match ctx.layer.get() {
            Layer::Hidden if shown.get_value() => {
                shown.set_value(false);
                let focus = ctx.focus.get_untracked() == Some("privacy-choices");
                bridge::answered(focus, ctx.texts().privacy_choices);
            }
            Layer::Hidden => {}
            Layer::FirstLayer if shown.get_value() => {}
            Layer::FirstLayer => bridge::upgrade("show"),
            Layer::Preferences => bridge::upgrade("preferences"),
            Layer::Location => bridge::upgrade("location"),
        }
    });
    Effect::new(move |_| {
        if let Some(text) = ctx.status_text() {
            bridge::status(text);
        }
    });
}
