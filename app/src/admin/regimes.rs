//! A site's regime overrides (`PATCH /v1/admin/sites/{site}` with `regime_overrides`):
//! region → regime, over the built-in rules (DESIGN, "Purposes, legal bases and regimes").

use super::Dashboard;
use super::client::{self, Failure};
use super::form::{FailureNote, attempt};
use super::site::site_path;
use assent_shared::admin_api::{SitePatch, SiteView};
use assent_shared::regime::Regime;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::collections::BTreeMap;

const REGIMES: [Regime; 3] = [Regime::OptIn, Regime::OptOut, Regime::Notice];

/// What a regime means, in a few words.
pub fn regime_label(regime: Regime) -> &'static str {
    match regime {
        Regime::OptIn => "Opt-in: nothing optional before a choice",
        Regime::OptOut => "Opt-out: on until refused; GPC opts out",
        Regime::Notice => "Notice: inform only",
    }
}

/// One row of the editor.
#[derive(Debug, Clone, Copy)]
struct Row {
    key: usize,
    region: RwSignal<String>,
    regime: RwSignal<Regime>,
}

fn rows_of(overrides: &BTreeMap<String, Regime>, next: &mut usize) -> Vec<Row> {
    overrides
        .iter()
        .map(|(region, regime)| {
            *next += 1;
            Row {
                key: *next,
                region: RwSignal::new(region.clone()),
                regime: RwSignal::new(*regime),
            }
        })
        .collect()
}

