//! The notice's IAB TCF section: whether the site's banner speaks the Transparency and Consent
//! Framework, and which vendors of the Global Vendor List the site works with (`tcf.vendors`:
//! the vendors disclosed to visitors and written into the TC string's disclosed vendors
//! segment, TCF 2.3), picked from a searchable list of the list in use.

use super::doc::{self, Path};
use super::editor::Editor;
use super::fields::Findings;
use super::tcf_publisher::{Restrictions, Stacks};
use crate::admin::client::Failure;
use crate::admin::site::site_path;
use crate::admin::{Load, Pending, load};
use assent_shared::tcf_api::{GvlVendorCatalog, GvlVendorEntry, vendor_matches};
use leptos::prelude::*;
use serde_json::{Value, json};

/// The TCF section, once the server says whether TCF is on and which list is in use.
#[component]
pub fn Tcf() -> impl IntoView {
    let editor = expect_context::<Editor>();
    let catalog = RwSignal::new(Load::<GvlVendorCatalog>::Loading);
    let path = format!("{}/tcf/vendors", site_path(&editor.site.get_value()));
    let fetch = move || load(editor.dashboard, path.clone(), catalog);
    fetch();
    let retry = Callback::new(move |()| fetch());
    Effect::new(move |_| {
        let shown = catalog.with(|c| match c {
            Load::Failed(f) if f.code == "conflict" => uses_tcf(&editor),
            _ => true,
        });
        editor.tcf_shown.set(shown);
    });
    move || match catalog.get() {
        Load::Loading => view! { <Pending what="Global Vendor List" failure=None retry=retry /> }.into_any(),
        // TCF off on this server: the section is for sites of servers that speak it, unless a
        // draft already has one (then the owner must know why publishing will fail).
        Load::Failed(f) if f.code == "conflict" => uses_tcf(&editor).then(|| view! { <Off failure=f /> }).into_any(),
        Load::Failed(f) => view! {
            <section class="ad-card" aria-labelledby="ne-tcf">
                <h2 class="ad-h" id="ne-tcf">"IAB TCF"</h2>
                <Pending what="Global Vendor List" failure=Some(f) retry=retry />
            </section>
        }
        .into_any(),
        Load::Ready(catalog) => view! { <Section catalog=catalog /> }.into_any(),
    }
}

fn tcf_path() -> Path {
    Path::root().key("tcf")
}

fn vendors_path() -> Path {
    tcf_path().key("vendors")
}

pub(super) fn stacks_path() -> Path {
    tcf_path().key("stacks")
}

pub(super) fn restrictions_path() -> Path {
    tcf_path().key("publisher_restrictions")
}

/// The draft has a TCF section.
fn uses_tcf(editor: &Editor) -> bool {
    !editor.value(&tcf_path()).is_null()
}

/// A draft with a TCF section on a server where TCF is off.
#[component]
fn Off(failure: Failure) -> impl IntoView {
    view! {
        <section class="ad-card" aria-labelledby="ne-tcf">
            <h2 class="ad-h" id="ne-tcf">"IAB TCF"</h2>
            <p class="ad-note ad-note--error" role="alert" data-test="tcf-off">
                {failure.message}" This draft declares TCF vendors, so it cannot be published here."
            </p>
            <Findings name="tcf" />
        </section>
    }
}

