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
    /// `#/sites/{id}/ledger`: one site's exports, verification and checkpoints.
    SiteLedger(String),
    /// `#/sites/{id}/subjects`: one site's data-subject requests.
    SiteSubjects(String),
    /// `#/sites/{id}/audit`: one site's audit log.
    SiteAudit(String),
    /// `#/sites/{id}/webhooks`: one site's webhook endpoints.
    SiteWebhooks(String),
    /// `#/audit`: the whole instance's audit log (administrators).
    Audit,
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
            ["sites", id, "ledger"] => Self::SiteLedger(decode(id)),
            ["sites", id, "subjects"] => Self::SiteSubjects(decode(id)),
            ["sites", id, "audit"] => Self::SiteAudit(decode(id)),
            ["sites", id, "webhooks"] => Self::SiteWebhooks(decode(id)),
            ["audit"] => Self::Audit,
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
            Self::SiteStats(id) => site_href(id, "stats"),
            Self::SiteNotice(id) => site_href(id, "notice"),
            Self::SiteLedger(id) => site_href(id, "ledger"),
            Self::SiteSubjects(id) => site_href(id, "subjects"),
            Self::SiteAudit(id) => site_href(id, "audit"),
            Self::SiteWebhooks(id) => site_href(id, "webhooks"),
            Self::Audit => "#/audit".into(),
            Self::Account => "#/account".into(),
        }
    }

    /// The navigation entry this route belongs to.
    pub fn section(&self) -> &'static str {
        match self {
            Self::Sites
            | Self::NewSite
            | Self::Site(_)
            | Self::SiteStats(_)
            | Self::SiteNotice(_)
            | Self::SiteLedger(_)
            | Self::SiteSubjects(_)
            | Self::SiteAudit(_)
            | Self::SiteWebhooks(_) => "sites",
            Self::Audit => "audit",
            Self::Account => "account",
        }
    }

    /// The route of the address the page was opened at.
    pub fn current() -> Self {
        Self::parse(&hash()).unwrap_or(Self::Sites)
    }
}

/// `#/sites/{id}/{screen}`.
fn site_href(id: &str, screen: &str) -> String {
    format!("#/sites/{}/{screen}", js_sys::encode_uri_component(id))
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
    focus("main h1");
}

/// Focuses the first element `selector` matches, if any (a heading needs `tabindex="-1"`).
pub fn focus(selector: &str) {
    let element = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector(selector).ok().flatten())
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(element) = element {
        let _ = element.focus();
    }
}
