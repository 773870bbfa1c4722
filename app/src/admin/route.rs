//! Which screen shows, kept in the address's fragment (`#/sites/shop`), so the back button,
//! reloads and bookmarks work and the server serves one page.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

/// A screen of the dashboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// `#/sites`: the sites the person has a role on (also the start).
    Sites,
    /// `#/sites/new`: register a site (administrators).
    NewSite,
    /// `#/sites/{id}`: one site: install, origins, regimes, secret.
    Site(String),
    /// `#/sites/{id}/stats`: one site's statistics.
    SiteStats(String),
    /// `#/sites/{id}/notice`: the notice editor (draft, preview, publish, versions).
    SiteNotice(String),
    /// `#/account`: the password.
    Account,
}

impl Route {
    /// The route a fragment names; `None` for a fragment that is not a route (`#ad-main`,
    /// the skip link's target), which leaves the screen as it is.
    pub fn parse(fragment: &str) -> Option<Self> {
        let path = fragment.strip_prefix("#/")?;
        let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
        Some(match parts.as_slice() {
            ["sites", "new"] => Self::NewSite,
            ["sites", id] => Self::Site(decode(id)),
            ["sites", id, "stats"] => Self::SiteStats(decode(id)),
            ["sites", id, "notice"] => Self::SiteNotice(decode(id)),
            ["account"] => Self::Account,
            _ => Self::Sites,
        })
    }

    /// The fragment of this route.
    pub fn href(&self) -> String {
        match self {
            Self::Sites => "#/sites".into(),
            Self::NewSite => "#/sites/new".into(),
            Self::Site(id) => format!("#/sites/{}", js_sys::encode_uri_component(id)),
            Self::SiteStats(id) => format!("#/sites/{}/stats", js_sys::encode_uri_component(id)),
            Self::SiteNotice(id) => format!("#/sites/{}/notice", js_sys::encode_uri_component(id)),
            Self::Account => "#/account".into(),
        }
    }

    /// The navigation entry this route belongs to.
    pub fn section(&self) -> &'static str {
        match self {
            Self::Sites | Self::NewSite | Self::Site(_) | Self::SiteStats(_) | Self::SiteNotice(_) => "sites",
            Self::Account => "account",
        }
    }

    /// The route of the address the page was opened at.
    pub fn current() -> Self {
        Self::parse(&hash()).unwrap_or(Self::Sites)
    }
}

/// The address's fragment, `#` included.
fn hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

fn decode(raw: &str) -> String {
    js_sys::decode_uri_component(raw)
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_else(|| raw.to_owned())
}

/// Keeps `route` in step with the address, and moves focus to the new screen's heading so
/// keyboard and screen-reader users start there; the last screen's status message goes.
pub fn follow_hash(route: RwSignal<Route>, status: RwSignal<String>) {
    let Some(window) = web_sys::window() else { return };
    let on_change = Closure::<dyn Fn()>::new(move || {
        let Some(next) = Route::parse(&hash()) else { return };
        if route.get_untracked() != next {
            status.set(String::new());
            route.set(next);
            request_animation_frame(focus_heading);
        }
    });
    let _ = window.add_event_listener_with_callback("hashchange", on_change.as_ref().unchecked_ref());
    // Lives as long as the page.
    on_change.forget();
}

/// Focuses the screen's `<h1>` (each has `tabindex="-1"`).
pub fn focus_heading() {
    let heading = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector("main h1").ok().flatten())
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(heading) = heading {
        let _ = heading.focus();
    }
}
