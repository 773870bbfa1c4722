//! `GET /metrics`: off without a token, refused without the right one, and its counters move
//! by exactly what the requests in between did.

use crate::helpers::{Backend, TestApp, error_code, spawn_app_with};
use crate::on_both_backends;
use crate::openapi::METRICS_TOKEN;
use crate::webhooks::{admin, all, create_webhook};
use std::collections::BTreeMap;

on_both_backends!(
    metrics_are_off_without_a_token_and_refused_without_the_right_one,
    counters_move_by_what_the_requests_did,
);

/// `name{labels}` → value, from the Prometheus text format.
fn parse(text: &str) -> BTreeMap<String, f64> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (series, value) = l.rsplit_once(' ').expect("series and value");
            (series.to_owned(), value.parse().expect("a number"))
        })
        .collect()
}

async fn scrape(app: &TestApp) -> (String, BTreeMap<String, f64>) {
    let res = app.get_authed(format!("{}/metrics", app.api), METRICS_TOKEN).await;
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .expect("ascii")
            .starts_with("text/plain")
    );
    let text = res.text().await.expect("text");
    let values = parse(&text);
    (text, values)
}

fn value(values: &BTreeMap<String, f64>, series: &str) -> f64 {
    values.get(series).copied().unwrap_or(0.0)
}

async fn metrics_are_off_without_a_token_and_refused_without_the_right_one(backend: Backend) {
    let off = spawn_app_with(backend, |_| {}).await;
    let res = off.get_authed(format!("{}/metrics", off.api), METRICS_TOKEN).await;
    assert_eq!(error_code(res, 403).await, "forbidden");

    let on = spawn_app_with(backend, |c| c.metrics_token = Some(METRICS_TOKEN.into())).await;
    assert_eq!(error_code(on.get("/metrics").await, 401).await, "unauthorized");
    let wrong = on
        .get_authed(format!("{}/metrics", on.api), "metrics-token-for-test")
        .await;
    assert_eq!(error_code(wrong, 401).await, "unauthorized");
    scrape(&on).await;
}

async fn counters_move_by_what_the_requests_did(backend: Backend) {
    let app = spawn_app_with(backend, |c| {
        c.metrics_token = Some(METRICS_TOKEN.into());
        c.webhooks_allow_private_networks = true;
    })
    .await;
    // An endpoint nobody listens on: its messages stay pending, retried later.
    let token = admin(&app).await;
    create_webhook(&app, &token, "http://127.0.0.1:9/hook", &["consent.recorded"]).await;
    let body = app.consent_body("reject_all", all("denied")).await;
    let (_, before) = scrape(&app).await;

    let notice = r#"assent_http_requests_total{method="GET",route="/v1/sites/{site}/notice",status="200"}"#;
    let unmatched = r#"assent_http_requests_total{method="GET",route="unmatched",status="404"}"#;
    let consents = r#"assent_http_requests_total{method="POST",route="/v1/sites/{site}/consents",status="201"}"#;
    let refused = r#"assent_http_requests_total{method="POST",route="/v1/sites/{site}/consents",status="404"}"#;
    let duration = r#"assent_http_request_duration_seconds_count{method="GET",route="/v1/sites/{site}/notice"}"#;
    for _ in 0..3 {
        app.notice("en").await;
    }
    for path in ["/nope", "/v1/nothing/here"] {
        assert_eq!(app.get(path).await.status(), 404);
    }
    let first = app.post_consent(&body, None).await;
    assert_eq!(first.status(), 201);
    let again = app.consent_body("reject_all", all("denied")).await;
    assert_eq!(app.post_consent(&again, None).await.status(), 201);
    let missing = app
        .client
        .post(format!("{}/v1/sites/no-such-site/consents", app.api))
        .json(&body)
        .send()
        .await
        .expect("POST");
    assert_eq!(missing.status(), 404);
    let (text, after) = scrape(&app).await;

    // `consent_body` reads the notice once more.
    assert_eq!(value(&after, notice) - value(&before, notice), 4.0, "{text}");
    assert_eq!(value(&after, duration) - value(&before, duration), 4.0, "{text}");
    assert_eq!(value(&after, unmatched) - value(&before, unmatched), 2.0, "{text}");
    assert_eq!(value(&after, consents) - value(&before, consents), 2.0, "{text}");
    assert_eq!(value(&after, refused) - value(&before, refused), 1.0, "{text}");
    assert!(
        !text.contains("no-such-site") && !text.contains("/nope"),
        "raw paths leaked: {text}"
    );

    let batches = value(&after, "assent_ledger_batch_size_count") - value(&before, "assent_ledger_batch_size_count");
    let events = value(&after, "assent_ledger_batch_size_sum") - value(&before, "assent_ledger_batch_size_sum");
    assert!((1.0..=2.0).contains(&batches), "{batches} batches: {text}");
    assert_eq!(events, 2.0, "{text}");
    assert_eq!(value(&after, "assent_ledger_batch_failures_total"), 0.0);
    assert_eq!(value(&after, "assent_ledger_queue_depth"), 0.0);
    assert_eq!(
        value(&after, "assent_webhook_outbox_pending"),
        2.0,
        "one message per event: {text}"
    );

    let connections = value(&after, "assent_db_pool_connections");
    assert!(connections >= 1.0, "{text}");
    assert!(value(&after, "assent_db_pool_idle") <= connections);
    assert!(value(&after, "assent_db_pool_max") >= connections);
}
