//! Site owners onboarding a real site: registering it, embedding it, changing its origins,
//! editing and publishing its notice through drafts and the lint, and the loader of one site
//! carrying nothing of the others.

use crate::admin::{create_account, create_site, send, token_of};
use crate::helpers::{Backend, TestApp, error_code, spawn_app};
use crate::on_both_backends;
use assent_server::db::audit::AuditRecord;
use assent_server::db::sites::NewSecret;
use assent_server::ledger::SiteRecord;
use assent_shared::ids::SiteId;
use reqwest::Method;
use serde_json::{Value, json};

on_both_backends!(
    a_registered_site_serves_its_banner_to_its_origin_at_once,
    a_draft_is_saved_with_its_findings_and_published_only_when_clean,
    a_draft_saved_over_a_revision_that_changed_is_refused_and_nothing_is_written,
    bad_site_input_names_the_field_and_writes_nothing,
    the_loader_of_one_site_carries_only_that_site,
);

async fn admin(app: &TestApp) -> String {
    create_account(app, "admin@example.com", true).await;
    token_of(app, "admin@example.com").await
}

fn with_origin(app: &TestApp, method: Method, path: &str, origin: &str) -> reqwest::RequestBuilder {
    app.client
        .request(method, format!("{}{path}", app.api))
        .header("origin", origin)
}