#[component]
pub fn Regimes(site: SiteView, owner: bool, on_saved: Callback<SiteView>) -> impl IntoView {
    let intro = view! {
        <p>"Assent applies each visitor's regime from where they are: opt-in in the EEA, the UK, Switzerland, Brazil, Korea and Quebec, opt-out in US states with opt-out rights, notice elsewhere. An override replaces that for a region: a country (" <code>"US"</code> "), a subdivision (" <code>"US-CA"</code> ") or " <code>"*"</code> " for everywhere else."</p>
    };
    if !owner {
        let overrides = site.regime_overrides.clone();
        return view! {
            <section class="ad-card" aria-labelledby="regimes-heading" data-test="regimes">
                <h2 class="ad-h2" id="regimes-heading">"Regimes"</h2>
                {intro}
                {if overrides.is_empty() {
                    view! { <p class="ad-note" data-test="no-overrides">"No override: the built-in rules apply everywhere."</p> }.into_any()
                } else {
                    view! {
                        <table class="ad-table">
                            <thead><tr><th scope="col">"Region"</th><th scope="col">"Regime"</th></tr></thead>
                            <tbody>
                                {overrides.into_iter().map(|(region, regime)| view! {
                                    <tr><td><code>{region}</code></td><td>{regime_label(regime)}</td></tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any()
                }}
            </section>
        }
        .into_any();
    }
    let dashboard = expect_context::<Dashboard>();
    let next = StoredValue::new(0usize);
    let rows = RwSignal::new(
        next.try_update_value(|n| rows_of(&site.regime_overrides, n))
            .unwrap_or_default(),
    );
    let failure = RwSignal::new(None::<Failure>);
    let busy = RwSignal::new(false);
    let path = site_path(&site.id);
    let add = move |_| {
        let key = next.try_update_value(|n| {
            *n += 1;
            *n
        });
        let row = Row {
            key: key.unwrap_or_default(),
            region: RwSignal::new(String::new()),
            regime: RwSignal::new(Regime::OptIn),
        };
        rows.update(|r| r.push(row));
        // The new row's region is where the person types next.
        request_animation_frame(move || focus(&format!("region-{}", row.key)));
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        let overrides: BTreeMap<String, Regime> = rows
            .get_untracked()
            .iter()
            .map(|r| (r.region.get_untracked().trim().to_owned(), r.regime.get_untracked()))
            .filter(|(region, _)| !region.is_empty())
            .collect();
        let patch = SitePatch {
            regime_overrides: Some(overrides),
            ..SitePatch::default()
        };
        let path = path.clone();
        spawn_local(async move {
            let saved = attempt(dashboard, failure, client::send::<SiteView, _>("PATCH", &path, &patch)).await;
            busy.set(false);
            if let Some(saved) = saved {
                // The server's spelling (upper case), in the rows too.
                rows.set(
                    next.try_update_value(|n| rows_of(&saved.regime_overrides, n))
                        .unwrap_or_default(),
                );
                dashboard.status.set("Regimes saved.".into());
                on_saved.run(saved);
            }
        });
    };
    view! {
        <section class="ad-card" aria-labelledby="regimes-heading" data-test="regimes">
            <h2 class="ad-h2" id="regimes-heading">"Regimes"</h2>
            {intro}
            <form class="ad-form" on:submit=submit novalidate=true>
                <Show when=move || rows.with(Vec::is_empty)>
                    <p class="ad-note" data-test="no-overrides">"No override: the built-in rules apply everywhere."</p>
                </Show>
                <ul class="ad-plain ad-regimes">
                    <For each=move || rows.get() key=|row| row.key let:row>
                        <RegimeRow row=row failure=failure on_remove=Callback::new(move |key: usize| {
                            rows.update(|r| r.retain(|row| row.key != key));
                        }) />
                    </For>
                </ul>
                <FailureNote failure=failure what="The regimes were not saved." />
                <div class="ad-actions">
                    <button type="button" class="ad-btn" data-test="add-regime" on:click=add>"Add a region"</button>
                    <button type="submit" class="ad-btn ad-btn--primary" data-test="save-regimes" disabled=move || busy.get()>
                        {move || if busy.get() { "Saving…" } else { "Save regimes" }}
                    </button>
                </div>
            </form>
        </section>
    }
    .into_any()
}

#[component]
fn RegimeRow(row: Row, failure: RwSignal<Option<Failure>>, on_remove: Callback<usize>) -> impl IntoView {
    let region_id = format!("region-{}", row.key);
    let regime_id = format!("regime-{}", row.key);
    // The server names a refused key as `regime_overrides.<key as typed>`.
    let reason = move || {
        failure.with(|f| {
            let f = f.as_ref()?;
            let (field, reason) = f.field.as_ref()?;
            (field.strip_prefix("regime_overrides.")? == row.region.get().trim()).then(|| reason.clone())
        })
    };
    let error_id = format!("region-{}-error", row.key);
    let described = {
        let error_id = error_id.clone();
        move || reason().map(|_| error_id.clone())
    };
    let remove_label = move || {
        let region = row.region.get();
        if region.trim().is_empty() {
            "Remove this row".to_owned()
        } else {
            format!("Remove {}", region.trim())
        }
    };
    view! {
        <li class="ad-regime" data-test="regime-row">
            <div class="ad-field">
                <label class="ad-label" for=region_id.clone()>"Region"</label>
                <input id=region_id.clone() class="ad-input ad-input--short" type="text" data-test="regime-region"
                    aria-describedby=described aria-invalid=move || reason().map(|_| "true")
                    prop:value=move || row.region.get() on:input=move |ev| row.region.set(event_target_value(&ev)) />
            </div>
            <div class="ad-field">
                <label class="ad-label" for=regime_id.clone()>"Regime"</label>
                <select id=regime_id class="ad-input" data-test="regime-value"
                    on:change=move |ev| {
                        if let Some(regime) = Regime::parse(&event_target_value(&ev)) {
                            row.regime.set(regime);
                        }
                    }>
                    {REGIMES.into_iter().map(|r| view! {
                        <option value=r.as_str() selected=move || row.regime.get() == r>{regime_label(r)}</option>
                    }).collect_view()}
                </select>
            </div>
            <button type="button" class="ad-btn ad-btn--quiet" data-test="remove-regime" on:click=move |_| on_remove.run(row.key)>
                {remove_label}
            </button>
            {move || reason().map(|r| view! { <p class="ad-field-error" id=error_id.clone()>{r}</p> })}
        </li>
    }
}

/// Focuses the element with `id`.
fn focus(id: &str) {
    use wasm_bindgen::JsCast;
    let element = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(element) = element {
        let _ = element.focus();
    }
}
