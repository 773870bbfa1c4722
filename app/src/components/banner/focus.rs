//! Focus handling inside the shadow root: move focus where a layer change asks for it, and
//! keep Tab inside the modal preferences dialog.

use super::HOST_ID;
use crate::contexts::consent::ConsentContext;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, KeyboardEvent, ShadowRoot};

fn shadow_root() -> Option<ShadowRoot> {
    web_sys::window()?.document()?.get_element_by_id(HOST_ID)?.shadow_root()
}

fn by_test_id(name: &str) -> Option<HtmlElement> {
    shadow_root()?
        .query_selector(&format!("[data-test=\"{name}\"]"))
        .ok()??
        .dyn_into()
        .ok()
}

/// Focuses the element named in `ctx.focus` once the new layer is in the DOM. Focus comes back
/// to *Privacy choices* after a layer closes only from the banner itself (or from nowhere):
/// a choice clicked on the server's layer before the wasm ran is applied later, when the
/// visitor may be typing elsewhere on the page.
pub fn follow_focus_requests(ctx: ConsentContext) {
    Effect::new(move |_| {
        if let Some(name) = ctx.focus.get() {
            set_timeout(
                move || {
                    if name == "privacy-choices" && !focus_in_banner_or_nowhere() {
                        return;
                    }
                    if let Some(el) = by_test_id(name) {
                        let _ = el.focus();
                    }
                },
                std::time::Duration::ZERO,
            );
        }
    });
}

/// Whether the page's focus is in the banner's host, or on `<body>` / nothing.
fn focus_in_banner_or_nowhere() -> bool {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return true;
    };
    match document.active_element() {
        None => true,
        Some(active) => {
            active.id() == HOST_ID
                || document
                    .body()
                    .is_some_and(|body| active == *body.unchecked_ref::<web_sys::Element>())
        }
    }
}

const FOCUSABLE: &str = "button:not([disabled]), input:not([disabled]), summary, a[href]";

/// Wraps Tab / Shift+Tab at the ends of `container` (a modal dialog).
pub fn trap_tab(ev: &KeyboardEvent, container: &HtmlElement) {
    if ev.key() != "Tab" {
        return;
    }
    let Ok(nodes) = container.query_selector_all(FOCUSABLE) else {
        return;
    };
    let items: Vec<HtmlElement> = (0..nodes.length())
        .filter_map(|i| nodes.item(i)?.dyn_into().ok())
        .collect();
    let (Some(first), Some(last)) = (items.first(), items.last()) else {
        return;
    };
    let active = shadow_root().and_then(|r| r.active_element());
    let at = |el: &HtmlElement| {
        active
            .as_ref()
            .is_some_and(|a| a == el.unchecked_ref::<web_sys::Element>())
    };
    let outside = !items.iter().any(at);
    if ev.shift_key() && (at(first) || outside) {
        ev.prevent_default();
        let _ = last.focus();
    } else if !ev.shift_key() && (at(last) || outside) {
        ev.prevent_default();
        let _ = first.focus();
    }
}