async fn a_registered_site_serves_its_banner_to_its_origin_at_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = admin(&app).await;
    let created = create_site(&app, &token, "shop", &["http://127.0.0.1:9000"]).await;
    let secret = created["secret"].as_str().expect("secret shown once");
    assert!(secret.starts_with("assent_sk_"), "{secret}");
    let tag = created["site"]["install"]["script_tag"].as_str().expect("tag");
    assert_eq!(
        tag,
        format!(
            r#"<script src="{}/embed.js?site=shop" data-site="shop"></script>"#,
            app.api
        )
    );
    assert_eq!(created["site"]["starter_notice"], true);
    // The secret is stored only as a hash.
    let shown = app.get_authed(format!("{}/v1/admin/sites/shop", app.api), &token).await;
    let text = shown.text().await.expect("text");
    assert!(!text.contains(secret), "a read never shows the secret");
    let site = SiteId::parse("shop").expect("id");
    assert!(app.state.db.check_secret(&site, secret).await.expect("check"));
    assert!(
        !app.state
            .db
            .check_secret(&site, &format!("{secret}x"))
            .await
            .expect("check")
    );

    // Its starter notice is served to its origin, a choice lands in its ledger.
    let res = with_origin(
        &app,
        Method::GET,
        "/v1/sites/shop/notice?lang=en",
        "http://127.0.0.1:9000",
    )
    .send()
    .await
    .expect("GET");
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["access-control-allow-origin"], "http://127.0.0.1:9000");
    let notice: Value = res.json().await.expect("notice");
    assert!(notice["notice"]["body"].as_str().expect("body").contains("Site shop"));
    let consent = json!({
        "event_id": uuid::Uuid::new_v4().to_string(),
        "notice_version": 1,
        "notice_hash": notice["notice_hash"],
        "language": "en",
        "method": "accept_all",
        "source": "banner",
        "decisions": {"functional": "granted", "analytics": "granted", "advertising": "granted"},
    });
    let res = with_origin(&app, Method::POST, "/v1/sites/shop/consents", "http://127.0.0.1:9000")
        .json(&consent)
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), 201);
    let recorded: Value = res.json().await.expect("recorded");

    // The owner can answer an access request for that subject.
    let subject = recorded["subject_id"].as_str().expect("subject");
    let path = format!("/v1/admin/sites/shop/subjects/{subject}");
    let record: Value = send(&app, Method::GET, &path, Some(&token), None)
        .await
        .json()
        .await
        .expect("record");
    assert_eq!(record["status"], "active");
    assert_eq!(record["events"][0]["event_id"], consent["event_id"]);
    assert_eq!(record["current"]["analytics"]["decision"], "granted");
    let unknown = "/v1/admin/sites/shop/subjects/0b9f6c1e-2d43-4a57-9a43-4c8f1e2d3a4b";
    let res = send(&app, Method::GET, unknown, Some(&token), None).await;
    assert_eq!(error_code(res, 404).await, "subject_not_found");

    // Another origin is refused until the owner adds it; then it works at once.
    let other = "https://shop.example";
    let res = with_origin(&app, Method::GET, "/v1/sites/shop/notice", other)
        .send()
        .await
        .expect("GET");
    assert_eq!(error_code(res, 403).await, "origin_not_allowed");
    let patch = json!({ "origins": ["http://127.0.0.1:9000", other] });
    let res = send(&app, Method::PATCH, "/v1/admin/sites/shop", Some(&token), Some(&patch)).await;
    assert_eq!(res.status(), 200);
    // The same patch again, or an empty one, changes nothing: answered, not written or audited.
    for again in [patch.clone(), json!({})] {
        let res = send(&app, Method::PATCH, "/v1/admin/sites/shop", Some(&token), Some(&again)).await;
        assert_eq!(res.status(), 200);
        let view: Value = res.json().await.expect("site");
        assert_eq!(view["origins"], patch["origins"]);
    }
    let res = with_origin(&app, Method::GET, "/v1/sites/shop/notice", other)
        .send()
        .await
        .expect("GET");
    assert_eq!(res.status(), 200);

    // Rotation: the new secret works, the old one until the overlap ends (0 h: at once).
    let res = send(
        &app,
        Method::POST,
        "/v1/admin/sites/shop/secret",
        Some(&token),
        Some(&json!({"overlap_hours": 0})),
    )
    .await;
    let rotated: Value = res.json().await.expect("rotated");
    let new = rotated["secret"].as_str().expect("secret");
    assert!(app.state.db.check_secret(&site, new).await.expect("check"));
    assert!(!app.state.db.check_secret(&site, secret).await.expect("check"));

    // Archived: the public API no longer serves it; the admin API still reads it.
    let res = send(&app, Method::POST, "/v1/admin/sites/shop/archive", Some(&token), None).await;
    assert_eq!(res.status(), 200);
    let res = with_origin(&app, Method::GET, "/v1/sites/shop/notice", other)
        .send()
        .await
        .expect("GET");
    assert_eq!(error_code(res, 404).await, "site_not_found");
    let res = send(&app, Method::GET, "/v1/admin/sites/shop/verify", Some(&token), None).await;
    assert_eq!(res.status(), 200);

    let entries: Vec<Value> = send(&app, Method::GET, "/v1/admin/sites/shop/audit", Some(&token), None)
        .await
        .json()
        .await
        .expect("audit");
    let actions: Vec<&str> = entries.iter().filter_map(|e| e["action"].as_str()).collect();
    assert_eq!(
        actions,
        [
            "site_archive",
            "secret_rotate",
            "site_update",
            "subject_lookup",
            "site_create"
        ]
    );
    assert!(
        entries.iter().all(|e| !e.to_string().contains("assent_sk_")),
        "no secret in the log"
    );
}

fn demo_notice() -> Value {
    serde_json::from_str(include_str!("../../demo/notice.json")).expect("notice")
}

