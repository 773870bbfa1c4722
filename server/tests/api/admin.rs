//! The admin API as its users meet it: signing in and out, sessions in cookies with CSRF,
//! throttled logins, and every endpoint refusing callers without the role it needs.

use crate::helpers::{Backend, TestApp, error_code, spawn_app, spawn_app_with};
use crate::on_both_backends;
use assent_server::auth::{Audience, Role, ServiceClaims, hash_password};
use assent_server::db::accounts::Created;
use assent_server::db::audit::AuditRecord;
use reqwest::Method;
use serde_json::{Value, json};

on_both_backends!(
    a_session_lives_in_an_httponly_cookie_and_ends_at_logout_and_password_change,
    cookie_writes_need_the_csrf_token,
    logins_are_throttled_with_retry_after,
    every_admin_endpoint_refuses_callers_without_the_role_it_needs,
);

pub const PASSWORD: &str = "correct horse battery staple";

/// Creates an account straight in the database; returns its id.
pub async fn create_account(app: &TestApp, email: &str, is_admin: bool) -> String {
    let hash = hash_password(PASSWORD).expect("hash");
    let record = AuditRecord {
        actor: "test".into(),
        action: "user_create",
        site_id: None,
        details: json!({}),
        client_ip: None,
    };
    match app
        .state
        .db
        .create_user(email, &hash, is_admin, &record)
        .await
        .expect("create")
    {
        Created::Created(id) => id,
        Created::EmailTaken => panic!("{email} exists"),
    }
}

/// Signs in; returns the session JSON and the `Set-Cookie` headers.
pub async fn login(app: &TestApp, email: &str) -> (Value, Vec<String>) {
    let res = app
        .client
        .post(format!("{}/v1/admin/login", app.api))
        .json(&json!({ "email": email, "password": PASSWORD }))
        .send()
        .await
        .expect("login");
    assert_eq!(res.status(), 200, "login as {email}");
    let cookies = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().expect("ascii").to_owned())
        .collect();
    (res.json().await.expect("session JSON"), cookies)
}

/// The bearer token of a fresh session.
pub async fn token_of(app: &TestApp, email: &str) -> String {
    login(app, email).await.0["token"].as_str().expect("token").to_owned()
}

/// Creates a site through the API as `token` (an administrator); returns the answer.
pub async fn create_site(app: &TestApp, token: &str, id: &str, origins: &[&str]) -> Value {
    let res = app
        .client
        .post(format!("{}/v1/admin/sites", app.api))
        .bearer_auth(token)
        .json(&json!({ "id": id, "name": format!("Site {id}"), "origins": origins }))
        .send()
        .await
        .expect("POST site");
    assert_eq!(res.status(), 201, "create site {id}");
    res.json().await.expect("site JSON")
}

pub async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> reqwest::Response {
    let mut req = app.client.request(method, format!("{}{path}", app.api));
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    if let Some(body) = body {
        req = req.json(body);
    }
    req.send().await.expect("request")
}

