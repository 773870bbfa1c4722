//! IAB TCF evidence in the ledger (issue 14, item 7): a choice with a TC string is recorded in
//! event layout 2 with the string, its list version and the vendors disclosed inside the
//! hashed event; its receipt carries the string; the ledger still verifies, and a layout-2
//! event stripped of its evidence does not; every inconsistent string is refused by name with
//! nothing written.

use crate::gvl::{admin, in_use, list_with, tcf};
use crate::gvl_fixture::{GvlServer, VERSION};
use crate::helpers::{Backend, TestApp, consent_body_for, spawn_app_with};
use crate::on_both_backends;
use crate::tamper::drop_triggers;
use assent_shared::api::{ConsentHistory, ConsentRecorded, NoticeResponse, VerifyReport};
use assent_shared::signals::tcf::{TCF_2_3_POLICY_VERSION, TcString, VendorSet};
use reqwest::Method;
use serde_json::{Value, json};

on_both_backends!(
    a_tcf_choice_is_kept_in_the_hashed_event_and_its_receipt,
    an_inconsistent_tc_string_is_refused_by_name_and_nothing_is_written,
    a_string_made_with_an_older_stored_list_is_taken_and_an_unknown_one_is_not,
    a_string_from_a_device_clock_days_ahead_is_taken,
);

const SITE: &str = "demo-tcf";

async fn tcf_notice(app: &TestApp) -> NoticeResponse {
    let res = app.get(&format!("/v1/sites/{SITE}/notice?lang=en")).await;
    assert_eq!(res.status(), 200);
    res.json().await.expect("notice JSON")
}

/// The TC string a banner writes for `notice` (every vendor disclosed) under the test
/// server's CMP id (300), consenting to purposes 1–4 and vendors 2 and 8.
fn tc_string(notice: &NoticeResponse, change: impl FnOnce(&mut TcString)) -> String {
    let vendors = &notice.notice.tcf.as_ref().expect("the demo's TCF notice").vendors;
    let mut tc = TcString {
        created: 17_800_000_000,
        last_updated: 17_800_000_000,
        cmp_id: 300,
        cmp_version: 7,
        consent_screen: 1,
        consent_language: *b"EN",
        vendor_list_version: VERSION as u16,
        tcf_policy_version: TCF_2_3_POLICY_VERSION,
        is_service_specific: true,
        use_non_standard_texts: false,
        special_feature_opt_ins: [].into(),
        purposes_consent: [1, 2, 3, 4].into(),
        purposes_li_transparency: [2, 7].into(),
        purpose_one_treatment: false,
        publisher_cc: *b"FR",
        vendor_consents: [2, 8].into_iter().collect(),
        vendor_legitimate_interests: VendorSet::new(),
        pub_restrictions: vec![],
        disclosed_vendors: vendors.iter().copied().collect(),
        publisher_tc: None,
    };
    change(&mut tc);
    tc.encode().expect("encodable")
}

fn body(notice: &NoticeResponse, method: &str, granted: bool, tc: Option<String>) -> Value {
    let d = if granted { "granted" } else { "denied" };
    let mut body = consent_body_for(
        notice,
        method,
        json!({ "functional": d, "analytics": d, "advertising": d }),
    );
    if let Some(tc) = tc {
        body["tcf"] = json!({ "tc_string": tc });
    }
    body
}

async fn post(app: &TestApp, body: &Value) -> reqwest::Response {
    app.post_consent_to(SITE, body, None).await
}

/// The 422's `details.field` and message, after checking the one error shape.
async fn refusal(res: reqwest::Response) -> (String, String) {
    assert_eq!(res.status(), 422);
    let body: Value = res.json().await.expect("error JSON");
    assert_eq!(body["error"]["code"], "invalid_input", "{body}");
    (
        body["error"]["details"]["field"].as_str().expect("field").to_owned(),
        body["error"]["message"].as_str().expect("message").to_owned(),
    )
}

async fn verify(app: &TestApp, token: &str) -> VerifyReport {
    crate::admin::send(
        app,
        Method::GET,
        &format!("/v1/admin/sites/{SITE}/verify"),
        Some(token),
        None,
    )
    .await
    .json()
    .await
    .expect("report")
}

async fn ready(backend: Backend) -> (GvlServer, TestApp, String) {
    let gvl = GvlServer::start().await;
    let app = spawn_app_with(backend, tcf(&gvl)).await;
    let token = admin(&app).await;
    in_use(&app, &token, VERSION).await;
    (gvl, app, token)
}

