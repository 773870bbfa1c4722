//! Database outages (issue 15, item 6). Here: a database cut mid-run — a TCP proxy between
//! Assent and PostgreSQL that can go silent; the shared PostgreSQL server itself is never
//! stopped. While it is silent the API answers `503 database_unavailable` within about the
//! configured timeout instead of hanging, `/readyz` says why, and once it is back a retried
//! choice is recorded exactly once. [`storage`]: a database that is full or read-only.
//! [`sweep`]: every operation during an outage. Tests that need PostgreSQL end in
//! `on_postgres`, so the test command skips them (loudly) when it is not reachable. The
//! bounds are generous: measured delays are printed, not asserted tightly.

mod storage;
mod sweep;

use crate::helpers::{Backend, TestApp, spawn_app_with};
use serde_json::{Value, json};
use sqlx::Executor;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::copy_bidirectional;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// A TCP proxy to `upstream` that can be cut (every connection, new or open, goes silent:
/// bytes are neither forwarded nor refused, as on a broken network) and restored (the silent
/// connections are closed, new ones are forwarded).
struct Proxy {
    addr: SocketAddr,
    cut: watch::Sender<bool>,
}

impl Proxy {
    async fn start(upstream: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let addr = listener.local_addr().expect("proxy addr");
        let (cut, watching) = watch::channel(false);
        tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let mut rx = watching.clone();
                tokio::spawn(async move {
                    // A connection opened during the outage gets no answer until it ends.
                    if rx.wait_for(|cut| !*cut).await.is_err() {
                        return;
                    }
                    let Ok(mut outbound) = TcpStream::connect(upstream).await else {
                        return;
                    };
                    let mut cut_rx = rx.clone();
                    let went_silent = tokio::select! {
                        _ = copy_bidirectional(&mut inbound, &mut outbound) => false,
                        _ = cut_rx.wait_for(|cut| *cut) => true,
                    };
                    if went_silent {
                        // Both ends held open, unanswered, until the network is back.
                        let _ = rx.wait_for(|cut| !*cut).await;
                    }
                    drop((inbound, outbound));
                });
            }
        });
        Self { addr, cut }
    }

    fn set_cut(&self, cut: bool) {
        self.cut.send_replace(cut);
    }
}

fn through(url: &str, proxy: SocketAddr) -> String {
    let (scheme_user, rest) = url.split_once('@').expect("user@host in the URL");
    let (_, database) = rest.split_once('/').expect("database in the URL");
    format!("{scheme_user}@{proxy}/{database}")
}

/// A PostgreSQL-backed server that reaches its database through a [`Proxy`] that can be
/// cut, with `db_timeout_ms = 1000` and no per-client rate limit.
async fn behind_proxy() -> (Proxy, TestApp) {
    let proxy = Proxy::start("127.0.0.1:5432".parse().expect("addr")).await;
    let app = spawn_app_with(Backend::Postgres, |config| {
        config.database_url = through(&config.database_url, proxy.addr);
        config.db_timeout_ms = 1_000;
        config.public_rate_per_second = 0;
    })
    .await;
    (proxy, app)
}

/// Runs `sql` on every connection of the server's pool: all are taken at once, so each is a
/// different one, and every later query of the server runs on one of them.
pub async fn on_every_connection(app: &TestApp, sql: &str) {
    let pool = &app.state.db.pool;
    let mut held = Vec::new();
    for _ in 0..pool.options().get_max_connections() {
        held.push(pool.acquire().await.expect("a pooled connection"));
    }
    for conn in &mut held {
        conn.execute(sql).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
}

/// An answer as an outage test checks it: status, `error.code`, `error.details.reason` and
/// `Retry-After` (empty strings where absent).
#[derive(Debug, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub code: String,
    pub reason: String,
    pub retry_after: Option<String>,
}

pub async fn answer(res: reqwest::Response) -> Answer {
    let status = res.status().as_u16();
    let retry_after = res
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body: Value = res.json().await.unwrap_or(Value::Null);
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    Answer {
        status,
        code: text(&body["error"]["code"]),
        reason: text(&body["error"]["details"]["reason"]),
        retry_after,
    }
}

