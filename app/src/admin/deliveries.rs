//! A webhook endpoint's delivery log (`GET /v1/admin/sites/{site}/webhooks/{id}/deliveries`,
//! viewer): each attempt with its outcome, newest first, read when opened and paged backwards
//! with the API's `before` cursor.

use super::Dashboard;
use super::client::{self, Failure};
use super::form::{FailureNote, attempt};
use assent_shared::webhooks::Delivery;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Deliveries per page (the API allows up to 500).
const PAGE: usize = 20;

/// The endpoint's delivery log, newest first, read when asked for, a page at a time.
#[component]
pub fn Deliveries(path: String, url: String) -> impl IntoView {
    let dashboard = expect_context::<Dashboard>();
    let rows = RwSignal::new(None::<Vec<Delivery>>);
    let more = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let failure = RwSignal::new(None::<Failure>);
    let fetch = move |older: bool| {
        let before = rows.with_untracked(|r| r.as_ref().and_then(|r| r.last()).map(|d| d.id));
        let url = match (older, before) {
            (true, Some(before)) => format!("{path}?limit={PAGE}&before={before}"),
            _ => format!("{path}?limit={PAGE}"),
        };
        busy.set(true);
        spawn_local(async move {
            let page = attempt(dashboard, failure, client::get::<Vec<Delivery>>(&url)).await;
            busy.set(false);
            if let Some(page) = page {
                more.set(page.len() == PAGE);
                rows.update(|r| match r {
                    Some(r) if older => r.extend(page),
                    _ => *r = Some(page),
                });
            }
        });
    };
    let show = fetch.clone();
    view! {
        <details class="ad-numbers" data-test="deliveries" on:toggle=move |_| if rows.with_untracked(Option::is_none) { show(false) }>
            <summary>"Deliveries"</summary>
            <FailureNote failure=failure what="The delivery log could not be read." />
            {move || (busy.get() && rows.with(Option::is_none)).then(|| view! { <p class="ad-note" role="status">"Loading the deliveries…"</p> })}
            {move || rows.get().map(|r| if r.is_empty() {
                view! { <p class="ad-note" data-test="no-deliveries">"Nothing delivered or attempted yet."</p> }.into_any()
            } else {
                view! {
                    <div class="ad-scroll" role="region" aria-label=format!("Deliveries to {url}") tabindex="0">
                        <table class="ad-table" data-test="deliveries-table">
                            <thead><tr>
                                <th scope="col">"When (UTC)"</th><th scope="col">"Event"</th><th scope="col">"Attempt"</th>
                                <th scope="col">"Outcome"</th><th scope="col">"Time"</th>
                            </tr></thead>
                            <tbody>
                                {r.into_iter().map(|d| {
                                    let outcome = match (d.delivered, d.status_code, d.error) {
                                        (true, Some(code), _) => format!("Delivered ({code})"),
                                        (_, Some(code), _) => format!("Refused ({code})"),
                                        (_, None, Some(error)) => format!("Failed: {error}"),
                                        _ => "Failed".to_owned(),
                                    };
                                    view! {
                                        <tr data-test="delivery" data-delivered=d.delivered.to_string()>
                                            <td>{d.attempted_at}</td>
                                            <td><code>{d.event_type.as_str()}</code></td>
                                            <td>{d.attempt.to_string()}</td>
                                            <td>{outcome}</td>
                                            <td>{format!("{} ms", d.duration_ms)}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            })}
            {move || rows.with(Option::is_some).then(|| {
                let (newest, older) = (fetch.clone(), fetch.clone());
                view! {
                    <div class="ad-actions">
                        <button type="button" class="ad-btn" data-test="deliveries-refresh" disabled=move || busy.get() on:click=move |_| newest(false)>"Show the newest"</button>
                        {move || more.get().then(|| {
                            let older = older.clone();
                            view! {
                                <button type="button" class="ad-btn" data-test="deliveries-older" disabled=move || busy.get() on:click=move |_| older(true)>"Older deliveries"</button>
                            }
                        })}
                    </div>
                }
            })}
        </details>
    }
}
