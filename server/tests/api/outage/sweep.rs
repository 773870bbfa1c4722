//! Every operation during an outage (issue 15, item 6): with the database cut (PostgreSQL
//! behind a silent proxy) or read-only (SQLite), a good request of each main operation and
//! every case of the bad-input catalogue (which covers every documented operation) is sent.
//! Each answer must come within a bound and be what the database is not needed for (an
//! answer from memory, or the case's own refusal) or `503 database_unavailable` with
//! `Retry-After` — never a 500, never a hang, never a 4xx that blames the caller for the
//! database (a 401 would log a site owner out). Measured times are printed.

use super::Proxy;
use crate::admin::PASSWORD;
use crate::bad_input::{Case, Fixture, Ids, all_cases, fixture_with};
use crate::helpers::Backend;
use crate::identity_kit::ACCOUNT;
use crate::openapi::METRICS_TOKEN;
use futures::StreamExt;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// Longer than anything the server may take on its own bounds (`db_timeout_ms`, a batch five
/// times that).
const BOUND: Duration = Duration::from_secs(15);

/// A good request of each main operation: what a banner, a settings page, a site's backend
/// and a site owner send.
fn good_requests(ids: &Ids) -> Vec<Case> {
    let case = |method, template| Case::new(ids, method, template, "a good request");
    let subject_read = |template| case("get", template).bearer(&ids.token);
    let page = |method, template| {
        case(method, template)
            .header("cookie", ids.settings_cookie.clone())
            .header("x-csrf-token", ids.settings_csrf.clone())
    };
    let admin = |method, template| case(method, template).bearer(&ids.admin);
    let mut again = ids.consent();
    again["subject_id"] = json!(ids.subject);
    let mut on_page = again.clone();
    on_page["source"] = json!("settings_page");
    let sync = json!({
        "event_id": uuid::Uuid::new_v4().to_string(),
        "assertion": ids.assertion,
        "notice_version": 1,
        "notice_hash": ids.notice_hash,
        "language": "en",
        "client_time": "2026-11-26T10:00:00.000Z",
    });
    vec![
        case("get", "/v1/sites/{site}/notice").query("lang=en"),
        case("get", "/v1/sites/{site}/notice/versions/{version}").query("lang=en"),
        case("get", "/v1/sites/{site}/loader.json"),
        case("get", "/embed.js").query("site=demo"),
        // The fixture has made no checkpoint yet: reading that is a good answer too.
        case("get", "/v1/sites/{site}/checkpoints/latest").refused(404, "checkpoint_not_found"),
        case("post", "/v1/sites/{site}/consents").json(&ids.consent()),
        case("post", "/v1/sites/{site}/consents")
            .bearer(&ids.token)
            .json(&again),
        subject_read("/v1/sites/{site}/subjects/{subject}/consents"),
        subject_read("/v1/sites/{site}/subjects/{subject}/consents/{event}/receipt"),
        subject_read("/v1/sites/{site}/subjects/{subject}/consents/{event}/kantara"),
        subject_read("/v1/sites/{site}/subjects/{subject}/current"),
        subject_read("/v1/sites/{site}/subjects/{subject}/export"),
        case("post", "/v1/sites/{site}/subjects/{subject}/settings-link").bearer(&ids.token),
        case("post", "/v1/sites/{site}/subjects/{subject}/erasure")
            .at("subject", ids.other_subject.clone())
            .bearer(&ids.other_token),
        case("post", "/v1/sites/{site}/sync").json(&sync),
        case("post", "/v1/sites/{site}/identity-links")
            .bearer(&ids.secret)
            .json(
                &json!({ "account_id": "acct-7", "subject_id": ids.other_subject, "subject_token": ids.other_token }),
            ),
        case("delete", "/v1/sites/{site}/identity-links/{subject}").bearer(&ids.secret),
        case("post", "/v1/sites/{site}/account-assertions")
            .bearer(&ids.secret)
            .json(&json!({ "account_id": ACCOUNT })),
        case("get", "/sites/{site}/privacy").html_page(200),
        case("get", "/sites/{site}/privacy/boot.js"),
        case("get", "/sites/{site}/privacy/notice").query("lang=en"),
        page("get", "/sites/{site}/privacy/session"),
        page("get", "/sites/{site}/privacy/subjects/{subject}/consents"),
        page("get", "/sites/{site}/privacy/subjects/{subject}/current"),
        page("post", "/sites/{site}/privacy/consents").json(&on_page),
        case("post", "/v1/admin/login").json(&json!({ "email": "admin@example.com", "password": PASSWORD })),
        admin("get", "/v1/admin/me"),
        admin("get", "/v1/admin/users"),
        admin("get", "/v1/admin/audit"),
        admin("get", "/v1/admin/sites"),
        admin("get", "/v1/admin/sites/{site}"),
        admin("patch", "/v1/admin/sites/{site}").json(&json!({ "name": "Renamed" })),
        admin("get", "/v1/admin/sites/{site}/notices"),
        admin("get", "/v1/admin/sites/{site}/draft"),
        admin("post", "/v1/admin/sites/{site}/draft/publish").json(&json!({ "material_change": false })),
        admin("get", "/v1/admin/sites/{site}/stats"),
        admin("get", "/v1/admin/sites/{site}/verify"),
        admin("get", "/v1/admin/sites/{site}/export"),
        admin("post", "/v1/admin/sites/{site}/checkpoints"),
        admin("post", "/v1/admin/sites/{site}/secret").json(&json!({})),
        admin("get", "/v1/admin/sites/{site}/subjects/{subject}"),
        admin("get", "/v1/admin/sites/{site}/webhooks"),
        admin("post", "/v1/admin/sites/{site}/webhooks")
            .json(&json!({ "url": "http://127.0.0.1:9/other", "events": ["consent.recorded"] })),
        admin("get", "/v1/admin/sites/{site}/webhooks/{id}/deliveries"),
        case("get", "/metrics").bearer(METRICS_TOKEN),
        case("get", "/readyz"),
        case("get", "/.well-known/jwks.json"),
    ]
}

