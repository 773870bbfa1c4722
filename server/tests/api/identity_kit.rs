//! What the identity tests share: a site secret for the demo site, devices (subjects with
//! their tokens) recording choices, the site backend's calls and a device's sync.

use crate::helpers::TestApp;
use assent_server::db::audit::AuditRecord;
use assent_server::db::sites::NewSecret;
use assent_shared::api::{ConsentHistory, ConsentRecorded, CurrentState};
use assent_shared::consent::Decision;
use assent_shared::ids::{PurposeKey, SiteId};
use serde_json::{Value, json};
use std::collections::BTreeMap;

pub const ACCOUNT: &str = "acct-42";

/// A fresh secret of the demo site, as its backend holds it.
pub async fn site_secret(app: &TestApp) -> String {
    secret_of(app, "demo").await
}

/// A fresh secret of `site` (registered).
pub async fn secret_of(app: &TestApp, site: &str) -> String {
    let secret = NewSecret::generate();
    let audit = AuditRecord {
        actor: "test".into(),
        action: "secret_rotate",
        site_id: Some(site.into()),
        details: json!({}),
        client_ip: None,
    };
    app.state
        .db
        .rotate_secret(
            &SiteId::parse(site).expect("site"),
            &secret,
            time::Duration::hours(1),
            &audit,
        )
        .await
        .expect("rotate secret");
    secret.secret
}

/// One browser: its subject, once it has one.
#[derive(Debug, Clone, Default)]
pub struct Device {
    pub subject: Option<String>,
    pub token: Option<String>,
}

impl Device {
    pub fn subject(&self) -> &str {
        self.subject.as_deref().expect("the device has a subject")
    }

    pub fn token(&self) -> &str {
        self.token.as_deref().expect("the device has a subject token")
    }

    /// Records a choice as the banner would; returns the answer.
    pub async fn choose(&mut self, app: &TestApp, method: &str, source: &str, decisions: Value) -> ConsentRecorded {
        let mut body = app.consent_body(method, decisions).await;
        body["source"] = json!(source);
        if let Some(subject) = &self.subject {
            body["subject_id"] = json!(subject);
        }
        let res = app.post_consent(&body, self.token.as_deref()).await;
        assert_eq!(res.status(), 201, "{method}");
        let recorded: ConsentRecorded = res.json().await.expect("recorded");
        self.adopt(&recorded);
        recorded
    }

    /// Keeps the subject a first event created, as the loader stores it.
    pub fn adopt(&mut self, recorded: &ConsentRecorded) {
        if let Some(token) = &recorded.subject_token {
            self.subject = Some(recorded.subject_id.to_string());
            self.token = Some(token.clone());
        }
    }

    /// `POST /v1/sites/demo/sync` with `assertion` and a fresh event id.
    pub async fn sync(&self, app: &TestApp, assertion: &str) -> reqwest::Response {
        let body = self.sync_body(app, assertion).await;
        self.send_sync(app, &body).await
    }

    pub async fn sync_body(&self, app: &TestApp, assertion: &str) -> Value {
        let notice = app.consent_body("save", json!({})).await;
        let mut body = json!({
            "event_id": uuid::Uuid::new_v4().to_string(),
            "assertion": assertion,
            "notice_version": notice["notice_version"],
            "notice_hash": notice["notice_hash"],
            "language": notice["language"],
        });
        if let Some(subject) = &self.subject {
            body["subject_id"] = json!(subject);
        }
        body
    }

    pub async fn send_sync(&self, app: &TestApp, body: &Value) -> reqwest::Response {
        let mut req = app.client.post(format!("{}/v1/sites/demo/sync", app.api)).json(body);
        if let Some(token) = &self.token {
            req = req.bearer_auth(token);
        }
        req.send().await.expect("POST sync")
    }

    pub async fn history(&self, app: &TestApp) -> ConsentHistory {
        app.history(self.subject(), self.token())
            .await
            .json()
            .await
            .expect("history")
    }

    /// The current decision per purpose.
    pub async fn current(&self, app: &TestApp) -> BTreeMap<String, Decision> {
        let url = format!("{}/v1/sites/demo/subjects/{}/current", app.api, self.subject());
        let current: CurrentState = app.get_authed(url, self.token()).await.json().await.expect("current");
        current
            .purposes
            .into_iter()
            .map(|(k, d)| (k.to_string(), d.decision))
            .collect()
    }
}

/// `POST /v1/sites/demo/identity-links` as the site's backend.
pub async fn link(app: &TestApp, secret: Option<&str>, body: &Value) -> reqwest::Response {
    let mut req = app
        .client
        .post(format!("{}/v1/sites/demo/identity-links", app.api))
        .json(body);
    if let Some(secret) = secret {
        req = req.bearer_auth(secret);
    }
    req.send().await.expect("POST identity-links")
}

/// Links `device` to [`ACCOUNT`] with its own token; asserts it was linked.
pub async fn link_device(app: &TestApp, secret: &str, device: &Device) {
    let body = json!({ "account_id": ACCOUNT, "subject_id": device.subject(), "subject_token": device.token() });
    let res = link(app, Some(secret), &body).await;
    assert_eq!(res.status(), 201, "link {}", device.subject());
}

/// An account assertion for `account`, from the site's backend.
pub async fn assertion(app: &TestApp, secret: &str, account: &str) -> String {
    let res = app
        .client
        .post(format!("{}/v1/sites/demo/account-assertions", app.api))
        .bearer_auth(secret)
        .json(&json!({ "account_id": account }))
        .send()
        .await
        .expect("POST account-assertions");
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.expect("assertion");
    body["assertion"].as_str().expect("assertion").to_owned()
}

/// Rows of the tables a refused identity call must leave alone.
pub async fn rows(app: &TestApp) -> Vec<i64> {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&app.database_url).await.expect("connect");
    let mut out = Vec::new();
    for table in [
        "identity_links",
        "consent_events",
        "subjects",
        "consent_state",
        "audit_log",
    ] {
        let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(&pool)
            .await
            .expect("count");
        out.push(n);
    }
    pool.close().await;
    out
}

/// Waits until the server's clock has passed `recorded_at`: the ledger's clock counts
/// milliseconds, and "the most recent choice" needs the next event to be strictly later.
pub async fn after(recorded_at: &str) {
    while assent_server::clock::now_rfc3339().as_str() <= recorded_at {
        tokio::task::yield_now().await;
    }
}

pub fn decisions(pairs: &[(&str, Decision)]) -> BTreeMap<String, Decision> {
    pairs.iter().map(|(k, d)| ((*k).to_owned(), *d)).collect()
}

pub fn key(k: &str) -> PurposeKey {
    PurposeKey::parse(k).expect("key")
}
