//! The hand-off to the hosted privacy-settings page: a single-use, five-minute code made for a
//! subject its token holder, exchanged for a session cookie scoped to the page, with which
//! the page reads and changes that subject's records — writes only with the CSRF token.

use crate::export::record;
use crate::helpers::{Backend, TestApp, error_code, spawn_app};
use crate::on_both_backends;
use assent_shared::api::{ConsentRecorded, EventReceipt};
use serde_json::{Value, json};

on_both_backends!(
    a_link_opens_one_session_for_its_subject_and_the_page_acts_only_for_it,
    codes_are_single_use_expire_and_belong_to_one_site,
    writes_on_the_page_need_the_csrf_token_and_write_nothing_without_it,
    the_page_downloads_the_receipt_each_event_was_answered_with,
);

/// Asks for a settings link for `subject`, as `token` (none: no `Authorization`).
async fn request_link(app: &TestApp, subject: &ConsentRecorded, token: Option<&str>) -> reqwest::Response {
    let mut req = app.client.post(format!(
        "{}/v1/sites/demo/subjects/{}/settings-link",
        app.api, subject.subject_id
    ));
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    req.send().await.expect("settings link")
}

/// A link for `subject` with its own token; returns the code the link carries.
pub(crate) async fn link_code(app: &TestApp, subject: &ConsentRecorded) -> String {
    let res = request_link(app, subject, subject.subject_token.as_deref()).await;
    assert_eq!(res.status(), 201);
    let link: Value = res.json().await.expect("link JSON");
    let url = link["url"].as_str().expect("url");
    assert!(
        url.starts_with(&format!("{}/sites/demo/privacy?code=", app.api)),
        "{url}"
    );
    url.split("code=").nth(1).expect("code").to_owned()
}

/// A subject with one recorded choice, and a fresh settings link for it.
pub(crate) async fn subject_with_link(app: &TestApp) -> (ConsentRecorded, String) {
    let s = record(
        app,
        "en",
        "reject_all",
        json!({ "analytics": "denied", "advertising": "denied" }),
        None,
    )
    .await;
    let code = link_code(app, &s).await;
    (s, code)
}

/// Exchanges a code; returns the cookie pair to send and the session JSON.
pub(crate) async fn exchange(app: &TestApp, site: &str, code: &str) -> reqwest::Response {
    app.client
        .post(format!("{}/sites/{site}/privacy/session", app.api))
        .json(&json!({ "code": code }))
        .send()
        .await
        .expect("exchange")
}

pub(crate) async fn open_session(app: &TestApp, code: &str) -> (String, Value) {
    let res = exchange(app, "demo", code).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["referrer-policy"], "no-referrer");
    assert_eq!(res.headers()["cache-control"], "no-store");
    let set = res.headers()["set-cookie"].to_str().expect("ascii").to_owned();
    for attribute in [
        "Path=/sites/demo/privacy",
        "HttpOnly",
        "Secure",
        "SameSite=Strict",
        "Max-Age=1800",
    ] {
        assert!(set.contains(attribute), "{attribute} in {set}");
    }
    let pair = set.split(';').next().expect("cookie pair").to_owned();
    (pair, res.json().await.expect("session JSON"))
}

pub(crate) async fn rows(app: &TestApp, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(&app.state.db.pool)
        .await
        .expect("count")
}

