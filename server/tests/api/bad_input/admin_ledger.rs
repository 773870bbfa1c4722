//! Admin: subject and account lookup, statistics, verification, exports and checkpoints.

use super::admin::{Needs, guards};
use super::{Case, Ids, ODD_IDS};
use reqwest::Method;

pub fn cases(ids: &Ids) -> Vec<Case> {
    ledger(ids)
}

fn ledger(ids: &Ids) -> Vec<Case> {
    let mut cases = Vec::new();
    let (subject, g) = guards(
        ids,
        "get",
        "/v1/admin/sites/{site}/subjects/{subject}",
        Needs::Site { write: false },
    );
    cases.extend(g);
    for (what, id) in [
        ("a subject id that is not a UUID", "nope"),
        ("an SQL-shaped subject id", "1'%20OR%20'1'%3D'1"),
        (
            "a subject id with a right-to-left override",
            "%E2%80%AE0000000-0000-4000-8000-000000000000",
        ),
        (
            "a subject id with a zero-width space",
            "00000000-0000-4000-8000-000000000000%E2%80%8B",
        ),
    ] {
        cases.push(
            subject
                .but(what)
                .at("subject", id)
                .refused(422, "invalid_input")
                .field("subject_id"),
        );
    }
    cases.extend([
        subject
            .but("an unknown subject")
            .at("subject", uuid::Uuid::new_v4().to_string())
            .refused(404, "subject_not_found"),
        subject
            .but("a subject of another site")
            .at("subject", ids.foreign_subject.clone())
            .refused(404, "subject_not_found"),
    ]);
    cases.extend(subject_requests(ids));
    let (account, g) = guards(
        ids,
        "get",
        "/v1/admin/sites/{site}/accounts/{account}",
        Needs::Site { write: false },
    );
    cases.extend(g);
    for (what, id) in [
        ("an account id with a space", "acct%2042".to_owned()),
        (
            "an account id with a right-to-left override",
            "acct%E2%80%AE42".to_owned(),
        ),
        ("an account id with a zero-width space", "acct%E2%80%8B42".to_owned()),
        ("an account id with a control character", "acct%0042".to_owned()),
        ("an overlong account id", "a".repeat(129)),
    ] {
        cases.push(
            account
                .but(what)
                .at("account", id)
                .refused(422, "invalid_input")
                .field("account_id"),
        );
    }
    cases.push(
        account
            .but("an unknown account")
            .at("account", "nobody")
            .refused(404, "account_not_found"),
    );

    let (stats, g) = guards(ids, "get", "/v1/admin/sites/{site}/stats", Needs::Site { write: false });
    cases.extend(g);
    cases.extend([
        stats
            .but("a date that is not a date")
            .query("from=yesterday")
            .refused(422, "invalid_input")
            .field("from"),
        stats
            .but("a date far in the past")
            .query("from=0001-01-01")
            .refused(422, "invalid_input")
            .field("from"),
        stats
            .but("a date far in the future")
            .query("to=9999-12-31")
            .refused(422, "invalid_input")
            .field("to"),
        stats
            .but("an unknown regime")
            .query("regime=maybe")
            .refused(422, "invalid_input")
            .field("regime"),
        stats
            .but("a purpose key with a zero-width space")
            .query("purpose=analytics%E2%80%8B")
            .refused(422, "invalid_input")
            .field("purpose"),
        stats
            .but("an unknown parameter")
            .query("site=other")
            .refused(422, "invalid_input")
            .field("site"),
    ]);
    let (verify, g) = guards(
        ids,
        "get",
        "/v1/admin/sites/{site}/verify",
        Needs::Site { write: false },
    );
    cases.extend(g);
    cases.push(
        verify
            .but("POST instead of GET")
            .send_as(Method::POST)
            .refused(405, "method_not_allowed"),
    );
    let (export, g) = guards(
        ids,
        "get",
        "/v1/admin/sites/{site}/export",
        Needs::Site { write: false },
    );
    cases.extend(g);
    cases.extend([
        export
            .but("an unknown format")
            .query("format=xml")
            .refused(422, "invalid_input")
            .field("format"),
        export
            .but("a date that is not a date")
            .query("from=%3Cscript%3E")
            .refused(422, "invalid_input")
            .field("from"),
        export
            .but("a date far in the future")
            .query("to=99999-01-01")
            .refused(422, "invalid_input")
            .field("to"),
        export
            .but("a purpose key with a right-to-left override")
            .query("purpose=ana%E2%80%AElytics")
            .refused(422, "invalid_input")
            .field("purpose"),
        export
            .but("an unknown parameter")
            .query("since=2026-01-01")
            .refused(422, "invalid_input")
            .field("since"),
    ]);
    let (checkpoint, g) = guards(
        ids,
        "post",
        "/v1/admin/sites/{site}/checkpoints",
        Needs::Site { write: true },
    );
    cases.extend(g);
    cases.push(
        checkpoint
            .but("DELETE on the checkpoints")
            .send_as(Method::DELETE)
            .refused(405, "method_not_allowed"),
    );
    for (what, id) in ODD_IDS.iter().take(2) {
        cases.push(
            checkpoint
                .but(format!("{what}, asked by a viewer of another site"))
                .at("site", *id)
                .bearer(&ids.other_viewer)
                .refused(403, "forbidden"),
        );
    }
    cases
}

