//! A site's webhook endpoints (DESIGN, "Site owners": Standard Webhooks signatures, a
//! durable outbox with retries): the endpoints and their delivery logs for everyone with a
//! role (`GET /v1/admin/sites/{site}/webhooks`, `…/{id}/deliveries`); for an owner, adding
//! one, enabling or disabling it, deleting it and rotating its signing secret, which is
//! shown once. The API has no re-send: a failed message is retried by the outbox on its
//! schedule, and a disabled endpoint's messages wait for it.

use super::client::{self, Failure};
use super::deliveries::Deliveries;
use super::form::{CopyButton, FailureNote, Field, attempt};
use super::site::{SiteTabs, site_path};
use super::{Dashboard, Load, Pending, load};
use assent_shared::webhooks::{
    EventType, NewWebhook, RotateWebhookSecret, WebhookPatch, WebhookView, WebhookWithSecret,
};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// What each event type means, in the dashboard's words.
fn event_label(event: EventType) -> &'static str {
    match event {
        EventType::Recorded => "Every recorded choice",
        EventType::Withdrawn => "Withdrawals",
        EventType::Expired => "Consents that expired",
        EventType::Gpc => "Choices with a GPC signal",
    }
}

#[component]
pub fn WebhooksPage(id: String) -> impl IntoView {
    let dashboard = expect_context::<Dashboard>();
    let owner = dashboard.owns(&id);
    let list = RwSignal::new(Load::<Vec<WebhookView>>::Loading);
    // A secret just made (by creating or rotating), shown this once.
    let secret = RwSignal::new(None::<WebhookWithSecret>);
    let path = format!("{}/webhooks", site_path(&id));
    let reload = {
        let path = path.clone();
        move || load(dashboard, path.clone(), list)
    };
    reload();
    let retry = Callback::new({
        let reload = reload.clone();
        move |()| reload()
    });
    let on_secret = Callback::new({
        let reload = reload.clone();
        move |made: WebhookWithSecret| {
            secret.set(Some(made));
            reload();
            // The secret shows above the list, which reloads: the keyboard goes to it.
            request_animation_frame(|| super::route::focus("#webhook-secret-heading"));
        }
    });
    let on_changed = Callback::new(move |()| reload());
    view! {
        <SiteTabs id=id.clone() current="webhooks" />
        <h1 class="ad-title" tabindex="-1">"Webhooks"</h1>
        <p class="ad-muted">"Assent tells your endpoints about recorded choices, signed as Standard Webhooks describes (check the webhook-signature header with the endpoint's secret). A message that fails is retried on a schedule; a disabled endpoint's messages wait for it."</p>
        {move || secret.get().map(|s| view! { <WebhookSecret made=s /> })}
        {owner.then(|| view! { <NewEndpoint path=path.clone() on_created=on_secret /> })}
        {move || match list.get() {
            Load::Loading => view! { <Pending what="webhook endpoints" failure=None retry=retry /> }.into_any(),
            Load::Failed(f) => view! { <Pending what="webhook endpoints" failure=Some(f) retry=retry /> }.into_any(),
            Load::Ready(endpoints) if endpoints.is_empty() => view! {
                <p class="ad-note" data-test="no-webhooks">"No endpoint yet."</p>
            }.into_any(),
            Load::Ready(endpoints) => endpoints.into_iter().map(|w| view! {
                <Endpoint webhook=w path=path.clone() owner=owner on_secret=on_secret on_changed=on_changed />
            }).collect_view().into_any(),
        }}
    }
}

/// An endpoint's secret, shown this once.
#[component]
fn WebhookSecret(made: WebhookWithSecret) -> impl IntoView {
    let text = Signal::derive({
        let secret = made.secret.clone();
        move || secret.clone()
    });
    view! {
        <section class="ad-card ad-card--secret" aria-labelledby="webhook-secret-heading" data-test="webhook-secret-shown">
            <h2 class="ad-h2" id="webhook-secret-heading" tabindex="-1">"The endpoint's signing secret, shown this once"</h2>
            <p>{format!("For {}. Store it where the receiver checks signatures now: Assent shows it only this once.", made.webhook.url)}</p>
            <pre class="ad-code" data-test="webhook-secret"><code>{made.secret.clone()}</code></pre>
            <div class="ad-actions">
                <CopyButton text=text label="Copy the secret" test="copy-webhook-secret" />
            </div>
        </section>
    }
}

