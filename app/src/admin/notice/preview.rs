//! The live preview: the real banner showing the draft, in a frame of this origin's
//! `/preview/{site}` page (a 30-minute link from `POST …/draft/preview`), reloaded after each
//! save of a draft that validates. Language, regime, colour scheme and a phone's width are
//! switchable; choices made in it are not recorded.

use super::editor::Editor;
use crate::admin::client::{self, Failure};
use assent_shared::admin_api::PreviewLink;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// A link is renewed when it has less than this left, in milliseconds.
const RENEW_BEFORE_MS: f64 = 2.0 * 60.0 * 1000.0;

const REGIMES: &[(&str, &str)] = &[
    ("", "As the visitor's region decides"),
    ("opt_in", "Opt-in (EEA, UK, Switzerland, Brazil, Korea)"),
    ("opt_out", "Opt-out (US states with opt-out rights)"),
    ("notice", "Notice only"),
];

#[component]
pub fn Preview() -> impl IntoView {
    let editor = expect_context::<Editor>();
    // The token and when it stops working (ms since the epoch).
    let link = RwSignal::new(None::<(String, f64)>);
    let failure = RwSignal::new(None::<Failure>);
    let asking = RwSignal::new(false);
    let lang = RwSignal::new(editor.lang.get_untracked());
    let regime = RwSignal::new(String::new());
    let dark = RwSignal::new(false);
    let phone = RwSignal::new(false);

    let ask = move || {
        if asking.get_untracked() {
            return;
        }
        asking.set(true);
        let path = format!("{}/preview", editor.draft_path());
        spawn_local(async move {
            let outcome = client::send::<PreviewLink, _>("POST", &path, &()).await;
            if asking.try_set(false).is_some() {
                return;
            }
            match outcome {
                Ok(made) => {
                    failure.set(None);
                    link.set(Some((made.token, js_sys::Date::parse(&made.expires_at))));
                }
                Err(f) if editor.dashboard.session_over(&f) => {}
                Err(f) => failure.set(Some(f)),
            }
        });
    };
    // A link at the start, and again once the draft validates or the link nears its end.
    Effect::new(move |_| {
        editor.previewable.track();
        let stale = link.with_untracked(|l| {
            l.as_ref()
                .is_none_or(|(_, until)| js_sys::Date::now() > until - RENEW_BEFORE_MS)
        });
        if stale {
            ask();
        }
    });
    let site = editor.site.get_value();
    let src = move || {
        let (token, _) = link.get()?;
        let mut url = format!(
            "/preview/{}?token={token}&lang={}&scheme={}&v={}",
            js_sys::encode_uri_component(&site),
            js_sys::encode_uri_component(&lang.get()),
            if dark.get() { "dark" } else { "light" },
            editor.previewable.get(),
        );
        let regime = regime.get();
        if !regime.is_empty() {
            url.push_str(&format!("&regime={regime}"));
        }
        Some(url)
    };
    let frame_class = move || {
        if phone.get() {
            "ad-preview-frame ad-preview-frame--phone"
        } else {
            "ad-preview-frame"
        }
    };
    view! {
        <section class="ad-card ad-preview" aria-labelledby="ne-preview">
            <h2 class="ad-h" id="ne-preview">"Live preview"</h2>
            <p class="ad-hint">"The real banner with the draft as last saved, shown on Assent's demo page (your site's own pages show it once published). Choices made here are not recorded."</p>
            <div class="ad-preview-controls">
                <label class="ad-label" for="pv-lang">"Language"</label>
                <select id="pv-lang" class="ad-input ad-input--short" data-test="preview-language"
                    on:change=move |ev| lang.set(event_target_value(&ev))>
                    {move || {
                        let current = lang.get();
                        editor.languages().into_iter().map(|tag| {
                            let selected = tag == current;
                            view! { <option value=tag.clone() selected=selected>{tag.clone()}</option> }
                        }).collect_view()
                    }}
                </select>
                <label class="ad-label" for="pv-regime">"Regime"</label>
                <select id="pv-regime" class="ad-input" data-test="preview-regime"
                    on:change=move |ev| regime.set(event_target_value(&ev))>
                    {REGIMES.iter().map(|(value, text)| view! { <option value=*value>{*text}</option> }).collect_view()}
                </select>
                <span class="ad-check">
                    <input id="pv-dark" type="checkbox" data-test="preview-dark" on:change=move |ev| dark.set(event_target_checked(&ev)) />
                    <label for="pv-dark">"Dark colour scheme"</label>
                </span>
                <span class="ad-check">
                    <input id="pv-phone" type="checkbox" data-test="preview-phone" on:change=move |ev| phone.set(event_target_checked(&ev)) />
                    <label for="pv-phone">"Phone width (360 px)"</label>
                </span>
            </div>
            {move || failure.get().map(|f| view! {
                <div class="ad-note ad-note--warn" role="status" data-test="preview-failed">
                    <p class="ad-strong">"The preview cannot show this draft yet."</p>
                    <p>{f.message.clone()}</p>
                </div>
            })}
            {move || (link.with(Option::is_some) && editor.findings.with(|all| all.iter().any(|f| f.code == "invalid"))).then(|| view! {
                <p class="ad-note ad-note--warn" role="status" data-test="preview-stale">
                    "The draft does not validate now, so the preview shows it as last saved in a valid state."
                </p>
            })}
            {move || src().map(|src| view! {
                <div class="ad-preview-stage">
                    <iframe class=frame_class src=src.clone() title="Live preview of the banner with the draft notice"
                        data-test="preview-frame"></iframe>
                </div>
                <p><a href=src target="_blank" rel="noopener" data-test="preview-open">"Open the preview in a new tab"</a></p>
            })}
        </section>
    }
}