async fn a_tcf_choice_is_kept_in_the_hashed_event_and_its_receipt(backend: Backend) {
    let (_gvl, app, token) = ready(backend).await;
    let notice = tcf_notice(&app).await;
    let tc = tc_string(&notice, |_| {});
    let sent = body(&notice, "accept_all", true, Some(tc.clone()));
    let res = post(&app, &sent).await;
    assert_eq!(res.status(), 201);
    let recorded: ConsentRecorded = res.json().await.expect("recorded");
    // The identical retry is answered from the stored event and writes nothing.
    let retry: ConsentRecorded = post(&app, &sent).await.json().await.expect("retry");
    assert_eq!(retry.hash, recorded.hash);
    assert_eq!(app.event_rows().await, 1);

    let history: ConsentHistory = app
        .get_authed(
            format!("{}/v1/sites/{SITE}/subjects/{}/consents", app.api, recorded.subject_id),
            recorded.subject_token.as_deref().expect("token"),
        )
        .await
        .json()
        .await
        .expect("history");
    let event = &history.events[0];
    assert_eq!(event.schema_version, 2, "layout 2: the event carries TCF evidence");
    let evidence = event.tcf.as_ref().expect("evidence");
    assert_eq!(evidence.tc_string, tc);
    assert_eq!((evidence.cmp_id, evidence.cmp_version), (300, 7));
    assert_eq!(u64::from(evidence.vendor_list_version), VERSION);
    assert_eq!(evidence.tcf_policy_version, 5);
    assert_eq!(
        evidence.disclosed_vendors,
        notice.notice.tcf.as_ref().expect("tcf").vendors
    );
    assert_eq!(assent_shared::canonical::event_hash(event).expect("hash"), event.hash);

    // The receipt carries the string: anyone can decode what was agreed to.
    use base64::Engine;
    let payload = recorded.receipt.split('.').nth(1).expect("payload");
    let claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .expect("b64"),
    )
    .expect("claims");
    assert_eq!(claims["tc_string"], json!(tc));
    let decoded = TcString::decode(claims["tc_string"].as_str().expect("string")).expect("decodes");
    assert!(decoded.vendor_consents.contains(8) && !decoded.vendor_consents.contains(15));

    // An event without TCF evidence stays layout 1 beside it, and the ledger verifies.
    let token_of_subject = recorded.subject_token.clone().expect("token");
    let mut later = body(&notice, "reject_all", false, None);
    later["subject_id"] = json!(recorded.subject_id);
    let res = app.post_consent_to(SITE, &later, Some(&token_of_subject)).await;
    assert_eq!(res.status(), 201);
    let report = verify(&app, &token).await;
    assert!(report.ok, "{report:?}");

    // Stripping the evidence from the stored event (keeping its layout number) is found.
    drop_triggers(&app, backend).await;
    let stored: String = app.scalar("SELECT event FROM consent_events WHERE seq = 1").await;
    let mut stripped: Value = serde_json::from_str(&stored).expect("event JSON");
    stripped.as_object_mut().expect("object").remove("tcf");
    app.raw_sql(&format!(
        "UPDATE consent_events SET event = '{}' WHERE seq = 1",
        stripped.to_string().replace('\'', "''")
    ))
    .await
    .expect("tamper");
    let report = verify(&app, &token).await;
    assert!(!report.ok, "{report:?}");
    let problem = format!("{report:?}");
    assert!(problem.contains("layout 2 requires its tcf member"), "{problem}");
}

