//! The OpenAPI document against the real router: every documented operation is served and
//! answers only what it documents, nothing is served undocumented, every other method gets
//! the JSON 405, and the document is valid OpenAPI 3.1 whose references all resolve.

use crate::admin::send;
use crate::helpers::{Backend, TestApp, error_code, spawn_app_with};
use crate::on_both_backends;
use crate::webhooks::{admin, all, create_webhook};
use reqwest::Method;
use serde_json::{Value, json};
use std::collections::BTreeSet;

on_both_backends!(
    every_documented_operation_is_served_and_answers_only_what_it_documents,
    every_undocumented_method_gets_the_json_405,
);

pub const METRICS_TOKEN: &str = "metrics-token-for-tests";

async fn spec(app: &TestApp) -> Value {
    let res = app.get("/openapi.json").await;
    assert_eq!(res.status(), 200);
    res.json().await.expect("the document is JSON")
}

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// Every (path, method) of the document.
fn operations(spec: &Value) -> Vec<(String, String)> {
    let paths = spec["paths"].as_object().expect("paths");
    let mut out = Vec::new();
    for (path, item) in paths {
        for method in METHODS {
            if item.get(method).is_some() {
                out.push((path.clone(), method.to_owned()));
            }
        }
    }
    out
}

/// Real ids for the path parameters: the demo site, a recorded subject and event, its
/// published notice version and a webhook endpoint.
struct Ids {
    admin: String,
    subject: String,
    subject_token: String,
    event: String,
    webhook: String,
}

async fn real_ids(app: &TestApp) -> Ids {
    let admin = admin(app).await;
    let webhook = create_webhook(app, &admin, "http://127.0.0.1:9/hook", &["consent.recorded"]).await;
    let body = app.consent_body("accept_all", all("granted")).await;
    let recorded: Value = app.post_consent(&body, None).await.json().await.expect("recorded");
    Ids {
        admin,
        subject: recorded["subject_id"].as_str().expect("subject").to_owned(),
        subject_token: recorded["subject_token"].as_str().expect("token").to_owned(),
        event: recorded["event_id"].as_str().expect("event").to_owned(),
        webhook: webhook["id"].as_str().expect("webhook id").to_owned(),
    }
}

fn fill(path: &str, ids: &Ids) -> String {
    path.replace("{site}", "demo")
        .replace("{subject}", &ids.subject)
        .replace("{event}", &ids.event)
        .replace("{version}", "1")
        .replace("{id}", &ids.webhook)
        .replace("{account}", "account-42")
}

async fn every_documented_operation_is_served_and_answers_only_what_it_documents(backend: Backend) {
    let app = spawn_app_with(backend, |c| {
        c.webhooks_allow_private_networks = true;
        c.metrics_token = Some(METRICS_TOKEN.into());
    })
    .await;
    let spec = spec(&app).await;
    let ids = real_ids(&app).await;
    let mut ops = operations(&spec);
    assert!(ops.len() > 40, "only {} operations documented", ops.len());
    // What removes what later requests use goes last, and the end of the session after it.
    ops.sort_by_key(|(path, method)| {
        if path.ends_with("/logout") {
            2
        } else {
            u8::from(method == "delete" || path.ends_with("/archive") || path.ends_with("/erasure"))
        }
    });
    for (path, method) in ops {
        let url = format!("{}{}", app.api, fill(&path, &ids));
        let mut req = app.client.request(
            Method::from_bytes(method.to_uppercase().as_bytes()).expect("method"),
            url,
        );
        req = if path.starts_with("/v1/admin/") {
            req.bearer_auth(&ids.admin)
        } else if path.contains("/subjects/") {
            req.bearer_auth(&ids.subject_token)
        } else if path == "/metrics" {
            req.bearer_auth(METRICS_TOKEN)
        } else {
            req
        };
        if method != "get" && method != "delete" {
            req = req.json(&json!({}));
        }
        let res = req.send().await.expect("request");
        let status = res.status().as_u16();
        let what = format!("{} {path} answered {status}", method.to_uppercase());
        assert_ne!(status, 405, "{what}: the method is documented but not routed");
        let documented = &spec["paths"][&path][&method]["responses"][status.to_string()];
        assert!(documented.is_object(), "{what}, which it does not document");
        // A page for people (the preview link's) answers an HTML page, documented as such.
        if documented["content"]["text/html"].is_object() {
            let kind = res
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            assert!(kind.starts_with("text/html"), "{what} as {kind}, documented as HTML");
        } else if status >= 400 {
            let body: Value = res.json().await.expect("error body is JSON");
            let code = body["error"]["code"].as_str().expect("error.code");
            assert_ne!(code, "not_found", "{what}: the path is documented but not routed");
            let description = documented["description"].as_str().unwrap_or_default();
            assert!(
                description.contains(&format!("`{code}`")),
                "{what} with code {code}, which its description does not name: {description}"
            );
        }
    }
}

