//! Webhook endpoints managed: private-network URLs are refused (at creation, and after DNS
//! resolution at delivery), viewers read but cannot change endpoints, owners patch, rotate
//! and delete them, and one process at a time holds a lease.

use crate::admin::{create_account, send, token_of};
use crate::helpers::{Backend, TestApp, error_code, spawn_app, spawn_app_with};
use crate::on_both_backends;
use crate::receiver::{signed_by, spawn_receiver};
use crate::webhooks::{admin, all, create_webhook, quick_webhooks, wait_for_log};
use assent_server::db::audit::AuditRecord;
use assent_server::db::webhooks::{Created, NewEndpoint};
use assent_shared::ids::SiteId;
use assent_shared::webhooks::EventType;
use reqwest::Method;
use serde_json::{Value, json};
use std::time::Duration;

on_both_backends!(
    private_network_urls_are_refused_at_creation_and_after_resolution,
    a_viewer_reads_webhooks_but_cannot_change_them,
    one_process_at_a_time_holds_a_lease,
);

/// Rows of the tables a refused request must leave alone.
async fn webhook_rows(app: &TestApp) -> Vec<i64> {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&app.database_url).await.expect("connect");
    let mut out = Vec::new();
    for table in ["webhook_endpoints", "webhook_outbox", "webhook_deliveries", "audit_log"] {
        let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(&pool)
            .await
            .expect("count");
        out.push(n);
    }
    pool.close().await;
    out
}

async fn private_network_urls_are_refused_at_creation_and_after_resolution(backend: Backend) {
    let app = spawn_app_with(backend, |c| c.webhooks_poll_ms = 20).await;
    let token = admin(&app).await;
    let before = webhook_rows(&app).await;
    let refused = [
        (json!({ "url": "http://127.0.0.1:9000/hooks" }), "url"),
        (json!({ "url": "http://localhost:9000/hooks" }), "url"),
        (json!({ "url": "http://hooks.localhost/" }), "url"),
        (json!({ "url": "http://10.1.2.3/" }), "url"),
        (json!({ "url": "http://172.16.0.1/" }), "url"),
        (json!({ "url": "http://192.168.1.1/" }), "url"),
        (json!({ "url": "http://169.254.169.254/latest/meta-data" }), "url"),
        (json!({ "url": "http://100.64.0.1/" }), "url"),
        (json!({ "url": "http://0.0.0.0/" }), "url"),
        (json!({ "url": "http://[::1]/" }), "url"),
        (json!({ "url": "http://[fd00::1]/" }), "url"),
        (json!({ "url": "http://[fe80::1]/" }), "url"),
        (json!({ "url": "http://[::ffff:10.0.0.1]/" }), "url"),
        (json!({ "url": "http://0x7f.1/" }), "url"),
        (json!({ "url": "ftp://hooks.example.com/" }), "url"),
        (json!({ "url": "https://user:pw@hooks.example.com/" }), "url"),
        (json!({ "url": "not a url" }), "url"),
        (json!({ "events": [] }), "events"),
        (json!({ "events": ["consent.other"] }), "events[0]"),
        (json!({ "enabled": "yes" }), "enabled"),
    ];
    for (change, field) in refused {
        let mut body = json!({ "url": "https://hooks.example.com/assent", "events": ["consent.recorded"] });
        for (k, v) in change.as_object().expect("object") {
            body[k] = v.clone();
        }
        let res = send(
            &app,
            Method::POST,
            "/v1/admin/sites/demo/webhooks",
            Some(&token),
            Some(&body),
        )
        .await;
        assert_eq!(res.status(), 422, "{change}");
        let err: Value = res.json().await.expect("error");
        assert_eq!(err["error"]["details"]["field"], field, "{change}");
    }
    assert_eq!(webhook_rows(&app).await, before, "nothing written");

    // A name that resolves to loopback passes the creation check only as a name; the sender
    // resolves it and refuses to connect (DNS rebinding).
    let receiver = spawn_receiver(&[], false).await;
    let port = receiver.url.split(':').nth(2).expect("port");
    let endpoint = NewEndpoint {
        id: uuid::Uuid::new_v4().to_string(),
        url: format!("http://localhost:{port}"),
        events: vec![EventType::Recorded],
        enabled: true,
        secret: assent_server::webhooks::signing::generate_secret(),
    };
    let record = AuditRecord {
        actor: "test".into(),
        action: "webhook_change",
        site_id: Some("demo".into()),
        details: json!({}),
        client_ip: None,
    };
    let site = SiteId::parse("demo").expect("id");
    let created = app
        .state
        .db
        .create_webhook(&site, &endpoint, &record)
        .await
        .expect("create");
    assert!(matches!(created, Created::Created(_)));
    let body = app.consent_body("accept_all", all("granted")).await;
    assert_eq!(app.post_consent(&body, None).await.status(), 201);
    let log = wait_for_log(&app.client, &app.api, &token, &endpoint.id, |log| !log.is_empty()).await;
    let error = log[0]["error"].as_str().expect("an error, no status");
    assert!(error.contains("not a public address"), "{error}");
    assert!(receiver.received().is_empty(), "nothing reached the loopback receiver");
}

