//! The Global Vendor List cache (IAB TCF): fetched from a loopback fixture server, stored
//! per version, served to a site trimmed to the vendors its notice declares; a broken list
//! refused while the last good one stays in use; one refresher across two servers; a private
//! address refused without the setting; a notice declaring vendors off the list refused.

use crate::admin::{create_account, send, token_of};
use crate::gvl_fixture::{GvlServer, LIST, VERSION};
use crate::helpers::{Backend, TestApp, error_code, spawn_app_with};
use crate::on_both_backends;
use assent_server::config::Config;
use assent_server::startup::Application;
use reqwest::Method;
use serde_json::{Value, json};
use std::time::Duration;

on_both_backends!(
    a_fetched_list_is_stored_and_served_trimmed_to_the_site_s_vendors,
    a_broken_list_is_refused_and_the_last_good_one_stays_in_use,
    two_servers_on_one_database_run_one_refresher,
    a_list_on_a_private_address_is_refused_without_the_setting,
    a_notice_declaring_vendors_off_the_list_is_refused_naming_them,
    the_loader_of_a_tcf_site_names_the_cmp_and_the_list_for_tcfapi,
    a_preview_gets_the_drafts_vendors_and_a_bad_token_nothing,
);

/// TCF on, the list from `gvl` (on loopback, so private networks allowed), every 60 s.
pub(crate) fn tcf(gvl: &GvlServer) -> impl FnOnce(&mut Config) + use<> {
    let base = gvl.base.clone();
    move |c: &mut Config| {
        c.tcf_cmp_id = Some(300);
        c.tcf_cmp_version = 7;
        c.tcf_publisher_cc = "FR".into();
        c.tcf_gvl_url = base;
        c.tcf_gvl_allow_private_networks = true;
        c.tcf_gvl_refresh_secs = 60;
    }
}

pub(crate) async fn admin(app: &TestApp) -> String {
    create_account(app, "admin@example.com", true).await;
    token_of(app, "admin@example.com").await
}

async fn status(app: &TestApp, token: &str) -> Value {
    let res = send(app, Method::GET, "/v1/admin/tcf/gvl", Some(token), None).await;
    assert_eq!(res.status(), 200);
    res.json().await.expect("status JSON")
}

/// Polls `probe` every 20 ms until it holds (30 s at most); returns its last value.
async fn wait_for<F, Fut>(what: &str, probe: F) -> Value
where
    F: Fn() -> Fut,
    Fut: Future<Output = (bool, Value)>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let (done, seen) = probe().await;
        if done {
            return seen;
        }
        assert!(tokio::time::Instant::now() < deadline, "never got {what}: {seen}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The status once the version in use is `version` and its refresh is recorded (so this
/// server, the refresher, serves it).
pub(crate) async fn in_use(app: &TestApp, token: &str, version: u64) -> Value {
    wait_for(&format!("version {version} in use"), || async {
        let s = status(app, token).await;
        let recorded = !s["last_success_at"].is_null() && s["last_success_at"] == s["last_attempt_at"];
        (s["in_use"]["vendor_list_version"] == version && recorded, s)
    })
    .await
}

/// The status once the attempt after `before` (a `last_attempt_at`) is recorded.
async fn next_attempt(app: &TestApp, token: &str, before: &Value) -> Value {
    wait_for("the next attempt", || async {
        let s = status(app, token).await;
        (s["last_attempt_at"] != *before && s["refresh_requested"] == false, s)
    })
    .await
}

/// Saves the demo notice with a TCF section declaring `vendors` as the draft and publishes it.
async fn publish_tcf(app: &TestApp, token: &str, vendors: &[u16]) -> reqwest::Response {
    publish_section(app, token, json!({ "vendors": vendors })).await
}

/// Saves the demo notice with `tcf` as its TCF section as the draft and publishes it; a
/// refused draft's answer is returned as it is.
pub(crate) async fn publish_section(app: &TestApp, token: &str, tcf: Value) -> reqwest::Response {
    let res = save_section(app, token, tcf).await;
    if res.status() != 200 {
        return res;
    }
    let publish = "/v1/admin/sites/demo/draft/publish";
    send(app, Method::POST, publish, Some(token), Some(&json!({}))).await
}

/// Saves the demo notice with `tcf` as its TCF section as the draft (not published).
async fn save_section(app: &TestApp, token: &str, tcf: Value) -> reqwest::Response {
    let mut notice: Value = serde_json::from_str(include_str!("../../demo/notice.json")).expect("notice");
    notice["tcf"] = tcf;
    send(
        app,
        Method::PUT,
        "/v1/admin/sites/demo/draft",
        Some(token),
        Some(&notice),
    )
    .await
}

/// The ids keying a map of the list, in numeric order.
fn ids(map: &Value) -> Vec<u64> {
    let mut ids: Vec<u64> = map
        .as_object()
        .expect("map")
        .keys()
        .map(|k| k.parse().expect("an id"))
        .collect();
    ids.sort_unstable();
    ids
}

/// Rows of `gvl_files`, read straight from the database.
async fn stored_files(app: &TestApp) -> Vec<(i64, String)> {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&app.database_url).await.expect("connect");
    let rows = sqlx::query_as("SELECT vendor_list_version, language FROM gvl_files ORDER BY language")
        .fetch_all(&pool)
        .await
        .expect("rows");
    pool.close().await;
    rows
}