/// `PUT …/draft` with `If-Match` replaces only the revision named: a second tab saving over
/// the first one's edit, or a stale tab saving after a publication, is refused and the draft
/// on the server stays as it was.
async fn a_draft_saved_over_a_revision_that_changed_is_refused_and_nothing_is_written(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = admin(&app).await;
    create_site(&app, &token, "shop", &["https://shop.example"]).await;
    let put = |if_match: Option<String>, title: &str| {
        let mut draft = demo_notice();
        draft["texts"]["en"]["title"] = json!(title);
        let mut req = app
            .client
            .put(format!("{}/v1/admin/sites/shop/draft", app.api))
            .bearer_auth(&token)
            .json(&draft);
        if let Some(tag) = if_match {
            req = req.header("if-match", tag);
        }
        req.send()
    };
    let stored_title = || async {
        let res = send(&app, Method::GET, "/v1/admin/sites/shop/draft", Some(&token), None).await;
        let draft: Value = res.json().await.expect("draft");
        draft["notice"]["texts"]["en"]["title"].clone()
    };
    // No draft yet: a conditional save has nothing to match.
    let res = put(Some("\"0\"".into()), "never").await.expect("request");
    assert_eq!(error_code(res, 412).await, "precondition_failed");

    let first: Value = put(None, "first").await.expect("request").json().await.expect("draft");
    let seen = first["revision"].as_str().expect("revision").to_owned();
    // Tab A saves over what it read (quoted entity tag): fine, and the revision moves.
    let res = put(Some(format!("\"{seen}\"")), "tab A").await.expect("request");
    assert_eq!(res.status(), 200);
    let after_a: Value = res.json().await.expect("draft");
    assert_ne!(after_a["revision"], first["revision"]);
    // Tab B still holds the first revision (bare, as some clients send it): refused, and tab
    // A's edit stays.
    let res = put(Some(seen.clone()), "tab B").await.expect("request");
    assert_eq!(error_code(res, 412).await, "precondition_failed");
    assert_eq!(stored_title().await, "tab A");

    // After a publication the draft is gone: a stale tab cannot bring it back.
    let current = after_a["revision"].as_str().expect("revision").to_owned();
    let res = send(
        &app,
        Method::POST,
        "/v1/admin/sites/shop/draft/publish",
        Some(&token),
        Some(&json!({ "draft_revision": current })),
    )
    .await;
    assert_eq!(res.status(), 200);
    let res = put(Some(format!("\"{current}\"")), "stale").await.expect("request");
    assert_eq!(error_code(res, 412).await, "precondition_failed");
    let res = send(&app, Method::GET, "/v1/admin/sites/shop/draft", Some(&token), None).await;
    assert_eq!(error_code(res, 404).await, "draft_not_found");
}

