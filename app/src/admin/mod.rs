//! The site owners' dashboard (DESIGN, "Site owners"; issue 13), served at `/admin` as its own
//! bundle so visitors never download it. It drives the admin API with the browser's session
//! cookie: sign in, the sites (register, origins, regimes, secret, install), their notice
//! (editor, live preview, lint, publication, versions), statistics, ledger, data-subject
//! requests, audit log and webhooks, the instance's audit log and the account.
//!
//! One context ([`Dashboard`]) holds who is signed in and which screen shows; each screen is a
//! component of its own module reading and writing through [`client`]. What a person may not
//! do is not offered: a viewer sees no write controls (the server refuses them anyway).

mod account;
mod audit;
mod chart;
mod client;
mod deliveries;
mod form;
mod ledger;
mod login;
mod notice;
mod regimes;
mod route;
mod site;
mod sites;
mod stats;
mod subjects;
mod webhooks;

use assent_shared::admin_api::{Me, Role};
use client::Failure;
use leptos::prelude::*;
use leptos::task::spawn_local;
use route::Route;
use wasm_bindgen::JsCast;

const CSS: &str = include_str!("../../../style/admin.css");

/// Mounts the dashboard into `#assent-admin` (the page `/admin` serves).
pub fn mount() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Some(host) = document
        .get_element_by_id("assent-admin")
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    else {
        return;
    };
    // A constructed stylesheet: the page's policy allows no inline style.
    if let Ok(sheet) = web_sys::CssStyleSheet::new().and_then(|sheet| sheet.replace_sync(CSS).map(|()| sheet)) {
        document.set_adopted_style_sheets(&js_sys::Array::of1(&sheet));
    }
    leptos::mount::mount_to(host, App).forget();
}

/// Where the dashboard is in its life.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    /// Asking the server who is signed in.
    Checking,
    SignedOut,
    SignedIn,
    /// The server could not say (down, or an unexpected answer): the reason, and a retry.
    Failed(String),
}

/// The dashboard's state, shared by its screens.
#[derive(Debug, Clone, Copy)]
pub struct Dashboard {
    pub phase: RwSignal<Phase>,
    /// Who is signed in, with their roles.
    pub me: RwSignal<Option<Me>>,
    pub route: RwSignal<Route>,
    /// Why the sign-in form shows (the session ended, the password changed), if not the start.
    pub signed_out_because: RwSignal<Option<String>>,
    /// The last outcome, announced to screen readers and shown in the status bar.
    pub status: RwSignal<String>,
}

impl Dashboard {
    /// An instance administrator: every site, and registering sites.
    pub fn is_admin(&self) -> bool {
        self.me.with(|m| m.as_ref().is_some_and(|m| m.is_admin))
    }

    /// The caller's role on `site` (administrators own every site).
    pub fn role_on(&self, site: &str) -> Option<Role> {
        self.me.with(|m| {
            let m = m.as_ref()?;
            if m.is_admin {
                Some(Role::Owner)
            } else {
                m.sites.get(site).copied()
            }
        })
    }

    /// Whether the caller may change `site`.
    pub fn owns(&self, site: &str) -> bool {
        self.role_on(site) == Some(Role::Owner)
    }

    /// A failure that means the session is over sends the person to the sign-in form, saying
    /// so; any other is for the screen to show. Returns whether it was the session.
    pub fn session_over(&self, failure: &Failure) -> bool {
        // Signed out already, a 401 is the sign-in form's own answer (a wrong password).
        if !failure.signed_out() || self.phase.get_untracked() != Phase::SignedIn {
            return false;
        }
        self.me.set(None);
        let why = if plain_http() {
            PLAIN_HTTP
        } else {
            "Your session has ended. Sign in again to continue."
        };
        self.signed_out_because.set(Some(why.into()));
        self.phase.set(Phase::SignedOut);
        true
    }

