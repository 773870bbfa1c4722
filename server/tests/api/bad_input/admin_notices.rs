//! Admin: a site's notice versions, its draft, the lint, publishing and preview links.

use super::admin::{Needs, guards};
use super::{Case, Ids, body_cases};
use reqwest::Method;
use serde_json::{Value, json};

pub fn cases(ids: &Ids) -> Vec<Case> {
    notices(ids)
}

fn notices(ids: &Ids) -> Vec<Case> {
    let notice: Value = serde_json::from_str(include_str!("../../../demo/notice.json")).expect("notice");
    let mut cases = Vec::new();
    let (list, g) = guards(
        ids,
        "get",
        "/v1/admin/sites/{site}/notices",
        Needs::Site { write: false },
    );
    cases.extend(g);
    cases.push(
        list.but("POST instead of GET")
            .send_as(Method::POST)
            .refused(405, "method_not_allowed"),
    );
    let (version, g) = guards(
        ids,
        "get",
        "/v1/admin/sites/{site}/notices/{version}",
        Needs::Site { write: false },
    );
    cases.extend(g);
    for (what, v) in [
        ("a version that is not a number", "abc"),
        ("a negative version", "-1"),
        ("an SQL-shaped version", "1%20OR%201%3D1"),
        ("a version past u32", "99999999999"),
    ] {
        cases.push(
            version
                .but(what)
                .at("version", v)
                .refused(422, "invalid_input")
                .field("version"),
        );
    }
    cases.extend([
        version
            .but("a version never published")
            .at("version", "99")
            .refused(404, "notice_not_found"),
        version
            .but("version 0")
            .at("version", "0")
            .refused(404, "notice_not_found"),
    ]);

    let (draft, g) = guards(ids, "get", "/v1/admin/sites/{site}/draft", Needs::Site { write: false });
    cases.extend(g);
    cases.push(
        draft
            .but("a site without a draft")
            .at("site", "other")
            .refused(404, "draft_not_found"),
    );
    let (put, g) = guards(ids, "put", "/v1/admin/sites/{site}/draft", Needs::Site { write: true });
    cases.extend(g);
    cases.extend(body_cases(&put, &notice, "purposes", json!("all of them"), true));
    let mut lint_cases = notice_shapes(&put, &notice);
    let (lint, g) = guards(ids, "post", "/v1/admin/sites/{site}/lint", Needs::Site { write: false });
    cases.extend(g);
    cases.extend(body_cases(&lint, &notice, "purposes", json!(7), true));
    lint_cases.extend(notice_shapes(&lint, &notice));
    cases.extend(lint_cases);

    let (publish, g) = guards(
        ids,
        "post",
        "/v1/admin/sites/{site}/draft/publish",
        Needs::Site { write: true },
    );
    let valid = json!({ "material_change": false });
    cases.extend(g);
    cases.extend(body_cases(&publish, &valid, "material_change", json!("no"), false));
    cases.extend([
        publish
            .but("a draft revision that is not the draft's")
            .json(&json!({ "draft_revision": "stale" }))
            .refused(409, "conflict"),
        publish
            .but("a material change without a summary")
            .json(&json!({ "material_change": true }))
            .refused(422, "invalid_input")
            .field("change_summary.en"),
        publish
            .but("a summary given twice in one language")
            .raw(
                Some("application/json"),
                r#"{"material_change":true,"change_summary":{"en":"New purpose.","en":"Nothing."}}"#,
            )
            .refused(422, "invalid_input")
            .field("change_summary.en"),
        publish
            .but("a summary that is not text")
            .json(&json!({ "material_change": true, "change_summary": { "en": 1 } }))
            .refused(422, "invalid_input")
            .field("change_summary.en"),
        publish
            .but("a site without a draft")
            .at("site", "other")
            .json(&valid)
            .refused(404, "draft_not_found"),
    ]);
    let (preview, g) = guards(
        ids,
        "post",
        "/v1/admin/sites/{site}/draft/preview",
        Needs::Site { write: false },
    );
    cases.extend(g);
    cases.push(
        preview
            .but("a site without a draft")
            .at("site", "other")
            .refused(404, "draft_not_found"),
    );
    cases
}

/// Notices of the wrong shape, for the draft and the lint: each names its JSON path.
fn notice_shapes(op: &Case, notice: &Value) -> Vec<Case> {
    let mut shapes: Vec<(&str, Value, &str)> = Vec::new();
    let mut n = notice.clone();
    n["purposes"][2]["legal_basis"] = json!("because");
    shapes.push(("an unknown legal basis", n, "purposes[2].legal_basis"));
    let mut n = notice.clone();
    n["purposes"][2]["lifetime_dayz"] = json!(30);
    shapes.push(("a misspelt purpose field", n, "purposes[2].lifetime_dayz"));
    for (what, key) in [
        ("a purpose key with a right-to-left override", "analy\u{202e}tics"),
        ("a purpose key with a zero-width space", "analytics\u{200b}"),
        ("an SQL-shaped purpose key", "x'; DROP TABLE notices; --"),
        ("a script-shaped purpose key", "<script>alert(1)</script>"),
    ] {
        let mut n = notice.clone();
        n["purposes"][2]["key"] = json!(key);
        shapes.push((what, n, "purposes[2].key"));
    }
    let mut n = notice.clone();
    n["purposes"][0]["vendors"] = json!({ "name": "x" });
    shapes.push(("vendors as an object", n, "purposes[0].vendors"));
    shapes
        .into_iter()
        .map(|(what, body, field)| op.but(what).json(&body).refused(422, "invalid_input").field(field))
        .collect()
}
