//! The world the catalogue's cases run in, made through the API before the first row count:
//! the demo site with notice versions 1 and 2 (2 adds a purpose) and a draft, a second site
//! `other` with its own subject, secret and viewer, recorded and erased subjects, an
//! identity link, a webhook endpoint, and credentials of every kind the API takes.

use crate::admin::{create_account, create_site, send, token_of};
use crate::helpers::{Backend, TestApp, spawn_app_with};
use crate::identity_kit::{ACCOUNT, assertion, link, site_secret};
use crate::openapi::METRICS_TOKEN;
use crate::webhooks::{admin, all, create_webhook};
use assent_server::auth::{Role, ServiceClaims, SettingsClaims};
use assent_server::extract::SubjectClaims;
use assent_server::site_auth::AccountClaims;
use assent_shared::ids::{AccountId, SiteId, SubjectId};
use reqwest::Method;
use serde_json::{Value, json};

/// The purpose notice version 2 of the demo site adds (not in version 1).
pub const NEWER_PURPOSE: &str = "newsletter";

/// Ids and credentials the cases use (plain data, so the coverage check can build every
/// case without a server).
#[derive(Debug, Clone)]
pub struct Ids {
    pub notice_hash: String,
    pub admin: String,
    /// The administrator's session as its cookie (`assent_session=…`).
    pub admin_cookie: String,
    /// A session ended by its logout.
    pub ended_session: String,
    /// A service token owning `other` only.
    pub other_service: String,
    /// A viewer of `other` only: an admin token of another site.
    pub other_viewer: String,
    pub subject: String,
    pub token: String,
    pub event: String,
    /// Another subject of the demo site and its token.
    pub other_subject: String,
    pub other_token: String,
    /// A subject of the site `other` and its token.
    pub foreign_subject: String,
    pub foreign_token: String,
    /// An erased subject of the demo site and the token it had.
    pub erased_subject: String,
    pub erased_token: String,
    /// A subject id the site never saw, with a genuine token for it.
    pub unknown_subject: String,
    pub unknown_token: String,
    pub secret: String,
    pub other_secret: String,
    pub webhook: String,
    /// Settings-page session cookies (`assent_settings=…`) and their CSRF tokens: the demo
    /// subject's, and the foreign subject's on `other`.
    pub settings_cookie: String,
    pub settings_csrf: String,
    pub foreign_settings_cookie: String,
    pub foreign_settings_csrf: String,
    /// Account assertions for [`ACCOUNT`]: the demo site's, another site's, an expired one.
    pub assertion: String,
    pub other_site_assertion: String,
    pub expired_assertion: String,
}

impl Ids {
    /// Stand-ins, for building the cases without a server.
    pub fn placeholder() -> Self {
        let s = |name: &str| name.to_owned();
        Self {
            notice_hash: s("hash"),
            admin: s("admin"),
            admin_cookie: s("admin-cookie"),
            ended_session: s("ended"),
            other_service: s("other-service"),
            other_viewer: s("viewer"),
            subject: s("subject"),
            token: s("token"),
            event: s("event"),
            other_subject: s("other-subject"),
            other_token: s("other-token"),
            foreign_subject: s("foreign-subject"),
            foreign_token: s("foreign-token"),
            erased_subject: s("erased-subject"),
            erased_token: s("erased-token"),
            unknown_subject: s("unknown-subject"),
            unknown_token: s("unknown-token"),
            secret: s("secret"),
            other_secret: s("other-secret"),
            webhook: s("webhook"),
            settings_cookie: s("cookie"),
            settings_csrf: s("csrf"),
            foreign_settings_cookie: s("foreign-cookie"),
            foreign_settings_csrf: s("foreign-csrf"),
            assertion: s("assertion"),
            other_site_assertion: s("other-assertion"),
            expired_assertion: s("expired-assertion"),
        }
    }

    /// A valid consent body for notice version 1 of the demo site (English).
    pub fn consent(&self) -> Value {
        json!({
            "event_id": uuid::Uuid::new_v4().to_string(),
            "notice_version": 1,
            "notice_hash": self.notice_hash,
            "language": "en",
            "method": "save",
            "source": "banner",
            "decisions": { "analytics": "granted" },
            "client_time": "2026-11-26T10:00:00.000Z",
            "banner_build": "test-build",
        })
    }
}

pub struct Fixture {
    pub app: TestApp,
    pub ids: Ids,
    pool: sqlx::AnyPool,
    /// `SELECT '<table>', COUNT(*) FROM <table> UNION ALL …` over every table.
    census: String,
}

