use crate::export::record;
use crate::helpers::{Backend, error_code, spawn_app, spawn_app_with, write_fake_settings};
use crate::on_both_backends;
use assent_shared::api::{ConsentHistory, NoticeResponse, NoticeVersionResponse};
use assent_shared::canonical::notice_hash;
use assent_shared::ids::SiteId;
use assent_shared::regime::Regime;
use serde_json::{Value, json};

on_both_backends!(
    the_notice_comes_in_the_requested_language_with_the_hash_of_what_is_shown,
    each_published_notice_version_is_answered_as_events_recorded_under_it,
    the_notice_reports_a_gpc_signal_and_the_regime_of_the_trusted_region_header,
    only_registered_origins_may_call_the_public_api,
    health_and_readiness_report_the_database_and_the_banner_build,
    the_loader_names_the_current_build_and_its_files_are_immutable_and_cors_readable,
    the_well_known_documents_are_served,
    the_demo_site_embeds_the_loader_from_the_assent_origin,
    only_a_material_notice_change_moves_the_version_choices_stay_valid_from,
    the_loader_is_revalidated_and_unchanged_it_costs_a_304,
    the_loader_and_the_notice_go_compressed_to_a_browser_that_accepts_it,
    a_site_can_override_the_regime_of_a_region,
    a_flood_from_one_client_is_cut_while_another_clients_choices_land,
    one_sites_flood_does_not_starve_another_site,
    every_answer_carries_the_security_headers,
);

async fn a_site_can_override_the_regime_of_a_region(backend: Backend) {
    use assent_shared::regime::Regime;
    let app = spawn_app_with(backend, |c| {
        c.region_header = Some("cf-ipcountry".into());
        c.subdivision_header = Some("x-region".into());
    })
    .await;
    let site = assent_shared::ids::SiteId::parse("demo").expect("site");
    let regime = |app: &crate::helpers::TestApp| {
        let req = app
            .client
            .get(format!("{}/v1/sites/demo/notice", app.api))
            .header("cf-ipcountry", "US")
            .header("x-region", "CA");
        async move { req.send().await.expect("GET").json::<Value>().await.expect("json")["regime"].clone() }
    };
    assert_eq!(regime(&app).await, "opt_out");
    let overrides = [("US-CA".to_owned(), Regime::OptIn)].into_iter().collect();
    app.state
        .ledger
        .set_regime_overrides(&site, &overrides)
        .await
        .expect("save");
    app.state.reload_sites().await.expect("reload");
    assert_eq!(regime(&app).await, "opt_in");
    let body = app
        .consent_body("reject_all", serde_json::json!({ "analytics": "denied" }))
        .await;
    let res = app
        .client
        .post(format!("{}/v1/sites/demo/consents", app.api))
        .header("cf-ipcountry", "US")
        .header("x-region", "CA")
        .json(&body)
        .send()
        .await
        .expect("POST");
    let rec: assent_shared::api::ConsentRecorded = res.json().await.expect("json");
    let h: assent_shared::api::ConsentHistory = app.history_of(&rec).await;
    assert_eq!(
        (h.events[0].jurisdiction.as_str(), h.events[0].regime),
        ("US-CA", Regime::OptIn)
    );
}

