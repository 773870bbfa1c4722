//! Identity links: the site's backend links subjects it holds (never one without its token),
//! unlinks them, and looks accounts up; refused calls write nothing. The sync itself is
//! tested in `sync`.

use crate::admin::{create_account, send, token_of};
use crate::helpers::{Backend, error_code, spawn_app};
use crate::identity_kit::{ACCOUNT, Device, assertion, link, link_device, rows, secret_of, site_secret};
use crate::on_both_backends;
use crate::webhooks::all;
use assent_server::ledger::SiteRecord;
use assent_shared::api::{ConsentRecorded, SyncResponse};
use assent_shared::consent::Decision;
use assent_shared::ids::{AccountId, SiteId};
use reqwest::Method as Http;
use serde_json::{Value, json};

use Decision::Granted;

on_both_backends!(
    a_site_links_a_subject_it_holds_and_linking_again_writes_nothing,
    a_link_without_the_site_secret_or_the_subjects_own_token_is_refused_and_writes_nothing,
    unlinking_stops_a_device_from_speaking_for_the_account,
    the_admin_looks_up_an_account_and_erasure_removes_its_link,
);

async fn a_site_links_a_subject_it_holds_and_linking_again_writes_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let secret = site_secret(&app).await;
    let mut a = Device::default();
    a.choose(&app, "accept_all", "banner", all("granted")).await;
    let body = json!({ "account_id": ACCOUNT, "subject_id": a.subject(), "subject_token": a.token() });
    let res = link(&app, Some(&secret), &body).await;
    assert_eq!(res.status(), 201);
    let first: Value = res.json().await.expect("link");
    assert_eq!(first["account_id"], ACCOUNT);
    assert_eq!(first["subject_id"], a.subject());
    assert_eq!(first["linked_by"], "site");
    let before = rows(&app).await;
    let res = link(&app, Some(&secret), &body).await;
    assert_eq!(res.status(), 200, "already linked");
    assert_eq!(res.json::<Value>().await.expect("link"), first);
    assert_eq!(rows(&app).await, before, "linking again wrote nothing");

    // Linked to another account, the subject's first link ends.
    let other = json!({ "account_id": "acct-7", "subject_id": a.subject(), "subject_token": a.token() });
    assert_eq!(link(&app, Some(&secret), &other).await.status(), 201);
    let site = SiteId::parse("demo").expect("site");
    let links = app
        .state
        .db
        .account_links(&site, &AccountId::parse(ACCOUNT).expect("account"))
        .await
        .expect("links");
    assert_eq!(links.len(), 1);
    assert!(links[0].unlinked_at.is_some(), "the first link ended");
}

