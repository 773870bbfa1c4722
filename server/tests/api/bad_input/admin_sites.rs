//! Admin: sites, their origins, regimes, secrets, members and audit log.

use super::admin::{Needs, guards};
use super::{Case, Ids, body_cases, with};
use reqwest::Method;
use serde_json::{Value, json};

pub fn cases(ids: &Ids) -> Vec<Case> {
    sites(ids)
}

fn sites(ids: &Ids) -> Vec<Case> {
    let mut cases = Vec::new();
    let (list, g) = guards(ids, "get", "/v1/admin/sites", Needs::Anyone);
    cases.extend(g);
    cases.push(
        list.but("DELETE on the list")
            .send_as(Method::DELETE)
            .refused(405, "method_not_allowed"),
    );

    let (create, g) = guards(ids, "post", "/v1/admin/sites", Needs::Instance);
    let valid = json!({ "id": "newsite", "name": "New site", "origins": ["https://new.example"] });
    cases.extend(g);
    cases.extend(body_cases(&create, &valid, "id", json!(42), true));
    let bad = |what: &str, key: &str, value: Value, field: &str| {
        create
            .but(what)
            .json(&with(&valid, key, value))
            .refused(422, "invalid_input")
            .field(field)
    };
    for (what, id) in [
        ("a script-shaped site id", "<script>alert(1)</script>".to_owned()),
        ("an SQL-shaped site id", "x'; DROP TABLE sites; --".to_owned()),
        ("a site id with a right-to-left override", "new\u{202e}site".to_owned()),
        ("a site id with a zero-width space", "new\u{200b}site".to_owned()),
        ("a site id with a control character", "new\u{7}site".to_owned()),
        ("an upper-case site id", "NewSite".to_owned()),
        ("an overlong site id", "s".repeat(65)),
    ] {
        cases.push(bad(what, "id", json!(id), "id"));
    }
    cases.extend([
        create
            .but("a site id taken")
            .json(&with(&valid, "id", json!("demo")))
            .refused(409, "conflict"),
        bad("a name with a control character", "name", json!("New\u{0}site"), "name"),
        bad(
            "a name with a right-to-left override",
            "name",
            json!("Shop\u{202E}evil"),
            "name",
        ),
        bad("an overlong name", "name", json!("n".repeat(121)), "name"),
        bad("an empty name", "name", json!("   "), "name"),
        bad(
            "a javascript: origin",
            "origins",
            json!(["javascript:alert(1)"]),
            "origins[0]",
        ),
        bad(
            "an origin with a path",
            "origins",
            json!(["https://new.example/page"]),
            "origins[0]",
        ),
        bad(
            "an origin with a right-to-left override",
            "origins",
            json!(["https://new\u{202e}.example"]),
            "origins[0]",
        ),
        bad(
            "origins as a string",
            "origins",
            json!("https://new.example"),
            "origins",
        ),
        bad(
            "a region that is no region code",
            "regime_overrides",
            json!({ "U$": "opt_in" }),
            "regime_overrides.U$",
        ),
        bad(
            "an unknown regime",
            "regime_overrides",
            json!({ "US": "maybe" }),
            "regime_overrides.US",
        ),
        bad(
            "a javascript: policy URL",
            "policy_url",
            json!("javascript:alert(1)"),
            "policy_url",
        ),
    ]);

    let (get, g) = guards(ids, "get", "/v1/admin/sites/{site}", Needs::Site { write: false });
    cases.extend(g);
    cases.push(
        get.but("DELETE on a site")
            .send_as(Method::DELETE)
            .refused(405, "method_not_allowed"),
    );
    let (patch, g) = guards(ids, "patch", "/v1/admin/sites/{site}", Needs::Site { write: true });
    cases.extend(g);
    let rename = json!({ "name": "Renamed" });
    cases.extend(body_cases(&patch, &rename, "name", json!(["Renamed"]), false));
    let bad =
        |what: &str, body: Value, field: &str| patch.but(what).json(&body).refused(422, "invalid_input").field(field);
    cases.extend([
        bad("a name with a control character", json!({ "name": "a\u{7}" }), "name"),
        bad("an overlong name", json!({ "name": "n".repeat(121) }), "name"),
        bad(
            "an SQL-shaped origin",
            json!({ "origins": ["https://x.example'; --"] }),
            "origins[0]",
        ),
        bad(
            "a data: origin",
            json!({ "origins": ["data:text/html,hi"] }),
            "origins[0]",
        ),
        bad(
            "an unknown region",
            json!({ "regime_overrides": { "<script>": "opt_in" } }),
            "regime_overrides.<script>",
        ),
    ]);
    let (archive, g) = guards(
        ids,
        "post",
        "/v1/admin/sites/{site}/archive",
        Needs::Site { write: true },
    );
    cases.extend(g);
    cases.push(
        archive
            .but("the wrong method")
            .send_as(Method::DELETE)
            .refused(405, "method_not_allowed"),
    );
    let (secret, g) = guards(
        ids,
        "post",
        "/v1/admin/sites/{site}/secret",
        Needs::Site { write: true },
    );
    cases.extend(g);
    cases.extend(body_cases(
        &secret,
        &json!({ "overlap_hours": 1 }),
        "overlap_hours",
        json!("1"),
        false,
    ));
    cases.extend([
        secret
            .but("an overlap past 30 days")
            .json(&json!({ "overlap_hours": 721 }))
            .refused(422, "invalid_input")
            .field("overlap_hours"),
        secret
            .but("a negative overlap")
            .json(&json!({ "overlap_hours": -1 }))
            .refused(422, "invalid_input")
            .field("overlap_hours"),
    ]);

    let (members, g) = guards(
        ids,
        "get",
        "/v1/admin/sites/{site}/members",
        Needs::Site { write: false },
    );
    cases.extend(g);
    cases.push(
        members
            .but("DELETE on the members")
            .send_as(Method::DELETE)
            .refused(405, "method_not_allowed"),
    );
    let (grant, g) = guards(
        ids,
        "put",
        "/v1/admin/sites/{site}/members",
        Needs::Site { write: true },
    );
    let valid = json!({ "email": "viewer@example.com", "role": "viewer" });
    cases.extend(g);
    cases.extend(body_cases(&grant, &valid, "email", json!(1), true));
    cases.extend([
        grant
            .but("an unknown role")
            .json(&with(&valid, "role", json!("god")))
            .refused(422, "invalid_input")
            .field("role"),
        grant
            .but("an unknown account")
            .json(&with(&valid, "email", json!("nobody@example.com")))
            .refused(404, "user_not_found"),
        grant
            .but("an email with a right-to-left override")
            .json(&with(&valid, "email", json!("viewer@exam\u{202e}ple.com")))
            .refused(404, "user_not_found"),
        grant
            .but("an email with a NUL character")
            .json(&with(&valid, "email", json!("viewer\u{0}@example.com")))
            .refused(422, "invalid_input")
            .field("email"),
    ]);
    let (audit, g) = guards(ids, "get", "/v1/admin/sites/{site}/audit", Needs::Site { write: false });
    cases.extend(g);
    cases.extend([
        audit
            .but("a cursor past any seq (schemathesis found a 500)")
            .query("before=9223372036854775808")
            .refused(422, "invalid_input")
            .field("before"),
        audit
            .but("a cursor that is not a number")
            .query("before=abc")
            .refused(422, "invalid_input")
            .field("before"),
        audit
            .but("a date that is not a date")
            .query("from=yesterday")
            .refused(422, "invalid_input")
            .field("from"),
        audit
            .but("a date far in the future")
            .query("from=99999-01-01")
            .refused(422, "invalid_input")
            .field("from"),
        audit
            .but("limit given twice")
            .query("limit=1&limit=2")
            .refused(422, "invalid_input")
            .field("limit"),
    ]);
    cases
}
