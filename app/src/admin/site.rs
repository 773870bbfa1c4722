//! One site (`GET /v1/admin/sites/{site}`): how to install the banner, its name and origins,
//! its regime overrides ([`super::regimes`]) and its secret. An owner changes them
//! (`PATCH …`, `POST …/secret`); a viewer reads them, and sees no control that would write.

use super::client::{self, Failure};
use super::form::{CopyButton, FailureNote, Field, attempt};
use super::regimes::Regimes;
use super::route::Route;
use super::sites::lines;
use super::{Dashboard, Load, Pending, load};
use assent_shared::admin_api::{Install, RotateSecret, SecretRotated, SitePatch, SiteView};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// How long previous secrets keep working after a rotation unless told otherwise (the
/// server's default), in hours.
const DEFAULT_OVERLAP_HOURS: u32 = 24;

/// The path of a site in the admin API.
pub fn site_path(id: &str) -> String {
    format!("/v1/admin/sites/{}", js_sys::encode_uri_component(id))
}

#[component]
pub fn SitePage(id: String) -> impl IntoView {
    let dashboard = expect_context::<Dashboard>();
    let site = RwSignal::new(Load::<SiteView>::Loading);
    // The heading stays the same element while the site loads, so focus moved to it stays.
    let title = RwSignal::new(id.clone());
    let path = site_path(&id);
    let reload = move || load(dashboard, path.clone(), site);
    reload();
    let retry = Callback::new(move |()| reload());
    view! {
        <SiteTabs id=id.clone() current="settings" />
        <h1 class="ad-title" tabindex="-1" data-test="site-title">{move || title.get()}</h1>
        {move || match site.get() {
            Load::Loading => view! { <Pending what="site" failure=None retry=retry /> }.into_any(),
            Load::Failed(f) => view! { <Pending what="site" failure=Some(f) retry=retry /> }.into_any(),
            Load::Ready(loaded) => {
                title.set(loaded.name.clone());
                view! { <SiteScreen site=loaded title=title /> }.into_any()
            }
        }}
    }
}

/// The site once read. A save updates only what shows the saved values (the forms keep their
/// elements, so focus stays where the person is).
#[component]
fn SiteScreen(site: SiteView, title: RwSignal<String>) -> impl IntoView {
    let dashboard = expect_context::<Dashboard>();
    let owner = dashboard.owns(&site.id);
    let role = if owner { "Owner" } else { "Viewer" };
    let on_saved = Callback::new(move |saved: SiteView| title.set(saved.name));
    view! {
        <div class="ad-pills ad-site-facts">
            <code>{site.id.clone()}</code>
            {site.archived.then(|| view! { <span class="ad-pill">"Archived"</span> })}
            <span class="ad-pill" data-test="role">{role}</span>
        </div>
        {site.starter_notice.then(|| view! {
            <p class="ad-note ad-note--warn" data-test="starter-notice">
                "This site still shows the starter notice. Review its purposes and texts before the site goes live."
            </p>
        })}
        <InstallPanel install=site.install.clone() />
        <Details site=site.clone() owner=owner on_saved=on_saved />
        <Regimes site=site.clone() owner=owner on_saved=on_saved />
        {owner.then(|| view! { <Secret site=site.id.clone() /> })}
    }
}

/// The site's screens, as tabs (links: each has its own address).
#[component]
pub fn SiteTabs(id: String, current: &'static str) -> impl IntoView {
    let tab = |href: String, name: &'static str, label: &'static str| {
        view! {
            <a href=href aria-current=(current == name).then_some("page") data-test=format!("tab-{name}")>{label}</a>
        }
    };
    view! {
        <nav class="ad-tabs" aria-label="This site">
            <a href=Route::Sites.href() class="ad-back">"All sites"</a>
            {tab(Route::Site(id.clone()).href(), "settings", "Settings")}
            {tab(Route::SiteNotice(id.clone()).href(), "notice", "Notice")}
            {tab(Route::SiteStats(id.clone()).href(), "stats", "Statistics")}
            {tab(Route::SiteLedger(id.clone()).href(), "ledger", "Ledger")}
            {tab(Route::SiteSubjects(id.clone()).href(), "subjects", "Data subjects")}
            {tab(Route::SiteAudit(id.clone()).href(), "audit", "Audit log")}
            {tab(Route::SiteWebhooks(id).href(), "webhooks", "Webhooks")}
        </nav>
    }
}

