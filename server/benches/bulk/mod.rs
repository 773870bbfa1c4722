//! The bulk generator shared by the statistics and verification benchmarks: valid chains
//! written straight into a fresh database (each event hashed and linked to its predecessor
//! as the ledger would), with their roll-ups from the ledger's own roll-up code. Spread: one
//! site; subjects of 4 events each (250,000 subjects at 1M events); 90 UTC days ending today;
//! 3 regimes, 8 jurisdictions, 7 languages, 3–5 purposes per event, 10 % of subjects with GPC.

use assent_server::db::Db;
use assent_server::ledger::{self, Ledger, SiteRecord, SqlLedger, rollup};
use assent_shared::canonical::event_hash;
use assent_shared::consent::{ConsentEvent, Decision, Decisions, EVENT_SCHEMA_VERSION, GENESIS_HASH, Method, Source};
use assent_shared::ids::{EventId, PurposeKey, SiteId, SubjectId};
use assent_shared::regime::Regime;
use sqlx::Executor;
use std::collections::BTreeMap;
use std::time::Instant;

pub const EVENTS_PER_SUBJECT: usize = 4;
pub const DAYS: i64 = 90;
/// Subjects written per transaction.
const CHUNK: usize = 2_500;
pub const SITE: &str = "bench";
const PURPOSES: [&str; 5] = [
    "functional",
    "analytics",
    "advertising",
    "marketing_communications",
    "precise_location",
];
const JURISDICTIONS: [&str; 8] = ["DE", "FR", "NL", "GB", "US-CA", "US-TX", "BR", "JP"];
const LANGUAGES: [&str; 7] = ["en", "de", "fr", "nl", "es", "pt", "ja"];
pub const REGIMES: [Regime; 3] = [Regime::OptIn, Regime::OptOut, Regime::Notice];

