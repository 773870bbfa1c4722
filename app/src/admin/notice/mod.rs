//! The notice editor (`#/sites/{id}/notice`): the draft of the next version, saved as it is
//! typed, with the lint's findings beside the fields they name, a live preview of the real
//! banner, publication, and the published versions compared field by field.
//!
//! Without a draft, an owner starts one from the latest published version. A viewer reads the
//! draft and its preview and sees no control that writes (the server refuses them anyway).

mod doc;
mod editor;
mod fields;
mod general;
mod preview;
mod publish;
mod purposes;

use super::client::{self, Failure};
use super::form::{FailureNote, attempt};
use super::site::{SiteTabs, site_path};
use super::{Dashboard, Load, Pending};
use assent_shared::admin_api::NoticeVersion;
use assent_shared::lint::Severity;
use editor::{DraftDoc, Editor, Save};
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::Value;
use wasm_bindgen::JsCast;

#[component]
pub fn NoticePage(id: String) -> impl IntoView {
    let dashboard = expect_context::<Dashboard>();
    let state = RwSignal::new(Load::<Option<DraftDoc>>::Loading);
    let path = format!("{}/draft", site_path(&id));
    let reload = move || {
        state.set(Load::Loading);
        let path = path.clone();
        spawn_local(async move {
            let next = match client::get::<DraftDoc>(&path).await {
                Ok(draft) => Load::Ready(Some(draft)),
                Err(f) if f.code == "draft_not_found" => Load::Ready(None),
                Err(f) if dashboard.session_over(&f) => return,
                Err(f) => Load::Failed(f),
            };
            let _ = state.try_set(next);
        });
    };
    reload();
    let again = Callback::new(move |()| reload());
    let site = id.clone();
    view! {
        <SiteTabs id=id.clone() current="notice" />
        <h1 class="ad-title" tabindex="-1" data-test="notice-title">"Notice"</h1>
        {move || match state.get() {
            Load::Loading => view! { <Pending what="draft" failure=None retry=again /> }.into_any(),
            Load::Failed(f) => view! { <Pending what="draft" failure=Some(f) retry=again /> }.into_any(),
            Load::Ready(None) => view! { <NoDraft site=site.clone() on_started=again /> }.into_any(),
            Load::Ready(Some(draft)) => view! { <EditorScreen site=site.clone() draft=draft on_reload=again /> }.into_any(),
        }}
    }
}

/// No draft yet: what is published, and (for owners) starting a draft from it.
#[component]
fn NoDraft(site: String, on_started: Callback<()>) -> impl IntoView {
    let dashboard = expect_context::<Dashboard>();
    let owner = dashboard.owns(&site);
    let failure = RwSignal::new(None::<Failure>);
    let starting = RwSignal::new(false);
    let base = site_path(&site);
    let start = move |_| {
        starting.set(true);
        let base = base.clone();
        spawn_local(async move {
            let started = attempt(dashboard, failure, async {
                let versions = client::get::<Vec<NoticeVersion>>(&format!("{base}/notices")).await?;
                let notice = match versions.last() {
                    Some(latest) => client::get::<Value>(&format!("{base}/notices/{}", latest.version)).await?,
                    None => Value::Null,
                };
                client::send::<DraftDoc, _>("PUT", &format!("{base}/draft"), &notice).await
            })
            .await;
            if starting.try_set(false).is_none() && started.is_some() {
                dashboard
                    .status
                    .set("A draft was started from the published notice.".into());
                on_started.run(());
            }
        });
    };
    view! {
        <section class="ad-card" aria-labelledby="ne-nodraft">
            <h2 class="ad-h" id="ne-nodraft">"No draft"</h2>
            <p>"Visitors see the published version below. Changes are made in a draft, previewed, then published as the next version."</p>
            <FailureNote failure=failure what="The draft was not started." />
            {owner.then(|| view! {
                <button type="button" class="ad-btn ad-btn--primary" data-test="start-draft" disabled=move || starting.get() on:click=start>
                    "Start a draft from the published notice"
                </button>
            })}
        </section>
        <publish::Versions site=site.clone() />
    }
}

