//! Tests with real `assent` processes. Crash safety: a server under concurrent writes is
//! SIGKILLed mid-stream and restarted; every event that got a `201` must be there and every
//! chain must verify (this proves replies come after commit; power-loss durability rests on the
//! database's fsync). Several processes: two servers on one database append to the same
//! chains at once, and the chains stay linear; configuration and logouts reach every process.

use crate::helpers::{Backend, fresh_database, write_fake_banner};
use crate::on_both_backends;
use assent_server::auth::{Role, ServiceClaims};
use assent_server::keys::Keys;
use assent_shared::api::{ConsentHistory, ConsentRecorded, NoticeResponse, VerifyReport};
use serde_json::json;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

on_both_backends!(
    every_acknowledged_event_survives_a_sigkill,
    two_server_processes_on_one_database_keep_chains_linear,
    a_configuration_change_reaches_every_process_within_seconds,
    a_logout_in_one_process_ends_the_session_in_the_others,
);

/// `GET` with a bearer token, the answer read as JSON.
async fn get_json<T: serde::de::DeserializeOwned>(client: &reqwest::Client, url: String, token: &str) -> T {
    client
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .expect("GET")
        .json()
        .await
        .expect("JSON answer")
}

/// A service token owning the demo site, signed with the key file in `dir`.
pub fn admin_token(dir: &Path) -> String {
    let keys = Keys::load_or_create(&dir.join("keys.json")).expect("keys");
    let exp = time::OffsetDateTime::now_utc().unix_timestamp() + 600;
    keys.sign(&ServiceClaims::new(vec!["demo".into()], Role::Owner, exp))
        .expect("sign")
}

