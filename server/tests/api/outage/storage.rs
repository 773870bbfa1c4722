//! A database that stops taking writes mid-run (issue 15, item 6): full (SQLite's page limit,
//! `PRAGMA max_page_count`, which fails the write exactly where a full disk does, with
//! `SQLITE_FULL`) or read-only (`PRAGMA query_only` on SQLite, `default_transaction_read_only`
//! on PostgreSQL: the `SQLITE_READONLY` and `25006` a read-only file, mount or standby gives).
//! Tests run as root, so file permissions would not stop a write. Both settings live in
//! each connection, so they are set on every connection of the server's own pool.
//!
//! While writes are refused: `POST …/consents` answers `503 database_unavailable` with
//! `Retry-After: 1` and the reason, every request of a refused group-commit batch gets it
//! (none an acknowledgement), no table moves, reads still work and `/readyz` says why. Once
//! writes are possible again the same requests are recorded once each and the chains verify.

use super::{Answer, answer, on_every_connection, row_counts};
use crate::helpers::{Backend, TestApp, spawn_app_with};
use crate::on_both_backends;
use assent_shared::ids::SiteId;
use serde_json::{Value, json};

fn refused(reason: &str) -> Answer {
    Answer {
        status: 503,
        code: "database_unavailable".into(),
        reason: reason.into(),
        retry_after: Some("1".into()),
    }
}

/// A new subject's first choice, with its own event id.
async fn first_choice(app: &TestApp) -> Value {
    app.consent_body("accept_all", json!({"functional": "granted", "analytics": "granted"}))
        .await
}

async fn spawn(backend: Backend) -> TestApp {
    spawn_app_with(backend, |config| {
        config.public_rate_per_second = 0;
        // Requests sent together wait for each other: one batch, one transaction.
        config.batch_wait_us = 300_000;
    })
    .await
}

/// Sends `bodies` at once (one group-commit batch) and returns their answers, checking that
/// they went into one batch that failed.
async fn send_together(app: &TestApp, bodies: &[Value]) -> Vec<Answer> {
    let batches = &app.state.metrics.batches;
    let (tried, events, failed) = (
        batches.sizes.get_sample_count(),
        batches.sizes.get_sample_sum(),
        batches.failures.get(),
    );
    let answers = futures::future::join_all(
        bodies
            .iter()
            .map(|b| async { answer(app.post_consent(b, None).await).await }),
    )
    .await;
    assert_eq!(
        (
            batches.sizes.get_sample_count() - tried,
            batches.sizes.get_sample_sum() - events,
            batches.failures.get() - failed
        ),
        (1, bodies.len() as f64, 1),
        "one batch of {} events, refused",
        bodies.len()
    );
    answers
}

/// What every kind of refusal must show while it lasts (`refused_body` was, or will be,
/// refused) and after `lift` makes writing possible again. `refuse` is set again on every
/// connection after each refused write: when SQLite ends a transaction by itself the server
/// replaces that connection (see `ledger::sqlite`), and the new one would not have it, as
/// it would on a disk that is really full.
async fn refusal_story(app: &TestApp, reason: &str, readiness: &str, refused_body: Value, refuse: &str, lift: &str) {
    let before = row_counts(app).await;
    let started = std::time::Instant::now();
    let got = answer(app.post_consent(&refused_body, None).await).await;
    println!(
        "{reason}: POST …/consents answered {got:?} after {:?}",
        started.elapsed()
    );
    assert_eq!(got, refused(reason));
    on_every_connection(app, refuse).await;

    let together: Vec<Value> = futures::future::join_all((0..8).map(|_| first_choice(app))).await;
    for got in send_together(app, &together).await {
        assert_eq!(got, refused(reason), "every request of the refused batch");
    }
    on_every_connection(app, refuse).await;
    assert_eq!(
        row_counts(app).await,
        before,
        "nothing written while writes are refused"
    );

    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), 503);
    let body: Value = ready.json().await.expect("JSON");
    assert_eq!(body["error"]["code"], "not_ready");
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains(readiness), "/readyz says why: {message}");
    // Reads are served: a banner still shows.
    assert_eq!(app.get("/v1/sites/demo/notice?lang=en").await.status(), 200);

    on_every_connection(app, lift).await;
    for body in std::iter::once(&refused_body).chain(&together) {
        let res = app.post_consent(body, None).await;
        assert_eq!(res.status(), 201, "sent again once writing is possible");
        let again = app.post_consent(body, None).await;
        assert_eq!(again.status(), 201, "and again: a replay");
    }
    let after = row_counts(app).await;
    let events = |counts: &[(String, i64)]| {
        counts
            .iter()
            .find(|(t, _)| t == "consent_events")
            .map(|(_, n)| *n)
            .expect("consent_events")
    };
    assert_eq!(
        events(&after) - events(&before),
        9,
        "each refused event recorded exactly once"
    );
    let report = assent_server::ledger::verify::verify_site(
        app.state.ledger.as_ref(),
        &app.state.keys,
        &SiteId::parse("demo").expect("site"),
        None,
    )
    .await
    .expect("verify");
    assert!(report.ok, "{:?}", report.problems);
    assert_eq!(report.events, u64::try_from(events(&after)).expect("count"));
    assert_eq!(app.get("/readyz").await.status(), 200);
}

async fn a_read_only_database_answers_503_writes_nothing_and_takes_the_same_requests_once_writable(backend: Backend) {
    let app = spawn(backend).await;
    let first = first_choice(&app).await;
    let res = app.post_consent(&first, None).await;
    assert_eq!(res.status(), 201);
    let (refuse, lift) = match backend {
        Backend::Sqlite => ("PRAGMA query_only = ON", "PRAGMA query_only = OFF"),
        Backend::Postgres => (
            "SET default_transaction_read_only = on",
            "SET default_transaction_read_only = off",
        ),
    };
    on_every_connection(&app, refuse).await;
    let body = first_choice(&app).await;
    refusal_story(&app, "read_only", "read-only", body, refuse, lift).await;
}

on_both_backends!(a_read_only_database_answers_503_writes_nothing_and_takes_the_same_requests_once_writable);

#[tokio::test]
async fn a_full_sqlite_database_answers_503_writes_nothing_and_takes_the_same_requests_once_it_has_room() {
    let app = spawn(Backend::Sqlite).await;
    // The file may not grow past its size now (SQLite keeps the limit at least that size);
    // choices land in the room its pages still have, until one needs a page more.
    let full = "PRAGMA max_page_count = 1";
    on_every_connection(&app, full).await;
    let mut landed = 0;
    let refused_body = loop {
        let body = first_choice(&app).await;
        let res = app.post_consent(&body, None).await;
        if res.status() != 201 {
            let got = answer(res).await;
            assert_eq!(got, refused("storage_full"), "after {landed} choices landed");
            on_every_connection(&app, full).await;
            break body;
        }
        landed += 1;
        assert!(landed < 500, "the database never filled up");
    };
    println!("a full database: {landed} choices landed before one needed a page more");
    refusal_story(
        &app,
        "storage_full",
        "full",
        refused_body,
        full,
        "PRAGMA max_page_count = 1073741823",
    )
    .await;
}
