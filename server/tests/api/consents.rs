use crate::helpers::{Backend, error_code, spawn_app};
use crate::on_both_backends;
use assent_shared::api::{ConsentHistory, ConsentRecorded};
use assent_shared::canonical::first_broken;
use assent_shared::consent::GENESIS_HASH;
use serde_json::{Value, json};

on_both_backends!(
    a_first_event_creates_a_subject_with_a_token_and_a_receipt,
    the_receipt_verifies_with_nothing_but_the_jwks_document,
    later_events_extend_the_same_chain,
    appending_without_the_subject_token_is_refused_and_writes_nothing,
    a_token_for_another_subject_is_forbidden,
    a_retry_with_the_same_event_id_and_body_gets_the_same_answer_and_writes_once,
    a_first_event_read_back_from_the_ledger_does_not_yield_the_subject_token,
    reusing_an_event_id_with_another_body_is_a_conflict,
    every_bad_input_gets_a_specific_error_and_writes_nothing,
    concurrent_appends_to_one_subject_keep_the_chain_linear,
    a_sec_gpc_header_is_recorded_on_the_event_with_its_source,
    an_expiry_is_recorded_and_the_next_grant_is_a_renewal,
);

async fn an_expiry_is_recorded_and_the_next_grant_is_a_renewal(backend: Backend) {
    use assent_shared::consent::ConsentState;
    let app = spawn_app(backend).await;
    let all = |d: &str| json!({ "functional": d, "analytics": d, "advertising": d });
    let first: ConsentRecorded = app
        .post_consent(&app.consent_body("accept_all", all("granted")).await, None)
        .await
        .json()
        .await
        .expect("json");
    let token = first.subject_token.clone().expect("token");
    let mut expire = app.consent_body("expire", all("denied")).await;
    expire["subject_id"] = json!(first.subject_id);
    expire["source"] = json!("system");
    let expired: ConsentRecorded = app
        .post_consent(&expire, Some(&token))
        .await
        .json()
        .await
        .expect("json");
    assert!(
        expired.states.values().all(|s| *s == ConsentState::Expired),
        "{:?}",
        expired.states
    );
    let mut again = app.consent_body("accept_all", all("granted")).await;
    again["subject_id"] = json!(first.subject_id);
    let renewed: ConsentRecorded = app.post_consent(&again, Some(&token)).await.json().await.expect("json");
    assert!(
        renewed.states.values().all(|s| *s == ConsentState::Renewed),
        "{:?}",
        renewed.states
    );
    let current: assent_shared::api::CurrentState = app
        .get_authed(
            format!("{}/v1/sites/demo/subjects/{}/current", app.api, first.subject_id),
            &token,
        )
        .await
        .json()
        .await
        .expect("json");
    assert!(current.purposes.values().all(|c| c.state == ConsentState::Renewed));
}

async fn a_sec_gpc_header_is_recorded_on_the_event_with_its_source(backend: Backend) {
    let app = spawn_app(backend).await;
    let body = app.consent_body("reject_all", rejected_all()).await;
    let res = app
        .client
        .post(format!("{}/v1/sites/demo/consents", app.api))
        .header("sec-gpc", "1")
        .json(&body)
        .send()
        .await
        .expect("POST");
    let rec: ConsentRecorded = res.json().await.expect("json");
    let h: ConsentHistory = app.history_of(&rec).await;
    assert!(h.events[0].gpc);
    assert_eq!(
        h.events[0].signal_source,
        Some(assent_shared::consent::SignalSource::Header)
    );
    let mut js = app.consent_body("gpc", json!({ "advertising": "denied" })).await;
    js["source"] = json!("signal");
    js["gpc"] = json!(true);
    js["signal_source"] = json!("js");
    let rec: ConsentRecorded = app.post_consent(&js, None).await.json().await.expect("json");
    let h: ConsentHistory = app.history_of(&rec).await;
    assert_eq!(
        (h.events[0].method, h.events[0].signal_source),
        (
            assent_shared::consent::Method::Gpc,
            Some(assent_shared::consent::SignalSource::Js)
        )
    );
    let mut granting = js.clone();
    granting["event_id"] = json!(uuid::Uuid::new_v4().to_string());
    granting["decisions"] = json!({ "advertising": "granted" });
    assert_eq!(
        error_code(app.post_consent(&granting, None).await, 422).await,
        "invalid_input"
    );
}

