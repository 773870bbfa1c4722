//! Statistics: the daily roll-ups count exactly what the ledger recorded (checked against a
//! rebuild from the events), filters narrow them, the banner funnel counts anonymously, and
//! bad queries are refused naming the field.

use crate::admin::{create_account, token_of};
use crate::export::record_story;
use crate::helpers::{Backend, TestApp, error_code, spawn_app};
use crate::on_both_backends;
use assent_server::ledger::rollup;
use serde_json::Value;
use sqlx::Row;
use std::time::{Duration, Instant};

on_both_backends!(
    statistics_count_every_recorded_event_by_purpose_method_language_and_funnel,
    roll_ups_kept_with_the_events_equal_a_rebuild_from_the_events,
    filters_narrow_by_purpose_regime_and_days,
    bad_queries_are_refused_naming_the_field,
    the_banner_counter_counts_only_pages_and_bounds_each_client,
);

async fn stats(app: &TestApp, token: &str, query: &str) -> Value {
    let res = app
        .get_authed(format!("{}/v1/admin/sites/demo/stats{query}", app.api), token)
        .await;
    assert_eq!(res.status(), 200, "stats{query}");
    res.json().await.expect("stats JSON")
}

/// Asks for the notice as the loader does for a visitor with no stored choice.
pub(crate) async fn show_banner(app: &TestApp, times: usize) {
    for _ in 0..times {
        let res = app
            .client
            .get(format!("{}/v1/sites/demo/notice?lang=en&first=1", app.api))
            .header("origin", &app.demo)
            .send()
            .await
            .expect("notice");
        assert_eq!(res.status(), 200);
    }
}

/// The counter as the database holds it, after this process's counts are added.
async fn shown(app: &TestApp) -> i64 {
    app.state.impressions.flush(&app.state.db).await.expect("flush");
    sqlx::query_scalar("SELECT CAST(COALESCE(SUM(count), 0) AS BIGINT) FROM banner_impressions")
        .fetch_one(&app.state.db.pool)
        .await
        .expect("sum")
}

fn n(v: &Value) -> u64 {
    v.as_u64().unwrap_or_else(|| panic!("a count, got {v}"))
}

