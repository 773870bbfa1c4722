//! Publishing the draft (`POST …/draft/publish`, with "material change" and what changed per
//! language), and the published versions with a field-by-field comparison of any two (or of
//! the draft with one).

use super::doc::{self, Change};
use super::editor::{Editor, Save};
use super::fields::Findings;
use crate::admin::client::{self, Failure};
use crate::admin::form::{FailureNote, attempt};
use crate::admin::site::site_path;
use crate::admin::{Dashboard, Load, Pending, load};
use assent_shared::admin_api::{NoticeVersion, Publish};
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::Value;
use std::collections::BTreeMap;

/// The publish form. `on_published` gets the new version's number.
#[component]
pub fn PublishForm(on_published: Callback<u32>, on_reload: Callback<()>) -> impl IntoView {
    let editor = expect_context::<Editor>();
    let material = RwSignal::new(false);
    let summaries = RwSignal::new(BTreeMap::<String, String>::new());
    let failure = RwSignal::new(None::<Failure>);
    let publishing = RwSignal::new(false);
    let waiting = move || matches!(editor.save.get(), Save::Pending | Save::Saving);
    let disabled = move || publishing.get() || waiting() || editor.blocked();
    let publish = move |_| {
        publishing.set(true);
        let body = Publish {
            material_change: material.get_untracked(),
            change_summary: if material.get_untracked() {
                summaries
                    .get_untracked()
                    .into_iter()
                    .filter(|(_, text)| !text.trim().is_empty())
                    .collect()
            } else {
                BTreeMap::new()
            },
            draft_revision: Some(editor.revision.get_untracked()),
        };
        let path = format!("{}/publish", editor.draft_path());
        spawn_local(async move {
            let done = attempt(
                editor.dashboard,
                failure,
                client::send::<NoticeVersion, _>("POST", &path, &body),
            )
            .await;
            if publishing.try_set(false).is_some() {
                return;
            }
            // The lint as it ran on the publication (with its change summaries): its findings
            // show beside the fields, as a save's do.
            if let Some(refusal) = failure.get_untracked().filter(|f| !f.findings.is_empty()) {
                editor.findings.set(refusal.findings);
            }
            if let Some(version) = done {
                editor.dashboard.status.set(format!(
                    "Version {} is published: visitors see it from now on.",
                    version.version
                ));
                on_published.run(version.version);
            }
        });
    };
    view! {
        <section class="ad-card" aria-labelledby="ne-publish">
            <h2 class="ad-h" id="ne-publish">"Publish"</h2>
            <p class="ad-hint">"Publishing makes the draft the next version: every visitor's banner shows it, and each choice records which version it was made under."</p>
            <div class="ad-field ad-check">
                <input id="pub-material" type="checkbox" data-test="material-change"
                    on:change=move |ev| material.set(event_target_checked(&ev)) />
                <label for="pub-material">"Material change: ask every visitor again"</label>
                <p class="ad-hint">"For new purposes, vendors or uses. Choices made under earlier versions stop counting."</p>
            </div>
            {move || material.get().then(|| view! {
                <fieldset class="ad-field">
                    <legend class="ad-label">"What changed (shown to visitors when they are asked again)"</legend>
                    {editor.languages().into_iter().map(|tag| {
                        let id = format!("pub-summary-{tag}");
                        let (key, key2) = (tag.clone(), tag.clone());
                        let field = format!("change_summary.{tag}");
                        view! {
                            <label class="ad-label" for=id.clone()>{tag.clone()}</label>
                            <textarea id=id.clone() class="ad-input" rows="2" data-test=id
                                prop:value=move || summaries.with(|s| s.get(&key).cloned().unwrap_or_default())
                                on:input=move |ev| { let text = event_target_value(&ev); summaries.update(|s| { s.insert(key2.clone(), text); }); }></textarea>
                            {move || failure.with(|f| f.as_ref().and_then(|f| f.reason_for(&field))).map(|r| view! { <p class="ad-field-error">{r}</p> })}
                            <Findings name=format!("change_summary.{tag}") />
                        }
                    }).collect_view()}
                </fieldset>
            })}
            <FailureNote failure=failure what="The draft was not published." />
            {move || failure.with(|f| f.as_ref().is_some_and(|f| f.code == "conflict")).then(|| view! {
                <button type="button" class="ad-btn" data-test="reload-draft" on:click=move |_| on_reload.run(())>"Load the draft as it is now"</button>
            })}
            <p class="ad-hint" data-test="publish-state">{move || {
                if failure.with(Option::is_some) {
                    "Fix what is said above, then publish again."
                } else if waiting() {
                    "Saving the draft first…"
                } else if editor.blocked() {
                    "Fix the errors above to publish (warnings do not stop it)."
                } else {
                    "The draft is ready to publish."
                }
            }}</p>
            <button type="button" class="ad-btn ad-btn--primary" data-test="publish" disabled=disabled on:click=publish>
                {move || if publishing.get() { "Publishing…" } else { "Publish the draft" }}
            </button>
        </section>
    }
}

