//! A site's ledger (DESIGN, "The ledger"): its exports — NDJSON, CSV and the evidence bundle
//! that `assent verify-bundle` checks offline — downloaded with progress
//! (`GET /v1/admin/sites/{site}/export`, viewer, audited); verifying every chain and
//! checkpoint (`GET …/verify`, viewer); and its checkpoints: the newest, as anyone may read it
//! (`GET /v1/sites/{site}/checkpoints/latest`), and making one now (`POST …/checkpoints`, owner).

use super::client::{self, Failure, Saved};
use super::form::{FailureNote, Field, attempt};
use super::site::{SiteTabs, site_path};
use super::{Dashboard, Load, Pending, load};
use assent_shared::api::{Checkpoint, PublicCheckpoint, VerifyReport};
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The export formats, as the API names them, with what each is for.
const FORMATS: [(&str, &str, &str); 3] = [
    ("ndjson", "NDJSON", "One event per line, exactly as stored and hashed."),
    ("csv", "CSV", "One event per row, for a spreadsheet."),
    (
        "bundle",
        "Evidence bundle",
        "Whole chains with the notices they reference, the checkpoints and the public keys, which assent verify-bundle checks offline.",
    ),
];

#[component]
pub fn LedgerPage(id: String) -> impl IntoView {
    view! {
        <SiteTabs id=id.clone() current="ledger" />
        <h1 class="ad-title" tabindex="-1">"Ledger"</h1>
        <p class="ad-muted">"Every choice recorded for this site, append-only and hash-chained per visitor, with signed checkpoints over all chains: what you show a regulator as proof of consent and of withdrawal."</p>
        <Exports site=id.clone() />
        <Verify site=id.clone() />
        <Checkpoints site=id />
    }
}

/// Downloading an export, with the bytes received while it streams.
#[component]
fn Exports(site: String) -> impl IntoView {
    let dashboard = expect_context::<Dashboard>();
    let format = RwSignal::new("ndjson".to_owned());
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let failure = RwSignal::new(None::<Failure>);
    let received = RwSignal::new(None::<f64>);
    let saved = RwSignal::new(None::<Saved>);
    let base = format!("{}/export", site_path(&site));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut query = vec![format!("format={}", format.get_untracked())];
        for (name, value) in [("from", from), ("to", to)] {
            let value = value.get_untracked().trim().to_owned();
            if !value.is_empty() {
                query.push(format!("{name}={}", js_sys::encode_uri_component(&value)));
            }
        }
        let path = format!("{base}?{}", query.join("&"));
        saved.set(None);
        received.set(Some(0.0));
        spawn_local(async move {
            let download = client::download(&path, "assent-export", move |bytes| received.set(Some(bytes)));
            let done = attempt(dashboard, failure, download).await;
            received.set(None);
            if let Some(done) = done {
                dashboard.status.set(format!("Saved {}.", done.name));
                saved.set(Some(done));
            }
        });
    };
    view! {
        <section class="ad-card" aria-labelledby="export-heading" data-test="ledger-export">
            <h2 class="ad-h2" id="export-heading">"Export"</h2>
            <p>"Streamed from the ledger as it is now; every export is written in the audit log."</p>
            <form class="ad-form" on:submit=submit novalidate=true>
                <fieldset class="ad-field ad-fieldset">
                    <legend class="ad-label">"Format"</legend>
                    {FORMATS.into_iter().map(|(value, label, hint)| {
                        let id = format!("export-{value}");
                        view! {
                            <div class="ad-choice">
                                <input type="radio" name="export-format" id=id.clone() value=value data-test=id.clone()
                                    prop:checked=move || format.get() == value
                                    on:change=move |_| format.set(value.to_owned()) />
                                <label for=id>{label}<span class="ad-hint">{hint}</span></label>
                            </div>
                        }
                    }).collect_view()}
                </fieldset>
                <div class="ad-filter-fields">
                    <Field id="export-from" label="From (optional)" value=from kind="date" field="from" failure=failure />
                    <Field id="export-to" label="Until, not including (optional)" value=to kind="date" field="to" failure=failure />
                </div>
                <FailureNote failure=failure what="The export could not be downloaded." />
                <div class="ad-actions">
                    <button type="submit" class="ad-btn ad-btn--primary" data-test="export-download" disabled=move || received.get().is_some()>
                        "Download the export"
                    </button>
                    <span role="status" data-test="export-progress">
                        {move || received.get().map(|b| format!("Downloading… {} received", client::size(b)))}
                    </span>
                </div>
            </form>
            {move || saved.get().map(|s| view! {
                <p class="ad-note ad-note--ok" data-test="export-saved">
                    {format!("Saved {}: {}{}.", s.name, client::size(s.bytes),
                        s.events.map(|n| format!(", {n} events")).unwrap_or_default())}
                </p>
            })}
        </section>
    }
}

