//! The banner on a first visit, before any of its views is needed. The loader shows the first
//! layer the server rendered; this bundle (`assent-first-visit`: no views, so no Leptos
//! rendering, 28 % less wasm than the banner) is the consent context alone: it applies a click
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
    bridge::is_first_visit_bundle();
    let _ = any_spawner::Executor::init_wasm_bindgen();
    // The context lives as long as the page.
    let owner = Owner::new();
    owner.set();
    std::mem::forget(owner);
    let ctx = provide_consent_context(boot);
    ctx.start();
    // The loader hears of the layer at once after each command (so a view it needs is asked
    // for before the banner may take over) and on any other change (the notice's arrival, an
    // account's choices adopted). It makes nothing twice of hearing the same twice.
    let tell = move |layer: Layer| {
        if bridge::retired() {
            return;
        }
        match layer {
            Layer::Hidden => {
                let focus = ctx.focus.get_untracked() == Some("privacy-choices");
                bridge::answered(focus, ctx.texts().privacy_choices);
            }
            // The loader knows whether its layer still shows (a click hides it at once, and a
            // `show` may come before the click was applied).
            Layer::FirstLayer => bridge::upgrade("show"),
            Layer::Preferences => bridge::upgrade("preferences"),
            Layer::Location => bridge::upgrade("location"),
        }
    };
    // Commands wait here for the notice (not in the context): once the banner has taken over,
    // one that waited is the banner's to run.
    let waiting = StoredValue::new(Vec::<String>::new());
    let run = move |name: String| {
        if bridge::retired() {
            bridge::forward(&name);
        } else if ctx.notice.with_untracked(Option::is_none) {
            waiting.update_value(|w| w.push(name));
        } else {
            ctx.command(&name);
            tell(ctx.layer.get_untracked());
        }
    };
    bridge::on_command(run);
    // The commands that waited first: a click that came before the notice answers the layer
    // the arrival would otherwise report as showing.
    Effect::new(move |_| {
        if ctx.notice.with(Option::is_some) {
            for name in waiting.try_update_value(std::mem::take).unwrap_or_default() {
                run(name);
            }
            tell(ctx.layer.get());
        }
    });
    Effect::new(move |_| {
        if let Some(text) = ctx.status_text() {
            bridge::status(text);
        }
    });
}