#[component]
fn EditorScreen(site: String, draft: DraftDoc, on_reload: Callback<()>) -> impl IntoView {
    let dashboard = expect_context::<Dashboard>();
    let owner = dashboard.owns(&site);
    let editor = Editor::new(dashboard, site.clone(), draft, owner);
    provide_context(editor);
    on_cleanup(move || editor.flush());
    let on_published = Callback::new(move |_version: u32| on_reload.run(()));
    view! {
        <SaveState />
        <Summary />
        <div class="ad-editor">
            <div class="ad-editor-form">
                <general::General />
                <purposes::Purposes />
                <general::Theme />
                <general::Words />
                {owner.then(|| view! { <publish::PublishForm on_published=on_published on_reload=on_reload /> })}
            </div>
            <div class="ad-editor-side">
                <preview::Preview />
            </div>
        </div>
        <publish::Versions site=site draft=editor />
    }
}

/// Where saving stands, always in view.
#[component]
fn SaveState() -> impl IntoView {
    let editor = expect_context::<Editor>();
    view! {
        <p class="ad-save" role="status" data-test="save-state" data-state=move || match editor.save.get() {
            Save::Saved { .. } => "saved",
            Save::Pending => "pending",
            Save::Saving => "saving",
            Save::Refused(_) => "refused",
        }>
            {move || match editor.save.get() {
                Save::Saved { at, by } => {
                    let time = js_sys::Date::new(&at.as_str().into()).to_locale_time_string("default");
                    format!("Draft saved at {} by {}.", String::from(time), by.strip_prefix("user:").unwrap_or(&by))
                }
                Save::Pending => "Unsaved changes: saved when you pause typing.".into(),
                Save::Saving => "Saving the draft…".into(),
                Save::Refused(f) => format!("Not saved: {} What you typed is kept; fix it to save.", f.message),
            }}
            {move || (!editor.editable).then_some(" You can read this draft; only the site's owners change it.")}
        </p>
    }
}

/// Every finding, errors first, each with a way to the field it names.
#[component]
fn Summary() -> impl IntoView {
    let editor = expect_context::<Editor>();
    move || {
        let mut all = editor.findings.get();
        if let Some(refused) = editor.refused.get() {
            all.insert(0, refused);
        }
        all.sort_by_key(|f| f.severity != Severity::Error);
        let errors = all.iter().filter(|f| f.severity == Severity::Error).count();
        let warnings = all.len() - errors;
        let heading = match (errors, warnings) {
            (0, 0) => return view! { <p class="ad-note ad-note--ok" data-test="lint-clean">"The lint finds nothing to fix."</p> }.into_any(),
            (0, w) => format!("{w} warning(s): publication is possible."),
            (e, 0) => format!("{e} error(s) stop publication."),
            (e, w) => format!("{e} error(s) stop publication; {w} warning(s)."),
        };
        view! {
            <div class={if errors > 0 { "ad-note ad-note--error" } else { "ad-note ad-note--warn" }} data-test="lint-summary">
                <p class="ad-strong">{heading}</p>
                <ul class="ad-findings">
                    {all.into_iter().map(|f| {
                        let field = f.field.clone();
                        view! {
                            <li data-code=f.code.clone()>
                                <button type="button" class="ad-link" on:click=move |_| go_to(&field)>
                                    <code>{f.field.clone()}</code>
                                </button>
                                ": "{f.message.clone()}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </div>
        }
        .into_any()
    }
}

/// Brings the field a finding names into view and focuses it (or the nearest part of the form
/// that holds it: `purposes[1].texts.fr` is shown on the purpose when French is not edited).
fn go_to(field: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let mut name = field.to_owned();
    loop {
        let id = doc::dom_id(&name);
        let found = [id.clone(), format!("{id}-heading"), format!("{id}-findings")]
            .iter()
            .find_map(|candidate| document.get_element_by_id(candidate));
        if let Some(element) = found {
            element.scroll_into_view();
            if let Ok(element) = element.dyn_into::<web_sys::HtmlElement>() {
                let _ = element.focus();
            }
            return;
        }
        match name.rfind(['.', '[']) {
            Some(cut) => name.truncate(cut),
            None => return,
        }
    }
}