/// The published versions, and what changed between two of them (or the draft).
#[component]
pub fn Versions(site: String, #[prop(optional)] draft: Option<Editor>) -> impl IntoView {
    let dashboard = expect_context::<Dashboard>();
    let versions = RwSignal::new(Load::<Vec<NoticeVersion>>::Loading);
    let base = site_path(&site);
    let list_path = format!("{base}/notices");
    let reload = move || load(dashboard, list_path.clone(), versions);
    reload();
    let retry = Callback::new(move |()| reload());
    view! {
        <section class="ad-card" aria-labelledby="ne-versions">
            <h2 class="ad-h" id="ne-versions">"Versions"</h2>
            {move || match versions.get() {
                Load::Loading => view! { <Pending what="versions" failure=None retry=retry /> }.into_any(),
                Load::Failed(f) => view! { <Pending what="versions" failure=Some(f) retry=retry /> }.into_any(),
                Load::Ready(list) if list.is_empty() => view! { <p class="ad-muted">"Nothing is published yet."</p> }.into_any(),
                Load::Ready(list) => view! { <VersionTable list=list base=base.clone() draft=draft /> }.into_any(),
            }}
        </section>
    }
}

/// "Draft" in the comparison's choices.
const DRAFT: &str = "draft";

#[component]
fn VersionTable(list: Vec<NoticeVersion>, base: String, draft: Option<Editor>) -> impl IntoView {
    let dashboard = expect_context::<Dashboard>();
    let latest = list.last().map_or(1, |v| v.version);
    let from = RwSignal::new(latest.saturating_sub(1).max(1).to_string());
    let to = RwSignal::new(if draft.is_some() {
        DRAFT.to_owned()
    } else {
        latest.to_string()
    });
    let changes = RwSignal::new(None::<Result<Vec<Change>, Failure>>);
    let comparing = RwSignal::new(false);
    let compare = move |_| {
        let (a, b) = (from.get_untracked(), to.get_untracked());
        let base = base.clone();
        comparing.set(true);
        spawn_local(async move {
            let read = |v: String| {
                let base = base.clone();
                async move {
                    match (v == DRAFT, draft) {
                        (true, Some(editor)) => Ok(editor.doc.get_untracked()),
                        _ => client::get::<Value>(&format!("{base}/notices/{v}")).await,
                    }
                }
            };
            let outcome = match (read(a).await, read(b).await) {
                (Ok(old), Ok(new)) => Ok(doc::diff(&old, &new)),
                (Err(f), _) | (_, Err(f)) => Err(f),
            };
            if comparing.try_set(false).is_some() {
                return;
            }
            if let Err(f) = &outcome
                && dashboard.session_over(f)
            {
                return;
            }
            changes.set(Some(outcome));
        });
    };
    let rows = list.clone();
    let options = move |with_draft: bool| {
        let mut all: Vec<(String, String)> = list
            .iter()
            .map(|v| (v.version.to_string(), format!("Version {}", v.version)))
            .collect();
        if with_draft && draft.is_some() {
            all.push((DRAFT.into(), "The draft".into()));
        }
        all
    };
    view! {
        <div class="ad-scroll" role="region" aria-label="Published versions" tabindex="0">
            <table class="ad-table" data-test="versions">
                <thead><tr><th scope="col">"Version"</th><th scope="col">"Published"</th><th scope="col">"Policy version"</th><th scope="col">"Material change"</th></tr></thead>
                <tbody>
                    {rows.into_iter().rev().map(|v| view! {
                        <tr><td>{v.version}</td><td>{v.published_at.clone()}</td><td>{v.policy_version.clone()}</td>
                            <td>{if v.material_change { "Yes: asked again" } else { "No" }}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <div class="ad-row ad-compare">
            <label class="ad-label" for="cmp-from">"Compare"</label>
            <select id="cmp-from" class="ad-input ad-input--short" data-test="compare-from" on:change=move |ev| from.set(event_target_value(&ev))>
                {options(false).into_iter().map(|(value, text)| { let selected = value == from.get_untracked(); view! { <option value=value selected=selected>{text}</option> } }).collect_view()}
            </select>
            <label class="ad-label" for="cmp-to">"with"</label>
            <select id="cmp-to" class="ad-input ad-input--short" data-test="compare-to" on:change=move |ev| to.set(event_target_value(&ev))>
                {options(true).into_iter().map(|(value, text)| { let selected = value == to.get_untracked(); view! { <option value=value selected=selected>{text}</option> } }).collect_view()}
            </select>
            <button type="button" class="ad-btn" data-test="compare" disabled=move || comparing.get() on:click=compare>"Show the changes"</button>
        </div>
        {move || changes.get().map(|outcome| match outcome {
            Err(f) => view! { <p class="ad-note ad-note--error" role="alert">{f.message}</p> }.into_any(),
            Ok(list) if list.is_empty() => view! { <p class="ad-note" role="status" data-test="no-changes">"No differences."</p> }.into_any(),
            Ok(list) => view! {
                <p role="status" data-test="change-count">{format!("{} fields differ.", list.len())}</p>
                <div class="ad-scroll" role="region" aria-label="Changes between the versions" tabindex="0">
                    <table class="ad-table ad-diff" data-test="diff">
                        <thead><tr><th scope="col">"Field"</th><th scope="col">"Before"</th><th scope="col">"After"</th></tr></thead>
                        <tbody>
                            {list.into_iter().map(|c| view! {
                                <tr data-field=c.field.clone()>
                                    <th scope="row"><code>{c.field.clone()}</code></th>
                                    <td class="ad-diff-old">{c.before.unwrap_or_else(|| "(absent)".into())}</td>
                                    <td class="ad-diff-new">{c.after.unwrap_or_else(|| "(absent)".into())}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }.into_any(),
        })}
    }
}
