//! Previewing a notice draft without publishing it: a preview link (its own token audience)
//! shows the draft in the real banner on the demo page, reads nothing else, and writes nothing.

use crate::admin::{create_account, create_site, send, token_of};
use crate::helpers::{Backend, TestApp, error_code, spawn_app};
use crate::on_both_backends;
use reqwest::Method;
use serde_json::{Value, json};

on_both_backends!(
    a_preview_link_shows_the_draft_and_the_published_notice_stays,
    a_preview_token_opens_nothing_but_its_sites_draft,
    a_preview_shows_the_draft_under_the_regime_language_and_scheme_asked_for,
);

async fn owner_with_draft(app: &TestApp) -> String {
    create_account(app, "admin@example.com", true).await;
    let token = token_of(app, "admin@example.com").await;
    create_site(app, &token, "shop", &["https://shop.example"]).await;
    let res = send(
        app,
        Method::POST,
        "/v1/admin/sites/shop/draft/preview",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(error_code(res, 404).await, "draft_not_found");
    let mut draft: Value = serde_json::from_str(include_str!("../../demo/notice.json")).expect("notice");
    draft["purposes"][1]["texts"]["en"]["title"] = json!("Preferences you set");
    let res = send(
        app,
        Method::PUT,
        "/v1/admin/sites/shop/draft",
        Some(&token),
        Some(&draft),
    )
    .await;
    assert_eq!(res.status(), 200);
    token
}

async fn preview_link(app: &TestApp, token: &str) -> Value {
    let res = send(
        app,
        Method::POST,
        "/v1/admin/sites/shop/draft/preview",
        Some(token),
        None,
    )
    .await;
    assert_eq!(res.status(), 200);
    res.json().await.expect("preview JSON")
}

/// The token of a new preview link.
async fn preview_token(app: &TestApp, token: &str) -> String {
    preview_link(app, token).await["token"]
        .as_str()
        .expect("token")
        .to_owned()
}

async fn rows(app: &TestApp, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(&app.state.db.pool)
        .await
        .expect("count")
}

async fn a_preview_link_shows_the_draft_and_the_published_notice_stays(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = owner_with_draft(&app).await;
    let link = preview_link(&app, &token).await;
    let preview = link["token"].as_str().expect("token");
    assert!(
        link["url"]
            .as_str()
            .expect("url")
            .ends_with(&format!("/preview/shop?token={preview}"))
    );

    let res = app
        .get(&format!("/v1/sites/shop/notice?lang=en&first=1&preview={preview}"))
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "private, no-store");
    let shown: Value = res.json().await.expect("notice");
    assert_eq!(shown["notice"]["version"], 2, "the draft is the next version");
    assert_eq!(shown["notice"]["purposes"][1]["title"], "Preferences you set");

    // Visitors still get the published version 1.
    let published: Value = app
        .get("/v1/sites/shop/notice?lang=en")
        .await
        .json()
        .await
        .expect("notice");
    assert_eq!(published["notice"]["version"], 1);
    assert_ne!(published["notice"]["purposes"][1]["title"], "Preferences you set");

    // The page: the demo page embedding this site's draft, with no referrer for the token.
    let res = app.get(&format!("/preview/shop?token={preview}")).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["referrer-policy"], "no-referrer");
    assert_eq!(res.headers()["cache-control"], "no-store");
    let page = res.text().await.expect("page");
    assert!(
        page.contains(&format!("data-site=\"shop\" data-preview=\"{preview}\"")),
        "{page}"
    );
    assert!(page.contains("data-test=\"preview-ribbon\""));

    // A preview counts no banner and records nothing.
    app.state.impressions.flush(&app.state.db).await.expect("flush");
    assert_eq!(rows(&app, "banner_impressions").await, 0);
    assert_eq!(rows(&app, "notices WHERE site_id = 'shop'").await, 1);
}

async fn a_preview_token_opens_nothing_but_its_sites_draft(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = owner_with_draft(&app).await;
    let preview = preview_token(&app, &token).await;

    // Another site's notice, a forged token, and an admin session: all 401.
    for query in [
        format!("/v1/sites/demo/notice?preview={preview}"),
        "/v1/sites/shop/notice?preview=not.a.token".to_owned(),
        format!("/v1/sites/shop/notice?preview={token}"),
    ] {
        let res = app.get(&query).await;
        assert_eq!(error_code(res, 401).await, "unauthorized", "{query}");
    }
    // The preview token is no admin credential.
    let res = send(&app, Method::GET, "/v1/admin/sites/shop/draft", Some(&preview), None).await;
    assert_eq!(error_code(res, 401).await, "unauthorized");
    // A link for another site, or a broken one, gets a page that says so.
    for path in [
        format!("/preview/demo?token={preview}"),
        "/preview/shop?token=x".into(),
        "/preview/shop".into(),
    ] {
        let res = app.get(&path).await;
        assert_eq!(res.status(), 401, "{path}");
        assert!(
            res.text()
                .await
                .expect("page")
                .contains("This preview link is not valid")
        );
    }
}

/// The dashboard's live preview switches regime, language and colour scheme: the page carries them to the
/// loader, the notice answers under the regime asked for, and only this origin may frame it.
/// A visitor's own request cannot choose its regime.
async fn a_preview_shows_the_draft_under_the_regime_language_and_scheme_asked_for(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = owner_with_draft(&app).await;
    let preview = preview_token(&app, &token).await;

    let mut regimes = Vec::new();
    for regime in ["opt_in", "opt_out", "notice"] {
        let res = app
            .get(&format!(
                "/v1/sites/shop/notice?lang=de&preview={preview}&regime={regime}"
            ))
            .await;
        assert_eq!(res.status(), 200, "{regime}");
        let shown: Value = res.json().await.expect("notice");
        assert_eq!(shown["notice"]["language"], "de", "{regime}");
        regimes.push(shown["regime"].as_str().expect("regime").to_owned());
    }
    assert_eq!(regimes, ["opt_in", "opt_out", "notice"]);

    let res = app
        .get(&format!("/v1/sites/shop/notice?preview={preview}&regime=anarchy"))
        .await;
    assert_eq!(error_code(res, 422).await, "invalid_input");
    let res = app.get("/v1/sites/shop/notice?regime=opt_out").await;
    assert_eq!(res.status(), 422);
    let body: Value = res.json().await.expect("error");
    assert_eq!(body["error"]["details"]["field"], "regime", "{body}");

    let res = app
        .get(&format!(
            "/preview/shop?token={preview}&lang=pt-BR&regime=opt_out&scheme=dark"
        ))
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["x-frame-options"], "SAMEORIGIN");
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .expect("csp")
        .to_owned();
    assert!(csp.contains("frame-ancestors 'self'"), "{csp}");
    let page = res.text().await.expect("page");
    assert!(
        page.contains(&format!(
            "data-preview=\"{preview}\" data-lang=\"pt-BR\" data-preview-regime=\"opt_out\" data-color-scheme=\"dark\""
        )),
        "{page}"
    );
    // What is not a tag or a regime never reaches the page.
    let res = app
        .get(&format!(
            "/preview/shop?token={preview}&lang=%22%3E%3Cscript%3E&regime=%22x&scheme=%22x"
        ))
        .await;
    let page = res.text().await.expect("page");
    assert!(
        !page.contains("data-lang") && !page.contains("data-preview-regime") && !page.contains("data-color-scheme"),
        "{page}"
    );
}
