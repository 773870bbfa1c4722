//! A site's consent statistics (`GET /v1/admin/sites/{site}/stats`, viewer): the funnel shown
//! → decided → ignored, acceptance per purpose over time, the method mix, the regimes and the
//! GPC share, for a date range and optionally one purpose or regime. Each chart has a table of
//! the same numbers, exactly as the API counted them.

use super::chart::{Bars, Lines, Series};
use super::form::{FailureNote, Field};
use super::regimes::regime_label;
use super::site::{SiteTabs, site_path};
use super::{Dashboard, Load, Pending, load};
use assent_shared::regime::Regime;
use assent_shared::stats::StatsReport;
use leptos::prelude::*;
use std::collections::BTreeSet;

/// What a method's wire name means, in the dashboard's words.
pub(super) fn method_label(method: &str) -> String {
    match method {
        "accept_all" => "Accept all",
        "reject_all" => "Reject all",
        "save" => "Saved a choice",
        "close" => "Closed the banner",
        "withdraw" => "Withdrew",
        "object" => "Objected",
        "gpc" => "GPC signal",
        "expire" => "Expired",
        "api" => "Through the API",
        "sync" => "From another device",
        other => other,
    }
    .to_owned()
}

fn regime_name(regime: &str) -> String {
    Regime::parse(regime).map_or_else(|| regime.to_owned(), |r| regime_label(r).to_owned())
}

fn percent(share: f64) -> String {
    format!("{:.1} %", share * 100.0)
}

/// Granted ÷ decided, or `None` when nothing was decided.
fn acceptance(granted: u64, denied: u64) -> Option<f64> {
    let all = granted + denied;
    (all > 0).then(|| granted as f64 / all as f64)
}

/// `YYYY-MM-DD` of the UTC day `days_back` days before today.
fn utc_day(days_back: u32) -> String {
    let ms = js_sys::Date::now() - f64::from(days_back) * 86_400_000.0;
    let iso: String = js_sys::Date::new(&ms.into()).to_iso_string().into();
    iso.chars().take(10).collect()
}

#[component]
pub fn StatsPage(id: String) -> impl IntoView {
    let dashboard = expect_context::<Dashboard>();
    let report = RwSignal::new(Load::<StatsReport>::Loading);
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let purpose = RwSignal::new(String::new());
    let regime = RwSignal::new(String::new());
    // Purposes seen in any answer, for the filter (a filtered answer names only its own).
    let purposes = RwSignal::new(BTreeSet::<String>::new());
    let base = format!("{}/stats", site_path(&id));
    let fetch = move || {
        let mut query = Vec::new();
        for (name, value) in [("from", from), ("to", to), ("purpose", purpose), ("regime", regime)] {
            let value = value.get_untracked().trim().to_owned();
            if !value.is_empty() {
                query.push(format!("{name}={}", js_sys::encode_uri_component(&value)));
            }
        }
        let path = if query.is_empty() {
            base.clone()
        } else {
            format!("{base}?{}", query.join("&"))
        };
        load(dashboard, path, report);
    };
    fetch();
    // The answer's range fills the fields (the server's default on the first load).
    Effect::new(move || {
        if let Load::Ready(r) = report.get() {
            from.set(r.from.clone());
            to.set(r.to.clone());
            purposes.update(|p| p.extend(r.totals.decisions.keys().cloned()));
        }
    });
    let failure = Signal::derive(move || match report.get() {
        Load::Failed(f) if f.code == "invalid_input" => Some(f),
        _ => None,
    });
    let retry = Callback::new({
        let fetch = fetch.clone();
        move |()| fetch()
    });
    let fetch_now = fetch.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        fetch_now();
    };
    let preset = move |days: u32| {
        let fetch = fetch.clone();
        move |_| {
            from.set(utc_day(days - 1));
            to.set(utc_day(0));
            fetch();
        }
    };
    view! {
        <SiteTabs id=id.clone() current="stats" />
        <h1 class="ad-title" tabindex="-1">"Statistics"</h1>
        <p class="ad-muted">"Counted from daily roll-ups and an anonymous banner counter: no visitor is tracked to make them. Days are UTC."</p>
        <form class="ad-card ad-filters" on:submit=submit novalidate=true data-test="stats-filters">
            <div class="ad-filter-fields">
                <Field id="stats-from" label="From" value=from kind="date" field="from" failure=failure />
                <Field id="stats-to" label="To" value=to kind="date" field="to" failure=failure />
                <div class="ad-field">
                    <label class="ad-label" for="stats-purpose">"Purpose"</label>
                    <select id="stats-purpose" class="ad-input" data-test="stats-purpose" on:change=move |ev| purpose.set(event_target_value(&ev))>
                        <option value="" selected=move || purpose.get().is_empty()>"All purposes"</option>
                        {move || purposes.get().into_iter().map(|p| {
                            let (value, label) = (p.clone(), p.clone());
                            view! { <option value=p selected=move || purpose.get() == value>{label}</option> }
                        }).collect_view()}
                    </select>
                </div>
                <div class="ad-field">
                    <label class="ad-label" for="stats-regime">"Regime"</label>
                    <select id="stats-regime" class="ad-input" data-test="stats-regime" on:change=move |ev| regime.set(event_target_value(&ev))>
                        <option value="" selected=move || regime.get().is_empty()>"All regimes"</option>
                        {[Regime::OptIn, Regime::OptOut, Regime::Notice].into_iter().map(|r| view! {
                            <option value=r.as_str() selected=move || regime.get() == r.as_str()>{regime_label(r)}</option>
                        }).collect_view()}
                    </select>
                </div>
            </div>
            <FailureNote failure=failure what="These statistics cannot be shown." />
            <div class="ad-actions">
                <button type="submit" class="ad-btn ad-btn--primary" data-test="stats-show">"Show"</button>
                <button type="button" class="ad-btn" on:click=preset(7)>"Last 7 days"</button>
                <button type="button" class="ad-btn" on:click=preset(30)>"Last 30 days"</button>
                <button type="button" class="ad-btn" on:click=preset(90)>"Last 90 days"</button>
            </div>
        </form>
        {move || match report.get() {
            Load::Loading => view! { <Pending what="statistics" failure=None retry=retry /> }.into_any(),
            Load::Failed(f) if f.code == "invalid_input" => ().into_any(),
            Load::Failed(f) => view! { <Pending what="statistics" failure=Some(f) retry=retry /> }.into_any(),
            Load::Ready(r) => view! { <Report report=r /> }.into_any(),
        }}
    }
}