/// What is wrong with the answer to `case` during the outage, if anything: a good request
/// gets a success or its `expected()` answer, a catalogue case its refusal — or either a 503
/// that says the database is out.
fn judge(case: &Case, good: bool, status: u16, retry_after: bool, body: &str) -> Option<String> {
    let code = serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|b| b["error"]["code"].as_str().map(str::to_owned))
        .unwrap_or_default();
    let (expected_status, expected_code) = case.expected();
    match status {
        503 if code == "database_unavailable" && retry_after => None,
        503 if code == "database_unavailable" => Some("503 without Retry-After".into()),
        // Readiness says the database is out; a page for people says it is unavailable.
        503 if code == "not_ready" || (code.is_empty() && case.html()) => None,
        s if good && (200..300).contains(&s) => None,
        s if s == expected_status && (code == expected_code || case.html()) => None,
        _ => Some(format!("{status} {}", body.chars().take(200).collect::<String>())),
    }
}

/// Sends every good request and every catalogue case, a few at a time; fails listing each
/// wrong or late answer.
async fn sweep(fx: &Fixture, during: &str) {
    let mut cases: Vec<(bool, Case)> = good_requests(&fx.ids).into_iter().map(|c| (true, c)).collect();
    cases.extend(all_cases(&fx.ids).into_iter().map(|c| (false, c)));
    let started = Instant::now();
    let results: Vec<(String, Duration, bool, Option<String>)> = futures::stream::iter(&cases)
        .map(|(good, case)| async move {
            let what = format!("{} {} — {}", case.method.to_uppercase(), case.template, case.what);
            let sent = Instant::now();
            let mut unavailable = false;
            let mut status = 0;
            let problem = match tokio::time::timeout(BOUND, case.send(&fx.app)).await {
                Err(_) => Some(format!("no answer within {BOUND:?}")),
                Ok(Err(e)) => Some(format!("no answer: {e}")),
                Ok(Ok(res)) => {
                    status = res.status().as_u16();
                    let retry = res.headers().contains_key("retry-after");
                    let body = res.text().await.unwrap_or_default();
                    unavailable = body.contains("\"database_unavailable\"");
                    judge(case, *good, status, retry, &body)
                }
            };
            if *good {
                println!("{during}: {status} {what}");
            }
            (what, sent.elapsed(), unavailable, problem)
        })
        .buffer_unordered(64)
        .collect()
        .await;
    let slowest = results.iter().map(|(_, t, _, _)| *t).max().unwrap_or_default();
    let unavailable = results.iter().filter(|(_, _, u, _)| *u).count();
    println!(
        "{during}: {} requests in {:?} ({unavailable} answered 503 database_unavailable), the slowest after {slowest:?}",
        results.len(),
        started.elapsed()
    );
    let problems: Vec<String> = results
        .into_iter()
        .filter_map(|(what, _, _, problem)| problem.map(|p| format!("{what}: {p}")))
        .collect();
    assert!(
        problems.is_empty(),
        "{during}: {} of {} answers wrong:\n{}",
        problems.len(),
        cases.len(),
        problems.join("\n")
    );
}

#[tokio::test]
async fn every_operation_answers_in_time_and_never_500_with_the_database_cut_on_postgres() {
    let proxy = Proxy::start("127.0.0.1:5432".parse().expect("addr")).await;
    let fx = fixture_with(Backend::Postgres, |config| {
        config.database_url = super::through(&config.database_url, proxy.addr);
        config.db_timeout_ms = 1_000;
    })
    .await;
    proxy.set_cut(true);
    sweep(&fx, "PostgreSQL cut").await;
    proxy.set_cut(false);
}

#[tokio::test]
async fn with_sqlite_read_only_every_operation_answers_in_time_and_never_500() {
    let fx = fixture_with(Backend::Sqlite, |_| {}).await;
    super::on_every_connection(&fx.app, "PRAGMA query_only = ON").await;
    sweep(&fx, "SQLite read-only").await;
}
