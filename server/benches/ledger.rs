//! Ledger write benchmark: events/s and p50/p99 latency of `POST /v1/sites/{site}/consents`
//! over real HTTP at 1, 16 and 64 concurrent clients, for (a) one transaction per event and
//! (b) group commit, on SQLite and PostgreSQL, plus (c) the raw ceiling: the same rows with the
//! same hashing and signing work, appended in batches straight through sqlx, no HTTP, and
//! (d) the baseline: the same event rows as plain batched inserts, none of the ledger's work,
//! and (e) on PostgreSQL, two `assent serve` processes on one database with every client's
//! requests alternating between them. Every database is verified afterwards.
//!
//!     cargo bench -p assent-server --bench ledger            # ASSENT_BENCH_SECS=3 per cell
//!     ASSENT_BENCH_ONLY=sqlite cargo bench -p assent-server --bench ledger   # one backend
//!
//! PostgreSQL: `ASSENT_TEST_POSTGRES_URL` (default postgres://postgres@127.0.0.1:5432/postgres);
//! skipped with a note when unreachable.

use assent_server::config::Config;
use assent_server::ledger::{self, NewEvent, verify};
use assent_server::startup::Application;
use assent_shared::api::{ConsentRecorded, NoticeResponse};
use assent_shared::consent::{ConsentEvent, Decision, Decisions, EVENT_SCHEMA_VERSION, Method, Source};
use assent_shared::ids::{EventId, PurposeKey, SiteId, SubjectId};
use assent_shared::notice::LocalizedNotice;
use assent_shared::regime::Regime;
use serde_json::json;
use sqlx::Executor;
use std::time::{Duration, Instant};

const CLIENTS: [usize; 3] = [1, 16, 64];
const RAW_BATCH: usize = 64;

struct Cell {
    label: String,
    events: usize,
    secs: f64,
    p50_ms: f64,
    p99_ms: f64,
}

fn secs_per_cell() -> Duration {
    let s = std::env::var("ASSENT_BENCH_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3.0);
    Duration::from_secs_f64(s)
}

/// The PostgreSQL databases this run made, dropped at its end.
static CREATED: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

async fn drop_created() {
    let admin = std::env::var("ASSENT_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let names = std::mem::take(&mut *CREATED.lock().expect("list"));
    let Ok(mut conn) = <sqlx::PgConnection as sqlx::Connection>::connect(&admin).await else {
        return;
    };
    for name in names {
        if let Err(e) = conn
            .execute(format!("DROP DATABASE {name} WITH (FORCE)").as_str())
            .await
        {
            eprintln!("could not drop {name}: {e}");
        }
    }
}

async fn database(backend: &str, dir: &std::path::Path, tag: &str) -> Option<String> {
    match backend {
        "sqlite" => Some(format!("sqlite://{}", dir.join(format!("{tag}.db")).display())),
        _ => {
            let admin = std::env::var("ASSENT_TEST_POSTGRES_URL")
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
            let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&admin).await.ok()?;
            let name = format!("assent_bench_{tag}_{}", uuid::Uuid::new_v4().simple());
            conn.execute(format!("CREATE DATABASE {name}").as_str()).await.ok()?;
            CREATED.lock().expect("list").push(name.clone());
            let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b).to_owned();
            Some(format!("{base}/{name}"))
        }
    }
}

/// A fake built banner in `dir/dist`, so readiness holds (the benchmark loads no banner).
fn fake_dist(dir: &std::path::Path) -> std::path::PathBuf {
    let dist = dir.join("dist/banner");
    std::fs::create_dir_all(&dist).expect("dist");
    std::fs::write(dist.join("assent-banner-x.js"), "").expect("js");
    std::fs::write(dist.join("assent-banner-x_bg.wasm"), "").expect("wasm");
    dir.join("dist")
}