#[component]
fn Report(report: StatsReport) -> impl IntoView {
    let t = &report.totals;
    let range = format!("{} to {}", report.from, report.to);
    let funnel = vec![
        ("Banner shown".to_owned(), t.funnel.banner_shown),
        ("Decided".to_owned(), t.funnel.decided),
        ("Ignored".to_owned(), t.funnel.ignored),
    ];
    let methods: Vec<(String, u64)> = t.methods.iter().map(|(m, n)| (method_label(m), *n)).collect();
    let regimes: Vec<(String, u64)> = t.regimes.iter().map(|(r, n)| (regime_name(r), *n)).collect();
    let days: Vec<String> = report.days.iter().map(|d| d.day.clone()).collect();
    let series: Vec<Series> = t
        .decisions
        .keys()
        .map(|purpose| Series {
            name: purpose.clone(),
            values: report
                .days
                .iter()
                .map(|d| {
                    let c = d.counts.decisions.get(purpose).copied().unwrap_or_default();
                    acceptance(c.granted, c.denied)
                })
                .collect(),
        })
        .collect();
    let purposes: Vec<(String, u64, u64)> = t
        .decisions
        .iter()
        .map(|(p, c)| (p.clone(), c.granted, c.denied))
        .collect();
    let per_day = report.days.clone();
    let purpose_keys: Vec<String> = t.decisions.keys().cloned().collect();
    view! {
        <section class="ad-card" aria-labelledby="summary-heading" data-test="stats-summary">
            <h2 class="ad-h2" id="summary-heading">{format!("Summary, {range}")}</h2>
            <dl class="ad-facts">
                <dt>"Choices recorded"</dt><dd data-test="total-events">{t.events.to_string()}</dd>
                <dt>"With a GPC signal"</dt>
                <dd data-test="gpc-share">{format!("{} ({} of {})", percent(t.gpc_share), t.gpc_events, t.events)}</dd>
            </dl>
        </section>
        <section class="ad-card" aria-labelledby="funnel-heading" data-test="stats-funnel">
            <h2 class="ad-h2" id="funnel-heading">"Banner: shown, decided, ignored"</h2>
            <p class="ad-muted">"Shown: the banner was asked for by a visitor without a stored choice. Decided: a new visitor's first choice. Ignored: shown but not decided."</p>
            <Bars title=format!("Banner funnel, {range}") rows=funnel.clone() test="funnel-chart" />
            <CountTable caption="The funnel's numbers" first="Step" rows=funnel test="funnel-table" />
        </section>
        <section class="ad-card" aria-labelledby="acceptance-heading" data-test="stats-acceptance">
            <h2 class="ad-h2" id="acceptance-heading">"Acceptance per purpose"</h2>
            <p class="ad-muted">"The share of decisions on each purpose that granted it, per day. A gap is a day without decisions on it."</p>
            {if series.is_empty() {
                view! { <p class="ad-note" data-test="no-decisions">"No decision in this range."</p> }.into_any()
            } else {
                view! { <Lines title=format!("Acceptance per purpose per day, {range}") days=days series=series test="acceptance-chart" /> }.into_any()
            }}
            <details class="ad-numbers">
                <summary>"The numbers"</summary>
                <div class="ad-scroll" role="region" aria-label="Decisions per purpose" tabindex="0">
                    <table class="ad-table" data-test="acceptance-table">
                        <caption>"Decisions per purpose, whole range"</caption>
                        <thead><tr><th scope="col">"Purpose"</th><th scope="col">"Granted"</th><th scope="col">"Denied"</th><th scope="col">"Acceptance"</th></tr></thead>
                        <tbody>
                            {purposes.into_iter().map(|(p, g, d)| view! {
                                <tr data-test=format!("purpose-{p}")>
                                    <th scope="row">{p.clone()}</th><td>{g.to_string()}</td><td>{d.to_string()}</td>
                                    <td>{acceptance(g, d).map_or_else(|| "–".to_owned(), percent)}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
                <div class="ad-scroll" role="region" aria-label="Decisions per purpose per day" tabindex="0">
                    <table class="ad-table" data-test="acceptance-days">
                        <caption>"Granted of decided, per day"</caption>
                        <thead><tr>
                            <th scope="col">"Day"</th>
                            {purpose_keys.iter().map(|p| view! { <th scope="col">{p.clone()}</th> }).collect_view()}
                        </tr></thead>
                        <tbody>
                            {per_day.into_iter().map(|d| {
                                let cells = purpose_keys.iter().map(|p| {
                                    let c = d.counts.decisions.get(p).copied().unwrap_or_default();
                                    view! { <td>{format!("{} / {}", c.granted, c.granted + c.denied)}</td> }
                                }).collect_view();
                                view! { <tr><th scope="row">{d.day.clone()}</th>{cells}</tr> }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            </details>
        </section>
        <section class="ad-card" aria-labelledby="methods-heading" data-test="stats-methods">
            <h2 class="ad-h2" id="methods-heading">"How visitors chose"</h2>
            {if methods.is_empty() {
                view! { <p class="ad-note">"No choice in this range."</p> }.into_any()
            } else {
                view! {
                    <Bars title=format!("Choices per method, {range}") rows=methods.clone() test="methods-chart" />
                    <CountTable caption="Choices per method" first="Method" rows=methods test="methods-table" />
                }.into_any()
            }}
        </section>
        <section class="ad-card" aria-labelledby="regimes-stats-heading" data-test="stats-regimes">
            <h2 class="ad-h2" id="regimes-stats-heading">"Regimes"</h2>
            {if regimes.is_empty() {
                view! { <p class="ad-note">"No choice in this range."</p> }.into_any()
            } else {
                view! {
                    <Bars title=format!("Choices per regime, {range}") rows=regimes.clone() test="regimes-chart" />
                    <CountTable caption="Choices per regime" first="Regime" rows=regimes test="regimes-table" />
                }.into_any()
            }}
        </section>
    }
}

/// A chart's numbers as a table, folded away under "The numbers".
#[component]
fn CountTable(
    caption: &'static str,
    first: &'static str,
    rows: Vec<(String, u64)>,
    test: &'static str,
) -> impl IntoView {
    view! {
        <details class="ad-numbers">
            <summary>"The numbers"</summary>
            <table class="ad-table" data-test=test>
                <caption>{caption}</caption>
                <thead><tr><th scope="col">{first}</th><th scope="col">"Count"</th></tr></thead>
                <tbody>
                    {rows.into_iter().map(|(label, n)| view! { <tr><th scope="row">{label}</th><td>{n.to_string()}</td></tr> }).collect_view()}
                </tbody>
            </table>
        </details>
    }
}
