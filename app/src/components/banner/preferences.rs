//! The preferences panel: a modal dialog with every banner purpose, its description, legal
//! basis, retention, vendors and cookies, and a switch (necessary ones locked on).

use super::focus::trap_tab;
use crate::contexts::consent::ConsentContext;
use assent_shared::consent::{Decision, Source};
use assent_shared::notice::LocalizedPurpose;
use leptos::html;
use leptos::prelude::*;

#[component]
pub fn Preferences() -> impl IntoView {
    let ctx = expect_context::<ConsentContext>();
    let t = ctx.texts();
    let dialog = NodeRef::<html::Div>::new();
    let purposes: Vec<LocalizedPurpose> = ctx
        .notice
        .get_untracked()
        .map(|n| n.notice.purposes.into_iter().filter(|p| p.in_banner).collect())
        .unwrap_or_default();
    let on_key = move |ev: web_sys::KeyboardEvent| {
        if ev.key() == "Escape" {
            ev.prevent_default();
            ctx.dismiss_preferences();
        } else if let Some(el) = dialog.get() {
            trap_tab(&ev, &el);
        }
    };
    view! {
        <div class="assent-backdrop">
            <div
                class="assent-dialog"
                role="dialog"
                aria-modal="true"
                aria-labelledby="assent-prefs-title"
                data-test="preferences"
                node_ref=dialog
                on:keydown=on_key
            >
                <div class="assent-dialog__head">
                    <h2 id="assent-prefs-title" class="assent-title" tabindex="-1" data-test="preferences-title">
                        {t.preferences_title}
                    </h2>
                </div>
                <div class="assent-dialog__body">
                    <Show when=move || ctx.gpc_applies()>
                        <p class="assent-gpc" data-test="gpc-honored">{t.gpc_honored}</p>
                    </Show>
                    {purposes.into_iter().map(|p| view! { <PurposeRow purpose=p /> }).collect_view()}
                    {super::tcf_preferences()}
                </div>
                <div class="assent-actions assent-dialog__foot">
                    <button type="button" class="assent-btn" data-test="prefs-reject-all" on:click=move |_| ctx.reject_all(Source::Panel)>
                        {t.reject_all}
                    </button>
                    <button type="button" class="assent-btn" data-test="prefs-accept-all" on:click=move |_| ctx.accept_all(Source::Panel)>
                        {t.accept_all}
                    </button>
                    <button type="button" class="assent-btn" data-test="save" on:click=move |_| ctx.save_draft()>
                        {t.save}
                    </button>
                    <Show when=move || ctx.opt_out_regime()>
                        <button type="button" class="assent-btn assent-btn--wide" data-test="prefs-do-not-sell" on:click=move |_| ctx.do_not_sell()>
                            {t.do_not_sell}
                        </button>
                    </Show>
                </div>
            </div>
        </div>
    }
}

#[component]
fn PurposeRow(purpose: LocalizedPurpose) -> impl IntoView {
    let ctx = expect_context::<ConsentContext>();
    let t = ctx.texts();
    let key = purpose.key.clone();
    let id = format!("assent-p-{key}");
    let desc_id = format!("{id}-desc");
    let locked = purpose.legal_basis.is_necessary();
    let checked = {
        let key = key.clone();
        move || locked || ctx.draft.with(|d| d.get(&key) == Some(&Decision::Granted))
    };
    let on_change = {
        let key = key.clone();
        move |ev: leptos::ev::Event| {
            let decision = if event_target_checked(&ev) {
                Decision::Granted
            } else {
                Decision::Denied
            };
            ctx.draft.update(|d| {
                d.insert(key.clone(), decision);
            });
        }
    };
    let vendors_test = format!("vendors-{key}");
    let cookie_count: usize = purpose.vendors.iter().map(|v| v.cookies.len().max(1)).sum();
    view! {
        <div class="assent-purpose" data-test=format!("purpose-{key}")>
            <div class="assent-purpose__head">
                <label for=id.clone() class="assent-purpose__title">{purpose.title.clone()}</label>
                {locked.then(|| view! { <span class="assent-locked">{t.always_on}</span> })}
                <input
                    type="checkbox"
                    role="switch"
                    class="assent-switch"
                    id=id
                    aria-describedby=desc_id.clone()
                    data-test=format!("toggle-{key}")
                    disabled=locked
                    prop:checked=checked
                    on:change=on_change
                />
            </div>
            <p class="assent-purpose__desc" id=desc_id>{purpose.description.clone()}</p>
            <p class="assent-purpose__meta">
                <span>{t.legal_basis}": "{t.basis(purpose.legal_basis)}</span>
                <span>{t.retention}": "{purpose.retention.clone()}</span>
            </p>
            {(!purpose.vendors.is_empty()).then(|| view! {
                <details class="assent-vendors">
                    <summary data-test=vendors_test>{t.vendors}" ("{cookie_count}")"</summary>
                    <ul>
                        {purpose.vendors.iter().flat_map(|v| {
                            v.cookies.iter().map(|c| view! {
                                <li><code>{c.name.clone()}</code>" · "{c.provider.clone()}" · "{c.duration.clone()}</li>
                            }).collect::<Vec<_>>()
                        }).collect_view()}
                    </ul>
                </details>
            })}
        </div>
    }
}