async fn a_session_lives_in_an_httponly_cookie_and_ends_at_logout_and_password_change(backend: Backend) {
    // This test signs in more often than the default throttle allows per minute.
    let app = spawn_app_with(backend, |c| c.login_per_minute_per_account = 100).await;
    create_account(&app, "Owner@Example.com", true).await;
    let (session, cookies) = login(&app, "owner@example.com").await;
    let session_cookie = cookies
        .iter()
        .find(|c| c.starts_with("assent_session="))
        .expect("session cookie");
    for attribute in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/"] {
        assert!(session_cookie.contains(attribute), "{attribute} in {session_cookie}");
    }
    assert_eq!(
        session["user"]["email"], "owner@example.com",
        "emails are case-insensitive"
    );
    let token = session["token"].as_str().expect("token").to_owned();
    assert_eq!(
        send(&app, Method::GET, "/v1/admin/me", Some(&token), None)
            .await
            .status(),
        200
    );

    // A wrong password and an unknown account get the same answer.
    for (email, password) in [
        ("owner@example.com", "wrong password!!"),
        ("nobody@example.com", PASSWORD),
    ] {
        let res = app
            .client
            .post(format!("{}/v1/admin/login", app.api))
            .json(&json!({ "email": email, "password": password }))
            .send()
            .await
            .expect("login");
        assert_eq!(error_code(res, 401).await, "unauthorized");
    }

    // Logout ends this session (and every other of the account).
    let other = token_of(&app, "owner@example.com").await;
    let res = send(&app, Method::POST, "/v1/admin/logout", Some(&token), None).await;
    assert_eq!(res.status(), 204);
    for old in [&token, &other] {
        let res = send(&app, Method::GET, "/v1/admin/me", Some(old), None).await;
        assert_eq!(error_code(res, 401).await, "unauthorized");
    }

    // A password change ends earlier sessions and answers with a fresh one.
    let before = token_of(&app, "owner@example.com").await;
    let change = json!({ "current_password": PASSWORD, "new_password": "another long passphrase" });
    let res = send(&app, Method::POST, "/v1/admin/password", Some(&before), Some(&change)).await;
    assert_eq!(res.status(), 200);
    let fresh: Value = res.json().await.expect("session");
    let res = send(&app, Method::GET, "/v1/admin/me", Some(&before), None).await;
    assert_eq!(error_code(res, 401).await, "unauthorized");
    let fresh_token = fresh["token"].as_str().expect("token");
    assert_eq!(
        send(&app, Method::GET, "/v1/admin/me", Some(fresh_token), None)
            .await
            .status(),
        200
    );
    let res = app
        .client
        .post(format!("{}/v1/admin/login", app.api))
        .json(&json!({ "email": "owner@example.com", "password": PASSWORD }))
        .send()
        .await
        .expect("login");
    assert_eq!(res.status(), 401, "the old password no longer works");

    // Each action is in the audit log, and the log verifies.
    let entries: Vec<Value> = send(&app, Method::GET, "/v1/admin/audit", Some(fresh_token), None)
        .await
        .json()
        .await
        .expect("audit");
    let actions: Vec<&str> = entries.iter().filter_map(|e| e["action"].as_str()).collect();
    for action in ["login", "logout", "password_change"] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }
    let res = send(
        &app,
        Method::GET,
        "/v1/admin/audit?from=garbage",
        Some(fresh_token),
        None,
    )
    .await;
    assert_eq!(res.status(), 422);
    let err: Value = res.json().await.expect("error");
    assert_eq!(err["error"]["details"]["field"], "from");
    let today: Vec<Value> = send(
        &app,
        Method::GET,
        "/v1/admin/audit?from=2000-01-01&action=login",
        Some(fresh_token),
        None,
    )
    .await
    .json()
    .await
    .expect("audit");
    assert_eq!(today.len(), actions.iter().filter(|a| **a == "login").count());
    let (count, problems) = app.state.db.verify_audit().await.expect("verify");
    assert!(count >= 5 && problems.is_empty(), "{count} entries, {problems:?}");
}

async fn cookie_writes_need_the_csrf_token(backend: Backend) {
    let app = spawn_app(backend).await;
    create_account(&app, "admin@example.com", true).await;
    let (session, cookies) = login(&app, "admin@example.com").await;
    let jar: String = cookies
        .iter()
        .map(|c| c.split(';').next().expect("pair"))
        .collect::<Vec<_>>()
        .join("; ");
    let csrf = session["csrf_token"].as_str().expect("csrf");
    let read = app
        .client
        .get(format!("{}/v1/admin/sites", app.api))
        .header("cookie", &jar)
        .send()
        .await
        .expect("GET");
    assert_eq!(read.status(), 200, "reads need no CSRF token");
    let body = json!({ "id": "shop", "name": "Shop", "origins": ["https://shop.example"] });
    let sites_before = app.state.ledger.sites().await.expect("sites").len();
    for header in [None, Some("wrong")] {
        let mut req = app
            .client
            .post(format!("{}/v1/admin/sites", app.api))
            .header("cookie", &jar)
            .json(&body);
        if let Some(h) = header {
            req = req.header("x-csrf-token", h);
        }
        let res = req.send().await.expect("POST");
        assert_eq!(error_code(res, 403).await, "csrf_failed");
    }
    assert_eq!(
        app.state.ledger.sites().await.expect("sites").len(),
        sites_before,
        "nothing written"
    );
    let res = app
        .client
        .post(format!("{}/v1/admin/sites", app.api))
        .header("cookie", &jar)
        .header("x-csrf-token", csrf)
        .json(&body)
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), 201);
}