async fn a_link_opens_one_session_for_its_subject_and_the_page_acts_only_for_it(backend: Backend) {
    let app = spawn_app(backend).await;
    let (s, code) = subject_with_link(&app).await;
    let (cookie, session) = open_session(&app, &code).await;
    assert_eq!(session["subject_id"], s.subject_id.to_string());
    assert_eq!(session["site_id"], "demo");

    // The page reads the subject's records with its cookie, as the token reads them on /v1.
    let page = |path: String| {
        app.client
            .get(format!("{}/sites/demo/privacy{path}", app.api))
            .header("cookie", &cookie)
            .send()
    };
    let res = page(format!("/subjects/{}/consents", s.subject_id))
        .await
        .expect("history");
    assert_eq!(res.status(), 200);
    let history: Value = res.json().await.expect("history JSON");
    assert_eq!(history["events"].as_array().expect("events").len(), 1);
    let res = page("/session".into()).await.expect("session");
    assert_eq!(
        res.json::<Value>().await.expect("session")["csrf_token"],
        session["csrf_token"]
    );
    let res = page(format!("/subjects/{}/export?format=csv", s.subject_id))
        .await
        .expect("export");
    assert_eq!(res.status(), 200);

    // Another subject's records: refused.
    let other = record(
        &app,
        "en",
        "accept_all",
        json!({ "functional": "granted", "analytics": "granted", "advertising": "granted" }),
        None,
    )
    .await;
    let res = page(format!("/subjects/{}/consents", other.subject_id))
        .await
        .expect("other");
    assert_eq!(error_code(res, 403).await, "forbidden");
    // Without the cookie, and with a subject token where the page's cookie belongs: 401 / 403.
    let res = app
        .get(&format!("/sites/demo/privacy/subjects/{}/consents", s.subject_id))
        .await;
    assert_eq!(error_code(res, 401).await, "unauthorized");
    let res = app.get("/sites/demo/privacy/session").await;
    assert_eq!(error_code(res, 401).await, "unauthorized");

    // A change made on the page is recorded on the subject's chain, as the page's.
    let mut body = app.consent_body("save", json!({ "analytics": "granted" })).await;
    body["subject_id"] = json!(s.subject_id);
    body["source"] = json!("settings_page");
    let res = app
        .client
        .post(format!("{}/sites/demo/privacy/consents", app.api))
        .header("cookie", &cookie)
        .header("x-csrf-token", session["csrf_token"].as_str().expect("csrf"))
        .json(&body)
        .send()
        .await
        .expect("record");
    assert_eq!(res.status(), 201);
    let recorded: Value = res.json().await.expect("recorded");
    assert_eq!(recorded["seq"], 2);
    let history: Value = app
        .history(&s.subject_id.to_string(), s.subject_token.as_deref().expect("token"))
        .await
        .json()
        .await
        .expect("history");
    assert_eq!(history["events"][1]["source"], "settings_page");

    // The cookie counts only under the page's path, whoever sends it elsewhere (a browser
    // would not; a script with the cookie could): /v1 wants the subject token.
    let mut elsewhere = app.consent_body("save", json!({ "analytics": "denied" })).await;
    elsewhere["subject_id"] = json!(s.subject_id);
    for path in [
        "/v1/sites/demo/consents".to_owned(),
        format!("/v1/sites/demo/subjects/{}/consents", s.subject_id),
    ] {
        let res = app
            .client
            .request(
                if path.ends_with("/sites/demo/consents") {
                    reqwest::Method::POST
                } else {
                    reqwest::Method::GET
                },
                format!("{}{path}", app.api),
            )
            .header("cookie", &cookie)
            .header("x-csrf-token", session["csrf_token"].as_str().expect("csrf"))
            .json(&elsewhere)
            .send()
            .await
            .expect("send");
        assert_eq!(error_code(res, 401).await, "unauthorized", "{path}");
    }
    assert_eq!(app.event_rows().await, 3);
}

async fn codes_are_single_use_expire_and_belong_to_one_site(backend: Backend) {
    let app = spawn_app(backend).await;
    let (s, code) = subject_with_link(&app).await;
    // Another site's page does not know the code (and does not use it up).
    app.raw_sql(
        "INSERT INTO sites (id, name, origins, created_at) VALUES ('shop', 'Shop', '[]', '2026-01-01T00:00:00Z')",
    )
    .await
    .expect("second site");
    app.state.reload_sites().await.expect("reload");
    assert_eq!(
        error_code(exchange(&app, "shop", &code).await, 404).await,
        "settings_code_not_found"
    );
    open_session(&app, &code).await;
    assert_eq!(
        error_code(exchange(&app, "demo", &code).await, 410).await,
        "settings_code_used"
    );
    assert_eq!(
        error_code(exchange(&app, "demo", "made-up").await, 404).await,
        "settings_code_not_found"
    );

    let late = link_code(&app, &s).await;
    app.raw_sql("UPDATE settings_codes SET expires_at = 0 WHERE used_at IS NULL")
        .await
        .expect("age it");
    assert_eq!(
        error_code(exchange(&app, "demo", &late).await, 410).await,
        "settings_code_expired"
    );
    // Only the code's hash is stored.
    let stored: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM settings_codes WHERE code_hash = '{late}'"
    ))
    .fetch_one(&app.state.db.pool)
    .await
    .expect("count");
    assert_eq!(stored, 0);

    // A link needs the subject's own token.
    let res = request_link(&app, &s, None).await;
    assert_eq!(error_code(res, 401).await, "unauthorized");
    let other = record(
        &app,
        "en",
        "reject_all",
        json!({ "analytics": "denied", "advertising": "denied" }),
        None,
    )
    .await;
    let res = request_link(&app, &s, other.subject_token.as_deref()).await;
    assert_eq!(error_code(res, 403).await, "forbidden");
}

