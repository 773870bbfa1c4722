//! The subject's data rights: a copy of their records (GDPR Art. 15, 20) and erasure
//! (Art. 17) with a plain account of what goes and what stays as pseudonymous evidence
//! (Art. 7(1) obliges the site to be able to show consent was given).

use super::verify::describe;
use super::{Page, Phase, download};
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn Rights() -> impl IntoView {
    let page = expect_context::<Page>();
    let confirming = RwSignal::new(false);
    // The button pressed is replaced: focus moves to what replaced it, not to the page.
    let confirm_button = NodeRef::<leptos::html::Button>::new();
    let erase_button = NodeRef::<leptos::html::Button>::new();
    let ask = move |confirm: bool| {
        confirming.set(confirm);
        request_animation_frame(move || {
            let target = if confirm { confirm_button } else { erase_button };
            if let Some(button) = target.get_untracked() {
                let _ = button.focus();
            }
        });
    };
    let has_subject = move || page.client().and_then(|c| c.subject()).is_some() && !page.events.with(Vec::is_empty);
    let export = move |format: &'static str| {
        move |_| {
            spawn_local(async move {
                let Some(client) = page.client() else { return };
                let Some(subject) = client.subject() else { return };
                match client.export(format).await {
                    Ok(body) => {
                        let mime = if format == "csv" {
                            "text/csv"
                        } else {
                            "application/json"
                        };
                        download(&format!("assent-{}-{subject}.{format}", client.site()), mime, &body);
                    }
                    Err(err) => page.status.set(describe(&err)),
                }
            });
        }
    };
    let erase = move |_| {
        spawn_local(async move {
            let Some(client) = page.client() else { return };
            match client.erase().await {
                Ok(()) => page.phase.set(Phase::Erased),
                Err(err) => page.status.set(describe(&err)),
            }
        });
    };
    view! {
        <Show when=has_subject>
            <section class="as-section" aria-labelledby="as-rights">
                <super::Heading level=page.top + 1 id="as-rights" class="as-h2">{page.w("rights_heading")}</super::Heading>
                <div class="as-actions">
                    <button type="button" class="as-btn" data-test="export-json" on:click=export("json")>{page.w("export_json")}</button>
                    <button type="button" class="as-btn" data-test="export-csv" on:click=export("csv")>{page.w("export_csv")}</button>
                </div>
                <p class="as-meta" id="as-erase-explain">{page.w("erase_explain")}</p>
                <Show
                    when=move || confirming.get()
                    fallback=move || view! {
                        <button type="button" class="as-btn as-btn--danger" data-test="erase" aria-describedby="as-erase-explain" node_ref=erase_button on:click=move |_| ask(true)>
                            {page.w("erase")}
                        </button>
                    }
                >
                    <div class="as-actions" role="group" aria-label=page.w("erase")>
                        <button type="button" class="as-btn as-btn--danger" data-test="erase-confirm" node_ref=confirm_button on:click=erase>{page.w("erase_confirm")}</button>
                        <button type="button" class="as-btn" data-test="erase-cancel" on:click=move |_| ask(false)>{page.w("cancel")}</button>
                    </div>
                </Show>
            </section>
        </Show>
    }
}
