//! The sites a person has a role on (`GET /v1/admin/sites`), and registering a new one
//! (`POST /v1/admin/sites`, administrators), whose secret is shown once, right after.

use super::client::{self, Failure};
use super::form::{FailureNote, Field, attempt};
use super::route::Route;
use super::site::{InstallPanel, SecretShown};
use super::{Dashboard, Load, Pending, load};
use assent_shared::admin_api::{NewSite as NewSiteBody, Role, SiteCreated, SiteView};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The lines of a text area, trimmed, blank ones left out (origins are typed one per line).
pub fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

#[component]
pub fn SiteList() -> impl IntoView {
    let dashboard = expect_context::<Dashboard>();
    let sites = RwSignal::new(Load::<Vec<SiteView>>::Loading);
    let reload = move || load(dashboard, "/v1/admin/sites".into(), sites);
    reload();
    view! {
        <div class="ad-heading-row">
            <h1 class="ad-title" tabindex="-1">"Sites"</h1>
            <Show when=move || dashboard.is_admin()>
                <a class="ad-btn ad-btn--primary" href=Route::NewSite.href() data-test="new-site">"Register a site"</a>
            </Show>
        </div>
        {move || match sites.get() {
            Load::Loading => view! { <Pending what="sites" failure=None retry=Callback::new(move |()| reload()) /> }.into_any(),
            Load::Failed(f) => view! { <Pending what="sites" failure=Some(f) retry=Callback::new(move |()| reload()) /> }.into_any(),
            Load::Ready(list) if list.is_empty() => view! {
                <p class="ad-note" data-test="no-sites">
                    {if dashboard.is_admin() {
                        "No site is registered yet. Register the first one: you will get the script tag to paste into its pages."
                    } else {
                        "You have no role on any site yet. An administrator can give you one."
                    }}
                </p>
            }.into_any(),
            Load::Ready(list) => view! {
                <ul class="ad-list" data-test="site-list">
                    {list.into_iter().map(|site| view! { <SiteRow site=site /> }).collect_view()}
                </ul>
            }.into_any(),
        }}
    }
}

#[component]
fn SiteRow(site: SiteView) -> impl IntoView {
    let dashboard = expect_context::<Dashboard>();
    let role = dashboard.role_on(&site.id);
    let origins = if site.origins.is_empty() {
        "No origin registered yet".to_owned()
    } else {
        site.origins.join(", ")
    };
    view! {
        <li class="ad-card ad-row" data-test=format!("site-{}", site.id)>
            <div class="ad-row__main">
                <a class="ad-row__title" href=Route::Site(site.id.clone()).href()>{site.name.clone()}</a>
                <p class="ad-muted"><code>{site.id.clone()}</code> " · " {origins}</p>
            </div>
            <div class="ad-pills">
                {site.archived.then(|| view! { <span class="ad-pill">"Archived"</span> })}
                {site.starter_notice.then(|| view! { <span class="ad-pill ad-pill--warn">"Starter notice"</span> })}
                <span class="ad-pill">{match role { Some(Role::Owner) => "Owner", Some(Role::Viewer) => "Viewer", None => "" }}</span>
            </div>
        </li>
    }
}

#[component]
pub fn NewSite() -> impl IntoView {
    let dashboard = expect_context::<Dashboard>();
    let id = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let origins = RwSignal::new(String::new());
    let policy = RwSignal::new(String::new());
    let failure = RwSignal::new(None::<Failure>);
    let busy = RwSignal::new(false);
    let created = RwSignal::new(None::<SiteCreated>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        let policy_url = policy.get_untracked().trim().to_owned();
        let body = NewSiteBody {
            id: id.get_untracked().trim().to_owned(),
            name: name.get_untracked().trim().to_owned(),
            origins: lines(&origins.get_untracked()),
            policy_url: (!policy_url.is_empty()).then_some(policy_url),
            regime_overrides: Default::default(),
        };
        spawn_local(async move {
            let answer = attempt(
                dashboard,
                failure,
                client::send::<SiteCreated, _>("POST", "/v1/admin/sites", &body),
            )
            .await;
            busy.set(false);
            if let Some(answer) = answer {
                dashboard.status.set(format!("Site {} registered.", answer.site.id));
                created.set(Some(answer));
                // An administrator's roles are unchanged; the list reads the new site itself.
                request_animation_frame(super::route::focus_heading);
            }
        });
    };
    view! {
        {move || match created.get() {
            Some(done) => view! { <Registered created=done /> }.into_any(),
            None => view! {
                <h1 class="ad-title" tabindex="-1">"Register a site"</h1>
                <Show when=move || dashboard.is_admin() fallback=|| view! {
                    <p class="ad-note" data-test="not-allowed">"Only an administrator can register a site."</p>
                }>
                    <form class="ad-form ad-card" on:submit=submit novalidate=true data-test="new-site-form">
                        <Field id="site-id" label="Site id" value=id field="id" failure=failure required=true
                            hint="Used in the script tag and the API: lower-case letters, digits and hyphens, e.g. shop or shop-eu. It cannot change later." />
                        <Field id="site-name" label="Name" value=name field="name" failure=failure required=true
                            hint="How the banner and this dashboard name the site." />
                        <Field id="site-origins" label="Origins" value=origins field="origins" failure=failure rows=3
                            hint="Where the site's pages are served from, one per line: https://shop.example, or https://*.shop.example for every subdomain." />
                        <Field id="site-policy" label="Privacy policy address (optional)" value=policy field="policy_url" failure=failure
                            hint="Linked from the banner. Default: /privacy on the site." />
                        <FailureNote failure=failure what="The site was not registered." />
                        <div class="ad-actions">
                            <button type="submit" class="ad-btn ad-btn--primary" data-test="create-site" disabled=move || busy.get()>
                                {move || if busy.get() { "Registering…" } else { "Register the site" }}
                            </button>
                            <a class="ad-btn" href=Route::Sites.href()>"Cancel"</a>
                        </div>
                    </form>
                </Show>
            }.into_any(),
        }}
    }
}

/// Right after registering: the secret (this once) and how to install the banner.
#[component]
fn Registered(created: SiteCreated) -> impl IntoView {
    let site = created.site;
    view! {
        <h1 class="ad-title" tabindex="-1" data-test="site-registered">{format!("{} is registered", site.name)}</h1>
        <p class="ad-muted">
            "It starts with a starter notice: review its purposes and texts before the site goes live."
        </p>
        <SecretShown secret=created.secret until=None />
        <InstallPanel install=site.install.clone() />
        <div class="ad-actions">
            <a class="ad-btn ad-btn--primary" href=Route::Site(site.id.clone()).href() data-test="open-site">"Open the site's settings"</a>
            <a class="ad-btn" href=Route::Sites.href()>"All sites"</a>
        </div>
    }
}