async fn a_fetched_list_is_stored_and_served_trimmed_to_the_site_s_vendors(backend: Backend) {
    let gvl = GvlServer::start().await;
    let app = spawn_app_with(backend, tcf(&gvl)).await;
    let token = admin(&app).await;
    let res = app.get("/v1/sites/demo/gvl").await;
    assert_eq!(error_code(res, 404).await, "tcf_not_enabled");

    let s = in_use(&app, &token, VERSION).await;
    // The demo's TCF site (seeded where TCF is on) asks for its notice's languages: French is
    // the one the fixture has; the others are named as missing.
    assert_eq!(s["in_use"]["languages"], json!(["en", "fr"]));
    let missing = s["last_error"].as_str().expect("the other languages are missing");
    assert!(missing.contains("purposes-de.json: HTTP 404"), "{missing}");
    assert_eq!(s["cmp"], json!({ "id": 300, "version": 7, "placeholder": false }));
    // The list said max-age=7200, longer than the 60 s interval: the next fetch waits for it.
    let next = time::OffsetDateTime::parse(
        s["next_fetch_at"].as_str().expect("scheduled"),
        &time::format_description::well_known::Rfc3339,
    )
    .expect("RFC 3339");
    assert!(
        next > time::OffsetDateTime::now_utc() + Duration::from_secs(3600),
        "{s}"
    );
    assert_eq!(gvl.hits("vendor-list.json"), 1);

    let res = publish_tcf(&app, &token, &[755, 2, 8]).await;
    assert_eq!(res.status(), 200, "publish");
    // Publishing a TCF notice asks for a refresh (for its languages), max-age or not.
    wait_for("the refresh a publication asks for", || async {
        let s = status(&app, &token).await;
        (gvl.hits("vendor-list.json") == 2 && s["refresh_requested"] == false, s)
    })
    .await;

    let res = app.get("/v1/sites/demo/gvl?lang=fr").await;
    assert_eq!(res.status(), 200);
    let etag = res.headers()["etag"].to_str().expect("etag").to_owned();
    assert_eq!(res.headers()["cache-control"], "no-cache");
    let body: Value = res.json().await.expect("JSON");
    assert_eq!(body["cmp"]["id"], 300);
    assert_eq!(body["publisher_country_code"], "FR");
    assert_eq!(body["language"], "fr");
    let list = &body["vendor_list"];
    assert_eq!(list["vendorListVersion"], VERSION);
    assert_eq!(ids(&list["vendors"]), [2, 8, 755]);
    // Only what the three vendors use: purposes 5, 6 and 11 are Meridian's (77) alone.
    assert_eq!(ids(&list["purposes"]), [1, 2, 3, 4, 7, 8, 9, 10]);
    assert_eq!(
        list["purposes"]["1"]["name"],
        "Enregistrer et lire des informations sur votre appareil"
    );
    let again = app
        .client
        .get(format!("{}/v1/sites/demo/gvl?lang=fr", app.api))
        .header("if-none-match", &etag)
        .send()
        .await
        .expect("GET");
    assert_eq!(again.status(), 304);
    let german: Value = app.get("/v1/sites/demo/gvl?lang=de").await.json().await.expect("JSON");
    assert_eq!(german["language"], "en", "no German translation: the list's English");

    assert_eq!(
        stored_files(&app).await,
        [(141, "en".to_owned()), (141, "fr".to_owned())]
    );
    let tcf_demo = app.get("/v1/sites/demo-tcf/gvl").await;
    assert_eq!(tcf_demo.status(), 200, "the demo's TCF site");
}

