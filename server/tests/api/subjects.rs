use crate::helpers::{Backend, TestApp, error_code, spawn_app};
use crate::on_both_backends;
use assent_server::auth::{Role, ServiceClaims};
use assent_shared::api::{ConsentRecorded, CurrentState, EventReceipt, VerifyReport};
use assent_shared::consent::Decision;
use assent_shared::ids::{PurposeKey, SiteId};
use serde_json::{Value, json};

on_both_backends!(
    the_current_state_follows_the_latest_decisions_and_rebuilds_from_the_events,
    a_subject_exports_its_history_as_json_and_csv,
    an_event_exports_as_a_kantara_consent_receipt,
    each_events_receipt_is_the_one_its_recording_answered,
    erasure_unlinks_the_subject_while_its_chain_still_verifies,
    retention_unlinks_only_subjects_inactive_past_the_cutoff,
    network_data_is_truncated_and_hashed_when_configured,
);

async fn retention_unlinks_only_subjects_inactive_past_the_cutoff(backend: Backend) {
    let app = spawn_app(backend).await;
    let s = subject_with_two_events(&app).await;
    assert_eq!(
        app.state
            .ledger
            .unlink_inactive("2000-01-01T00:00:00.000Z")
            .await
            .expect("retention"),
        0
    );
    assert_eq!(app.history(&s.id, &s.token).await.status(), 200);
    assert_eq!(
        app.state
            .ledger
            .unlink_inactive("9999-01-01T00:00:00.000Z")
            .await
            .expect("retention"),
        1
    );
    assert_eq!(
        error_code(app.history(&s.id, &s.token).await, 410).await,
        "subject_erased"
    );
    assert_eq!(app.event_rows().await, 2);
}

async fn network_data_is_truncated_and_hashed_when_configured(backend: Backend) {
    let plain = spawn_app(backend).await;
    let s = subject_with_two_events(&plain).await;
    let h: assent_shared::api::ConsentHistory = plain.history(&s.id, &s.token).await.json().await.expect("json");
    assert_eq!(
        (
            h.events[0].ip_truncated.as_deref(),
            h.events[0].user_agent_hash.as_deref()
        ),
        (None, None),
        "none by default"
    );

    let app = crate::helpers::spawn_app_with(backend, |c| {
        c.network_data = assent_server::config::NetworkData::Truncated;
        c.client_ip_header = Some("x-forwarded-for".into());
    })
    .await;
    let body = app.consent_body("reject_all", json!({ "analytics": "denied" })).await;
    let res = app
        .client
        .post(format!("{}/v1/sites/demo/consents", app.api))
        .header("x-forwarded-for", "203.0.113.77, 10.1.1.1")
        .header("user-agent", "TestBrowser/1.0")
        .json(&body)
        .send()
        .await
        .expect("POST");
    let rec: ConsentRecorded = res.json().await.expect("json");
    let h: assent_shared::api::ConsentHistory = app.history_of(&rec).await;
    let e = &h.events[0];
    assert_eq!(e.ip_truncated.as_deref(), Some("203.0.113.0/24"));
    let ua = e.user_agent_hash.as_deref().expect("hashed user agent");
    assert_eq!(ua.len(), 64);
    assert_eq!(ua, app.state.keys.pseudonymize("TestBrowser/1.0"));
    assert!(!serde_json::to_string(e).expect("json").contains("TestBrowser"));
}

struct Subject {
    id: String,
    token: String,
    events: Vec<ConsentRecorded>,
}

/// Rejects everything, then grants analytics from the panel.
async fn subject_with_two_events(app: &TestApp) -> Subject {
    let body = app
        .consent_body(
            "reject_all",
            json!({ "functional": "denied", "analytics": "denied", "advertising": "denied" }),
        )
        .await;
    let first: ConsentRecorded = app.post_consent(&body, None).await.json().await.expect("json");
    let (id, token) = (
        first.subject_id.to_string(),
        first.subject_token.clone().expect("token"),
    );
    let mut body = app
        .consent_body("save", json!({ "analytics": "granted", "advertising": "denied" }))
        .await;
    body["subject_id"] = json!(id);
    body["source"] = json!("panel");
    let second: ConsentRecorded = app.post_consent(&body, Some(&token)).await.json().await.expect("json");
    Subject {
        id,
        token,
        events: vec![first, second],
    }
}

fn url(app: &TestApp, s: &Subject, rest: &str) -> String {
    format!("{}/v1/sites/demo/subjects/{}/{rest}", app.api, s.id)
}

async fn the_current_state_follows_the_latest_decisions_and_rebuilds_from_the_events(backend: Backend) {
    let app = spawn_app(backend).await;
    let s = subject_with_two_events(&app).await;
    let current: CurrentState = app
        .get_authed(url(&app, &s, "current"), &s.token)
        .await
        .json()
        .await
        .expect("json");
    let key = |k: &str| PurposeKey::parse(k).expect("key");
    assert_eq!(current.purposes[&key("analytics")].decision, Decision::Granted);
    assert_eq!(
        current.purposes[&key("analytics")].event_id,
        s.events[1].event_id.to_string()
    );
    assert_eq!(current.purposes[&key("functional")].decision, Decision::Denied);
    assert_eq!(current.purposes.len(), 3);

    let site = SiteId::parse("demo").expect("site");
    app.raw_sql("DELETE FROM consent_state").await.expect("wipe projection");
    assert_eq!(app.state.ledger.rebuild_projection(&site).await.expect("rebuild"), 2);
    let rebuilt: CurrentState = app
        .get_authed(url(&app, &s, "current"), &s.token)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(rebuilt, current);
}