/// Background jobs' leases, taken on the jobs' own schedule whatever the requests are.
const NOT_COUNTED: [&str; 1] = ["leases"];

impl Fixture {
    /// Rows per table, and the configuration version (which any change to a site moves).
    pub async fn snapshot(&self) -> Vec<(String, i64)> {
        let mut rows = sqlx::query_as::<_, (String, i64)>(&self.census)
            .fetch_all(&self.pool)
            .await
            .expect("count rows");
        rows.sort();
        rows
    }
}

async fn recorded(app: &TestApp, site: &str, body: &Value) -> (String, String, String) {
    let res = app
        .client
        .post(format!("{}/v1/sites/{site}/consents", app.api))
        .json(body)
        .send()
        .await
        .expect("POST consent");
    assert_eq!(res.status(), 201, "record on {site}");
    let r: Value = res.json().await.expect("recorded");
    let s = |k: &str| r[k].as_str().expect(k).to_owned();
    (s("subject_id"), s("subject_token"), s("event_id"))
}

fn settings_cookie(app: &TestApp, site: &str, subject: &str) -> (String, String) {
    let exp = time::OffsetDateTime::now_utc().unix_timestamp() + 1800;
    let claims = SettingsClaims::new(
        &SiteId::parse(site).expect("site"),
        &SubjectId::parse(subject).expect("subject"),
        exp,
    );
    let token = app.state.keys.sign(&claims).expect("sign");
    (format!("assent_settings={token}"), claims.csrf)
}

fn account_assertion(app: &TestApp, site: &str, iat: i64) -> String {
    let claims = AccountClaims::new(
        &SiteId::parse(site).expect("site"),
        &AccountId::parse(ACCOUNT).expect("account"),
        iat,
    );
    app.state.keys.sign(&claims).expect("sign")
}

pub async fn fixture(backend: Backend) -> Fixture {
    fixture_with(backend, |_| {}).await
}