/// Polls `ready` every 20 ms until it holds; the time it took. The bound is generous (10 s):
/// the test shows the change arrives, the printed delay is the measurement.
async fn time_until<F: std::future::Future<Output = bool>>(mut ready: impl FnMut() -> F) -> Duration {
    let start = std::time::Instant::now();
    while !ready().await {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the change did not arrive within 10 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    start.elapsed()
}

async fn a_configuration_change_reaches_every_process_within_seconds(backend: Backend) {
    let dir = tempfile::tempdir().expect("tempdir");
    write_fake_banner(&dir.path().join("dist"));
    let db = fresh_database(backend, dir.path()).await;
    let (_a, api_a) = start(dir.path(), &db.url).await;
    let (_b, api_b) = start(dir.path(), &db.url).await;
    let client = reqwest::Client::new();
    let token = admin_token(dir.path());
    let late = "https://late.example";
    let notice_from = |origin: &'static str| {
        let (client, api_b) = (client.clone(), api_b.clone());
        async move {
            client
                .get(format!("{api_b}/v1/sites/demo/notice?lang=en"))
                .header("origin", origin)
                .send()
                .await
                .expect("GET")
        }
    };
    assert_eq!(notice_from(late).await.status(), 403, "not registered yet");

    // An origin added through process A is honoured by process B.
    let site: serde_json::Value = client
        .get(format!("{api_a}/v1/admin/sites/demo"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("GET site")
        .json()
        .await
        .expect("site");
    let mut origins: Vec<serde_json::Value> = site["origins"].as_array().expect("origins").clone();
    origins.push(json!(late));
    let res = client
        .patch(format!("{api_a}/v1/admin/sites/demo"))
        .bearer_auth(&token)
        .json(&json!({ "origins": origins }))
        .send()
        .await
        .expect("PATCH");
    assert_eq!(res.status(), 200);
    let origin_delay = time_until(|| async { notice_from(late).await.status() == 200 }).await;

    // A material change published through process A reaches process B's loader.
    let notice: serde_json::Value = serde_json::from_str(include_str!("../../demo/notice.json")).expect("notice");
    let res = client
        .put(format!("{api_a}/v1/admin/sites/demo/draft"))
        .bearer_auth(&token)
        .json(&notice)
        .send()
        .await
        .expect("PUT draft");
    assert_eq!(res.status(), 200);
    let loader_b = || {
        let (client, api_b) = (client.clone(), api_b.clone());
        async move {
            client
                .get(format!("{api_b}/embed.js?site=demo"))
                .send()
                .await
                .expect("GET")
                .text()
                .await
                .expect("loader")
        }
    };
    assert!(loader_b().await.contains(r#""notices":{"demo":1}"#));
    let summaries: serde_json::Map<String, serde_json::Value> = notice["texts"]
        .as_object()
        .expect("texts")
        .keys()
        .map(|lang| (lang.clone(), json!("New partners.")))
        .collect();
    let res = client
        .post(format!("{api_a}/v1/admin/sites/demo/draft/publish"))
        .bearer_auth(&token)
        .json(&json!({ "material_change": true, "change_summary": summaries }))
        .send()
        .await
        .expect("publish");
    assert_eq!(res.status(), 200);
    let notice_delay = time_until(|| async { loader_b().await.contains(r#""notices":{"demo":2}"#) }).await;
    eprintln!(
        "configuration delay to a second process ({backend:?}): origin {} ms, material notice change {} ms",
        origin_delay.as_millis(),
        notice_delay.as_millis()
    );
}

async fn two_server_processes_on_one_database_keep_chains_linear(backend: Backend) {
    let dir = tempfile::tempdir().expect("tempdir");
    write_fake_banner(&dir.path().join("dist"));
    let db = fresh_database(backend, dir.path()).await;
    let (_a, api_a) = start(dir.path(), &db.url).await;
    let (_b, api_b) = start(dir.path(), &db.url).await;
    let client = reqwest::Client::new();
    let notice = demo_notice(&client, &api_a).await;
    let body = |subject: Option<&str>| save_body(&notice, "granted", subject);
    // Four subjects, each written through both servers at once.
    let mut subjects = Vec::new();
    for _ in 0..4 {
        let rec: ConsentRecorded = client
            .post(format!("{api_a}/v1/sites/demo/consents"))
            .json(&body(None))
            .send()
            .await
            .expect("POST")
            .json()
            .await
            .expect("json");
        subjects.push((rec.subject_id.to_string(), rec.subject_token.expect("token")));
    }
    let mut sends = Vec::new();
    for i in 0..120 {
        let (subject, token) = subjects[i % subjects.len()].clone();
        let api = if i % 2 == 0 { api_a.clone() } else { api_b.clone() };
        let (client, payload) = (client.clone(), body(Some(&subject)));
        sends.push(tokio::spawn(async move {
            client
                .post(format!("{api}/v1/sites/demo/consents"))
                .bearer_auth(token)
                .json(&payload)
                .send()
                .await
                .expect("POST")
                .status()
        }));
    }
    for s in sends {
        assert_eq!(s.await.expect("task"), 201);
    }
    for (subject, token) in &subjects {
        let h: ConsentHistory = get_json(
            &client,
            format!("{api_b}/v1/sites/demo/subjects/{subject}/consents"),
            token,
        )
        .await;
        assert_eq!(
            h.events.iter().map(|e| e.seq).collect::<Vec<_>>(),
            (1..=31).collect::<Vec<_>>()
        );
    }
    let report: VerifyReport = get_json(
        &client,
        format!("{api_a}/v1/admin/sites/demo/verify"),
        &admin_token(dir.path()),
    )
    .await;
    assert!(report.ok, "{report:?}");
    assert_eq!(report.events, 4 * 31);
}

pub async fn demo_notice(client: &reqwest::Client, api: &str) -> NoticeResponse {
    let res = client
        .get(format!("{api}/v1/sites/demo/notice"))
        .send()
        .await
        .expect("GET notice");
    res.json().await.expect("notice JSON")
}

/// A valid `save` from the panel for the demo notice, for a new or a known subject.
pub fn save_body(notice: &NoticeResponse, analytics: &str, subject: Option<&str>) -> serde_json::Value {
    let mut body = json!({
        "event_id": uuid::Uuid::new_v4().to_string(),
        "notice_version": notice.notice.version,
        "notice_hash": notice.notice_hash,
        "language": "en",
        "method": "save",
        "source": "panel",
        "decisions": { "analytics": analytics, "advertising": "denied" },
    });
    if let Some(subject) = subject {
        body["subject_id"] = json!(subject);
    }
    body
}

struct Acked {
    subject: String,
    token: String,
    seq: u64,
    hash: String,
}

async fn start(dir: &Path, database_url: &str) -> (Child, String) {
    start_with(dir, database_url, &[]).await
}

/// Starts `assent serve` on port 0 with the demo site and these extra environment variables;
/// returns the process and its API origin.
pub async fn start_with(dir: &Path, database_url: &str, env: &[(&str, &str)]) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_assent"))
        .args(["serve", "--bind", "127.0.0.1:0", "--demo", "--demo-bind", "127.0.0.1:0"])
        .envs(env.iter().copied())
        .env("ASSENT_DATABASE_URL", database_url)
        .env("ASSENT_KEY_FILE", dir.join("keys.json"))
        .env("ASSENT_DIST_DIR", dir.join("dist"))
        .env("ASSENT_CHECKPOINT_FILE", dir.join("checkpoints.jsonl"))
        .env("ASSENT_LOG", "error")
        // Hundreds of events from 127.0.0.1 in a second: what these tests measure is the
        // ledger, not the per-client limit (tested in public.rs).
        .env("ASSENT_PUBLIC_RATE_PER_SECOND", "0")
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn assent");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
        .await
        .expect("assent starts within 30 s")
        .expect("read stdout")
        .expect("a listening line");
    let api = line
        .split_whitespace()
        .find_map(|w| w.strip_prefix("api="))
        .expect("api address")
        .to_owned();
    (child, api)
}

async fn writer_loop(client: reqwest::Client, api: String, notice: NoticeResponse, acked: Arc<Mutex<Vec<Acked>>>) {
    let mut mine: Option<(String, String)> = None;
    for i in 0.. {
        let analytics = if i % 2 == 0 { "granted" } else { "denied" };
        let body = save_body(&notice, analytics, mine.as_ref().map(|(subject, _)| subject.as_str()));
        let mut req = client.post(format!("{api}/v1/sites/demo/consents"));
        if let Some((_, token)) = &mine {
            req = req.bearer_auth(token);
        }
        let Ok(res) = req.json(&body).send().await else { return };
        if res.status() != 201 {
            return;
        }
        let Ok(rec) = res.json::<ConsentRecorded>().await else {
            return;
        };
        if let Some(token) = rec.subject_token.clone() {
            mine = Some((rec.subject_id.to_string(), token));
        }
        let (subject, token) = mine.clone().expect("subject known after the first 201");
        acked.lock().expect("lock").push(Acked {
            subject,
            token,
            seq: rec.seq,
            hash: rec.hash,
        });
    }
}

async fn every_acknowledged_event_survives_a_sigkill(backend: Backend) {
    let dir = tempfile::tempdir().expect("tempdir");
    write_fake_banner(&dir.path().join("dist"));
    let db = fresh_database(backend, dir.path()).await;
    let (mut child, api) = start(dir.path(), &db.url).await;
    let client = reqwest::Client::new();
    let notice = demo_notice(&client, &api).await;

    let acked = Arc::new(Mutex::new(Vec::new()));
    let writers: Vec<_> = (0..16)
        .map(|_| tokio::spawn(writer_loop(client.clone(), api.clone(), notice.clone(), acked.clone())))
        .collect();
    // Kill once a good number of events were acknowledged, while writes are still in flight.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while acked.lock().expect("lock").len() < 400 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    child.start_kill().expect("SIGKILL");
    child.wait().await.expect("reap");
    for w in writers {
        let _ = w.await;
    }
    let acked = std::mem::take(&mut *acked.lock().expect("lock"));
    assert!(
        acked.len() >= 400,
        "only {} events were acknowledged before the deadline",
        acked.len()
    );

    let (_child, api) = start(dir.path(), &db.url).await;
    let mut checked = std::collections::HashMap::<String, ConsentHistory>::new();
    for a in &acked {
        if !checked.contains_key(&a.subject) {
            let h: ConsentHistory = get_json(
                &client,
                format!("{api}/v1/sites/demo/subjects/{}/consents", a.subject),
                &a.token,
            )
            .await;
            checked.insert(a.subject.clone(), h);
        }
        let events = &checked[&a.subject].events;
        let stored = events.iter().find(|e| e.seq == a.seq);
        assert_eq!(
            stored.map(|e| e.hash.as_str()),
            Some(a.hash.as_str()),
            "acknowledged event {} of {} is missing",
            a.seq,
            a.subject
        );
    }
    let token = admin_token(dir.path());
    let report: VerifyReport = get_json(&client, format!("{api}/v1/admin/sites/demo/verify"), &token).await;
    assert!(report.ok, "{report:?}");
    assert!(report.events >= acked.len() as u64);
}

/// A logout in one process ends the session in every process: the token version is read
/// from the database (cached at most `ACCESS_TTL`); polled with a generous bound, the delay
/// printed.
async fn a_logout_in_one_process_ends_the_session_in_the_others(backend: Backend) {
    let dir = tempfile::tempdir().expect("tempdir");
    write_fake_banner(&dir.path().join("dist"));
    let db = fresh_database(backend, dir.path()).await;
    let (_a, api_a) = start(dir.path(), &db.url).await;
    let (_b, api_b) = start(dir.path(), &db.url).await;
    let made = std::process::Command::new(env!("CARGO_BIN_EXE_assent"))
        .args(["admin", "create-user", "--email", "ops@example.com", "--admin"])
        .env("ASSENT_DATABASE_URL", &db.url)
        .env("ASSENT_ADMIN_PASSWORD", "a-long-enough-password")
        .env("ASSENT_LOG", "error")
        .output()
        .expect("create-user");
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let client = reqwest::Client::new();
    let session: serde_json::Value = client
        .post(format!("{api_a}/v1/admin/login"))
        .json(&json!({ "email": "ops@example.com", "password": "a-long-enough-password" }))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("session");
    let token = session["token"].as_str().expect("token").to_owned();
    let me_on_b = || {
        let (client, api_b, token) = (client.clone(), api_b.clone(), token.clone());
        async move {
            client
                .get(format!("{api_b}/v1/admin/me"))
                .bearer_auth(token)
                .send()
                .await
                .expect("me")
                .status()
                .as_u16()
        }
    };
    assert_eq!(me_on_b().await, 200, "the session works on the other process");
    let res = client
        .post(format!("{api_a}/v1/admin/logout"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("logout");
    assert_eq!(res.status(), 204);
    let delay = time_until(|| async { me_on_b().await == 401 }).await;
    eprintln!(
        "logout reached a second process ({backend:?}) in {} ms",
        delay.as_millis()
    );
}