async fn only_a_material_notice_change_moves_the_version_choices_stay_valid_from(backend: Backend) {
    let app = spawn_app(backend).await;
    let site = assent_shared::ids::SiteId::parse("demo").expect("site");
    let mut notice = app
        .state
        .ledger
        .latest_notice(&site)
        .await
        .expect("read")
        .expect("demo notice");
    assert_eq!(app.notice("en").await.consent_valid_from, 1);
    notice.version = 2;
    app.state
        .ledger
        .publish_notice(&site, &notice)
        .await
        .expect("publish v2");
    let v2 = app.notice("en").await;
    assert_eq!(
        (v2.notice.version, v2.consent_valid_from),
        (2, 1),
        "not material: earlier choices stay valid"
    );
    notice.version = 3;
    notice.material_change = true;
    notice.change_summary.insert("en".into(), "A new partner.".into());
    app.state
        .ledger
        .publish_notice(&site, &notice)
        .await
        .expect("publish v3");
    let v3 = app.notice("en").await;
    assert_eq!((v3.notice.version, v3.consent_valid_from), (3, 3));
    assert_eq!(v3.notice.change_summary.as_deref(), Some("A new partner."));
    let js = app.get("/embed.js?site=demo").await.text().await.expect("text");
    assert!(
        js.contains(r#""notices":{"demo":3}"#),
        "the loader asks again from version 3"
    );
}

async fn the_loader_and_the_notice_go_compressed_to_a_browser_that_accepts_it(backend: Backend) {
    use std::io::Read;
    let app = spawn_app(backend).await;
    for path in ["/embed.js?site=demo", "/v1/sites/demo/notice?layer=1"] {
        let plain = app.get(path).await;
        assert_eq!(
            plain.headers().get("content-encoding"),
            None,
            "{path}: asked for nothing"
        );
        let plain = plain.bytes().await.expect("body");
        for (encoding, decode) in [
            (
                "br",
                (|b: &[u8]| {
                    let mut out = Vec::new();
                    brotli_decompressor::Decompressor::new(b, 4096)
                        .read_to_end(&mut out)
                        .map(|_| out)
                }) as fn(&[u8]) -> std::io::Result<Vec<u8>>,
            ),
            ("gzip", |b: &[u8]| {
                let mut out = Vec::new();
                flate2::read::GzDecoder::new(b).read_to_end(&mut out).map(|_| out)
            }),
        ] {
            let res = app.get_with(path, "accept-encoding", encoding).await;
            assert_eq!(res.status(), 200, "{path} {encoding}");
            assert_eq!(res.headers()["content-encoding"], encoding, "{path}");
            assert!(
                res.headers()["vary"]
                    .to_str()
                    .expect("ascii")
                    .contains("accept-encoding")
            );
            let sent = res.bytes().await.expect("body");
            assert!(
                sent.len() * 2 < plain.len(),
                "{path} {encoding}: {} of {}",
                sent.len(),
                plain.len()
            );
            assert_eq!(decode(&sent).expect("decodes"), plain.to_vec(), "{path} {encoding}");
        }
    }
}

async fn the_loader_is_revalidated_and_unchanged_it_costs_a_304(backend: Backend) {
    let app = spawn_app(backend).await;
    let first = app.get("/embed.js?site=demo").await;
    assert_eq!(first.headers()["cache-control"], "no-cache");
    let etag = first.headers()["etag"].to_str().expect("ascii").to_owned();
    let again = app.get_with("/embed.js?site=demo", "if-none-match", &etag).await;
    assert_eq!(again.status(), 304);
    assert!(again.text().await.expect("body").is_empty());
}

async fn the_notice_comes_in_the_requested_language_with_the_hash_of_what_is_shown(backend: Backend) {
    let app = spawn_app(backend).await;
    let de = app.notice("de-AT").await;
    assert_eq!(de.notice.language, "de");
    assert_eq!(de.notice.title, "Ihre Datenschutz-Einstellungen");
    assert_eq!(de.notice_hash, notice_hash(&de.notice).expect("hash"));
    let fallback = app.notice("ja").await;
    assert_eq!(fallback.notice.language, "en");
    assert_ne!(fallback.notice_hash, de.notice_hash, "each language has its own hash");
    // The visitor's whole list: Dutch (absent), then German.
    let listed = app.notice("nl-NL,nl,de-DE,de,en").await;
    assert_eq!(listed.notice.language, "de");
    // No `lang`: the browser's Accept-Language decides.
    for (accept, want) in [
        ("nl-NL, nl;q=0.9, de;q=0.8, en;q=0.5", "de"),
        ("ko-KR,ko;q=0.9", "ko"),
        ("sv", "en"),
    ] {
        let shown: assent_shared::api::NoticeResponse = app
            .client
            .get(format!("{}/v1/sites/demo/notice", app.api))
            .header("accept-language", accept)
            .send()
            .await
            .expect("notice")
            .json()
            .await
            .expect("notice JSON");
        assert_eq!(shown.notice.language, want, "{accept}");
    }
    let res = app.get("/v1/sites/unknown/notice").await;
    assert_eq!(error_code(res, 404).await, "site_not_found");
}

async fn the_notice_reports_a_gpc_signal_and_the_regime_of_the_trusted_region_header(backend: Backend) {
    let app = spawn_app_with(backend, |c| {
        c.region_header = Some("cf-ipcountry".into());
        c.subdivision_header = Some("x-region".into());
        c.default_regime = Regime::Notice;
    })
    .await;
    let url = format!("{}/v1/sites/demo/notice", app.api);
    let plain: Value = app
        .client
        .get(&url)
        .send()
        .await
        .expect("GET")
        .json()
        .await
        .expect("json");
    assert_eq!(
        (plain["gpc"].as_bool(), plain["regime"].as_str()),
        (Some(false), Some("notice"))
    );
    let california: Value = app
        .client
        .get(&url)
        .header("sec-gpc", " 1")
        .header("cf-ipcountry", "US")
        .header("x-region", "CA")
        .send()
        .await
        .expect("GET")
        .json()
        .await
        .expect("json");
    assert_eq!(california["gpc"], Value::Bool(true));
    assert_eq!(california["jurisdiction"], "US-CA");
    assert_eq!(california["regime"], "opt_out");
    let germany: Value = app
        .client
        .get(&url)
        .header("cf-ipcountry", "DE")
        .header("sec-gpc", "true")
        .send()
        .await
        .expect("GET")
        .json()
        .await
        .expect("json");
    assert_eq!(
        (germany["gpc"].as_bool(), germany["regime"].as_str()),
        (Some(false), Some("opt_in"))
    );
}

async fn only_registered_origins_may_call_the_public_api(backend: Backend) {
    let app = spawn_app(backend).await;
    let url = format!("{}/v1/sites/demo/notice", app.api);
    let allowed = app
        .client
        .get(&url)
        .header("origin", &app.demo)
        .send()
        .await
        .expect("GET");
    assert_eq!(allowed.status(), 200);
    assert_eq!(allowed.headers()["access-control-allow-origin"], app.demo.as_str());
    let refused = app
        .client
        .get(&url)
        .header("origin", "https://evil.example")
        .send()
        .await
        .expect("GET");
    assert!(refused.headers().get("access-control-allow-origin").is_none());
    assert_eq!(error_code(refused, 403).await, "origin_not_allowed");
    let preflight = app
        .client
        .request(reqwest::Method::OPTIONS, format!("{}/v1/sites/demo/consents", app.api))
        .header("origin", &app.demo)
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type, authorization")
        .send()
        .await
        .expect("OPTIONS");
    assert_eq!(preflight.status(), 204);
    let allow_headers = preflight.headers()["access-control-allow-headers"]
        .to_str()
        .expect("ascii");
    assert!(allow_headers.contains("authorization"), "{allow_headers}");
    let evil_preflight = app
        .client
        .request(reqwest::Method::OPTIONS, format!("{}/v1/sites/demo/consents", app.api))
        .header("origin", "https://evil.example")
        .send()
        .await
        .expect("OPTIONS");
    assert_eq!(evil_preflight.status(), 403);
}

async fn health_and_readiness_report_the_database_and_the_banner_build(backend: Backend) {
    let app = spawn_app(backend).await;
    assert_eq!(app.get("/healthz").await.status(), 200);
    let ready: Value = app.get("/readyz").await.json().await.expect("json");
    assert_eq!(ready["status"], "ready");
    assert_eq!(ready["banner_build"].as_str().map(str::len), Some(64));
    std::fs::remove_dir_all(app.dir.path().join("dist/banner")).expect("remove build");
    let res = app.get("/readyz").await;
    assert_eq!(res.status(), 503);
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["error"]["code"], "not_ready");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("trunk build")),
        "{body}"
    );
}