/// The fixture with another version and `change` applied.
pub(crate) fn list_with(version: u64, change: impl FnOnce(&mut Value)) -> String {
    let mut list: Value = serde_json::from_str(LIST).expect("fixture");
    list["vendorListVersion"] = json!(version);
    change(&mut list);
    list.to_string()
}

async fn a_broken_list_is_refused_and_the_last_good_one_stays_in_use(backend: Backend) {
    let gvl = GvlServer::start().await;
    let app = spawn_app_with(backend, tcf(&gvl)).await;
    let token = admin(&app).await;
    in_use(&app, &token, VERSION).await;
    assert_eq!(publish_tcf(&app, &token, &[2, 8]).await.status(), 200);
    let served = || async {
        let res = app.get("/v1/sites/demo/gvl").await;
        assert_eq!(res.status(), 200);
        let body: Value = res.json().await.expect("JSON");
        body["vendor_list"]["vendorListVersion"].clone()
    };
    assert_eq!(served().await, VERSION);

    let broken = [
        (
            list_with(142, |l| l["vendors"]["2"]["purposes"] = json!([1, 99])),
            "vendor 2 lists purposes id 99",
        ),
        ("<html>maintenance</html>".to_owned(), "not a Global Vendor List"),
        (
            list_with(142, |l| l["gvlSpecificationVersion"] = json!(2)),
            "gvlSpecificationVersion is 2",
        ),
    ];
    for (list, reason) in broken {
        gvl.serve_list(&list);
        let before = status(&app, &token).await["last_attempt_at"].clone();
        let res = send(&app, Method::POST, "/v1/admin/tcf/gvl/refresh", Some(&token), None).await;
        assert_eq!(res.status(), 202);
        let s = next_attempt(&app, &token, &before).await;
        let error = s["last_error"].as_str().expect("the refusal is recorded");
        assert!(error.contains("vendor-list.json") && error.contains(reason), "{error}");
        assert_eq!(s["in_use"]["vendor_list_version"], VERSION, "{s}");
        assert_eq!(served().await, VERSION);
    }

    // A good list of the next version replaces it, and the history keeps both.
    gvl.serve_list(&list_with(142, |_| {}));
    let res = send(&app, Method::POST, "/v1/admin/tcf/gvl/refresh", Some(&token), None).await;
    assert_eq!(res.status(), 202);
    let s = in_use(&app, &token, 142).await;
    assert_eq!(s["history"].as_array().expect("history").len(), 2);
    wait_for("version 142 served", || async {
        let v = served().await;
        (v == 142, v)
    })
    .await;
}

