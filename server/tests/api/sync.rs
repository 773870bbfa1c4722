//! One choice across a signed-in user's devices: a device presenting an account assertion
//! adopts the account's most recent explicit choice as one `sync` event on its own chain; a
//! forged, expired or foreign assertion, or another subject's token, writes nothing.

use crate::helpers::{Backend, error_code, spawn_app};
use crate::identity_kit::{ACCOUNT, Device, after, assertion, decisions, key, link_device, rows, site_secret};
use crate::on_both_backends;
use crate::webhooks::all;
use assent_server::site_auth::AccountClaims;
use assent_shared::api::SyncResponse;
use assent_shared::consent::{ConsentState, Decision, Method, Source};
use assent_shared::ids::{AccountId, SiteId};
use serde_json::{Value, json};

use Decision::{Denied, Granted};

on_both_backends!(
    a_second_device_adopts_the_accounts_choice_and_later_its_withdrawal,
    an_expiry_never_beats_a_later_explicit_choice_on_another_device,
    forged_expired_and_foreign_assertions_are_refused_and_write_nothing,
);

async fn a_second_device_adopts_the_accounts_choice_and_later_its_withdrawal(backend: Backend) {
    let app = spawn_app(backend).await;
    let secret = site_secret(&app).await;
    let mut a = Device::default();
    let chosen = json!({ "functional": "granted", "analytics": "granted", "advertising": "denied" });
    let saved = a.choose(&app, "save", "panel", chosen).await;
    link_device(&app, &secret, &a).await;

    // Device B, signed in, has no subject yet: the sync creates it with A's choice.
    let mut b = Device::default();
    let res = b.sync(&app, &assertion(&app, &secret, ACCOUNT).await).await;
    assert_eq!(res.status(), 201);
    let synced: SyncResponse = res.json().await.expect("sync");
    let recorded = synced.recorded.expect("an event");
    b.adopt(&recorded);
    let want = decisions(&[("functional", Granted), ("analytics", Granted), ("advertising", Denied)]);
    let adopted: Vec<_> = synced
        .adopted
        .iter()
        .map(|(k, a)| (k.to_string(), a.decision))
        .collect();
    assert_eq!(adopted.into_iter().collect::<std::collections::BTreeMap<_, _>>(), want);
    assert!(synced.adopted.values().all(|a| a.decided_at == saved.recorded_at));
    let history = b.history(&app).await;
    assert_eq!(history.events.len(), 1, "one event");
    let event = &history.events[0];
    assert_eq!((event.method, event.source), (Method::Sync, Source::Account));
    assert_eq!(event.banner_build, None);
    assert_eq!(recorded.states[&key("analytics")], ConsentState::Given);
    assert_eq!(recorded.states[&key("advertising")], ConsentState::Refused);
    assert_eq!(b.current(&app).await, want);

    // In sync already: no second event.
    let events = app.event_rows().await;
    let res = b.sync(&app, &assertion(&app, &secret, ACCOUNT).await).await;
    assert_eq!(res.status(), 200);
    assert!(res.json::<SyncResponse>().await.expect("sync").recorded.is_none());
    assert_eq!(app.event_rows().await, events);

    // A withdraws analytics; B's next sync adopts just that, as a withdrawal.
    after(&recorded.recorded_at).await;
    a.choose(&app, "withdraw", "settings_page", json!({ "analytics": "denied" }))
        .await;
    let body = b.sync_body(&app, &assertion(&app, &secret, ACCOUNT).await).await;
    let res = b.send_sync(&app, &body).await;
    assert_eq!(res.status(), 201);
    let second = res.json::<SyncResponse>().await.expect("sync").recorded.expect("event");
    assert_eq!(second.states.len(), 1, "only what moved: {:?}", second.states);
    assert_eq!(second.states[&key("analytics")], ConsentState::Withdrawn);
    assert_eq!(b.current(&app).await["analytics"], Denied);
    // A retry of that sync gets the same event, not a second one.
    let events = app.event_rows().await;
    let retry = b.send_sync(&app, &body).await;
    assert_eq!(retry.status(), 201);
    let again = retry
        .json::<SyncResponse>()
        .await
        .expect("sync")
        .recorded
        .expect("event");
    assert_eq!((again.hash, again.receipt), (second.hash, second.receipt));
    assert_eq!(app.event_rows().await, events);

    // Device C sends Global Privacy Control: it never adopts a grant of a GPC-covered purpose.
    a.choose(&app, "accept_all", "banner", all("granted")).await;
    let mut c = Device::default();
    let mut body = c.sync_body(&app, &assertion(&app, &secret, ACCOUNT).await).await;
    body["gpc"] = json!(true);
    let synced: SyncResponse = c.send_sync(&app, &body).await.json().await.expect("sync");
    assert!(!synced.adopted.contains_key(&key("advertising")));
    assert_eq!(synced.adopted[&key("analytics")].decision, Granted);
    c.adopt(&synced.recorded.expect("event"));
    let event = &c.history(&app).await.events[0];
    assert!(event.gpc && event.signal_source.is_some());
}