async fn http_run(url: &str, dir: &std::path::Path, batch_max: usize, clients: usize, label: String) -> Cell {
    let config = Config {
        bind: "127.0.0.1:0".parse().expect("addr"),
        demo: true,
        demo_bind: "127.0.0.1:0".parse().expect("addr"),
        database_url: url.to_owned(),
        dist_dir: fake_dist(dir),
        key_file: dir.join("keys.json"),
        checkpoint_file: dir.join("checkpoints.jsonl"),
        checkpoint_interval_secs: 0,
        batch_max,
        // The benchmark measures the ledger: every client is 127.0.0.1, which the public
        // API's per-client limit would otherwise throttle.
        public_rate_per_second: 0,
        site_rate_per_second: 0,
        ..Config::default()
    };
    let app = Application::build(config).await.expect("build");
    let api = format!("http://{}", app.api_addr());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until_stopped(async move {
        let _ = stopped.await;
    }));
    let cell = drive(&[api], clients, label).await;
    let _ = stop.send(());
    let _ = server.await;
    cell
}

/// A port free now on 127.0.0.1.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// Two `assent serve` processes (the release binary) on one database, group commit, each
/// client's requests alternating between them — so both processes append to the same chains.
async fn two_processes(url: &str, dir: &std::path::Path, clients: usize, label: String) -> Cell {
    let dist = fake_dist(dir);
    let mut children = Vec::new();
    let mut apis = Vec::new();
    for _ in 0..2 {
        let (port, demo_port) = (free_port(), free_port());
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_assent"))
            .arg("serve")
            .env("ASSENT_DATABASE_URL", url)
            .env("ASSENT_BIND", format!("127.0.0.1:{port}"))
            .env("ASSENT_DEMO", "1")
            .env("ASSENT_DEMO_BIND", format!("127.0.0.1:{demo_port}"))
            .env("ASSENT_DIST_DIR", &dist)
            .env("ASSENT_KEY_FILE", dir.join("keys.json"))
            .env("ASSENT_CHECKPOINT_FILE", dir.join("checkpoints.jsonl"))
            .env("ASSENT_CHECKPOINT_INTERVAL_SECS", "0")
            .env("ASSENT_PUBLIC_RATE_PER_SECOND", "0")
            .env("ASSENT_SITE_RATE_PER_SECOND", "0")
            .env("ASSENT_LOG", "error")
            .spawn()
            .expect("start assent serve");
        children.push(child);
        let api = format!("http://127.0.0.1:{port}");
        // One at a time: the first seeds the demo site and its key file for both.
        let deadline = Instant::now() + Duration::from_secs(60);
        while reqwest::get(format!("{api}/readyz"))
            .await
            .map(|r| r.status().as_u16())
            .ok()
            != Some(200)
        {
            assert!(Instant::now() < deadline, "{api} never became ready");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        apis.push(api);
    }
    let cell = drive(&apis, clients, label).await;
    for mut child in children {
        let _ = child.kill();
        let _ = child.wait();
    }
    cell
}

/// `clients` closed-loop clients, each with its own subject, for one cell's time; request `n`
/// of client `c` goes to `apis[(c + n) % apis.len()]`.
async fn drive(apis: &[String], clients: usize, label: String) -> Cell {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(128)
        .build()
        .expect("client");
    let notice: NoticeResponse = client
        .get(format!("{}/v1/sites/demo/notice", apis[0]))
        .send()
        .await
        .expect("notice")
        .json()
        .await
        .expect("json");
    let until = Instant::now() + secs_per_cell();
    let started = Instant::now();
    let tasks: Vec<_> = (0..clients)
        .map(|c| {
            let (client, apis, notice) = (client.clone(), apis.to_vec(), notice.clone());
            tokio::spawn(async move {
                let mut lat = Vec::new();
                let mut subject: Option<(String, String)> = None;
                let mut i = 0u64;
                while Instant::now() < until {
                    i += 1;
                    let api = &apis[(c + i as usize) % apis.len()];
                    let mut body = json!({
                        "event_id": uuid::Uuid::new_v4().to_string(),
                        "notice_version": notice.notice.version,
                        "notice_hash": notice.notice_hash,
                        "language": "en",
                        "method": "save",
                        "source": "panel",
                        "decisions": { "analytics": if i.is_multiple_of(2) { "granted" } else { "denied" }, "advertising": "denied" },
                    });
                    let mut req = client.post(format!("{api}/v1/sites/demo/consents"));
                    if let Some((s, t)) = &subject {
                        body["subject_id"] = json!(s);
                        req = req.bearer_auth(t);
                    }
                    let t0 = Instant::now();
                    let res = req.json(&body).send().await.expect("POST");
                    assert_eq!(res.status(), 201);
                    let rec: ConsentRecorded = res.json().await.expect("json");
                    lat.push(t0.elapsed());
                    if let Some(t) = rec.subject_token {
                        subject = Some((rec.subject_id.to_string(), t));
                    }
                }
                lat
            })
        })
        .collect();
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.expect("client"));
    }
    let secs = started.elapsed().as_secs_f64();
    finish(label, all.len(), secs, all)
}