/// The script tag and the Content-Security-Policy lines, to copy.
#[component]
pub fn InstallPanel(install: Install) -> impl IntoView {
    let tag = install.script_tag.clone();
    let csp = install.csp.join("\n");
    let tag_text = Signal::derive({
        let tag = tag.clone();
        move || tag.clone()
    });
    let csp_text = Signal::derive({
        let csp = csp.clone();
        move || csp.clone()
    });
    view! {
        <section class="ad-card" aria-labelledby="install-heading" data-test="install">
            <h2 class="ad-h2" id="install-heading">"Install"</h2>
            <p>"Paste this tag first in the " <code>"<head>"</code> " of every page of the site, before any other script:"</p>
            <pre class="ad-code" data-test="script-tag"><code>{tag}</code></pre>
            <div class="ad-actions">
                <CopyButton text=tag_text label="Copy the script tag" test="copy-script-tag" />
            </div>
            <p>"If the site sends a Content-Security-Policy, add these sources to it:"</p>
            <pre class="ad-code" data-test="csp"><code>{csp}</code></pre>
            <div class="ad-actions">
                <CopyButton text=csp_text label="Copy the CSP lines" test="copy-csp" />
            </div>
        </section>
    }
}

/// A secret, shown this once, with what to do with it.
#[component]
pub fn SecretShown(secret: String, until: Option<String>) -> impl IntoView {
    let text = Signal::derive({
        let secret = secret.clone();
        move || secret.clone()
    });
    view! {
        <section class="ad-card ad-card--secret" aria-labelledby="secret-shown-heading" data-test="secret-shown">
            <h2 class="ad-h2" id="secret-shown-heading">"The site secret, shown this once"</h2>
            <p>"The site's backend sends it to Assent for server-to-server calls (linking accounts, privacy-settings links). Store it in the backend's configuration now: Assent keeps only its hash, so it cannot be shown again, only replaced."</p>
            <pre class="ad-code" data-test="secret"><code>{secret}</code></pre>
            {until.map(|until| view! { <p class="ad-muted" data-test="previous-until">{format!("The previous secret keeps working until {until}.")}</p> })}
            <div class="ad-actions">
                <CopyButton text=text label="Copy the secret" test="copy-secret" />
            </div>
        </section>
    }
}

/// The site's name and origins: a form for an owner, a list for a viewer.
#[component]
fn Details(site: SiteView, owner: bool, on_saved: Callback<SiteView>) -> impl IntoView {
    if !owner {
        let origins = site.origins.clone();
        return view! {
            <section class="ad-card" aria-labelledby="details-heading" data-test="details">
                <h2 class="ad-h2" id="details-heading">"Name and origins"</h2>
                <dl class="ad-facts">
                    <dt>"Name"</dt><dd>{site.name.clone()}</dd>
                    <dt>"Origins"</dt>
                    <dd>
                        {if origins.is_empty() {
                            view! { <span>"None registered"</span> }.into_any()
                        } else {
                            view! { <ul class="ad-plain">{origins.into_iter().map(|o| view! { <li><code>{o}</code></li> }).collect_view()}</ul> }.into_any()
                        }}
                    </dd>
                </dl>
            </section>
        }
        .into_any();
    }
    let dashboard = expect_context::<Dashboard>();
    let name = RwSignal::new(site.name.clone());
    let origins = RwSignal::new(site.origins.join("\n"));
    let failure = RwSignal::new(None::<Failure>);
    let busy = RwSignal::new(false);
    let path = site_path(&site.id);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        let patch = SitePatch {
            name: Some(name.get_untracked().trim().to_owned()),
            origins: Some(lines(&origins.get_untracked())),
            regime_overrides: None,
        };
        let path = path.clone();
        spawn_local(async move {
            let saved = attempt(dashboard, failure, client::send::<SiteView, _>("PATCH", &path, &patch)).await;
            busy.set(false);
            if let Some(saved) = saved {
                // As the server keeps them (trimmed, duplicates gone).
                name.set(saved.name.clone());
                origins.set(saved.origins.join("\n"));
                dashboard.status.set("Name and origins saved.".into());
                on_saved.run(saved);
            }
        });
    };
    view! {
        <section class="ad-card" aria-labelledby="details-heading" data-test="details">
            <h2 class="ad-h2" id="details-heading">"Name and origins"</h2>
            <form class="ad-form" on:submit=submit novalidate=true>
                <Field id="edit-name" label="Name" value=name field="name" failure=failure required=true />
                <Field id="edit-origins" label="Origins" value=origins field="origins" failure=failure rows=4
                    hint="One per line. Only pages on these origins can show the banner and record choices." />
                <FailureNote failure=failure what="The changes were not saved." />
                <div class="ad-actions">
                    <button type="submit" class="ad-btn ad-btn--primary" data-test="save-details" disabled=move || busy.get()>
                        {move || if busy.get() { "Saving…" } else { "Save name and origins" }}
                    </button>
                </div>
            </form>
        </section>
    }
    .into_any()
}

