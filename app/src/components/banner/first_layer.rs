//! The first layer: a non-modal bar with Accept all, Reject all and Customize, all three the
//! same element type, size and weight. Closing it (× or Esc) is a refusal.

use crate::contexts::consent::ConsentContext;
use assent_shared::consent::Source;
use leptos::prelude::*;

#[component]
pub fn FirstLayer() -> impl IntoView {
    let ctx = expect_context::<ConsentContext>();
    let t = ctx.texts();
    let notice = ctx.notice.get_untracked().map(|n| n.notice);
    let (title, body, policy_url, summary) = notice
        .map(|n| (n.title, n.body, n.policy_url, n.change_summary))
        .unwrap_or_default();
    let summary = summary.filter(|_| ctx.reconsent.get_untracked());
    let on_key = move |ev: web_sys::KeyboardEvent| {
        if ev.key() == "Escape" {
            ev.prevent_default();
            ctx.close();
        }
    };
    view! {
        <section
            class="assent-banner"
            role="dialog"
            aria-modal="false"
            aria-labelledby="assent-title"
            aria-describedby="assent-body"
            data-test="banner"
            on:keydown=on_key
        >
            <div class="assent-banner__text">
                <h2 id="assent-title" class="assent-title">{title}</h2>
                {summary.map(|s| view! {
                    <p class="assent-gpc" data-test="change-summary"><strong>{t.what_changed}</strong>" "{s}</p>
                })}
                <p id="assent-body" class="assent-body">{body}</p>
                {super::tcf_first_layer()}
                <Show when=move || ctx.gpc_applies()>
                    <p class="assent-gpc" data-test="gpc-honored">{t.gpc_honored}</p>
                </Show>
                <p class="assent-links">
                    <a href=policy_url target="_blank" rel="noopener" data-test="policy-link">{t.policy}</a>
                </p>
            </div>
            <div class="assent-actions">
                <button type="button" class="assent-btn" data-test="accept-all" on:click=move |_| ctx.accept_all(Source::Banner)>
                    {t.accept_all}
                </button>
                <button type="button" class="assent-btn" data-test="reject-all" on:click=move |_| ctx.reject_all(Source::Banner)>
                    {t.reject_all}
                </button>
                <button type="button" class="assent-btn" data-test="customize" on:click=move |_| ctx.open_preferences()>
                    {t.customize}
                </button>
                <Show when=move || ctx.opt_out_regime()>
                    <button type="button" class="assent-btn assent-btn--wide" data-test="do-not-sell" on:click=move |_| ctx.do_not_sell()>
                        {t.do_not_sell}
                    </button>
                </Show>
            </div>
            <button type="button" class="assent-close" data-test="close" aria-label=t.close title=t.close on:click=move |_| ctx.close()>
                <svg aria-hidden="true" viewBox="0 0 16 16" width="16" height="16">
                    <path d="M3 3l10 10M13 3L3 13" stroke="currentColor" stroke-width="2" stroke-linecap="round" />
                </svg>
            </button>
        </section>
    }
}