async fn an_expiry_never_beats_a_later_explicit_choice_on_another_device(backend: Backend) {
    let app = spawn_app(backend).await;
    let secret = site_secret(&app).await;
    let mut a = Device::default();
    let accepted = a.choose(&app, "accept_all", "banner", all("granted")).await;
    link_device(&app, &secret, &a).await;
    let mut b = Device::default();
    b.choose(&app, "reject_all", "banner", all("denied")).await;
    after(&accepted.recorded_at).await;
    let explicit = b
        .choose(
            &app,
            "save",
            "panel",
            json!({ "functional": "granted", "analytics": "granted", "advertising": "denied" }),
        )
        .await;
    link_device(&app, &secret, &b).await;
    // Later still, A's analytics and functional consents expire there.
    after(&explicit.recorded_at).await;
    let mut expiry = app
        .consent_body("expire", json!({ "analytics": "denied", "functional": "denied" }))
        .await;
    expiry["source"] = json!("system");
    expiry["subject_id"] = json!(a.subject());
    let res = app.post_consent(&expiry, Some(a.token())).await;
    assert_eq!(res.status(), 201);

    // A's sync adopts B's explicit choice: the expiry does not win for being more recent.
    let res = a.sync(&app, &assertion(&app, &secret, ACCOUNT).await).await;
    assert_eq!(res.status(), 201);
    let synced: SyncResponse = res.json().await.expect("sync");
    assert!(synced.adopted.values().all(|d| d.decided_at == explicit.recorded_at));
    let states = synced.recorded.expect("event").states;
    assert_eq!(states[&key("analytics")], ConsentState::Renewed);
    assert_eq!(states[&key("functional")], ConsentState::Renewed);
    assert_eq!(states[&key("advertising")], ConsentState::Withdrawn);
    assert_eq!(
        a.current(&app).await,
        decisions(&[("functional", Granted), ("analytics", Granted), ("advertising", Denied)])
    );
}

async fn forged_expired_and_foreign_assertions_are_refused_and_write_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let secret = site_secret(&app).await;
    let (mut a, mut b) = (Device::default(), Device::default());
    a.choose(&app, "accept_all", "banner", all("granted")).await;
    link_device(&app, &secret, &a).await;
    b.choose(&app, "reject_all", "banner", all("denied")).await;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let account = AccountId::parse(ACCOUNT).expect("account");
    let demo = SiteId::parse("demo").expect("site");
    let keys = &app.state.keys;
    let expired = keys
        .sign(&AccountClaims::new(&demo, &account, now - 600))
        .expect("sign");
    let other_site = keys
        .sign(&AccountClaims::new(
            &SiteId::parse("shop").expect("site"),
            &account,
            now,
        ))
        .expect("sign");
    let other_keys = tempfile::tempdir().expect("tempdir");
    let forged = assent_server::keys::Keys::load_or_create(&other_keys.path().join("k.json"))
        .expect("keys")
        .sign(&AccountClaims::new(&demo, &account, now))
        .expect("sign");
    let valid = assertion(&app, &secret, ACCOUNT).await;
    let claims: AccountClaims = keys
        .verify_token(&valid, assent_server::auth::Audience::Account, true)
        .expect("a genuine assertion");
    assert_eq!((claims.site.as_str(), claims.sub.as_str()), ("demo", ACCOUNT));
    assert_eq!(claims.exp - claims.iat, 300, "valid for five minutes");
    let before = rows(&app).await;

    for (what, bad) in [
        ("expired", expired.as_str()),
        ("another site's", other_site.as_str()),
        ("forged", forged.as_str()),
        ("a subject token", b.token()),
        ("garbage", "x.y.z"),
    ] {
        for device in [&b, &Device::default()] {
            let res = device.sync(&app, bad).await;
            assert_eq!(res.status(), 403, "{what}");
            let err: Value = res.json().await.expect("error");
            assert_eq!(err["error"]["code"], "credential_refused", "{what}");
            assert_eq!(err["error"]["details"]["field"], "assertion", "{what}");
        }
    }
    // A valid assertion with another subject's token, or none.
    let mut stolen = b.clone();
    stolen.token = a.token.clone();
    let res = stolen.sync(&app, &valid).await;
    assert_eq!(error_code(res, 403).await, "forbidden");
    stolen.token = None;
    assert_eq!(error_code(stolen.sync(&app, &valid).await, 401).await, "unauthorized");
    assert_eq!(rows(&app).await, before, "refused syncs wrote nothing");
}