async fn two_servers_on_one_database_run_one_refresher(backend: Backend) {
    let gvl = GvlServer::start().await;
    let configure = tcf(&gvl);
    let app = spawn_app_with(backend, |c| {
        configure(c);
        c.tcf_gvl_refresh_secs = 0;
    })
    .await;
    let config = Config {
        bind: "127.0.0.1:0".parse().expect("addr"),
        demo: false,
        ..(*app.state.config).clone()
    };
    let second = Application::build(config).await.expect("second server");
    let second_state = second.state().clone();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(second.run_until_stopped(async move {
        let _ = stopped.await;
    }));
    let token = admin(&app).await;
    gvl.hold(true);
    let res = send(&app, Method::POST, "/v1/admin/tcf/gvl/refresh", Some(&token), None).await;
    assert_eq!(res.status(), 202);
    wait_for("the first fetch", || async {
        (gvl.hits("vendor-list.json") == 1, json!(null))
    })
    .await;
    // The fetch is held and the request still stands: each server looks every second, so a
    // second refresher would ask within about one. Absence can only be shown by waiting.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(gvl.hits("vendor-list.json"), 1, "only the lease holder fetches");
    gvl.hold(false);
    in_use(&app, &token, VERSION).await;
    wait_for("the second server's list", || async {
        let held = second_state.gvl.current().map(|g| g.list.vendor_list_version);
        (held == Some(141), json!(held))
    })
    .await;
    assert_eq!(gvl.hits("vendor-list.json"), 1);
    let _ = stop.send(());
}

async fn a_list_on_a_private_address_is_refused_without_the_setting(backend: Backend) {
    let gvl = GvlServer::start().await;
    let configure = tcf(&gvl);
    let app = spawn_app_with(backend, |c| {
        configure(c);
        c.tcf_gvl_allow_private_networks = false;
    })
    .await;
    let token = admin(&app).await;
    let s = next_attempt(&app, &token, &Value::Null).await;
    let error = s["last_error"].as_str().expect("refused");
    assert!(error.contains("127.0.0.1 is not a public address"), "{error}");
    assert_eq!(s["in_use"], Value::Null);
    assert_eq!(gvl.hits("vendor-list.json"), 0, "nothing was sent");
    // Without a list, a TCF notice cannot be checked, so it is not published.
    let res = publish_tcf(&app, &token, &[2]).await;
    assert_eq!(error_code(res, 503).await, "gvl_not_fetched");
}

async fn a_notice_declaring_vendors_off_the_list_is_refused_naming_them(backend: Backend) {
    let gvl = GvlServer::start().await;
    let app = spawn_app_with(backend, tcf(&gvl)).await;
    let token = admin(&app).await;
    in_use(&app, &token, VERSION).await;
    let res = publish_tcf(&app, &token, &[2, 999, 40, 8]).await;
    assert_eq!(res.status(), 422);
    let body: Value = res.json().await.expect("error JSON");
    assert_eq!(body["error"]["code"], "invalid_input");
    assert_eq!(body["error"]["details"]["field"], "tcf.vendors[1]");
    let reason = body["error"]["details"]["reason"].as_str().expect("reason");
    assert!(
        reason.contains("not on the list: 999") && reason.contains("deleted from it: 40"),
        "{reason}"
    );
    assert_eq!(app.notice("en").await.notice.version, 1, "nothing was published");
    assert_eq!(publish_tcf(&app, &token, &[2, 8]).await.status(), 200);

    // `assent publish-notice` checks the vendors against the list in the database too.
    let publish = |vendors: &[u16]| {
        let mut notice: Value = serde_json::from_str(include_str!("../../demo/notice.json")).expect("notice");
        notice["version"] = json!(3);
        notice["tcf"] = json!({ "vendors": vendors });
        let file = app.dir.path().join("notice-3.json");
        std::fs::write(&file, notice.to_string()).expect("write notice");
        std::process::Command::new(env!("CARGO_BIN_EXE_assent"))
            .args(["publish-notice", "--site", "demo", "--file"])
            .arg(&file)
            .env("ASSENT_DATABASE_URL", &app.database_url)
            .env("ASSENT_KEY_FILE", app.dir.path().join("keys.json"))
            .env("ASSENT_TCF_CMP_ID", "300")
            .env("ASSENT_LOG", "error")
            .output()
            .expect("run assent publish-notice")
    };
    let refused = publish(&[2, 999]);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success(), "{stderr}");
    assert!(
        stderr.contains("tcf.vendors[1]") && stderr.contains("not on the list: 999"),
        "{stderr}"
    );
    let latest = || app.scalar::<i64>("SELECT MAX(version) FROM notices WHERE site_id = 'demo'");
    assert_eq!(latest().await, 2, "nothing was published");
    let published = publish(&[2]);
    assert!(
        published.status.success(),
        "{}",
        String::from_utf8_lossy(&published.stderr)
    );
    assert_eq!(latest().await, 3);
}

