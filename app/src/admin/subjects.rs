//! Data-subject requests for one site (GDPR Art. 15 access, Art. 17 erasure, Art. 20
//! portability): look a subject up by its id, or by the site's own account id through its
//! identity links (`GET /v1/admin/sites/{site}/subjects/{subject}`, `…/accounts/{account}`,
//! viewer, audited); its current state, its history with each event's signed receipt, its
//! export; and, for an owner, its erasure (`POST …/subjects/{subject}/erasure`) after a
//! dialog that says what is erased and what stays as evidence.

use super::Dashboard;
use super::client::{self, Failure};
use super::form::{DownloadButton, FailureNote, Field, attempt};
use super::site::{SiteTabs, site_path};
use super::stats::method_label;
use assent_shared::admin_api::{AccountRecord, SubjectRecord};
use assent_shared::wire_name;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// `1 event`, `3 events`.
fn count(events: usize) -> String {
    if events == 1 {
        "1 event".to_owned()
    } else {
        format!("{events} events")
    }
}

/// What a lookup found.
#[derive(Debug, Clone)]
enum Found {
    Subject(SubjectRecord),
    Account(AccountRecord),
}

/// What the lookup takes, for either kind of id.
const LOOKUP_HINT: &str = "A subject id looks like 0b9f6c1e-2d43-4a57-9a43-4c8f1e2d3a4b; an account id is your own \
     (the id your site gives the signed-in person).";

#[component]
pub fn SubjectsPage(id: String) -> impl IntoView {
    let dashboard = expect_context::<Dashboard>();
    let by_account = RwSignal::new(false);
    let query = RwSignal::new(String::new());
    let failure = RwSignal::new(None::<Failure>);
    let busy = RwSignal::new(false);
    let found = RwSignal::new(None::<Found>);
    let base = site_path(&id);
    let look_up = move || {
        let value = query.get_untracked().trim().to_owned();
        let account = by_account.get_untracked();
        // Nothing typed: said here, no request (an empty path segment is no id at all).
        if value.is_empty() {
            failure.set(Some(Failure {
                status: 0,
                code: "invalid_input".into(),
                message: "Type the id to look up.".into(),
                field: Some(("subject_id".into(), "empty: type a subject id or an account id".into())),
                findings: Vec::new(),
            }));
            found.set(None);
            return;
        }
        let kind = if account { "accounts" } else { "subjects" };
        let path = format!("{base}/{kind}/{}", js_sys::encode_uri_component(&value));
        busy.set(true);
        spawn_local(async move {
            let answer = if account {
                attempt(dashboard, failure, client::get::<AccountRecord>(&path))
                    .await
                    .map(Found::Account)
            } else {
                attempt(dashboard, failure, client::get::<SubjectRecord>(&path))
                    .await
                    .map(Found::Subject)
            };
            busy.set(false);
            // A failed lookup keeps what was found before out of sight: it answered another query.
            found.set(answer);
        });
    };
    let submit = {
        let look_up = look_up.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            look_up();
        }
    };
    let open_subject = Callback::new(move |subject: String| {
        by_account.set(false);
        query.set(subject);
        look_up();
    });
    let on_erased = Callback::new(move |record: SubjectRecord| found.set(Some(Found::Subject(record))));
    let site = id.clone();
    view! {
        <SiteTabs id=id.clone() current="subjects" />
        <h1 class="ad-title" tabindex="-1">"Data-subject requests"</h1>
        <p class="ad-muted">"Answer a visitor who asks what they agreed to, for a copy, or to be erased. Visitors are pseudonymous: find them by the subject id their browser holds (the privacy-settings page shows it), or by your own account id if your site links its accounts. Every lookup is written in the audit log."</p>
        <form class="ad-card ad-form" on:submit=submit novalidate=true data-test="subject-lookup">
            <fieldset class="ad-field ad-fieldset">
                <legend class="ad-label">"Look up by"</legend>
                <div class="ad-choice">
                    <input type="radio" name="lookup-by" id="lookup-subject" data-test="lookup-subject"
                        prop:checked=move || !by_account.get() on:change=move |_| by_account.set(false) />
                    <label for="lookup-subject">"Subject id"</label>
                </div>
                <div class="ad-choice">
                    <input type="radio" name="lookup-by" id="lookup-account" data-test="lookup-account"
                        prop:checked=move || by_account.get() on:change=move |_| by_account.set(true) />
                    <label for="lookup-account">"Your account id"</label>
                </div>
            </fieldset>
            <Field id="lookup-value" label="Id" value=query field="subject_id" failure=failure required=true
                hint=LOOKUP_HINT />
            <FailureNote failure=failure what="Nothing to show." />
            <div class="ad-actions">
                <button type="submit" class="ad-btn ad-btn--primary" data-test="lookup-run" disabled=move || busy.get()>
                    {move || if busy.get() { "Looking up…" } else { "Look up" }}
                </button>
            </div>
        </form>
        {move || found.get().map(|f| match f {
            Found::Subject(record) => view! { <SubjectView record=record site=site.clone() on_erased=on_erased /> }.into_any(),
            Found::Account(record) => view! { <AccountView record=record open=open_subject /> }.into_any(),
        })}
    }
}

