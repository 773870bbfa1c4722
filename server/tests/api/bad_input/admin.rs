//! The admin API: one test runs the cases of every admin operation (this module's — signing
//! in, accounts and the audit log — and those of the `admin_*` modules). [`guards`] are the
//! credential and site cases every admin operation shares.

use super::{Case, Ids, ODD_IDS, body_cases, fixture, run, with};
use crate::helpers::Backend;
use crate::on_both_backends;
use reqwest::Method;
use serde_json::json;

on_both_backends!(the_admin_api_refuses_every_bad_input_and_writes_nothing);

async fn the_admin_api_refuses_every_bad_input_and_writes_nothing(backend: Backend) {
    let fx = fixture(backend).await;
    let ids = &fx.ids;
    let mut cases = cases(ids);
    cases.extend(super::admin_notices::cases(ids));
    cases.extend(super::admin_webhooks::cases(ids));
    cases.extend(super::admin_sites::cases(ids));
    cases.extend(super::admin_ledger::cases(ids));
    run(&fx, cases).await;
}

/// Who may call an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    /// Any signed-in caller.
    Anyone,
    /// An instance administrator.
    Instance,
    /// A role on the path's site (`write`: the owner role).
    Site { write: bool },
}

/// The operation `method path` as the administrator calls it, with the credential cases
/// it shares with every admin operation: none, forged, of another kind, ended; a session
/// cookie writing without its CSRF token; another site's token; a viewer writing; bad and
/// unknown site ids.
pub fn guards(ids: &Ids, method: &'static str, path: &'static str, needs: Needs) -> (Case, Vec<Case>) {
    let op = Case::new(ids, method, path, "").bearer(&ids.admin);
    let write = method != "get";
    let mut cases = vec![
        op.but("no credential")
            .header("authorization", "")
            .refused(401, "unauthorized"),
        op.but("a forged token")
            .bearer(&format!("{}x", ids.admin))
            .refused(401, "unauthorized"),
        op.but("a subject token")
            .bearer(&ids.token)
            .refused(401, "unauthorized"),
        op.but("a site secret").bearer(&ids.secret).refused(401, "unauthorized"),
        op.but("a session ended by its logout")
            .bearer(&ids.ended_session)
            .refused(401, "unauthorized"),
        op.but("a method the path does not serve")
            .send_as(if path.ends_with("/draft") || path.ends_with("/members") {
                Method::DELETE
            } else {
                Method::PUT
            })
            .refused(405, "method_not_allowed"),
    ];
    if write {
        cases.push(
            op.but("the session cookie without its CSRF token")
                .header("authorization", "")
                .header("cookie", ids.admin_cookie.clone())
                .refused(403, "csrf_failed"),
        );
    }
    match needs {
        Needs::Anyone => {}
        Needs::Instance => cases.extend([
            op.but("a site's viewer")
                .bearer(&ids.other_viewer)
                .refused(403, "forbidden"),
            op.but("a service token of one site")
                .bearer(&ids.other_service)
                .refused(403, "forbidden"),
        ]),
        Needs::Site { write } => {
            cases.extend([
                op.but("a viewer of another site")
                    .bearer(&ids.other_viewer)
                    .refused(403, "forbidden"),
                op.but("a service token of another site")
                    .bearer(&ids.other_service)
                    .refused(403, "forbidden"),
                op.but("an unknown site")
                    .at("site", "nope")
                    .refused(404, "site_not_found"),
                op.but("an unknown site, asked by a viewer of another site")
                    .at("site", "nope")
                    .bearer(&ids.other_viewer)
                    .refused(403, "forbidden"),
            ]);
            for (what, id) in ODD_IDS {
                cases.push(op.but(what).at("site", id).refused(404, "site_not_found"));
            }
            if write {
                cases.push(
                    op.but("a viewer writing")
                        .at("site", "other")
                        .bearer(&ids.other_viewer)
                        .refused(403, "forbidden"),
                );
            }
        }
    }
    (op, cases)
}

pub fn cases(ids: &Ids) -> Vec<Case> {
    let mut cases = session(ids);
    cases.extend(tcf(ids));
    cases
}

/// The GVL cache's operations and a site's vendor catalog, on a server where TCF is off (no
/// `tcf_cmp_id`).
fn tcf(ids: &Ids) -> Vec<Case> {
    let (_, mut cases) = guards(ids, "get", "/v1/admin/tcf/gvl", Needs::Instance);
    let (refresh, guards_) = guards(ids, "post", "/v1/admin/tcf/gvl/refresh", Needs::Instance);
    cases.extend(guards_);
    cases.push(refresh.but("a refresh where TCF is off").refused(409, "conflict"));
    let (vendors, guards_) = guards(
        ids,
        "get",
        "/v1/admin/sites/{site}/tcf/vendors",
        Needs::Site { write: false },
    );
    cases.extend(guards_);
    cases.push(
        vendors
            .but("the vendor catalog where TCF is off")
            .refused(409, "conflict"),
    );
    cases
}