/// [`fixture`], with `configure` applied to the server's configuration last.
pub async fn fixture_with(backend: Backend, configure: impl FnOnce(&mut assent_server::config::Config)) -> Fixture {
    let app = spawn_app_with(backend, |c| {
        c.public_rate_per_second = 0;
        c.site_rate_per_second = 0;
        c.login_per_minute_per_ip = 100_000;
        c.login_per_minute_per_account = 100_000;
        c.metrics_token = Some(METRICS_TOKEN.into());
        c.webhooks_allow_private_networks = true;
        configure(c);
    })
    .await;
    let v1 = app.notice("en").await;
    let admin = admin(&app).await;

    let other = create_site(&app, &admin, "other", &["https://other.example"]).await;
    let other_secret = other["secret"].as_str().expect("secret").to_owned();
    create_account(&app, "viewer@example.com", false).await;
    let grant = json!({ "email": "viewer@example.com", "role": "viewer" });
    let res = send(
        &app,
        Method::PUT,
        "/v1/admin/sites/other/members",
        Some(&admin),
        Some(&grant),
    )
    .await;
    assert!(res.status().is_success(), "grant viewer: {}", res.status());
    let other_viewer = token_of(&app, "viewer@example.com").await;
    create_account(&app, "gone@example.com", false).await;
    let ended_session = token_of(&app, "gone@example.com").await;
    let res = send(&app, Method::POST, "/v1/admin/logout", Some(&ended_session), None).await;
    assert!(res.status().is_success(), "logout: {}", res.status());
    let exp = time::OffsetDateTime::now_utc().unix_timestamp() + 3600;
    let other_service = app
        .state
        .keys
        .sign(&ServiceClaims::new(vec!["other".into()], Role::Owner, exp))
        .expect("sign");

    // Version 2 adds a purpose; a draft of version 3 waits for the publish cases.
    let mut notice: Value = serde_json::from_str(include_str!("../../../demo/notice.json")).expect("notice");
    let mut newer = notice["purposes"][1].clone();
    newer["key"] = json!(NEWER_PURPOSE);
    newer["vendors"] = json!([]);
    notice["purposes"].as_array_mut().expect("purposes").push(newer);
    for path in ["/draft", "/draft/publish", "/draft"] {
        let (method, body) = if path == "/draft" {
            (Method::PUT, notice.clone())
        } else {
            (Method::POST, json!({}))
        };
        let url = format!("/v1/admin/sites/demo{path}");
        let res = send(&app, method, &url, Some(&admin), Some(&body)).await;
        let status = res.status();
        assert!(
            status.is_success(),
            "{path}: {status} {}",
            res.text().await.unwrap_or_default()
        );
    }

    let mut body = app.consent_body("accept_all", all("granted")).await;
    body["notice_version"] = json!(v1.notice.version);
    body["notice_hash"] = json!(v1.notice_hash);
    let (subject, token, event) = recorded(&app, "demo", &body).await;
    body["event_id"] = json!(uuid::Uuid::new_v4().to_string());
    let (other_subject, other_token, _) = recorded(&app, "demo", &body).await;
    body["event_id"] = json!(uuid::Uuid::new_v4().to_string());
    let (erased_subject, erased_token, _) = recorded(&app, "demo", &body).await;
    let res = app
        .client
        .post(format!("{}/v1/sites/demo/subjects/{erased_subject}/erasure", app.api))
        .bearer_auth(&erased_token)
        .send()
        .await
        .expect("erase");
    assert_eq!(res.status(), 204, "erase");
    let theirs: Value = app
        .get("/v1/sites/other/notice?lang=en")
        .await
        .json()
        .await
        .expect("notice");
    let theirs_purpose = theirs["notice"]["purposes"]
        .as_array()
        .expect("purposes")
        .iter()
        .find(|p| p["legal_basis"] == "consent")
        .and_then(|p| p["key"].as_str())
        .expect("a consent purpose")
        .to_owned();
    let foreign_body = json!({
        "event_id": uuid::Uuid::new_v4().to_string(),
        "notice_version": theirs["notice"]["version"],
        "notice_hash": theirs["notice_hash"],
        "language": theirs["notice"]["language"],
        "method": "save",
        "source": "banner",
        "decisions": { theirs_purpose: "denied" },
    });
    let (foreign_subject, foreign_token, _) = recorded(&app, "other", &foreign_body).await;

    let secret = site_secret(&app).await;
    let linked = json!({ "account_id": ACCOUNT, "subject_id": subject, "subject_token": token });
    assert_eq!(link(&app, Some(&secret), &linked).await.status(), 201, "link");
    let assertion = assertion(&app, &secret, ACCOUNT).await;
    // After every recorded event: an endpoint with queued messages would write deliveries.
    let webhook = create_webhook(&app, &admin, "http://127.0.0.1:9/hook", &["consent.recorded"]).await;
    let webhook = webhook["id"].as_str().expect("id").to_owned();

    let (settings_cookie_, settings_csrf) = settings_cookie(&app, "demo", &subject);
    let (foreign_settings_cookie, foreign_settings_csrf) = settings_cookie(&app, "other", &foreign_subject);
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let unknown_subject = uuid::Uuid::new_v4().to_string();
    let unknown_claims = SubjectClaims::new(
        &SiteId::parse("demo").expect("site"),
        &SubjectId::parse(&unknown_subject).expect("subject"),
    );
    let unknown_token = app.state.keys.sign(&unknown_claims).expect("sign");
    let ids = Ids {
        notice_hash: v1.notice_hash,
        admin_cookie: format!("assent_session={admin}"),
        admin,
        ended_session,
        other_service,
        unknown_subject,
        unknown_token,
        other_viewer,
        subject,
        token,
        event,
        other_subject,
        other_token,
        foreign_subject,
        foreign_token,
        erased_subject,
        erased_token,
        secret,
        other_secret,
        webhook,
        settings_cookie: settings_cookie_,
        settings_csrf,
        foreign_settings_cookie,
        foreign_settings_csrf,
        assertion,
        other_site_assertion: account_assertion(&app, "other", now),
        expired_assertion: account_assertion(&app, "demo", now - 3600),
    };

    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&app.database_url).await.expect("connect");
    let list = match backend {
        Backend::Sqlite => "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
        Backend::Postgres => "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public'",
    };
    let tables: Vec<String> = sqlx::query_scalar(list).fetch_all(&pool).await.expect("tables");
    assert!(tables.len() > 15, "only {} tables: {tables:?}", tables.len());
    let mut parts: Vec<String> = tables
        .iter()
        .filter(|t| !NOT_COUNTED.contains(&t.as_str()))
        .map(|t| format!("SELECT '{t}', COUNT(*) FROM {t}"))
        .collect();
    parts.push("SELECT 'config_version.version', version FROM config_version".into());
    Fixture {
        app,
        ids,
        pool,
        census: parts.join(" UNION ALL "),
    }
}