async fn a_draft_is_saved_with_its_findings_and_published_only_when_clean(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = admin(&app).await;
    create_site(&app, &token, "shop", &["https://shop.example"]).await;
    let res = send(&app, Method::GET, "/v1/admin/sites/shop/draft", Some(&token), None).await;
    assert_eq!(error_code(res, 404).await, "draft_not_found");

    // A body of the wrong shape names the JSON path of the problem.
    let mut wrong = demo_notice();
    wrong["purposes"][2]["legal_basis"] = json!("because");
    let res = send(
        &app,
        Method::PUT,
        "/v1/admin/sites/shop/draft",
        Some(&token),
        Some(&wrong),
    )
    .await;
    assert_eq!(res.status(), 422);
    let body: Value = res.json().await.expect("error");
    assert_eq!(body["error"]["details"]["field"], "purposes[2].legal_basis");
    // A misspelt field is refused too, never silently dropped.
    let mut misspelt = demo_notice();
    misspelt["purposes"][2]["lifetime_dayz"] = json!(30);
    let res = send(
        &app,
        Method::PUT,
        "/v1/admin/sites/shop/draft",
        Some(&token),
        Some(&misspelt),
    )
    .await;
    assert_eq!(res.status(), 422);
    let body: Value = res.json().await.expect("error");
    assert_eq!(body["error"]["details"]["field"], "purposes[2].lifetime_dayz", "{body}");
    assert!(
        body["error"]["details"]["reason"]
            .as_str()
            .expect("reason")
            .contains("unknown field")
    );

    // A draft with problems is saved, with its findings.
    let mut draft = demo_notice();
    draft["theme"] = json!({ "fg": "#999999" });
    draft["purposes"][2]["lifetime_days"] = json!(800);
    let res = send(
        &app,
        Method::PUT,
        "/v1/admin/sites/shop/draft",
        Some(&token),
        Some(&draft),
    )
    .await;
    assert_eq!(res.status(), 200);
    let saved: Value = res.json().await.expect("draft");
    assert_eq!(saved["notice"]["version"], 2, "the draft is the next version");
    let codes = |findings: &Value| -> Vec<(String, String)> {
        findings
            .as_array()
            .expect("findings")
            .iter()
            .filter(|f| f["severity"] == "error")
            .map(|f| {
                (
                    f["code"].as_str().expect("code").to_owned(),
                    f["field"].as_str().expect("field").to_owned(),
                )
            })
            .collect()
    };
    let expected = vec![
        ("low_contrast".to_owned(), "theme.fg".to_owned()),
        ("lifetime_too_long".to_owned(), "purposes[2].lifetime_days".to_owned()),
    ];
    let mut found = codes(&saved["findings"]);
    found.sort();
    let mut want = expected.clone();
    want.sort();
    assert_eq!(found, want);

    // Publishing refuses it with one finding per problem, and writes nothing.
    let versions_before = app
        .state
        .db
        .notice_versions(&SiteId::parse("shop").expect("id"))
        .await
        .expect("versions")
        .len();
    let res = send(
        &app,
        Method::POST,
        "/v1/admin/sites/shop/draft/publish",
        Some(&token),
        Some(&json!({})),
    )
    .await;
    assert_eq!(res.status(), 422);
    let refused: Value = res.json().await.expect("error");
    assert_eq!(refused["error"]["code"], "notice_lint_failed");
    let mut refused_codes = codes(&refused["error"]["details"]["findings"]);
    refused_codes.sort();
    assert_eq!(refused_codes, want);
    let site = SiteId::parse("shop").expect("id");
    assert_eq!(
        app.state.db.notice_versions(&site).await.expect("versions").len(),
        versions_before
    );

    // A material change needs its summary.
    draft["theme"] = json!({});
    draft["purposes"][2]["lifetime_days"] = json!(365);
    let res = send(
        &app,
        Method::PUT,
        "/v1/admin/sites/shop/draft",
        Some(&token),
        Some(&draft),
    )
    .await;
    assert_eq!(res.status(), 200);
    let res = send(
        &app,
        Method::POST,
        "/v1/admin/sites/shop/draft/publish",
        Some(&token),
        Some(&json!({ "material_change": true })),
    )
    .await;
    let body: Value = res.json().await.expect("error");
    assert_eq!(body["error"]["details"]["field"], "change_summary.en");

    // Every language of the site gets the summary (the lint names each one missing).
    let summaries: serde_json::Map<String, Value> = draft["texts"]
        .as_object()
        .expect("texts")
        .keys()
        .map(|lang| (lang.clone(), json!(format!("Reviewed texts ({lang})."))))
        .collect();
    // A link the banner would render as script is refused.
    let mut scripted = draft.clone();
    scripted["policy_url"] = json!("javascript:alert(1)");
    let res = send(
        &app,
        Method::PUT,
        "/v1/admin/sites/shop/draft",
        Some(&token),
        Some(&scripted),
    )
    .await;
    let saved: Value = res.json().await.expect("draft");
    assert_eq!(saved["findings"][0]["field"], "policy_url", "{saved}");
    let res = send(
        &app,
        Method::PUT,
        "/v1/admin/sites/shop/draft",
        Some(&token),
        Some(&draft),
    )
    .await;
    let saved: Value = res.json().await.expect("draft");
    // Publishing a draft changed since it was read is refused (another tab, another person).
    let stale = json!({ "material_change": true, "change_summary": summaries, "draft_revision": "not-the-revision" });
    let res = send(
        &app,
        Method::POST,
        "/v1/admin/sites/shop/draft/publish",
        Some(&token),
        Some(&stale),
    )
    .await;
    assert_eq!(error_code(res, 409).await, "conflict");
    let publish = json!({ "material_change": true, "change_summary": summaries, "draft_revision": saved["revision"] });
    let res = send(
        &app,
        Method::POST,
        "/v1/admin/sites/shop/draft/publish",
        Some(&token),
        Some(&publish),
    )
    .await;
    let published: Value = res.json().await.expect("version");
    assert_eq!(published["version"], 2, "{published}");
    let res = send(&app, Method::GET, "/v1/admin/sites/shop", Some(&token), None).await;
    let view: Value = res.json().await.expect("site");
    assert_eq!(
        view["starter_notice"], false,
        "a reviewed version clears the starter flag"
    );
    let res = send(&app, Method::GET, "/v1/admin/sites/shop/draft", Some(&token), None).await;
    assert_eq!(res.status(), 404, "the draft became version 2");
    let res = send(
        &app,
        Method::POST,
        "/v1/admin/sites/shop/draft/publish",
        Some(&token),
        Some(&publish),
    )
    .await;
    assert_eq!(error_code(res, 404).await, "draft_not_found", "published once only");
    let notice: Value = app
        .client
        .get(format!("{}/v1/sites/shop/notice?lang=en", app.api))
        .send()
        .await
        .expect("GET")
        .json()
        .await
        .expect("notice");
    assert_eq!(
        (
            notice["notice"]["version"].as_u64(),
            notice["consent_valid_from"].as_u64()
        ),
        (Some(2), Some(2))
    );
}