async fn statistics_count_every_recorded_event_by_purpose_method_language_and_funnel(backend: Backend) {
    let app = spawn_app(backend).await;
    create_account(&app, "admin@example.com", true).await;
    let token = token_of(&app, "admin@example.com").await;
    record_story(&app).await;
    show_banner(&app, 5).await;
    // A returning visitor's request (no `first=1`) is not a banner shown.
    app.get("/v1/sites/demo/notice?lang=en").await;

    // The counter reaches the database within a flush interval; poll with a generous bound.
    let started = Instant::now();
    let report = loop {
        let report = stats(&app, &token, "").await;
        if n(&report["totals"]["funnel"]["banner_shown"]) >= 5 || started.elapsed() > Duration::from_secs(20) {
            break report;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let t = &report["totals"];
    assert_eq!(n(&t["events"]), 6);
    assert_eq!(n(&t["methods"]["reject_all"]), 1);
    assert_eq!(n(&t["methods"]["save"]), 4);
    assert_eq!(n(&t["methods"]["accept_all"]), 1);
    assert_eq!(n(&t["languages"]["en"]), 5);
    assert_eq!(n(&t["languages"]["de"]), 1);
    assert_eq!(n(&t["notice_versions"]["1"]), 6);
    assert_eq!(n(&t["gpc_events"]), 0);
    // A: denied, granted, denied; B: granted.
    assert_eq!(
        t["decisions"]["analytics"],
        serde_json::json!({ "granted": 1 + 1, "denied": 2 })
    );
    // A ×3 denied, B granted, C denied.
    assert_eq!(
        t["decisions"]["advertising"],
        serde_json::json!({ "granted": 1, "denied": 4 })
    );
    assert_eq!(n(&t["decisions"]["marketing_communications"]["granted"]), 1);
    // Three new subjects chose in the banner; five banners were shown.
    assert_eq!(
        t["funnel"],
        serde_json::json!({ "banner_shown": 5, "decided": 3, "ignored": 2 })
    );
    // Every event was recorded today: today's entry holds them all, the others none.
    let days = report["days"].as_array().expect("days");
    assert_eq!(days.len(), 30);
    let today = days.last().expect("today");
    assert_eq!(today["day"], report["to"]);
    assert_eq!(n(&today["events"]), 6);
    assert!(days[..29].iter().all(|d| n(&d["events"]) == 0));
    // A viewer of the site reads the same numbers.
    let regime = app.notice("en").await.regime;
    assert_eq!(n(&t["regimes"][assent_shared::wire_name(&regime)]), 6);
}

async fn stats_rows(app: &TestApp) -> Vec<(String, String, String, String, String, i64)> {
    sqlx::query(
        "SELECT purpose, day, regime, dimension, key, count FROM stats_daily WHERE site_id = 'demo' \
         ORDER BY purpose, day, regime, dimension, key",
    )
    .fetch_all(&app.state.db.pool)
    .await
    .expect("read roll-ups")
    .iter()
    .map(|r| {
        (
            r.get("purpose"),
            r.get("day"),
            r.get("regime"),
            r.get("dimension"),
            r.get("key"),
            r.get("count"),
        )
    })
    .collect()
}

async fn roll_ups_kept_with_the_events_equal_a_rebuild_from_the_events(backend: Backend) {
    let app = spawn_app(backend).await;
    record_story(&app).await;
    // A retried request (same event id and body) is a replay: it must not count twice.
    let mut body = app
        .consent_body("accept_all", serde_json::json!({ "analytics": "granted" }))
        .await;
    body["notice_hash"] = app.notice("en").await.notice_hash.into();
    for _ in 0..2 {
        let res = app.post_consent(&body, None).await;
        assert!(res.status().is_success(), "{}", res.status());
    }
    let kept = stats_rows(&app).await;
    assert!(kept.len() > 20, "roll-ups were written: {kept:?}");
    let mut tx = app.state.db.pool.begin().await.expect("begin");
    let counted = rollup::rebuild(&mut tx, app.state.db.backend, "demo")
        .await
        .expect("rebuild");
    tx.commit().await.expect("commit");
    assert_eq!(counted, 7);
    assert_eq!(stats_rows(&app).await, kept);

    // A ledger from before the roll-ups existed is counted once at startup.
    app.raw_sql("DELETE FROM stats_daily")
        .await
        .expect("forget the roll-ups");
    let counted = rollup::backfill(&app.state.db).await.expect("backfill");
    assert_eq!(counted, [("demo".to_owned(), 7)]);
    assert_eq!(stats_rows(&app).await, kept);
    assert!(rollup::backfill(&app.state.db).await.expect("again").is_empty());
}

async fn filters_narrow_by_purpose_regime_and_days(backend: Backend) {
    let app = spawn_app(backend).await;
    create_account(&app, "admin@example.com", true).await;
    let token = token_of(&app, "admin@example.com").await;
    record_story(&app).await;

    // Only A's three events and B's carried a decision on analytics.
    let report = stats(&app, &token, "?purpose=analytics").await;
    assert_eq!(report["purpose"], "analytics");
    assert_eq!(n(&report["totals"]["events"]), 4);
    let decisions = report["totals"]["decisions"].as_object().expect("decisions");
    assert_eq!(decisions.keys().collect::<Vec<_>>(), ["analytics"]);
    // The funnel ignores the purpose filter: banners show every purpose.
    assert_eq!(n(&report["totals"]["funnel"]["decided"]), 3);

    let regime = assent_shared::wire_name(&app.notice("en").await.regime);
    let other = if regime == "opt_in" { "opt_out" } else { "opt_in" };
    let same = stats(&app, &token, &format!("?regime={regime}")).await;
    assert_eq!(n(&same["totals"]["events"]), 6);
    let none = stats(&app, &token, &format!("?regime={other}")).await;
    assert_eq!(n(&none["totals"]["events"]), 0);
    assert_eq!(none["totals"]["decisions"], serde_json::json!({}));
    assert_eq!(n(&none["totals"]["funnel"]["decided"]), 0);

    let long_ago = stats(&app, &token, "?from=2020-02-27&to=2020-03-01").await;
    let days: Vec<&str> = long_ago["days"]
        .as_array()
        .expect("days")
        .iter()
        .map(|d| d["day"].as_str().expect("day"))
        .collect();
    assert_eq!(days, ["2020-02-27", "2020-02-28", "2020-02-29", "2020-03-01"]);
    assert_eq!(n(&long_ago["totals"]["events"]), 0);
}

async fn bad_queries_are_refused_naming_the_field(backend: Backend) {
    let app = spawn_app(backend).await;
    create_account(&app, "admin@example.com", true).await;
    let token = token_of(&app, "admin@example.com").await;
    for (query, field) in [
        ("?from=30.11.2026", "from"),
        ("?to=2026-02-30", "to"),
        ("?from=2026-11-02&to=2026-11-01", "to"),
        ("?from=2024-01-01&to=2026-11-30", "from"),
        ("?purpose=Not%20a%20key", "purpose"),
        ("?regime=gdpr", "regime"),
        ("?color=red", "color"),
    ] {
        let res = app
            .get_authed(format!("{}/v1/admin/sites/demo/stats{query}", app.api), &token)
            .await;
        assert_eq!(res.status(), 422, "{query}");
        let body: Value = res.json().await.expect("error JSON");
        assert_eq!(body["error"]["code"], "invalid_input", "{query}");
        assert_eq!(body["error"]["details"]["field"], field, "{query}: {body}");
    }
    let res = app.get("/v1/admin/sites/demo/stats").await;
    assert_eq!(error_code(res, 401).await, "unauthorized");
    // Every error carries the same keys, `details` included.
    let res = app.get("/assets/banner/no-such-file.js").await;
    assert_eq!(res.status(), 404);
    let body: Value = res.json().await.expect("JSON 404");
    assert_eq!(body["error"]["code"], "not_found");
    assert!(body["error"].as_object().expect("error").contains_key("details"));
}

async fn the_banner_counter_counts_only_pages_and_bounds_each_client(backend: Backend) {
    let app = spawn_app(backend).await;
    // Without `Origin` (an `<img>` tag or a `no-cors` fetch planted on another site, curl):
    // not a page's banner, not counted.
    for _ in 0..3 {
        let res = app.get("/v1/sites/demo/notice?lang=en&first=1").await;
        assert_eq!(res.status(), 200);
    }
    assert_eq!(shown(&app).await, 0);
    // Another site's page is refused by CORS and counts nothing either.
    let res = app
        .client
        .get(format!("{}/v1/sites/demo/notice?first=1", app.api))
        .header("origin", "https://elsewhere.example")
        .send()
        .await
        .expect("notice");
    assert_eq!(error_code(res, 403).await, "origin_not_allowed");
    assert_eq!(shown(&app).await, 0);
    // One client counts at most its per-minute allowance, however often it asks.
    let limit = assent_server::impressions::PER_CLIENT_PER_MINUTE;
    show_banner(&app, usize::try_from(limit).expect("small") * 3).await;
    assert_eq!(shown(&app).await, i64::from(limit));
}
