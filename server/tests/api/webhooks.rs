//! Webhooks delivered: an endpoint receives recorded consents signed with its own secret,
//! a failed delivery is retried with the same `webhook-id`, and a delivery interrupted by a
//! SIGKILL of the server arrives after the restart.

use crate::admin::{create_account, send, token_of};
use crate::helpers::{Backend, TestApp, fresh_database, spawn_app_with, write_fake_banner};
use crate::on_both_backends;
use crate::processes::{admin_token, demo_notice, save_body, start_with};
use crate::receiver::{Receiver, signed_by, spawn_receiver};
use assent_server::config::Config;
use assent_shared::api::ConsentRecorded;
use reqwest::Method;
use serde_json::{Value, json};
use std::time::Duration;

on_both_backends!(
    a_recorded_consent_reaches_its_endpoints_signed_with_their_secrets,
    a_delivery_that_fails_twice_succeeds_on_the_third_attempt_with_the_same_id,
    a_delivery_interrupted_by_a_sigkill_arrives_after_the_restart,
);

/// Receivers on 127.0.0.1 are private: the tests allow them, and poll and retry quickly.
pub fn quick_webhooks(config: &mut Config) {
    config.webhooks_allow_private_networks = true;
    config.webhooks_poll_ms = 20;
    config.webhooks_backoff_scale = 0.001;
}

pub async fn admin(app: &TestApp) -> String {
    create_account(app, "admin@example.com", true).await;
    token_of(app, "admin@example.com").await
}

/// Creates an endpoint on the demo site; returns the answer (with its secret).
pub async fn create_webhook(app: &TestApp, token: &str, url: &str, events: &[&str]) -> Value {
    let body = json!({ "url": url, "events": events });
    let res = send(
        app,
        Method::POST,
        "/v1/admin/sites/demo/webhooks",
        Some(token),
        Some(&body),
    )
    .await;
    assert_eq!(res.status(), 201, "create webhook {url}");
    res.json().await.expect("webhook JSON")
}

pub fn all(decision: &str) -> Value {
    json!({ "functional": decision, "analytics": decision, "advertising": decision })
}