async fn the_loader_names_the_current_build_and_its_files_are_immutable_and_cors_readable(backend: Backend) {
    let app = spawn_app(backend).await;
    let res = app.get("/embed.js?site=demo").await;
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .expect("ascii")
            .starts_with("text/javascript")
    );
    let js = res.text().await.expect("text");
    assert!(
        js.contains("/assets/banner/assent-banner-0123abcd.js"),
        "loader names the JS glue"
    );
    assert!(
        js.contains("/assets/banner/assent-banner-0123abcd_bg.wasm"),
        "loader names the wasm"
    );
    assert!(!js.contains("ASSENT_BOOT"), "placeholder replaced");
    assert!(
        !js.contains(r#""settings""#),
        "no settings bundle named before it is built"
    );
    assert!(
        js.contains(r#""notices":{"demo":1}"#),
        "the loader knows each site's current notice version"
    );
    let wasm = app.get("/assets/banner/assent-banner-0123abcd_bg.wasm").await;
    assert_eq!(wasm.status(), 200);
    assert_eq!(wasm.headers()["content-type"], "application/wasm");
    assert_eq!(wasm.headers()["access-control-allow-origin"], "*");
    assert!(
        wasm.headers()["cache-control"]
            .to_str()
            .expect("ascii")
            .contains("immutable")
    );
    let dir = app.dir.path().join("dist/banner");
    std::fs::write(dir.join("assent-banner-0123abcd_bg.wasm.br"), b"brotli bytes").expect("write .br");
    let compressed = app
        .client
        .get(format!("{}/assets/banner/assent-banner-0123abcd_bg.wasm", app.api))
        .header("accept-encoding", "br")
        .send()
        .await
        .expect("GET");
    assert_eq!(compressed.headers()["content-encoding"], "br");
    assert_eq!(compressed.headers()["content-type"], "application/wasm");
    assert_eq!(compressed.bytes().await.expect("body").as_ref(), b"brotli bytes");
    // Trunk's entry page beside the bundle, and the bundle's directory, are not served.
    for path in [
        "/assets/banner/index.html",
        "/assets/banner/index%2ehtml",
        "/assets/banner/index.htm%6c",
        "/assets/banner/",
        "/assets/banner",
    ] {
        let res = app.get(path).await;
        assert_eq!(res.status(), 404, "{path}");
        let body: serde_json::Value = res.json().await.expect("the JSON error shape");
        assert_eq!(body["error"]["code"], "not_found", "{path}");
    }
    // Paths a URL library would normalise away, sent as they are: segments the file service
    // drops (`.`, empty) do not lead it to the entry page, nor anywhere else.
    for path in [
        "/assets/banner/index.html/.",
        "/assets/banner//index.html",
        "/assets/banner/./assent-banner-0123abcd.js",
    ] {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut tcp = tokio::net::TcpStream::connect(app.api.trim_start_matches("http://"))
            .await
            .expect("connect");
        tcp.write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes())
            .await
            .expect("write");
        let mut answer = String::new();
        tcp.read_to_string(&mut answer).await.expect("read");
        assert!(answer.starts_with("HTTP/1.1 404"), "{path}: {answer}");
    }

    // Once built, the settings component's bundle is named too, for pages that embed it.
    write_fake_settings(&app.state.config.dist_dir);
    let js = app.get("/embed.js?site=demo").await.text().await.expect("text");
    for named in [
        r#""settings":{"#,
        r#""/assets/settings/assent-settings-4567cdef.js""#,
        r#""/assets/settings/assent-settings-4567cdef_bg.wasm""#,
    ] {
        assert!(js.contains(named), "{named} in {js}");
    }
    let glue = app.get("/assets/settings/assent-settings-4567cdef.js").await;
    assert_eq!(glue.status(), 200);
    assert_eq!(glue.headers()["access-control-allow-origin"], "*");
}