/// The subjects linked to an account id, each to open.
#[component]
fn AccountView(record: AccountRecord, open: Callback<String>) -> impl IntoView {
    view! {
        <section class="ad-card" aria-labelledby="account-heading" data-test="account-record">
            <h2 class="ad-h2" id="account-heading">{format!("Account {}", record.account_id.as_str())}</h2>
            <p>"Each browser or device the account was linked from is a subject of its own; open one for its history, export and erasure."</p>
            <ul class="ad-list">
                {record.subjects.into_iter().map(|s| {
                    let subject = s.link.subject_id.to_string();
                    let linked = match &s.link.unlinked_at {
                        None => format!("Linked since {}", s.link.linked_at),
                        Some(until) => format!("Linked {} to {}", s.link.linked_at, until),
                    };
                    view! {
                        <li class="ad-row" data-test="linked-subject">
                            <div>
                                <code>{subject.clone()}</code>
                                <p class="ad-muted">{linked}</p>
                            </div>
                            <button type="button" class="ad-btn" on:click=move |_| open.run(subject.clone())>"Open this subject"</button>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}

/// One subject: its state, its history with receipts, its export and (owners) its erasure.
#[component]
fn SubjectView(record: SubjectRecord, site: String, on_erased: Callback<SubjectRecord>) -> impl IntoView {
    let dashboard = expect_context::<Dashboard>();
    let subject = record.subject_id.to_string();
    let erased = record.status == "erased";
    let base = format!("{}/subjects/{}", site_path(&site), subject);
    let can_erase = dashboard.owns(&site) && !erased;
    let events = record.events.len();
    let current = record.current.clone();
    view! {
        <section class="ad-card" aria-labelledby="subject-heading" data-test="subject-record" data-status=record.status.clone()>
            <h2 class="ad-h2" id="subject-heading" tabindex="-1">"Subject " <code>{subject.clone()}</code></h2>
            <div class="ad-pills">
                <span class=if erased { "ad-pill ad-pill--warn" } else { "ad-pill" } data-test="subject-status">
                    {if erased { "Erased" } else { "Active" }}
                </span>
                <span class="ad-pill" data-test="subject-events">{count(events)}</span>
            </div>
            {erased.then(|| view! {
                <p class="ad-note" data-test="erased-note">"Erased: its browser's token no longer works and its links and current state are gone. The events below stay as the evidence of what was agreed and withdrawn."</p>
            })}
            <div class="ad-actions">
                <DownloadButton path=format!("{base}/export?format=json") fallback=format!("assent-{subject}.json") label="Export as JSON" test="subject-export-json" />
                <DownloadButton path=format!("{base}/export?format=csv") fallback=format!("assent-{subject}.csv") label="Export as CSV" test="subject-export-csv" />
            </div>
            {can_erase.then(|| view! { <Erase path=format!("{base}/erasure") events=events on_erased=on_erased /> })}
        </section>
        <section class="ad-card" aria-labelledby="current-heading" data-test="subject-current">
            <h2 class="ad-h2" id="current-heading">"Current state"</h2>
            {if current.is_empty() {
                view! { <p class="ad-note" data-test="no-current">{if erased { "None: erasure deleted it." } else { "No decision recorded." }}</p> }.into_any()
            } else {
                view! {
                    <div class="ad-scroll" role="region" aria-label="Decisions per purpose now" tabindex="0">
                        <table class="ad-table">
                            <thead><tr><th scope="col">"Purpose"</th><th scope="col">"Decision"</th><th scope="col">"State"</th><th scope="col">"Since"</th></tr></thead>
                            <tbody>
                                {current.into_iter().map(|(purpose, d)| view! {
                                    <tr data-test=format!("current-{purpose}")>
                                        <th scope="row">{purpose.to_string()}</th>
                                        <td>{wire_name(&d.decision)}</td>
                                        <td>{wire_name(&d.state)}</td>
                                        <td>{d.updated_at}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
        <section class="ad-card" aria-labelledby="history-heading" data-test="subject-history">
            <h2 class="ad-h2" id="history-heading">"History"</h2>
            <p>"Oldest first. Each event's receipt is the signed statement (a JWS) Assent gave when it was recorded; anyone can check it against this server's public keys at /.well-known/jwks.json."</p>
            <div class="ad-scroll" role="region" aria-label="Events, oldest first" tabindex="0">
                <table class="ad-table">
                    <thead><tr><th scope="col">"#"</th><th scope="col">"Recorded (UTC)"</th><th scope="col">"How"</th><th scope="col">"Decisions"</th><th scope="col">"Receipt"</th></tr></thead>
                    <tbody>
                        {record.events.into_iter().map(|e| {
                            let decisions = e.decisions.iter()
                                .map(|(p, d)| format!("{p}: {}", wire_name(d)))
                                .collect::<Vec<_>>().join(", ");
                            let event = e.event_id.to_string();
                            let how = format!("{} ({})", method_label(&wire_name(&e.method)), wire_name(&e.source));
                            view! {
                                <tr data-test="history-event">
                                    <th scope="row">{e.seq.to_string()}</th>
                                    <td>{e.recorded_at.clone()}</td>
                                    <td>{how}</td>
                                    <td>{decisions}</td>
                                    <td>
                                        <DownloadButton path=format!("{base}/consents/{event}/receipt") fallback=format!("assent-receipt-{event}.json")
                                            label="Receipt" test="receipt" aria_label=format!("Download the receipt of event {}", e.seq) />
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

/// Erasing the subject, after a modal dialog that says what goes and what stays.
#[component]
fn Erase(path: String, events: usize, on_erased: Callback<SubjectRecord>) -> impl IntoView {
    let dashboard = expect_context::<Dashboard>();
    let dialog = NodeRef::<leptos::html::Dialog>::new();
    let failure = RwSignal::new(None::<Failure>);
    let busy = RwSignal::new(false);
    let open = move |_| {
        failure.set(None);
        if let Some(dialog) = dialog.get_untracked() {
            let _ = dialog.show_modal();
        }
    };
    let close = move || {
        if let Some(dialog) = dialog.get_untracked() {
            dialog.close();
        }
    };
    let erase = move |_| {
        busy.set(true);
        let path = path.clone();
        spawn_local(async move {
            let answer = attempt(dashboard, failure, client::send_bare::<SubjectRecord>("POST", &path)).await;
            busy.set(false);
            if let Some(record) = answer {
                close();
                dashboard
                    .status
                    .set(format!("The subject is erased. Kept as evidence: {}.", count(events)));
                on_erased.run(record);
                request_animation_frame(|| super::route::focus("#subject-heading"));
            }
        });
    };
    view! {
        <div class="ad-actions">
            <button type="button" class="ad-btn ad-btn--danger" data-test="erase-open" on:click=open>"Erase this subject…"</button>
        </div>
        <dialog class="ad-dialog" node_ref=dialog aria-labelledby="erase-title" aria-describedby="erase-what" data-test="erase-dialog">
            <h2 class="ad-h2" id="erase-title">"Erase this subject?"</h2>
            <div id="erase-what">
                <p><span class="ad-strong">"Erased: "</span>"the subject's token, so its browser can no longer read or add to its records (a later visit starts as a new visitor); its current state; and its links to your account ids."</p>
                <p><span class="ad-strong">"Kept as evidence: "</span>{format!("its recorded events ({}) — pseudonymous, holding no name or email (at most a truncated network address and a hashed browser signature, if this site keeps them) — so the ledger still verifies and still proves what was agreed and withdrawn. The erasure is written in the audit log.", count(events))}</p>
                <p>"This cannot be undone."</p>
            </div>
            <FailureNote failure=failure what="The subject was not erased." />
            <div class="ad-actions">
                <button type="button" class="ad-btn ad-btn--danger" data-test="erase-confirm" disabled=move || busy.get() on:click=erase>
                    {move || if busy.get() { "Erasing…" } else { "Erase" }}
                </button>
                <button type="button" class="ad-btn" data-test="erase-cancel" autofocus=true on:click=move |_| close()>"Cancel"</button>
            </div>
        </dialog>
    }
}