fn rejected_all() -> Value {
    json!({ "functional": "denied", "analytics": "denied", "advertising": "denied" })
}

async fn record_first(app: &crate::helpers::TestApp) -> ConsentRecorded {
    let body = app.consent_body("reject_all", rejected_all()).await;
    let res = app.post_consent(&body, None).await;
    assert_eq!(res.status(), 201);
    res.json().await.expect("recorded JSON")
}

async fn a_first_event_creates_a_subject_with_a_token_and_a_receipt(backend: Backend) {
    let app = spawn_app(backend).await;
    let recorded = record_first(&app).await;
    assert_eq!(recorded.seq, 1);
    assert_eq!(recorded.hash.len(), 64);
    assert_eq!(recorded.receipt.split('.').count(), 3, "compact JWS");
    let token = recorded.subject_token.expect("first event issues a subject token");
    let history: ConsentHistory = app
        .history(recorded.subject_id.as_str(), &token)
        .await
        .json()
        .await
        .expect("history JSON");
    assert_eq!(history.events.len(), 1);
    let event = &history.events[0];
    assert_eq!(event.prev_hash, GENESIS_HASH);
    assert_eq!(event.hash, recorded.hash);
    assert_eq!(event.banner_build.as_deref(), Some("test-build"));
    assert_eq!(event.regime.as_str(), "opt_in");
    assert_eq!(first_broken(&history.events), None);
}

async fn the_receipt_verifies_with_nothing_but_the_jwks_document(backend: Backend) {
    let app = spawn_app(backend).await;
    let recorded = record_first(&app).await;
    let jwks: Value = app
        .client
        .get(format!("{}/.well-known/jwks.json", app.api))
        .send()
        .await
        .expect("jwks")
        .json()
        .await
        .expect("json");
    let header = jsonwebtoken::decode_header(&recorded.receipt).expect("header");
    let jwk = jwks["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .find(|k| k["kid"].as_str() == header.kid.as_deref())
        .expect("the receipt's kid is published");
    let key = jsonwebtoken::DecodingKey::from_ed_components(jwk["x"].as_str().expect("x")).expect("key");
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::EdDSA);
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    validation.set_audience(&["assent:receipt"]);
    let claims = jsonwebtoken::decode::<Value>(&recorded.receipt, &key, &validation)
        .expect("receipt verifies")
        .claims;
    assert_eq!(claims["hash"], json!(recorded.hash));
    assert_eq!(claims["event_id"], json!(recorded.event_id));
    assert_eq!(claims["decisions"], rejected_all());

    // A receipt whose payload was altered does not verify.
    let parts: Vec<&str> = recorded.receipt.split('.').collect();
    use base64::Engine;
    let forged_payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(serde_json::to_vec(&json!({ "hash": "0".repeat(64) })).expect("json"));
    let forged = format!("{}.{forged_payload}.{}", parts[0], parts[2]);
    assert!(jsonwebtoken::decode::<Value>(&forged, &key, &validation).is_err());
}

async fn later_events_extend_the_same_chain(backend: Backend) {
    let app = spawn_app(backend).await;
    let first = record_first(&app).await;
    let token = first.subject_token.clone().expect("token");
    let mut body = app
        .consent_body(
            "save",
            json!({ "functional": "denied", "analytics": "granted", "advertising": "denied" }),
        )
        .await;
    body["subject_id"] = json!(first.subject_id);
    body["source"] = json!("panel");
    let res = app.post_consent(&body, Some(&token)).await;
    assert_eq!(res.status(), 201);
    let second: ConsentRecorded = res.json().await.expect("json");
    assert_eq!(second.seq, 2);
    assert_eq!(second.subject_token, None, "the token is issued once");
    let analytics = assent_shared::ids::PurposeKey::parse("analytics").expect("key");
    assert_eq!(second.states[&analytics], assent_shared::consent::ConsentState::Given);
    let history: ConsentHistory = app
        .history(first.subject_id.as_str(), &token)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(history.events.len(), 2);
    assert_eq!(history.events[1].prev_hash, first.hash);
    assert_eq!(first_broken(&history.events), None);
}