async fn an_inconsistent_tc_string_is_refused_by_name_and_nothing_is_written(backend: Backend) {
    let (_gvl, app, _token) = ready(backend).await;
    let notice = tcf_notice(&app).await;
    let cases: Vec<(&str, bool, String, &str, &str)> = vec![
        (
            "save",
            true,
            "CO-not-a-string!".into(),
            "tcf.tc_string",
            "not a TC string",
        ),
        (
            "save",
            true,
            tc_string(&notice, |t| t.cmp_id = 301),
            "tcf.tc_string",
            "CmpId 301 is not this server's CMP id (300)",
        ),
        (
            "save",
            true,
            tc_string(&notice, |t| t.vendor_list_version = VERSION as u16 + 1),
            "tcf.tc_string",
            "VendorListVersion 142 is newer than the list in use (141)",
        ),
        (
            "save",
            true,
            tc_string(&notice, |t| t.disclosed_vendors.insert(40)),
            "tcf.tc_string",
            "DisclosedVendors names vendors this notice does not declare: 40",
        ),
        (
            "save",
            true,
            tc_string(&notice, |t| t.disclosed_vendors = [2, 15].into_iter().collect()),
            "tcf.tc_string",
            "VendorConsents names vendors that were not disclosed: 8",
        ),
        (
            "reject_all",
            false,
            tc_string(&notice, |_| {}),
            "tcf.tc_string",
            "a refusal (reject_all) cannot carry consent, but PurposesConsent holds 1, 2, 3, 4",
        ),
        (
            "save",
            true,
            tc_string(&notice, |t| t.tcf_policy_version = 63),
            "tcf.tc_string",
            "TcfPolicyVersion 63 is not the one of Global Vendor List 141 (5)",
        ),
        (
            "save",
            true,
            tc_string(&notice, |t| t.is_service_specific = false),
            "tcf.tc_string",
            "IsServiceSpecific must be 1",
        ),
        (
            "save",
            true,
            tc_string(&notice, |t| t.purposes_li_transparency = [1, 2, 3].into()),
            "tcf.tc_string",
            "PurposesLITransparency holds purposes legitimate interest cannot cover under TCF Policy v4 onwards (only 2 and 7 to 11): 1, 3",
        ),
        (
            "save",
            true,
            tc_string(&notice, |t| t.purposes_consent = [1, 24].into()),
            "tcf.tc_string",
            "PurposesConsent holds ids the Global Vendor List does not define: 24",
        ),
        (
            "save",
            true,
            tc_string(&notice, |t| t.publisher_cc = *b"ZZ"),
            "tcf.tc_string",
            "PublisherCC ZZ is not this server's publisher country (FR)",
        ),
        (
            "save",
            true,
            tc_string(&notice, |t| t.last_updated = 67_000_000_000),
            "tcf.tc_string",
            "LastUpdated 67000000000 (deciseconds since 1970) must not run backwards or lie more than a year ahead",
        ),
        (
            "save",
            true,
            tc_string(&notice, |t| t.created = t.last_updated + 1),
            "tcf.tc_string",
            "must not run backwards",
        ),
        (
            "save",
            true,
            tc_string(&notice, |t| t.consent_language = *b"DE"),
            "tcf.tc_string",
            "ConsentLanguage DE is not the event's language \"en\"",
        ),
    ];
    for (method, granted, tc, field, message) in cases {
        let (f, m) = refusal(post(&app, &body(&notice, method, granted, Some(tc))).await).await;
        assert_eq!(f, field, "{m}");
        assert!(m.contains(message), "{m:?} does not contain {message:?}");
    }
    // The plain demo's notice has no TCF section.
    let plain = app.notice("en").await;
    let res = app
        .post_consent(&body(&plain, "save", true, Some(tc_string(&notice, |_| {}))), None)
        .await;
    let (f, m) = refusal(res).await;
    assert_eq!(f, "tcf");
    assert!(m.contains("does not use IAB TCF"), "{m}");
    assert_eq!(app.event_rows().await, 0, "nothing written");
}

async fn a_string_made_with_an_older_stored_list_is_taken_and_an_unknown_one_is_not(backend: Backend) {
    let (gvl, app, token) = ready(backend).await;
    let notice = tcf_notice(&app).await;
    gvl.serve_list(&list_with(VERSION + 1, |_| {}));
    let res = crate::admin::send(&app, Method::POST, "/v1/admin/tcf/gvl/refresh", Some(&token), None).await;
    assert_eq!(res.status(), 202);
    in_use(&app, &token, VERSION + 1).await;

    // A banner loaded before the refresh wrote its string with the list it was shown.
    let older = tc_string(&notice, |_| {});
    assert_eq!(
        post(&app, &body(&notice, "save", true, Some(older))).await.status(),
        201
    );
    let never = tc_string(&notice, |t| t.vendor_list_version = VERSION as u16 - 1);
    let (f, m) = refusal(post(&app, &body(&notice, "save", true, Some(never))).await).await;
    assert_eq!(f, "tcf.tc_string");
    assert!(
        m.contains("VendorListVersion 140 is not a list this server has stored (in use: 142)"),
        "{m}"
    );
    assert_eq!(app.event_rows().await, 1);
}

/// The string's times are the device's clock, as `client_time` is: days ahead is a clock off,
/// not a forged choice (a withdrawal refused for it would be lost).
async fn a_string_from_a_device_clock_days_ahead_is_taken(backend: Backend) {
    let (_gvl, app, _token) = ready(backend).await;
    let notice = tcf_notice(&app).await;
    let now_ds = u64::try_from(time::OffsetDateTime::now_utc().unix_timestamp()).expect("after 1970") * 10;
    let ahead = now_ds + 2 * 864_000;
    let tc = tc_string(&notice, |t| {
        t.created = ahead;
        t.last_updated = ahead;
    });
    let res = post(&app, &body(&notice, "save", true, Some(tc))).await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap_or_default());
    assert_eq!(app.event_rows().await, 1);
}
