//! The first layer where consent is given per item (Korea, PIPA Art. 22): each purpose is its
//! own yes/no showing what it is for, the data items, how long they are kept, the right to
//! refuse and what refusing means — nothing bundled, nothing pre-selected.

use super::focus::trap_tab;
use crate::contexts::consent::ConsentContext;
use assent_shared::consent::{Decision, Decisions};
use leptos::prelude::*;

#[component]
pub fn PerItemLayer() -> impl IntoView {
    let ctx = expect_context::<ConsentContext>();
    let t = ctx.texts();
    let title = ctx.notice.get_untracked().map(|n| n.notice.title).unwrap_or_default();
    let answers = RwSignal::new(Decisions::new());
    let dialog = NodeRef::<leptos::html::Section>::new();
    ctx.focus.set(Some("per-item-title"));
    let items = ctx
        .choosable()
        .into_iter()
        .map(|p| {
            let key = p.key.clone();
            let name = format!("assent-item-{key}");
            let choose = move |d: Decision| {
                let key = key.clone();
                move |_| answers.update(|a| {
                    a.insert(key.clone(), d);
                })
            };
            view! {
                <fieldset class="assent-item" data-test=format!("item-{}", p.key)>
                    <legend class="assent-purpose__title">{p.title.clone()}</legend>
                    <p class="assent-purpose__desc">{p.description.clone()}</p>
                    <p class="assent-purpose__meta">
                        <span>{t.items}": "{p.data_categories.join(", ")}</span>
                        <span>{t.retention}": "{p.retention.clone()}</span>
                    </p>
                    <p class="assent-purpose__meta">{t.right_to_refuse}</p>
                    <div class="assent-item__choices">
                        <label>
                            <input type="radio" name=name.clone() data-test=format!("agree-{}", p.key) on:change=choose(Decision::Granted) />
                            {t.agree}
                        </label>
                        <label>
                            <input type="radio" name=name data-test=format!("disagree-{}", p.key) on:change=choose(Decision::Denied) />
                            {t.disagree}
                        </label>
                    </div>
                </fieldset>
            }
        })
        .collect_view();
    view! {
        <div class="assent-backdrop">
            <section
                class="assent-dialog"
                role="dialog"
                aria-modal="true"
                aria-labelledby="assent-items-title"
                data-test="per-item"
                node_ref=dialog
                on:keydown=move |ev: web_sys::KeyboardEvent| {
                    if let Some(el) = dialog.get() {
                        trap_tab(&ev, &el);
                    }
                }
            >
                <div class="assent-dialog__head">
                    <h2 id="assent-items-title" class="assent-title" tabindex="-1" data-test="per-item-title">{title}</h2>
                </div>
                <div class="assent-dialog__body">{items}</div>
                <div class="assent-actions assent-dialog__foot">
                    <button type="button" class="assent-btn" data-test="confirm-items" on:click=move |_| ctx.save_items(&answers.get_untracked())>
                        {t.confirm}
                    </button>
                </div>
            </section>
        </div>
    }
}