/// Re-walking every chain and checkpoint, and what it found.
#[component]
fn Verify(site: String) -> impl IntoView {
    let dashboard = expect_context::<Dashboard>();
    // Nothing shows until asked: a full walk of a large ledger is not for every visit.
    let asked = RwSignal::new(false);
    let report = RwSignal::new(Load::<VerifyReport>::Loading);
    let path = format!("{}/verify", site_path(&site));
    let run = move || {
        asked.set(true);
        load(dashboard, path.clone(), report);
    };
    let retry = Callback::new({
        let run = run.clone();
        move |()| run()
    });
    let running = move || asked.get() && matches!(report.get(), Load::Loading);
    view! {
        <section class="ad-card" aria-labelledby="verify-heading" data-test="ledger-verify">
            <h2 class="ad-h2" id="verify-heading">"Verify"</h2>
            <p>"Re-walks every chain from its first event — each event's hash, each link to the one before — and checks every checkpoint's signature and root, in the database and in the published checkpoint file. On a large ledger this takes a while."</p>
            <div class="ad-actions">
                <button type="button" class="ad-btn ad-btn--primary" data-test="verify-run"
                    disabled=running on:click=move |_| run()>
                    {move || if running() { "Verifying…" } else { "Verify the ledger" }}
                </button>
            </div>
            {move || match (asked.get(), report.get()) {
                (false, _) => ().into_any(),
                (true, Load::Loading) => view! { <Pending what="verification" failure=None retry=retry /> }.into_any(),
                (true, Load::Failed(f)) => view! { <Pending what="verification" failure=Some(f) retry=retry /> }.into_any(),
                (true, Load::Ready(r)) => view! { <VerifyResult report=r /> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn VerifyResult(report: VerifyReport) -> impl IntoView {
    let counts = format!(
        "{} events in {} chains and {} checkpoints checked.",
        report.events, report.chains, report.checkpoints
    );
    let first = report.problems.first().cloned();
    view! {
        <div class=if report.ok { "ad-note ad-note--ok" } else { "ad-note ad-note--error" } role="status" data-test="verify-result" data-ok=report.ok.to_string()>
            <p class="ad-strong">{if report.ok { "OK: the ledger is intact." } else { "Broken: the ledger was changed outside Assent." }}</p>
            <p data-test="verify-counts">{counts}</p>
            {first.map(|p| view! {
                <p data-test="verify-first-problem">
                    "First broken event: "
                    {[p.subject_id.map(|s| format!("subject {s}")), p.seq.map(|s| format!("seq {s}")), p.event_id.map(|e| format!("event {e}"))]
                        .into_iter().flatten().collect::<Vec<_>>().join(", ")}
                    {format!(" — {}", p.problem)}
                </p>
            })}
            {(report.problems.len() > 1).then(|| view! {
                <p>{format!("{} problems in all; the first one is where to start.", report.problems.len())}</p>
            })}
        </div>
    }
}

/// The newest checkpoint and, for an owner, making one now.
#[component]
fn Checkpoints(site: String) -> impl IntoView {
    let dashboard = expect_context::<Dashboard>();
    let owner = dashboard.owns(&site);
    let latest = RwSignal::new(Load::<PublicCheckpoint>::Loading);
    let made = RwSignal::new(None::<Checkpoint>);
    let failure = RwSignal::new(None::<Failure>);
    let busy = RwSignal::new(false);
    let public_path = format!("/v1/sites/{}/checkpoints/latest", js_sys::encode_uri_component(&site));
    let reload = move || load(dashboard, public_path.clone(), latest);
    reload();
    let retry = Callback::new({
        let reload = reload.clone();
        move |()| reload()
    });
    let make_path = format!("{}/checkpoints", site_path(&site));
    let make = move |_| {
        busy.set(true);
        let path = make_path.clone();
        let reload = reload.clone();
        spawn_local(async move {
            let answer = attempt(dashboard, failure, client::send_bare::<Checkpoint>("POST", &path)).await;
            busy.set(false);
            if let Some(checkpoint) = answer {
                dashboard.status.set(format!("Checkpoint {} made.", checkpoint.number));
                made.set(Some(checkpoint));
                reload();
            }
        });
    };
    view! {
        <section class="ad-card" aria-labelledby="checkpoints-heading" data-test="ledger-checkpoints">
            <h2 class="ad-h2" id="checkpoints-heading">"Checkpoints"</h2>
            <p>"A signed Merkle root over the heads of all chains, made periodically: deleting a whole chain no longer goes unnoticed. Anyone may archive the newest one outside Assent from its public address."</p>
            {move || match latest.get() {
                Load::Loading => view! { <Pending what="newest checkpoint" failure=None retry=retry /> }.into_any(),
                Load::Failed(f) if f.code == "checkpoint_not_found" => view! {
                    <p class="ad-note" data-test="no-checkpoint">"No checkpoint has been made for this site yet."</p>
                }.into_any(),
                Load::Failed(f) => view! { <Pending what="newest checkpoint" failure=Some(f) retry=retry /> }.into_any(),
                Load::Ready(c) => view! { <CheckpointFacts checkpoint=c /> }.into_any(),
            }}
            {move || made.get().map(|c| view! {
                <p class="ad-note ad-note--ok" data-test="checkpoint-made">
                    {format!("Checkpoint {} made: it covers {} chains; it recorded the heads of the {} that are new or moved since the checkpoint before.", c.number, c.tree_size, c.heads.len())}
                </p>
            })}
            {owner.then(|| view! {
                <FailureNote failure=failure what="No checkpoint was made." />
                <div class="ad-actions">
                    <button type="button" class="ad-btn" data-test="checkpoint-make" disabled=move || busy.get() on:click=make>
                        {move || if busy.get() { "Making a checkpoint…" } else { "Make a checkpoint now" }}
                    </button>
                </div>
            })}
        </section>
    }
}

#[component]
fn CheckpointFacts(checkpoint: PublicCheckpoint) -> impl IntoView {
    view! {
        <dl class="ad-facts" data-test="checkpoint-latest">
            <dt>"Newest"</dt><dd data-test="checkpoint-number">{format!("Number {}", checkpoint.number)}</dd>
            <dt>"Made"</dt><dd>{checkpoint.created_at}</dd>
            <dt>"Chains covered"</dt><dd>{checkpoint.tree_size.to_string()}</dd>
            <dt>"Root"</dt><dd><code>{checkpoint.root}</code></dd>
        </dl>
    }
}