/// The same rows, hashing and signing, appended in batches straight through sqlx.
async fn raw_run(url: &str, dir: &std::path::Path, label: String) -> Cell {
    let (ledger, notice, notice_hash) = demo_ledger(url).await;
    let keys = assent_server::keys::Keys::load_or_create(&dir.join("keys.json")).expect("keys");
    let site = SiteId::parse("demo").expect("site");
    let until = Instant::now() + secs_per_cell();
    let started = Instant::now();
    let mut events = 0;
    let mut lat = Vec::new();
    // 64 subjects, like 64 clients, each appending to its own chain.
    let subjects: Vec<SubjectId> = (0..RAW_BATCH)
        .map(|_| SubjectId::parse(&uuid::Uuid::new_v4().to_string()).expect("id"))
        .collect();
    let mut round = 0u64;
    while Instant::now() < until {
        round += 1;
        let batch: Vec<NewEvent> = subjects
            .iter()
            .map(|s| NewEvent {
                draft: draft(&site, s, &notice, &notice_hash, round),
                new_subject: round == 1,
                request_digest: uuid::Uuid::new_v4().to_string(),
            })
            .collect();
        let t0 = Instant::now();
        let outcomes = ledger.append_batch(&batch).await.expect("append");
        for o in outcomes {
            let ledger::Appended::Recorded(stored) = o.expect("recorded") else {
                panic!("replayed")
            };
            // The same signing work the HTTP path does: a receipt per event.
            keys.sign(&json!({ "event_id": stored.event.event_id, "hash": stored.event.hash, "decisions": stored.event.decisions }))
                .expect("sign");
        }
        lat.push(t0.elapsed());
        events += batch.len();
    }
    finish(label, events, started.elapsed().as_secs_f64(), lat)
}

/// The ledger with the demo site and its English notice (and that notice's hash).
async fn demo_ledger(url: &str) -> (std::sync::Arc<dyn ledger::Ledger>, LocalizedNotice, String) {
    let ledger = ledger::open(url).await.expect("open");
    assent_server::routes::demo::seed(ledger.as_ref(), "127.0.0.1:1".parse().expect("addr"))
        .await
        .expect("seed");
    let notice = ledger
        .latest_notice(&SiteId::parse("demo").expect("site"))
        .await
        .expect("notice")
        .expect("demo notice")
        .localize(Some("en"));
    let notice_hash = assent_shared::canonical::notice_hash(&notice).expect("hash");
    (ledger, notice, notice_hash)
}

/// A cell from the batches' latencies.
fn finish(label: String, events: usize, secs: f64, mut lat: Vec<Duration>) -> Cell {
    lat.sort();
    let pct = |p: f64| {
        lat.get(((lat.len() as f64 * p) as usize).min(lat.len().saturating_sub(1)))
            .map_or(0.0, |d| d.as_secs_f64() * 1e3)
    };
    Cell {
        label,
        events,
        secs,
        p50_ms: pct(0.5),
        p99_ms: pct(0.99),
    }
}

