//! The privacy-settings page Assent hosts per site: the link opened in a browser becomes the
//! page's session and leaves the address bar, every refusal is a page in the visitor's
//! language, and the page is a shell under a strict policy that loads only this origin's files.

use crate::helpers::{Backend, TestApp, error_code, spawn_app, write_fake_settings};
use crate::on_both_backends;
use crate::settings::{link_code, open_session, rows, subject_with_link};
use serde_json::Value;

on_both_backends!(
    a_link_opened_in_the_browser_becomes_the_session_and_leaves_the_code_behind,
    a_used_expired_or_unknown_link_gets_a_page_saying_so_and_writes_nothing,
    the_page_is_a_shell_under_a_strict_policy_loading_only_this_origins_files,
    the_page_speaks_the_visitors_language_right_to_left_for_arabic,
);

/// A client that does not follow redirects, to see the page's own answer.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// `GET /sites/{site}/privacy{query}` as a browser would ask, with `Accept-Language`.
async fn open_page(app: &TestApp, site: &str, query: &str, lang: &str) -> reqwest::Response {
    browser()
        .get(format!("{}/sites/{site}/privacy{query}", app.api))
        .header("accept-language", lang)
        .send()
        .await
        .expect("GET page")
}

/// Asserts an HTML problem page with `status`, naming `problem`; returns its text.
async fn problem_page(res: reqwest::Response, status: u16, problem: &str) -> String {
    assert_eq!(res.status(), status);
    assert!(res.headers().get("set-cookie").is_none(), "a refusal opens no session");
    let kind = res.headers()["content-type"].to_str().expect("ascii").to_owned();
    assert!(kind.starts_with("text/html"), "{kind}");
    assert_eq!(res.headers()["cache-control"], "no-store");
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(
        csp.contains("default-src 'none'") && !csp.contains("script-src"),
        "{csp}"
    );
    let html = res.text().await.expect("html");
    assert!(html.contains(&format!("data-problem=\"{problem}\"")), "{html}");
    assert!(!html.contains("\"error\""), "a page, not an API error body: {html}");
    html
}

async fn used_codes(app: &TestApp) -> i64 {
    rows(app, "settings_codes WHERE used_at IS NOT NULL").await
}

async fn a_link_opened_in_the_browser_becomes_the_session_and_leaves_the_code_behind(backend: Backend) {
    let app = spawn_app(backend).await;
    write_fake_settings(&app.state.config.dist_dir);
    let (s, code) = subject_with_link(&app).await;

    let res = open_page(&app, "demo", &format!("?code={code}"), "en").await;
    assert_eq!(res.status(), 303);
    let h = res.headers();
    assert_eq!(h["location"], "/sites/demo/privacy", "the code leaves the address");
    assert_eq!(h["cache-control"], "no-store");
    assert_eq!(h["referrer-policy"], "no-referrer");
    let set = h["set-cookie"].to_str().expect("ascii").to_owned();
    for attribute in [
        "assent_settings=",
        "Path=/sites/demo/privacy",
        "HttpOnly",
        "Secure",
        "SameSite=Strict",
        "Max-Age=1800",
    ] {
        assert!(set.contains(attribute), "{attribute} in {set}");
    }
    assert!(!set.contains(&code), "the cookie is a session, not the code");

    // The cookie is the page's session for the link's subject, as the POST exchange makes.
    let cookie = set.split(';').next().expect("cookie pair").to_owned();
    let res = app
        .client
        .get(format!("{}/sites/demo/privacy/session", app.api))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("session");
    assert_eq!(res.status(), 200);
    let session: Value = res.json().await.expect("session JSON");
    assert_eq!(session["subject_id"], s.subject_id.to_string());
    assert!(session["csrf_token"].as_str().is_some_and(|t| !t.is_empty()));

    // The page it is sent on to.
    let res = open_page(&app, "demo", "", "en").await;
    assert_eq!(res.status(), 200);

    // API clients still exchange a code with POST.
    let code = link_code(&app, &s).await;
    let (_, session) = open_session(&app, &code).await;
    assert_eq!(session["subject_id"], s.subject_id.to_string());
}