fn session(ids: &Ids) -> Vec<Case> {
    let login = Case::new(ids, "post", "/v1/admin/login", "");
    let valid = json!({ "email": "admin@example.com", "password": "not the password" });
    let mut cases = body_cases(&login, &valid, "password", json!(12345), true);
    let credential = |what: &str, email: &str, password: &str| {
        login
            .but(what)
            .json(&json!({ "email": email, "password": password }))
            .refused(401, "unauthorized")
    };
    cases.extend([
        credential("a wrong password", "admin@example.com", "wrong"),
        credential("an unknown email", "nobody@example.com", "correct horse battery staple"),
        credential("an SQL-shaped email", "' OR '1'='1", "' OR '1'='1"),
        credential(
            "an email with a right-to-left override",
            "admin@exam\u{202e}ple.com",
            "x",
        ),
        credential("an email with a zero-width space", "admin\u{200b}@example.com", "x"),
        credential("an email with a control character", "admin\u{7}@example.com", "x"),
        login
            .but("an email with a NUL character")
            .json(&json!({ "email": "admin\u{0}@example.com", "password": "x" }))
            .refused(422, "invalid_input")
            .field("email"),
        credential(
            "an overlong email and password",
            &"a".repeat(100_000),
            &"p".repeat(100_000),
        ),
        login
            .but("the wrong method")
            .send_as(Method::GET)
            .refused(405, "method_not_allowed"),
    ]);

    let (logout, guards_) = guards(ids, "post", "/v1/admin/logout", Needs::Anyone);
    cases.extend(guards_);
    cases.push(
        logout
            .but("a service token has no session to end")
            .bearer(&ids.other_service)
            .refused(403, "forbidden"),
    );
    let (me, guards_) = guards(ids, "get", "/v1/admin/me", Needs::Anyone);
    cases.extend(guards_);
    cases.push(
        me.but("an expired-looking token")
            .bearer("eyJhbGciOiJub25lIn0.e30.")
            .refused(401, "unauthorized"),
    );

    let (password, guards_) = guards(ids, "post", "/v1/admin/password", Needs::Anyone);
    let change = json!({ "current_password": "not the password", "new_password": "a long enough new password" });
    cases.extend(guards_);
    cases.extend(body_cases(&password, &change, "new_password", json!(null), true));
    cases.extend([
        password
            .but("a wrong current password")
            .json(&change)
            .refused(403, "forbidden"),
        password
            .but("a new password too short")
            .json(&json!({ "current_password": crate::admin::PASSWORD, "new_password": "short" }))
            .refused(422, "invalid_input")
            .field("new_password"),
        password
            .but("a service token has no password")
            .bearer(&ids.other_service)
            .json(&change)
            .refused(403, "forbidden"),
    ]);

    let (users, guards_) = guards(ids, "get", "/v1/admin/users", Needs::Instance);
    cases.extend(guards_);
    cases.push(
        users
            .but("DELETE on the accounts")
            .send_as(Method::DELETE)
            .refused(405, "method_not_allowed"),
    );
    let (new_user, guards_) = guards(ids, "post", "/v1/admin/users", Needs::Instance);
    let valid = json!({ "email": "new@example.com", "password": "a long enough password", "is_admin": false });
    cases.extend(guards_);
    cases.extend(body_cases(&new_user, &valid, "email", json!(["new@example.com"]), true));
    let bad_email = |what: &str, email: &str| {
        new_user
            .but(what)
            .json(&with(&valid, "email", json!(email)))
            .refused(422, "invalid_input")
            .field("email")
    };
    cases.extend([
        bad_email("an email without @", "new.example.com"),
        bad_email("a script-shaped email", "<script>alert(1)</script>"),
        bad_email("an email with a control character", "new\u{7}@example.com"),
        bad_email("an email with a right-to-left override", "new\u{202E}@example.com"),
        bad_email("an email with a zero-width space", "new\u{200B}@example.com"),
        bad_email("an overlong email", &format!("{}@example.com", "a".repeat(300))),
        new_user
            .but("an email already taken")
            .json(&with(&valid, "email", json!("admin@example.com")))
            .refused(409, "conflict"),
        new_user
            .but("a password too short")
            .json(&with(&valid, "password", json!("short")))
            .refused(422, "invalid_input")
            .field("password"),
        new_user
            .but("is_admin as a string")
            .json(&with(&valid, "is_admin", json!("yes")))
            .refused(422, "invalid_input")
            .field("is_admin"),
    ]);
    let (audit, guards_) = guards(ids, "get", "/v1/admin/audit", Needs::Instance);
    cases.extend(guards_);
    cases.extend([
        audit
            .but("a limit that is not a number")
            .query("limit=abc")
            .refused(422, "invalid_input")
            .field("limit"),
        audit
            .but("a negative limit")
            .query("limit=-1")
            .refused(422, "invalid_input")
            .field("limit"),
        audit
            .but("a cursor that is not a number")
            .query("before=%27%20OR%201%3D1")
            .refused(422, "invalid_input")
            .field("before"),
        audit
            .but("a cursor past any seq (schemathesis found a 500)")
            .query("before=9223372036854775808")
            .refused(422, "invalid_input")
            .field("before"),
        audit
            .but("a limit of 0 (the documented range is 1-500)")
            .query("limit=0")
            .refused(422, "invalid_input")
            .field("limit"),
        audit
            .but("a limit over 500")
            .query("limit=501")
            .refused(422, "invalid_input")
            .field("limit"),
        audit
            .but("a range that ends before it starts")
            .query("from=2026-12-01&to=2026-11-01")
            .refused(422, "invalid_input")
            .field("to"),
        audit
            .but("an action with a NUL character")
            .query("action=login%00")
            .refused(422, "invalid_input")
            .field("action"),
    ]);
    cases
}
