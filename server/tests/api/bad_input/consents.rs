//! `POST /v1/sites/{site}/consents`: every way a recorded decision can be malformed,
//! unknown, implausible or someone else's (run by [`super::public`]'s test).

use super::fixture::NEWER_PURPOSE;
use super::{Case, Ids, ODD_IDS, body_cases, with};
use reqwest::Method;
use serde_json::{Value, json};

pub fn cases(ids: &Ids) -> Vec<Case> {
    consents(ids)
}

fn consents(ids: &Ids) -> Vec<Case> {
    let base = Case::new(ids, "post", "/v1/sites/{site}/consents", "");
    let valid = ids.consent();
    let bad = |what: &str, key: &str, value: Value| {
        base.but(what)
            .json(&with(&valid, key, value))
            .refused(422, "invalid_input")
            .field(key)
    };
    let decision = |what: &str, purpose: &str| {
        base.but(what)
            .json(&with(&valid, "decisions", json!({ purpose: "granted" })))
            .refused(422, "invalid_input")
            .field(format!("decisions.{purpose}"))
    };
    let mut cases = body_cases(&base, &valid, "notice_version", json!("1"), true);
    for (what, id) in ODD_IDS {
        cases.push(
            base.but(what)
                .at("site", id)
                .json(&valid)
                .refused(404, "site_not_found"),
        );
    }
    cases.extend([
        base.but("an unknown site")
            .at("site", "nope")
            .json(&valid)
            .refused(404, "site_not_found"),
        base.but("a body that is an empty array")
            .json(&json!([]))
            .refused(422, "invalid_input")
            .field("body"),
        base.but("a body that is a string")
            .json(&json!("x"))
            .refused(422, "invalid_input")
            .field("body"),
        base.but("a number out of range")
            .raw(
                Some("application/json"),
                serde_json::to_string(&valid)
                    .expect("JSON")
                    .replace("\"notice_version\":1", "\"notice_version\":1e400"),
            )
            .refused(400, "malformed_body"),
        decision("an unknown purpose", "nope"),
        decision("a purpose of version 2 answered on version 1", NEWER_PURPOSE),
        decision("a purpose key with a right-to-left override", "analy\u{202e}tics"),
        decision("a purpose key with a zero-width space", "analytics\u{200b}"),
        decision("an SQL-shaped purpose key", "analytics' OR '1'='1"),
        decision("a script-shaped purpose key", "<script>alert(1)</script>"),
        base.but("a decision that is neither granted nor denied")
            .json(&with(&valid, "decisions", json!({ "analytics": "yes" })))
            .refused(422, "invalid_input")
            .field("decisions.analytics"),
        base.but("a decision that is a boolean")
            .json(&with(&valid, "decisions", json!({ "analytics": true })))
            .refused(422, "invalid_input")
            .field("decisions.analytics"),
        bad("a method that is a number", "method", json!(1)),
        bad("a source that is null", "source", Value::Null),
        bad("a signal source that is an object", "signal_source", json!({})),
        base.but("a purpose decided twice in one body")
            .raw(
                Some("application/json"),
                serde_json::to_string(&valid).expect("JSON").replace(
                    "\"analytics\":\"granted\"",
                    "\"analytics\":\"granted\",\"analytics\":\"denied\"",
                ),
            )
            .refused(422, "invalid_input")
            .field("decisions.analytics"),
        bad("no decision at all", "decisions", json!({})),
        bad("decisions as null", "decisions", Value::Null),
        base.but("decisions that contradict the method")
            .json(&with(
                &with(&valid, "method", json!("reject_all")),
                "decisions",
                json!({ "analytics": "granted" }),
            ))
            .refused(422, "invalid_input")
            .field("decisions.analytics"),
        bad("a notice version never published", "notice_version", json!(99)),
        bad("notice version 0", "notice_version", json!(0)),
        bad("a negative notice version", "notice_version", json!(-1)),
        bad("a fractional notice version", "notice_version", json!(1.5)),
        base.but("the hash of another notice")
            .json(&with(&valid, "notice_hash", json!("0".repeat(64))))
            .refused(422, "notice_mismatch"),
        base.but("an overlong notice hash")
            .json(&with(&valid, "notice_hash", json!("f".repeat(100_000))))
            .refused(422, "notice_mismatch"),
        bad("a language the notice lacks", "language", json!("xx")),
        bad("an overlong language", "language", json!("e".repeat(10_000))),
        bad("a language with a control character", "language", json!("en\u{0}")),
        bad("an event id that is not a UUID", "event_id", json!("not-a-uuid")),
        bad("an SQL-shaped event id", "event_id", json!("1' OR '1'='1")),
        bad(
            "an event id with a right-to-left override",
            "event_id",
            json!(format!("\u{202e}{}", &uuid::Uuid::new_v4().to_string()[1..])),
        ),
        bad(
            "an event id with a zero-width space",
            "event_id",
            json!(format!("{}\u{200b}", uuid::Uuid::new_v4())),
        ),
        bad("a subject id that is not a UUID", "subject_id", json!("subject")),
        bad("an unknown method", "method", json!("<script>alert(1)</script>")),
        bad("an unknown source", "source", json!("elsewhere")),
        bad("gpc as a string", "gpc", json!("true")),
        bad("gpc without its signal source", "gpc", json!(true)).field("signal_source"),
        bad("an unknown signal source", "signal_source", json!("telepathy")),
        bad(
            "a client time far in the past",
            "client_time",
            json!("0001-01-01T00:00:00Z"),
        ),
        bad(
            "a client time before 1970",
            "client_time",
            json!("1969-12-31T23:59:59Z"),
        ),
        bad(
            "a client time far in the future",
            "client_time",
            json!("9999-12-31T23:59:59Z"),
        ),
        bad("a client time that is not RFC 3339", "client_time", json!("yesterday")),
        bad(
            "a client time with a control character",
            "client_time",
            json!("2026-11-26T10:00:00\u{7}Z"),
        ),
        bad(
            "an overlong client time",
            "client_time",
            json!(format!("2026-11-26T10:00:00.{}Z", "1".repeat(10_000))),
        ),
        bad("a client time as a number", "client_time", json!(1_764_151_200)),
        bad(
            "a banner build with a control character",
            "banner_build",
            json!("build\u{0}1"),
        ),
        bad(
            "a banner build with a right-to-left override",
            "banner_build",
            json!("build\u{202e}1"),
        ),
        bad(
            "a banner build with a zero-width space",
            "banner_build",
            json!("build\u{200b}1"),
        ),
        bad(
            "a script-shaped banner build",
            "banner_build",
            json!("<script>alert(1)</script>"),
        ),
        bad("an overlong banner build", "banner_build", json!("b".repeat(129))),
        base.but("a subject id without its token")
            .json(&with(&valid, "subject_id", json!(ids.subject)))
            .refused(401, "unauthorized"),
        base.but("a subject id with another subject's token")
            .json(&with(&valid, "subject_id", json!(ids.subject)))
            .bearer(&ids.other_token)
            .refused(403, "forbidden"),
        base.but("a subject id with the token of a subject of another site")
            .json(&with(&valid, "subject_id", json!(ids.subject)))
            .bearer(&ids.foreign_token)
            .refused(403, "forbidden"),
        base.but("another site's subject, with its own token")
            .json(&with(&valid, "subject_id", json!(ids.foreign_subject)))
            .bearer(&ids.foreign_token)
            .refused(403, "forbidden"),
        base.but("a forged subject token")
            .json(&with(&valid, "subject_id", json!(ids.subject)))
            .bearer(&format!("{}x", ids.token))
            .refused(401, "unauthorized"),
        base.but("an admin token as the subject token")
            .json(&with(&valid, "subject_id", json!(ids.subject)))
            .bearer(&ids.admin)
            .refused(401, "unauthorized"),
        base.but("an erased subject, with the token it had")
            .json(&with(&valid, "subject_id", json!(ids.erased_subject)))
            .bearer(&ids.erased_token)
            .refused(410, "subject_erased"),
        base.but("a browser request from a page of another origin")
            .json(&valid)
            .header("origin", "https://evil.example")
            .refused(403, "origin_not_allowed"),
        base.but("the wrong method")
            .send_as(Method::PUT)
            .json(&valid)
            .refused(405, "method_not_allowed"),
    ]);
    cases
}
