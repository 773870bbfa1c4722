//! A device's sync, and the site backend's identity links and account assertions (run by
//! [`super::public`]'s test).

use super::{Case, Ids, body_cases, with};
use crate::identity_kit::ACCOUNT;
use serde_json::{Value, json};

pub fn cases(ids: &Ids) -> Vec<Case> {
    sync_and_identity(ids)
}

fn sync_and_identity(ids: &Ids) -> Vec<Case> {
    let sync = Case::new(ids, "post", "/v1/sites/{site}/sync", "");
    let valid_sync = json!({
        "event_id": uuid::Uuid::new_v4().to_string(),
        "assertion": ids.assertion,
        "notice_version": 1,
        "notice_hash": ids.notice_hash,
        "language": "en",
        "client_time": "2026-11-26T10:00:00.000Z",
    });
    let sync_bad = |what: &str, key: &str, value: Value| {
        sync.but(what)
            .json(&with(&valid_sync, key, value))
            .refused(422, "invalid_input")
            .field(key)
    };
    let assertion_refused = |what: &str, assertion: &str| {
        sync.but(what)
            .json(&with(&valid_sync, "assertion", json!(assertion)))
            .refused(403, "credential_refused")
            .field("assertion")
    };
    let mut cases = body_cases(&sync, &valid_sync, "event_id", json!(7), true);
    cases.extend([
        sync.but("an unknown site")
            .at("site", "nope")
            .json(&valid_sync)
            .refused(404, "site_not_found"),
        assertion_refused("an assertion of another site", &ids.other_site_assertion),
        assertion_refused("an expired assertion", &ids.expired_assertion),
        assertion_refused("a subject token as the assertion", &ids.token),
        assertion_refused("an overlong assertion", &"a".repeat(100_000)),
        sync_bad("a notice version never published", "notice_version", json!(99)),
        sync_bad(
            "a client time far in the past",
            "client_time",
            json!("0001-01-01T00:00:00Z"),
        ),
        sync_bad(
            "a client time far in the future",
            "client_time",
            json!("9999-12-31T23:59:59Z"),
        ),
        sync_bad("a subject id that is not a UUID", "subject_id", json!("1' OR '1'='1")),
        sync.but("a subject id with another subject's token")
            .json(&with(&valid_sync, "subject_id", json!(ids.subject)))
            .bearer(&ids.other_token)
            .refused(403, "forbidden"),
        sync.but("the hash of another notice")
            .json(&with(&valid_sync, "notice_hash", json!("0".repeat(64))))
            .refused(422, "notice_mismatch"),
    ]);

    let links = Case::new(ids, "post", "/v1/sites/{site}/identity-links", "").bearer(&ids.secret);
    let valid_link =
        json!({ "account_id": "acct-7", "subject_id": ids.other_subject, "subject_token": ids.other_token });
    let link_bad = |what: &str, key: &str, value: Value| {
        links
            .but(what)
            .json(&with(&valid_link, key, value))
            .refused(422, "invalid_input")
            .field(key)
    };
    cases.extend(body_cases(&links, &valid_link, "account_id", json!(42), true));
    cases.extend([
        links
            .but("no site secret")
            .header("authorization", "")
            .json(&valid_link)
            .refused(401, "unauthorized"),
        links
            .but("another site's secret")
            .bearer(&ids.other_secret)
            .json(&valid_link)
            .refused(401, "unauthorized"),
        links
            .but("a subject token as the secret")
            .bearer(&ids.token)
            .json(&valid_link)
            .refused(401, "unauthorized"),
        links
            .but("an unknown site")
            .at("site", "nope")
            .json(&valid_link)
            .refused(404, "site_not_found"),
        link_bad("an account id with a space", "account_id", json!("acct 7")),
        link_bad(
            "an account id with a right-to-left override",
            "account_id",
            json!("acct\u{202e}7"),
        ),
        link_bad(
            "an account id with a zero-width space",
            "account_id",
            json!("acct\u{200b}7"),
        ),
        link_bad("an overlong account id", "account_id", json!("a".repeat(129))),
        link_bad("an SQL-shaped subject id", "subject_id", json!("' OR 1=1 --")),
        links
            .but("another subject's token")
            .json(&with(&valid_link, "subject_token", json!(ids.token)))
            .refused(403, "credential_refused")
            .field("subject_token"),
        links
            .but("a subject of another site, with its token")
            .json(&with(
                &with(&valid_link, "subject_id", json!(ids.foreign_subject)),
                "subject_token",
                json!(ids.foreign_token),
            ))
            .refused(403, "credential_refused")
            .field("subject_token"),
        links
            .but("an erased subject, with the token it had")
            .json(&with(
                &with(&valid_link, "subject_id", json!(ids.erased_subject)),
                "subject_token",
                json!(ids.erased_token),
            ))
            .refused(410, "subject_erased"),
    ]);

    let unlink = Case::new(ids, "delete", "/v1/sites/{site}/identity-links/{subject}", "").bearer(&ids.secret);
    cases.extend([
        unlink
            .but("no site secret")
            .header("authorization", "")
            .refused(401, "unauthorized"),
        unlink
            .but("another site's secret")
            .bearer(&ids.other_secret)
            .refused(401, "unauthorized"),
        unlink
            .but("a subject id that is not a UUID")
            .at("subject", "nope")
            .refused(422, "invalid_input")
            .field("subject_id"),
        unlink
            .but("a subject id with a zero-width space")
            .at("subject", format!("{}%E2%80%8B", ids.subject))
            .refused(422, "invalid_input")
            .field("subject_id"),
        unlink
            .but("a subject of another site")
            .at("subject", ids.foreign_subject.clone())
            .refused(404, "link_not_found"),
    ]);

    let assertions = Case::new(ids, "post", "/v1/sites/{site}/account-assertions", "").bearer(&ids.secret);
    let valid_assertion = json!({ "account_id": ACCOUNT });
    cases.extend(body_cases(
        &assertions,
        &valid_assertion,
        "account_id",
        json!(["a"]),
        true,
    ));
    cases.extend([
        assertions
            .but("another site's secret")
            .bearer(&ids.other_secret)
            .json(&valid_assertion)
            .refused(401, "unauthorized"),
        assertions
            .but("an admin token as the secret")
            .bearer(&ids.admin)
            .json(&valid_assertion)
            .refused(401, "unauthorized"),
        assertions
            .but("a control character in the account id")
            .json(&json!({ "account_id": "acct\u{1}" }))
            .refused(422, "invalid_input")
            .field("account_id"),
        assertions
            .but("a script-shaped account id")
            .json(&json!({ "account_id": "<script>alert(1)</script> " }))
            .refused(422, "invalid_input")
            .field("account_id"),
    ]);
    cases
}
