//! No log line leaks a token, a secret, a password, a link's code or a client's raw address
//! (issue 15, item 5): every line the server writes, at every level, while it answers good and
//! bad credentials of every kind, is captured and searched for them.

use crate::admin::{PASSWORD, create_account};
use crate::helpers::{Backend, TestApp, spawn_app_with, write_fake_settings};
use crate::identity_kit::{assertion, site_secret};
use crate::on_both_backends;
use serde_json::{Value, json};
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

on_both_backends!(no_log_line_carries_a_credential_or_a_raw_address);

/// Every line the subscriber writes, kept.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

async fn send(app: &TestApp, method: reqwest::Method, path: &str, bearer: Option<&str>, body: Option<Value>) -> u16 {
    let mut req = app
        .client
        .request(method, format!("{}{path}", app.api))
        .header("x-forwarded-for", "203.0.113.77");
    if let Some(token) = bearer {
        req = req.bearer_auth(token);
    }
    if let Some(body) = body {
        req = req.json(&body);
    }
    req.send().await.expect("request").status().as_u16()
}

/// One process-wide subscriber (a thread's own default misses callsites other tests' threads
/// registered first): the production filter (`info,sqlx=warn`), with everything of Assent's
/// own and of its HTTP layer down to TRACE on top, kept in memory.
fn capture() -> &'static Captured {
    static CAPTURED: OnceLock<Captured> = OnceLock::new();
    CAPTURED.get_or_init(|| {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(
                "info,sqlx=warn,assent_server=trace,tower_http=trace",
            ))
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("no other global subscriber in the tests");
        captured
    })
}

async fn no_log_line_carries_a_credential_or_a_raw_address(backend: Backend) {
    let captured = capture();
    let app = spawn_app_with(backend, |config| {
        // The server takes the client's address from this header: it knows 203.0.113.77.
        config.client_ip_header = Some("x-forwarded-for".into());
    })
    .await;
    write_fake_settings(&app.state.config.dist_dir);
    let body = app.consent_body("accept_all", json!({"functional": "granted"})).await;
    let recorded: Value = app.post_consent(&body, None).await.json().await.expect("JSON");
    let subject = recorded["subject_id"].as_str().expect("subject").to_owned();
    let token = recorded["subject_token"].as_str().expect("token").to_owned();
    let secret = site_secret(&app).await;
    let account_assertion = assertion(&app, &secret, "acct-logs").await;
    let forged = format!("{token}x");
    let wrong_password = "hunter2-not-the-password";
    create_account(&app, "owner@example.com", true).await;

    let history = format!("/v1/sites/demo/subjects/{subject}/consents");
    let link_path = format!("/v1/sites/demo/subjects/{subject}/settings-link");
    assert_eq!(
        send(&app, reqwest::Method::GET, &history, Some(&token), None).await,
        200
    );
    assert_eq!(
        send(&app, reqwest::Method::GET, &history, Some(&forged), None).await,
        401
    );
    assert_eq!(
        send(&app, reqwest::Method::GET, &history, Some(&secret), None).await,
        401
    );
    let link: Value = app
        .client
        .post(format!("{}{link_path}", app.api))
        .bearer_auth(&token)
        .send()
        .await
        .expect("link")
        .json()
        .await
        .expect("JSON");
    let url = link["url"].as_str().expect("url").to_owned();
    let code = url.split("code=").nth(1).expect("code").to_owned();
    let opened = app.client.get(&url).send().await.expect("open link").status().as_u16();
    assert_eq!(opened, 200, "the link opens the page (after its redirect)");
    let reused = app.client.get(&url).send().await.expect("reuse link").status().as_u16();
    assert_eq!(reused, 410);
    let login = json!({"email": "owner@example.com", "password": wrong_password});
    assert_eq!(
        send(&app, reqwest::Method::POST, "/v1/admin/login", None, Some(login)).await,
        401
    );
    let good = json!({"email": "owner@example.com", "password": PASSWORD});
    assert_eq!(
        send(&app, reqwest::Method::POST, "/v1/admin/login", None, Some(good)).await,
        200
    );
    let sync = json!({
        "event_id": uuid::Uuid::new_v4().to_string(), "assertion": format!("{account_assertion}x"),
        "notice_version": 1, "notice_hash": body["notice_hash"], "language": "en",
    });
    assert_eq!(
        send(&app, reqwest::Method::POST, "/v1/sites/demo/sync", None, Some(sync)).await,
        403
    );
    let links = json!({"account_id": "acct-logs", "subject_id": subject, "subject_token": forged});
    assert_eq!(
        send(
            &app,
            reqwest::Method::POST,
            "/v1/sites/demo/identity-links",
            Some(&secret),
            Some(links)
        )
        .await,
        403
    );
    assert_eq!(
        send(
            &app,
            reqwest::Method::GET,
            "/v1/admin/sites",
            Some(&format!("{secret}y")),
            None
        )
        .await,
        401
    );

    drop(app);
    let log = String::from_utf8_lossy(&captured.0.lock().expect("lock")).into_owned();
    assert!(log.lines().count() > 10, "the capture saw the server's lines:\n{log}");
    assert!(log.contains("assent_server"), "Assent's own lines are captured:\n{log}");
    for (what, needle) in [
        ("subject token", token.as_str()),
        ("forged token", forged.as_str()),
        ("site secret", secret.as_str()),
        ("account assertion", account_assertion.as_str()),
        ("settings link code", code.as_str()),
        ("password", PASSWORD),
        ("wrong password", wrong_password),
        ("client address", "203.0.113.77"),
    ] {
        assert!(!log.contains(needle), "the log carries the {what}:\n{log}");
    }
}
