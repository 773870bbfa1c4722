//! Soak benchmark (issue 15, item 7): steady mixed load on loopback against the real `assent`
//! binary (release, its own process) for a bounded time, reporting per window the requests
//! answered, throughput, p50/p99 latency, errors, the server's resident memory (`VmRSS`, and
//! its anonymous part `RssAnon`) and the SQLite database's size on disk.
//! Not part of CI: run it by hand and copy its table into `BENCHMARKS.md`.
//!
//!     cargo bench -p assent-server --bench soak
//!     ASSENT_SOAK_SECS=600 ASSENT_SOAK_RATE=100 ASSENT_SOAK_BACKEND=postgres cargo bench -p assent-server --bench soak
//!
//! Settings (environment): `ASSENT_SOAK_SECS` (600), `ASSENT_SOAK_WARMUP_SECS` (120: the
//! memory baseline is the first window after it), `ASSENT_SOAK_SAMPLE_SECS` (30),
//! `ASSENT_SOAK_RATE` (page views per second, 100), `ASSENT_SOAK_BACKEND` (`sqlite` or
//! `postgres`; PostgreSQL from `ASSENT_TEST_POSTGRES_URL`), `ASSENT_SOAK_MAX_IN_FLIGHT` (256).
//!
//! One page view, open loop at the fixed rate (a view that would exceed the in-flight bound is
//! counted as shed, never queued without bound): the loader (`/embed.js`, a third of them
//! revalidated with `If-None-Match` as a returning visitor), the notice in one of three
//! languages, then with 60 % a first choice (new subject), 15 % a later change by a known
//! subject with its token (a withdrawal or a re-grant), 10 % a read of a subject's current
//! state. Every 5 s a dashboard reads the site's statistics with a viewer service token.
//! After the run `assent verify` re-walks the ledger.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use assent_shared::api::{ConsentRecorded, NoticeResponse};
use serde_json::json;

fn setting<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// What one window of the run saw.
#[derive(Default)]
struct Window {
    latencies_ms: Vec<f64>,
    errors: u64,
}

struct Shared {
    window: Mutex<Window>,
    /// Known subjects and their tokens, newest last (bounded: the oldest are forgotten).
    subjects: Mutex<VecDeque<(String, String)>>,
    shed: AtomicU64,
    in_flight: AtomicU64,
}

impl Shared {
    fn record(&self, started: Instant, ok: bool) {
        let mut w = self.window.lock().expect("window");
        w.latencies_ms.push(started.elapsed().as_secs_f64() * 1e3);
        if !ok {
            w.errors += 1;
        }
    }
}

/// The server process, stopped when dropped.
struct Server {
    child: Child,
    api: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn assent(dir: &std::path::Path, database_url: &str) -> Command {
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_assent"));
    cmd.current_dir(dir)
        .env("ASSENT_DATABASE_URL", database_url)
        .env("ASSENT_DIST_DIR", repo.join("dist"))
        .env("ASSENT_KEY_FILE", dir.join("keys.json"))
        .env("ASSENT_CHECKPOINT_FILE", dir.join("checkpoints.jsonl"))
        .env("ASSENT_LOG", "warn");
    cmd
}

fn start(dir: &std::path::Path, database_url: &str) -> Server {
    let mut child = assent(dir, database_url)
        .arg("serve")
        .env("ASSENT_BIND", "127.0.0.1:0")
        .env("ASSENT_DEMO", "1")
        .env("ASSENT_DEMO_BIND", "127.0.0.1:0")
        // Every request comes from 127.0.0.1: the per-client budget would measure itself.
        .env("ASSENT_PUBLIC_RATE_PER_SECOND", "0")
        .env("ASSENT_SITE_RATE_PER_SECOND", "0")
        .stdout(Stdio::piped())
        .spawn()
        .expect("start assent (cargo bench builds it)");
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).expect("first line");
    let api = line
        .split_whitespace()
        .find_map(|w| w.strip_prefix("api="))
        .unwrap_or_else(|| panic!("unexpected first line: {line}"))
        .to_owned();
    Server { child, api }
}

/// The server's resident memory in MiB: all of it (`VmRSS`) and the anonymous part
/// (`RssAnon`: the heap and stacks, without mapped files such as SQLite's `-shm`).
fn rss_mib(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
            .map_or(0.0, |kib| kib / 1024.0)
    };
    (field("VmRSS:"), field("RssAnon:"))
}

/// The SQLite database's size on disk in MiB (file and WAL); 0 for PostgreSQL.
fn database_mib(dir: &std::path::Path) -> f64 {
    ["soak.db", "soak.db-wal"]
        .iter()
        .filter_map(|f| std::fs::metadata(dir.join(f)).ok())
        .map(|m| m.len() as f64 / 1_048_576.0)
        .sum()
}