async fn the_well_known_documents_are_served(backend: Backend) {
    let app = spawn_app(backend).await;
    let gpc = app.get("/.well-known/gpc.json").await;
    assert_eq!(gpc.headers()["content-type"], "application/json");
    let gpc: Value = gpc.json().await.expect("json");
    assert_eq!(gpc, serde_json::json!({ "gpc": true, "lastUpdate": "2026-11-01" }));
    let jwks: Value = app.get("/.well-known/jwks.json").await.json().await.expect("json");
    let key = &jwks["keys"][0];
    assert_eq!(
        (key["kty"].as_str(), key["crv"].as_str(), key["alg"].as_str()),
        (Some("OKP"), Some("Ed25519"), Some("EdDSA"))
    );
    let missing = app.get("/nope").await;
    assert_eq!(error_code(missing, 404).await, "not_found");
}

async fn the_demo_site_embeds_the_loader_from_the_assent_origin(backend: Backend) {
    let app = spawn_app(backend).await;
    let page = app
        .client
        .get(&app.demo)
        .send()
        .await
        .expect("GET demo")
        .text()
        .await
        .expect("html");
    let tag = format!(
        r#"<script src="{}/embed.js?site=demo" data-site="demo"></script>"#,
        app.api
    );
    let head = page.split("<head>").nth(1).expect("head");
    assert!(
        head.trim_start()
            .lines()
            .find(|l| l.trim_start().starts_with('<') && !l.trim_start().starts_with("<!--"))
            .is_some_and(|l| l.trim() == tag),
        "first element in head: {head}"
    );
    assert!(!page.contains("{{"), "placeholders replaced");
}

