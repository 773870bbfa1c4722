//! The subject's events as a timeline, newest first: what changed, when, how, under which
//! notice version (with the text shown then, its hash checked here), each with its signed
//! receipt to download and a *Verify* button that checks it in the browser.

use super::verify::{Verdict, describe, verify};
use super::{Page, download, local_time};
use assent_shared::api::NoticeVersionResponse;
use assent_shared::consent::{ConsentEvent, Decision, Method};
use leptos::prelude::*;
use leptos::task::spawn_local;

#[component]
pub fn History() -> impl IntoView {
    let page = expect_context::<Page>();
    let rows = move || {
        let events = page.events.get();
        // Each event with the one before it in the chain, newest first.
        let mut pairs: Vec<(ConsentEvent, Option<ConsentEvent>)> = events
            .iter()
            .enumerate()
            .map(|(i, e)| (e.clone(), i.checked_sub(1).map(|j| events[j].clone())))
            .collect();
        pairs.reverse();
        pairs
    };
    view! {
        <section class="as-section" aria-labelledby="as-history">
            <super::Heading level=page.top + 1 id="as-history" class="as-h2">{page.w("history_heading")}</super::Heading>
            <Show when=move || page.events.with(Vec::is_empty)>
                <p class="as-meta">{page.w("history_empty")}</p>
            </Show>
            <ol class="as-list as-timeline" role="list" data-test="history">
                <For each=rows key=|(e, _)| e.event_id.to_string() let:pair>
                    <li><EventRow event=pair.0 previous=pair.1 /></li>
                </For>
            </ol>
        </section>
    }
}

fn method_key(method: Method) -> &'static str {
    match method {
        Method::AcceptAll => "m_accept_all",
        Method::RejectAll => "m_reject_all",
        Method::Save => "m_save",
        Method::Close => "m_close",
        Method::Withdraw => "m_withdraw",
        Method::Object => "m_object",
        Method::Gpc => "m_gpc",
        Method::Expire => "m_expire",
        Method::Api => "m_api",
        Method::Sync => "m_sync",
    }
}

#[component]
fn EventRow(event: ConsentEvent, previous: Option<ConsentEvent>) -> impl IntoView {
    let page = expect_context::<Page>();
    let lang = page.language();
    let titles = page
        .notice
        .with_untracked(|n| n.as_ref().map(|n| n.notice.purposes.clone()))
        .unwrap_or_default();
    let decisions: Vec<(String, bool)> = event
        .decisions
        .iter()
        .map(|(k, d)| {
            let title = titles
                .iter()
                .find(|p| &p.key == k)
                .map_or_else(|| k.to_string(), |p| p.title.clone());
            (title, *d == Decision::Granted)
        })
        .collect();
    let verdict = RwSignal::new(None::<Result<Verdict, ()>>);
    let shown = RwSignal::new(None::<Result<NoticeVersionResponse, String>>);
    let id = event.event_id.to_string();
    let on_verify = {
        let (event, previous) = (event.clone(), previous.clone());
        move |_| {
            let (event, previous) = (event.clone(), previous.clone());
            verdict.set(Some(Err(())));
            spawn_local(async move {
                let Some(client) = page.client() else { return };
                let outcome = verify(&client, &event, previous.as_ref()).await;
                verdict.set(Some(Ok(outcome)));
            });
        }
    };
    let on_receipt = {
        let event = event.clone();
        move |_| {
            let event = event.clone();
            spawn_local(async move {
                let Some(client) = page.client() else { return };
                match client.receipt(&event.event_id).await {
                    Ok(jws) => download(&format!("receipt-{}.jws", event.event_id), "application/jose", &jws),
                    Err(err) => page.status.set(describe(&err)),
                }
            });
        }
    };
    let on_open = {
        let event = event.clone();
        move |ev: leptos::ev::Event| {
            let open = event_target::<web_sys::HtmlDetailsElement>(&ev).open();
            if !open || shown.with_untracked(Option::is_some) {
                return;
            }
            let event = event.clone();
            spawn_local(async move {
                let Some(client) = page.client() else { return };
                let answer = client
                    .notice_version(event.notice_version, &event.language)
                    .await
                    .map_err(|e| describe(&e));
                shown.set(Some(answer));
            });
        }
    };
    let event_hash = event.notice_hash.clone();
    let verdict_view = move || {
        verdict.get().map(|v| match v {
            Err(()) => view! { <p class="as-meta" role="status">{page.w("verifying")}</p> }.into_any(),
            Ok(Verdict::Verified { kid, issuer }) => view! {
                <div class="as-verdict as-verdict--ok" role="status" data-test="verified">
                    <p>{page.w("verified").replace("{kid}", &kid).replace("{issuer}", &issuer)}</p>
                    <p class="as-meta">{page.w("verify_scope")}</p>
                </div>
            }
            .into_any(),
            Ok(Verdict::NotVerified(reason)) => view! {
                <p class="as-verdict as-verdict--bad" role="alert" data-test="not-verified">
                    {page.w("not_verified").replace("{reason}", &reason)}
                </p>
            }
            .into_any(),
        })
    };
    let shown_view = move || {
        shown.get().map(|answer| match answer {
            Ok(shown) => {
                // The text is the one recorded if its hash, recomputed here, is the event's.
                let matches = assent_shared::canonical::notice_hash(&shown.notice).is_ok_and(|h| h == event_hash)
                    && shown.notice_hash == event_hash;
                view! {
                    <div class="as-shown" data-test="shown-text" data-hash-matches=matches.to_string()>
                        <p class="as-strong">{shown.notice.title.clone()}</p>
                        <p>{shown.notice.body.clone()}</p>
                        <ul>
                            {shown.notice.purposes.iter().map(|p| view! {
                                <li><span class="as-strong">{p.title.clone()}</span>": "{p.description.clone()}</li>
                            }).collect_view()}
                        </ul>
                        <p class="as-meta"><code>{format!("SHA-256 {}", shown.notice_hash)}</code></p>
                    </div>
                }
                .into_any()
            }
            Err(reason) => view! { <p class="as-meta" role="alert">{reason}</p> }.into_any(),
        })
    };
    view! {
        <article class="as-event" data-test=format!("event-{id}")>
            <p class="as-event__what" id=format!("as-what-{id}")>
                <span class="as-strong">{page.w(method_key(event.method))}</span>
                " · "
                <time datetime=event.recorded_at.clone()>{local_time(&event.recorded_at, &lang)}</time>
            </p>
            <ul class="as-decisions">
                {decisions.into_iter().map(|(title, granted)| view! {
                    <li class=if granted { "as-on" } else { "as-off" }>
                        {title}": "{if granted { page.w("state_on") } else { page.w("state_off") }}
                    </li>
                }).collect_view()}
            </ul>
            <details class="as-details" on:toggle=on_open>
                <summary>
                    {page.w("notice_version").replace("{version}", &event.notice_version.to_string())}
                    " — "{page.w("text_at_the_time")}
                </summary>
                {shown_view}
            </details>
            <div class="as-actions">
                <button type="button" class="as-btn" data-test="receipt" aria-describedby=format!("as-what-{id}") on:click=on_receipt>{page.w("receipt")}</button>
                <button type="button" class="as-btn" data-test="verify" aria-describedby=format!("as-what-{id}") on:click=on_verify>{page.w("verify")}</button>
            </div>
            {verdict_view}
        </article>
    }
}