async fn database(backend: &str, dir: &std::path::Path) -> String {
    if backend == "sqlite" {
        return format!("sqlite://{}", dir.join("soak.db").display());
    }
    let admin = std::env::var("ASSENT_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&admin)
        .await
        .expect("PostgreSQL (ASSENT_TEST_POSTGRES_URL)");
    let name = format!("assent_soak_{}", uuid::Uuid::new_v4().simple());
    sqlx::Executor::execute(&mut conn, format!("CREATE DATABASE {name}").as_str())
        .await
        .expect("create database");
    let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b).to_owned();
    format!("{base}/{name}")
}

/// One visitor's page view (see the module docs for the mix).
async fn page_view(
    client: reqwest::Client,
    api: String,
    shared: Arc<Shared>,
    notice: Arc<NoticeResponse>,
    etag: Arc<String>,
    n: u64,
) {
    let get = |url: String, etag: Option<&str>| {
        let mut req = client.get(url);
        if let Some(e) = etag {
            req = req.header("If-None-Match", e);
        }
        req
    };
    let t = Instant::now();
    let revalidate = n.is_multiple_of(3).then_some(etag.as_str());
    let res = get(format!("{api}/embed.js"), revalidate).send().await;
    shared.record(t, res.is_ok_and(|r| r.status().is_success() || r.status() == 304));

    let lang = ["en", "de", "fr"][(n % 3) as usize];
    let t = Instant::now();
    let res = get(format!("{api}/v1/sites/demo/notice?lang={lang}"), None)
        .send()
        .await;
    shared.record(t, res.is_ok_and(|r| r.status().is_success()));

    let roll = n.wrapping_mul(2_654_435_761) % 100;
    let known = || {
        let subjects = shared.subjects.lock().expect("subjects");
        (!subjects.is_empty()).then(|| subjects[(n as usize * 7919) % subjects.len()].clone())
    };
    let body = |granted: bool, method: &str| {
        let state = if granted { "granted" } else { "denied" };
        json!({
            "event_id": uuid::Uuid::new_v4().to_string(),
            "notice_version": notice.notice.version,
            "notice_hash": notice.notice_hash,
            "language": "en",
            "method": method,
            "source": "banner",
            "decisions": { "analytics": state, "advertising": state },
        })
    };
    if roll < 60 {
        let method = if roll.is_multiple_of(2) {
            "accept_all"
        } else {
            "reject_all"
        };
        let t = Instant::now();
        let res = client
            .post(format!("{api}/v1/sites/demo/consents"))
            .json(&body(method == "accept_all", method))
            .send()
            .await;
        let recorded = match res {
            Ok(r) if r.status() == 201 => r.json::<ConsentRecorded>().await.ok(),
            _ => None,
        };
        shared.record(t, recorded.is_some());
        if let Some(ConsentRecorded {
            subject_id,
            subject_token: Some(token),
            ..
        }) = recorded
        {
            let mut subjects = shared.subjects.lock().expect("subjects");
            subjects.push_back((subject_id.to_string(), token));
            if subjects.len() > 5_000 {
                subjects.pop_front();
            }
        }
    } else if roll < 75 {
        if let Some((subject, token)) = known() {
            let mut change = body(roll.is_multiple_of(2), "save");
            change["subject_id"] = json!(subject);
            change["source"] = json!("panel");
            let t = Instant::now();
            let res = client
                .post(format!("{api}/v1/sites/demo/consents"))
                .bearer_auth(token)
                .json(&change)
                .send()
                .await;
            shared.record(t, res.is_ok_and(|r| r.status() == 201));
        }
    } else if roll < 85
        && let Some((subject, token)) = known()
    {
        let t = Instant::now();
        let res = client
            .get(format!("{api}/v1/sites/demo/subjects/{subject}/current"))
            .bearer_auth(token)
            .send()
            .await;
        shared.record(t, res.is_ok_and(|r| r.status().is_success()));
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted
        .get(((sorted.len() as f64 * p) as usize).min(sorted.len().saturating_sub(1)))
        .copied()
        .unwrap_or(0.0)
}

#[tokio::main]
async fn main() {
    let secs: u64 = setting("ASSENT_SOAK_SECS", 600);
    let warmup: u64 = setting("ASSENT_SOAK_WARMUP_SECS", 120);
    let sample: u64 = setting("ASSENT_SOAK_SAMPLE_SECS", 30);
    let rate: u64 = setting("ASSENT_SOAK_RATE", 100);
    let max_in_flight: u64 = setting("ASSENT_SOAK_MAX_IN_FLIGHT", 256);
    let backend: String = setting("ASSENT_SOAK_BACKEND", "sqlite".to_owned());

    let dir = tempfile::tempdir().expect("tempdir");
    let url = database(&backend, dir.path()).await;
    let server = start(dir.path(), &url);
    let pid = server.child.id();
    let api = server.api.clone();
    println!(
        "soak: {backend}, {rate} page views/s for {secs} s (warm-up {warmup} s, windows of {sample} s), server pid {pid} at {api}"
    );

    let token = assent(dir.path(), &url)
        .args(["admin-token", "--site", "demo", "--role", "viewer"])
        .output()
        .expect("admin-token");
    let token = String::from_utf8(token.stdout).expect("utf-8").trim().to_owned();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(max_in_flight as usize)
        .build()
        .expect("client");
    let notice: Arc<NoticeResponse> = Arc::new(
        client
            .get(format!("{api}/v1/sites/demo/notice"))
            .send()
            .await
            .expect("notice")
            .json()
            .await
            .expect("notice json"),
    );
    let etag = client.get(format!("{api}/embed.js")).send().await.expect("loader");
    let etag = Arc::new(
        etag.headers()
            .get("etag")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned(),
    );
    let shared = Arc::new(Shared {
        window: Mutex::default(),
        subjects: Mutex::default(),
        shed: AtomicU64::new(0),
        in_flight: AtomicU64::new(0),
    });

    let dashboard = {
        let (client, api, shared) = (client.clone(), api.clone(), shared.clone());
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(5));
            loop {
                tick.tick().await;
                let t = Instant::now();
                let res = client
                    .get(format!("{api}/v1/admin/sites/demo/stats"))
                    .bearer_auth(&token)
                    .send()
                    .await;
                shared.record(t, res.is_ok_and(|r| r.status().is_success()));
            }
        })
    };
    let load = {
        let (client, api, shared) = (client.clone(), api.clone(), shared.clone());
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / rate as f64));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            for n in 0u64.. {
                tick.tick().await;
                if shared.in_flight.load(Ordering::Relaxed) >= max_in_flight {
                    shared.shed.fetch_add(1, Ordering::Relaxed);
                    continue;
                }
                shared.in_flight.fetch_add(1, Ordering::Relaxed);
                let (client, api, shared, notice, etag) = (
                    client.clone(),
                    api.clone(),
                    shared.clone(),
                    notice.clone(),
                    etag.clone(),
                );
                tokio::spawn(async move {
                    page_view(client, api, shared.clone(), notice, etag, n).await;
                    shared.in_flight.fetch_sub(1, Ordering::Relaxed);
                });
            }
        })
    };

    println!("\n| t (s) | requests | req/s | p50 ms | p99 ms | errors | shed | RSS MiB | anon MiB | database MiB |");
    println!("|---|---|---|---|---|---|---|---|---|---|");
    let started = Instant::now();
    let mut baseline: Option<f64> = None;
    let mut peak_after_warmup = 0.0f64;
    let mut worst_p99 = 0.0f64;
    let (mut total, mut errors) = (0usize, 0u64);
    let mut last_rss = 0.0;
    while started.elapsed() < Duration::from_secs(secs) {
        tokio::time::sleep(Duration::from_secs(sample)).await;
        let w = std::mem::take(&mut *shared.window.lock().expect("window"));
        let mut lat = w.latencies_ms;
        lat.sort_by(f64::total_cmp);
        let (rss, anon) = rss_mib(pid);
        let t = started.elapsed().as_secs();
        let shed = shared.shed.swap(0, Ordering::Relaxed);
        println!(
            "| {t} | {} | {:.0} | {:.2} | {:.2} | {} | {shed} | {rss:.1} | {anon:.1} | {:.1} |",
            lat.len(),
            lat.len() as f64 / sample as f64,
            percentile(&lat, 0.50),
            percentile(&lat, 0.99),
            w.errors,
            database_mib(dir.path()),
        );
        total += lat.len();
        errors += w.errors;
        if t >= warmup {
            if baseline.is_none() {
                baseline = Some(rss);
            }
            peak_after_warmup = peak_after_warmup.max(rss);
            worst_p99 = worst_p99.max(percentile(&lat, 0.99));
        }
        last_rss = rss;
    }
    load.abort();
    dashboard.abort();
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "\nrequests {total} in {elapsed:.0} s ({:.0}/s), errors {errors}",
        total as f64 / elapsed
    );
    if let Some(base) = baseline {
        println!(
            "RSS after warm-up {base:.1} MiB, at the end {last_rss:.1} MiB ({:+.1} %), peak {peak_after_warmup:.1} MiB ({:+.1} %); worst window p99 after warm-up {worst_p99:.2} ms",
            (last_rss / base - 1.0) * 100.0,
            (peak_after_warmup / base - 1.0) * 100.0,
        );
    }
    // Let in-flight requests finish before the server stops, then re-walk the ledger.
    tokio::time::sleep(Duration::from_secs(2)).await;
    drop(server);
    let verify = assent(dir.path(), &url).arg("verify").output().expect("verify");
    println!(
        "assent verify: {}",
        String::from_utf8_lossy(&verify.stdout)
            .lines()
            .last()
            .unwrap_or("(no output)")
    );
    assert!(verify.status.success(), "verify failed after the soak");
}
