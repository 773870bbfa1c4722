//! What the banner and sites call (one test runs these cases and those of `consents` and
//! `identity`): notices, the loader, checkpoints, and the operations endpoints and documents.

use super::{Case, ODD_IDS, fixture, run};
use crate::helpers::Backend;
use crate::on_both_backends;
use reqwest::Method;

on_both_backends!(the_public_api_refuses_every_bad_input_and_writes_nothing);

async fn the_public_api_refuses_every_bad_input_and_writes_nothing(backend: Backend) {
    let fx = fixture(backend).await;
    run(&fx, cases(&fx.ids)).await;
}

pub fn cases(ids: &super::Ids) -> Vec<Case> {
    let mut cases = super::consents::cases(ids);
    cases.extend(super::identity::cases(ids));
    cases.extend(reads(ids));
    cases
}

fn reads(ids: &super::Ids) -> Vec<Case> {
    let notice = Case::new(ids, "get", "/v1/sites/{site}/notice", "");
    let mut cases = Vec::new();
    for (what, id) in ODD_IDS {
        cases.push(notice.but(what).at("site", id).refused(404, "site_not_found"));
    }
    let loader = Case::new(ids, "get", "/v1/sites/{site}/loader.json", "");
    let checkpoint = Case::new(ids, "get", "/v1/sites/{site}/checkpoints/latest", "");
    let embed = Case::new(ids, "get", "/embed.js", "");
    let metrics = Case::new(ids, "get", "/metrics", "");
    let gvl = Case::new(ids, "get", "/v1/sites/{site}/gvl", "");
    cases.extend([
        gvl.but("an unknown site")
            .at("site", "nope")
            .refused(404, "site_not_found"),
        gvl.but("a site whose notice has no TCF section")
            .refused(404, "tcf_not_enabled"),
        gvl.but("a script-shaped lang")
            .query("lang=%3Cscript%3E")
            .refused(422, "invalid_input")
            .field("lang"),
        gvl.but("a browser request from a page of another origin")
            .header("origin", "https://evil.example")
            .refused(403, "origin_not_allowed"),
        gvl.but("the wrong method")
            .send_as(Method::DELETE)
            .refused(405, "method_not_allowed"),
    ]);
    cases.extend([
        notice
            .but("an unknown site")
            .at("site", "nope")
            .refused(404, "site_not_found"),
        notice
            .but("an overlong lang")
            .query(format!("lang={}", "e".repeat(5000)))
            .refused(422, "invalid_input")
            .field("lang"),
        notice
            .but("a request target over the limit")
            .query(format!(
                "lang=en&pad={}",
                "a".repeat(assent_server::request_limits::URI_LIMIT_BYTES)
            ))
            .refused(414, "uri_too_long"),
        notice
            .but("a header section over the limit")
            .header(
                "x-padding",
                "a".repeat(assent_server::request_limits::HEADERS_LIMIT_BYTES),
            )
            .refused(431, "headers_too_large"),
        notice
            .but("a lang with a control character")
            .query("lang=en%00")
            .refused(422, "invalid_input")
            .field("lang"),
        notice
            .but("a script-shaped lang")
            .query("lang=%3Cscript%3E")
            .refused(422, "invalid_input")
            .field("lang"),
        notice
            .but("lang given twice")
            .query("lang=en&lang=de")
            .refused(422, "invalid_input")
            .field("lang"),
        notice
            .but("a forged preview token")
            .query("preview=abc.def.ghi")
            .refused(401, "unauthorized"),
        notice
            .but("a subject token as the preview token")
            .query(format!("preview={}", ids.token))
            .refused(401, "unauthorized"),
        notice
            .but("a browser request from a page of another origin")
            .header("origin", "https://evil.example")
            .refused(403, "origin_not_allowed"),
        notice
            .but("the wrong method")
            .send_as(Method::POST)
            .refused(405, "method_not_allowed"),
        loader
            .but("an unknown site")
            .at("site", "nope")
            .refused(404, "site_not_found"),
        loader
            .but("a site id with a right-to-left override")
            .at("site", "de%E2%80%AEmo")
            .refused(404, "site_not_found"),
        loader
            .but("the wrong method")
            .send_as(Method::DELETE)
            .refused(405, "method_not_allowed"),
        checkpoint
            .but("an unknown site")
            .at("site", "nope")
            .refused(404, "site_not_found"),
        checkpoint
            .but("a site without a checkpoint yet")
            .refused(404, "checkpoint_not_found"),
        checkpoint
            .but("an SQL-shaped site id")
            .at("site", "demo'%20OR%20'1'%3D'1")
            .refused(404, "site_not_found"),
        embed
            .but("site given twice")
            .query("site=demo&site=other")
            .refused(422, "invalid_input")
            .field("site"),
        embed
            .but("the wrong method")
            .send_as(Method::POST)
            .refused(405, "method_not_allowed"),
        metrics.but("no token").refused(401, "unauthorized"),
        metrics
            .but("a wrong token")
            .bearer("metrics-token-for-tests-but-not")
            .refused(401, "unauthorized"),
        metrics
            .but("an admin token")
            .bearer(&ids.admin)
            .refused(401, "unauthorized"),
        Case::new(ids, "get", "/preview/{site}", "a preview page without a token").html_page(401),
        Case::new(ids, "get", "/preview/{site}", "a preview page with a forged token")
            .query("token=abc.def.ghi")
            .html_page(401),
    ]);
    // Operations and documents without parameters: the only bad input is the method.
    for path in [
        "/healthz",
        "/readyz",
        "/openapi.json",
        "/docs/api",
        "/docs/api.js",
        "/docs/api.css",
        "/.well-known/gpc.json",
        "/.well-known/jwks.json",
        "/admin",
        "/admin/boot.js",
    ] {
        for method in [Method::POST, Method::DELETE] {
            cases.push(
                Case::new(ids, "get", path, format!("{method} instead of GET"))
                    .send_as(method)
                    .refused(405, "method_not_allowed"),
            );
        }
    }
    cases
}