/// Rotating the site secret: previous secrets keep working for the overlap, so the backend
/// can switch without an outage.
#[component]
fn Secret(site: String) -> impl IntoView {
    let dashboard = expect_context::<Dashboard>();
    let overlap = RwSignal::new(DEFAULT_OVERLAP_HOURS.to_string());
    let confirming = RwSignal::new(false);
    let failure = RwSignal::new(None::<Failure>);
    let busy = RwSignal::new(false);
    let rotated = RwSignal::new(None::<SecretRotated>);
    // The button pressed is replaced: focus goes to what replaced it, not to the page.
    let ask_button = NodeRef::<leptos::html::Button>::new();
    let confirm_button = NodeRef::<leptos::html::Button>::new();
    let ask = move |confirm: bool| {
        confirming.set(confirm);
        request_animation_frame(move || {
            let target = if confirm { confirm_button } else { ask_button };
            if let Some(button) = target.get_untracked() {
                let _ = button.focus();
            }
        });
    };
    let path = format!("{}/secret", site_path(&site));
    let rotate = move |_| {
        busy.set(true);
        let hours = overlap.get_untracked().trim().parse::<u32>().ok();
        let request = RotateSecret { overlap_hours: hours };
        let path = path.clone();
        spawn_local(async move {
            let answer = attempt(
                dashboard,
                failure,
                client::send::<SecretRotated, _>("POST", &path, &request),
            )
            .await;
            busy.set(false);
            if let Some(answer) = answer {
                confirming.set(false);
                dashboard
                    .status
                    .set("A new secret was made. Copy it now: it is shown this once.".into());
                rotated.set(Some(answer));
            }
        });
    };
    view! {
        <section class="ad-card" aria-labelledby="secret-heading" data-test="secret-section">
            <h2 class="ad-h2" id="secret-heading">"Site secret"</h2>
            <p>"The site's backend proves itself with this secret. Rotate it if it may have leaked, or on a schedule; the previous one keeps working for the overlap, so the backend can switch without an outage."</p>
            <Field id="overlap-hours" label="Overlap, in hours (0 to 720)" value=overlap kind="number" field="overlap_hours" failure=failure />
            <FailureNote failure=failure what="The secret was not rotated." />
            <Show when=move || confirming.get() fallback=move || view! {
                <div class="ad-actions">
                    <button type="button" class="ad-btn ad-btn--danger" data-test="rotate-secret" node_ref=ask_button on:click=move |_| ask(true)>"Rotate the secret"</button>
                </div>
            }>
                <div class="ad-confirm" role="group" aria-labelledby="rotate-question">
                    <p id="rotate-question" class="ad-strong">
                        {move || format!("Make a new secret? The current one stops working {} hours from now.", overlap.get().trim())}
                    </p>
                    <div class="ad-actions">
                        <button type="button" class="ad-btn ad-btn--danger" data-test="rotate-confirm" node_ref=confirm_button disabled=move || busy.get() on:click=rotate.clone()>
                            {move || if busy.get() { "Rotating…" } else { "Rotate now" }}
                        </button>
                        <button type="button" class="ad-btn" data-test="rotate-cancel" on:click=move |_| ask(false)>"Cancel"</button>
                    </div>
                </div>
            </Show>
        </section>
        {move || rotated.get().map(|r| view! { <SecretShown secret=r.secret until=Some(r.previous_valid_until) /> })}
    }
}