async fn the_loader_of_a_tcf_site_names_the_cmp_and_the_list_for_tcfapi(backend: Backend) {
    let plain = crate::helpers::spawn_app(backend).await;
    let js = plain.get("/embed.js?site=demo").await.text().await.expect("loader");
    assert!(js.contains(r#""tcf":{}"#), "no CMP id: no site gets __tcfapi");

    let gvl = GvlServer::start().await;
    let app = spawn_app_with(backend, tcf(&gvl)).await;
    let token = admin(&app).await;
    in_use(&app, &token, VERSION).await;
    let loader = || async { app.get("/embed.js?site=demo").await.text().await.expect("loader") };
    assert!(loader().await.contains(r#""tcf":{}"#), "a notice without a tcf section");
    assert_eq!(publish_tcf(&app, &token, &[2, 8]).await.status(), 200);
    let want =
        format!(r#""tcf":{{"demo":{{"cmpId":300,"cmpVersion":7,"gvlVersion":{VERSION},"tcfPolicyVersion":5}}}}"#);
    wait_for("the TCF site's facts in its loader", || async {
        let js = loader().await;
        (js.contains(&want), json!(js.len()))
    })
    .await;
    let bare = app.get("/embed.js").await.text().await.expect("loader");
    assert!(bare.contains(r#""tcf":{}"#), "a bare tag carries no site");
}

/// The dashboard's live preview shows the draft's vendors (its token), the public list the
/// published ones; a token for another site, or none valid, gets 401.
async fn a_preview_gets_the_drafts_vendors_and_a_bad_token_nothing(backend: Backend) {
    let gvl = GvlServer::start().await;
    let app = spawn_app_with(backend, tcf(&gvl)).await;
    let token = admin(&app).await;
    in_use(&app, &token, VERSION).await;
    assert_eq!(publish_tcf(&app, &token, &[755, 2, 8]).await.status(), 200);
    assert_eq!(
        save_section(&app, &token, json!({ "vendors": [2] })).await.status(),
        200
    );
    let res = send(
        &app,
        Method::POST,
        "/v1/admin/sites/demo/draft/preview",
        Some(&token),
        None,
    )
    .await;
    assert_eq!(res.status(), 200);
    let link: Value = res.json().await.expect("preview JSON");
    let preview = link["token"].as_str().expect("token");

    let vendors = |body: &Value| ids(&body["vendor_list"]["vendors"]);
    let public: Value = app.get("/v1/sites/demo/gvl").await.json().await.expect("JSON");
    assert_eq!(vendors(&public), vec![2, 8, 755]);
    let res = app.get(&format!("/v1/sites/demo/gvl?preview={preview}")).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let drafted: Value = res.json().await.expect("JSON");
    assert_eq!(vendors(&drafted), vec![2]);
    // The published list is still what visitors get (the draft's answer was never cached).
    let again: Value = app.get("/v1/sites/demo/gvl").await.json().await.expect("JSON");
    assert_eq!(vendors(&again), vec![2, 8, 755]);
    for bad in [&format!("{preview}x"), "not-a-token"] {
        let res = app.get(&format!("/v1/sites/demo/gvl?preview={bad}")).await;
        assert_eq!(error_code(res, 401).await, "unauthorized");
    }
    let res = app.get(&format!("/v1/sites/demo-tcf/gvl?preview={preview}")).await;
    assert_eq!(error_code(res, 401).await, "unauthorized", "another site's token");
}
