//! The first layer: the view the server also renders (`assent_shared::first_layer`), with this
//! visitor's state and the banner's actions. Closing it (× or Esc) is a refusal.

use crate::contexts::consent::ConsentContext;
use assent_shared::first_layer::{self, FirstLayer as Shown};
use leptos::prelude::*;

#[component]
pub fn FirstLayer() -> impl IntoView {
    let ctx = expect_context::<ConsentContext>();
    // Shown only once the notice is here (`BannerApp`).
    let Some(notice) = ctx.notice.get_untracked().map(|n| n.notice) else {
        return ().into_any();
    };
    let shown = Shown {
        language: notice.language,
        title: notice.title,
        body: notice.body,
        policy_url: notice.policy_url,
        change_summary: notice.change_summary.filter(|_| ctx.reconsent.get_untracked()),
        gpc_honored: ctx.gpc_applies(),
        do_not_sell: ctx.opt_out_regime(),
        words: ctx.texts().into(),
    };
    first_layer::first_layer(shown, super::tcf_first_layer(), move |control| ctx.control(control)).into_any()
}