/// Adding an endpoint: its URL and the event types it wants.
#[component]
fn NewEndpoint(path: String, on_created: Callback<WebhookWithSecret>) -> impl IntoView {
    let dashboard = expect_context::<Dashboard>();
    let url = RwSignal::new(String::new());
    let wanted = RwSignal::new(vec![EventType::Recorded]);
    let failure = RwSignal::new(None::<Failure>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        let new = NewWebhook {
            url: url.get_untracked().trim().to_owned(),
            events: wanted.get_untracked(),
            enabled: true,
        };
        let path = path.clone();
        spawn_local(async move {
            let made = attempt(
                dashboard,
                failure,
                client::send::<WebhookWithSecret, _>("POST", &path, &new),
            )
            .await;
            busy.set(false);
            if let Some(made) = made {
                url.set(String::new());
                dashboard
                    .status
                    .set("The endpoint is added. Copy its secret now: it is shown this once.".into());
                on_created.run(made);
            }
        });
    };
    view! {
        <section class="ad-card" aria-labelledby="new-webhook-heading" data-test="new-webhook">
            <h2 class="ad-h2" id="new-webhook-heading">"Add an endpoint"</h2>
            <form class="ad-form" on:submit=submit novalidate=true>
                <Field id="webhook-url" label="URL" value=url field="url" failure=failure required=true kind="url"
                    hint="Where Assent sends the messages: an http(s) address on a public host (https keeps them private on the way)." />
                <fieldset class="ad-field ad-fieldset" aria-describedby=move || failure.with(|f| f.as_ref().and_then(|f| f.reason_for("events")).map(|_| "webhook-events-error"))>
                    <legend class="ad-label">"Events"</legend>
                    {[EventType::Recorded, EventType::Withdrawn, EventType::Expired, EventType::Gpc].into_iter().map(|event| {
                        let id = format!("webhook-event-{}", event.as_str().replace('.', "-"));
                        view! {
                            <div class="ad-choice">
                                <input type="checkbox" id=id.clone() data-test=id.clone()
                                    prop:checked=move || wanted.with(|w| w.contains(&event))
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        wanted.update(|w| if on { w.push(event) } else { w.retain(|e| *e != event) });
                                    } />
                                <label for=id>{event_label(event)} " " <code>{event.as_str()}</code></label>
                            </div>
                        }
                    }).collect_view()}
                    {move || failure.with(|f| f.as_ref().and_then(|f| f.reason_for("events"))).map(|r| view! {
                        <p class="ad-field-error" id="webhook-events-error">{r}</p>
                    })}
                </fieldset>
                <FailureNote failure=failure what="The endpoint was not added." />
                <div class="ad-actions">
                    <button type="submit" class="ad-btn ad-btn--primary" data-test="webhook-create" disabled=move || busy.get()>
                        {move || if busy.get() { "Adding…" } else { "Add the endpoint" }}
                    </button>
                </div>
            </form>
        </section>
    }
}

/// One endpoint: what it gets, its state, its owner's controls and its delivery log.
#[component]
fn Endpoint(
    webhook: WebhookView,
    path: String,
    owner: bool,
    on_secret: Callback<WebhookWithSecret>,
    on_changed: Callback<()>,
) -> impl IntoView {
    let heading = format!("webhook-{}", webhook.id);
    let labelled = heading.clone();
    let endpoint = format!("{path}/{}", webhook.id);
    view! {
        <section class="ad-card" aria-labelledby=labelled data-test="webhook" data-url=webhook.url.clone()>
            <h2 class="ad-h2" id=heading><code>{webhook.url.clone()}</code></h2>
            <div class="ad-pills">
                <span class=if webhook.enabled { "ad-pill" } else { "ad-pill ad-pill--warn" } data-test="webhook-state">
                    {if webhook.enabled { "Enabled" } else { "Disabled" }}
                </span>
                {webhook.events.iter().map(|e| view! { <span class="ad-pill">{e.as_str()}</span> }).collect_view()}
                <span class="ad-pill" data-test="webhook-pending">{format!("{} waiting", webhook.pending)}</span>
            </div>
            <p class="ad-muted">{format!("Added {}", webhook.created_at)}</p>
            {owner.then(|| view! { <EndpointControls webhook=webhook.clone() path=endpoint.clone() on_secret=on_secret on_changed=on_changed /> })}
            <Deliveries path=format!("{endpoint}/deliveries") url=webhook.url.clone() />
        </section>
    }
}

