//! A subject's own records, read with its subject token (`/v1/sites/{site}/subjects/…`) or
//! on the hosted privacy-settings page with its session cookie (`/sites/{site}/privacy/…`):
//! every bad id and every credential of someone else refused, nothing written.

use super::{Case, Ids, body_cases, fixture, run};
use crate::helpers::Backend;
use crate::on_both_backends;
use reqwest::Method;
use serde_json::json;

on_both_backends!(a_subjects_records_refuse_every_bad_input_and_writes_nothing);

async fn a_subjects_records_refuse_every_bad_input_and_writes_nothing(backend: Backend) {
    let fx = fixture(backend).await;
    run(&fx, cases(&fx.ids)).await;
}

/// The operations under a subject, as `(method, path)`.
const SUBJECT_OPS: [(&str, &str); 7] = [
    ("get", "/v1/sites/{site}/subjects/{subject}/consents"),
    ("get", "/v1/sites/{site}/subjects/{subject}/consents/{event}/receipt"),
    ("get", "/v1/sites/{site}/subjects/{subject}/consents/{event}/kantara"),
    ("get", "/v1/sites/{site}/subjects/{subject}/current"),
    ("get", "/v1/sites/{site}/subjects/{subject}/export"),
    ("post", "/v1/sites/{site}/subjects/{subject}/erasure"),
    ("post", "/v1/sites/{site}/subjects/{subject}/settings-link"),
];

const PAGE_OPS: [(&str, &str); 6] = [
    ("get", "/sites/{site}/privacy/subjects/{subject}/consents"),
    (
        "get",
        "/sites/{site}/privacy/subjects/{subject}/consents/{event}/receipt",
    ),
    (
        "get",
        "/sites/{site}/privacy/subjects/{subject}/consents/{event}/kantara",
    ),
    ("get", "/sites/{site}/privacy/subjects/{subject}/current"),
    ("get", "/sites/{site}/privacy/subjects/{subject}/export"),
    ("post", "/sites/{site}/privacy/subjects/{subject}/erasure"),
];

/// A subject id refused as such, whoever asks: percent-encoded for the path.
const BAD_SUBJECTS: [(&str, &str); 5] = [
    ("a subject id that is not a UUID", "not-a-uuid"),
    ("an SQL-shaped subject id", "1'%20OR%20'1'%3D'1"),
    ("a script-shaped subject id", "%3Cscript%3Ealert(1)%3C%2Fscript%3E"),
    (
        "a subject id with a right-to-left override",
        "%E2%80%AE0000000-0000-4000-8000-000000000000",
    ),
    (
        "a subject id with a zero-width space",
        "00000000-0000-4000-8000-000000000000%E2%80%8B",
    ),
];

