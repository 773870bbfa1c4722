//! The TCF part of the first layer (TCF Policy Appendix B(c)): how many vendors, the stacks
//! the notice chose and the purposes and special features no stack covers, each named with
//! its description a click away, a way straight to the vendor list, and the legitimate-interest
//! notice with the right to object.
//! *Accept all* and *Reject all* stay the first layer's own buttons.

use super::{TcfContext, fill};
use crate::contexts::consent::ConsentContext;
use assent_shared::tcf_layer::first_layer;
use leptos::prelude::*;

#[component]
pub fn TcfFirstLayer() -> impl IntoView {
    let tcf = expect_context::<TcfContext>();
    let Some(loaded) = tcf.applied() else {
        return ().into_any();
    };
    let t = loaded.texts;
    let layer = first_layer(&loaded.gvl.vendor_list, &loaded.settings);
    // The vendor list one step away (TCF Policy Appendix B(c): the first layer links to it):
    // the second layer, focus on the partners' search.
    // The list's own texts are in its language (English where IAB has no translation).
    let lang = loaded.gvl.language.clone();
    let ctx = expect_context::<ConsentContext>();
    let show_vendors = move |_| {
        ctx.open_preferences();
        ctx.focus.set(Some("tcf-vendor-search"));
    };
    let item = |name: &str, description: &str, test: String| {
        view! {
            <li data-test=test>
                <details class="assent-tcf__item">
                    <summary>{name.to_owned()}</summary>
                    <p>{description.to_owned()}</p>
                </details>
            </li>
        }
    };
    let purposes: Vec<_> = layer
        .stacks
        .iter()
        .map(|s| item(&s.name, &s.description, format!("tcf-stack-{}", s.id)))
        .chain(
            layer
                .purposes
                .iter()
                .map(|p| item(&p.name, &p.description, format!("tcf-purpose-{}", p.id))),
        )
        .collect();
    let features: Vec<_> = layer
        .special_features
        .iter()
        .map(|f| item(&f.name, &f.description, format!("tcf-special-feature-{}", f.id)))
        .collect();
    view! {
        <div class="assent-tcf" data-test="tcf-first-layer">
            <p data-test="tcf-intro">{fill(t.intro, "{count}", layer.vendor_count)}</p>
            <p>
                <button type="button" class="assent-tcf__partners" data-test="tcf-show-vendors" on:click=show_vendors>
                    {fill(t.partners, "{count}", layer.vendor_count)}
                </button>
            </p>
            <h3 class="assent-tcf__heading">{t.purposes}</h3>
            <ul class="assent-tcf__list" lang=lang.clone()>{purposes}</ul>
            {(!features.is_empty()).then(|| view! {
                <h3 class="assent-tcf__heading">{t.special_features}</h3>
                <ul class="assent-tcf__list" lang=lang>{features}</ul>
            })}
            {layer.legitimate_interest.then(|| view! {
                <p data-test="tcf-legitimate-interest">{t.legitimate_interest_notice}</p>
            })}
        </div>
    }
    .into_any()
}