async fn a_used_expired_or_unknown_link_gets_a_page_saying_so_and_writes_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    write_fake_settings(&app.state.config.dist_dir);
    let (s, code) = subject_with_link(&app).await;
    assert_eq!(
        open_page(&app, "demo", &format!("?code={code}"), "en").await.status(),
        303
    );
    let (events, used) = (rows(&app, "consent_events").await, used_codes(&app).await);

    let html = problem_page(
        open_page(&app, "demo", &format!("?code={code}"), "en").await,
        410,
        "settings_code_used",
    )
    .await;
    assert!(html.contains("already been used"), "{html}");
    assert!(html.contains("Ask the site for a new link"), "{html}");
    assert!(html.contains("Links work once, for five minutes."), "{html}");

    let html = problem_page(
        open_page(&app, "demo", "?code=made-up", "en").await,
        404,
        "settings_code_not_found",
    )
    .await;
    assert!(html.contains("This link is not valid"), "{html}");
    assert!(html.contains("Ask the site for a new link"), "{html}");

    let late = link_code(&app, &s).await;
    app.raw_sql("UPDATE settings_codes SET expires_at = 0 WHERE used_at IS NULL")
        .await
        .expect("age it");
    let html = problem_page(
        open_page(&app, "demo", &format!("?code={late}"), "de").await,
        410,
        "settings_code_expired",
    )
    .await;
    assert!(html.contains("<html lang=\"de\" dir=\"ltr\">"), "{html}");
    assert!(html.contains("Dieser Link ist abgelaufen"), "{html}");
    assert_eq!(rows(&app, "consent_events").await, events);
    assert_eq!(used_codes(&app).await, used, "no code was spent by a refusal");

    // An unknown or archived site: a page, and the link's code stays good for its own site.
    let fresh = link_code(&app, &s).await;
    problem_page(
        open_page(&app, "nosuchsite", &format!("?code={fresh}"), "en").await,
        404,
        "site_not_found",
    )
    .await;
    app.raw_sql(
        "INSERT INTO sites (id, name, origins, created_at, archived_at) \
         VALUES ('gone', 'Gone', '[]', '2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z')",
    )
    .await
    .expect("archived site");
    app.state.reload_sites().await.expect("reload");
    let html = problem_page(
        open_page(&app, "gone", &format!("?code={fresh}"), "fr").await,
        404,
        "site_not_found",
    )
    .await;
    assert!(
        html.contains("Il n’y a pas de paramètres de confidentialité ici"),
        "{html}"
    );
    assert_eq!(used_codes(&app).await, used);
    assert_eq!(
        open_page(&app, "demo", &format!("?code={fresh}"), "en").await.status(),
        303
    );
}

