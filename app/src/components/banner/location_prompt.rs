//! The precise-location prompt: one purpose, asked on its own, before the browser's own
//! permission prompt (which is not legal consent). Allow and Don't allow look the same;
//! dismissing it is a refusal.

use super::focus::trap_tab;
use crate::contexts::consent::{ConsentContext, location_key};
use assent_shared::consent::Decision;
use leptos::html;
use leptos::prelude::*;

#[component]
pub fn LocationPrompt() -> impl IntoView {
    let ctx = expect_context::<ConsentContext>();
    let t = ctx.texts();
    let dialog = NodeRef::<html::Div>::new();
    let purpose = ctx
        .notice
        .get_untracked()
        .and_then(|n| n.notice.purpose(&location_key()).cloned());
    let Some(purpose) = purpose else {
        // A notice without the purpose cannot ask for it: nothing is granted or recorded.
        ctx.decide_location(None);
        return ().into_any();
    };
    let on_key = move |ev: web_sys::KeyboardEvent| {
        if ev.key() == "Escape" {
            ev.prevent_default();
            ctx.decide_location(None);
        } else if let Some(el) = dialog.get() {
            trap_tab(&ev, &el);
        }
    };
    view! {
        <div class="assent-backdrop">
            <div
                class="assent-dialog assent-dialog--small"
                role="dialog"
                aria-modal="true"
                aria-labelledby="assent-location-title"
                aria-describedby="assent-location-desc"
                data-test="location-prompt"
                node_ref=dialog
                on:keydown=on_key
            >
                <div class="assent-dialog__head">
                    <h2 id="assent-location-title" class="assent-title" tabindex="-1" data-test="location-title">
                        {purpose.title.clone()}
                    </h2>
                </div>
                <div class="assent-dialog__body">
                    <p id="assent-location-desc">{purpose.description.clone()}</p>
                    <p class="assent-purpose__meta">
                        <span>{t.legal_basis}": "{t.basis(purpose.legal_basis)}</span>
                        <span>{t.retention}": "{purpose.retention.clone()}</span>
                    </p>
                </div>
                <div class="assent-actions assent-dialog__foot">
                    <button
                        type="button"
                        class="assent-btn"
                        data-test="location-deny"
                        on:click=move |_| ctx.decide_location(Some(Decision::Denied))
                    >
                        {t.deny}
                    </button>
                    <button
                        type="button"
                        class="assent-btn"
                        data-test="location-allow"
                        on:click=move |_| ctx.decide_location(Some(Decision::Granted))
                    >
                        {t.allow}
                    </button>
                </div>
            </div>
        </div>
    }
    .into_any()
}
