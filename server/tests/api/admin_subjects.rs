//! Data-subject requests answered by the site owner through the admin API, without the
//! subject's token: the subject's export and receipts, and its erasure, which keeps the
//! events as evidence — each audited, and erasure for owners only.

use crate::admin::{create_account, send, token_of};
use crate::helpers::{Backend, TestApp, error_code, spawn_app};
use crate::on_both_backends;
use assent_shared::api::{ConsentHistory, ConsentRecorded, EventReceipt, VerifyReport};
use reqwest::Method;
use serde_json::{Value, json};

on_both_backends!(
    an_owner_exports_a_subject_hands_over_its_receipts_and_erases_it_while_its_events_stay,
    a_viewer_reads_and_exports_a_subject_but_may_not_erase_it,
);

/// A subject of the demo site with one recorded choice.
async fn subject(app: &TestApp) -> ConsentRecorded {
    let body = app
        .consent_body(
            "accept_all",
            json!({ "functional": "granted", "analytics": "granted", "advertising": "granted" }),
        )
        .await;
    app.post_consent(&body, None).await.json().await.expect("recorded")
}

/// An account with `role` on the demo site; its bearer token.
pub(crate) async fn member(app: &TestApp, admin: &str, email: &str, role: &str) -> String {
    create_account(app, email, false).await;
    let grant = json!({ "email": email, "role": role });
    let res = send(
        app,
        Method::PUT,
        "/v1/admin/sites/demo/members",
        Some(admin),
        Some(&grant),
    )
    .await;
    assert_eq!(res.status(), 204);
    token_of(app, email).await
}

async fn audited_actions(app: &TestApp, token: &str) -> Vec<String> {
    let entries: Vec<Value> = send(app, Method::GET, "/v1/admin/sites/demo/audit", Some(token), None)
        .await
        .json()
        .await
        .expect("audit");
    entries
        .iter()
        .filter_map(|e| e["action"].as_str().map(str::to_owned))
        .collect()
}

async fn an_owner_exports_a_subject_hands_over_its_receipts_and_erases_it_while_its_events_stay(backend: Backend) {
    let app = spawn_app(backend).await;
    create_account(&app, "admin@example.com", true).await;
    let admin = token_of(&app, "admin@example.com").await;
    let owner = member(&app, &admin, "owner@example.com", "owner").await;
    let s = subject(&app).await;
    let base = format!("/v1/admin/sites/demo/subjects/{}", s.subject_id);

    // The export is the subject's own, file name and all.
    let res = send(&app, Method::GET, &format!("{base}/export"), Some(&owner), None).await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["content-disposition"],
        format!("attachment; filename=\"assent-demo-{}.json\"", s.subject_id).as_str()
    );
    let history: ConsentHistory = res.json().await.expect("history");
    assert_eq!(history.events.len(), 1);
    assert_eq!(history.events[0].event_id, s.event_id);
    let res = send(
        &app,
        Method::GET,
        &format!("{base}/export?format=csv"),
        Some(&owner),
        None,
    )
    .await;
    let csv = res.text().await.expect("csv");
    assert_eq!(
        csv.lines().count(),
        4,
        "a header and one row per purpose decision: {csv}"
    );
    let res = send(
        &app,
        Method::GET,
        &format!("{base}/export?format=xml"),
        Some(&owner),
        None,
    )
    .await;
    assert_eq!(error_code(res, 422).await, "invalid_input");

    // The receipt is the one the recording answered.
    let res = send(
        &app,
        Method::GET,
        &format!("{base}/consents/{}/receipt", s.event_id),
        Some(&owner),
        None,
    )
    .await;
    let receipt: EventReceipt = res.json().await.expect("receipt");
    assert_eq!(receipt.receipt, s.receipt);
    let res = send(
        &app,
        Method::GET,
        &format!("{base}/consents/0b9f6c1e-2d43-4a57-9a43-4c8f1e2d3a4b/receipt"),
        Some(&owner),
        None,
    )
    .await;
    assert_eq!(error_code(res, 404).await, "event_not_found");

    // Erased: the answer says so, the subject's token stops working, the events stay and
    // the ledger still verifies.
    let res = send(&app, Method::POST, &format!("{base}/erasure"), Some(&owner), None).await;
    assert_eq!(res.status(), 200);
    let record: Value = res.json().await.expect("record");
    assert_eq!(record["status"], "erased");
    assert_eq!(record["current"], json!({}));
    assert_eq!(record["events"].as_array().map(Vec::len), Some(1));
    let token = s.subject_token.clone().expect("token");
    assert_eq!(
        error_code(app.history(s.subject_id.as_str(), &token).await, 410).await,
        "subject_erased"
    );
    assert_eq!(app.event_rows().await, 1, "the events stay");
    let report: VerifyReport = send(&app, Method::GET, "/v1/admin/sites/demo/verify", Some(&owner), None)
        .await
        .json()
        .await
        .expect("report");
    assert!(report.ok, "{report:?}");
    // Again: nothing more happens, and the answer is the same.
    let again: Value = send(&app, Method::POST, &format!("{base}/erasure"), Some(&owner), None)
        .await
        .json()
        .await
        .expect("record");
    assert_eq!(again, record);
    // The events can still be handed over.
    let res = send(&app, Method::GET, &format!("{base}/export"), Some(&owner), None).await;
    assert_eq!(res.status(), 200);

    let unknown = "/v1/admin/sites/demo/subjects/0b9f6c1e-2d43-4a57-9a43-4c8f1e2d3a4b";
    let res = send(&app, Method::POST, &format!("{unknown}/erasure"), Some(&owner), None).await;
    assert_eq!(error_code(res, 404).await, "subject_not_found");
    let res = send(&app, Method::GET, &format!("{unknown}/export"), Some(&owner), None).await;
    assert_eq!(error_code(res, 404).await, "subject_not_found");

    let actions = audited_actions(&app, &owner).await;
    assert_eq!(
        actions.iter().filter(|a| *a == "subject_erase").count(),
        1,
        "one erasure, audited once: {actions:?}"
    );
    assert_eq!(
        actions.iter().filter(|a| *a == "subject_export").count(),
        3,
        "{actions:?}"
    );
}

async fn a_viewer_reads_and_exports_a_subject_but_may_not_erase_it(backend: Backend) {
    let app = spawn_app(backend).await;
    create_account(&app, "admin@example.com", true).await;
    let admin = token_of(&app, "admin@example.com").await;
    let viewer = member(&app, &admin, "viewer@example.com", "viewer").await;
    let s = subject(&app).await;
    let base = format!("/v1/admin/sites/demo/subjects/{}", s.subject_id);
    let res = send(
        &app,
        Method::GET,
        &format!("{base}/export?format=csv"),
        Some(&viewer),
        None,
    )
    .await;
    assert_eq!(res.status(), 200);
    let res = send(
        &app,
        Method::GET,
        &format!("{base}/consents/{}/receipt", s.event_id),
        Some(&viewer),
        None,
    )
    .await;
    assert_eq!(res.status(), 200);
    let res = send(&app, Method::POST, &format!("{base}/erasure"), Some(&viewer), None).await;
    assert_eq!(error_code(res, 403).await, "forbidden");
    let record: Value = send(&app, Method::GET, &base, Some(&viewer), None)
        .await
        .json()
        .await
        .expect("record");
    assert_eq!(record["status"], "active");
    assert!(
        !audited_actions(&app, &admin)
            .await
            .contains(&"subject_erase".to_owned())
    );
}