/// A flood from one client address is cut (429 with `Retry-After`, nothing written), while
/// another client's choices still land; a site over its own budget does not starve others.
async fn a_flood_from_one_client_is_cut_while_another_clients_choices_land(backend: Backend) {
    let app = spawn_app_with(backend, |c| {
        c.client_ip_header = Some("x-forwarded-for".into());
        c.public_rate_per_second = 1;
        c.public_rate_burst = 5;
    })
    .await;
    let from = |ip: &'static str| move |req: reqwest::RequestBuilder| req.header("x-forwarded-for", ip);
    let flooder = from("203.0.113.7");
    let mut statuses = Vec::new();
    let mut refused = None;
    for _ in 0..20 {
        let res = flooder(app.client.get(format!("{}/v1/sites/demo/notice", app.api)))
            .send()
            .await
            .expect("notice");
        statuses.push(res.status().as_u16());
        if res.status() == 429 && refused.is_none() {
            refused = Some(res);
        }
    }
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 5, "{statuses:?}");
    let refused = refused.expect("a 429");
    let retry_after: u64 = refused.headers()["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!(retry_after >= 1);
    assert_eq!(error_code(refused, 429).await, "too_many_requests");
    // The flooder's consent is refused before anything is written…
    let events = app.event_rows().await;
    let body = app
        .consent_body("reject_all", json!({ "analytics": "denied", "advertising": "denied" }))
        .await;
    let res = flooder(app.client.post(format!("{}/v1/sites/demo/consents", app.api)))
        .json(&body)
        .send()
        .await
        .expect("consent");
    assert_eq!(res.status(), 429);
    assert_eq!(app.event_rows().await, events);
    // …while another visitor's lands.
    let res = from("198.51.100.23")(app.client.post(format!("{}/v1/sites/demo/consents", app.api)))
        .json(&body)
        .send()
        .await
        .expect("consent");
    assert_eq!(res.status(), 201);
    assert_eq!(app.event_rows().await, events + 1);
}

async fn one_sites_flood_does_not_starve_another_site(backend: Backend) {
    let app = spawn_app_with(backend, |c| {
        c.client_ip_header = Some("x-forwarded-for".into());
        c.site_rate_per_second = 1;
        c.site_rate_burst = 3;
    })
    .await;
    app.raw_sql(
        "INSERT INTO sites (id, name, origins, created_at) VALUES ('shop', 'Shop', '[]', '2026-01-01T00:00:00Z')",
    )
    .await
    .expect("second site");
    app.state.reload_sites().await.expect("reload");
    let mut statuses = Vec::new();
    for i in 0..8 {
        // Many clients, one site.
        let res = app
            .client
            .get(format!("{}/v1/sites/demo/notice", app.api))
            .header("x-forwarded-for", format!("192.0.2.{i}"))
            .send()
            .await
            .expect("notice");
        statuses.push(res.status().as_u16());
    }
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 5, "{statuses:?}");
    // Another site still answers (its notice is not published: 404, not 429).
    let res = app.get("/v1/sites/shop/loader.json").await;
    assert_eq!(error_code(res, 404).await, "notice_not_found");
}

/// Every answer carries the security headers, a page keeps its own stricter policy, and HSTS
/// appears only when configured.
async fn every_answer_carries_the_security_headers(backend: Backend) {
    let app = spawn_app(backend).await;
    for path in [
        "/healthz",
        "/v1/sites/demo/notice",
        "/embed.js",
        "/openapi.json",
        "/no/such/route",
    ] {
        let res = app.get(path).await;
        let h = res.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "no-referrer", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert_eq!(
            h["content-security-policy"],
            assent_server::security_headers::API_CSP,
            "{path}"
        );
        assert!(
            h.get("strict-transport-security").is_none(),
            "{path}: no HSTS unless configured"
        );
    }
    let page = app.get("/docs/api").await;
    let csp = page.headers()["content-security-policy"].to_str().expect("ascii");
    assert!(
        csp.contains("script-src 'self'"),
        "the reference page keeps its own policy: {csp}"
    );

    let https = spawn_app_with(backend, |c| c.hsts_max_age_secs = 31_536_000).await;
    let res = https.get("/healthz").await;
    assert_eq!(
        res.headers()["strict-transport-security"],
        "max-age=31536000; includeSubDomains"
    );
}