async fn logins_are_throttled_with_retry_after(backend: Backend) {
    let app = spawn_app_with(backend, |c| c.login_per_minute_per_account = 3).await;
    create_account(&app, "admin@example.com", true).await;
    let attempt = || async {
        app.client
            .post(format!("{}/v1/admin/login", app.api))
            .json(&json!({ "email": "admin@example.com", "password": "not the password" }))
            .send()
            .await
            .expect("login")
    };
    for _ in 0..3 {
        assert_eq!(attempt().await.status(), 401);
    }
    let res = attempt().await;
    let retry: u64 = res.headers()["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!((1..=60).contains(&retry), "Retry-After {retry}");
    assert_eq!(error_code(res, 429).await, "too_many_requests");
    // Even the right password waits: the account is throttled, not the guess.
    let res = app
        .client
        .post(format!("{}/v1/admin/login", app.api))
        .json(&json!({ "email": "admin@example.com", "password": PASSWORD }))
        .send()
        .await
        .expect("login");
    assert_eq!(res.status(), 429);
}

/// Every site-scoped admin endpoint: method, path under `/v1/admin/sites/{site}`, body, and
/// whether it writes (owner) or reads (viewer).
fn site_endpoints() -> Vec<(Method, &'static str, Option<Value>, bool)> {
    let notice: Value = serde_json::from_str(include_str!("../../demo/notice.json")).expect("notice");
    vec![
        (Method::GET, "", None, false),
        (Method::PATCH, "", Some(json!({ "name": "Renamed" })), true),
        (Method::POST, "/archive", None, true),
        (Method::POST, "/secret", Some(json!({})), true),
        (Method::GET, "/members", None, false),
        (
            Method::PUT,
            "/members",
            Some(json!({ "email": "viewer@example.com", "role": "owner" })),
            true,
        ),
        (Method::GET, "/audit", None, false),
        (Method::GET, "/notices", None, false),
        (Method::GET, "/notices/1", None, false),
        (Method::GET, "/draft", None, false),
        (Method::PUT, "/draft", Some(notice.clone()), true),
        (Method::POST, "/draft/publish", Some(json!({})), true),
        (Method::POST, "/lint", Some(notice), false),
        (
            Method::GET,
            "/subjects/0b9f6c1e-2d43-4a57-9a43-4c8f1e2d3a4b",
            None,
            false,
        ),
        (
            Method::GET,
            "/subjects/0b9f6c1e-2d43-4a57-9a43-4c8f1e2d3a4b/export",
            None,
            false,
        ),
        (
            Method::GET,
            "/subjects/0b9f6c1e-2d43-4a57-9a43-4c8f1e2d3a4b/consents/0b9f6c1e-2d43-4a57-9a43-4c8f1e2d3a4c/receipt",
            None,
            false,
        ),
        (
            Method::POST,
            "/subjects/0b9f6c1e-2d43-4a57-9a43-4c8f1e2d3a4b/erasure",
            None,
            true,
        ),
        (Method::GET, "/accounts/acct-42", None, false),
        (Method::GET, "/verify", None, false),
        (Method::GET, "/stats", None, false),
        (Method::POST, "/draft/preview", None, false),
        (Method::GET, "/export?format=csv", None, false),
        (Method::POST, "/checkpoints", None, true),
        (Method::GET, "/webhooks", None, false),
        (
            Method::POST,
            "/webhooks",
            Some(json!({ "url": "https://hooks.example.com/", "events": ["consent.recorded"] })),
            true,
        ),
        (Method::PATCH, "/webhooks/any", Some(json!({ "enabled": false })), true),
        (Method::DELETE, "/webhooks/any", None, true),
        (Method::POST, "/webhooks/any/rotate-secret", Some(json!({})), true),
        (Method::GET, "/webhooks/any/deliveries", None, false),
    ]
}

/// Every table's row count, to show a refused request wrote nothing.
async fn row_counts(app: &TestApp) -> Vec<(String, i64)> {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&app.database_url).await.expect("connect");
    let mut out = Vec::new();
    for table in [
        "sites",
        "notices",
        "subjects",
        "consent_events",
        "consent_state",
        "checkpoints",
        "admin_users",
        "site_roles",
        "site_secrets",
        "notice_drafts",
        "audit_log",
        "webhook_endpoints",
        "webhook_outbox",
        "webhook_deliveries",
        "stats_daily",
        "banner_impressions",
        "identity_links",
    ] {
        let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(&pool)
            .await
            .expect("count");
        out.push((table.to_owned(), n));
    }
    pool.close().await;
    out
}