pub fn events_wanted() -> usize {
    std::env::var("ASSENT_BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000)
}

/// Free bytes on the file system holding `path` (`df`), if it can tell.
fn free_bytes(path: &std::path::Path) -> Option<u64> {
    let out = std::process::Command::new("df")
        .args(["-Pk", &path.display().to_string()])
        .output()
        .ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    let kb: u64 = text.lines().nth(1)?.split_whitespace().nth(3)?.parse().ok()?;
    Some(kb * 1024)
}

pub fn admin_url() -> String {
    std::env::var("ASSENT_TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// The database URL, and for PostgreSQL the database's name (dropped when its run ends);
/// `tag` names the benchmark in both.
async fn database(backend: &str, dir: &std::path::Path, tag: &str) -> Option<(String, Option<String>)> {
    if backend == "sqlite" {
        return Some((format!("sqlite://{}", dir.join(format!("{tag}.db")).display()), None));
    }
    let admin = admin_url();
    let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&admin).await.ok()?;
    let name = format!("assent_bench_{tag}_{}", uuid::Uuid::new_v4().simple());
    conn.execute(format!("CREATE DATABASE {name}").as_str()).await.ok()?;
    let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b).to_owned();
    Some((format!("{base}/{name}"), Some(name)))
}

/// Drops a benchmark's PostgreSQL database: a million events take over a gigabyte.
pub async fn drop_database(name: &str) {
    if let Ok(mut conn) = <sqlx::PgConnection as sqlx::Connection>::connect(&admin_url()).await
        && let Err(e) = conn
            .execute(format!("DROP DATABASE {name} WITH (FORCE)").as_str())
            .await
    {
        eprintln!("could not drop {name}: {e}");
    }
}

/// A fresh database for `backend` (under `dir`, named after `tag`) holding the benchmark's
/// site, once there is disk for `events` (about 3 GB per million): the ledger and, for
/// PostgreSQL, the database's name to drop afterwards; or why the backend is skipped.
pub async fn prepare(
    backend: &str,
    dir: &std::path::Path,
    tag: &str,
    events: usize,
) -> Result<(SqlLedger, Option<String>), String> {
    let need = 3 * 1024 * 1024 * 1024_u64 * events as u64 / 1_000_000;
    let probe = if backend == "sqlite" {
        dir.to_path_buf()
    } else {
        std::path::PathBuf::from("/var/lib/postgresql")
    };
    if let Some(free) = free_bytes(&probe)
        && free < need
    {
        return Err(format!(
            "{backend}: {} MB free, {} MB needed: skipped",
            free >> 20,
            need >> 20
        ));
    }
    let Some((url, pg_name)) = database(backend, dir, tag).await else {
        return Err(format!("{backend}: not reachable, skipped"));
    };
    let sql = ledger::connect(&url).await.expect("connect");
    sql.put_site(&SiteRecord {
        id: SiteId::parse(SITE).expect("site"),
        name: "Bench".into(),
        origins: vec!["https://bench.example".into()],
        regime_overrides: BTreeMap::new(),
        archived: false,
        starter_notice: false,
    })
    .await
    .expect("site");
    Ok((sql, pg_name))
}

/// The `i`th subject's `k`th event, unchained.
pub fn draft(i: usize, k: usize, first_day: time::Date) -> ConsentEvent {
    let day = first_day + time::Duration::days((i as i64 * 7 + k as i64 * 11) % DAYS);
    let method = match (k, i % 20) {
        (0, 0..=10) => Method::AcceptAll,
        (0, 11..=15) => Method::RejectAll,
        (0, 16..=18) => Method::Save,
        (0, _) => Method::Close,
        (_, r) if r % 5 == 0 => Method::Withdraw,
        (_, r) if r % 7 == 0 => Method::Expire,
        _ => Method::Save,
    };
    let grant = |p: usize| match method {
        Method::AcceptAll => Decision::Granted,
        Method::RejectAll | Method::Close | Method::Withdraw | Method::Expire => Decision::Denied,
        _ if (i + p + k).is_multiple_of(3) => Decision::Denied,
        _ => Decision::Granted,
    };
    let decisions: Decisions = PURPOSES
        .iter()
        .enumerate()
        .take(3 + (i + k) % 3)
        .map(|(p, key)| (PurposeKey::parse(key).expect("key"), grant(p)))
        .collect();
    ConsentEvent {
        schema_version: EVENT_SCHEMA_VERSION,
        event_id: EventId::parse(&uuid::Uuid::new_v4().to_string()).expect("id"),
        site_id: SiteId::parse(SITE).expect("site"),
        subject_id: SubjectId::parse(&uuid::Uuid::from_u128(i as u128 + 1).to_string()).expect("subject"),
        seq: k as u64 + 1,
        recorded_at: format!("{day}T{:02}:{:02}:{:02}.{:03}Z", i % 24, k * 7 % 60, i % 60, i % 1000),
        client_time: None,
        notice_version: 1 + u32::from(day > first_day + time::Duration::days(60)),
        notice_hash: "0".repeat(64),
        banner_build: None,
        policy_version: "2026-01".into(),
        jurisdiction: JURISDICTIONS[i % JURISDICTIONS.len()].into(),
        regime: REGIMES[i % REGIMES.len()],
        method,
        source: Source::Banner,
        gpc: i.is_multiple_of(10),
        signal_source: None,
        decisions,
        language: LANGUAGES[i % LANGUAGES.len()].into(),
        ip_truncated: None,
        user_agent_hash: None,
        tcf: None,
        prev_hash: String::new(),
        hash: String::new(),
    }
}

/// Writes `subjects` chains of [`EVENTS_PER_SUBJECT`] events, their roll-ups and a daily
/// banner counter; returns the seconds it took.
pub async fn fill(db: &Db, subjects: usize, first_day: time::Date) -> f64 {
    let started = Instant::now();
    fill_range(db, 0..subjects, first_day).await;
    let mut shown = BTreeMap::new();
    for d in 0..DAYS {
        for (r, regime) in REGIMES.iter().enumerate() {
            let day = (first_day + time::Duration::days(d)).to_string();
            shown.insert(
                (SITE.to_owned(), day, assent_shared::wire_name(regime)),
                4_000 + (d as u64 * 13 + r as u64) % 500,
            );
        }
    }
    db.add_impressions(&shown).await.expect("impressions");
    // What autovacuum (PostgreSQL) or `PRAGMA optimize` would leave a table that grew this
    // much: planner statistics of its present size, not of the empty table it was.
    db.pool.execute("ANALYZE").await.expect("analyze");
    started.elapsed().as_secs_f64()
}

/// Writes the chains of the subjects numbered `subjects` (the same subject always gets the
/// same chain shape) and their roll-ups; returns the seconds it took.
pub async fn fill_range(db: &Db, subjects: std::ops::Range<usize>, first_day: time::Date) -> f64 {
    let started = Instant::now();
    let mut deltas = BTreeMap::new();
    let mut start = subjects.start;
    while start < subjects.end {
        let end = (start + CHUNK).min(subjects.end);
        let mut events = Vec::with_capacity((end - start) * EVENTS_PER_SUBJECT);
        for i in start..end {
            let mut prev = GENESIS_HASH.to_owned();
            for k in 0..EVENTS_PER_SUBJECT {
                let mut e = draft(i, k, first_day);
                e.prev_hash = prev;
                e.hash = event_hash(&e).expect("hash");
                prev = e.hash.clone();
                rollup::add_event(&mut deltas, &e);
                events.push(e);
            }
        }
        let mut tx = db.pool.begin().await.expect("begin");
        for chunk in events.chunks(EVENTS_PER_SUBJECT * 200) {
            let firsts: Vec<&ConsentEvent> = chunk.iter().filter(|e| e.seq == 1).collect();
            let values = (0..firsts.len())
                .map(|r| format!("(${}, ${}, ${})", r * 3 + 1, r * 3 + 2, r * 3 + 3))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!("INSERT INTO subjects (site_id, subject_id, created_at) VALUES {values}");
            let mut q = sqlx::query(&sql);
            for e in &firsts {
                q = q.bind(SITE).bind(e.subject_id.to_string()).bind(e.recorded_at.as_str());
            }
            q.execute(&mut *tx).await.expect("subjects");
            let values = (0..chunk.len())
                .map(|r| {
                    let p: Vec<String> = (1..=11).map(|c| format!("${}", r * 11 + c)).collect();
                    format!("({})", p.join(", "))
                })
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "INSERT INTO consent_events (site_id, subject_id, seq, event_id, recorded_at, method, event, prev_hash, \
                 hash, request_digest, states) VALUES {values}"
            );
            let mut q = sqlx::query(&sql);
            for e in chunk {
                q = q
                    .bind(SITE)
                    .bind(e.subject_id.to_string())
                    .bind(e.seq as i64)
                    .bind(e.event_id.to_string())
                    .bind(e.recorded_at.as_str())
                    .bind(assent_shared::wire_name(&e.method))
                    .bind(serde_json::to_string(e).expect("json"))
                    .bind(e.prev_hash.as_str())
                    .bind(e.hash.as_str())
                    .bind(e.event_id.to_string())
                    .bind("{}");
            }
            q.execute(&mut *tx).await.expect("events");
        }
        tx.commit().await.expect("commit");
        start = end;
        eprint!("\r  {end}/{} subjects", subjects.end);
    }
    eprintln!();
    let mut tx = db.pool.begin().await.expect("begin");
    rollup::upsert(&mut tx, SITE, &deltas).await.expect("roll-ups");
    tx.commit().await.expect("commit");
    started.elapsed().as_secs_f64()
}
