//! Pieces every form of the dashboard uses: a labelled field that shows the server's reason
//! beside it, the failure of a save (what was typed stays), copying to the clipboard, and
//! downloading a file with its progress.

use super::Dashboard;
use super::client::{self, Failure};
use leptos::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// A labelled text input (or a text area with `rows`), bound to `value`. `field` is the name
/// the API gives it in `details.field`: the failure's reason shows under it when it is named.
#[component]
pub fn Field(
    /// The element id, also the `data-test` name.
    id: &'static str,
    label: &'static str,
    value: RwSignal<String>,
    /// The API's name for the field (`name`, `origins`, …).
    #[prop(optional)]
    field: &'static str,
    #[prop(into, optional)] failure: Option<Signal<Option<Failure>>>,
    #[prop(optional)] hint: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] autocomplete: &'static str,
    /// Lines, for a text area; 0 for a one-line input.
    #[prop(optional)]
    rows: u32,
    #[prop(optional)] required: bool,
) -> impl IntoView {
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let reason = move || {
        let failure = failure?;
        failure.with(|f| {
            f.as_ref()
                .and_then(|f| f.reason_for(field).filter(|_| !field.is_empty()))
        })
    };
    let described = {
        let (hint_id, error_id) = (hint_id.clone(), error_id.clone());
        move || {
            let mut ids = Vec::new();
            if !hint.is_empty() {
                ids.push(hint_id.clone());
            }
            if reason().is_some() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    let invalid = move || reason().is_some().then_some("true");
    let input = if rows > 0 {
        view! {
            <textarea id=id class="ad-input" rows=rows data-test=id required=required spellcheck="false"
                aria-describedby=described.clone() aria-invalid=invalid
                prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))></textarea>
        }
        .into_any()
    } else {
        view! {
            <input id=id class="ad-input" type=kind data-test=id required=required
                autocomplete=(!autocomplete.is_empty()).then_some(autocomplete)
                aria-describedby=described.clone() aria-invalid=invalid
                prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev)) />
        }
        .into_any()
    };
    view! {
        <div class="ad-field">
            <label class="ad-label" for=id>{label}</label>
            {(!hint.is_empty()).then(|| view! { <p class="ad-hint" id=hint_id.clone()>{hint}</p> })}
            {input}
            {move || reason().map(|r| view! { <p class="ad-field-error" id=error_id.clone() data-test=format!("{id}-error")>{r}</p> })}
        </div>
    }
}

/// What went wrong with the last request of a form, as an alert; nothing while it is `None`.
#[component]
pub fn FailureNote(#[prop(into)] failure: Signal<Option<Failure>>, what: &'static str) -> impl IntoView {
    move || {
        failure.get().map(|f| {
            view! {
                <div class="ad-note ad-note--error" role="alert" data-test="failure" data-code=f.code.clone()>
                    <p class="ad-strong">{what}</p>
                    <p>{f.message.clone()}</p>
                </div>
            }
        })
    }
}

/// Runs `request`; a failure is kept in `failure` (the form keeps what was typed), unless it
/// means the session ended, which sends the person to sign in.
pub async fn attempt<T>(
    dashboard: Dashboard,
    failure: RwSignal<Option<Failure>>,
    request: impl Future<Output = Result<T, Failure>>,
) -> Option<T> {
    failure.set(None);
    match request.await {
        Ok(value) => Some(value),
        Err(f) => {
            if !dashboard.session_over(&f) {
                failure.set(Some(f));
            }
            None
        }
    }
}

/// A button that copies `text` to the clipboard and says so.
#[component]
pub fn CopyButton(text: Signal<String>, label: &'static str, #[prop(optional)] test: &'static str) -> impl IntoView {
    let dashboard = expect_context::<Dashboard>();
    let copy = move |_| {
        let text = text.get_untracked();
        leptos::task::spawn_local(async move {
            let copied = match web_sys::window().map(|w| w.navigator().clipboard()) {
                Some(clipboard) => JsFuture::from(clipboard.write_text(&text)).await.is_ok(),
                None => false,
            };
            dashboard.status.set(if copied {
                "Copied to the clipboard.".into()
            } else {
                "The browser refused the clipboard: select the text and copy it yourself.".into()
            });
        });
    };
    view! {
        <button type="button" class="ad-btn ad-btn--quiet" data-test=test on:click=copy>{label}</button>
    }
}

/// A button that downloads `path` ([`client::download`]): the bytes received show beside it
/// while it streams, and a failure says why under it.
#[component]
pub fn DownloadButton(
    path: String,
    /// The file name when the server gives none.
    fallback: String,
    label: &'static str,
    test: &'static str,
    /// A fuller name for assistive technology, when several buttons share `label`.
    #[prop(optional, into)]
    aria_label: Option<String>,
) -> impl IntoView {
    let dashboard = expect_context::<Dashboard>();
    let received = RwSignal::new(None::<f64>);
    let failure = RwSignal::new(None::<Failure>);
    let click = move |_| {
        let (path, fallback) = (path.clone(), fallback.clone());
        received.set(Some(0.0));
        leptos::task::spawn_local(async move {
            let download = client::download(&path, &fallback, move |bytes| received.set(Some(bytes)));
            let saved = attempt(dashboard, failure, download).await;
            received.set(None);
            if let Some(saved) = saved {
                dashboard
                    .status
                    .set(format!("Saved {} ({}).", saved.name, client::size(saved.bytes)));
            }
        });
    };
    view! {
        <button type="button" class="ad-btn" data-test=test aria-label=aria_label disabled=move || received.get().is_some() on:click=click>
            {label}
        </button>
        <span class="ad-progress" role="status">{move || received.get().map(|b| format!("{} received", client::size(b)))}</span>
        <FailureNote failure=failure what="The download failed." />
    }
}