async fn every_admin_endpoint_refuses_callers_without_the_role_it_needs(backend: Backend) {
    let app = spawn_app(backend).await;
    create_account(&app, "admin@example.com", true).await;
    create_account(&app, "owner-a@example.com", false).await;
    create_account(&app, "viewer@example.com", false).await;
    let admin = token_of(&app, "admin@example.com").await;
    create_site(&app, &admin, "site-a", &["https://a.example"]).await;
    create_site(&app, &admin, "site-b", &["https://b.example"]).await;
    for (email, role) in [("owner-a@example.com", "owner"), ("viewer@example.com", "viewer")] {
        let change = json!({ "email": email, "role": role });
        let res = send(
            &app,
            Method::PUT,
            "/v1/admin/sites/site-a/members",
            Some(&admin),
            Some(&change),
        )
        .await;
        assert_eq!(res.status(), 204);
    }
    let owner_a = token_of(&app, "owner-a@example.com").await;
    let viewer = token_of(&app, "viewer@example.com").await;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let keys = &app.state.keys;
    let expired = keys
        .sign(&ServiceClaims::new(vec!["*".into()], Role::Owner, now - 10))
        .expect("sign");
    let subject_token = keys
        .sign(&json!({ "aud": Audience::Subject.as_str(), "site": "site-a", "sub": "x" }))
        .expect("sign");
    let receipt = keys
        .sign(&json!({ "aud": Audience::Receipt.as_str(), "typ": "consent_receipt", "exp": now + 600 }))
        .expect("sign");
    let other_key = tempfile::tempdir().expect("tempdir");
    let forged = assent_server::keys::Keys::load_or_create(&other_key.path().join("k.json"))
        .expect("keys")
        .sign(&ServiceClaims::new(vec!["*".into()], Role::Owner, now + 600))
        .expect("sign");
    let (header, payload) = {
        let mut parts = admin.split('.');
        (parts.next().expect("h").to_owned(), parts.next().expect("p").to_owned())
    };
    let unsigned = format!("{header}.{payload}.");
    let before = row_counts(&app).await;

    let instance = [
        (Method::GET, "/v1/admin/users", None),
        (
            Method::POST,
            "/v1/admin/users",
            Some(json!({ "email": "x@example.com", "password": PASSWORD })),
        ),
        (Method::GET, "/v1/admin/audit", None),
        (
            Method::POST,
            "/v1/admin/sites",
            Some(json!({ "id": "site-c", "name": "C", "origins": ["https://c.example"] })),
        ),
    ];
    for (method, path, body) in &instance {
        for token in [&owner_a, &viewer] {
            let res = send(&app, method.clone(), path, Some(token), body.as_ref()).await;
            assert_eq!(error_code(res, 403).await, "forbidden", "{method} {path}");
        }
    }
    let mut checked = 0;
    for (method, suffix, body, writes) in site_endpoints() {
        let on = |site: &str| format!("/v1/admin/sites/{site}{suffix}");
        // Site A's owner and viewer against site B.
        for token in [&owner_a, &viewer] {
            let res = send(&app, method.clone(), &on("site-b"), Some(token), body.as_ref()).await;
            assert_eq!(
                error_code(res, 403).await,
                "forbidden",
                "{method} {} on B",
                on("site-b")
            );
        }
        if writes {
            let res = send(&app, method.clone(), &on("site-a"), Some(&viewer), body.as_ref()).await;
            assert_eq!(
                error_code(res, 403).await,
                "forbidden",
                "viewer {method} {}",
                on("site-a")
            );
        }
        for token in [
            None,
            Some(&expired),
            Some(&subject_token),
            Some(&receipt),
            Some(&forged),
            Some(&unsigned),
        ] {
            let res = send(
                &app,
                method.clone(),
                &on("site-a"),
                token.map(String::as_str),
                body.as_ref(),
            )
            .await;
            assert_eq!(
                error_code(res, 401).await,
                "unauthorized",
                "{method} {} with {token:?}",
                on("site-a")
            );
        }
        checked += 1;
    }
    assert_eq!(checked, site_endpoints().len());
    assert_eq!(row_counts(&app).await, before, "refused requests wrote nothing");
    // And the same endpoints do answer their rightful callers (no false refusals).
    let res = send(&app, Method::GET, "/v1/admin/sites/site-a", Some(&viewer), None).await;
    assert_eq!(res.status(), 200);
    let res = send(
        &app,
        Method::PATCH,
        "/v1/admin/sites/site-a",
        Some(&owner_a),
        Some(&json!({"name": "A!"})),
    )
    .await;
    assert_eq!(res.status(), 200);
    let listed: Vec<Value> = send(&app, Method::GET, "/v1/admin/sites", Some(&owner_a), None)
        .await
        .json()
        .await
        .expect("sites");
    let ids: Vec<&str> = listed.iter().filter_map(|s| s["id"].as_str()).collect();
    assert_eq!(ids, ["site-a"], "an owner lists only its own sites");
}
