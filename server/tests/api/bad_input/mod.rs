//! The bad-input catalogue: table-driven cases against the real server, for every operation
//! of `/openapi.json`. Each case sends one bad request and expects the one JSON error shape
//! with a specific `code` (and, for invalid input, `details.field`); after each case the row
//! count of every table (listed from the database itself) and the configuration version are
//! what they were before the first — a refused request writes nothing.
//!
//! The cases are plain data built from [`Ids`] (the fixture's ids and credentials), grouped by
//! theme in the submodules; [`every_documented_operation_has_a_bad_input_case`] reads the
//! operations from `/openapi.json` and fails naming any operation no case covers.

mod admin;
mod admin_ledger;
mod admin_notices;
mod admin_sites;
mod admin_webhooks;
mod consents;
pub mod fixture;
mod identity;
mod privacy;
mod public;
mod subject;

pub use fixture::{Fixture, Ids, fixture, fixture_with};

use crate::helpers::{Backend, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// The server's body limit, as its 413 message must state it.
const LIMIT: usize = assent_server::error::BODY_LIMIT_BYTES;

/// One bad request and the refusal it must get.
#[derive(Debug, Clone)]
pub struct Case {
    pub what: String,
    /// The documented operation this case exercises (`get`, `/v1/sites/{site}/notice`).
    pub method: &'static str,
    pub template: &'static str,
    params: BTreeMap<&'static str, String>,
    query: String,
    /// Sent instead of the operation's own method (a wrong-method case).
    send_as: Option<Method>,
    headers: Vec<(&'static str, String)>,
    body: Option<(Option<&'static str>, Vec<u8>)>,
    status: u16,
    code: &'static str,
    field: Option<String>,
    /// The answer is a page for people (documented as `text/html`), not the JSON shape.
    html: bool,
}

impl Case {
    /// A case of the operation `method template` (as `/openapi.json` spells them), with the
    /// path's parameters filled from the fixture: the demo site, its recorded subject and
    /// event, notice version 1, its webhook endpoint and linked account.
    pub fn new(ids: &Ids, method: &'static str, template: &'static str, what: impl Into<String>) -> Self {
        let params = BTreeMap::from([
            ("site", "demo".to_owned()),
            ("subject", ids.subject.clone()),
            ("event", ids.event.clone()),
            ("version", "1".to_owned()),
            ("id", ids.webhook.clone()),
            ("account", crate::identity_kit::ACCOUNT.to_owned()),
        ]);
        Self {
            what: what.into(),
            method,
            template,
            params,
            query: String::new(),
            send_as: None,
            headers: Vec::new(),
            body: None,
            status: 0,
            code: "",
            field: None,
            html: false,
        }
    }

    /// The same operation and credentials, for another bad input.
    pub fn but(&self, what: impl Into<String>) -> Self {
        Self {
            what: what.into(),
            ..self.clone()
        }
    }

    /// A path parameter, sent as written (percent-encode what needs it).
    pub fn at(mut self, param: &'static str, value: impl Into<String>) -> Self {
        assert!(self.params.contains_key(param), "unknown parameter {param}");
        self.params.insert(param, value.into());
        self
    }

    pub fn query(mut self, query: impl Into<String>) -> Self {
        self.query = query.into();
        self
    }

    pub fn send_as(mut self, method: Method) -> Self {
        self.send_as = Some(method);
        self
    }

    pub fn bearer(self, token: &str) -> Self {
        self.header("authorization", format!("Bearer {token}"))
    }

    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.retain(|(n, _)| *n != name);
        self.headers.push((name, value.into()));
        self
    }

    pub fn json(self, body: &Value) -> Self {
        self.raw(Some("application/json"), serde_json::to_vec(body).expect("JSON"))
    }

    pub fn raw(mut self, content_type: Option<&'static str>, bytes: impl Into<Vec<u8>>) -> Self {
        self.body = Some((content_type, bytes.into()));
        self
    }

    pub fn refused(mut self, status: u16, code: &'static str) -> Self {
        self.status = status;
        self.code = code;
        self
    }

    /// `details.field` of an `invalid_input` (or `credential_refused`) answer.
    pub fn field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// A page for people: `status` as an HTML page.
    pub fn html_page(mut self, status: u16) -> Self {
        self.status = status;
        self.html = true;
        self
    }

    fn url(&self, base: &str) -> String {
        let mut path = self.template.to_owned();
        for (name, value) in &self.params {
            path = path.replace(&format!("{{{name}}}"), value);
        }
        if self.query.is_empty() {
            format!("{base}{path}")
        } else {
            format!("{base}{path}?{}", self.query)
        }
    }

    /// The refusal expected: status and `error.code` (empty for a page).
    pub fn expected(&self) -> (u16, &'static str) {
        (self.status, self.code)
    }

    /// The answer is a page for people, not the JSON shape.
    pub fn html(&self) -> bool {
        self.html
    }

    /// Sends the request of the case to `app`, whatever answer it gets.
    pub async fn send(&self, app: &crate::helpers::TestApp) -> reqwest::Result<reqwest::Response> {
        let method = self
            .send_as
            .clone()
            .unwrap_or_else(|| Method::from_bytes(self.method.to_uppercase().as_bytes()).expect("method"));
        let mut req = app.client.request(method, self.url(&app.api));
        for (name, value) in &self.headers {
            req = req.header(*name, value);
        }
        if let Some((content_type, bytes)) = &self.body {
            if let Some(content_type) = content_type {
                req = req.header("content-type", *content_type);
            }
            req = req.body(bytes.clone());
        }
        req.send().await
    }

    /// Sends the case; what is wrong with the answer, if anything.
    async fn check(&self, fx: &Fixture) -> Result<(), String> {
        let res = self.send(&fx.app).await.map_err(|e| format!("no answer: {e}"))?;
        let status = res.status().as_u16();
        let kind = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        // Every answer, refusals included, carries Assent's security headers.
        let nosniff = res
            .headers()
            .get("x-content-type-options")
            .is_some_and(|v| v == "nosniff");
        let text = res.text().await.map_err(|e| format!("unreadable answer: {e}"))?;
        let got = || format!("{status} {}", text.chars().take(300).collect::<String>());
        if status != self.status {
            return Err(format!("expected {}, got {}", self.status, got()));
        }
        if !nosniff {
            return Err(format!("no security headers (X-Content-Type-Options) on {}", got()));
        }
        if self.html {
            return if kind.starts_with("text/html") {
                Ok(())
            } else {
                Err(format!("expected an HTML page, got {kind}"))
            };
        }
        let body: Value = serde_json::from_str(&text).map_err(|_| format!("not JSON: {}", got()))?;
        let shape_ok = body.as_object().is_some_and(|o| o.len() == 1)
            && body["error"].as_object().is_some_and(|e| {
                e.len() == 3
                    && e["code"].is_string()
                    && e["message"].as_str().is_some_and(|m| !m.is_empty())
                    && (e["details"].is_null() || e["details"].is_object())
            });
        if !shape_ok {
            return Err(format!("not the one error shape: {}", got()));
        }
        if body["error"]["code"] != self.code {
            return Err(format!("expected code {}, got {}", self.code, got()));
        }
        if let Some(field) = &self.field
            && body["error"]["details"]["field"] != field.as_str()
        {
            return Err(format!("expected details.field {field:?}, got {}", got()));
        }
        let limit = match self.code {
            "payload_too_large" => Some(LIMIT),
            "uri_too_long" => Some(assent_server::request_limits::URI_LIMIT_BYTES),
            "headers_too_large" => Some(assent_server::request_limits::HEADERS_LIMIT_BYTES),
            _ => None,
        };
        if let Some(limit) = limit {
            let message = body["error"]["message"].as_str().unwrap_or_default();
            if !message.contains(&limit.to_string()) {
                return Err(format!("the {status} message does not state the limit: {message}"));
            }
        }
        Ok(())
    }
}

/// Sends every case; fails listing each wrong answer and each case after which a table's
/// row count (or the configuration version) had moved.
pub async fn run(fx: &Fixture, cases: Vec<Case>) {
    let mut before = fx.snapshot().await;
    let mut failures = Vec::new();
    for case in &cases {
        assert!(case.status >= 400, "{}: a case must expect a refusal", case.what);
        assert!(
            case.code != "invalid_input" || case.field.is_some(),
            "{}: an invalid_input case names its field",
            case.what
        );
        let op = format!("{} {}", case.method.to_uppercase(), case.template);
        if let Err(problem) = case.check(fx).await {
            failures.push(format!("{op} — {}: {problem}", case.what));
        }
        let after = fx.snapshot().await;
        if after != before {
            let moved: Vec<String> = before
                .iter()
                .zip(&after)
                .filter(|(b, a)| b != a)
                .map(|((table, b), (_, a))| format!("{table} {b} → {a}"))
                .collect();
            failures.push(format!("{op} — {}: WROTE {}", case.what, moved.join(", ")));
            before = after;
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// What every operation with a JSON body refuses before reading it: a body over the limit,
/// JSON that does not parse (truncated, empty, a lone surrogate), another content type,
/// `field` given twice or of the wrong type (`wrong`), an unknown key, and — when `field`
/// is `required` — `field` missing.
pub fn body_cases(base: &Case, valid: &Value, field: &str, wrong: Value, required: bool) -> Vec<Case> {
    let first = field.to_owned();
    let with = |value: &str| {
        let mut body = valid.clone();
        body[&first] = json!("MARK");
        serde_json::to_string(&body).expect("JSON").replace("\"MARK\"", value)
    };
    let mut oversized = valid.clone();
    oversized[&first] = json!("x".repeat(LIMIT + 1));
    let mut unknown = valid.clone();
    unknown["zz_unknown"] = json!(1);
    let text = serde_json::to_string(valid).expect("JSON");
    let twice = format!("{},{}:{}}}", text.trim_end_matches('}'), json!(first), valid[&first]);
    let mut cases = vec![
        base.but("a body over the limit")
            .json(&oversized)
            .refused(413, "payload_too_large"),
        base.but("truncated JSON")
            .raw(Some("application/json"), &text.as_bytes()[..text.len() / 2])
            .refused(400, "malformed_body"),
        base.but("an empty body")
            .raw(Some("application/json"), "")
            .refused(400, "malformed_body"),
        base.but("a lone surrogate (\\ud800) in a string")
            .raw(Some("application/json"), with(r#""\ud800""#))
            .refused(400, "malformed_body"),
        base.but("JSON sent as text/plain")
            .raw(Some("text/plain"), text.clone())
            .refused(400, "malformed_body"),
        base.but("JSON sent without a content type")
            .raw(None, text.clone())
            .refused(400, "malformed_body"),
        base.but("a key given twice")
            .raw(Some("application/json"), twice)
            .refused(422, "invalid_input")
            .field(first.clone()),
        base.but("an unknown key")
            .json(&unknown)
            .refused(422, "invalid_input")
            .field("zz_unknown"),
    ];
    let mut wrong_type = valid.clone();
    wrong_type[field] = wrong;
    cases.push(
        base.but(format!("{field} of the wrong type"))
            .json(&wrong_type)
            .refused(422, "invalid_input")
            .field(field),
    );
    if required {
        let mut missing = valid.clone();
        missing.as_object_mut().expect("object").remove(field);
        cases.push(
            base.but(format!("{field} missing"))
                .json(&missing)
                .refused(422, "invalid_input")
                .field(field),
        );
    }
    cases
}

/// Strings that must never pass as an id: script- and SQL-shaped, with a right-to-left
/// override or a zero-width space, a control character, and overlong — percent-encoded for
/// a path.
pub const ODD_IDS: [(&str, &str); 6] = [
    ("a script-shaped id", "%3Cscript%3Ealert(1)%3C%2Fscript%3E"),
    ("an SQL-shaped id", "demo'%20OR%20'1'%3D'1"),
    ("an id with a right-to-left override", "de%E2%80%AEmo"),
    ("an id with a zero-width space", "demo%E2%80%8B"),
    ("an id with a control character", "demo%07"),
    (
        "an overlong id",
        "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd",
    ),
];

/// `body` with `key` set to `value`.
pub fn with(body: &Value, key: &str, value: Value) -> Value {
    let mut body = body.clone();
    body[key] = value;
    body
}

/// Every case of the catalogue, for the coverage check (and the outage sweep).
pub fn all_cases(ids: &Ids) -> Vec<Case> {
    let mut cases = public::cases(ids);
    cases.extend(privacy::cases(ids));
    cases.extend(subject::cases(ids));
    cases.extend(admin::cases(ids));
    cases.extend(admin_notices::cases(ids));
    cases.extend(admin_webhooks::cases(ids));
    cases.extend(admin_sites::cases(ids));
    cases.extend(admin_ledger::cases(ids));
    cases
}

#[tokio::test]
async fn every_documented_operation_has_a_bad_input_case() {
    let app = spawn_app(Backend::Sqlite).await;
    let spec: Value = app.get("/openapi.json").await.json().await.expect("the document");
    let mut documented = BTreeSet::new();
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for method in ["get", "post", "put", "patch", "delete"] {
            if item.get(method).is_some() {
                documented.insert(format!("{method} {path}"));
            }
        }
    }
    assert!(documented.len() > 60, "only {} operations", documented.len());
    let cases = all_cases(&Ids::placeholder());
    let covered: BTreeSet<String> = cases.iter().map(|c| format!("{} {}", c.method, c.template)).collect();
    let unknown: Vec<_> = covered.difference(&documented).collect();
    assert!(unknown.is_empty(), "cases of undocumented operations: {unknown:?}");
    let uncovered: Vec<_> = documented.difference(&covered).collect();
    assert!(
        uncovered.is_empty(),
        "operations without a bad-input case:\n{}",
        uncovered.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("\n")
    );
    println!("{} cases over {} operations", cases.len(), documented.len());
}
