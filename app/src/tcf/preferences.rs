//! The TCF part of the second layer: purposes (consent, and the right to object where a
//! vendor claims legitimate interest), special purposes and features (described, no choice
//! exists), special features (an express opt-in) and the vendors ([`super::vendors`]).
//! Every switch edits the draft selection; *Save* writes it.

use super::vendors::Vendors;
use super::{Loaded, TcfContext};
use assent_shared::signals::tcf::gvl::Declaration;
use assent_shared::tcf_layer::{Switch, consent_purposes, objectable_purposes};
use leptos::prelude::*;
use std::sync::Arc;

#[component]
pub fn TcfPreferences() -> impl IntoView {
    let tcf = expect_context::<TcfContext>();
    let Some(loaded) = tcf.applied() else {
        return ().into_any();
    };
    let t = loaded.texts;
    let site = &loaded.gvl.vendor_list;
    let consentable = consent_purposes(site);
    let objectable = objectable_purposes(site);
    let purposes = site
        .purposes
        .values()
        .map(|p| {
            let id = p.id;
            let consent = consentable.contains(&id).then(|| {
                let test = format!("tcf-consent-purpose-{id}");
                switch(tcf, Switch::PurposeConsent(id), t.consent, &p.name, test)
            });
            let object = objectable.contains(&id).then(|| {
                let test = format!("tcf-li-purpose-{id}");
                switch(
                    tcf,
                    Switch::PurposeLegitimateInterest(id),
                    t.legitimate_interest,
                    &p.name,
                    test,
                )
            });
            declaration(&loaded, p, "purpose", view! { {consent}{object} }.into_any())
        })
        .collect_view();
    let described = |list: &std::collections::BTreeMap<u8, Declaration>, kind: &'static str| {
        list.values()
            .map(|d| declaration(&loaded, d, kind, ().into_any()))
            .collect_view()
    };
    let special_purposes = described(&site.special_purposes, "special-purpose");
    let features = described(&site.features, "feature");
    let special_features = site
        .special_features
        .values()
        .map(|f| {
            let test = format!("tcf-opt-in-special-feature-{}", f.id);
            let opt_in = switch(tcf, Switch::SpecialFeature(f.id), t.consent, &f.name, test);
            declaration(&loaded, f, "special-feature", opt_in.into_any())
        })
        .collect_view();
    let section = |title: &'static str, test: &'static str, body: AnyView, empty: bool| {
        (!empty).then(|| {
            view! {
                <section class="assent-tcf__section" data-test=test>
                    <h3 class="assent-tcf__heading">{title}</h3>
                    {body}
                </section>
            }
        })
    };
    view! {
        <div class="assent-tcf" data-test="tcf-preferences">
            {section(t.purposes, "tcf-purposes", purposes.into_any(), site.purposes.is_empty())}
            {section(t.special_features, "tcf-special-features", special_features.into_any(), site.special_features.is_empty())}
            {section(t.special_purposes, "tcf-special-purposes", special_purposes.into_any(), site.special_purposes.is_empty())}
            {section(t.features, "tcf-features", features.into_any(), site.features.is_empty())}
            <Vendors loaded=loaded.clone() />
        </div>
    }
    .into_any()
}

/// One purpose, feature or special purpose: its name, its switches, its description and
/// the list's examples behind a disclosure.
fn declaration(loaded: &Arc<Loaded>, d: &Declaration, kind: &'static str, switches: AnyView) -> impl IntoView + use<> {
    let t = loaded.texts;
    let illustrations = (!d.illustrations.is_empty()).then(|| {
        let items = d
            .illustrations
            .iter()
            .map(|i| view! { <li>{i.clone()}</li> })
            .collect_view();
        view! {
            <details class="assent-tcf__item">
                <summary>{t.examples}</summary>
                <ul>{items}</ul>
            </details>
        }
    });
    view! {
        <div class="assent-purpose" data-test=format!("tcf-{kind}-{}", d.id) lang=loaded.gvl.language.clone()>
            <div class="assent-purpose__head">
                <span class="assent-purpose__title">{d.name.clone()}</span>
            </div>
            <div class="assent-tcf__switches">{switches}</div>
            <p class="assent-purpose__desc">{d.description.clone()}</p>
            {illustrations}
        </div>
    }
}

/// A switch of the second layer, labelled with its kind (`label`) and what it is for.
pub fn switch(
    tcf: TcfContext,
    which: Switch,
    label: &'static str,
    subject: &str,
    test: String,
) -> impl IntoView + use<> {
    view! {
        <label class="assent-tcf__switch">
            <input
                type="checkbox"
                role="switch"
                class="assent-switch"
                aria-label=format!("{label}: {subject}")
                data-test=test
                prop:checked=move || tcf.draft.with(|s| which.is_on(s))
                on:change=move |ev| tcf.draft.update(|s| which.set(s, event_target_checked(&ev)))
            />
            <span aria-hidden="true">{label}</span>
        </label>
    }
}
