//! The second layer's vendors: searchable by a word of the name or by id, each with its
//! consent switch, its legitimate-interest switch (the right to object) where it claims one,
//! and what the list declares of it — purposes by the legal basis the notice's publisher
//! restrictions leave (`tcf_layer::legal_bases`), special purposes, features,
//! special features, retention, data categories, device storage and its pages (TCF Policy
//! Appendix B(d); GVL v3 vendor fields).

use super::preferences::switch;
use super::{Loaded, TcfContext, fill};
use assent_shared::signals::tcf::gvl::{Declaration, Vendor, VendorList};
use assent_shared::tcf_api::vendor_matches;
use assent_shared::tcf_layer::{
    Switch, asks_consent, claims_legitimate_interest, cookie_days, legal_bases, live_vendors,
};
use leptos::prelude::*;
use std::collections::BTreeMap;
use std::sync::Arc;

#[component]
pub fn Vendors(loaded: Arc<Loaded>) -> impl IntoView {
    let tcf = expect_context::<TcfContext>();
    let t = loaded.texts;
    let site = &loaded.gvl.vendor_list;
    let query = RwSignal::new(String::new());
    let shown: Vec<(u16, String)> = live_vendors(site).map(|v| (v.id, v.name.clone())).collect();
    let count = shown.len();
    let none_match = move || query.with(|q| !shown.iter().any(|(id, name)| vendor_matches(*id, name, q)));
    let rows = live_vendors(site)
        .map(|v| {
            let (id, name) = (v.id, v.name.clone());
            let hidden = move || query.with(|q| !vendor_matches(id, &name, q));
            let consent = asks_consent(v).then(|| {
                switch(
                    tcf,
                    Switch::VendorConsent(id),
                    t.consent,
                    &v.name,
                    format!("tcf-consent-vendor-{id}"),
                )
            });
            let object = claims_legitimate_interest(v).then(|| {
                let test = format!("tcf-li-vendor-{id}");
                switch(
                    tcf,
                    Switch::VendorLegitimateInterest(id),
                    t.legitimate_interest,
                    &v.name,
                    test,
                )
            });
            view! {
                <li class="assent-tcf__vendor" data-test=format!("tcf-vendor-{id}") hidden=hidden>
                    <details class="assent-tcf__item">
                        <summary>{v.name.clone()}</summary>
                        {facts(&loaded, site, v)}
                    </details>
                    <div class="assent-tcf__switches">{consent}{object}</div>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="assent-tcf__section" data-test="tcf-vendors">
            <h3 class="assent-tcf__heading" id="assent-tcf-vendors">{fill(t.partners, "{count}", count)}</h3>
            <input
                type="search"
                class="assent-tcf__search"
                aria-label=t.search
                placeholder=t.search
                data-test="tcf-vendor-search"
                prop:value=move || query.get()
                on:input=move |ev| query.set(event_target_value(&ev))
            />
            <p class="assent-purpose__desc" role="status" data-test="tcf-no-match">
                {move || if none_match() { t.no_match } else { "" }}
            </p>
            <ul class="assent-tcf__vendors" aria-labelledby="assent-tcf-vendors" lang=loaded.gvl.language.clone()>{rows}</ul>
        </section>
    }
}

/// What the list declares of `v`, as label / value lines.
fn facts(loaded: &Loaded, site: &VendorList, v: &Vendor) -> impl IntoView + use<> {
    let t = loaded.texts;
    let names = |ids: &[u8], of: &BTreeMap<u8, Declaration>| -> String {
        ids.iter()
            .filter_map(|id| of.get(id).map(|d| d.name.as_str()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let days = |n: u64| fill(t.days, "{n}", usize::try_from(n).unwrap_or(usize::MAX));
    let bases = legal_bases(v, &loaded.settings);
    let consent_purposes: Vec<u8> = bases.consent.into_iter().collect();
    let li_purposes: Vec<u8> = bases.legitimate_interest.into_iter().collect();
    let retention = v.data_retention.as_ref().map(|r| {
        let mut parts: Vec<String> = r.std_retention.map(|d| days(d.into())).into_iter().collect();
        parts.extend(r.purposes.iter().filter_map(|(id, d)| {
            site.purposes
                .get(id)
                .map(|p| format!("{}: {}", p.name, days((*d).into())))
        }));
        parts.extend(r.special_purposes.iter().filter_map(|(id, d)| {
            site.special_purposes
                .get(id)
                .map(|p| format!("{}: {}", p.name, days((*d).into())))
        }));
        parts.join("; ")
    });
    let categories = v
        .data_declaration
        .iter()
        .filter_map(|id| site.data_categories.get(id).map(|c| c.name.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    let mut storage = match cookie_days(v) {
        Some(n) => fill(t.cookies_up_to, "{n}", usize::try_from(n).unwrap_or(usize::MAX)),
        None => t.no_cookies.to_owned(),
    };
    if v.uses_non_cookie_access {
        storage = format!("{storage}; {}", t.other_storage);
    }
    let lines = [
        (
            format!("{} ({})", t.purposes, t.consent),
            names(&consent_purposes, &site.purposes),
        ),
        (
            format!("{} ({})", t.purposes, t.legitimate_interest),
            names(&li_purposes, &site.purposes),
        ),
        (
            t.special_purposes.to_owned(),
            names(&v.special_purposes, &site.special_purposes),
        ),
        (t.features.to_owned(), names(&v.features, &site.features)),
        (
            t.special_features.to_owned(),
            names(&v.special_features, &site.special_features),
        ),
        (t.retention.to_owned(), retention.unwrap_or_default()),
        (t.data_categories.to_owned(), categories),
        (t.storage.to_owned(), storage),
    ];
    let language = loaded
        .gvl
        .language
        .split('-')
        .next()
        .unwrap_or("en")
        .to_ascii_lowercase();
    let page = v
        .urls
        .iter()
        .find(|u| u.lang_id == language)
        .or_else(|| v.urls.iter().find(|u| u.lang_id == "en"))
        .or_else(|| v.urls.first())
        .cloned();
    let links = page.map(|u| {
        view! {
            <p class="assent-links">
                <a href=u.privacy target="_blank" rel="noopener">{t.privacy_policy}</a>
                {u.leg_int_claim.map(|claim| view! {
                    " · "<a href=claim target="_blank" rel="noopener">{t.legitimate_interest_claim}</a>
                })}
            </p>
        }
    });
    view! {
        <dl class="assent-tcf__facts">
            {lines
                .into_iter()
                .filter(|(_, value)| !value.is_empty())
                .map(|(label, value)| view! { <dt>{label}</dt><dd>{value}</dd> })
                .collect_view()}
        </dl>
        {links}
    }
}