async fn a_link_without_the_site_secret_or_the_subjects_own_token_is_refused_and_writes_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let secret = site_secret(&app).await;
    let (mut a, mut b) = (Device::default(), Device::default());
    a.choose(&app, "reject_all", "banner", all("denied")).await;
    b.choose(&app, "reject_all", "banner", all("denied")).await;
    let other_keys = tempfile::tempdir().expect("tempdir");
    let forged = assent_server::keys::Keys::load_or_create(&other_keys.path().join("k.json"))
        .expect("keys")
        .sign(&json!({ "aud": "assent:subject", "site": "demo", "sub": a.subject() }))
        .expect("sign");
    let unknown = uuid::Uuid::new_v4().to_string();
    let unknown_token = app
        .state
        .keys
        .sign(&json!({ "aud": "assent:subject", "site": "demo", "sub": unknown }))
        .expect("sign");
    let body =
        |subject: &str, token: &str| json!({ "account_id": ACCOUNT, "subject_id": subject, "subject_token": token });
    let shop = SiteRecord {
        id: SiteId::parse("shop").expect("site"),
        name: "Shop".into(),
        origins: vec![],
        regime_overrides: Default::default(),
        archived: false,
        starter_notice: false,
    };
    app.state.ledger.put_site(&shop).await.expect("site");
    let shops_secret = secret_of(&app, "shop").await;
    let before = rows(&app).await;

    // No secret, a made-up one, another site's, a subject token in its place.
    for secret in [
        None,
        Some("assent_sk_00000000_nope"),
        Some(shops_secret.as_str()),
        Some(b.token()),
    ] {
        let res = link(&app, secret, &body(a.subject(), a.token())).await;
        assert_eq!(error_code(res, 401).await, "unauthorized", "secret {secret:?}");
    }
    let res = app
        .client
        .post(format!("{}/v1/sites/demo/account-assertions", app.api))
        .json(&json!({ "account_id": ACCOUNT }))
        .send()
        .await
        .expect("POST");
    assert_eq!(
        error_code(res, 401).await,
        "unauthorized",
        "an assertion needs the secret"
    );
    // Another subject's token, a token from other keys, no token at all.
    for token in [b.token(), forged.as_str(), "not-a-token"] {
        let res = link(&app, Some(&secret), &body(a.subject(), token)).await;
        assert_eq!(res.status(), 403);
        let err: Value = res.json().await.expect("error");
        assert_eq!(err["error"]["code"], "credential_refused");
        assert_eq!(err["error"]["details"]["field"], "subject_token");
    }
    let missing = json!({ "account_id": ACCOUNT, "subject_id": a.subject() });
    assert_eq!(
        error_code(link(&app, Some(&secret), &missing).await, 422).await,
        "invalid_input"
    );
    let res = link(&app, Some(&secret), &body(&unknown, &unknown_token)).await;
    assert_eq!(error_code(res, 404).await, "subject_not_found");
    let spaced = json!({ "account_id": "a b", "subject_id": a.subject(), "subject_token": a.token() });
    let res = link(&app, Some(&secret), &spaced).await;
    assert_eq!(res.status(), 422);
    let err: Value = res.json().await.expect("error");
    assert_eq!(err["error"]["details"]["field"], "account_id");
    assert_eq!(rows(&app).await, before, "refused links wrote nothing");
}

async fn unlinking_stops_a_device_from_speaking_for_the_account(backend: Backend) {
    let app = spawn_app(backend).await;
    let secret = site_secret(&app).await;
    let mut a = Device::default();
    a.choose(&app, "accept_all", "banner", all("granted")).await;
    link_device(&app, &secret, &a).await;
    let mut b = Device::default();
    let synced: SyncResponse = b
        .sync(&app, &assertion(&app, &secret, ACCOUNT).await)
        .await
        .json()
        .await
        .expect("sync");
    b.adopt(&synced.recorded.expect("event"));

    let unlink = format!("{}/v1/sites/demo/identity-links/{}", app.api, a.subject());
    let res = app.client.delete(&unlink).send().await.expect("DELETE");
    assert_eq!(error_code(res, 401).await, "unauthorized");
    let res = app
        .client
        .delete(&unlink)
        .bearer_auth(&secret)
        .send()
        .await
        .expect("DELETE");
    assert_eq!(res.status(), 204);
    let res = app
        .client
        .delete(&unlink)
        .bearer_auth(&secret)
        .send()
        .await
        .expect("DELETE");
    assert_eq!(error_code(res, 404).await, "link_not_found");
    // The site's backend linked and unlinked: both audited, once each, without the account id.
    let actions: Vec<(String, String)> = sqlx::query_as("SELECT action, entry FROM audit_log ORDER BY seq")
        .fetch_all(&app.state.db.pool)
        .await
        .expect("audit");
    let count = |action: &str| actions.iter().filter(|(a, _)| a == action).count();
    assert_eq!(
        (count("identity_link"), count("identity_unlink")),
        (1, 1),
        "{actions:?}"
    );
    assert!(
        actions.iter().all(|(_, entry)| !entry.contains(ACCOUNT)),
        "no account id in the audit log"
    );
    assert!(
        actions.iter().any(|(_, entry)| entry.contains("site_secret")),
        "{actions:?}"
    );

    // A's withdrawal no longer reaches B: B's own chain holds only copies, never a choice.
    a.choose(&app, "withdraw", "banner", json!({ "analytics": "denied" }))
        .await;
    let events = app.event_rows().await;
    let res = b.sync(&app, &assertion(&app, &secret, ACCOUNT).await).await;
    assert_eq!(res.status(), 200);
    let synced: SyncResponse = res.json().await.expect("sync");
    assert!(synced.adopted.is_empty(), "{:?}", synced.adopted);
    assert_eq!(app.event_rows().await, events);
    assert_eq!(b.current(&app).await["analytics"], Granted);
}