async fn bad_site_input_names_the_field_and_writes_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = admin(&app).await;
    let before = app.state.ledger.sites().await.expect("sites");
    let good = json!({ "id": "shop", "name": "Shop", "origins": ["https://shop.example"] });
    let cases = [
        (json!({ "id": "Shop!" }), "id"),
        (json!({ "name": "" }), "name"),
        (json!({ "name": "a\u{0007}b" }), "name"),
        (json!({ "origins": ["https://shop.example/"] }), "origins[0]"),
        (
            json!({ "origins": ["https://ok.example", "shop.example"] }),
            "origins[1]",
        ),
        (json!({ "origins": "https://shop.example" }), "origins"),
        (json!({ "policy_url": "javascript:alert(1)" }), "policy_url"),
        (
            json!({ "regime_overrides": { "Mars": "opt_in" } }),
            "regime_overrides.Mars",
        ),
        (json!({ "regime_overrides": { "US": "maybe" } }), "regime_overrides.US"),
        (json!({ "surprise": true }), "surprise"),
    ];
    for (change, field) in cases {
        let mut body = good.clone();
        for (k, v) in change.as_object().expect("object") {
            body[k] = v.clone();
        }
        let res = send(&app, Method::POST, "/v1/admin/sites", Some(&token), Some(&body)).await;
        assert_eq!(res.status(), 422, "{change}");
        let err: Value = res.json().await.expect("error");
        assert_eq!(err["error"]["code"], "invalid_input", "{change}");
        let got = err["error"]["details"]["field"].as_str().expect("field");
        assert_eq!(got, field, "{change}");
    }
    let res = app
        .client
        .post(format!("{}/v1/admin/sites", app.api))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{\"id\": ")
        .send()
        .await
        .expect("POST");
    assert_eq!(error_code(res, 400).await, "malformed_body");
    assert_eq!(
        app.state.ledger.sites().await.expect("sites"),
        before,
        "nothing written"
    );
    create_site(&app, &token, "shop", &["https://shop.example"]).await;
    let res = send(&app, Method::POST, "/v1/admin/sites", Some(&token), Some(&good)).await;
    assert_eq!(error_code(res, 409).await, "conflict");
}

async fn the_loader_of_one_site_carries_only_that_site(backend: Backend) {
    let app = spawn_app(backend).await;
    let loader = || async { app.get("/embed.js?site=demo").await.text().await.expect("loader") };
    let alone = loader().await;
    assert!(alone.contains(r#""notices":{"demo":1}"#), "its own data");
    let starter = assent_server::starter::starter_notice("Tenant", "/privacy").expect("starter");
    let record = AuditRecord {
        actor: "test".into(),
        action: "site_create",
        site_id: None,
        details: json!({}),
        client_ip: None,
    };
    for i in 0..1000 {
        let site = SiteRecord {
            id: SiteId::parse(&format!("tenant-{i:04}")).expect("id"),
            name: format!("Tenant {i}"),
            origins: vec![format!("https://t{i}.example")],
            regime_overrides: Default::default(),
            archived: false,
            starter_notice: true,
        };
        assert!(
            app.state
                .db
                .create_site(&site, &starter, &NewSecret::generate(), None, &record)
                .await
                .expect("create")
        );
    }
    app.state.reload_sites().await.expect("reload");
    let among_many = loader().await;
    assert_eq!(
        among_many, alone,
        "the loader's bytes do not depend on the number of sites"
    );
    assert!(!among_many.contains("tenant-"), "no other site's id");
    let bare = app.get("/embed.js").await.text().await.expect("loader");
    assert!(
        bare.contains(r#""notices":{}"#) && !bare.contains("demo\""),
        "a bare tag carries no site"
    );
    let res = app.get("/v1/sites/demo/loader.json").await;
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["consent_valid_from"], 1);
}