/// Enable or disable, rotate the secret, delete — each a write of its own, asked first when
/// it cannot be taken back.
#[component]
fn EndpointControls(
    webhook: WebhookView,
    path: String,
    on_secret: Callback<WebhookWithSecret>,
    on_changed: Callback<()>,
) -> impl IntoView {
    let dashboard = expect_context::<Dashboard>();
    let failure = RwSignal::new(None::<Failure>);
    let busy = RwSignal::new(false);
    // Which irreversible step waits for a yes: "rotate" or "delete".
    let asking = RwSignal::new(None::<&'static str>);
    // The button pressed is replaced by the question: focus goes to its answer.
    let confirm_button = NodeRef::<leptos::html::Button>::new();
    let ask = move |step: &'static str| {
        asking.set(Some(step));
        request_animation_frame(move || {
            if let Some(button) = confirm_button.get_untracked() {
                let _ = button.focus();
            }
        });
    };
    let enabled = webhook.enabled;
    let toggle = {
        let path = path.clone();
        move |_| {
            busy.set(true);
            let patch = WebhookPatch {
                enabled: Some(!enabled),
                ..WebhookPatch::default()
            };
            let path = path.clone();
            spawn_local(async move {
                let done = attempt(
                    dashboard,
                    failure,
                    client::send::<WebhookView, _>("PATCH", &path, &patch),
                )
                .await;
                busy.set(false);
                if done.is_some() {
                    dashboard.status.set(
                        if enabled {
                            "The endpoint is disabled."
                        } else {
                            "The endpoint is enabled."
                        }
                        .into(),
                    );
                    on_changed.run(());
                }
            });
        }
    };
    let confirm = {
        let path = path.clone();
        move |_| {
            let step = asking.get_untracked();
            busy.set(true);
            let path = path.clone();
            spawn_local(async move {
                // The list reloads after a change, replacing this component: its own state
                // is settled first.
                if step == Some("rotate") {
                    let url = format!("{path}/rotate-secret");
                    let request = RotateWebhookSecret::default();
                    let made = attempt(
                        dashboard,
                        failure,
                        client::send::<WebhookWithSecret, _>("POST", &url, &request),
                    )
                    .await;
                    busy.set(false);
                    asking.set(None);
                    if let Some(made) = made {
                        dashboard
                            .status
                            .set("A new secret was made. Copy it now: it is shown this once.".into());
                        on_secret.run(made);
                    }
                } else {
                    let deleted = attempt(dashboard, failure, client::send_empty("DELETE", &path)).await;
                    busy.set(false);
                    asking.set(None);
                    if deleted.is_some() {
                        dashboard.status.set("The endpoint is deleted.".into());
                        on_changed.run(());
                    }
                }
            });
        }
    };
    let question = move || match asking.get() {
        Some("rotate") => {
            "Make a new signing secret? Messages carry a signature with the current one too for the next 24 hours, so the receiver can switch without missing any."
        }
        _ => "Delete this endpoint? Its waiting messages and its delivery log go with it.",
    };
    view! {
        <FailureNote failure=failure what="The endpoint was not changed." />
        <Show when=move || asking.get().is_some() fallback=move || view! {
            <div class="ad-actions">
                <button type="button" class="ad-btn" data-test="webhook-toggle" disabled=move || busy.get() on:click=toggle.clone()>
                    {if enabled { "Disable" } else { "Enable" }}
                </button>
                <button type="button" class="ad-btn ad-btn--danger" data-test="webhook-rotate" on:click=move |_| ask("rotate")>"Rotate the secret"</button>
                <button type="button" class="ad-btn ad-btn--danger" data-test="webhook-delete" on:click=move |_| ask("delete")>"Delete"</button>
            </div>
        }>
            <div class="ad-confirm" role="group" aria-label="Confirm">
                <p class="ad-strong">{question}</p>
                <div class="ad-actions">
                    <button type="button" class="ad-btn ad-btn--danger" data-test="webhook-confirm" node_ref=confirm_button disabled=move || busy.get() on:click=confirm.clone()>
                        {move || if asking.get() == Some("rotate") { "Rotate now" } else { "Delete now" }}
                    </button>
                    <button type="button" class="ad-btn" data-test="webhook-cancel" on:click=move |_| asking.set(None)>"Cancel"</button>
                </div>
            </div>
        </Show>
    }
}
