use crate::helpers::{Backend, spawn_app};
use crate::on_both_backends;
use assent_shared::ids::SiteId;
use serde_json::json;

on_both_backends!(
    the_database_refuses_to_change_or_delete_recorded_events,
    published_notices_are_immutable,
);

async fn the_database_refuses_to_change_or_delete_recorded_events(backend: Backend) {
    let app = spawn_app(backend).await;
    let body = app.consent_body("reject_all", json!({ "analytics": "denied" })).await;
    assert_eq!(app.post_consent(&body, None).await.status(), 201);
    let update = app.raw_sql("UPDATE consent_events SET event = 'forged'").await;
    assert!(update.is_err_and(|e| e.to_string().contains("append-only")));
    let delete = app.raw_sql("DELETE FROM consent_events").await;
    assert!(delete.is_err_and(|e| e.to_string().contains("append-only")));
    assert_eq!(app.event_rows().await, 1);
}

async fn published_notices_are_immutable(backend: Backend) {
    let app = spawn_app(backend).await;
    let site = SiteId::parse("demo").expect("site");
    let mut notice = app
        .state
        .ledger
        .latest_notice(&site)
        .await
        .expect("read")
        .expect("demo notice");
    app.state
        .ledger
        .publish_notice(&site, &notice)
        .await
        .expect("republishing the same notice is a no-op");
    notice.policy_version = "rewritten".into();
    assert!(app.state.ledger.publish_notice(&site, &notice).await.is_err());
    assert!(app.raw_sql("UPDATE notices SET body = '{}'").await.is_err());
    assert!(app.raw_sql("DELETE FROM notices").await.is_err());
}
