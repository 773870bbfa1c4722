//! The audit log of admin actions (DESIGN, "Site owners"): who did what, when, from where —
//! one site's entries (`GET /v1/admin/sites/{site}/audit`, viewer) or, for an instance
//! administrator, the whole instance's (`GET /v1/admin/audit`). Newest first, filtered by
//! action and days, a page at a time (the API pages backwards with `before`).

use super::Dashboard;
use super::client::{self, Failure};
use super::form::{FailureNote, Field, attempt};
use super::site::{SiteTabs, site_path};
use assent_shared::admin_api::AuditEntry;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Entries per page (the API allows up to 500).
const PAGE: usize = 50;

/// One site's audit log.
#[component]
pub fn SiteAuditPage(id: String) -> impl IntoView {
    view! {
        <SiteTabs id=id.clone() current="audit" />
        <h1 class="ad-title" tabindex="-1">"Audit log"</h1>
        <p class="ad-muted">"Every action taken on this site through the dashboard, the admin API, the command line or the site's backend: changes, exports, lookups, erasures. Append-only and hash-chained like the ledger."</p>
        <AuditLog path=format!("{}/audit", site_path(&id)) instance=false />
    }
}

/// The whole instance's audit log (administrators).
#[component]
pub fn InstanceAuditPage() -> impl IntoView {
    let dashboard = expect_context::<Dashboard>();
    view! {
        <h1 class="ad-title" tabindex="-1">"Audit log"</h1>
        {if dashboard.is_admin() {
            view! {
                <p class="ad-muted">"Every admin action on this instance — sign-ins, accounts, roles, sites — across all sites. Append-only and hash-chained like the ledger."</p>
                <AuditLog path="/v1/admin/audit".to_owned() instance=true />
            }.into_any()
        } else {
            view! { <p class="ad-note" data-test="admins-only">"The whole instance's log is for administrators. Each site's own log is under its Audit log tab."</p> }.into_any()
        }}
    }
}

/// The entries of `path`, with filters and older pages; `instance` adds each entry's site.
#[component]
fn AuditLog(path: String, instance: bool) -> impl IntoView {
    let dashboard = expect_context::<Dashboard>();
    let action = RwSignal::new(String::new());
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let entries = RwSignal::new(Vec::<AuditEntry>::new());
    // Whether the last page was full, so an older one may exist.
    let more = RwSignal::new(false);
    let loaded = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let failure = RwSignal::new(None::<Failure>);
    let fetch = move |older: bool| {
        let mut query = vec![format!("limit={PAGE}")];
        for (name, value) in [("action", action), ("from", from), ("to", to)] {
            let value = value.get_untracked().trim().to_owned();
            if !value.is_empty() {
                query.push(format!("{name}={}", js_sys::encode_uri_component(&value)));
            }
        }
        let before = entries.with_untracked(|e| e.last().map(|e| e.seq));
        if let (true, Some(before)) = (older, before) {
            query.push(format!("before={before}"));
        }
        let url = format!("{path}?{}", query.join("&"));
        busy.set(true);
        spawn_local(async move {
            let page = attempt(dashboard, failure, client::get::<Vec<AuditEntry>>(&url)).await;
            busy.set(false);
            if let Some(page) = page {
                more.set(page.len() == PAGE);
                if older {
                    entries.update(|e| e.extend(page));
                } else {
                    entries.set(page);
                }
                loaded.set(true);
            }
        });
    };
    fetch(false);
    let submit = {
        let fetch = fetch.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            fetch(false);
        }
    };
    view! {
        <form class="ad-card ad-filters" on:submit=submit novalidate=true data-test="audit-filters">
            <div class="ad-filter-fields">
                <Field id="audit-action" label="Action" value=action field="action" failure=failure
                    hint="For example export, subject_lookup, subject_erase, webhook_change." />
                <Field id="audit-from" label="From" value=from kind="date" field="from" failure=failure />
                <Field id="audit-to" label="Until, not including" value=to kind="date" field="to" failure=failure />
            </div>
            <FailureNote failure=failure what="The audit log could not be read." />
            <div class="ad-actions">
                <button type="submit" class="ad-btn ad-btn--primary" data-test="audit-show" disabled=move || busy.get()>"Show"</button>
            </div>
        </form>
        {move || (busy.get() && !loaded.get()).then(|| view! { <p class="ad-note" role="status" data-test="loading">"Loading the audit log…"</p> })}
        <Show when=move || loaded.get()>
            {move || if entries.with(Vec::is_empty) {
                view! { <p class="ad-note" data-test="audit-empty">"No entry matches."</p> }.into_any()
            } else {
                view! {
                    <div class="ad-scroll" role="region" aria-label="Audit entries" tabindex="0">
                        <table class="ad-table" data-test="audit-table">
                            <caption>"Newest first"</caption>
                            <thead><tr>
                                <th scope="col">"#"</th><th scope="col">"When (UTC)"</th><th scope="col">"Who"</th>
                                <th scope="col">"Action"</th>
                                {instance.then(|| view! { <th scope="col">"Site"</th> })}
                                <th scope="col">"Details"</th><th scope="col">"From"</th>
                            </tr></thead>
                            <tbody>
                                {entries.get().into_iter().map(|e| {
                                    let facts = details(&e);
                                    let action = e.action.clone();
                                    view! {
                                    <tr data-test="audit-entry" data-action=action>
                                        <th scope="row">{e.seq.to_string()}</th>
                                        <td>{e.at}</td>
                                        <td>{e.actor}</td>
                                        <td><code>{e.action}</code></td>
                                        {instance.then(|| view! { <td>{e.site_id.unwrap_or_default()}</td> })}
                                        <td><code>{facts}</code></td>
                                        <td>{e.client_ip.unwrap_or_default()}</td>
                                    </tr>
                                }}).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
            {
                let fetch = fetch.clone();
                move || more.get().then(|| {
                    let fetch = fetch.clone();
                    view! {
                        <div class="ad-actions">
                            <button type="button" class="ad-btn" data-test="audit-older" disabled=move || busy.get() on:click=move |_| fetch(true)>
                                {move || if busy.get() { "Loading…" } else { "Older entries" }}
                            </button>
                        </div>
                    }
                })
            }
        </Show>
    }
}

/// An entry's details as compact `key: value` pairs (`null`s left out).
fn details(entry: &AuditEntry) -> String {
    match entry.details.as_object() {
        Some(fields) => fields
            .iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| match v.as_str() {
                Some(s) => format!("{k}: {s}"),
                None => format!("{k}: {v}"),
            })
            .collect::<Vec<_>>()
            .join(", "),
        None => entry.details.to_string(),
    }
}