pub fn cases(ids: &Ids) -> Vec<Case> {
    let mut cases = Vec::new();
    for (method, path) in SUBJECT_OPS {
        let op = Case::new(ids, method, path, "").bearer(&ids.token);
        let other_method = if method == "get" { Method::PUT } else { Method::GET };
        cases.extend([
            op.but("no subject token")
                .header("authorization", "")
                .refused(401, "unauthorized"),
            op.but("a forged subject token")
                .bearer(&format!("{}x", ids.token))
                .refused(401, "unauthorized"),
            op.but("an admin token").bearer(&ids.admin).refused(401, "unauthorized"),
            op.but("a site secret").bearer(&ids.secret).refused(401, "unauthorized"),
            op.but("another subject's token")
                .bearer(&ids.other_token)
                .refused(403, "forbidden"),
            op.but("the token of a subject of another site")
                .bearer(&ids.foreign_token)
                .refused(403, "forbidden"),
            op.but("another site's subject, with its own token")
                .at("subject", ids.foreign_subject.clone())
                .bearer(&ids.foreign_token)
                .refused(403, "forbidden"),
            op.but("a subject unknown to the site, with a genuine token")
                .at("subject", ids.unknown_subject.clone())
                .bearer(&ids.unknown_token)
                .refused(404, "subject_not_found"),
            op.but("an erased subject, with the token it had")
                .at("subject", ids.erased_subject.clone())
                .bearer(&ids.erased_token)
                .refused(410, "subject_erased"),
            op.but("an unknown site")
                .at("site", "nope")
                .refused(404, "site_not_found"),
            op.but("a site id with a zero-width space")
                .at("site", "demo%E2%80%8B")
                .refused(404, "site_not_found"),
            op.but("the wrong method")
                .send_as(other_method)
                .refused(405, "method_not_allowed"),
        ]);
        for (what, id) in BAD_SUBJECTS {
            cases.push(
                op.but(what)
                    .at("subject", id)
                    .refused(422, "invalid_input")
                    .field("subject_id"),
            );
        }
    }
    let kantara = Case::new(ids, "get", SUBJECT_OPS[2].1, "").bearer(&ids.token);
    let export = Case::new(ids, "get", SUBJECT_OPS[4].1, "").bearer(&ids.token);
    cases.extend([
        kantara
            .but("an event id that is not a UUID")
            .at("event", "nope")
            .refused(404, "event_not_found"),
        kantara
            .but("an SQL-shaped event id")
            .at("event", "1'%20OR%20'1'%3D'1")
            .refused(404, "event_not_found"),
        kantara
            .but("an unknown event")
            .at("event", uuid::Uuid::new_v4().to_string())
            .refused(404, "event_not_found"),
        kantara
            .but("an event id with a NUL character")
            .at("event", format!("{}%00", ids.event))
            .refused(404, "event_not_found"),
        kantara
            .but("another subject's event")
            .bearer(&ids.other_token)
            .at("subject", ids.other_subject.clone())
            .refused(404, "event_not_found"),
        export
            .but("an unknown format")
            .query("format=xml")
            .refused(422, "invalid_input")
            .field("format"),
        export
            .but("a script-shaped format")
            .query("format=%3Cscript%3E")
            .refused(422, "invalid_input")
            .field("format"),
        export
            .but("format given twice")
            .query("format=json&format=csv")
            .refused(422, "invalid_input")
            .field("format"),
    ]);
    cases.extend(settings_page(ids));
    cases
}