async fn each_published_notice_version_is_answered_as_events_recorded_under_it(backend: Backend) {
    let app = spawn_app(backend).await;
    // The page's notice is the public notice's answer, on its own path.
    let page: NoticeResponse = app
        .get("/sites/demo/privacy/notice?lang=de")
        .await
        .json()
        .await
        .expect("page notice");
    assert_eq!(page, app.notice("de").await);
    let res = app.get("/sites/nosuchsite/privacy/notice").await;
    assert_eq!(error_code(res, 404).await, "site_not_found");

    // An event recorded in German under version 1; then version 2 changes the German text.
    let event = record(
        &app,
        "de",
        "reject_all",
        json!({ "analytics": "denied", "advertising": "denied" }),
        None,
    )
    .await;
    let site = SiteId::parse("demo").expect("site");
    let mut notice = app
        .state
        .ledger
        .latest_notice(&site)
        .await
        .expect("read")
        .expect("demo notice");
    notice.version = 2;
    notice.texts.get_mut("de").expect("German texts").title = "Neu: Ihre Privatsphäre".into();
    app.state
        .ledger
        .publish_notice(&site, &notice)
        .await
        .expect("publish v2");

    let history: ConsentHistory = app.history_of(&event).await;
    let recorded = &history.events[0];
    assert_eq!((recorded.notice_version, recorded.language.as_str()), (1, "de"));
    for path in [
        "/v1/sites/demo/notice/versions/1?lang=de",
        "/sites/demo/privacy/notice/versions/1?lang=de",
    ] {
        let res = app.get(path).await;
        assert_eq!(res.status(), 200, "{path}");
        let v1: NoticeVersionResponse = res.json().await.expect("version JSON");
        assert_eq!(v1.version, 1);
        assert_eq!(v1.notice.language, "de");
        assert_eq!(
            v1.notice_hash, recorded.notice_hash,
            "{path}: the hash the event recorded"
        );
        assert_ne!(v1.notice.title, "Neu: Ihre Privatsphäre", "the text shown at the time");
    }
    let v2: NoticeVersionResponse = app
        .get("/v1/sites/demo/notice/versions/2?lang=de")
        .await
        .json()
        .await
        .expect("v2");
    assert_eq!(v2.notice.title, "Neu: Ihre Privatsphäre");
    assert_ne!(v2.notice_hash, recorded.notice_hash);

    // Without `lang`, the browser's languages; unknown and malformed versions are refused.
    let res = app
        .client
        .get(format!("{}/v1/sites/demo/notice/versions/1", app.api))
        .header("accept-language", "de-AT, en;q=0.5")
        .send()
        .await
        .expect("GET");
    let v1: NoticeVersionResponse = res.json().await.expect("version JSON");
    assert_eq!(v1.notice_hash, recorded.notice_hash);
    for prefix in ["/v1/sites/demo", "/sites/demo/privacy"] {
        let res = app.get(&format!("{prefix}/notice/versions/99")).await;
        assert_eq!(error_code(res, 404).await, "notice_not_found", "{prefix}");
        let res = app.get(&format!("{prefix}/notice/versions/latest")).await;
        assert_eq!(error_code(res, 422).await, "invalid_input", "{prefix}");
    }
    let res = app.get("/v1/sites/nosuchsite/notice/versions/1").await;
    assert_eq!(error_code(res, 404).await, "site_not_found");

    // The public route answers the site's own pages, like the rest of the public API.
    let origin = format!("http://localhost:{}", app.state.demo_port.expect("demo port"));
    let res = app
        .client
        .get(format!("{}/v1/sites/demo/notice/versions/1", app.api))
        .header("origin", &origin)
        .send()
        .await
        .expect("GET");
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["access-control-allow-origin"], origin.as_str());
    let res = app
        .client
        .get(format!("{}/v1/sites/demo/notice/versions/1", app.api))
        .header("origin", "https://elsewhere.example")
        .send()
        .await
        .expect("GET");
    assert_eq!(error_code(res, 403).await, "origin_not_allowed");
}
