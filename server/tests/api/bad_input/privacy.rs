//! The hosted privacy-settings page and what it (and the embedded component) reads besides a
//! subject's records: the page itself, its boot module, the current notice and past notice
//! versions. Refusals of the page are pages for people; the rest is the one JSON shape.

use super::{Case, Ids, fixture, run};
use crate::helpers::{Backend, write_fake_settings};
use crate::on_both_backends;
use reqwest::Method;

on_both_backends!(the_privacy_page_and_notice_versions_refuse_every_bad_input_and_write_nothing);

async fn the_privacy_page_and_notice_versions_refuse_every_bad_input_and_write_nothing(backend: Backend) {
    let fx = fixture(backend).await;
    write_fake_settings(&fx.app.state.config.dist_dir);
    run(&fx, cases(&fx.ids)).await;
}

pub fn cases(ids: &Ids) -> Vec<Case> {
    let page = Case::new(ids, "get", "/sites/{site}/privacy", "");
    let boot = Case::new(ids, "get", "/sites/{site}/privacy/boot.js", "");
    let current = Case::new(ids, "get", "/sites/{site}/privacy/notice", "");
    let mut cases = vec![
        page.but("an unknown code").query("code=not-a-code").html_page(404),
        page.but("an SQL-shaped code")
            .query("code=1'%20OR%20'1'%3D'1")
            .html_page(404),
        page.but("an unknown site").at("site", "nope").html_page(404),
        page.but("a code of this site on an unknown site")
            .at("site", "nope")
            .query("code=not-a-code")
            .html_page(404),
        boot.but("the wrong method")
            .send_as(Method::POST)
            .refused(405, "method_not_allowed"),
        current
            .but("an unknown site")
            .at("site", "nope")
            .refused(404, "site_not_found"),
        current
            .but("the wrong method")
            .send_as(Method::POST)
            .refused(405, "method_not_allowed"),
    ];
    for template in [
        "/v1/sites/{site}/notice/versions/{version}",
        "/sites/{site}/privacy/notice/versions/{version}",
    ] {
        let version = Case::new(ids, "get", template, "");
        cases.extend([
            version
                .but("a version never published")
                .at("version", "99")
                .refused(404, "notice_not_found"),
            version
                .but("a version that is not a number")
                .at("version", "one")
                .refused(422, "invalid_input")
                .field("version"),
            version
                .but("an SQL-shaped version")
                .at("version", "1%20OR%201%3D1")
                .refused(422, "invalid_input")
                .field("version"),
            version
                .but("an unknown site")
                .at("site", "nope")
                .refused(404, "site_not_found"),
            version
                .but("the wrong method")
                .send_as(Method::POST)
                .refused(405, "method_not_allowed"),
        ]);
    }
    cases
}