async fn appending_without_the_subject_token_is_refused_and_writes_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let first = record_first(&app).await;
    let mut body = app.consent_body("reject_all", rejected_all()).await;
    body["subject_id"] = json!(first.subject_id);
    assert_eq!(
        error_code(app.post_consent(&body, None).await, 401).await,
        "unauthorized"
    );
    assert_eq!(
        error_code(app.post_consent(&body, Some("not-a-token")).await, 401).await,
        "unauthorized"
    );
    let reading = app
        .get(&format!("/v1/sites/demo/subjects/{}/consents", first.subject_id))
        .await;
    assert_eq!(error_code(reading, 401).await, "unauthorized");
    assert_eq!(app.event_rows().await, 1);
}

async fn a_token_for_another_subject_is_forbidden(backend: Backend) {
    let app = spawn_app(backend).await;
    let alice = record_first(&app).await;
    let bob = record_first(&app).await;
    let bob_token = bob.subject_token.expect("token");
    let mut body = app.consent_body("reject_all", rejected_all()).await;
    body["subject_id"] = json!(alice.subject_id);
    assert_eq!(
        error_code(app.post_consent(&body, Some(&bob_token)).await, 403).await,
        "forbidden"
    );
    assert_eq!(
        error_code(app.history(alice.subject_id.as_str(), &bob_token).await, 403).await,
        "forbidden"
    );
    assert_eq!(app.event_rows().await, 2);
}

async fn a_retry_with_the_same_event_id_and_body_gets_the_same_answer_and_writes_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut body = app
        .consent_body(
            "accept_all",
            json!({ "functional": "granted", "analytics": "granted", "advertising": "granted" }),
        )
        .await;
    body["retry_secret"] = json!("9b2f0c1e-5d7a-4e3b-8c6f-1a2b3c4d5e6f");
    let first = app.post_consent(&body, None).await;
    assert_eq!(first.status(), 201);
    let first = first.text().await.expect("body");
    let again = app.post_consent(&body, None).await;
    assert_eq!(again.status(), 201);
    assert_eq!(
        again.text().await.expect("body"),
        first,
        "byte-identical answer, token included"
    );
    assert_eq!(app.event_rows().await, 1);
}

/// Everything in a recorded body can be read back — by a site's viewer, from an export — so
/// replaying it must not yield the subject's token, or anyone who can read the ledger could
/// append in the visitor's name (found by an adversarial trial).
async fn a_first_event_read_back_from_the_ledger_does_not_yield_the_subject_token(backend: Backend) {
    let app = spawn_app(backend).await;
    let all = |d: &str| json!({ "functional": d, "analytics": d, "advertising": d });
    // Sent without a retry_secret: a retry is answered, recorded once, but without the token.
    let plain = app.consent_body("accept_all", all("granted")).await;
    let first: ConsentRecorded = app.post_consent(&plain, None).await.json().await.expect("json");
    assert!(first.subject_token.is_some());
    let replay: ConsentRecorded = app.post_consent(&plain, None).await.json().await.expect("json");
    assert_eq!(replay.subject_token, None);
    assert_eq!(
        (replay.subject_id, replay.seq, replay.hash),
        (first.subject_id, 1, first.hash)
    );
    // Sent with one: the body as the ledger keeps it (no secret) is another body.
    let mut secret = app.consent_body("reject_all", all("denied")).await;
    secret["retry_secret"] = json!("Zk3_q9VhXw2-pL7sT0aBcD4e");
    let recorded: ConsentRecorded = app.post_consent(&secret, None).await.json().await.expect("json");
    assert!(recorded.subject_token.is_some());
    let mut read_back = secret.clone();
    read_back.as_object_mut().expect("object").remove("retry_secret");
    assert_eq!(
        error_code(app.post_consent(&read_back, None).await, 409).await,
        "conflict"
    );
    let mut guessed = secret.clone();
    guessed["retry_secret"] = json!("Zk3_q9VhXw2-pL7sT0aBcD4f");
    assert_eq!(
        error_code(app.post_consent(&guessed, None).await, 409).await,
        "conflict"
    );
    assert_eq!(app.event_rows().await, 2);
}

async fn reusing_an_event_id_with_another_body_is_a_conflict(backend: Backend) {
    let app = spawn_app(backend).await;
    let body = app.consent_body("reject_all", rejected_all()).await;
    assert_eq!(app.post_consent(&body, None).await.status(), 201);
    let mut other = body.clone();
    other["method"] = json!("save");
    assert_eq!(error_code(app.post_consent(&other, None).await, 409).await, "conflict");
    assert_eq!(app.event_rows().await, 1);
}