/// Rows in every table (but the background jobs' leases), read over a connection of its own.
pub async fn row_counts(app: &TestApp) -> Vec<(String, i64)> {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&app.database_url).await.expect("connect");
    let list = if app.database_url.starts_with("sqlite:") {
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'leases'"
    } else {
        "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'leases'"
    };
    let tables: Vec<String> = sqlx::query_scalar(list).fetch_all(&pool).await.expect("tables");
    let census: Vec<String> = tables
        .iter()
        .map(|t| format!("SELECT '{t}', COUNT(*) FROM {t}"))
        .collect();
    let mut counts: Vec<(String, i64)> = sqlx::query_as(&census.join(" UNION ALL "))
        .fetch_all(&pool)
        .await
        .expect("count rows");
    pool.close().await;
    counts.sort();
    counts
}

#[tokio::test]
async fn a_cut_database_answers_503_within_about_a_second_and_a_retry_is_recorded_once_on_postgres() {
    let (proxy, app) = behind_proxy().await;

    let first = app
        .consent_body("accept_all", json!({"functional": "granted", "analytics": "granted"}))
        .await;
    let res = app.post_consent(&first, None).await;
    assert_eq!(res.status(), 201);
    let recorded: Value = res.json().await.expect("JSON");
    let subject = recorded["subject_id"].as_str().expect("subject").to_owned();
    let token = recorded["subject_token"].as_str().expect("token").to_owned();
    let mut next = app.consent_body("withdraw", json!({"analytics": "denied"})).await;
    next["subject_id"] = json!(subject);

    proxy.set_cut(true);
    let started = Instant::now();
    let got = answer(app.post_consent(&next, Some(&token)).await).await;
    let waited = started.elapsed();
    println!("POST …/consents with the database cut: {got:?} after {waited:?}");
    assert_eq!(
        got,
        Answer {
            status: 503,
            code: "database_unavailable".into(),
            reason: "unreachable".into(),
            retry_after: Some("1".into())
        }
    );
    assert!(waited < Duration::from_secs(15), "answered after {waited:?}");

    // What a page needs to show its banner is still served: the loader and the notice last read.
    for path in [
        "/embed.js?site=demo",
        "/v1/sites/demo/notice?lang=en",
        "/v1/sites/demo/loader.json",
    ] {
        let started = Instant::now();
        let status = app.get(path).await.status();
        println!(
            "GET {path} with the database cut: {status} after {:?}",
            started.elapsed()
        );
        assert_eq!(status, 200, "{path}");
    }

    let started = Instant::now();
    let ready = answer(app.get("/readyz").await).await;
    println!("/readyz with the database cut: {ready:?} after {:?}", started.elapsed());
    assert_eq!((ready.status, ready.code.as_str()), (503, "not_ready"));
    let body: Value = app.get("/readyz").await.json().await.expect("JSON");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("database"),
        "{body}"
    );

    proxy.set_cut(false);
    // The banner resends the same event until it is acknowledged: it lands once.
    let mut answer = None;
    for _ in 0..60 {
        let res = app.post_consent(&next, Some(&token)).await;
        if res.status() == 201 {
            answer = Some(res);
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(answer.is_some(), "the database never came back");
    let again = app.post_consent(&next, Some(&token)).await;
    assert_eq!(again.status(), 201, "an idempotent retry");
    let history: Value = app.history(&subject, &token).await.json().await.expect("JSON");
    let methods: Vec<&str> = history["events"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["method"].as_str())
        .collect();
    assert_eq!(methods, ["accept_all", "withdraw"]);
    assert_eq!(app.get("/readyz").await.status(), 200);
}

/// A query already sent when the network goes gets no error, only silence: the request is
/// answered `503 database_unavailable` once it has waited five times `db_timeout_ms`.
#[tokio::test]
async fn a_query_in_flight_when_the_database_is_cut_is_answered_503_within_the_bound_on_postgres() {
    let (proxy, app) = behind_proxy().await;
    let first = app.consent_body("accept_all", json!({"analytics": "granted"})).await;
    let recorded: Value = app.post_consent(&first, None).await.json().await.expect("JSON");
    let subject = recorded["subject_id"].as_str().expect("subject").to_owned();
    let token = recorded["subject_token"].as_str().expect("token").to_owned();

    // Over a connection of its own, a lock the history read will wait for inside PostgreSQL:
    // its query is sent and unanswered when the network goes.
    let mut locker = <sqlx::PgConnection as sqlx::Connection>::connect(&app.database_url)
        .await
        .expect("a direct connection");
    locker.execute("BEGIN").await.expect("begin");
    locker
        .execute("LOCK TABLE consent_events IN ACCESS EXCLUSIVE MODE")
        .await
        .expect("lock");
    let read = async {
        let started = Instant::now();
        let res = tokio::time::timeout(Duration::from_secs(30), app.history(&subject, &token))
            .await
            .expect("an answer within 30 s");
        (answer(res).await, started.elapsed())
    };
    let cut = async {
        let waiting =
            "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'";
        for _ in 0..200 {
            let n: i64 = sqlx::query_scalar(waiting)
                .fetch_one(&mut locker)
                .await
                .expect("activity");
            if n > 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        proxy.set_cut(true);
        // PostgreSQL answers the read now; the answer never crosses.
        locker.execute("ROLLBACK").await.expect("rollback");
    };
    let ((got, waited), ()) = tokio::join!(read, cut);
    println!("GET history in flight when the database was cut: {got:?} after {waited:?}");
    assert_eq!(
        got,
        Answer {
            status: 503,
            code: "database_unavailable".into(),
            reason: "unreachable".into(),
            retry_after: Some("1".into())
        }
    );

    proxy.set_cut(false);
    let mut back = false;
    for _ in 0..60 {
        if app.history(&subject, &token).await.status() == 200 {
            back = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(back, "reads work again once the network is back");
}

/// An export is not bounded as a request is (its body streams for as long as a large ledger
/// takes), so each of its reads is: a database that goes silent mid-export ends the download
/// with an error within five times `db_timeout_ms`, instead of holding it open for good.
#[tokio::test]
async fn an_export_whose_database_is_cut_mid_stream_ends_with_an_error_on_postgres() {
    use assent_server::export::{self, ExportRequest, Format};
    use assent_server::ledger::EventFilter;
    use futures::StreamExt;
    let (proxy, app) = behind_proxy().await;
    for _ in 0..12 {
        let body = app.consent_body("accept_all", json!({"analytics": "granted"})).await;
        assert_eq!(app.post_consent(&body, None).await.status(), 201);
    }
    let site = assent_shared::ids::SiteId::parse("demo").expect("site");
    let request = ExportRequest {
        page_size: 1,
        ..ExportRequest::new(site, Format::Ndjson, EventFilter::default())
    };
    let mut stream = export::export_stream(app.state.ledger.as_ref(), app.state.keys.jwks(), request)
        .await
        .expect("an export");
    assert_eq!(stream.count.events, 12);
    let first = stream.body.next().await.expect("a first chunk").expect("its bytes");
    assert!(!first.is_empty());

    proxy.set_cut(true);
    let started = Instant::now();
    let rest = tokio::time::timeout(Duration::from_secs(60), stream.body.collect::<Vec<_>>())
        .await
        .expect("the export ended instead of hanging");
    let waited = started.elapsed();
    let delivered = rest.iter().filter(|chunk| chunk.is_ok()).count();
    println!("export with the database cut mid-stream: ended after {waited:?}, {delivered} more chunks");
    assert!(
        rest.last().is_some_and(Result::is_err),
        "the download ends with an error, not as if complete"
    );
    assert!(delivered < 11, "it stopped before the end: {delivered} more chunks");
    proxy.set_cut(false);
}