async fn a_viewer_reads_webhooks_but_cannot_change_them(backend: Backend) {
    let app = spawn_app_with(backend, quick_webhooks).await;
    let token = admin(&app).await;
    create_account(&app, "viewer@example.com", false).await;
    let grant = json!({ "email": "viewer@example.com", "role": "viewer" });
    let res = send(
        &app,
        Method::PUT,
        "/v1/admin/sites/demo/members",
        Some(&token),
        Some(&grant),
    )
    .await;
    assert_eq!(res.status(), 204);
    let viewer = token_of(&app, "viewer@example.com").await;
    let receiver = spawn_receiver(&[], false).await;
    let hook = create_webhook(&app, &token, &receiver.url, &["consent.recorded"]).await;
    let id = hook["id"].as_str().expect("id");
    let before = webhook_rows(&app).await;
    let base = "/v1/admin/sites/demo/webhooks";
    let writes = [
        (
            Method::POST,
            base.to_owned(),
            Some(json!({ "url": receiver.url, "events": ["consent.gpc"] })),
        ),
        (Method::PATCH, format!("{base}/{id}"), Some(json!({ "enabled": false }))),
        (Method::DELETE, format!("{base}/{id}"), None),
        (Method::POST, format!("{base}/{id}/rotate-secret"), Some(json!({}))),
    ];
    for (method, path, body) in &writes {
        let res = send(&app, method.clone(), path, Some(&viewer), body.as_ref()).await;
        assert_eq!(error_code(res, 403).await, "forbidden", "{method} {path}");
    }
    assert_eq!(webhook_rows(&app).await, before, "refused requests wrote nothing");
    let listed: Vec<Value> = send(&app, Method::GET, base, Some(&viewer), None)
        .await
        .json()
        .await
        .expect("list");
    assert_eq!(listed.len(), 1);
    assert!(listed[0].get("secret").is_none());
    let res = send(
        &app,
        Method::GET,
        &format!("{base}/{id}/deliveries"),
        Some(&viewer),
        None,
    )
    .await;
    assert_eq!(res.status(), 200);

    // The owner's changes: patch, rotate (the new secret signs, with the old one during the
    // overlap), an unknown id is 404, delete.
    let patched = send(
        &app,
        Method::PATCH,
        &format!("{base}/{id}"),
        Some(&token),
        Some(&json!({ "events": ["consent.gpc", "consent.gpc"] })),
    )
    .await;
    let patched: Value = patched.json().await.expect("patched");
    assert_eq!(patched["events"], json!(["consent.gpc"]));
    let rotated: Value = send(
        &app,
        Method::POST,
        &format!("{base}/{id}/rotate-secret"),
        Some(&token),
        Some(&json!({ "overlap_hours": 1 })),
    )
    .await
    .json()
    .await
    .expect("rotated");
    let new_secret = rotated["secret"].as_str().expect("new secret");
    assert_ne!(new_secret, hook["secret"].as_str().expect("old"));
    let mut gpc = app.consent_body("gpc", json!({ "advertising": "denied" })).await;
    gpc["source"] = json!("signal");
    gpc["gpc"] = json!(true);
    gpc["signal_source"] = json!("js");
    assert_eq!(app.post_consent(&gpc, None).await.status(), 201);
    let got = receiver.wait_until("the gpc message", |r| !r.is_empty()).await;
    assert_eq!(got[0].json()["type"], "consent.gpc");
    assert!(signed_by(new_secret, &got[0]) && signed_by(hook["secret"].as_str().expect("old"), &got[0]));
    let res = send(
        &app,
        Method::PATCH,
        &format!("{base}/no-such-id"),
        Some(&token),
        Some(&json!({})),
    )
    .await;
    assert_eq!(error_code(res, 404).await, "webhook_not_found");
    let res = send(
        &app,
        Method::POST,
        &format!("{base}/{id}/rotate-secret"),
        Some(&token),
        Some(&json!({ "overlap_hours": 1000 })),
    )
    .await;
    assert_eq!(error_code(res, 422).await, "invalid_input");
    let res = send(&app, Method::DELETE, &format!("{base}/{id}"), Some(&token), None).await;
    assert_eq!(res.status(), 204);
    let listed: Vec<Value> = send(&app, Method::GET, base, Some(&token), None)
        .await
        .json()
        .await
        .expect("list");
    assert!(listed.is_empty());
}

async fn one_process_at_a_time_holds_a_lease(backend: Backend) {
    let app = spawn_app(backend).await;
    let db = &app.state.db;
    let ttl = Duration::from_millis(300);
    assert!(db.hold_lease("test_job", "a", ttl).await.expect("lease"));
    assert!(!db.hold_lease("test_job", "b", ttl).await.expect("lease"), "a holds it");
    assert!(db.hold_lease("test_job", "a", ttl).await.expect("lease"), "a renews it");
    assert!(
        db.hold_lease("other_job", "b", ttl).await.expect("lease"),
        "one lease per job"
    );
    // Once a stops renewing, b takes over after the lease expires.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !db.hold_lease("test_job", "b", ttl).await.expect("lease") {
        assert!(tokio::time::Instant::now() < deadline, "the lease never expired");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        !db.hold_lease("test_job", "a", ttl).await.expect("lease"),
        "b holds it now"
    );
}