async fn the_page_is_a_shell_under_a_strict_policy_loading_only_this_origins_files(backend: Backend) {
    let app = spawn_app(backend).await;
    let (_, code) = subject_with_link(&app).await;

    // Not built yet: a page saying so, and a link opened meanwhile is not spent.
    let used = used_codes(&app).await;
    problem_page(open_page(&app, "demo", "", "en").await, 503, "not_ready").await;
    problem_page(
        open_page(&app, "demo", &format!("?code={code}"), "en").await,
        503,
        "not_ready",
    )
    .await;
    assert_eq!(used_codes(&app).await, used);
    write_fake_settings(&app.state.config.dist_dir);
    assert_eq!(
        open_page(&app, "demo", &format!("?code={code}"), "en").await.status(),
        303
    );

    // A site name is text, never markup.
    app.raw_sql("UPDATE sites SET name = '<b>\"Tide\" & Co</b>' WHERE id = 'demo'")
        .await
        .expect("rename");
    app.state.reload_sites().await.expect("reload");

    let res = open_page(&app, "demo", "", "en").await;
    assert_eq!(res.status(), 200);
    let h = res.headers();
    assert!(h["content-type"].to_str().expect("ascii").starts_with("text/html"));
    assert_eq!(h["cache-control"], "no-store");
    assert_eq!(h["referrer-policy"], "no-referrer");
    assert_eq!(h["x-frame-options"], "DENY");
    let csp = h["content-security-policy"].to_str().expect("ascii").to_owned();
    for directive in [
        "default-src 'none'",
        "script-src 'self' 'wasm-unsafe-eval'",
        "style-src 'self'",
        "connect-src 'self'",
        "img-src 'self' data:",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ] {
        assert!(csp.contains(directive), "{directive} in {csp}");
    }
    assert!(!csp.contains("unsafe-inline") && !csp.contains("nonce-"), "{csp}");
    let html = res.text().await.expect("html");
    assert!(html.contains("<html lang=\"en\" dir=\"ltr\">"), "{html}");
    assert!(html.contains("<meta name=\"viewport\""), "{html}");
    assert!(
        html.contains("<title>Privacy settings · &lt;b&gt;&quot;Tide&quot; &amp; Co&lt;/b&gt;</title>"),
        "{html}"
    );
    assert!(!html.contains("<b>"), "{html}");
    assert!(html.contains("<noscript>This page needs JavaScript"), "{html}");
    assert!(
        html.contains("<div data-assent-settings data-hosted data-site=\"demo\" data-lang=\"en\""),
        "{html}"
    );

    // No inline script: each script is a file, and every file is this origin's and served.
    let scripts: Vec<&str> = html.split("<script").skip(1).collect();
    assert_eq!(scripts.len(), 1, "{html}");
    assert!(scripts[0].contains("type=\"module\" src=\"/sites/demo/privacy/boot.js\""));
    assert!(scripts[0].starts_with(' ') && scripts[0].contains("></script>"));
    let mut linked = Vec::new();
    for attr in [" src=\"", " href=\"", " data-js=\"", " data-wasm=\""] {
        for part in html.split(attr).skip(1) {
            linked.push(part.split('"').next().expect("closing quote").to_owned());
        }
    }
    assert!(
        linked.contains(&"/assets/settings/assent-settings-4567cdef.js".to_owned())
            && linked.contains(&"/assets/settings/assent-settings-4567cdef_bg.wasm".to_owned()),
        "{linked:?}"
    );
    for url in &linked {
        assert!(url.starts_with('/') || url == "data:,", "{url} is not this origin's");
        if url.starts_with('/') {
            assert_eq!(app.get(url).await.status(), 200, "{url}");
        }
    }
    let boot = app.get("/sites/demo/privacy/boot.js").await;
    assert!(
        boot.headers()["content-type"]
            .to_str()
            .expect("ascii")
            .starts_with("text/javascript")
    );
    let boot = boot.text().await.expect("js");
    assert!(boot.contains("await import(boot.dataset.js)") && boot.contains("module_or_path: boot.dataset.wasm"));
    let res = app.get("/sites/nosuchsite/privacy/boot.js").await;
    assert_eq!(error_code(res, 404).await, "site_not_found");
}

async fn the_page_speaks_the_visitors_language_right_to_left_for_arabic(backend: Backend) {
    let app = spawn_app(backend).await;
    write_fake_settings(&app.state.config.dist_dir);
    for (accept, lang, dir, title) in [
        ("ar", "ar", "rtl", "إعدادات الخصوصية"),
        ("de-CH, fr;q=0.8", "de", "ltr", "Datenschutzeinstellungen"),
        ("nl-NL, nl;q=0.9, es;q=0.5", "es", "ltr", "Configuración de privacidad"),
        ("pt-BR", "pt", "ltr", "Configurações de privacidade"),
        ("ko-KR", "ko", "ltr", "개인정보 설정"),
        ("ja", "en", "ltr", "Privacy settings"),
    ] {
        let res = open_page(&app, "demo", "", accept).await;
        assert_eq!(res.status(), 200, "{accept}");
        assert_eq!(res.headers()["content-language"], lang, "{accept}");
        let html = res.text().await.expect("html");
        assert!(
            html.contains(&format!("<html lang=\"{lang}\" dir=\"{dir}\">")),
            "{accept}: {html}"
        );
        assert!(html.contains(&format!("data-lang=\"{lang}\"")), "{accept}: {html}");
        assert!(html.contains(&format!("<title>{title} · ")), "{accept}: {html}");
    }
    let html = problem_page(
        open_page(&app, "demo", "?code=made-up", "ar").await,
        404,
        "settings_code_not_found",
    )
    .await;
    assert!(html.contains("<html lang=\"ar\" dir=\"rtl\">"), "{html}");
    assert!(html.contains("هذا الرابط غير صالح"), "{html}");
}