/// Polls the delivery log of endpoint `id` through the API until `done` holds; returns it
/// (newest first).
pub async fn wait_for_log(
    client: &reqwest::Client,
    api: &str,
    token: &str,
    id: &str,
    done: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    let url = format!("{api}/v1/admin/sites/demo/webhooks/{id}/deliveries");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let res = client
            .get(&url)
            .bearer_auth(token)
            .send()
            .await
            .expect("GET deliveries");
        let log: Vec<Value> = res.json().await.expect("deliveries JSON");
        if done(&log) {
            return log;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the delivery log never got there: {log:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn a_recorded_consent_reaches_its_endpoints_signed_with_their_secrets(backend: Backend) {
    let app = spawn_app_with(backend, quick_webhooks).await;
    let token = admin(&app).await;
    let (every, withdrawals) = (spawn_receiver(&[], false).await, spawn_receiver(&[], false).await);
    let all_types = [
        "consent.recorded",
        "consent.withdrawn",
        "consent.expired",
        "consent.gpc",
    ];
    let hook = create_webhook(&app, &token, &every.url, &all_types).await;
    let secret = hook["secret"].as_str().expect("secret shown at creation");
    assert!(secret.starts_with("whsec_"), "{secret}");
    let only = create_webhook(&app, &token, &withdrawals.url, &["consent.withdrawn"]).await;
    let listed = send(&app, Method::GET, "/v1/admin/sites/demo/webhooks", Some(&token), None).await;
    let listed = listed.text().await.expect("text");
    assert!(!listed.contains("whsec_"), "a listing never shows a secret: {listed}");

    let body = app.consent_body("accept_all", all("granted")).await;
    let recorded: ConsentRecorded = app.post_consent(&body, None).await.json().await.expect("json");
    // A retry of the same event is answered again but announces nothing new.
    assert_eq!(app.post_consent(&body, None).await.status(), 201);
    let got = every.wait_until("the accept_all message", |r| !r.is_empty()).await;
    let message = &got[0];
    assert!(signed_by(secret, message), "signature of {message:?}");
    assert!(message.id.starts_with("msg_"), "{}", message.id);
    let sent_at: i64 = message.timestamp.parse().expect("unix seconds");
    assert!((time::OffsetDateTime::now_utc().unix_timestamp() - sent_at).abs() < 300);
    let payload = message.json();
    assert_eq!(payload["type"], "consent.recorded");
    assert_eq!(payload["timestamp"], json!(recorded.recorded_at));
    let data = &payload["data"];
    assert_eq!(data["event_id"], body["event_id"]);
    assert_eq!(data["subject_id"], json!(recorded.subject_id));
    assert_eq!(
        (data["seq"].as_u64(), data["hash"].as_str()),
        (Some(1), Some(recorded.hash.as_str()))
    );
    assert_eq!(
        (&data["method"], &data["source"], &data["site_id"]),
        (&json!("accept_all"), &json!("banner"), &json!("demo"))
    );
    assert_eq!(data["decisions"], all("granted"));
    for field in ["notice_version", "recorded_at", "gpc", "regime", "jurisdiction"] {
        assert!(!data[field].is_null(), "data.{field} in {payload}");
    }

    // A withdrawal reaches both: typed by the most specific type each asked for.
    let mut withdraw = app.consent_body("withdraw", all("denied")).await;
    withdraw["subject_id"] = json!(recorded.subject_id);
    let res = app.post_consent(&withdraw, recorded.subject_token.as_deref()).await;
    assert_eq!(res.status(), 201);
    let got = every.wait_until("the withdraw message", |r| r.len() >= 2).await;
    assert_eq!(got[1].json()["type"], "consent.withdrawn");
    let got = withdrawals
        .wait_until("the withdrawal-only message", |r| !r.is_empty())
        .await;
    assert_eq!(got.len(), 1, "the accept_all was not for this endpoint");
    assert_eq!(got[0].json()["data"]["event_id"], withdraw["event_id"]);
    let only_secret = only["secret"].as_str().expect("secret");
    assert!(
        signed_by(only_secret, &got[0]) && !signed_by(secret, &got[0]),
        "each endpoint its own secret"
    );

    let id = hook["id"].as_str().expect("id");
    let log = wait_for_log(&app.client, &app.api, &token, id, |log| log.len() >= 2).await;
    assert_eq!(log[0]["status_code"], 200);
    assert_eq!(
        (log[0]["delivered"].as_bool(), log[0]["attempt"].as_u64()),
        (Some(true), Some(1))
    );
    assert_eq!(every.received().len(), 2, "the replay was never enqueued");
    let audit: Vec<Value> = send(
        &app,
        Method::GET,
        "/v1/admin/sites/demo/audit?action=webhook_change",
        Some(&token),
        None,
    )
    .await
    .json()
    .await
    .expect("audit");
    assert_eq!(audit.len(), 2);
    assert!(
        audit.iter().all(|e| !e.to_string().contains("whsec_")),
        "no secret in the log"
    );
}

async fn a_delivery_that_fails_twice_succeeds_on_the_third_attempt_with_the_same_id(backend: Backend) {
    let app = spawn_app_with(backend, quick_webhooks).await;
    let token = admin(&app).await;
    let flaky = spawn_receiver(&[500, 503], false).await;
    let hook = create_webhook(&app, &token, &flaky.url, &["consent.recorded"]).await;
    let secret = hook["secret"].as_str().expect("secret");
    let body = app.consent_body("reject_all", all("denied")).await;
    assert_eq!(app.post_consent(&body, None).await.status(), 201);
    let got = flaky.wait_until("three attempts", |r| r.len() >= 3).await;
    assert_eq!(got.iter().map(|r| r.status).collect::<Vec<_>>(), [500, 503, 200]);
    assert!(got.iter().all(|r| r.id == got[0].id), "one webhook-id on every attempt");
    assert!(got.iter().all(|r| r.body == got[0].body), "the same bytes every time");
    assert!(got.iter().all(|r| signed_by(secret, r)));

    let log = wait_for_log(&app.client, &app.api, &token, hook["id"].as_str().expect("id"), |log| {
        log.len() >= 3
    })
    .await;
    let summary: Vec<(u64, u64, bool)> = log
        .iter()
        .map(|d| {
            (
                d["attempt"].as_u64().expect("attempt"),
                d["status_code"].as_u64().expect("status"),
                d["delivered"] == true,
            )
        })
        .collect();
    assert_eq!(
        summary,
        [(3, 200, true), (2, 503, false), (1, 500, false)],
        "newest first"
    );
    assert!(log.iter().all(|d| d["message_id"] == json!(got[0].id)));
    let page = send(
        &app,
        Method::GET,
        &format!(
            "/v1/admin/sites/demo/webhooks/{}/deliveries?limit=1&before={}",
            hook["id"].as_str().expect("id"),
            log[0]["id"]
        ),
        Some(&token),
        None,
    )
    .await
    .json::<Vec<Value>>()
    .await
    .expect("page");
    assert_eq!(page.len(), 1);
    assert_eq!(page[0]["attempt"], 2, "the next page starts below `before`");
    assert_eq!(app.state.db.webhook_outbox_depth().await.expect("depth"), 0);
}

async fn a_delivery_interrupted_by_a_sigkill_arrives_after_the_restart(backend: Backend) {
    let dir = tempfile::tempdir().expect("tempdir");
    write_fake_banner(&dir.path().join("dist"));
    let db = fresh_database(backend, dir.path()).await;
    // The lease lasts three timeouts (6 s): the restarted process takes over after that.
    let env = [
        ("ASSENT_WEBHOOKS_ALLOW_PRIVATE_NETWORKS", "1"),
        ("ASSENT_WEBHOOKS_POLL_MS", "20"),
        ("ASSENT_WEBHOOKS_TIMEOUT_MS", "2000"),
        ("ASSENT_WEBHOOKS_BACKOFF_SCALE", "0.001"),
    ];
    let (mut first, api) = start_with(dir.path(), &db.url, &env).await;
    let client = reqwest::Client::new();
    let token = admin_token(dir.path());
    // Held: the first process is mid-delivery, waiting for an answer, when it is killed.
    let receiver: Receiver = spawn_receiver(&[], true).await;
    let res = client
        .post(format!("{api}/v1/admin/sites/demo/webhooks"))
        .bearer_auth(&token)
        .json(&json!({ "url": receiver.url, "events": ["consent.recorded"] }))
        .send()
        .await
        .expect("POST webhook");
    assert_eq!(res.status(), 201);
    let secret = res.json::<Value>().await.expect("json")["secret"]
        .as_str()
        .expect("secret")
        .to_owned();
    let notice = demo_notice(&client, &api).await;
    let body = save_body(&notice, "granted", None);
    let res = client
        .post(format!("{api}/v1/sites/demo/consents"))
        .json(&body)
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), 201);
    let pending = receiver.wait_until("the first attempt", |r| !r.is_empty()).await;
    first.start_kill().expect("SIGKILL");
    first.wait().await.expect("reap");
    receiver.release();

    let (_second, api) = start_with(dir.path(), &db.url, &env).await;
    let got = receiver
        .wait_until("the delivery after the restart", |r| r.iter().any(|m| m.after_release))
        .await;
    let after = got.iter().find(|m| m.after_release).expect("after restart");
    assert_eq!(after.id, pending[0].id, "the same webhook-id");
    assert!(signed_by(&secret, after));
    assert_eq!(after.json()["data"]["event_id"], body["event_id"]);
    let hooks: Vec<Value> = client
        .get(format!("{api}/v1/admin/sites/demo/webhooks"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("GET")
        .json()
        .await
        .expect("json");
    let id = hooks[0]["id"].as_str().expect("id").to_owned();
    let log = wait_for_log(&client, &api, &token, &id, |log| {
        log.iter().any(|d| d["delivered"] == true)
    })
    .await;
    assert_eq!(
        log[0]["message_id"],
        json!(pending[0].id),
        "the delivered attempt: {log:?}"
    );
}