async fn every_bad_input_gets_a_specific_error_and_writes_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let good = app.consent_body("reject_all", rejected_all()).await;
    let with = |key: &str, value: Value| {
        let mut b = good.clone();
        b[key] = value;
        b
    };
    let cases: Vec<(&str, Value, u16, &str)> = vec![
        ("bad event id", with("event_id", json!("42")), 422, "invalid_input"),
        ("unknown method", with("method", json!("maybe")), 422, "invalid_input"),
        ("unknown field", with("extra", json!(1)), 422, "invalid_input"),
        (
            "short retry secret",
            with("retry_secret", json!("abc")),
            422,
            "invalid_input",
        ),
        (
            "retry secret with a space",
            with("retry_secret", json!("abcdefghij klmnopqrstuvwxyz")),
            422,
            "invalid_input",
        ),
        (
            "unknown purpose",
            with("decisions", json!({ "telepathy": "granted" })),
            422,
            "invalid_input",
        ),
        (
            "necessary purpose",
            with("decisions", json!({ "necessary": "denied" })),
            422,
            "invalid_input",
        ),
        ("no decisions", with("decisions", json!({})), 422, "invalid_input"),
        (
            "accept with a denial",
            with("method", json!("accept_all")),
            422,
            "invalid_input",
        ),
        (
            "sensitive in accept all",
            {
                let mut b = with("method", json!("accept_all"));
                b["decisions"] = json!({ "precise_location": "granted" });
                b
            },
            422,
            "invalid_input",
        ),
        (
            "stale notice hash",
            with("notice_hash", json!("0".repeat(64))),
            422,
            "notice_mismatch",
        ),
        (
            "unpublished version",
            with("notice_version", json!(99)),
            422,
            "invalid_input",
        ),
        (
            "language not offered",
            with("language", json!("ja")),
            422,
            "invalid_input",
        ),
        (
            "bad client time",
            with("client_time", json!("yesterday")),
            422,
            "invalid_input",
        ),
        ("gpc without source", with("gpc", json!(true)), 422, "invalid_input"),
        (
            "unknown subject",
            with("subject_id", json!(uuid::Uuid::new_v4().to_string())),
            401,
            "unauthorized",
        ),
    ];
    for (name, body, status, code) in cases {
        let res = app.post_consent(&body, None).await;
        assert_eq!(res.status(), status, "{name}");
        assert_eq!(error_code(res, status).await, code, "{name}");
    }
    let malformed = app
        .client
        .post(format!("{}/v1/sites/demo/consents", app.api))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("POST");
    assert_eq!(error_code(malformed, 400).await, "malformed_body");
    let no_type = app
        .client
        .post(format!("{}/v1/sites/demo/consents", app.api))
        .body(good.to_string())
        .send()
        .await
        .expect("POST");
    assert_eq!(error_code(no_type, 400).await, "malformed_body");
    let no_site = app
        .client
        .post(format!("{}/v1/sites/nowhere/consents", app.api))
        .json(&good)
        .send()
        .await
        .expect("POST");
    assert_eq!(error_code(no_site, 404).await, "site_not_found");
    assert_eq!(app.event_rows().await, 0);
}

async fn concurrent_appends_to_one_subject_keep_the_chain_linear(backend: Backend) {
    let app = spawn_app(backend).await;
    let first = record_first(&app).await;
    let token = first.subject_token.clone().expect("token");
    let mut bodies = Vec::new();
    for i in 0..24 {
        let analytics = if i % 2 == 0 { "granted" } else { "denied" };
        let mut body = app
            .consent_body(
                "save",
                json!({ "functional": "denied", "analytics": analytics, "advertising": "denied" }),
            )
            .await;
        body["subject_id"] = json!(first.subject_id);
        bodies.push(body);
    }
    let sends = bodies.iter().map(|b| app.post_consent(b, Some(&token)));
    for res in futures::future::join_all(sends).await {
        assert_eq!(res.status(), 201);
    }
    let history: ConsentHistory = app
        .history(first.subject_id.as_str(), &token)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(history.events.len(), 25);
    let seqs: Vec<u64> = history.events.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (1..=25).collect::<Vec<_>>());
    assert_eq!(first_broken(&history.events), None);
}