/// The switch and, when on, the vendor picker.
#[component]
fn Section(catalog: GvlVendorCatalog) -> impl IntoView {
    let editor = expect_context::<Editor>();
    let version = catalog.vendor_list_version;
    let catalog = StoredValue::new(catalog);
    let chosen = RwSignal::new(ids_of(&editor.value(&vendors_path())));
    let on = RwSignal::new(uses_tcf(&editor));
    let switch = move |ev| {
        let enable = event_target_checked(&ev);
        on.set(enable);
        if enable {
            let vendors: Vec<u16> = chosen.get_untracked();
            editor.write(&tcf_path(), Some(json!({ "vendors": vendors })));
        } else {
            editor.write(&tcf_path(), None);
        }
    };
    view! {
        <section class="ad-card" aria-labelledby="ne-tcf" data-test="tcf-section">
            <h2 class="ad-h" id="ne-tcf">"IAB TCF"</h2>
            <div class="ad-field ad-check">
                <input id="ne-tcf-on" type="checkbox" data-test="tcf-on" disabled=!editor.editable
                    aria-describedby="ne-tcf-on-hint" prop:checked=on.get_untracked() on:change=switch />
                <label for="ne-tcf-on">"Use the IAB Transparency and Consent Framework"</label>
                <p class="ad-hint" id="ne-tcf-on-hint">
                    "For ad-funded sites whose vendors read TC strings. Once published, visitors under the GDPR "
                    "see the banner's TCF layer with these vendors, stacks and restrictions, and vendors on your "
                    "pages read the visitor's TC string through __tcfapi."
                </p>
            </div>
            <Show when=move || on.get()>
                <Picker catalog=catalog chosen=chosen />
                <Stacks catalog=catalog declared=chosen />
                <Restrictions catalog=catalog declared=chosen />
            </Show>
            <p class="ad-hint">{format!("Global Vendor List version {version}.")}</p>
            <Findings name="tcf" />
        </section>
    }
}

/// Ticks (`on`) or unticks `id` in `chosen`, kept in the list's `order` whatever order they
/// were ticked in; returns what is chosen now.
pub fn tick_in_order(chosen: RwSignal<Vec<u16>>, order: Vec<u16>, id: u16, on: bool) -> Vec<u16> {
    let was = chosen.get_untracked();
    let ordered: Vec<u16> = order
        .into_iter()
        .filter(|x| if *x == id { on } else { was.contains(x) })
        .collect();
    chosen.set(ordered.clone());
    ordered
}

/// Takes vendor `id` out of every publisher restriction of the draft `doc`.
fn forget_restricted(doc: &mut Value, id: u16) {
    let restrictions = restrictions_path();
    for i in 0..doc::len(doc, &restrictions) {
        let vendors = restrictions.index(i).key("vendors");
        let kept: Vec<u16> = ids_of(doc::get(doc, &vendors).unwrap_or(&Value::Null))
            .into_iter()
            .filter(|v| *v != id)
            .collect();
        doc::set(doc, &vendors, json!(kept));
    }
}

/// The ids of a draft's array of vendor or stack ids (`tcf.vendors`, `tcf.stacks`), what is
/// not one left out.
pub(super) fn ids_of(value: &Value) -> Vec<u16> {
    value
        .as_array()
        .map(|ids| {
            ids.iter()
                .filter_map(Value::as_u64)
                .filter_map(|id| u16::try_from(id).ok())
                .collect()
        })
        .unwrap_or_default()
}

/// Purpose or feature numbers as a list: `1, 3, 4`.
pub(super) fn numbers(ids: &[u8]) -> String {
    ids.iter().map(u8::to_string).collect::<Vec<_>>().join(", ")
}

/// What a vendor asks for, in words: consent and legitimate-interest purposes by number,
/// special features by name.
fn asks(vendor: &GvlVendorEntry, catalog: &GvlVendorCatalog) -> String {
    let mut parts = Vec::new();
    if !vendor.purposes.is_empty() {
        parts.push(format!("consent: purposes {}", numbers(&vendor.purposes)));
    }
    if !vendor.leg_int_purposes.is_empty() {
        parts.push(format!(
            "legitimate interest: purposes {}",
            numbers(&vendor.leg_int_purposes)
        ));
    }
    for id in &vendor.special_features {
        let name = catalog.special_features.iter().find(|f| f.id == *id);
        parts.push(name.map_or_else(|| format!("special feature {id}"), |f| f.name.clone()));
    }
    if parts.is_empty() {
        "no purposes".into()
    } else {
        parts.join(" · ")
    }
}

