//! Admin: a site's webhook endpoints, their secrets and delivery logs.

use super::admin::{Needs, guards};
use super::{Case, Ids, body_cases, with};
use reqwest::Method;
use serde_json::{Value, json};

pub fn cases(ids: &Ids) -> Vec<Case> {
    webhooks(ids)
}

fn webhooks(ids: &Ids) -> Vec<Case> {
    let mut cases = Vec::new();
    let unknown = uuid::Uuid::new_v4().to_string();
    let (list, g) = guards(
        ids,
        "get",
        "/v1/admin/sites/{site}/webhooks",
        Needs::Site { write: false },
    );
    cases.extend(g);
    cases.push(
        list.but("DELETE on the list")
            .send_as(Method::DELETE)
            .refused(405, "method_not_allowed"),
    );
    let (create, g) = guards(
        ids,
        "post",
        "/v1/admin/sites/{site}/webhooks",
        Needs::Site { write: true },
    );
    let valid = json!({ "url": "http://127.0.0.1:9/other", "events": ["consent.recorded"] });
    cases.extend(g);
    cases.extend(body_cases(&create, &valid, "url", json!(9), true));
    let bad = |what: &str, key: &str, value: Value, field: &str| {
        create
            .but(what)
            .json(&with(&valid, key, value))
            .refused(422, "invalid_input")
            .field(field)
    };
    cases.extend([
        bad("an ftp URL", "url", json!("ftp://127.0.0.1/x"), "url"),
        bad("a javascript: URL", "url", json!("javascript:alert(1)"), "url"),
        bad(
            "a URL with a control character",
            "url",
            json!("http://127.0.0.1:9/\u{0}"),
            "url",
        ),
        bad(
            "an overlong URL",
            "url",
            json!(format!("http://127.0.0.1:9/{}", "a".repeat(5000))),
            "url",
        ),
        bad("no event type", "events", json!([]), "events"),
        bad(
            "an unknown event type",
            "events",
            json!(["consent.deleted"]),
            "events[0]",
        ),
    ]);
    let (patch, g) = guards(
        ids,
        "patch",
        "/v1/admin/sites/{site}/webhooks/{id}",
        Needs::Site { write: true },
    );
    cases.extend(g);
    cases.extend(body_cases(
        &patch,
        &json!({ "enabled": false }),
        "enabled",
        json!("off"),
        false,
    ));
    cases.extend([
        patch
            .but("an unknown endpoint")
            .at("id", unknown.clone())
            .json(&json!({ "enabled": false }))
            .refused(404, "webhook_not_found"),
        patch
            .but("an SQL-shaped endpoint id")
            .at("id", "1'%20OR%20'1'%3D'1")
            .json(&json!({ "enabled": false }))
            .refused(404, "webhook_not_found"),
        patch
            .but("a javascript: URL")
            .json(&json!({ "url": "javascript:alert(1)" }))
            .refused(422, "invalid_input")
            .field("url"),
        patch
            .but("an endpoint of another site")
            .at("site", "other")
            .bearer(&ids.admin)
            .json(&json!({ "enabled": false }))
            .refused(404, "webhook_not_found"),
    ]);
    let (delete, g) = guards(
        ids,
        "delete",
        "/v1/admin/sites/{site}/webhooks/{id}",
        Needs::Site { write: true },
    );
    cases.extend(g);
    cases.extend([
        delete
            .but("an unknown endpoint")
            .at("id", unknown.clone())
            .refused(404, "webhook_not_found"),
        delete
            .but("an endpoint id with a zero-width space")
            .at("id", format!("{}%E2%80%8B", ids.webhook))
            .refused(404, "webhook_not_found"),
        delete
            .but("an endpoint id with a NUL character")
            .at("id", format!("{}%00", ids.webhook))
            .refused(404, "webhook_not_found"),
        delete
            .but("an endpoint of another site")
            .at("site", "other")
            .refused(404, "webhook_not_found"),
    ]);
    let (rotate, g) = guards(
        ids,
        "post",
        "/v1/admin/sites/{site}/webhooks/{id}/rotate-secret",
        Needs::Site { write: true },
    );
    cases.extend(g);
    cases.extend(body_cases(
        &rotate,
        &json!({ "overlap_hours": 1 }),
        "overlap_hours",
        json!("1"),
        false,
    ));
    cases.extend([
        rotate
            .but("an overlap past a week")
            .json(&json!({ "overlap_hours": 1000 }))
            .refused(422, "invalid_input")
            .field("overlap_hours"),
        rotate
            .but("a negative overlap")
            .json(&json!({ "overlap_hours": -1 }))
            .refused(422, "invalid_input")
            .field("overlap_hours"),
        rotate
            .but("an unknown endpoint")
            .at("id", unknown.clone())
            .json(&json!({}))
            .refused(404, "webhook_not_found"),
    ]);
    let (deliveries, g) = guards(
        ids,
        "get",
        "/v1/admin/sites/{site}/webhooks/{id}/deliveries",
        Needs::Site { write: false },
    );
    cases.extend(g);
    cases.extend([
        deliveries
            .but("limit 0")
            .query("limit=0")
            .refused(422, "invalid_input")
            .field("limit"),
        deliveries
            .but("a limit over 500")
            .query("limit=501")
            .refused(422, "invalid_input")
            .field("limit"),
        deliveries
            .but("a limit that is not a number")
            .query("limit=ten")
            .refused(422, "invalid_input")
            .field("limit"),
        deliveries
            .but("a cursor past any id (schemathesis found a 500)")
            .query("before=9223372036854775808")
            .refused(422, "invalid_input")
            .field("before"),
        deliveries
            .but("a negative cursor")
            .query("before=-1")
            .refused(422, "invalid_input")
            .field("before"),
        deliveries
            .but("an unknown parameter")
            .query("since=yesterday")
            .refused(422, "invalid_input")
            .field("since"),
        deliveries
            .but("an unknown endpoint")
            .at("id", unknown)
            .refused(404, "webhook_not_found"),
    ]);
    cases
}