async fn every_undocumented_method_gets_the_json_405(backend: Backend) {
    let app = spawn_app_with(backend, |_| {}).await;
    let spec = spec(&app).await;
    let ids = Ids {
        admin: String::new(),
        subject: uuid::Uuid::new_v4().to_string(),
        subject_token: String::new(),
        event: uuid::Uuid::new_v4().to_string(),
        webhook: "w".into(),
    };
    let mut probed = 0;
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for method in METHODS.into_iter().filter(|m| item.get(m).is_none()) {
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
            let res = send(&app, method.clone(), &fill(path, &ids), None, None).await;
            let allow = res
                .headers()
                .get("allow")
                .map(|v| v.to_str().expect("ascii").to_owned());
            assert_eq!(error_code(res, 405).await, "method_not_allowed", "{method} {path}");
            assert!(allow.is_some_and(|a| !a.is_empty()), "{method} {path}: no Allow header");
            probed += 1;
        }
    }
    assert!(probed > 100, "only {probed} methods probed");
}

/// The paths the axum router routes, read from its `Debug` output (axum has no other way to
/// list them), up to its fallback router (whose catch-all paths serve unmatched requests). The
/// caller checks that known paths are found, so a change of that format fails the test
/// instead of passing it empty.
fn router_paths(router: &axum::Router) -> BTreeSet<String> {
    let debug = format!("{router:?}");
    let (routes, _fallback) = debug
        .split_once("fallback_router")
        .expect("the router's Debug output names its fallback router");
    routes
        .split('"')
        .skip(1)
        .step_by(2)
        .filter(|s| s.starts_with('/'))
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn the_router_serves_no_path_the_document_lacks() {
    let app = spawn_app_with(Backend::Sqlite, |_| {}).await;
    let router = assent_server::routes::router(app.state.clone());
    let served = router_paths(&router);
    assert!(
        served.contains("/healthz") && served.contains("/v1/sites/{site}/consents"),
        "the router's paths could not be read: {served:?}"
    );
    // The check sees a route added outside the table.
    let extra = router.clone().route("/undocumented", axum::routing::get(|| async {}));
    assert!(router_paths(&extra).contains("/undocumented"));

    let documented: BTreeSet<String> = spec(&app).await["paths"]
        .as_object()
        .expect("paths")
        .keys()
        .cloned()
        .collect();
    // The banner's static files, mounted beside the table on purpose (see `routes`).
    let static_files = ["/assets", "/assets/", "/assets/{*__private__axum_nest_tail_param}"];
    let undocumented: Vec<_> = served
        .iter()
        .filter(|p| !documented.contains(*p) && !static_files.contains(&p.as_str()))
        .collect();
    assert!(undocumented.is_empty(), "served but not documented: {undocumented:?}");
    let unserved: Vec<_> = documented.iter().filter(|p| !served.contains(*p)).collect();
    assert!(unserved.is_empty(), "documented but not served: {unserved:?}");
}

/// Every `$ref` of `value`, with where it was found.
fn refs<'a>(value: &'a Value, at: &str, out: &mut Vec<(String, &'a str)>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                if key == "$ref" {
                    out.push((at.to_owned(), child.as_str().expect("$ref is a string")));
                } else {
                    refs(child, &format!("{at}/{key}"), out);
                }
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                refs(child, &format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

#[tokio::test]
async fn the_document_is_openapi_3_1_whose_references_parameters_and_schemes_all_resolve() {
    let app = spawn_app_with(Backend::Sqlite, |_| {}).await;
    let spec = spec(&app).await;
    let version = spec["openapi"].as_str().expect("openapi field");
    assert!(version.starts_with("3.1"), "openapi is {version}");
    assert!(spec["info"]["title"].is_string() && spec["info"]["version"].is_string());

    let mut found = Vec::new();
    refs(&spec, "", &mut found);
    assert!(found.len() > 100, "only {} references", found.len());
    for (at, target) in &found {
        let pointer = target
            .strip_prefix('#')
            .unwrap_or_else(|| panic!("{at}: {target} is not local"));
        assert!(spec.pointer(pointer).is_some(), "{at}: {target} does not resolve");
    }

    for name in spec["components"]["schemas"].as_object().expect("schemas").keys() {
        assert!(
            !["BTreeMap", "HashMap", "Vec", "Option", "Value"].contains(&name.as_str()),
            "schema {name} is named after a container, not a type of ours"
        );
    }
    let schemes = spec["components"]["securitySchemes"]
        .as_object()
        .expect("security schemes");
    for name in [
        "admin_bearer",
        "admin_session",
        "csrf_token",
        "subject_token",
        "metrics_token",
        "site_secret",
    ] {
        assert!(schemes.contains_key(name), "security scheme {name}");
    }
    for (path, method) in operations(&spec) {
        let op = &spec["paths"][&path][&method];
        let what = format!("{method} {path}");
        assert!(
            op["summary"]
                .as_str()
                .is_some_and(|s| !s.is_empty() && !s.contains('\n')),
            "{what}: a one-line summary"
        );
        let params: BTreeSet<&str> = op["parameters"]
            .as_array()
            .map(|ps| {
                ps.iter()
                    .filter(|p| p["in"] == "path")
                    .map(|p| p["name"].as_str().expect("name"))
                    .collect()
            })
            .unwrap_or_default();
        let in_path: BTreeSet<&str> = path
            .split('{')
            .skip(1)
            .map(|s| s.split('}').next().expect("closing brace"))
            .collect();
        assert_eq!(params, in_path, "{what}: path parameters");
        for requirement in op["security"].as_array().into_iter().flatten() {
            for name in requirement.as_object().expect("requirement").keys() {
                assert!(schemes.contains_key(name), "{what}: unknown scheme {name}");
            }
        }
        let responses = op["responses"].as_object().expect("responses");
        assert!(
            responses.keys().any(|s| s.starts_with('2') || s.starts_with('3')),
            "{what}: no success"
        );
        // Pages for people (documented as `text/html`) say what went wrong in HTML; every
        // API error has the one JSON shape.
        for (status, response) in responses
            .iter()
            .filter(|(s, r)| s.as_str() >= "400" && !r["content"]["text/html"].is_object())
        {
            assert_eq!(
                response["content"]["application/json"]["schema"]["$ref"], "#/components/schemas/ErrorBody",
                "{what} {status}: errors have the one shape"
            );
            assert!(
                response["description"].as_str().is_some_and(|d| d.contains('`')),
                "{what} {status}: the description names its codes"
            );
        }
    }
    let admin_writes = operations(&spec)
        .into_iter()
        .filter(|(p, m)| p.starts_with("/v1/admin/") && m != "get" && p != "/v1/admin/login");
    for (path, method) in admin_writes {
        let security = &spec["paths"][&path][&method]["security"];
        assert!(
            security
                .as_array()
                .is_some_and(|rs| rs.contains(&json!({ "admin_session": [], "csrf_token": [] }))),
            "{method} {path}: a cookie write needs the CSRF token: {security}"
        );
    }
}

#[tokio::test]
async fn the_reference_page_loads_only_its_own_files_under_a_strict_csp() {
    let app = spawn_app_with(Backend::Sqlite, |_| {}).await;
    let res = app.get("/docs/api").await;
    assert_eq!(res.status(), 200);
    let csp = res
        .headers()
        .get("content-security-policy")
        .expect("a CSP")
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(
        csp.contains("default-src 'none'") && csp.contains("script-src 'self'"),
        "{csp}"
    );
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    let html = res.text().await.expect("html");
    assert!(
        !html.contains("<script>") && !html.contains("style="),
        "no inline script or style"
    );
    let mut linked = Vec::new();
    for attr in ["src=\"", "href=\""] {
        for part in html.split(attr).skip(1) {
            linked.push(part.split('"').next().expect("closing quote").to_owned());
        }
    }
    assert!(linked.contains(&"/docs/api.js".to_owned()), "{linked:?}");
    for url in &linked {
        assert!(
            // `data:,` is the empty icon that keeps browsers from asking for /favicon.ico.
            url.starts_with('/') || url.starts_with('#') || url == "data:,",
            "{url} is not this origin's"
        );
        if url.starts_with('/') {
            assert_eq!(app.get(url).await.status(), 200, "{url}");
        }
    }
    let script = app.get("/docs/api.js").await;
    assert!(
        script.headers()["content-type"]
            .to_str()
            .expect("ascii")
            .starts_with("text/javascript")
    );
    assert!(script.text().await.expect("js").contains("fetch(\"/openapi.json\""));
}

/// Each id's documented `pattern` accepts exactly what its parser accepts, on samples from
/// either side of every rule (length, first character, alphabet, case, UUID shape).
#[tokio::test]
async fn the_id_patterns_say_what_the_parsers_accept() {
    use assent_shared::ids::{AccountId, EventId, PurposeKey, SiteId, SubjectId};
    let app = spawn_app_with(Backend::Sqlite, |_| {}).await;
    let spec = spec(&app).await;
    let (long_64, long_65) = ("x".repeat(64), "x".repeat(65));
    let (long_128, long_129) = ("a".repeat(128), "a".repeat(129));
    let samples = [
        "",
        "demo",
        "shop-42",
        "-lead",
        "9lives",
        "Upper",
        "a b",
        "a/b",
        "ads-x",
        "precise_location",
        "1st",
        "auth0|5f3c",
        "tab\there",
        "naïve",
        &long_64,
        &long_65,
        &long_128,
        &long_129,
        "0f8fad5b-d9cb-469f-a165-70867728950e",
        "0F8FAD5B-D9CB-469F-A165-70867728950E",
        "0f8fad5bd9cb469fa16570867728950e",
        "0f8fad5b-d9cb-469f-a165-70867728950g",
    ];
    type Parses = fn(&str) -> bool;
    let parsers: [(&str, Parses); 5] = [
        ("SiteId", |s| SiteId::parse(s).is_ok()),
        ("PurposeKey", |s| PurposeKey::parse(s).is_ok()),
        ("EventId", |s| EventId::parse(s).is_ok()),
        ("SubjectId", |s| SubjectId::parse(s).is_ok()),
        ("AccountId", |s| AccountId::parse(s).is_ok()),
    ];
    let schemas = &spec["components"]["schemas"];
    let mut documented = 0;
    for (name, parses) in parsers {
        let Some(pattern) = schemas[name]["pattern"].as_str() else {
            assert!(schemas[name].is_null(), "{name} is documented without a pattern");
            continue;
        };
        documented += 1;
        let re = regex::Regex::new(pattern).expect("the pattern compiles");
        for s in samples {
            assert_eq!(re.is_match(s), parses(s), "{name} on {s:?}: pattern {pattern}");
        }
    }
    assert!(documented >= 3, "only {documented} id types are in the document");
}