/// A subject's export, receipts and erasure, as the site owner asks for them.
fn subject_requests(ids: &Ids) -> Vec<Case> {
    let mut cases = Vec::new();
    for (method, template, write) in [
        ("get", "/v1/admin/sites/{site}/subjects/{subject}/export", false),
        (
            "get",
            "/v1/admin/sites/{site}/subjects/{subject}/consents/{event}/receipt",
            false,
        ),
        ("post", "/v1/admin/sites/{site}/subjects/{subject}/erasure", true),
    ] {
        let (op, g) = guards(ids, method, template, Needs::Site { write });
        cases.extend(g);
        for (what, id) in [
            ("a subject id that is not a UUID", "nope"),
            (
                "a subject id with a right-to-left override",
                "%E2%80%AE0000000-0000-4000-8000-000000000000",
            ),
        ] {
            cases.push(
                op.but(what)
                    .at("subject", id)
                    .refused(422, "invalid_input")
                    .field("subject_id"),
            );
        }
        let unknown = if template.ends_with("/receipt") {
            "event_not_found"
        } else {
            "subject_not_found"
        };
        cases.extend([
            op.but("an unknown subject")
                .at("subject", uuid::Uuid::new_v4().to_string())
                .refused(404, unknown),
            op.but("a subject of another site")
                .at("subject", ids.foreign_subject.clone())
                .refused(404, unknown),
        ]);
    }
    let (export, _) = guards(
        ids,
        "get",
        "/v1/admin/sites/{site}/subjects/{subject}/export",
        Needs::Site { write: false },
    );
    let (receipt, _) = guards(
        ids,
        "get",
        "/v1/admin/sites/{site}/subjects/{subject}/consents/{event}/receipt",
        Needs::Site { write: false },
    );
    let (erasure, _) = guards(
        ids,
        "post",
        "/v1/admin/sites/{site}/subjects/{subject}/erasure",
        Needs::Site { write: true },
    );
    cases.extend([
        export
            .but("an unknown format")
            .query("format=xml")
            .refused(422, "invalid_input")
            .field("format"),
        export
            .but("an unknown parameter")
            .query("since=2026-01-01")
            .refused(422, "invalid_input")
            .field("since"),
        receipt
            .but("an event of no chain")
            .at("event", uuid::Uuid::new_v4().to_string())
            .refused(404, "event_not_found"),
        erasure
            .but("GET instead of POST")
            .send_as(Method::GET)
            .refused(405, "method_not_allowed"),
    ]);
    cases
}
