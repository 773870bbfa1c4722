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
mod tcf;
mod tcf_publisher;

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
use wasm_bindgen::closure::Closure;

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
                let notice = published(&base).await?;
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
            <p>"Visitors see the latest published version (listed under Versions). Changes are made in a draft, previewed, then published as the next version."</p>
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

/// The latest published version of the site at `base` (its admin API path), as stored.
async fn published(base: &str) -> Result<Value, Failure> {
    let versions = client::get::<Vec<NoticeVersion>>(&format!("{base}/notices")).await?;
    match versions.last() {
        Some(latest) => client::get::<Value>(&format!("{base}/notices/{}", latest.version)).await,
        None => Ok(Value::Null),
    }
}

/// Discarding the draft's changes: the draft becomes the published version again (saved over
/// the revision this editor holds, so nobody else's newer edit is discarded unseen).
#[component]
fn StartOver(on_reload: Callback<()>) -> impl IntoView {
    let editor = expect_context::<Editor>();
    let failure = RwSignal::new(None::<Failure>);
    let busy = RwSignal::new(false);
    let discard = move |_| {
        if !purposes::confirm("Discard every change in the draft and start again from the published version?") {
            return;
        }
        busy.set(true);
        let base = site_path(&editor.site.get_value());
        let revision = editor.revision.get_untracked();
        spawn_local(async move {
            let done = attempt(editor.dashboard, failure, async {
                let notice = published(&base).await?;
                client::send_if::<DraftDoc, _>("PUT", &format!("{base}/draft"), &notice, Some(&revision)).await
            })
            .await;
            if busy.try_set(false).is_none() && done.is_some() {
                editor
                    .dashboard
                    .status
                    .set("The draft is the published version again.".into());
                on_reload.run(());
            }
        });
    };
    view! {
        <section class="ad-card" aria-labelledby="ne-start-over">
            <h2 class="ad-h" id="ne-start-over">"Start over"</h2>
            <p class="ad-hint">"Discards every change made in the draft since the last publication."</p>
            <FailureNote failure=failure what="The draft was not discarded." />
            <button type="button" class="ad-btn ad-btn--danger" data-test="discard-draft" disabled=move || busy.get() on:click=discard>
                "Discard the draft's changes"
            </button>
        </section>
    }
}

#[component]
fn EditorScreen(site: String, draft: DraftDoc, on_reload: Callback<()>) -> impl IntoView {
    let dashboard = expect_context::<Dashboard>();
    let owner = dashboard.owns(&site);
    let editor = Editor::new(dashboard, site.clone(), draft, owner);
    provide_context(editor);
    let guard = StoredValue::new_local(leave_guard(editor));
    on_cleanup(move || {
        editor.flush();
        guard.try_with_value(|guard| {
            if let (Some(window), Some(guard)) = (web_sys::window(), guard) {
                let _ = window.remove_event_listener_with_callback("beforeunload", guard.as_ref().unchecked_ref());
            }
        });
    });
    let on_published = Callback::new(move |_version: u32| on_reload.run(()));
    view! {
        <SaveState on_reload=on_reload />
        <Sections />
        <Summary />
        <div class="ad-editor">
            <div class="ad-editor-form">
                <general::General />
                <purposes::Purposes />
                <tcf::Tcf />
                <general::Theme />
                <general::Words />
                {owner.then(|| view! {
                    <publish::PublishForm on_published=on_published on_reload=on_reload />
                    <StartOver on_reload=on_reload />
                })}
            </div>
            <div class="ad-editor-side">
                <preview::Preview />
            </div>
        </div>
        <publish::Versions site=site draft=editor />
    }
}

/// The form's sections, a keystroke away: the editor is long (a notice with seven purposes is
/// some 170 fields), and the dashboard's `#` is its route, so these are buttons that move the
/// focus, not in-page links.
#[component]
fn Sections() -> impl IntoView {
    let editor = expect_context::<Editor>();
    let jump = |id: &'static str| {
        move |_| {
            if let Some(heading) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.get_element_by_id(id))
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
            {
                let _ = heading.set_attribute("tabindex", "-1");
                heading.scroll_into_view();
                let _ = heading.focus();
            }
        }
    };
    let button = move |id: &'static str, label: &'static str| {
        view! { <button type="button" class="ad-link" data-test=format!("go-{id}") on:click=jump(id)>{label}</button> }
    };
    view! {
        <nav class="ad-inline" aria-label="Sections of the notice editor" data-test="editor-sections">
            {button("ne-general", "Notice")}
            {button("ne-purposes", "Purposes")}
            {move || editor.tcf_shown.get().then(|| button("ne-tcf", "IAB TCF"))}
            {button("ne-theme", "Look")}
            {button("ne-words", "Banner words")}
            {editor.editable.then(|| button("ne-publish", "Publish"))}
            {button("ne-preview", "Live preview")}
        </nav>
    }
}

/// Asks before the page is left (closed, reloaded, another address) while what is typed is not
/// saved; the browser words the question. Lives as long as the editor (see its cleanup).
fn leave_guard(editor: Editor) -> Option<Closure<dyn Fn(web_sys::Event)>> {
    let window = web_sys::window()?;
    let guard = Closure::<dyn Fn(web_sys::Event)>::new(move |event: web_sys::Event| {
        if editor.unsaved() {
            event.prevent_default();
        }
    });
    window
        .add_event_listener_with_callback("beforeunload", guard.as_ref().unchecked_ref())
        .ok()?;
    Some(guard)
}

/// Where saving stands, always in view; after a refusal, what to do about it.
#[component]
fn SaveState(on_reload: Callback<()>) -> impl IntoView {
    let editor = expect_context::<Editor>();
    let changed_elsewhere = move || matches!(editor.save.get(), Save::Refused(f) if f.code == "precondition_failed");
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
                Save::Refused(f) if f.code == "precondition_failed" => {
                    "Not saved: the draft was changed in another tab or by another person since you opened it. \
                     Load it as it is now to go on (what you typed here since your last save is not kept)."
                        .into()
                }
                Save::Refused(f) if f.status == 0 || f.status == 503 => {
                    format!("Not saved yet: {} Trying again every 5 seconds; what you typed is kept here.", f.message)
                }
                Save::Refused(f) => {
                    format!("Not saved: {} Fix it (marked beside the field) and the draft saves again.", f.message)
                }
            }}
            {move || (!editor.editable).then_some(" You can read this draft; only the site's owners change it.")}
            {move || changed_elsewhere().then(|| view! {
                " "
                <button type="button" class="ad-btn" data-test="reload-changed-draft" on:click=move |_| on_reload.run(())>
                    "Load the draft as it is now"
                </button>
            })}
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
pub(super) fn go_to(field: &str) {
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