async fn the_admin_looks_up_an_account_and_erasure_removes_its_link(backend: Backend) {
    let app = spawn_app(backend).await;
    let secret = site_secret(&app).await;
    let mut a = Device::default();
    let saved = a.choose(&app, "reject_all", "banner", all("denied")).await;
    link_device(&app, &secret, &a).await;
    let mut b = Device::default();
    let synced: SyncResponse = b
        .sync(&app, &assertion(&app, &secret, ACCOUNT).await)
        .await
        .json()
        .await
        .expect("sync");
    let recorded: ConsentRecorded = synced.recorded.expect("event");
    b.adopt(&recorded);
    create_account(&app, "admin@example.com", true).await;
    let admin = token_of(&app, "admin@example.com").await;
    let path = format!("/v1/admin/sites/demo/accounts/{ACCOUNT}");

    let res = send(&app, Http::GET, &path, Some(&admin), None).await;
    assert_eq!(res.status(), 200);
    let record: Value = res.json().await.expect("account");
    let subjects: Vec<&str> = record["subjects"]
        .as_array()
        .expect("subjects")
        .iter()
        .map(|s| s["link"]["subject_id"].as_str().expect("id"))
        .collect();
    assert_eq!(subjects, [b.subject(), a.subject()], "newest link first");
    assert_eq!(record["subjects"][0]["link"]["linked_by"], "sync");
    assert_eq!(record["subjects"][0]["current"]["analytics"]["decision"], "denied");
    assert_eq!(record["decisions"]["analytics"]["decided_at"], saved.recorded_at);
    let audit: Vec<Value> = send(&app, Http::GET, "/v1/admin/audit", Some(&admin), None)
        .await
        .json()
        .await
        .expect("audit");
    let entry = audit
        .iter()
        .find(|e| e["action"] == "account_lookup")
        .expect("the lookup is audited");
    assert_eq!(
        entry["details"]["account_id_hash"],
        app.state.keys.pseudonymize(ACCOUNT)
    );
    assert!(
        !entry.to_string().contains(ACCOUNT),
        "the audit log keeps no account id"
    );
    let res = send(
        &app,
        Http::GET,
        "/v1/admin/sites/demo/accounts/acct-0",
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(error_code(res, 404).await, "account_not_found");
    let res = send(
        &app,
        Http::GET,
        "/v1/admin/sites/demo/accounts/a%20b",
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(error_code(res, 422).await, "invalid_input");

    // Erasing B deletes its link: the account keeps only A.
    let erase = format!("{}/v1/sites/demo/subjects/{}/erasure", app.api, b.subject());
    let res = app
        .client
        .post(erase)
        .bearer_auth(b.token())
        .send()
        .await
        .expect("erasure");
    assert!(res.status().is_success(), "{}", res.status());
    let record: Value = send(&app, Http::GET, &path, Some(&admin), None)
        .await
        .json()
        .await
        .expect("account");
    assert_eq!(record["subjects"].as_array().map(Vec::len), Some(1));
    assert_eq!(record["subjects"][0]["link"]["subject_id"], a.subject());
}