async fn a_subject_exports_its_history_as_json_and_csv(backend: Backend) {
    let app = spawn_app(backend).await;
    let s = subject_with_two_events(&app).await;
    let json_res = app.get_authed(url(&app, &s, "export?format=json"), &s.token).await;
    assert!(
        json_res.headers()["content-disposition"]
            .to_str()
            .expect("ascii")
            .contains("attachment")
    );
    let body: Value = json_res.json().await.expect("json");
    assert_eq!(body["events"].as_array().map(Vec::len), Some(2));

    let csv_res = app.get_authed(url(&app, &s, "export?format=csv"), &s.token).await;
    assert!(
        csv_res.headers()["content-type"]
            .to_str()
            .expect("ascii")
            .starts_with("text/csv")
    );
    let csv = csv_res.text().await.expect("text");
    let lines: Vec<&str> = csv.lines().collect();
    assert!(lines[0].starts_with("seq,recorded_at,event_id,method"));
    assert_eq!(lines.len(), 1 + 3 + 2, "one row per purpose decision");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("2,") && l.contains(",save,panel,") && l.contains(",analytics,granted,"))
    );

    let bad = app.get_authed(url(&app, &s, "export?format=xml"), &s.token).await;
    assert_eq!(error_code(bad, 422).await, "invalid_input");
    let anonymous = app
        .client
        .get(url(&app, &s, "export?format=csv"))
        .send()
        .await
        .expect("GET");
    assert_eq!(error_code(anonymous, 401).await, "unauthorized");
}

async fn an_event_exports_as_a_kantara_consent_receipt(backend: Backend) {
    let app = spawn_app(backend).await;
    let s = subject_with_two_events(&app).await;
    let event = &s.events[1];
    let receipt: Value = app
        .get_authed(url(&app, &s, &format!("consents/{}/kantara", event.event_id)), &s.token)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(receipt["version"], "KI-CR-v1.1.0");
    assert_eq!(receipt["consentReceiptID"], json!(event.event_id));
    assert_eq!(receipt["piiPrincipalId"], json!(s.id));
    assert_eq!(receipt["language"], "en");
    let purposes = receipt["services"][0]["purposes"].as_array().expect("purposes");
    assert_eq!(purposes.len(), 1, "only granted purposes: {purposes:?}");
    assert_eq!(purposes[0]["purposeCategory"], json!(["analytics"]));
    assert_eq!(purposes[0]["termination"], "13 months");
    assert_eq!(receipt["assent"]["hash"], json!(event.hash));
    let missing = app
        .client
        .get(url(&app, &s, &format!("consents/{}/kantara", uuid::Uuid::new_v4())))
        .bearer_auth(&s.token)
        .send()
        .await
        .expect("GET");
    assert_eq!(error_code(missing, 404).await, "event_not_found");
}

async fn each_events_receipt_is_the_one_its_recording_answered(backend: Backend) {
    let app = spawn_app(backend).await;
    let s = subject_with_two_events(&app).await;
    let receipt_of = |subject: &Subject, event: String, token: Option<&str>| {
        let req = app.client.get(url(&app, subject, &format!("consents/{event}/receipt")));
        match token {
            Some(token) => req.bearer_auth(token).send(),
            None => req.send(),
        }
    };
    for recorded in &s.events {
        // Any case of the id, as the Kantara receipt takes it.
        let id = recorded.event_id.to_string().to_ascii_uppercase();
        let res = receipt_of(&s, id, Some(&s.token)).await.expect("GET");
        assert_eq!(res.status(), 200);
        let body: EventReceipt = res.json().await.expect("json");
        assert_eq!(body.event_id, recorded.event_id);
        assert_eq!(body.receipt, recorded.receipt, "byte for byte what the POST answered");
    }

    let other = subject_with_two_events(&app).await;
    let foreign = other.events[0].event_id.to_string();
    let res = receipt_of(&s, foreign.clone(), Some(&s.token)).await.expect("GET");
    assert_eq!(error_code(res, 404).await, "event_not_found", "another subject's event");
    let res = receipt_of(&s, uuid::Uuid::new_v4().to_string(), Some(&s.token))
        .await
        .expect("GET");
    assert_eq!(error_code(res, 404).await, "event_not_found");
    let own = s.events[0].event_id.to_string();
    let res = receipt_of(&s, own.clone(), None).await.expect("GET");
    assert_eq!(error_code(res, 401).await, "unauthorized");
    let res = receipt_of(&s, own, Some(&other.token)).await.expect("GET");
    assert_eq!(error_code(res, 403).await, "forbidden");
}

async fn erasure_unlinks_the_subject_while_its_chain_still_verifies(backend: Backend) {
    let app = spawn_app(backend).await;
    let s = subject_with_two_events(&app).await;
    let erased = app
        .client
        .post(url(&app, &s, "erasure"))
        .bearer_auth(&s.token)
        .send()
        .await
        .expect("POST");
    assert_eq!(erased.status(), 204);
    let reading = app.history(&s.id, &s.token).await;
    assert_eq!(error_code(reading, 410).await, "subject_erased");
    let mut body = app.consent_body("reject_all", json!({ "analytics": "denied" })).await;
    body["subject_id"] = json!(s.id);
    assert_eq!(
        error_code(app.post_consent(&body, Some(&s.token)).await, 410).await,
        "subject_erased"
    );
    assert_eq!(app.event_rows().await, 2, "the events stay");

    let exp = time::OffsetDateTime::now_utc().unix_timestamp() + 600;
    let admin = app
        .state
        .keys
        .sign(&ServiceClaims::new(vec!["demo".into()], Role::Owner, exp))
        .expect("sign");
    let report: VerifyReport = app
        .get_authed(format!("{}/v1/admin/sites/demo/verify", app.api), &admin)
        .await
        .json()
        .await
        .expect("json");
    assert!(report.ok, "{report:?}");
}