/// One `save` event of `subject` for the raw and plain runs, before the ledger chains it.
fn draft(site: &SiteId, subject: &SubjectId, notice: &LocalizedNotice, notice_hash: &str, round: u64) -> ConsentEvent {
    ConsentEvent {
        schema_version: EVENT_SCHEMA_VERSION,
        event_id: EventId::parse(&uuid::Uuid::new_v4().to_string()).expect("id"),
        site_id: site.clone(),
        subject_id: subject.clone(),
        seq: 0,
        recorded_at: String::new(),
        client_time: None,
        notice_version: notice.version,
        notice_hash: notice_hash.to_owned(),
        banner_build: None,
        policy_version: notice.policy_version.clone(),
        jurisdiction: "unknown".into(),
        regime: Regime::OptIn,
        method: Method::Save,
        source: Source::Panel,
        gpc: false,
        signal_source: None,
        decisions: Decisions::from([(
            PurposeKey::parse("analytics").expect("key"),
            if round.is_multiple_of(2) {
                Decision::Granted
            } else {
                Decision::Denied
            },
        )]),
        language: "en".into(),
        ip_truncated: None,
        user_agent_hash: None,
        tcf: None,
        prev_hash: String::new(),
        hash: String::new(),
    }
}

/// The baseline for the ledger's own work: the same event rows (JSON, hashes, digests) written
/// as plain multi-row inserts of [`RAW_BATCH`] in one transaction each — no reads, no chain,
/// no projection, no signature. What a database does with these rows and nothing else.
async fn plain_run(url: &str, label: String) -> Cell {
    // The schema and notice come from the ledger; the rows go in through a pool of their own.
    let (ledger, notice, notice_hash) = demo_ledger(url).await;
    drop(ledger);
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url).await.expect("pool");
    let site = SiteId::parse("demo").expect("site");
    let subjects: Vec<SubjectId> = (0..RAW_BATCH)
        .map(|_| SubjectId::parse(&uuid::Uuid::new_v4().to_string()).expect("id"))
        .collect();
    let columns =
        "(site_id, subject_id, seq, event_id, recorded_at, method, event, prev_hash, hash, request_digest, states)";
    let placeholders: Vec<String> = (0..RAW_BATCH)
        .map(|r| {
            format!(
                "({})",
                (1..=11)
                    .map(|c| format!("${}", r * 11 + c))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
        .collect();
    let sql = format!(
        "INSERT INTO consent_events {columns} VALUES {}",
        placeholders.join(", ")
    );
    let until = Instant::now() + secs_per_cell();
    let started = Instant::now();
    let (mut events, mut lat, mut round) = (0, Vec::new(), 0u64);
    while Instant::now() < until {
        round += 1;
        let t0 = Instant::now();
        let mut tx = pool.begin().await.expect("begin");
        let mut q = sqlx::query(&sql);
        for s in &subjects {
            let mut e = draft(&site, s, &notice, &notice_hash, round);
            e.seq = round;
            e.recorded_at = "2026-12-01T00:00:00Z".into();
            e.prev_hash = "0".repeat(64);
            e.hash = "f".repeat(64);
            q = q
                .bind(e.site_id.to_string())
                .bind(e.subject_id.to_string())
                .bind(i64::try_from(e.seq).expect("seq"))
                .bind(e.event_id.to_string())
                .bind(e.recorded_at.clone())
                .bind("save")
                .bind(serde_json::to_string(&e).expect("json"))
                .bind(e.prev_hash.clone())
                .bind(e.hash.clone())
                .bind(uuid::Uuid::new_v4().to_string())
                .bind(r#"{"analytics":"given"}"#);
        }
        q.execute(&mut *tx).await.expect("insert");
        tx.commit().await.expect("commit");
        lat.push(t0.elapsed());
        events += RAW_BATCH;
    }
    finish(label, events, started.elapsed().as_secs_f64(), lat)
}

async fn verify_all(url: &str, dir: &std::path::Path) -> String {
    let ledger = ledger::open(url).await.expect("open");
    let keys = assent_server::keys::Keys::load_or_create(&dir.join("keys.json")).expect("keys");
    let site = SiteId::parse("demo").expect("site");
    let r = verify::verify_site(ledger.as_ref(), &keys, &site, None)
        .await
        .expect("verify");
    format!(
        "{} chains, {} events: {}",
        r.chains,
        r.events,
        if r.ok { "OK" } else { "BROKEN" }
    )
}

#[tokio::main]
async fn main() {
    // `ASSENT_BENCH_ONLY=sqlite|postgres`: one backend (for a profile of its cells).
    let only = std::env::var("ASSENT_BENCH_ONLY").ok();
    let root = tempfile::tempdir().expect("tempdir");
    let mut rows = Vec::new();
    let mut notes = Vec::new();
    for backend in ["sqlite", "postgres"] {
        if only.as_deref().is_some_and(|o| o != backend) {
            continue;
        }
        let mut ratio = (0.0, 0.0);
        for (mode, batch_max) in [("one tx per event", 1), ("group commit", 256)] {
            for clients in CLIENTS {
                let dir = root.path().join(format!("{backend}-{batch_max}-{clients}"));
                std::fs::create_dir_all(&dir).expect("dir");
                let Some(url) = database(backend, &dir, &format!("b{batch_max}c{clients}")).await else {
                    notes.push(format!("{backend}: not reachable, skipped"));
                    break;
                };
                let cell = http_run(
                    &url,
                    &dir,
                    batch_max,
                    clients,
                    format!("{backend} | {mode} | {clients}"),
                )
                .await;
                eprintln!("{} -> {:.0} events/s", cell.label, cell.events as f64 / cell.secs);
                if clients == 64 {
                    let rate = cell.events as f64 / cell.secs;
                    if batch_max == 1 {
                        ratio.0 = rate
                    } else {
                        ratio.1 = rate
                    }
                    notes.push(format!("{backend} {mode} @64 verify: {}", verify_all(&url, &dir).await));
                }
                rows.push(cell);
            }
        }
        if backend == "postgres" {
            let dir = root.path().join("postgres-two");
            std::fs::create_dir_all(&dir).expect("dir");
            if let Some(url) = database(backend, &dir, "two").await {
                let cell = two_processes(&url, &dir, 64, "postgres | group commit, two processes | 64".into()).await;
                eprintln!("{} -> {:.0} events/s", cell.label, cell.events as f64 / cell.secs);
                notes.push(format!(
                    "postgres two processes @64 verify: {}",
                    verify_all(&url, &dir).await
                ));
                rows.push(cell);
            }
        }
        let dir = root.path().join(format!("{backend}-raw"));
        std::fs::create_dir_all(&dir).expect("dir");
        if let Some(url) = database(backend, &dir, "raw").await {
            let cell = raw_run(
                &url,
                &dir,
                format!("{backend} | raw sqlx batches of {RAW_BATCH}, no HTTP | -"),
            )
            .await;
            let raw_rate = cell.events as f64 / cell.secs;
            eprintln!("{} -> {raw_rate:.0} events/s", cell.label);
            notes.push(format!(
                "{backend}: group commit @64 = {:.1}x one-tx-per-event, {:.0}% of the raw ceiling",
                ratio.1 / ratio.0.max(1.0),
                100.0 * ratio.1 / raw_rate.max(1.0)
            ));
            rows.push(cell);
            if let Some(url) = database(backend, &dir, "plain").await {
                let plain = plain_run(
                    &url,
                    format!("{backend} | plain inserts, batches of {RAW_BATCH}, no HTTP | -"),
                )
                .await;
                let plain_rate = plain.events as f64 / plain.secs;
                eprintln!("{} -> {plain_rate:.0} events/s", plain.label);
                notes.push(format!(
                    "{backend}: group commit @64 = {:.0}% of plain batched inserts of the same rows; raw = {:.0}%",
                    100.0 * ratio.1 / plain_rate.max(1.0),
                    100.0 * raw_rate / plain_rate.max(1.0)
                ));
                rows.push(plain);
            }
        }
    }
    println!("| backend | mode | clients | events | events/s | p50 ms | p99 ms |");
    println!("|---|---|---|---|---|---|---|");
    for c in &rows {
        println!(
            "| {} | {} | {:.0} | {:.2} | {:.2} |",
            c.label,
            c.events,
            c.events as f64 / c.secs,
            c.p50_ms,
            c.p99_ms
        );
    }
    println!();
    for n in notes {
        println!("- {n}");
    }
    drop_created().await;
}