async fn writes_on_the_page_need_the_csrf_token_and_write_nothing_without_it(backend: Backend) {
    let app = spawn_app(backend).await;
    let (s, code) = subject_with_link(&app).await;
    let (cookie, session) = open_session(&app, &code).await;
    let events = rows(&app, "consent_events").await;
    let mut body = app.consent_body("save", json!({ "analytics": "granted" })).await;
    body["subject_id"] = json!(s.subject_id);
    for csrf in [None, Some("wrong")] {
        let mut req = app
            .client
            .post(format!("{}/sites/demo/privacy/consents", app.api))
            .header("cookie", &cookie)
            .json(&body);
        if let Some(csrf) = csrf {
            req = req.header("x-csrf-token", csrf);
        }
        assert_eq!(error_code(req.send().await.expect("send"), 403).await, "csrf_failed");
        let res = app
            .client
            .post(format!(
                "{}/sites/demo/privacy/subjects/{}/erasure",
                app.api, s.subject_id
            ))
            .header("cookie", &cookie)
            .send()
            .await
            .expect("erase");
        assert_eq!(error_code(res, 403).await, "csrf_failed");
    }
    // The page never starts a new subject.
    let mut anonymous = body.clone();
    anonymous.as_object_mut().expect("object").remove("subject_id");
    let res = app
        .client
        .post(format!("{}/sites/demo/privacy/consents", app.api))
        .header("cookie", &cookie)
        .header("x-csrf-token", session["csrf_token"].as_str().expect("csrf"))
        .json(&anonymous)
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), 422);
    let err: Value = res.json().await.expect("error");
    assert_eq!(err["error"]["details"]["field"], "subject_id");
    assert_eq!(rows(&app, "consent_events").await, events);
    assert_eq!(rows(&app, "subjects WHERE erased_at IS NOT NULL").await, 0);

    // With the token, erasure works; the subject is then gone for the page too.
    let res = app
        .client
        .post(format!(
            "{}/sites/demo/privacy/subjects/{}/erasure",
            app.api, s.subject_id
        ))
        .header("cookie", &cookie)
        .header("x-csrf-token", session["csrf_token"].as_str().expect("csrf"))
        .send()
        .await
        .expect("erase");
    assert_eq!(res.status(), 204);
    let res = app
        .client
        .get(format!(
            "{}/sites/demo/privacy/subjects/{}/current",
            app.api, s.subject_id
        ))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("current");
    assert_eq!(error_code(res, 410).await, "subject_erased");
}

async fn the_page_downloads_the_receipt_each_event_was_answered_with(backend: Backend) {
    let app = spawn_app(backend).await;
    let (s, code) = subject_with_link(&app).await;
    let (cookie, _) = open_session(&app, &code).await;
    let second = record(&app, "en", "save", json!({ "analytics": "granted" }), Some(&s)).await;
    let receipt = |subject: String, event: String| {
        app.client
            .get(format!(
                "{}/sites/demo/privacy/subjects/{subject}/consents/{event}/receipt",
                app.api
            ))
            .header("cookie", &cookie)
            .send()
    };
    for recorded in [&s, &second] {
        let res = receipt(s.subject_id.to_string(), recorded.event_id.to_string())
            .await
            .expect("receipt");
        assert_eq!(res.status(), 200);
        let body: EventReceipt = res.json().await.expect("receipt JSON");
        assert_eq!(body.event_id, recorded.event_id);
        assert_eq!(body.receipt, recorded.receipt, "byte for byte the recording's receipt");
    }

    // Another subject's event is not in this chain; another subject's path is not this session's.
    let other = record(
        &app,
        "en",
        "accept_all",
        json!({ "functional": "granted", "analytics": "granted", "advertising": "granted" }),
        None,
    )
    .await;
    let res = receipt(s.subject_id.to_string(), other.event_id.to_string())
        .await
        .expect("receipt");
    assert_eq!(error_code(res, 404).await, "event_not_found");
    let res = receipt(other.subject_id.to_string(), other.event_id.to_string())
        .await
        .expect("receipt");
    assert_eq!(error_code(res, 403).await, "forbidden");
    let res = app
        .get(&format!(
            "/sites/demo/privacy/subjects/{}/consents/{}/receipt",
            s.subject_id, s.event_id
        ))
        .await;
    assert_eq!(error_code(res, 401).await, "unauthorized");
}