    /// Signed in (a login, or a password change that started a new session).
    pub fn signed_in(&self, me: Me) {
        self.me.set(Some(me));
        self.signed_out_because.set(None);
        // Already signed in (a new session after a password change): the screen stays as it is.
        if self.phase.get_untracked() != Phase::SignedIn {
            self.phase.set(Phase::SignedIn);
        }
    }

    /// Asks the server who is signed in (the session cookie decides).
    pub fn check_session(self) {
        self.phase.set(Phase::Checking);
        spawn_local(async move {
            match client::get::<Me>("/v1/admin/me").await {
                Ok(me) => self.signed_in(me),
                Err(failure) if failure.signed_out() => self.phase.set(Phase::SignedOut),
                Err(failure) => self.phase.set(Phase::Failed(failure.message)),
            }
        });
    }
}

/// A read in progress, failed, or done.
#[derive(Debug, Clone)]
pub enum Load<T> {
    Loading,
    Failed(Failure),
    Ready(T),
}

/// Reads `path` into `into`; a failure that means the session ended goes to sign-in.
pub fn load<T>(dashboard: Dashboard, path: String, into: RwSignal<Load<T>>)
where
    T: serde::de::DeserializeOwned + Send + Sync + 'static,
{
    into.set(Load::Loading);
    spawn_local(async move {
        match client::get::<T>(&path).await {
            Ok(value) => into.set(Load::Ready(value)),
            Err(failure) => {
                if !dashboard.session_over(&failure) {
                    into.set(Load::Failed(failure));
                }
            }
        }
    });
}

/// What a screen shows while its read is on its way or failed (with a way to try again).
#[component]
pub fn Pending(what: &'static str, failure: Option<Failure>, retry: Callback<()>) -> impl IntoView {
    match failure {
        None => {
            view! { <p class="ad-note" role="status" data-test="loading">{format!("Loading {what}…")}</p> }.into_any()
        }
        Some(failure) => view! {
            <div class="ad-note ad-note--error" role="alert" data-test="load-failed" data-code=failure.code.clone()>
                <p class="ad-strong">{format!("The {what} could not be loaded.")}</p>
                <p>{failure.message.clone()}</p>
                <button type="button" class="ad-btn" on:click=move |_| retry.run(())>"Try again"</button>
            </div>
        }
        .into_any(),
    }
}

/// How long a status message shows, in seconds.
const STATUS_SECONDS: u64 = 10;

#[component]
fn App() -> impl IntoView {
    let dashboard = Dashboard {
        phase: RwSignal::new(Phase::Checking),
        me: RwSignal::new(None),
        route: RwSignal::new(Route::current()),
        signed_out_because: RwSignal::new(None),
        status: RwSignal::new(String::new()),
    };
    provide_context(dashboard);
    route::follow_hash(dashboard.route, dashboard.status);
    // A message stays long enough to be read, then leaves the bottom of the form it covers.
    Effect::new(move |_| {
        let shown = dashboard.status.get();
        if !shown.is_empty() {
            set_timeout(
                move || {
                    if dashboard.status.try_get_untracked().as_ref() == Some(&shown) {
                        dashboard.status.set(String::new());
                    }
                },
                std::time::Duration::from_secs(STATUS_SECONDS),
            );
        }
    });
    dashboard.check_session();
    view! {
        {move || match dashboard.phase.get() {
            Phase::Checking => view! {
                <main class="ad-center"><p class="ad-note" role="status" data-test="checking">"Loading the dashboard…"</p></main>
            }.into_any(),
            Phase::Failed(reason) => view! {
                <main class="ad-center">
                    <h1 class="ad-title">"The dashboard cannot reach Assent"</h1>
                    <p class="ad-note ad-note--error" role="alert" data-test="load-failed">{reason}</p>
                    <button type="button" class="ad-btn" on:click=move |_| dashboard.check_session()>"Try again"</button>
                </main>
            }.into_any(),
            Phase::SignedOut => view! { <login::Login /> }.into_any(),
            Phase::SignedIn => view! { <Shell /> }.into_any(),
        }}
        <div class="ad-status" role="status" aria-live="polite" data-test="status">{move || dashboard.status.get()}</div>
    }
}