fn settings_page(ids: &Ids) -> Vec<Case> {
    let mut cases = Vec::new();
    for (method, path) in PAGE_OPS {
        let op = Case::new(ids, method, path, "")
            .header("cookie", ids.settings_cookie.clone())
            .header("x-csrf-token", ids.settings_csrf.clone());
        cases.extend([
            op.but("no session cookie")
                .header("cookie", "")
                .refused(401, "unauthorized"),
            op.but("a forged session cookie")
                .header("cookie", format!("{}x", ids.settings_cookie))
                .refused(401, "unauthorized"),
            op.but("a subject token in place of the session cookie")
                .header("cookie", format!("assent_settings={}", ids.token))
                .refused(401, "unauthorized"),
            op.but("another subject's records with this session")
                .at("subject", ids.other_subject.clone())
                .refused(403, "forbidden"),
            op.but("the session of a subject of another site")
                .header("cookie", ids.foreign_settings_cookie.clone())
                .header("x-csrf-token", ids.foreign_settings_csrf.clone())
                .refused(403, "forbidden"),
            op.but("an unknown site")
                .at("site", "nope")
                .refused(404, "site_not_found"),
            op.but("a subject id that is not a UUID")
                .at("subject", "nope")
                .refused(422, "invalid_input")
                .field("subject_id"),
            op.but("a subject id with a right-to-left override")
                .at("subject", BAD_SUBJECTS[3].1)
                .refused(422, "invalid_input")
                .field("subject_id"),
        ]);
    }
    let erasure = Case::new(ids, "post", PAGE_OPS[5].1, "").header("cookie", ids.settings_cookie.clone());
    cases.extend([
        erasure
            .but("a write without the session's CSRF token")
            .refused(403, "csrf_failed"),
        erasure
            .but("a write with another session's CSRF token")
            .header("x-csrf-token", ids.foreign_settings_csrf.clone())
            .refused(403, "csrf_failed"),
        Case::new(ids, "get", PAGE_OPS[4].1, "an unknown format")
            .header("cookie", ids.settings_cookie.clone())
            .query("format=pdf")
            .refused(422, "invalid_input")
            .field("format"),
    ]);

    let consent = Case::new(ids, "post", "/sites/{site}/privacy/consents", "")
        .header("cookie", ids.settings_cookie.clone())
        .header("x-csrf-token", ids.settings_csrf.clone());
    let mut valid = ids.consent();
    valid["subject_id"] = json!(ids.subject);
    valid["source"] = json!("settings_page");
    cases.extend(body_cases(&consent, &valid, "decisions", json!(["analytics"]), true));
    let mut without_subject = valid.clone();
    without_subject.as_object_mut().expect("object").remove("subject_id");
    let mut someone_else = valid.clone();
    someone_else["subject_id"] = json!(ids.other_subject);
    let mut far_future = valid.clone();
    far_future["client_time"] = json!("9999-12-31T23:59:59Z");
    let mut unknown_purpose = valid.clone();
    unknown_purpose["decisions"] = json!({ "nope": "granted" });
    cases.extend([
        consent
            .but("no subject id")
            .json(&without_subject)
            .refused(422, "invalid_input")
            .field("subject_id"),
        consent
            .but("another subject's id")
            .json(&someone_else)
            .refused(403, "forbidden"),
        consent
            .but("no session cookie")
            .header("cookie", "")
            .json(&valid)
            .refused(401, "unauthorized"),
        consent
            .but("no CSRF token")
            .header("x-csrf-token", "")
            .json(&valid)
            .refused(403, "csrf_failed"),
        consent
            .but("a client time far in the future")
            .json(&far_future)
            .refused(422, "invalid_input")
            .field("client_time"),
        consent
            .but("an unknown purpose")
            .json(&unknown_purpose)
            .refused(422, "invalid_input")
            .field("decisions.nope"),
        consent
            .but("an unknown site")
            .at("site", "nope")
            .json(&valid)
            .refused(404, "site_not_found"),
    ]);

    let session = Case::new(ids, "get", "/sites/{site}/privacy/session", "");
    let open = Case::new(ids, "post", "/sites/{site}/privacy/session", "");
    let code = json!({ "code": "never-issued" });
    cases.extend(body_cases(&open, &code, "code", json!(1), true));
    cases.extend([
        session.but("no session cookie").refused(401, "unauthorized"),
        session
            .but("a forged session cookie")
            .header("cookie", format!("{}x", ids.settings_cookie))
            .refused(401, "unauthorized"),
        session
            .but("the session of another site")
            .header("cookie", ids.foreign_settings_cookie.clone())
            .refused(401, "unauthorized"),
        session
            .but("an unknown site")
            .at("site", "nope")
            .refused(404, "site_not_found"),
        open.but("a code never issued")
            .json(&code)
            .refused(404, "settings_code_not_found"),
        open.but("an SQL-shaped code")
            .json(&json!({ "code": "' OR '1'='1" }))
            .refused(404, "settings_code_not_found"),
        open.but("a code with a NUL character")
            .json(&json!({ "code": "abc\u{0}" }))
            .refused(422, "invalid_input")
            .field("code"),
        open.but("an overlong code")
            .json(&json!({ "code": "c".repeat(100_000) }))
            .refused(422, "invalid_input")
            .field("code"),
        open.but("an unknown site")
            .at("site", "nope")
            .json(&code)
            .refused(404, "site_not_found"),
        open.but("the wrong method")
            .send_as(Method::DELETE)
            .json(&code)
            .refused(405, "method_not_allowed"),
    ]);
    cases
}