/// The searchable list: a vendor is declared by ticking it; the order kept is the list's.
#[component]
fn Picker(catalog: StoredValue<GvlVendorCatalog>, chosen: RwSignal<Vec<u16>>) -> impl IntoView {
    let editor = expect_context::<Editor>();
    let query = RwSignal::new(String::new());
    let total = catalog.with_value(|cat| cat.vendors.iter().filter(|v| !v.deleted).count());
    let toggle = Callback::new(move |(id, tick): (u16, bool)| {
        let order = catalog.with_value(|cat| cat.vendors.iter().map(|v| v.id).collect());
        let ordered = tick_in_order(chosen, order, id, tick);
        if tick {
            editor.write(&vendors_path(), Some(json!(ordered)));
        } else {
            // A vendor no longer declared leaves the restrictions that named it too (they may
            // only name declared vendors): the restrictions are drawn again from the draft.
            editor.restructure(|d| {
                doc::set(d, &vendors_path(), json!(ordered));
                forget_restricted(d, id);
            });
        }
    });
    let summary = move || {
        let n = chosen.with(Vec::len);
        format!("{n} of {total} vendors declared")
    };
    view! {
        <details class="ad-numbers" data-test="tcf-purposes">
            <summary>"The TCF purposes by number"</summary>
            <ul class="ad-plain">
                {catalog.with_value(|cat| {
                    cat.purposes
                        .iter()
                        .map(|p| view! { <li>{format!("{}. {}", p.id, p.name)}</li> })
                        .collect_view()
                })}
            </ul>
        </details>
        <div class="ad-field">
            <label class="ad-label" for="ne-tcf-search">"Find a vendor"</label>
            <input id="ne-tcf-search" class="ad-input" type="search" data-test="tcf-search"
                aria-describedby="ne-tcf-count" autocomplete="off"
                on:input=move |ev| query.set(event_target_value(&ev)) />
            <p class="ad-hint" id="ne-tcf-count" role="status" data-test="tcf-count">{summary}</p>
            <Findings name="tcf.vendors" nested=true />
        </div>
        <fieldset class="ad-field ad-vendors" data-test="tcf-vendors">
            <legend class="ad-label">"Vendors the site works with"</legend>
            <ul class="ad-plain ad-vendor-list">
                {move || {
                    let q = query.get();
                    catalog.with_value(|cat| {
                        cat.vendors
                            .iter()
                            .filter(|v| vendor_matches(v.id, &v.name, &q))
                            .map(|v| vendor_row(v, cat, chosen, toggle, editor.editable))
                            .collect_view()
                    })
                }}
            </ul>
        </fieldset>
    }
}

fn vendor_row(
    vendor: &GvlVendorEntry,
    catalog: &GvlVendorCatalog,
    chosen: RwSignal<Vec<u16>>,
    toggle: Callback<(u16, bool)>,
    editable: bool,
) -> impl IntoView + use<> {
    let id = vendor.id;
    let dom = format!("ne-tcf-vendor-{id}");
    let ticked = move || chosen.with(|c| c.contains(&id));
    let deleted = vendor.deleted;
    // A deleted vendor cannot be declared; one already declared can still be taken out.
    let disabled = move || !editable || (deleted && !ticked());
    let asks = asks(vendor, catalog);
    let name = vendor.name.clone();
    let policy = vendor.privacy_url.clone();
    view! {
        <li class="ad-check ad-vendor">
            <input id=dom.clone() type="checkbox" data-test=dom.clone() prop:checked=ticked
                disabled=disabled aria-describedby=format!("{dom}-asks")
                on:change=move |ev| toggle.run((id, event_target_checked(&ev))) />
            <label for=dom.clone()>{name}" "<span class="ad-muted">{format!("(id {id})")}</span></label>
            <p class="ad-hint" id=format!("{dom}-asks")>
                {asks}
                {deleted.then_some(" · deleted from the list: it cannot be declared")}
                {policy.map(|url| view! { " · " <a href=url rel="noopener noreferrer" target="_blank">"privacy policy"</a> })}
            </p>
        </li>
    }
}