/// The signed-in frame: who is signed in, the navigation, the screen.
#[component]
fn Shell() -> impl IntoView {
    let dashboard = expect_context::<Dashboard>();
    let email = move || {
        dashboard
            .me
            .with(|m| m.as_ref().and_then(|m| m.email.clone()).unwrap_or_default())
    };
    let standing = move || {
        if dashboard.is_admin() {
            "Administrator"
        } else {
            "Site member"
        }
    };
    let signing_out = RwSignal::new(false);
    let sign_out = move |_| {
        signing_out.set(true);
        spawn_local(async move {
            let outcome = client::send_empty("POST", "/v1/admin/logout").await;
            signing_out.set(false);
            match outcome {
                Ok(()) => {
                    dashboard.me.set(None);
                    dashboard.signed_out_because.set(Some("You signed out.".into()));
                    dashboard.phase.set(Phase::SignedOut);
                }
                Err(failure) if dashboard.session_over(&failure) => {}
                Err(failure) => dashboard.status.set(format!("Signing out failed: {}", failure.message)),
            }
        });
    };
    let current =
        move |section: &'static str| move || (dashboard.route.with(|r| r.section()) == section).then_some("page");
    view! {
        <a class="ad-skip" href="#ad-main">"Skip to the content"</a>
        <header class="ad-header">
            <a class="ad-brand" href="#/sites">"Assent"</a>
            <nav class="ad-nav" aria-label="Dashboard">
                <a href="#/sites" aria-current=current("sites") data-test="nav-sites">"Sites"</a>
                {move || dashboard.is_admin().then(|| view! {
                    <a href="#/audit" aria-current=current("audit") data-test="nav-audit">"Audit log"</a>
                })}
                <a href="#/account" aria-current=current("account") data-test="nav-account">"Account"</a>
            </nav>
            <div class="ad-who">
                <span class="ad-email" data-test="signed-in-as">{email}</span>
                <span class="ad-pill" data-test="standing">{standing}</span>
                <button type="button" class="ad-btn ad-btn--quiet" data-test="sign-out" on:click=sign_out disabled=move || signing_out.get()>
                    "Sign out"
                </button>
            </div>
        </header>
        <main class="ad-main" id="ad-main" tabindex="-1">
            {move || match dashboard.route.get() {
                Route::Sites => view! { <sites::SiteList /> }.into_any(),
                Route::NewSite => view! { <sites::NewSite /> }.into_any(),
                Route::Site(id) => view! { <site::SitePage id=id /> }.into_any(),
                Route::SiteStats(id) => view! { <stats::StatsPage id=id /> }.into_any(),
                Route::SiteNotice(id) => view! { <notice::NoticePage id=id /> }.into_any(),
                Route::SiteLedger(id) => view! { <ledger::LedgerPage id=id /> }.into_any(),
                Route::SiteSubjects(id) => view! { <subjects::SubjectsPage id=id /> }.into_any(),
                Route::SiteAudit(id) => view! { <audit::SiteAuditPage id=id /> }.into_any(),
                Route::SiteWebhooks(id) => view! { <webhooks::WebhooksPage id=id /> }.into_any(),
                Route::Audit => view! { <audit::InstanceAuditPage /> }.into_any(),
                Route::Account => view! { <account::Account /> }.into_any(),
            }}
        </main>
    }
}

/// Why a session cannot last on this page: its address is not a secure context.
pub const PLAIN_HTTP: &str = "This page was opened over plain HTTP. Browsers keep Assent's session cookie (it is \
     Secure) only over HTTPS or on localhost, so a sign-in here ends at once. Open the dashboard over HTTPS.";

/// Whether the page is not a secure context (plain HTTP on a host other than localhost),
/// where the browser drops the `Secure` session cookie.
pub fn plain_http() -> bool {
    web_sys::window().is_some_and(|w| !w.is_secure_context())
}
