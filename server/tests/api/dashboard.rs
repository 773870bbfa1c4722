//! The site owners' dashboard at `/admin`: a shell under a strict policy that loads only this
//! origin's files, and a page saying so while the dashboard is not built. The page reads no
//! database, so one backend shows it.

use crate::helpers::{Backend, spawn_app, write_fake_admin};

#[tokio::test]
async fn the_dashboard_is_a_shell_under_a_strict_policy_loading_only_this_origins_files() {
    let app = spawn_app(Backend::Sqlite).await;

    // Not built yet: a page saying what to do, not an API error body.
    let res = app.get("/admin").await;
    assert_eq!(res.status(), 503);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .expect("ascii")
            .starts_with("text/html")
    );
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(
        csp.contains("default-src 'none'") && !csp.contains("script-src"),
        "{csp}"
    );
    let html = res.text().await.expect("html");
    assert!(
        html.contains("data-problem=\"not_ready\"") && html.contains("scripts/run"),
        "{html}"
    );

    write_fake_admin(&app.state.config.dist_dir);
    let res = app.get("/admin").await;
    assert_eq!(res.status(), 200);
    let h = res.headers();
    assert!(h["content-type"].to_str().expect("ascii").starts_with("text/html"));
    assert_eq!(h["cache-control"], "no-store");
    assert_eq!(h["referrer-policy"], "no-referrer");
    assert_eq!(h["x-frame-options"], "DENY");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["x-robots-tag"], "noindex");
    let csp = h["content-security-policy"].to_str().expect("ascii").to_owned();
    for directive in [
        "default-src 'none'",
        "script-src 'self' 'wasm-unsafe-eval'",
        "style-src 'self'",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
        // The notice editor's live preview frames this origin's preview page, nothing else.
        "frame-src 'self';",
    ] {
        assert!(csp.contains(directive), "{directive} in {csp}");
    }
    assert!(!csp.contains("unsafe-inline") && !csp.contains("nonce-"), "{csp}");
    let html = res.text().await.expect("html");
    assert!(html.contains("<div id=\"assent-admin\""), "{html}");

    // No inline script: the one script is the boot file, and every file named is this
    // origin's, served, and the dashboard's own (never the banner's or the settings page's).
    let scripts: Vec<&str> = html.split("<script").skip(1).collect();
    assert_eq!(scripts.len(), 1, "{html}");
    assert!(scripts[0].contains("type=\"module\" src=\"/admin/boot.js\""), "{html}");
    let mut linked = Vec::new();
    for attr in [" src=\"", " href=\"", " data-js=\"", " data-wasm=\""] {
        for part in html.split(attr).skip(1) {
            linked.push(part.split('"').next().expect("closing quote").to_owned());
        }
    }
    assert!(
        linked.contains(&"/assets/admin/assent-admin-89abcdef.js".to_owned())
            && linked.contains(&"/assets/admin/assent-admin-89abcdef_bg.wasm".to_owned()),
        "{linked:?}"
    );
    for url in &linked {
        assert!(url.starts_with('/') || url == "data:,", "{url} is not this origin's");
        if url.starts_with('/') {
            assert_eq!(app.get(url).await.status(), 200, "{url}");
        }
    }
    let boot = app.get("/admin/boot.js").await.text().await.expect("js");
    assert!(boot.contains("await import(boot.dataset.js)"), "{boot}");

    // The loader visitors get never names the dashboard.
    let loader = app.get("/embed.js?site=demo").await.text().await.expect("js");
    assert!(!loader.contains("/assets/admin/"), "{loader}");
}
